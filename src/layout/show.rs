//! Layouts as text for people: the list of bundled layouts, and one layout as a
//! table of its items (`ikou layouts [NAME]`).

use super::{DatePolicy, DateStyle, Field, FieldType, Format, KanaScript, Layout, Recfm, bundled};
use std::fmt::Write;

/// One line per bundled layout: name, version, number of items, title.
/// Err: a bundled layout does not parse (a build defect, named).
pub fn list() -> Result<String, super::LayoutError> {
    let mut rows = vec![[
        "NAME".to_string(),
        "VERSION".into(),
        "ITEMS".into(),
        "TITLE".into(),
    ]];
    for (name, text) in bundled::ALL {
        let l = super::parse(text.as_bytes(), name)?;
        rows.push([
            l.name.clone(),
            l.version.clone(),
            l.fields.len().to_string(),
            l.title.clone(),
        ]);
    }
    let mut out = table(&rows, &[false, false, true, false]);
    out.push_str(
        "\nShow one: ikou layouts NAME    Its TOML, to copy and edit: ikou layouts NAME --toml\n",
    );
    Ok(out)
}

/// A layout for reading: what it is, its note, and one line per item.
pub fn describe(layout: &Layout, origin: &str) -> String {
    let mut out = String::new();
    let title = if layout.title.is_empty() {
        String::new()
    } else {
        format!(" — {}", layout.title)
    };
    let _ = writeln!(out, "{}{title}", layout.name);
    let version = if layout.version.is_empty() {
        "(none)"
    } else {
        &layout.version
    };
    let _ = writeln!(out, "version: {version}    source: {origin}");
    let _ = writeln!(out, "format: {}", format_line(layout));
    if !layout.note.trim().is_empty() {
        let _ = writeln!(out, "note: {}", layout.note.trim());
    }
    if let Some(eras) = &layout.eras {
        let pairs: Vec<String> = eras.iter().map(|(c, e)| format!("{c}={e}")).collect();
        let _ = writeln!(out, "eras: {}", pairs.join(", "));
    }
    out.push('\n');
    let fixed = layout.format == Format::Fixed;
    if layout.records.is_empty() {
        out.push_str(&items_table(&layout.fields, fixed));
    } else {
        out.push_str(&record_types(layout, fixed));
    }
    let _ = writeln!(
        out,
        "\n{} {}items. 桁数: {}.",
        layout.fields.len(),
        if layout.records.is_empty() {
            ""
        } else {
            "data "
        },
        if fixed && layout.is_target() {
            "bytes of UTF-8 as written (1-based positions)"
        } else if fixed {
            "bytes of the source encoding (1-based positions)"
        } else {
            "characters, at most"
        }
    );
    if layout.is_target() {
        out.push_str(&sources(layout));
    }
    out
}

/// One line per item.
fn items_table(fields: &[Field], fixed: bool) -> String {
    let mut rows = vec![[
        "No".to_string(),
        "項目名".into(),
        "型".into(),
        if fixed { "バイト" } else { "桁数" }.into(),
        "必須".into(),
        "その他".into(),
    ]];
    for (i, f) in fields.iter().enumerate() {
        let length = match (f.offset, f.length) {
            (Some(off), Some(n)) if fixed => format!("{}〜{} ({n})", off + 1, off + n),
            (_, Some(n)) => n.to_string(),
            (_, None) => "-".into(),
        };
        rows.push([
            (i + 1).to_string(),
            f.name.clone(),
            type_label(f.kind).into(),
            length,
            if f.required { "○" } else { "" }.into(),
            extras(f),
        ]);
    }
    table(&rows, &[true, false, false, true, false, false])
}

