//! One chunk of records → counts: the characters met, and what the map, cleanse
//! and validate stages would do to every item.

use super::charset::{self, JisSet};
use crate::charset::Unit;
use crate::cleanse::{Applied, Cleanser, RuleCounts};
use crate::decode::{self, Encoding};
use crate::gaiji::{MapEvents, Mapper, is_user_defined};
use crate::items::{self, Items};
use crate::layout::{FieldType, Format, Layout};
use crate::records::{RecordTypes, UNKNOWN_TYPE};
use crate::split::{Chunk, Flaw};
use crate::validate;
use std::collections::HashMap;

/// The stages a profile runs, shared read-only by the workers.
pub(super) struct Stages<'a> {
    pub layout: &'a Layout,
    pub encoding: Encoding,
    pub mapper: &'a Mapper,
    pub cleanser: &'a Cleanser,
    /// The key item shown to find a record (never a sensitive one).
    pub key: Option<usize>,
    /// Some item is `sensitive`: characters are then taken stock of item by item,
    /// leaving out the sensitive ones (and records that cannot be split at all).
    pub any_sensitive: bool,
    /// A record type's stages: its item index → the index of that name in the
    /// layout's data items, which the per-item counts are kept by.
    pub to_union: Option<&'a [usize]>,
}

impl Stages<'_> {
    /// The index the counts keep item `i` under.
    fn counted(&self, i: usize) -> usize {
        self.to_union.and_then(|u| u.get(i).copied()).unwrap_or(i)
    }
}

/// A layout with record types (`[[records]]`): each record is classified, and a
/// data record counted with its type's stages; header and trailer records are
/// counted apart, as `convert` checks them and never writes them.
pub(super) struct Typed<'a> {
    pub types: &'a RecordTypes,
    /// Per type: the stages of a data type, None for a header or trailer.
    pub data: Vec<Option<Stages<'a>>>,
}

pub use crate::tally::Seen;

/// The key as shown: without padding.
fn clean_key(k: &str) -> String {
    k.trim_matches(|c| c == ' ' || c == '\u{3000}' || c == '\0')
        .to_string()
}

/// What defects are counted under: (item index or None for the whole record, reason).
pub(super) type DefectKey = (Option<usize>, &'static str);

/// The counts of one chunk, or of a whole file once merged.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub records: u64,
    pub header: u64,
    pub blank: u64,
    /// Header and trailer records of a layout with record types.
    pub control: u64,
    /// Records `convert` would reject (at least one defect).
    pub rejected: u64,
    /// User-defined (private-use) characters.
    pub gaiji: HashMap<char, Seen>,
    /// Other characters outside JIS X 0208.
    pub other: HashMap<char, Seen>,
    pub defects: HashMap<DefectKey, Seen>,
    /// Cleansing rules applied, per item, in the records `convert` would write.
    pub rules: Vec<RuleCounts>,
    /// Units outside `--charset` per (item, unit), never for a `sensitive` item.
    pub nonstandard: HashMap<(usize, Unit), Seen>,
}

impl Counts {
    pub(super) fn merge(&mut self, other: Counts) {
        self.records += other.records;
        self.header += other.header;
        self.blank += other.blank;
        self.control += other.control;
        self.rejected += other.rejected;
        for (c, s) in other.gaiji {
            self.gaiji.entry(c).or_default().merge(s);
        }
        for (c, s) in other.other {
            self.other.entry(c).or_default().merge(s);
        }
        for (k, s) in other.defects {
            self.defects.entry(k).or_default().merge(s);
        }
        if self.rules.len() < other.rules.len() {
            self.rules.resize(other.rules.len(), RuleCounts::new());
        }
        for (mine, theirs) in self.rules.iter_mut().zip(&other.rules) {
            mine.merge(theirs);
        }
        for (k, s) in other.nonstandard {
            self.nonstandard.entry(k).or_default().merge(s);
        }
    }
}

/// Buffers reused from record to record.
#[derive(Default)]
pub(super) struct Scratch {
    decoded: String,
    items: Items,
    mapped: String,
    out: String,
    events: MapEvents,
    applied: Vec<(usize, Applied)>,
    /// Pure double-byte (dbcs) items between shift codes, for the decoder.
    wrap: Vec<u8>,
    /// The item that tells a record's type.
    selector: String,
}

