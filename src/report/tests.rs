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
            ..Default::default()
        };
        tally.write(&[], &crate::gaiji::MapEvents::default(), 1, Some("0001"));
        tally.write(&[], &hit, 2, Some(key));
        let miss = crate::gaiji::MapEvents {
            hits: vec![],
            unmapped: vec!['\u{E002}'],
            sensitive_unmapped: 0,
            ..Default::default()
        };
        tally.unmapped_in(&miss, 3, Some("0003"));
        tally.reject(crate::record::UNMAPPED, Some("氏名"), 3, Some("0003"));
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
                codes: Default::default(),
                rejects: written("cc33"),
                extra_outputs: Vec::new(),
                types: None,
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
            vendor: None,
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
    assert!(rejects.contains("外字対応表にない外字") && rejects.contains("<td class=\"n\">1</td>"));
    // Each rejected record with its key and its line in the reject file.
    let list = section(&page, "reject-1");
    assert!(
        list.contains(
            "<td class=\"n\">3</td><td>0003</td><td><code>a.rejects.csv</code> 2行目</td>"
        ),
        "{list}"
    );
    assert!(!page.contains("載せていません"), "nothing is left out");
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
        "unmapped-code",
    ] {
        assert_ne!(reason_label(code), "その他", "{code}");
    }
}

#[test]
fn hostile_values_are_escaped_and_neutralised_everywhere() {
    let hostile = "<script>alert(1)</script>\u{202E}\u{2066}x\u{200F}";
    let mut f = Fixture::new(hostile);
    f.files[0].rejects_name = hostile.into();
    for r in f.files[0].tally.reasons.values_mut() {
        r.records[0].key = Some(hostile.into());
    }
    f.manifest.inputs[0].path = hostile.into();
    f.manifest.tables[0].path = hostile.into();
    f.layout.title = hostile.into();
    f.layout.fields[0].name = hostile.into();
    f.manifest
        .code_conversions
        .push(crate::manifest::CodeConversionEntry {
            item: hostile.into(),
            table: hostile.into(),
            line: 1,
            old: Some(hostile.into()),
            new: Some(hostile.into()),
            count: 1,
            kept: false,
            more: false,
        });
    let page = f.render();
    assert!(
        page.contains("id=\"code-conversions\""),
        "the section is shown"
    );
    assert!(!page.contains("<script>alert"), "markup is escaped");
    for c in ['\u{202E}', '\u{2066}', '\u{200F}'] {
        assert!(!page.contains(c), "{c:?} is neutralised");
    }
    let shown = "&lt;script&gt;alert(1)&lt;/script&gt;\u{FFFD}\u{FFFD}x\u{FFFD}";
    // Title, heading, input, key (外字 and reject list), reject file, key name, table.
    assert!(page.matches(shown).count() >= 8, "{page}");
    // The page's own script is the font check, and only it.
    assert_eq!(page.matches("<script>").count(), 1);
}

#[test]
fn every_link_on_the_page_has_its_target() {
    let page = Fixture::new("0002").render();
    let toc = &page[page.find("<nav id=\"toc\">").unwrap()..page.find("</nav>").unwrap()];
    for id in [
        "summary", "gaiji", "rejects", "files", "tables", "about", "signoff",
    ] {
        assert!(
            toc.contains(&format!("href=\"#{id}\"")),
            "{id} in the contents"
        );
    }
    let links = anchors(&page);
    assert!(links.len() >= 10, "{links:?}");
    for id in links {
        assert_eq!(
            page.matches(&format!(" id=\"{id}\"")).count(),
            1,
            "#{id} names exactly one element"
        );
    }
}

#[test]
fn the_chart_is_inline_svg_without_script_or_links() {
    let page = Fixture::new("0002").render();
    let start = page.find("<svg id=\"outcome-chart\"").expect("the chart");
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
    for bad in [
        "href",
        "<script",
        "<image",
        "<foreignObject",
        "url(",
        "xmlns",
        " on",
    ] {
        assert!(!svg.contains(bad), "the chart contains {bad:?}");
    }
    for bar in [
        "出力",
        "不正: 外字対応表にない外字",
        "外字対応表で変換",
        "外字対応表にない",
    ] {
        assert!(svg.contains(&format!(">{bar}</text>")), "{bar}: {svg}");
    }
    for class in ["bar ok", "bar bad", "bar map", "bar unmapped"] {
        assert!(svg.contains(class), "{class}");
    }
}

#[test]
fn the_page_has_no_time_stamp_and_the_same_bytes_each_time() {
    let f = Fixture::new("0002");
    let a = f.render();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(a, f.render());
    for stamp in ["2025", "2026", "2027", "作成日", "日時:"] {
        assert!(!a.contains(stamp), "{stamp}");
    }
}

