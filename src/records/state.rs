//! What the record types of one file added up to: per-chunk partials merged in
//! input order, then the header/trailer findings and the trailer checks.

use super::{CheckWhat, Decimal, RecordTypes};
use crate::layout::RecordKind;

/// Records of one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeCount {
    /// Data: `written + rejected`. Header and trailer: the records met.
    pub read: u64,
    pub written: u64,
    pub rejected: u64,
}

/// An exact sum over data records.
#[derive(Debug, Clone, Copy, Default)]
struct SumState {
    total: Decimal,
    overflow: bool,
    /// Records whose item could not be read as a number.
    not_summed: u64,
    first_not_summed: Option<u64>,
}

impl SumState {
    fn add(&mut self, d: Decimal) {
        match self.total.checked_add(d) {
            Some(t) => self.total = t,
            None => self.overflow = true,
        }
    }

    fn merge(&mut self, later: SumState) {
        if later.overflow {
            self.overflow = true;
        }
        self.add(later.total);
        self.not_summed += later.not_summed;
        if self.first_not_summed.is_none() {
            self.first_not_summed = later.first_not_summed;
        }
    }
}

/// The order of header, data and trailer records: what the ordering findings
/// need, a few marks per file however many records it has.
#[derive(Debug, Clone)]
enum Mark {
    /// A run of data records (of any data type).
    Data { first: u64, n: u64 },
    /// A header or trailer record: its check values (per check index), or why
    /// it could not be read.
    Control {
        record: u64,
        ty: usize,
        values: Result<Vec<(usize, Decimal)>, String>,
    },
}

/// The record types' state of a chunk, or of the chunks of a file so far.
#[derive(Debug, Clone, Default)]
pub struct Partial {
    /// Per type.
    pub counts: Vec<TypeCount>,
    /// Records of no type (rejected `unknown-record-type`, or not framed).
    pub unclassified: u64,
    sums: Vec<SumState>,
    marks: Vec<Mark>,
    /// The chunk's data for outputs 1.. (output 0 is the chunk's own output).
    pub outputs: Vec<Vec<u8>>,
}

impl Partial {
    pub(super) fn new(types: usize, slots: usize, extra_outputs: usize) -> Partial {
        Partial {
            counts: vec![TypeCount::default(); types],
            sums: vec![SumState::default(); slots],
            outputs: vec![Vec::new(); extra_outputs],
            ..Partial::default()
        }
    }

    /// A data record of type `t` (written or rejected).
    pub fn data(&mut self, t: usize, record: u64, written: bool) {
        let c = &mut self.counts[t];
        c.read += 1;
        if written {
            c.written += 1;
        } else {
            c.rejected += 1;
        }
        match self.marks.last_mut() {
            Some(Mark::Data { n, .. }) => *n += 1,
            _ => self.marks.push(Mark::Data {
                first: record,
                n: 1,
            }),
        }
    }

    /// Adds a data record's item to sum `slot`; `value` None: the record was not
    /// read into its items.
    pub fn add_to_sum(&mut self, slot: usize, record: u64, value: Option<&str>) {
        let s = &mut self.sums[slot];
        match value.and_then(Decimal::parse) {
            Some(d) => s.add(d),
            None => {
                s.not_summed += 1;
                s.first_not_summed.get_or_insert(record);
            }
        }
    }

    /// A header or trailer record of type `t`: its check values, or why it was
    /// not read (a reason in Japanese, as in a reject).
    pub fn control(
        &mut self,
        t: usize,
        record: u64,
        values: Result<Vec<(usize, Decimal)>, String>,
    ) {
        self.counts[t].read += 1;
        self.marks.push(Mark::Control {
            record,
            ty: t,
            values,
        });
    }

    pub fn unclassified(&mut self) {
        self.unclassified += 1;
    }

    /// Adds a later chunk's partial (of the same file): in input order, so that
    /// the order marks are the file's.
    pub fn merge(&mut self, later: Partial) {
        for (a, b) in self.counts.iter_mut().zip(later.counts) {
            a.read += b.read;
            a.written += b.written;
            a.rejected += b.rejected;
        }
        self.unclassified += later.unclassified;
        for (a, b) in self.sums.iter_mut().zip(later.sums) {
            a.merge(b);
        }
        for m in later.marks {
            match (self.marks.last_mut(), m) {
                (Some(Mark::Data { n, .. }), Mark::Data { n: more, .. }) => *n += more,
                (_, m) => self.marks.push(m),
            }
        }
    }

