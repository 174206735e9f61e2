//! report.html as `convert` writes it: recorded in the manifest and verified,
//! deterministic, and free of personal data except the key item.

mod common;

use common::{ikou, read_manifest, run, s, testdata};
use std::fs;
use std::path::Path;

const LAYOUT: &str = "testdata/layouts/juki-kojin.toml";
const GAIJI: &str = "testdata/gaiji/sample.tsv";

fn convert(out: &Path, extra: &[&str], inputs: &[&Path]) -> (i32, String) {
    let mut args = vec!["convert", "--layout", LAYOUT, "--out", s(out)];
    args.extend_from_slice(extra);
    args.extend(inputs.iter().map(|p| s(p)));
    let o = ikou()
        .current_dir(common::root())
        .args(&args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_report_is_recorded_in_the_manifest_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI],
        &[&testdata("juki_kojin.csv")],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("report.html"),
        "the summary points to it: {err}"
    );
    let html = fs::read(dir.path().join("report.html")).unwrap();
    let m = read_manifest(dir.path());
    assert_eq!(m["report"]["path"], "report.html");
    assert_eq!(m["report"]["sha256"], sha256(&html));
    assert_eq!(m["report"]["bytes"], html.len());
    assert_eq!(m["report"]["records"], 0);
    let (code, out, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("3 files"),
        "outputs, rejects and the report: {out}"
    );

    // An edited report is found.
    let mut edited = html.clone();
    let at = edited.len() - 10;
    edited[at] ^= 1;
    fs::write(dir.path().join("report.html"), &edited).unwrap();
    let (code, out, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL: report.html: changed since the run"),
        "{out}"
    );
    fs::remove_file(dir.path().join("report.html")).unwrap();
    let (code, out, _) = run(&["verify", s(dir.path())]);
    assert_eq!(code, 1);
    assert!(out.contains("report.html: missing"), "{out}");
}

#[test]
fn the_report_shows_no_item_value_but_the_key() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        convert(
            dir.path(),
            &["--gaiji", GAIJI],
            &[&testdata("juki_kojin.csv")]
        )
        .0,
        3
    );
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // Every value of the converted records, read back by the csv crate: none but the
    // key (宛名番号, item 1) is on the page, whether personal or sensitive (個人番号).
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.path().join("juki_kojin.csv"))
        .unwrap();
    let mut checked = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for (i, value) in rec.iter().enumerate().skip(1) {
            if value.chars().count() < 2 {
                continue; // one character (性別, a 外字 alone) says nothing
            }
            assert!(
                !html.contains(value),
                "item {} value {value:?} is on the page",
                i + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
    // The original records, rejected ones included (from the input, decoded by iconv).
    let input = common::iconv(
        &fs::read(testdata("juki_kojin.csv")).unwrap(),
        "CP932",
        "UTF-8//IGNORE",
    );
    for line in String::from_utf8_lossy(&input).lines() {
        for value in line.split(',').skip(1) {
            let v = value.trim_matches('"');
            if v.chars().count() >= 4 && !v.chars().all(|c| c.is_ascii_digit() && v.len() == 15) {
                assert!(!html.contains(v), "input value {v:?} is on the page");
            }
        }
    }
    // The key is, to find the record.
    assert!(html.contains("000000000000004"));
}

#[test]
fn the_report_is_byte_identical_for_any_jobs_and_chunk_size() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.csv");
    let sample = fs::read(testdata("juki_kojin.csv")).unwrap();
    fs::write(
        &input,
        std::iter::repeat_n(&sample[..], 200)
            .flatten()
            .copied()
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let mut first = None;
    for (jobs, chunk) in [("1", "1048576"), ("2", "100"), ("3", "1")] {
        let out = tmp.path().join(format!("o{jobs}"));
        let (code, err) = convert(
            &out,
            &["--gaiji", GAIJI, "--jobs", jobs, "--chunk-bytes", chunk],
            &[&input],
        );
        assert_eq!(code, 3, "{err}");
        let html = fs::read(out.join("report.html")).unwrap();
        match &first {
            None => first = Some(html),
            Some(f) => assert!(f == &html, "jobs {jobs} chunk {chunk} differs"),
        }
        // A later second: a time stamp would show.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    // With a chunk per record, the reject lines of later chunks follow the earlier
    // ones: every listed line holds its record.
    let out = tmp.path().join("o3");
    let checked = rejects_point_at_their_lines(&out, "many");
    assert!(checked > 200, "{checked}");
}

/// Each `<td class="n">R</td>…<code>X.rejects.csv</code> N行目` row of the reject
/// lists: line N of X.rejects.csv is record R. Returns the rows checked.
fn rejects_point_at_their_lines(out: &Path, stem: &str) -> usize {
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let name = format!("{stem}.rejects.csv");
    let bytes = fs::read(out.join(&name)).unwrap();
    let lines = ikou::reject::read_lines(&bytes).unwrap();
    // The line as a text editor counts it: one line per reject, after the header.
    let text = String::from_utf8(bytes).unwrap();
    let physical: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        physical.len(),
        lines.len() + 2,
        "header, rejects, and \"\" after the last line end"
    );
    let mut checked = 0;
    for row in html
        .split("<tr>")
        .filter(|r| r.contains(&format!("<code>{name}</code> ")))
    {
        let record: u64 = row["<td class=\"n\">".len()..row.find("</td>").unwrap()]
            .parse()
            .unwrap();
        let at = row.find(&format!("<code>{name}</code> ")).unwrap() + name.len() + 14;
        let line: usize = row[at..at + row[at..].find("行目").unwrap()]
            .replace(',', "")
            .parse()
            .unwrap();
        assert_eq!(lines[line - 2].record, record, "{row}");
        assert!(
            physical[line - 1].starts_with(&format!("{record},")),
            "{row}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn the_report_has_contents_a_chart_a_sign_off_and_keys_of_rejected_records() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI],
        &[&testdata("juki_kojin.csv")],
    );
    assert_eq!(code, 3, "{err}");
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // Every link has its target.
    let mut links = 0;
    for (i, m) in html.match_indices("href=\"#") {
        let rest = &html[i + m.len()..];
        let id = &rest[..rest.find('"').unwrap()];
        assert_eq!(html.matches(&format!(" id=\"{id}\"")).count(), 1, "#{id}");
        links += 1;
    }
    assert!(links > 10, "{links}");
    assert!(html.contains("<nav id=\"toc\">") && html.contains("<svg id=\"outcome-chart\""));
    assert!(html.contains("<section id=\"signoff\">"));
    assert!(
        html.contains("IPAmj明朝")
            && html.contains("Windows")
            && html.contains("fonts-ipamj-mincho")
    );
    // The run id, on the page and in the print footer.
    let at = html.find("実行ID <code>").unwrap() + "実行ID <code>".len();
    let id = &html[at..at + 12];
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    assert!(html.contains(&format!("content: \"実行ID {id}")));
    // A rejected record that was read into items shows its key; one that could not
    // be (undecodable: its items would be the record before's) shows none.
    assert_eq!(rejects_point_at_their_lines(dir.path(), "juki_kojin"), 8);
    let list_of = |code: &str| -> &str {
        let h = html
            .find(&format!("<code class=\"note\">{code}</code>"))
            .unwrap();
        let at = h + html[h..].find("href=\"#").unwrap() + "href=\"#".len();
        let id = &html[at..at + html[at..].find('"').unwrap()];
        let start = html.find(&format!("<h3 id=\"{id}\"")).unwrap();
        &html[start..start + html[start..].find("</table>").unwrap()]
    };
    let dated = list_of("invalid-date");
    assert!(dated.contains("<td>000000000000015</td>"), "{dated}");
    for code in ["undecodable", "item-count", "broken-quote"] {
        let list = list_of(code);
        assert!(list.contains("<td>—</td>"), "{list}");
    }
}

#[test]
fn a_failed_run_leaves_no_report_of_an_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = testdata("juki_kojin.csv");
    assert_eq!(convert(dir.path(), &["--gaiji", GAIJI], &[&input]).0, 3);
    assert!(dir.path().join("report.html").exists());
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI, "--unmapped", "fail"],
        &[&input],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        !dir.path().join("report.html").exists(),
        "people must not read the earlier run's report as this run's"
    );
}