/// Each record type: what tells it, its kind, and its items.
fn record_types(layout: &Layout, fixed: bool) -> String {
    let mut out = String::new();
    for rt in &layout.records {
        let when = match (&rt.when.item, rt.when.offset, rt.when.length) {
            (Some(item), _, _) => format!("{item} = {:?}", rt.when.equals),
            (None, Some(off), Some(n)) => {
                format!("bytes {}〜{} = {:?}", off + 1, off + n, rt.when.equals)
            }
            _ => format!("the first item = {:?}", rt.when.equals),
        };
        let what = match rt.kind() {
            super::RecordKind::Header => "read and checked, not written",
            super::RecordKind::Trailer => "read and checked against the data, not written",
            super::RecordKind::Data => "written",
        };
        let _ = writeln!(
            out,
            "{}record type {} ({}, {what}) when {when}",
            if out.is_empty() { "" } else { "\n" },
            rt.name,
            rt.kind().as_str()
        );
        out.push_str(&items_table(&rt.fields, fixed));
    }
    let data = layout
        .records
        .iter()
        .filter(|r| r.kind() == super::RecordKind::Data)
        .count();
    if data > 1 {
        out.push_str("Each data type is written to its own output: <stem>.<type>.csv.\n");
    }
    out
}

/// `s` in double quotes as written (control characters escaped), naming a
/// value of spaces only, which would not show.
fn quoted(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    let name = match s {
        _ if s.is_empty() => "",
        _ if s.chars().all(|c| c == '\u{3000}') => "（全角空白）",
        _ if s.chars().all(|c| c == ' ') => "（半角空白）",
        _ => "",
    };
    format!("\"{text}\"{name}")
}

/// A target layout (`convert --to`): where each item's value comes from, as a
/// table for review.
fn sources(layout: &Layout) -> String {
    let mut rows = vec![[
        "No".to_string(),
        "項目名".into(),
        "元の項目".into(),
        "規則".into(),
        "コード変換".into(),
        "空のとき".into(),
    ]];
    for (i, f) in layout.fields.iter().enumerate() {
        let (from, rule) = if let Some(c) = &f.constant {
            ("-".to_string(), format!("const {}", quoted(c)))
        } else if let Some(items) = &f.concat {
            (
                items.join(" + "),
                format!(
                    "concat（区切り {}）",
                    quoted(f.separator.as_deref().unwrap_or(""))
                ),
            )
        } else if let Some(sp) = &f.split {
            (
                sp.from.clone(),
                format!("split {} で分けた{}番目", quoted(&sp.on), sp.part),
            )
        } else {
            let from = f.from.as_deref().unwrap_or(&f.name).to_string();
            (from, "そのまま".into())
        };
        let codes = match (&f.codes_table, f.unmapped) {
            (Some(t), Some(super::UnmappedCode::Keep)) => format!("{t}（表にない値はそのまま）"),
            (Some(t), _) => format!("{t}（表にない値は不正レコード）"),
            (None, _) => String::new(),
        };
        let default = f.default.as_ref().map_or_else(String::new, |d| quoted(d));
        rows.push([
            (i + 1).to_string(),
            f.name.clone(),
            from,
            rule,
            codes,
            default,
        ]);
    }
    let mut out = String::from(
        "\nTarget layout (convert --to): where each item's value comes from. \
         コード変換 paths are relative to the layout file.\n\n",
    );
    out.push_str(&table(&rows, &[true, false, false, false, false, false]));
    out
}

fn format_line(l: &Layout) -> String {
    match l.format {
        Format::Csv => format!(
            "csv (delimiter {:?}, quote {:?}, header line: {})",
            l.delimiter,
            l.quote,
            if l.header { "yes" } else { "no" }
        ),
        Format::Fixed if l.recfm == Some(Recfm::Vb) => format!(
            "fixed, RECFM=VB (each record after a 4-byte record descriptor word; \
             bodies of at most {} bytes)",
            l.record_length.unwrap_or(0)
        ),
        Format::Fixed => format!(
            "fixed ({} bytes per record, {})",
            l.record_length.unwrap_or(0),
            if l.newline {
                "each followed by a line end"
            } else {
                "no line ends"
            }
        ),
    }
}

fn type_label(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "文字 text",
        FieldType::Kana => "カナ kana",
        FieldType::Digits => "数字 digits",
        FieldType::Number => "数値 number",
        FieldType::Date => "日付 date",
        FieldType::Code => "コード code",
        FieldType::Packed => "パック10進 packed",
        FieldType::Zoned => "ゾーン10進 zoned",
        FieldType::Binary => "2進 binary",
    }
}

