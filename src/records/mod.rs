//! Record types (`[[records]]` in a layout): each record is classified by its
//! `when` item, read with its type's items, and counted per type; header and
//! trailer records are checked, never written; the trailer's `count_of` and
//! `sum_of` items are compared with the data records read.
//!
//! Records are processed in parallel chunks: each chunk keeps a [`Partial`]
//! (counts, exact sums, and the order of header, data and trailer records),
//! and the partials are merged in input order, so the findings are the same
//! for any `--jobs` and `--chunk-bytes` ([`Partial::merge`]).

pub mod decimal;
mod state;

pub use decimal::Decimal;
pub use state::{CheckResult, Finding, Outcome, Partial, TypeCount};

use crate::decode::Encoding;
use crate::items::fixed;
use crate::layout::{Field, FieldType, Format, Layout, RecordKind};
use crate::record::RecordProcessor;
use crate::reject::Reject;

/// Reject code of a record that matches no declared type.
pub const UNKNOWN_TYPE: &str = "unknown-record-type";

/// One record type, ready to read records with.
pub struct TypeInfo {
    pub name: String,
    pub kind: RecordKind,
    pub processor: RecordProcessor,
    /// The type's item index → the index of that name in the layout's `fields`
    /// (the data items, each name once), which the per-item counts use.
    pub to_union: Vec<usize>,
    /// Data types: the output written to (0: the input's first output).
    pub output: Option<usize>,
    /// Sums this type adds to: (its item index, sum slot).
    sums: Vec<(usize, usize)>,
    equals: String,
    /// Fixed: the item (or bytes) that tells the type.
    selector: Option<Field>,
}

/// A header or trailer item compared with the data read.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    /// The header or trailer type and its item index.
    pub of_type: usize,
    pub item: usize,
    pub item_name: String,
    pub what: CheckWhat,
}

#[derive(Debug, Clone)]
pub enum CheckWhat {
    /// The number of records of these data types.
    Count(Vec<usize>),
    /// The sum over these slots.
    Sum(Vec<usize>),
}

/// The compiled record types of a layout.
pub struct RecordTypes {
    pub types: Vec<TypeInfo>,
    pub checks: Vec<CheckSpec>,
    /// Sum slots.
    pub slots: usize,
    /// Each data type has its own output (more than one data type declared).
    pub split: bool,
    header: Option<usize>,
    trailer: Option<usize>,
    encoding: Encoding,
    format: Format,
    delimiter: u8,
    quote: u8,
    /// The telling item is `sensitive` in some type: never show its value.
    hide_value: bool,
}

impl RecordTypes {
    /// None for a layout without `[[records]]`. Err: a type's items cannot be
    /// read in this encoding (the message names the type and item).
    pub fn new(layout: &Layout, base: &RecordProcessor) -> Result<Option<RecordTypes>, String> {
        if layout.records.is_empty() {
            return Ok(None);
        }
        let data: Vec<usize> = (0..layout.records.len())
            .filter(|&i| layout.records[i].kind() == RecordKind::Data)
            .collect();
        let split = data.len() > 1;
        let mut types = Vec::new();
        let mut hide_value = false;
        for (i, rt) in layout.records.iter().enumerate() {
            let flat = layout.record_layout(i).ok_or("no such record type")?;
            let processor = base
                .for_record_type(flat, rt.kind() == RecordKind::Data)
                .map_err(|e| format!("record type {:?}: {e}", rt.name))?;
            let to_union = rt
                .fields
                .iter()
                .map(|f| {
                    layout
                        .fields
                        .iter()
                        .position(|u| u.name == f.name)
                        .unwrap_or(0)
                })
                .collect();
            let kind = rt.kind();
            let output = (kind == RecordKind::Data)
                .then(|| {
                    if split {
                        data.iter().position(|&d| d == i)
                    } else {
                        Some(0)
                    }
                })
                .flatten();
            let selector = match layout.format {
                Format::Csv => None,
                // check_records has filled offset and length.
                Format::Fixed => Some(
                    rt.when
                        .item
                        .as_ref()
                        .and_then(|n| rt.fields.iter().find(|f| &f.name == n).cloned())
                        .unwrap_or_else(|| Field {
                            name: "レコード区分".into(),
                            kind: FieldType::Text,
                            offset: rt.when.offset,
                            length: rt.when.length,
                            ..Field::default()
                        }),
                ),
            };
            let when_field = match layout.format {
                Format::Csv => rt.fields.first(),
                Format::Fixed => selector.as_ref(),
            };
            hide_value |= when_field.is_some_and(|f| f.sensitive);
            types.push(TypeInfo {
                name: rt.name.clone(),
                kind,
                processor,
                to_union,
                output,
                sums: Vec::new(),
                equals: rt.when.equals.clone(),
                selector,
            });
        }
        let mut checks = Vec::new();
        let mut slots = 0;
        for (t, rt) in layout.records.iter().enumerate() {
            for (item, f) in rt.fields.iter().enumerate() {
                let what = if let Some(of) = &f.count_of {
                    CheckWhat::Count(layout.data_types_named(of).unwrap_or_default())
                } else if let Some(sum) = &f.sum_of {
                    let mut mine = Vec::new();
                    for d in layout.data_types_named(&sum.of_type).unwrap_or_default() {
                        let Some(at) = layout.records[d]
                            .fields
                            .iter()
                            .position(|x| x.name == sum.item)
                        else {
                            continue;
                        };
                        types[d].sums.push((at, slots));
                        mine.push(slots);
                        slots += 1;
                    }
                    CheckWhat::Sum(mine)
                } else {
                    continue;
                };
                checks.push(CheckSpec {
                    of_type: t,
                    item,
                    item_name: f.name.clone(),
                    what,
                });
            }
        }
        let of_kind = |k| types.iter().position(|t: &TypeInfo| t.kind == k);
        Ok(Some(RecordTypes {
            header: of_kind(RecordKind::Header),
            trailer: of_kind(RecordKind::Trailer),
            types,
            checks,
            slots,
            split,
            encoding: base.encoding(),
            format: layout.format,
            delimiter: layout.delimiter_byte(),
            quote: layout.quote_byte(),
            hide_value,
        }))
    }