/// Counts one chunk. Pure: the same chunk always gives the same counts.
pub(super) fn chunk(
    st: &Stages,
    typed: Option<&Typed>,
    header: bool,
    chunk: &Chunk,
    s: &mut Scratch,
) -> Counts {
    let mut c = Counts {
        rules: vec![RuleCounts::new(); st.layout.fields.len()],
        ..Counts::default()
    };
    for (k, span) in chunk.records.iter().enumerate() {
        let record = chunk.first_record + k as u64;
        if chunk.is_header(header, k) {
            c.header += 1;
            continue;
        }
        let raw = &chunk.data[span.start..span.end];
        if raw.is_empty() && span.flaw.is_none() {
            c.blank += 1;
            continue;
        }
        // A record the splitter could not frame has no type: the layout's
        // stages count it by its flaw, as convert rejects it.
        let st = match typed.filter(|_| span.flaw.is_none()) {
            None => st,
            Some(t) => match t.types.classify(raw, &mut s.selector, &mut s.wrap) {
                Ok(ty) => match t.data.get(ty) {
                    Some(Some(data)) => data,
                    _ => {
                        c.control += 1;
                        continue;
                    }
                },
                Err(_) => {
                    c.records += 1;
                    c.rejected += 1;
                    if !st.any_sensitive {
                        s.decoded.clear();
                        let _ = decode::decode(st.encoding, raw, &mut s.decoded);
                        scan(st.mapper, &s.decoded, record, None, &mut c);
                    }
                    c.defects
                        .entry((None, UNKNOWN_TYPE))
                        .or_default()
                        .add(1, record, None);
                    continue;
                }
            },
        };
        c.records += 1;
        s.applied.clear();
        if self::record(st, raw, span.flaw, record, s, &mut c) {
            c.rejected += 1;
        } else {
            for &(item, applied) in &s.applied {
                c.rules[item].add_applied(applied);
            }
        }
    }
    c
}

