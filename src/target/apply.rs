//! Per record: the source items reshaped into the target's items, and what was
//! converted counted. Nothing here allocates once the buffers have grown to the
//! longest record.

use super::codes::PADDING;
use super::{Plan, Source};
use crate::items::Items;
use crate::layout::{Field, Layout, UnmappedCode};
use crate::record::item_reject;
use crate::reject::Reject;
use std::collections::BTreeMap;

/// Reject code of a value that its item's code table has no line for.
pub const UNMAPPED_CODE: &str = "unmapped-code";

/// Buffers reused from record to record (part of [`crate::record::Scratch`]).
#[derive(Debug, Default)]
pub struct TargetScratch {
    /// The source items after the map stage (when some item needed it).
    pub mapped: Items,
    /// The target items, reshaped (before the target's cleansing).
    pub items: Items,
    /// concat: the joined value.
    joined: String,
    /// The code pairs converted in this record ([`Plan::pair`] indices).
    pub converted: Vec<usize>,
    /// Values kept under `unmapped = "keep"`: (target item, range of `kept_text`).
    pub kept: Vec<(usize, usize, usize)>,
    kept_text: String,
}

impl TargetScratch {
    /// The kept values of this record as (target item, value).
    pub fn kept(&self) -> impl Iterator<Item = (usize, &str)> {
        self.kept
            .iter()
            .map(|&(j, a, b)| (j, &self.kept_text[a..b]))
    }
}

impl Plan {
    /// Reshapes `source` (the source items, mapped) into `s.items`, converting
    /// codes. Err: the reject of a value its table has no line for.
    pub fn reshape(&self, source: &Items, s: &mut TargetScratch) -> Result<(), Reject> {
        s.items.clear();
        s.converted.clear();
        s.kept.clear();
        s.kept_text.clear();
        let fields = &self.layout().fields;
        for (j, it) in self.items.iter().enumerate() {
            let value: &str = match &it.source {
                Source::Item(i) => source.get(*i),
                Source::Const(c) => c,
                Source::Split { item, on, part } => {
                    let v = source.get(*item).trim_matches(PADDING);
                    v.split(&**on).nth(part - 1).unwrap_or("")
                }
                Source::Concat { items, separator } => {
                    s.joined.clear();
                    for &i in items {
                        let part = source.get(i).trim_matches(PADDING);
                        if part.is_empty() {
                            continue;
                        }
                        if !s.joined.is_empty() {
                            s.joined.push_str(separator);
                        }
                        s.joined.push_str(part);
                    }
                    &s.joined
                }
            };
            let empty = value.trim_matches(PADDING).is_empty();
            let value = match (&it.default, empty) {
                (Some(d), true) => d,
                _ => value,
            };
            let value = match it.table {
                // An empty value (and a default) is a target value: not looked up.
                Some(t) if !empty => match self.tables[t].lookup(value) {
                    Some(k) => {
                        s.converted.push(self.pair(t, k));
                        self.tables[t].new_code(k)
                    }
                    None if it.unmapped == UnmappedCode::Keep => {
                        let a = s.kept_text.len();
                        s.kept_text.push_str(value.trim_matches(PADDING));
                        s.kept.push((j, a, s.kept_text.len()));
                        value
                    }
                    None => return Err(unmapped(&fields[j], &self.tables[t].path, value)),
                },
                _ => value,
            };
            s.items.push(value);
        }
        Ok(())
    }
}

#[cold]
fn unmapped(field: &Field, table: &str, value: &str) -> Reject {
    item_reject(field, UNMAPPED_CODE, || {
        format!(
            "{}: 値「{}」はコード変換表 {table} にありません。変換表に行を加えるか、\
             そのまま書くなら項目に unmapped = \"keep\" を指定してください",
            field.name,
            value.trim_matches(PADDING)
        )
    })
}

/// fixed targets: a value is at most `length` bytes of UTF-8.
#[inline]
pub fn check_bytes(field: &Field, value: &str) -> Result<(), Reject> {
    match field.length {
        Some(max) if value.len() > max => Err(too_many_bytes(field, value.len(), max)),
        _ => Ok(()),
    }
}

#[cold]
fn too_many_bytes(field: &Field, n: usize, max: usize) -> Reject {
    item_reject(field, "too-long", || {
        format!(
            "{}: UTF-8 で{n}バイトあり、上限の{max}バイトを超えています",
            field.name
        )
    })
}

