//! Record types (`[[records]]`): a header, data and a trailer told apart by an
//! item, each with its own items. Checked here when the layout is read; the
//! records are classified and the trailer checked in [`crate::records`].

use super::{FieldType, Format, Layout, RecordKind};

/// A type name is part of an output file name (`<stem>.<type>.csv`).
fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        return Some("is empty");
    }
    if name == "rejects" {
        return Some("is kept for the reject file (<stem>.rejects.csv)");
    }
    let ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    (!ok).then_some("may hold only letters, digits, '-' and '_' (it names an output file)")
}

/// The item types a count or a sum can be read from.
fn is_numeric(kind: FieldType) -> bool {
    matches!(
        kind,
        FieldType::Digits
            | FieldType::Number
            | FieldType::Packed
            | FieldType::Zoned
            | FieldType::Binary
    )
}

impl Layout {
    /// The flat layout of record type `i`: this layout's format with that
    /// type's items (the layout a record of that type is read with).
    pub fn record_layout(&self, i: usize) -> Option<Layout> {
        let rt = self.records.get(i)?;
        Some(Layout {
            fields: rt.fields.clone(),
            records: Vec::new(),
            ..self.clone()
        })
    }

    /// The data types a `count_of` or `sum_of` names: the data type of that
    /// name, or every data type for `"data"` when no type is named so. None: it
    /// names no data type.
    pub fn data_types_named(&self, name: &str) -> Option<Vec<usize>> {
        if let Some(i) = self.records.iter().position(|r| r.name == name) {
            return (self.records[i].kind() == RecordKind::Data).then(|| vec![i]);
        }
        (name == "data").then(|| {
            (0..self.records.len())
                .filter(|&i| self.records[i].kind() == RecordKind::Data)
                .collect()
        })
    }

    /// Checks a layout with `[[records]]`, fills each fixed type's `when` with
    /// its position, and sets `fields` to the data types' items.
    pub(super) fn check_records(&mut self) -> Result<(), String> {
        if !self.fields.is_empty() {
            return Err(
                "a layout with [[records]] gives each record type its own fields: move the \
                 top-level [[fields]] into a [[records]] entry (records.fields)"
                    .into(),
            );
        }
        let mut names = std::collections::HashSet::new();
        let mut per_kind = [0usize; 3];
        for (i, rt) in self.records.iter().enumerate() {
            let at = format!("[[records]] {} ({:?})", i + 1, rt.name);
            if let Some(p) = name_problem(&rt.name) {
                return Err(format!("{at}: the type name {p}"));
            }
            if !names.insert(rt.name.as_str()) {
                return Err(format!("{at}: the type name is used twice"));
            }
            per_kind[rt.kind() as usize] += 1;
        }
        if per_kind[RecordKind::Data as usize] == 0 {
            return Err("[[records]] declares no data type (kind = \"data\")".into());
        }
        for kind in [RecordKind::Header, RecordKind::Trailer] {
            if per_kind[kind as usize] > 1 {
                return Err(format!(
                    "[[records]] declares {} {} types; a file has at most one {0}",
                    per_kind[kind as usize],
                    kind.as_str()
                ));
            }
        }
        // Each type's items are checked as a flat layout's.
        for i in 0..self.records.len() {
            let name = self.records[i].name.clone();
            let mut flat = self.record_layout(i).ok_or("no such record type")?;
            flat.fill_number_lengths();
            flat.check()
                .map_err(|e| format!("record type {name:?}: {e}"))?;
            self.records[i].fields = flat.fields;
            self.check_when(i)?;
        }
        // (position, value, type name) of each type's `when`.
        type Told<'a> = (Option<(usize, usize)>, &'a str, &'a str);
        let mut seen: Vec<Told> = Vec::new();
        for rt in &self.records {
            let place = rt.when.offset.zip(rt.when.length);
            if let Some((_, _, other)) = seen
                .iter()
                .find(|(p, eq, _)| *p == place && *eq == rt.when.equals)
            {
                return Err(format!(
                    "record types {other:?} and {:?} are both chosen by {:?}: give each its own value",
                    rt.name, rt.when.equals
                ));
            }
            seen.push((place, rt.when.equals.as_str(), rt.name.as_str()));
        }
        for i in 0..self.records.len() {
            self.check_totals(i)?;
        }
        // The data items, each name once: the names per-item counts use.
        let mut union: Vec<super::Field> = Vec::new();
        for rt in self.records.iter().filter(|r| r.kind() == RecordKind::Data) {
            for f in &rt.fields {
                if !union.iter().any(|u| u.name == f.name) {
                    union.push(f.clone());
                }
            }
        }
        self.fields = union;
        Ok(())
    }