/// Counts one record; true when `convert` would reject it.
fn record(
    st: &Stages,
    raw: &[u8],
    flaw: Option<Flaw>,
    record: u64,
    s: &mut Scratch,
    c: &mut Counts,
) -> bool {
    let n = st.layout.fields.len();
    let whole = |c: &mut Counts, reason| {
        c.defects
            .entry((None, reason))
            .or_default()
            .add(1, record, None)
    };
    if let Some(f) = flaw {
        // Still take stock of the characters, as far as the bytes decode.
        s.decoded.clear();
        let _ = decode::decode(st.encoding, raw, &mut s.decoded);
        if !st.any_sensitive {
            scan(st.mapper, &s.decoded, record, None, c);
        }
        whole(c, flaw_code(f));
        return true;
    }
    match st.layout.format {
        Format::Csv => {
            s.decoded.clear();
            let decoded = decode::decode(st.encoding, raw, &mut s.decoded);
            let split = items::split_csv(
                &s.decoded,
                st.layout.delimiter_byte(),
                st.layout.quote_byte(),
                &mut s.items,
            );
            let whole_items = decoded.is_ok() && split.is_ok() && s.items.len() == n;
            let key = st.key.filter(|_| whole_items).map(|k| s.items.get(k));
            if !st.any_sensitive {
                scan(st.mapper, &s.decoded, record, key, c);
            } else if whole_items {
                scan_items(st, &s.items, record, key, c);
            }
            let reason = if decoded.is_err() {
                // As `convert`: the bad bytes' item when the text before them shows it.
                let item = items::item_at(
                    &s.decoded,
                    st.layout.delimiter_byte(),
                    st.layout.quote_byte(),
                )
                .filter(|&i| i < n);
                if let Some(i) = item {
                    c.defects
                        .entry((Some(st.counted(i)), "undecodable"))
                        .or_default()
                        .add(1, record, None);
                    return true;
                }
                "undecodable"
            } else if split.is_err() {
                "broken-quote"
            } else if s.items.len() != n {
                "item-count"
            } else {
                return items(st, record, s, c);
            };
            whole(c, reason);
            true
        }
        Format::Fixed => {
            s.items.clear();
            let mut undecodable = false;
            // The first item that gives no text, and why (as `convert` says it).
            let mut fault: Option<(usize, &'static str)> = None;
            for f in &st.layout.fields {
                // As in `record`: Layout::check and the splitter guarantee the range.
                let off = f.offset.unwrap_or(0);
                let end = (off + f.length.unwrap_or(0)).min(raw.len());
                let bytes = &raw[off.min(end)..end];
                let wrap = &mut s.wrap;
                if let Err(e) = s.items.push_with(|out| {
                    crate::items::fixed::decode_item(st.encoding, f, bytes, out, wrap)
                }) {
                    undecodable = true;
                    fault.get_or_insert((s.items.len() - 1, e.code()));
                }
            }
            let key = st.key.filter(|_| !undecodable).map(|k| s.items.get(k));
            if st.any_sensitive {
                scan_items(st, &s.items, record, key, c);
            } else {
                scan(st.mapper, s.items.text(), record, key, c);
            }
            match fault {
                Some((_, "undecodable")) => {
                    whole(c, "undecodable");
                    return true;
                }
                Some((i, code)) => {
                    c.defects
                        .entry((Some(st.counted(i)), code))
                        .or_default()
                        .add(1, record, None);
                    return true;
                }
                None => {}
            }
            items(st, record, s, c)
        }
    }
}

/// Every item of a split record through map, cleanse and validate, each on its
/// own (a record with two bad items counts a defect for each). True: a defect.
fn items(st: &Stages, record: u64, s: &mut Scratch, c: &mut Counts) -> bool {
    let Scratch {
        items,
        mapped,
        out,
        events,
        applied,
        ..
    } = s;
    let key = st.key.map(|k| items.get(k));
    let mut bad = false;
    for (i, field) in st.layout.fields.iter().enumerate() {
        let mut value = items.get(i);
        let counted = st.counted(i);
        let mut defect = |reason| {
            c.defects.entry((Some(counted), reason)).or_default().add(
                1,
                record,
                key.map(clean_key).as_deref().filter(|k| !k.is_empty()),
            );
            bad = true;
        };
        if st.mapper.needs_work(value) {
            mapped.clear();
            events.clear();
            if st.mapper.map(value, mapped, events).is_err() {
                defect(crate::record::UNMAPPED);
                continue;
            }
            value = mapped;
        }
        out.clear();
        match st.cleanser.cleanse_applied(i, value, out) {
            Err(d) => defect(d.reason),
            // --- MJ+ (--charset): as convert, after mapping and cleansing ---
            Ok(a) if outside_charset(st, field.kind, if a.is_empty() { value } else { out }) => {
                defect(crate::record::NONSTANDARD);
                if !field.sensitive {
                    let text = if a.is_empty() { value } else { out.as_str() };
                    let k = key.map(clean_key);
                    for u in st.mapper.charset().into_iter().flat_map(|cs| {
                        crate::charset::units(text)
                            .map(|(_, u)| u)
                            .filter(|&u| !cs.contains(u))
                    }) {
                        c.nonstandard.entry((counted, u)).or_default().add(
                            1,
                            record,
                            k.as_deref().filter(|k| !k.is_empty()),
                        );
                    }
                }
            }
            Ok(a) => match validate::check(
                field,
                st.layout.format,
                if a.is_empty() { value } else { out },
            ) {
                Err(r) => defect(r.code),
                Ok(()) if !a.is_empty() => applied.push((counted, a)),
                Ok(()) => {}
            },
        }
    }
    bad
}

/// True when a text or kana item holds a unit outside `--charset`.
fn outside_charset(st: &Stages, kind: FieldType, value: &str) -> bool {
    matches!(kind, FieldType::Text | FieldType::Kana)
        && st.mapper.charset().is_some_and(|cs| !cs.all_in(value))
}

/// Takes stock of the characters of `text`: 外字 and characters outside JIS X 0208.
#[inline]
fn scan(mapper: &Mapper, text: &str, record: u64, key: Option<&str>, c: &mut Counts) {
    if text.is_ascii() {
        return;
    }
    for ch in text.chars() {
        if charset::class(ch) == JisSet::X0208 {
            continue;
        }
        // An MJ+ extension character (--charset-ext) is a standard character, no 外字.
        let map = if is_user_defined(ch) && !mapper.is_ext_char(ch) {
            &mut c.gaiji
        } else {
            &mut c.other
        };
        map.entry(ch).or_default().add(
            1,
            record,
            key.map(clean_key).as_deref().filter(|k| !k.is_empty()),
        );
    }
}

/// As [`scan`], item by item, leaving out the `sensitive` items.
fn scan_items(st: &Stages, items: &Items, record: u64, key: Option<&str>, c: &mut Counts) {
    for (i, f) in st.layout.fields.iter().enumerate() {
        if !f.sensitive && i < items.len() {
            scan(st.mapper, items.get(i), record, key, c);
        }
    }
}

/// The reject code `convert` gives a record the splitter flagged.
fn flaw_code(f: Flaw) -> &'static str {
    f.code()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::Span;

    fn stages_for(layout: &Layout, mapper: &Mapper, cleanser: &Cleanser) -> Counts {
        let data = "1,山田\u{E000},ｶﾞｸ,19800101\n\
                    2,x,カ,19990230\n\
                    3,\u{E000}\u{E001}\u{FA11},イ,20000101\n\
                    4,x\n"
            .as_bytes()
            .to_vec();
        let mut records = Vec::new();
        let mut start = 0;
        for (i, b) in data.iter().enumerate() {
            if *b == b'\n' {
                records.push(Span {
                    start,
                    end: i,
                    flaw: None,
                });
                start = i + 1;
            }
        }
        let ch = Chunk {
            seq: 0,
            offset: 0,
            first_record: 1,
            data: data.into(),
            records,
            first_nonblank: None,
        };
        let st = Stages {
            layout,
            encoding: Encoding::Utf8,
            mapper,
            cleanser,
            key: layout.key_field(),
            any_sensitive: layout.fields.iter().any(|f| f.sensitive),
            to_union: None,
        };
        chunk(&st, None, false, &ch, &mut Scratch::default())
    }

    #[test]
    fn counts_characters_defects_and_changes() {
        let layout = crate::layout::parse(
            br#"
name = "t"
format = "csv"
[[fields]]
name = "no"
type = "digits"
key = true
[[fields]]
name = "name"
[[fields]]
name = "kana"
type = "kana"
[[fields]]
name = "birth"
type = "date"
date = "seireki"
"#,
            "t",
        )
        .unwrap();
        let table = crate::gaiji::TableSource {
            path: "g.tsv".into(),
            text: "U+E000\tMJ000001\n".into(),
            sha256: String::new(),
        };
        let mapper = Mapper::new(&[table], Encoding::Utf8, Default::default()).unwrap();
        let cleanser = Cleanser::new(&layout).unwrap();
        let c = stages_for(&layout, &mapper, &cleanser);
        assert_eq!((c.records, c.rejected), (4, 3));
        let e000 = &c.gaiji[&'\u{E000}'];
        assert_eq!((e000.count, e000.first_record), (2, 1));
        assert_eq!(e000.first_key.as_deref(), Some("1"));
        assert_eq!(c.gaiji[&'\u{E001}'].first_record, 3);
        // U+FA11 (a compatibility ideograph) is a JIS X 0213 character outside JIS X 0208.
        assert_eq!(c.other[&'\u{FA11}'].count, 1);
        let d = |item, reason| c.defects.get(&(item, reason)).map(|s| s.count);
        assert_eq!(d(Some(3), "invalid-date"), Some(1));
        assert_eq!(
            d(Some(1), "unmapped-gaiji"),
            Some(1),
            "U+E001 has no table line"
        );
        assert_eq!(d(None, "item-count"), Some(1));
        // Record 1 would be written: its half-width kana change is counted; no
        // other record's changes are.
        assert_eq!(c.rules[2].get(crate::cleanse::Rule::HalfwidthKana), 1);
    }

    #[test]
    fn seen_merges_in_any_order() {
        let a = Seen {
            count: 2,
            first_record: 10,
            first_key: Some("a".into()),
        };
        let b = Seen {
            count: 1,
            first_record: 4,
            first_key: Some("b".into()),
        };
        let mut x = a.clone();
        x.merge(b.clone());
        let mut y = b;
        y.merge(a);
        assert_eq!(x, y);
        assert_eq!(
            (x.count, x.first_record, x.first_key.as_deref()),
            (3, 4, Some("b"))
        );
    }
}