#[test]
fn the_run_id_is_on_every_printed_page_and_depends_on_inputs_not_paths() {
    let mut f = Fixture::new("0002");
    let id = run_id(&f.manifest);
    assert_eq!(id.len(), 12);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    let page = f.render();
    assert!(page.contains(&format!("実行ID <code>{id}</code>")));
    assert!(page.contains(&format!(
        "@bottom-center {{ content: \"実行ID {id}　\" counter(page) \" / \" counter(pages);"
    )));
    // Not the paths, not the outputs (the manifest records the report's hash).
    f.manifest.inputs[0].path = "elsewhere/a.csv".into();
    f.manifest.outputs[0].sha256 = "ffff".into();
    assert_eq!(run_id(&f.manifest), id);
    f.manifest.inputs[0].sha256 = "aa12".into();
    assert_ne!(run_id(&f.manifest), id, "another input");
    f.manifest.inputs[0].sha256 = "aa11".into();
    f.manifest
        .options
        .extra
        .insert("ivs".into(), "never".into());
    assert_ne!(run_id(&f.manifest), id, "another option");
}

#[test]
fn the_page_ends_with_the_sign_off_block() {
    let page = Fixture::new("0002").render();
    let signoff = section(&page, "signoff-table");
    assert!(
        signoff.contains("確認者") && signoff.contains("確認日"),
        "{signoff}"
    );
    assert!(page.find("id=\"signoff\"") > page.find("id=\"about\""));
}

#[test]
fn a_reason_with_more_records_than_listed_says_how_many_are_not_and_where() {
    let mut f = Fixture::new("0002");
    let extra = crate::tally::RECORDS_KEPT_PER_REASON as u64 + 5;
    for r in 0..extra {
        f.files[0]
            .tally
            .reject("too-long", Some("氏名"), 10 + r, None);
    }
    let page = f.render();
    let list = section(&page, "reject-1");
    assert!(
        list.contains("桁数（文字数）の超過（氏名） — 105件"),
        "{list}"
    );
    assert_eq!(
        list.matches("<tr>").count(),
        crate::tally::RECORDS_KEPT_PER_REASON + 1,
        "header and the kept records"
    );
    assert!(
        page.contains("最初の100件だけを載せています。このほか5件は載せていません。すべて不正レコードファイル <code>a.rejects.csv</code> にあります"),
        "{page}"
    );
    // Lines count the header and every reject of the file: the unmapped one came first.
    assert!(list.contains("<td class=\"n\">10</td><td>—</td><td><code>a.rejects.csv</code> 3行目"));
}

/// Every `href="#…"` target on the page.
fn anchors(page: &str) -> Vec<&str> {
    page.match_indices("href=\"#")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
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

// ---- dates ----
#[test]
fn kept_dates_are_listed_per_item_with_count_and_key_never_the_value() {
    use crate::cleanse::{Applied, Rule};
    let mut f = Fixture::new("0002");
    // Without a `keep` item there is no section.
    assert!(!f.render().contains("kept-dates"));
    let layout = LAYOUT.replace(
        "name = \"個人番号\"\nsensitive = true",
        "name = \"個人番号\"\nsensitive = true\n[[fields]]\nname = \"生年月日\"\ntype = \"date\"\n\
         date = \"wareki\"\ndate_policy = \"keep\"\n[[fields]]\nname = \"死亡日\"\n\
         type = \"date\"\ndate = \"seireki\"\ndate_policy = \"keep\"\nsensitive = true",
    );
    f.layout = crate::layout::parse(layout.as_bytes(), "t.toml").unwrap();
    let page = f.render();
    let section_text = section(&page, "kept-dates");
    assert!(
        section_text.contains("生年月日") && section_text.contains("ありません"),
        "{section_text}"
    );
    let mut unknown = Applied::default();
    unknown.set(Rule::UnknownDate);
    let mut nonexistent = Applied::default();
    nonexistent.set(Rule::NonexistentDate);
    let t = &mut f.files[0].tally;
    t.write(
        &[(3, unknown)],
        &crate::gaiji::MapEvents::default(),
        4,
        Some("0004"),
    );
    t.write(
        &[(3, unknown), (4, nonexistent)],
        &crate::gaiji::MapEvents::default(),
        5,
        Some("0005"),
    );
    let page = f.render();
    let table = section(&page, "kept-dates-table");
    assert!(
        table.contains("不詳の日付を保持")
            && table.contains("unknown-date")
            && table.contains("<td class=\"n\">2</td>")
            && table.contains("レコード 4")
            && table.contains("宛名番号</span> 0004"),
        "{table}"
    );
    // A sensitive item is named with its count and record, as in the manifest.
    assert!(
        table.contains("死亡日")
            && table.contains("nonexistent-date")
            && table.contains("レコード 5"),
        "{table}"
    );
}
// ---- end dates ----