    /// A type's `when`: CSV by the first item; fixed by an item or by bytes.
    fn check_when(&mut self, i: usize) -> Result<(), String> {
        let format = self.format;
        let record_length = self.record_length.unwrap_or(0);
        let rt = &mut self.records[i];
        let at = format!("record type {:?}: when", rt.name);
        if rt.when.equals.is_empty() {
            return Err(format!(
                "{at}: equals is empty; give the value that marks this type (e.g. equals = \"1\")"
            ));
        }
        let w = &mut rt.when;
        match format {
            Format::Csv => {
                if w.offset.is_some() || w.length.is_some() {
                    return Err(format!(
                        "{at}: a CSV record type is told by its first item; give when.item (or nothing), not offset/length"
                    ));
                }
                if let Some(item) = &w.item
                    && rt.fields.first().is_none_or(|f| &f.name != item)
                {
                    return Err(format!(
                        "{at}: item {item:?} must be the type's first item (a CSV record type is told by its first item)"
                    ));
                }
            }
            Format::Fixed => match (&w.item, w.offset, w.length) {
                (Some(item), None, None) => {
                    let f = rt
                        .fields
                        .iter()
                        .find(|f| &f.name == item)
                        .ok_or_else(|| format!("{at}: the type has no item {item:?}"))?;
                    if f.number_length().is_some() {
                        return Err(format!(
                            "{at}: item {item:?} is a {} number; the type is told by text (give a text, digits or code item)",
                            f.kind.as_str()
                        ));
                    }
                    w.offset = f.offset;
                    w.length = f.length;
                }
                (None, Some(off), Some(len)) => {
                    if len == 0 || off.checked_add(len).is_none_or(|end| end > record_length) {
                        return Err(format!(
                            "{at}: bytes {off}+{len} are not inside record_length {record_length}"
                        ));
                    }
                }
                _ => {
                    return Err(format!(
                        "{at}: a fixed record type is told by when.item, or by when.offset and when.length (not both)"
                    ));
                }
            },
        }
        Ok(())
    }