    /// The outputs per input: 1, or one per data type when split.
    pub fn outputs(&self) -> usize {
        self.types
            .iter()
            .filter_map(|t| t.output)
            .max()
            .map_or(1, |m| m + 1)
    }

    /// The data type names in output order (when split, `<stem>.<type>.csv`).
    pub fn output_types(&self) -> Vec<&str> {
        self.types
            .iter()
            .filter(|t| t.kind == RecordKind::Data)
            .map(|t| t.name.as_str())
            .collect()
    }

    /// A fresh partial for a chunk (or a file).
    pub fn partial(&self) -> Partial {
        Partial::new(
            self.types.len(),
            self.slots,
            self.outputs().saturating_sub(1),
        )
    }

    /// The type of the record `raw`, or the reject saying it has none. `buf` and
    /// `wrap` are reused buffers.
    pub fn classify(
        &self,
        raw: &[u8],
        buf: &mut String,
        wrap: &mut Vec<u8>,
    ) -> Result<usize, Reject> {
        match self.format {
            Format::Csv => {
                self.first_csv_item(raw, buf);
                let value = buf.trim_matches(' ');
                match self.types.iter().position(|t| t.equals == value) {
                    Some(t) => Ok(t),
                    None => Err(self.unknown(Some(value), "先頭の項目")),
                }
            }
            Format::Fixed => {
                for (t, info) in self.types.iter().enumerate() {
                    let Some(f) = &info.selector else { continue };
                    let off = f.offset.unwrap_or(0);
                    let Some(bytes) = off
                        .checked_add(f.length.unwrap_or(0))
                        .and_then(|end| raw.get(off..end))
                    else {
                        continue;
                    };
                    buf.clear();
                    if fixed::decode_item(self.encoding, f, bytes, buf, wrap).is_ok()
                        && buf.trim_matches([' ', '　']) == info.equals
                    {
                        return Ok(t);
                    }
                }
                // Say what the first type's position holds (all types usually share it).
                let shown = self
                    .types
                    .first()
                    .and_then(|t| t.selector.as_ref())
                    .map(|f| {
                        let off = f.offset.unwrap_or(0);
                        let end = off.saturating_add(f.length.unwrap_or(0));
                        buf.clear();
                        let ok = raw.get(off..end).is_some_and(|b| {
                            fixed::decode_item(self.encoding, f, b, buf, wrap).is_ok()
                        });
                        (ok, format!("{}〜{}バイト目", off + 1, end))
                    });
                match shown {
                    Some((true, place)) => {
                        Err(self.unknown(Some(buf.trim_matches([' ', '　'])), &place))
                    }
                    Some((false, place)) => Err(self.unknown(None, &place)),
                    None => Err(self.unknown(None, "レコード区分")),
                }
            }
        }
    }

    #[cold]
    fn unknown(&self, value: Option<&str>, place: &str) -> Reject {
        let known: Vec<String> = self
            .types
            .iter()
            .map(|t| format!("{}={}", t.equals, t.name))
            .collect();
        let value = match value {
            _ if self.hide_value => "（sensitive のため表示しません）".to_string(),
            Some(v) => format!("「{v}」"),
            None => "（読めません）".to_string(),
        };
        Reject::record(
            UNKNOWN_TYPE,
            format!(
                "{place}の値{value}がレイアウトのどのレコード種別（{}）にもあたりません",
                known.join("、")
            ),
        )
    }

    /// The first item of a CSV record, decoded and unquoted, into `buf`.
    fn first_csv_item(&self, raw: &[u8], buf: &mut String) {
        // Where the delimiter and the quote are single bytes that no character's
        // bytes contain, only the first item is decoded.
        let bytewise = self.encoding.unit_width() == 1 && self.encoding.shifts().is_none();
        let mut end = raw.len();
        if bytewise {
            let mut quoted = false;
            for (i, &b) in raw.iter().enumerate() {
                if b == self.quote {
                    quoted = !quoted;
                } else if b == self.delimiter && !quoted {
                    end = i;
                    break;
                }
            }
        }
        buf.clear();
        // The text before bytes that do not decode still tells the type.
        let _ = crate::decode::decode(self.encoding, &raw[..end], buf);
        let (d, q) = (char::from(self.delimiter), char::from(self.quote));
        if buf.starts_with(q) {
            // Rare: a quoted first item (its quotes undone into a new string).
            let mut value = String::new();
            let mut chars = buf[1..].chars().peekable();
            while let Some(c) = chars.next() {
                if c == q {
                    if chars.peek() == Some(&q) {
                        chars.next();
                    } else {
                        break;
                    }
                }
                value.push(c);
            }
            *buf = value;
        } else if let Some(p) = buf.find(d) {
            buf.truncate(p);
        }
    }

    pub fn header(&self) -> Option<usize> {
        self.header
    }

    pub fn trailer(&self) -> Option<usize> {
        self.trailer
    }

    /// The sums a record of type `t` adds to: (its item index, slot).
    pub fn sums_of(&self, t: usize) -> &[(usize, usize)] {
        &self.types[t].sums
    }
}

#[cfg(test)]
mod tests;