#[test]
fn several_inputs_are_told_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.csv");
    let b = tmp.path().join("b.csv");
    fs::copy(testdata("juki_kojin.csv"), &a).unwrap();
    fs::copy(testdata("juki_kojin.csv"), &b).unwrap();
    let out = tmp.path().join("out");
    assert_eq!(convert(&out, &["--gaiji", GAIJI], &[&a, &b]).0, 3);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<th>合計</th><td class=\"n\">34</td>"),
        "totals row"
    );
    // Rejected records are listed per file, each pointing into its own reject file
    // (a.rejects.csv and b.rejects.csv, line 2 after the header: record 8 is the first reject).
    for (input, rejects) in [(&a, "a.rejects.csv"), (&b, "b.rejects.csv")] {
        let row = format!(
            "<tr><td>{}</td><td class=\"n\">8</td><td>000000000000008</td><td><code>{rejects}</code> 2行目</td></tr>",
            s(input)
        );
        assert!(html.contains(&row), "{row}");
    }
}

#[test]
fn with_ivs_never_the_report_shows_the_mj_glyph_and_the_degenerate_form_with_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = convert(
        dir.path(),
        &["--gaiji", GAIJI, "--ivs", "never"],
        &[&testdata("juki_kojin.csv")],
    );
    assert_eq!(code, 3, "{err}");
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let m = read_manifest(dir.path());
    let start = html.find("id=\"gaiji-table\"").unwrap();
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    // Each row: the MJ glyph as --ivs keep writes it, then what was written and the
    // MJ縮退マップ table, as the manifest records them.
    for g in m["gaiji"].as_array().unwrap() {
        let Some(t) = g.get("degenerate_table").and_then(|t| t.as_str()) else {
            continue;
        };
        let row_start = table
            .find(&format!("<tr><td>{}", g["source"].as_str().unwrap()))
            .unwrap();
        let row = &table[row_start..row_start + table[row_start..].find("</tr>").unwrap()];
        let written = format!(
            "<code class=\"cp\">{}</code>",
            g["output"].as_str().unwrap()
        );
        let mj_glyph = row.find("<td><span class=\"glyph\">").unwrap();
        let out_glyph = row.rfind("<td><span class=\"glyph\">").unwrap();
        assert!(mj_glyph < out_glyph, "two glyph cells: {row}");
        assert!(row[out_glyph..].contains(&written), "{row}");
        assert!(row.contains(&format!("縮退: {t}")), "{row}");
    }
    assert!(table.contains("縮退: JIS包摂規準UCS統合規則"));
    // MJ022335 is kept as its IVS in the MJ column, written as plain 葛.
    assert!(table.contains("U+845B U+E0102") && table.contains("<code class=\"cp\">U+845B</code>"));
}