    /// `count_of` / `sum_of` items: in a header or trailer, numeric, naming
    /// data types and (for a sum) a numeric item each of them has.
    fn check_totals(&self, i: usize) -> Result<(), String> {
        let rt = &self.records[i];
        for f in &rt.fields {
            if f.count_of.is_none() && f.sum_of.is_none() {
                continue;
            }
            let at = format!("record type {:?}, item {:?}", rt.name, f.name);
            if rt.kind() == RecordKind::Data {
                return Err(format!(
                    "{at}: count_of and sum_of belong in a header or trailer type, not a data type"
                ));
            }
            if f.count_of.is_some() && f.sum_of.is_some() {
                return Err(format!("{at}: give count_of or sum_of, not both"));
            }
            if !is_numeric(f.kind) {
                return Err(format!(
                    "{at}: a count or sum is read as a number: give the item type \"digits\", \"number\", \"packed\", \"zoned\" or \"binary\", not {:?}",
                    f.kind.as_str()
                ));
            }
            let named = f
                .count_of
                .as_deref()
                .or(f.sum_of.as_ref().map(|s| s.of_type.as_str()))
                .unwrap_or_default();
            let types = self.data_types_named(named).ok_or_else(|| {
                format!("{at}: {named:?} is not a data record type (nor \"data\" for all of them)")
            })?;
            if let Some(sum) = &f.sum_of {
                for t in types {
                    let dt = &self.records[t];
                    let item = dt
                        .fields
                        .iter()
                        .find(|d| d.name == sum.item)
                        .ok_or_else(|| {
                            format!(
                                "{at}: sum_of: data type {:?} has no item {:?}",
                                dt.name, sum.item
                            )
                        })?;
                    if !is_numeric(item.kind) {
                        return Err(format!(
                            "{at}: sum_of: item {:?} of type {:?} is {:?}, which is not summed (digits, number, packed, zoned or binary)",
                            sum.item,
                            dt.name,
                            item.kind.as_str()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    pub const CSV: &str = r#"
name = "r"
format = "csv"
[[records]]
type = "header"
when = { item = "区分", equals = "1" }
fields = [{ name = "区分" }, { name = "作成日", type = "date", date = "seireki" }]
[[records]]
type = "data"
when = { item = "区分", equals = "2" }
fields = [{ name = "区分" }, { name = "宛名番号", type = "digits", key = true }, { name = "税額", type = "number" }]
[[records]]
type = "trailer"
when = { item = "区分", equals = "9" }
fields = [
  { name = "区分" },
  { name = "件数", type = "digits", count_of = "data" },
  { name = "税額合計", type = "number", sum_of = { type = "data", item = "税額" } },
]
"#;

    fn err(text: &str) -> String {
        parse(text.as_bytes(), "r").unwrap_err().to_string()
    }

    #[test]
    fn record_types_parse_with_kinds_and_the_data_items_as_fields() {
        let l = parse(CSV.as_bytes(), "r").unwrap();
        let kinds: Vec<_> = l.records.iter().map(|r| r.kind()).collect();
        assert_eq!(
            kinds,
            [RecordKind::Header, RecordKind::Data, RecordKind::Trailer]
        );
        let names: Vec<_> = l.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["区分", "宛名番号", "税額"]);
        assert_eq!(l.data_types_named("data"), Some(vec![1]));
        assert_eq!(l.data_types_named("header"), None);
    }

    #[test]
    fn record_type_mistakes_are_named() {
        for (from, to, want) in [
            ("type = \"data\"", "type = \"header\"", "used twice"),
            ("type = \"data\"", "type = \"a.b\"", "letters"),
            (
                "type = \"data\"",
                "type = \"x\"\nkind = \"header\"",
                "no data type",
            ),
            (
                "count_of = \"data\"",
                "count_of = \"header\"",
                "not a data record type",
            ),
            ("item = \"税額\" }", "item = \"宛名\" }", "no item \"宛名\""),
            ("equals = \"9\"", "equals = \"2\"", "both chosen"),
            (
                "{ item = \"区分\", equals = \"2\" }",
                "{ item = \"税額\", equals = \"2\" }",
                "first item",
            ),
            (
                "\"件数\", type = \"digits\"",
                "\"件数\", type = \"text\"",
                "read as a number",
            ),
            (
                "{ name = \"税額\", type = \"number\" }",
                "{ name = \"税額\", type = \"number\", count_of = \"data\" }",
                "not a data type",
            ),
        ] {
            assert!(CSV.contains(from), "{from}");
            let e = err(&CSV.replacen(from, to, 1));
            assert!(e.contains(want), "{from} → {to}: {e}");
        }
        let e = err(&CSV.replace(
            "format = \"csv\"",
            "format = \"csv\"\n[[fields]]\nname = \"a\"",
        ));
        assert!(e.contains("records.fields"), "{e}");
        // A type's own items are checked as a flat layout's.
        let e = err(&CSV.replace("type = \"date\", date = \"seireki\"", "type = \"date\""));
        assert!(
            e.contains("record type \"header\"") && e.contains("seireki"),
            "{e}"
        );
    }

    const FIXED: &str = r#"
name = "f"
format = "fixed"
record_length = 10
[[records]]
type = "data"
when = { item = "区分", equals = "2" }
fields = [{ name = "区分", offset = 0, length = 1 }, { name = "金額", offset = 1, length = 9, type = "digits" }]
[[records]]
type = "trailer"
when = { offset = 0, length = 1, equals = "9" }
fields = [{ name = "件数", offset = 1, length = 9, type = "digits", count_of = "data" }]
"#;

    #[test]
    fn fixed_types_are_told_by_an_item_or_by_bytes() {
        let l = parse(FIXED.as_bytes(), "f").unwrap();
        assert_eq!(
            (l.records[0].when.offset, l.records[0].when.length),
            (Some(0), Some(1))
        );
        let e = err(&FIXED.replace(
            "offset = 0, length = 1, equals",
            "offset = 9, length = 2, equals",
        ));
        assert!(e.contains("record_length 10"), "{e}");
        let e = err(&FIXED.replace(
            "{ offset = 0, length = 1, equals",
            "{ item = \"x\", offset = 0, length = 1, equals",
        ));
        assert!(e.contains("not both"), "{e}");
        let e = err(&FIXED.replace(
            "length = 9, type = \"digits\", count",
            "length = 10, type = \"digits\", count",
        ));
        assert!(
            e.contains("record type \"trailer\"") && e.contains("record_length 10"),
            "{e}"
        );
    }
}