/// Writes one fixed-length record of `layout` (a target: every item has an
/// offset and a length, checked by [`crate::target::apply::check_bytes`]) in
/// UTF-8: each item at its offset, left-aligned and padded with spaces, as are
/// the bytes no item covers; then CRLF when the layout has `newline`.
pub fn fixed_line(out: &mut Vec<u8>, layout: &Layout, order: &[usize], items: &Items) {
    let start = out.len();
    for &j in order {
        let f = &layout.fields[j];
        let at = start + f.offset.unwrap_or(0);
        if out.len() < at {
            out.resize(at, b' ');
        }
        let v = items.get(j).as_bytes();
        out.extend_from_slice(v);
        let end = at + f.length.unwrap_or(v.len()).max(v.len());
        if out.len() < end {
            out.resize(end, b' ');
        }
    }
    let end = start + layout.record_length.unwrap_or(0);
    if out.len() < end {
        out.resize(end, b' ');
    }
    if layout.newline {
        out.extend_from_slice(b"\r\n");
    }
}

impl Plan {
    /// fixed targets: item indices in offset order (for [`fixed_line`]).
    pub fn fixed_order(&self) -> &[usize] {
        &self.order
    }
}

/// What a run converted: per (table, line) pair, and the values kept under
/// `unmapped = "keep"` per target item.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CodeCounts {
    /// By [`Plan::pair`] index (empty until the first conversion).
    pub pairs: Vec<u64>,
    /// Target item → kept value → count.
    pub kept: BTreeMap<usize, BTreeMap<String, u64>>,
}

impl CodeCounts {
    /// Counts one written record's conversions.
    pub fn add(&mut self, s: &TargetScratch) {
        for &p in &s.converted {
            if self.pairs.len() <= p {
                self.pairs.resize(p + 1, 0);
            }
            self.pairs[p] += 1;
        }
        for (j, v) in s.kept() {
            let per = self.kept.entry(j).or_default();
            match per.get_mut(v) {
                Some(n) => *n += 1,
                None => {
                    per.insert(v.to_string(), 1);
                }
            }
        }
    }

    pub fn merge(&mut self, other: &CodeCounts) {
        if self.pairs.len() < other.pairs.len() {
            self.pairs.resize(other.pairs.len(), 0);
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            *a += b;
        }
        for (j, per) in &other.kept {
            let mine = self.kept.entry(*j).or_default();
            for (v, n) in per {
                *mine.entry(v.clone()).or_default() += n;
            }
        }
    }

    /// The manifest's `code_conversions`: every pair converted at least once, in
    /// target item order then table line order; then each item's kept values
    /// (their value shown only when the item is not sensitive).
    pub fn entries(&self, plan: &Plan) -> Vec<crate::manifest::CodeConversionEntry> {
        let mut out = Vec::new();
        for (j, it) in plan.items.iter().enumerate() {
            let field = &plan.layout().fields[j];
            if let Some(t) = it.table {
                let table = &plan.tables[t];
                for (k, line) in table.lines.iter().enumerate() {
                    let count = self.pairs.get(plan.base[t] + k).copied().unwrap_or(0);
                    if count > 0 {
                        out.push(crate::manifest::CodeConversionEntry {
                            item: field.name.clone(),
                            table: table.path.clone(),
                            line: line.line,
                            old: Some(line.old.clone()),
                            new: Some(line.new.clone()),
                            count,
                            kept: false,
                        });
                    }
                }
            }
            if let Some(per) = self.kept.get(&j) {
                let table = it.table.map(|t| plan.tables[t].path.clone()).unwrap_or_default();
                if field.sensitive {
                    out.push(crate::manifest::CodeConversionEntry {
                        item: field.name.clone(),
                        table,
                        line: 0,
                        old: None,
                        new: None,
                        count: per.values().sum(),
                        kept: true,
                    });
                    continue;
                }
                for (v, &count) in per {
                    out.push(crate::manifest::CodeConversionEntry {
                        item: field.name.clone(),
                        table: table.clone(),
                        line: 0,
                        old: Some(v.clone()),
                        new: Some(v.clone()),
                        count,
                        kept: true,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_line_pads_items_and_gaps_with_spaces() {
        let layout = crate::layout::parse(
            "name = \"f\"\nformat = \"fixed\"\nrecord_length = 12\nnewline = true\n\
             [[fields]]\nname = \"b\"\noffset = 6\nlength = 3\n\
             [[fields]]\nname = \"a\"\noffset = 0\nlength = 4\n"
                .as_bytes(),
            "f",
        )
        .unwrap();
        let mut items = Items::default();
        items.push("xy");
        items.push("山");
        let mut out = b"prev".to_vec();
        fixed_line(&mut out, &layout, &[1, 0], &items);
        assert_eq!(out, "prev山   xy    \r\n".as_bytes());
        assert_eq!(out.len() - 4, 12 + 2);
    }
}
