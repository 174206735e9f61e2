//! The profile as text: the table on stdout, and the 外字 work list.

use super::{GaijiFound, Profile, Where};
use crate::decode::Encoding;
use crate::gaiji::table::parse_source;
use std::collections::HashSet;
use std::fmt::Write;

/// Rows of cells as aligned columns (numbers right-aligned), two spaces apart.
fn columns(out: &mut String, head: &[&str], rows: &[Vec<String>], numeric: &[usize]) {
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    let all: Vec<&[String]> = std::iter::once(head.as_slice())
        .chain(rows.iter().map(Vec::as_slice))
        .collect();
    crate::columns::aligned(out, &all, |i| numeric.contains(&i), "  ");
}

/// `juki_kojin.csv:3 (000000000000003)`: file, record and key of the first occurrence.
fn first(p: &Profile, w: &Where) -> String {
    let name = p
        .inputs
        .get(w.file)
        .map(|i| file_name(&i.path))
        .unwrap_or_default();
    match &w.first_key {
        Some(k) => format!("{name}:{} ({})", w.first_record, printable(k)),
        None => format!("{name}:{}", w.first_record),
    }
}

/// The text of `U+845B U+E0102`.
fn glyph_of(code_points: &str) -> String {
    code_points
        .split(' ')
        .filter_map(|u| u.strip_prefix("U+"))
        .filter_map(|h| u32::from_str_radix(h, 16).ok())
        .filter_map(char::from_u32)
        .collect()
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// A key value safe to print on a terminal or into a table line: no control
/// characters (a TAB or a line end would break the work list).
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

pub(super) fn table(p: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "ikou profile: {} ({}), {} file{}, {} records; convert would reject {}",
        p.layout,
        p.encoding,
        p.inputs.len(),
        if p.inputs.len() == 1 { "" } else { "s" },
        p.records,
        p.would_reject
    );
    for i in &p.inputs {
        // Header and trailer records (record types): checked by convert, not written.
        let control = match i.control_records {
            0 => String::new(),
            n => format!(", {n} header/trailer"),
        };
        let _ = writeln!(
            out,
            "  {}: {} records ({} would be rejected{control}), {} bytes, sha256 {}",
            i.path, i.records, i.would_reject, i.bytes, i.sha256
        );
    }

    let unmapped = p.gaiji.iter().filter(|g| g.status != "mapped").count();
    let occurrences: u64 = p.gaiji.iter().map(|g| g.seen.count).sum();
    let _ = writeln!(
        out,
        "\n外字 (user-defined codes): {} distinct, {} occurrences, {} not mapped by a table",
        p.gaiji.len(),
        occurrences,
        unmapped
    );
    if !p.gaiji.is_empty() {
        let rows: Vec<Vec<String>> = p
            .gaiji
            .iter()
            .map(|g| {
                vec![
                    g.source.clone(),
                    g.bytes.clone().unwrap_or_default(),
                    g.seen.count.to_string(),
                    first(p, &g.seen),
                    match g.status {
                        "mapped" => g.mj.clone().unwrap_or_else(|| "(code points)".into()),
                        s => s.to_string(),
                    },
                    g.output
                        .as_ref()
                        .map(|o| format!("{} {o}", glyph_of(o)))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        columns(
            &mut out,
            &[
                "code",
                "bytes",
                "count",
                "first (file:record (key))",
                "MJ",
                "convert writes",
            ],
            &rows,
            &[2],
        );
    }

    let _ = writeln!(
        out,
        "\nOther characters outside JIS X 0208: {} distinct",
        p.non_jis.len()
    );
    if !p.non_jis.is_empty() {
        let rows: Vec<Vec<String>> = p
            .non_jis
            .iter()
            .map(|c| {
                vec![
                    c.code.clone(),
                    c.char.clone(),
                    if c.set == "jisx0213" {
                        "JIS X 0213 only".into()
                    } else {
                        "neither".into()
                    },
                    c.seen.count.to_string(),
                    first(p, &c.seen),
                    c.converted
                        .as_ref()
                        .map(|o| format!("{} {o}", glyph_of(o)))
                        .unwrap_or_else(|| "(as is)".into()),
                ]
            })
            .collect();
        columns(
            &mut out,
            &[
                "code",
                "char",
                "set",
                "count",
                "first (file:record (key))",
                "convert writes",
            ],
            &rows,
            &[3],
        );
    }

    // --- MJ+ (--charset) ---
    if p.charset != "any" {
        let _ = writeln!(
            out,
            "\nNonstandard characters (outside --charset {}; their records follow --unmapped): {} distinct",
            p.charset,
            p.nonstandard.len()
        );
    }
    if !p.nonstandard.is_empty() {
        let rows: Vec<Vec<String>> = p
            .nonstandard
            .iter()
            .map(|n| {
                vec![
                    n.item.clone(),
                    n.code.clone(),
                    printable(&n.char),
                    n.seen.count.to_string(),
                    first(p, &n.seen),
                ]
            })
            .collect();
        columns(
            &mut out,
            &["item", "code", "char", "count", "first (file:record (key))"],
            &rows,
            &[3],
        );
    }

    let _ = writeln!(
        out,
        "\nDefects (what convert would reject a record for; each item on its own): {}",
        p.defects.len()
    );
    if !p.defects.is_empty() {
        let rows: Vec<Vec<String>> = p
            .defects
            .iter()
            .map(|d| {
                vec![
                    d.item.clone().unwrap_or_else(|| "(record)".into()),
                    d.reason.to_string(),
                    d.seen.count.to_string(),
                    first(p, &d.seen),
                    d.label.to_string(),
                ]
            })
            .collect();
        columns(
            &mut out,
            &[
                "item",
                "reason",
                "count",
                "first (file:record (key))",
                "理由",
            ],
            &rows,
            &[2],
        );
    }

    let _ = writeln!(
        out,
        "\nCleansing changes (in the records convert would write): {}",
        p.changes.len()
    );
    if !p.changes.is_empty() {
        let rows: Vec<Vec<String>> = p
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.item.clone(),
                    c.rule.clone(),
                    c.count.to_string(),
                    c.label.clone(),
                ]
            })
            .collect();
        columns(&mut out, &["item", "rule", "count", "規則"], &rows, &[2]);
    }
    out
}

