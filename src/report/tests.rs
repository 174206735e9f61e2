use super::*;
use crate::convert::FileResult;
use crate::decode::Encoding;
use crate::gaiji::{MapOptions, TableSource};
use crate::output::Written;
use crate::split::StreamInfo;
use crate::tally::Tally;

const LAYOUT: &str = r#"
name = "t"
title = "テスト"
format = "csv"
[[fields]]
name = "宛名番号"
key = true
[[fields]]
name = "氏名"
[[fields]]
name = "個人番号"
sensitive = true
"#;

const MANIFEST: &str = r#"{
  "tool": {"name": "ikou", "version": "0.0.0"},
  "options": {"layout": "t.toml", "encoding": "cp932", "extra": {"ivs": "keep"}},
  "inputs": [{"path": "in/a.csv", "sha256": "aa11", "bytes": 10, "records": 3, "written": 2,
              "rejected": 1, "output": "a.csv", "rejects": "a.rejects.csv"}],
  "outputs": [{"path": "a.csv", "sha256": "bb22", "bytes": 5, "records": 2}],
  "rejects": [{"path": "a.rejects.csv", "sha256": "cc33", "bytes": 5, "records": 1}],
  "tables": [{"kind": "layout", "path": "t.toml", "sha256": "dd44"}],
  "counts": {"read": 3, "written": 2, "rejected": 1},
  "reject_reasons": [{"code": "unmapped-gaiji", "item": "氏名", "count": 1,
                      "first_records": [{"file": 0, "record": 3}]}],
  "cleansing": [{"item": "氏名", "rule": "trim-trailing-space", "label": "末尾の半角空白を除去", "count": 2}]
}"#;

struct Fixture {
    manifest: Manifest,
    files: Vec<FileResult>,
    layout: Layout,
    mapper: Mapper,
}

impl Fixture {
    /// A run whose table maps U+E001 to MJ022335 (葛 with an IVS), met in
    /// record 2 (key `key`), and which met the unmapped U+E002 in record 3.
    fn new(key: &str) -> Fixture {
        let table = TableSource {
            path: "g.tsv".into(),
            text: "U+E000\tMJ000001\nU+E001\tMJ022335\n".into(),
            sha256: String::new(),
        };
        let mapper = Mapper::new(&[table], Encoding::Cp932, MapOptions::default()).unwrap();
        let idx = mapper
            .mappings()
            .iter()
            .position(|m| m.source == '\u{E001}')
            .unwrap();
        let mut tally = Tally::default();
        let hit = crate::gaiji::MapEvents {
            hits: vec![idx as u32, idx as u32],
            unmapped: vec![],
            sensitive_unmapped: 0,
        };
        tally.write(&[], &crate::gaiji::MapEvents::default(), 1, Some("0001"));
        tally.write(&[], &hit, 2, Some(key));
        let miss = crate::gaiji::MapEvents {
            hits: vec![],
            unmapped: vec!['\u{E002}'],
            sensitive_unmapped: 0,
        };
        tally.unmapped_in(&miss, 3, Some("0003"));
        tally.reject(crate::record::UNMAPPED, Some("氏名"), 3);
        let written = |s: &str| Written {
            sha256: s.into(),
            bytes: 5,
        };
        Fixture {
            manifest: Manifest::from_json(MANIFEST).unwrap(),
            files: vec![FileResult {
                input: "in/a.csv".into(),
                output_name: "a.csv".into(),
                rejects_name: "a.rejects.csv".into(),
                stream: StreamInfo::default(),
                tally,
                output: written("bb22"),
                rejects: written("cc33"),
            }],
            layout: crate::layout::parse(LAYOUT.as_bytes(), "t.toml").unwrap(),
            mapper,
        }
    }

    fn render(&self) -> String {
        render(&Run {
            manifest: &self.manifest,
            files: &self.files,
            layout: &self.layout,
            mapper: &self.mapper,
        })
    }
}