    /// The findings and checks of the whole file (call on the merged partial).
    pub fn finish(&self, rt: &RecordTypes) -> Outcome {
        let mut findings = Vec::new();
        let name = |t: usize| rt.types[t].name.clone();
        let mut seen = vec![0u64; rt.types.len()];
        let mut before_header = None;
        let mut first_trailer: Option<u64> = None;
        let mut after_trailer: Option<(u64, u64)> = None;
        // The first header and trailer: their values are checked.
        // (type, record, its check values).
        type Checked<'a> = (usize, u64, &'a [(usize, Decimal)]);
        let mut checked: Vec<Checked> = Vec::new();
        for m in &self.marks {
            match m {
                Mark::Data { first, n } => {
                    if rt.header().is_some_and(|h| seen[h] == 0) {
                        before_header.get_or_insert(*first);
                    }
                    if first_trailer.is_some() {
                        let e = after_trailer.get_or_insert((*first, 0));
                        e.1 += n;
                    }
                }
                Mark::Control { record, ty, values } => {
                    let ty = *ty;
                    let kind = rt.types[ty].kind;
                    seen[ty] += 1;
                    if seen[ty] > 1 {
                        findings.push(Finding {
                            record: Some(*record),
                            code: if kind == RecordKind::Header { "repeated-header" } else { "repeated-trailer" },
                            of_type: name(ty),
                            message: format!(
                                "record {record}: a second {} record (type {:?}); a file has one. Check that two exports were not joined",
                                kind.as_str(),
                                name(ty)
                            ),
                        });
                    } else {
                        if kind == RecordKind::Header {
                            if let Some(first) = before_header.or(first_trailer) {
                                findings.push(Finding {
                                    record: Some(*record),
                                    code: "header-not-first",
                                    of_type: name(ty),
                                    message: format!(
                                        "record {record}: the header comes after other records (the first at record {first}); the header must be the first record"
                                    ),
                                });
                            }
                        } else if first_trailer.is_none() {
                            first_trailer = Some(*record);
                        }
                        match values {
                            Ok(v) => checked.push((ty, *record, v)),
                            Err(why) => findings.push(Finding {
                                record: Some(*record),
                                code: if kind == RecordKind::Header { "invalid-header" } else { "invalid-trailer" },
                                of_type: name(ty),
                                message: format!(
                                    "record {record}: the {} record could not be read, so it is not checked: {why}",
                                    kind.as_str()
                                ),
                            }),
                        }
                    }
                }
            }
        }
        if let Some((first, n)) = after_trailer {
            findings.push(Finding {
                record: Some(first),
                code: "data-after-trailer",
                of_type: rt.trailer().map(name).unwrap_or_default(),
                message: format!(
                    "record {first}: {n} data record(s) after the trailer (record {}); they are converted and counted, but the trailer's totals were made without them. Check that the file was not appended to",
                    first_trailer.unwrap_or(0)
                ),
            });
        }
        for (want, code) in [
            (rt.header(), "missing-header"),
            (rt.trailer(), "missing-trailer"),
        ] {
            if let Some(t) = want
                && seen[t] == 0
            {
                findings.push(Finding {
                    record: None,
                    code,
                    of_type: name(t),
                    message: format!(
                        "no {} record (type {:?}, {}): the layout declares one. Check that the file is complete{}",
                        rt.types[t].kind.as_str(),
                        name(t),
                        format_args!("when = {:?}", rt.types[t].equals),
                        if code == "missing-trailer" { " (a cut file loses its trailer)" } else { "" }
                    ),
                });
            }
        }
        findings.sort_by_key(|f| (f.record.is_none(), f.record));
        let mut checks = Vec::new();
        for (ty, record, values) in checked {
            for &(c, expected) in values {
                let spec = &rt.checks[c];
                let (kind, actual, not_summed) = match &spec.what {
                    CheckWhat::Count(types) => {
                        let n: u64 = types.iter().map(|&t| self.counts[t].read).sum();
                        (
                            "count",
                            Some(Decimal::parse(&n.to_string()).unwrap_or_default()),
                            0,
                        )
                    }
                    CheckWhat::Sum(slots) => {
                        let mut total = Some(Decimal::ZERO);
                        let mut not_summed = 0;
                        for &s in slots {
                            let st = &self.sums[s];
                            not_summed += st.not_summed;
                            total = if st.overflow {
                                None
                            } else {
                                total.and_then(|t| t.checked_add(st.total))
                            };
                        }
                        ("sum", total, not_summed)
                    }
                };
                let equal =
                    actual.and_then(|a| a.cmp_value(expected)) == Some(std::cmp::Ordering::Equal);
                checks.push(CheckResult {
                    of_type: name(ty),
                    item: spec.item_name.clone(),
                    kind,
                    record,
                    expected: expected.to_string(),
                    actual: actual.map_or_else(|| "overflow".to_string(), |a| a.to_string()),
                    not_summed,
                    ok: equal && not_summed == 0,
                });
            }
        }
        Outcome {
            counts: self.counts.clone(),
            unclassified: self.unclassified,
            checks,
            findings,
        }
    }
}

/// A header/trailer finding of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The record it is about (None: a missing header or trailer).
    pub record: Option<u64>,
    pub code: &'static str,
    pub of_type: String,
    pub message: String,
}

/// One `count_of` / `sum_of` item compared with the data read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub of_type: String,
    pub item: String,
    /// `count` or `sum`.
    pub kind: &'static str,
    /// The header or trailer record the value was read from.
    pub record: u64,
    /// From the header or trailer, exact.
    pub expected: String,
    /// Counted or summed over the data records read (`overflow`: too large).
    pub actual: String,
    /// Data records whose item could not be read as a number (not in `actual`).
    pub not_summed: u64,
    pub ok: bool,
}

/// The record types of one converted file.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub counts: Vec<TypeCount>,
    pub unclassified: u64,
    pub checks: Vec<CheckResult>,
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Something for people to look at: a failed check or a finding.
    pub fn has_findings(&self) -> bool {
        !self.findings.is_empty() || self.checks.iter().any(|c| !c.ok)
    }
}