pub(super) fn worklist(p: &Profile) -> String {
    let mut out = String::new();
    let inputs: Vec<&str> = p.inputs.iter().map(|i| i.path.as_str()).collect();
    let _ = writeln!(
        out,
        "# 外字作業リスト（文字同定用の外字対応表のひな形）。ikou profile が作成。\n\
         # 入力: {}（{}）  レイアウト: {}\n\
         # 外字対応表にない外字: {}種類。各行の target（2列目）に、その外字に当たる MJ文字図形名（MJ012345）、\n\
         # 住基ネット統一文字コード（J+XXXX）、戸籍統一文字番号（KOSEKI:123450）、または文字のコードポイント\n\
         # （U+XXXX）を書いてください。target が空の行があるうちは、ikou convert --gaiji はこの表を\n\
         # 受け付けません（その行の番号を示して止まります）。3列目は目安のメモです（件数と最初に現れた\n\
         # レコード: ファイル:レコード番号 (キー項目)）。",
        inputs.join(", "),
        p.encoding,
        p.layout,
        p.gaiji.iter().filter(|g| g.status == "unmapped").count(),
    );
    out.push_str("source\ttarget\tnote\n");
    for g in p.gaiji.iter().filter(|g| g.status == "unmapped") {
        out.push_str(&worklist_line(p, g));
        out.push('\n');
    }
    out
}

/// The work-list line of one unmapped 外字 (without its line end).
fn worklist_line(p: &Profile, g: &GaijiFound) -> String {
    let mut note = String::new();
    if let Some(b) = &g.bytes {
        let _ = write!(note, "{b} ");
    }
    let _ = write!(note, "{}件 最初: {}", g.seen.count, first(p, &g.seen));
    format!("{}\t\t{}", g.source, note)
}