#[test]
fn the_page_loads_nothing_from_elsewhere() {
    let page = Fixture::new("0002").render();
    for bad in [
        "http:", "https:", "//", "<link", "@import", "url(", " src=", "<img", "<iframe",
    ] {
        // `//` is allowed nowhere: not even a protocol-relative address.
        assert!(!page.contains(bad), "the page contains {bad:?}");
    }
    assert!(page.contains(r#"src: local("IPAmj明朝"), local("IPAmjMincho");"#));
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
}

#[test]
fn the_gaiji_table_shows_code_glyph_code_points_count_and_key() {
    let page = Fixture::new("0002").render();
    let table = section(&page, "gaiji-table");
    assert!(table.contains("U+E001<br><code>0xF041</code>"), "{table}");
    assert!(table.contains("MJ022335"));
    assert!(
        table.contains(
            "<span class=\"glyph\">葛\u{E0102}</span> <code class=\"cp\">U+845B U+E0102</code>"
        ),
        "{table}"
    );
    assert!(table.contains("<td class=\"n\">2</td>"), "count: {table}");
    assert!(table.contains("レコード 2") && table.contains("宛名番号</span> 0002"));
    assert!(table.contains("g.tsv:2"), "the table line: {table}");
    assert!(!table.contains("U+E000"), "a line not used is not a row");
    assert!(page.contains("外字対応表のほかの1行"));
    let unmapped = section(&page, "unmapped-table");
    assert!(
        unmapped.contains("U+E002<br><code>0xF042</code>"),
        "{unmapped}"
    );
    assert!(unmapped.contains("レコード 3") && unmapped.contains("0003"));
}

#[test]
fn record_data_is_escaped() {
    let page = Fixture::new("<b>&\"x\u{202E}").render();
    assert!(
        page.contains("&lt;b&gt;&amp;&quot;x\u{FFFD}"),
        "escaped key"
    );
    assert!(!page.contains("<b>"));
    assert!(!page.contains('\u{202E}'));
}

#[test]
fn a_sensitive_key_is_never_shown() {
    let mut f = Fixture::new("SECRET-0002");
    assert!(f.render().contains("SECRET-0002"));
    // The layout refuses key + sensitive; the report must not rely on it.
    f.layout.fields[0].sensitive = true;
    assert!(!f.render().contains("SECRET-0002"));
}

#[test]
fn counts_rejects_cleansing_hashes_and_tables_are_listed() {
    let page = Fixture::new("0002").render();
    let counts = section(&page, "counts");
    assert!(counts.contains("in/a.csv") && counts.contains("読込 = 出力 + 不正 ✓"));
    let rejects = section(&page, "rejects-table");
    assert!(
        rejects.contains("外字対応表にない外字") && rejects.contains("<td class=\"records\">3<br>")
    );
    let cleansing = section(&page, "cleansing-table");
    assert!(
        cleansing.contains("末尾の半角空白を除去") && cleansing.contains("<td class=\"n\">2</td>")
    );
    let files = section(&page, "files-table");
    for h in ["aa11", "bb22", "cc33"] {
        assert!(files.contains(h), "{h}");
    }
    assert!(section(&page, "tables-table").contains("dd44"));
    assert!(page.contains("1件のレコードは変換できませんでした"));
}

#[test]
fn counts_that_do_not_add_up_are_flagged() {
    let mut f = Fixture::new("0002");
    f.manifest.inputs[0].written = 1;
    assert!(section(&f.render(), "counts").contains("件数が合いません"));
}

#[test]
fn every_reason_code_has_a_japanese_label() {
    for code in [
        "broken-quote",
        "unclosed-quote",
        "record-too-long",
        "wrong-length",
        "item-count",
        "undecodable",
        "unmapped-gaiji",
        "required",
        "too-long",
        "not-kana",
        "stray-voiced-mark",
        "not-digits",
        "not-number",
        "unknown-code",
        "invalid-date",
        "unknown-era",
        "era-out-of-range",
        "meiji-lunar-calendar",
    ] {
        assert_ne!(reason_label(code), "その他", "{code}");
    }
}

/// The element with `id` up to its closing tag.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let end = page[start..]
        .find("</table>")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}