fn extras(f: &Field) -> String {
    let mut parts = Vec::new();
    if f.key {
        parts.push("key（報告で記録を示す）".to_string());
    }
    if f.sensitive {
        parts.push("sensitive（どこにも表示しない）".to_string());
    }
    match f.date {
        Some(DateStyle::Seireki) => parts.push("西暦 YYYYMMDD".into()),
        Some(DateStyle::Wareki) => parts.push("和暦 年号コード+YYMMDD".into()),
        None => {}
    }
    if f.date_policy == Some(DatePolicy::Keep) {
        parts.push("date_policy keep（存在しない日付・不詳を保持）".into());
    }
    if f.kana == Some(KanaScript::Hiragana) {
        parts.push("ひらがな".into());
    }
    if let Some(d) = f.number_length().and(f.digits) {
        match f.scale.unwrap_or(0) {
            0 => parts.push(format!("{d}桁")),
            s => parts.push(format!("{d}桁（うち小数{s}桁）")),
        }
    }
    if f.dbcs {
        parts.push("dbcs（シフトコードのない2バイト文字）".into());
    }
    if !f.codes.is_empty() {
        parts.push(format!("codes: {}", f.codes.join(", ")));
    }
    if let Some(of) = &f.count_of {
        parts.push(format!("count_of {of}（件数を検査）"));
    }
    if let Some(sum) = &f.sum_of {
        parts.push(format!("sum_of {}.{}（合計を検査）", sum.of_type, sum.item));
    }
    parts.join("; ")
}

/// Columns padded to the widest cell (see [`crate::columns`]). `right[i]`:
/// right-align column i.
fn table<const N: usize>(rows: &[[String; N]], right: &[bool; N]) -> String {
    let rows: Vec<&[String]> = rows.iter().map(|r| r.as_slice()).collect();
    let mut out = String::new();
    crate::columns::aligned(&mut out, &rows, |i| right[i], "");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_bundled_layout_with_its_item_count() {
        let text = list().unwrap();
        for (name, toml) in bundled::ALL {
            let l = super::super::parse(toml.as_bytes(), name).unwrap();
            let line = text
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cells[1], l.version);
            assert_eq!(cells[2], l.fields.len().to_string());
            assert!(line.ends_with(&l.title), "{line}");
        }
    }

    #[test]
    fn wide_characters_are_two_columns() {
        let t = table(
            &[
                ["番号".to_string(), "x".into()],
                ["1".to_string(), "y".into()],
            ],
            &[true, false],
        );
        assert_eq!(t, "番号  x\n   1  y\n");
    }

    #[test]
    fn mainframe_items_and_date_policy_are_shown() {
        let l = super::super::parse(
            r#"
name = "m"
format = "fixed"
record_length = 20
recfm = "vb"
[[fields]]
name = "税額"
type = "zoned"
offset = 0
digits = 7
scale = 2
[[fields]]
name = "氏名"
offset = 7
length = 6
dbcs = true
[[fields]]
name = "生年月日"
type = "date"
date = "seireki"
date_policy = "keep"
offset = 13
length = 7
"#
            .as_bytes(),
            "m.toml",
        )
        .unwrap();
        let text = describe(&l, "m.toml");
        for want in ["RECFM=VB", "7桁（うち小数2桁）", "dbcs", "date_policy keep"] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }

    #[test]
    fn a_fixed_layout_shows_byte_positions() {
        let l = super::super::parse(
            r#"
name = "f"
title = "T"
format = "fixed"
record_length = 10
[[fields]]
name = "番号"
type = "digits"
offset = 0
length = 4
key = true
[[fields]]
name = "生年月日"
type = "date"
date = "wareki"
offset = 4
length = 6
"#
            .as_bytes(),
            "f.toml",
        )
        .unwrap();
        let text = describe(&l, "f.toml");
        assert!(text.starts_with("f — T\n"), "{text}");
        assert!(text.contains("10 bytes per record"), "{text}");
        assert!(
            text.contains("1〜4 (4)") && text.contains("5〜10 (6)"),
            "{text}"
        );
        assert!(text.contains("和暦") && text.contains("key"), "{text}");
    }
}