/// What merging a work list into an existing one gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedWorklist {
    pub text: String,
    /// Lines of the existing file, kept verbatim.
    pub kept: usize,
    /// Lines appended: the unmapped 外字 no line of the file names as its source.
    pub added: usize,
}

/// `existing` (a work list or table being filled in) with a line appended for
/// each unmapped 外字 it does not list as a source. Its own lines stay as they are,
/// filled-in targets included; a source is recognised however it is written
/// (`U+E000`, `0xF040` in `encoding`, `!U+E000`). An empty file gets the whole
/// work list.
pub(super) fn merge_worklist(p: &Profile, existing: &str, encoding: Encoding) -> MergedWorklist {
    let body = existing.strip_prefix('\u{FEFF}').unwrap_or(existing);
    if body.trim().is_empty() {
        let text = worklist(p);
        let added = p.gaiji.iter().filter(|g| g.status == "unmapped").count();
        return MergedWorklist {
            text,
            kept: 0,
            added,
        };
    }
    let listed: HashSet<char> = body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let src = l.split('\t').next().unwrap_or("").trim();
            let src = src.strip_prefix('!').unwrap_or(src);
            parse_source(src, encoding).ok()
        })
        .collect();
    // Appended lines end as the file's lines do.
    let eol = if existing.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut text = existing.to_string();
    if !text.ends_with('\n') {
        text.push_str(eol);
    }
    let mut added = 0;
    for g in p.gaiji.iter().filter(|g| g.status == "unmapped") {
        let new = parse_source(&g.source, encoding).map_or(true, |c| !listed.contains(&c));
        if new {
            text.push_str(&worklist_line(p, g));
            text.push_str(eol);
            added += 1;
        }
    }
    MergedWorklist {
        text,
        kept: existing.lines().count(),
        added,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut out = String::new();
        columns(
            &mut out,
            &["a", "n", "b"],
            &[
                vec!["外字".into(), "1".into(), "x".into()],
                vec!["x".into(), "100".into(), "y".into()],
            ],
            &[1],
        );
        assert_eq!(out, "  a       n  b\n  外字    1  x\n  x     100  y\n");
    }

    fn profile_with_unmapped(sources: &[&str]) -> Profile {
        Profile {
            tool: crate::manifest::Tool::this(),
            layout: "l.toml".into(),
            encoding: "cp932".into(),
            inputs: vec![],
            tables: vec![],
            records: 0,
            would_reject: 0,
            gaiji: sources
                .iter()
                .map(|s| GaijiFound {
                    source: s.to_string(),
                    bytes: None,
                    seen: Where {
                        count: 1,
                        file: 0,
                        first_record: 1,
                        first_key: None,
                    },
                    status: "unmapped",
                    mj: None,
                    output: None,
                    table: None,
                })
                .collect(),
            non_jis: vec![],
            defects: vec![],
            changes: vec![],
            warnings: vec![],
            charset: "mj+",
            nonstandard: vec![],
        }
    }

    #[test]
    fn merging_keeps_every_line_and_adds_what_is_not_listed() {
        let p = profile_with_unmapped(&["U+E000", "U+E001", "U+E002", "U+E003"]);
        // A BOM, CRLF lines, a filled line, a `!` line, a byte source, no final line end.
        let old = "\u{FEFF}# mine\r\nU+E000\tMJ000001\r\n!U+E001\tMJ000002\r\n0xF042\t\tnote";
        let m = merge_worklist(&p, old, Encoding::Cp932);
        assert_eq!((m.kept, m.added), (4, 1));
        assert!(m.text.starts_with(old), "{:?}", m.text);
        assert_eq!(&m.text[old.len()..], "\r\nU+E003\t\t1件 最初: :1\r\n");
        // An empty file gets the whole work list.
        let m = merge_worklist(&p, "\n", Encoding::Cp932);
        assert_eq!((m.kept, m.added), (0, 4));
        assert_eq!(m.text, worklist(&p));
    }

    #[test]
    fn keys_cannot_break_a_line() {
        assert_eq!(printable("a\tb\nc"), "a\u{FFFD}b\u{FFFD}c");
    }
}
