//! `ikou reconcile`: an old/new pair with one injected difference of every kind,
//! checked count by count, sum by sum and line by line; sensitive items,
//! --no-values, determinism over --jobs and partitions, verify, the convert round
//! trip, and bad input.

mod common;

use common::{root, run, s, testdata};
use std::fs;
use std::path::{Path, PathBuf};

const GAIJI: &str = "testdata/gaiji/sample.tsv";

const OLD_LAYOUT: &str = r#"
name = "old-juki"
format = "csv"
header = false
[[fields]]
name = "宛名番号"
type = "digits"
key = true
required = true
[[fields]]
name = "氏名"
type = "text"
[[fields]]
name = "カナ"
type = "kana"
[[fields]]
name = "地区"
type = "code"
codes = ["01", "02", "03"]
[[fields]]
name = "税額"
type = "number"
[[fields]]
name = "個人番号"
type = "digits"
sensitive = true
[[fields]]
name = "住所"
type = "text"
"#;

const NEW_LAYOUT: &str = r#"
name = "new-juki"
format = "csv"
header = true
[[fields]]
name = "宛名番号"
type = "digits"
key = true
[[fields]]
name = "税額"
type = "number"
[[fields]]
name = "氏名_漢字"
type = "text"
[[fields]]
name = "カナ"
type = "kana"
[[fields]]
name = "地区"
type = "code"
codes = ["01", "02", "03"]
[[fields]]
name = "個人番号"
type = "digits"
sensitive = true
[[fields]]
name = "備考"
type = "text"
"#;

/// A piece of an old record: text (encoded as CP932) or raw bytes (a vendor 外字).
enum P<'a> {
    T(&'a str),
    B(&'a [u8]),
}

fn cp932(parts: &[P]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        match p {
            P::T(t) => {
                let (b, _, bad) = encoding_rs::SHIFT_JIS.encode(t);
                assert!(!bad, "{t}");
                out.extend_from_slice(&b);
            }
            P::B(b) => out.extend_from_slice(b),
        }
    }
    out
}

/// The sensitive values: none may appear in any output.
const SECRET_OLD: &str = "900000000009";
const SECRET_NEW: &str = "911111111119";

struct Pair {
    dir: tempfile::TempDir,
    old: PathBuf,
    new: PathBuf,
    old_layout: PathBuf,
    new_layout: PathBuf,
}

/// The pair: keys 1–9 on both sides (1 equal; 2 税額 changed; 3 氏名 changed;
/// 4 width; 5 IVS; 6 MJ縮退; 7 a compatibility ideograph's variation sequence; 8 カナ empty; 9 個人番号
/// changed), 10 only old, 11 twice in old and once in new, 13 only new, 14 twice
/// in new, one unreadable record on each side.
fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let old_layout = dir.path().join("old.toml");
    let new_layout = dir.path().join("new.toml");
    fs::write(&old_layout, OLD_LAYOUT).unwrap();
    fs::write(&new_layout, NEW_LAYOUT).unwrap();
    let mut old = Vec::new();
    let nine = format!("000009,中村,ナカムラ,03,40,{SECRET_OLD},東京\r\n");
    let rows: Vec<Vec<P>> = vec![
        vec![P::T(
            "000001,山田太郎,ヤマダタロウ,01,1000,123456789012,東京\r\n",
        )],
        vec![P::T(
            "000002,鈴木一郎,スズキイチロウ,01,2500.50,123456789012,東京\r\n",
        )],
        vec![P::T(
            "000003,佐藤花子,サトウハナコ,02,300,123456789012,東京\r\n",
        )],
        vec![P::T(
            "000004,ﾔﾏﾀﾞ ﾊﾅｺ,ヤマダハナコ,02,400,123456789012,東京\r\n",
        )],
        vec![
            P::T("000005,"),
            P::B(&[0xF0, 0x41]),
            P::T("西,カツラニシ,03,0,123456789012,東京\r\n"),
        ],
        vec![
            P::T("000006,"),
            P::B(&[0xF0, 0x40]),
            P::T("田,ヨシダ,03,10,123456789012,東京\r\n"),
        ],
        vec![P::T("000007,琢磨,タクマ,01,20,123456789012,東京\r\n")],
        vec![P::T("000008,田中,,02,30,123456789012,東京\r\n")],
        vec![P::T(&nine)],
        vec![P::T("000010,小林,コバヤシ,01,5,123456789012,東京\r\n")],
        vec![P::T("000011,加藤,カトウ,02,1,123456789012,東京\r\n")],
        vec![P::T("000011,加藤,カトウ,02,2,123456789012,大阪\r\n")],
        vec![P::T("000015,吉田,ヨシダ,99,7,123456789012,東京\r\n")],
    ];
    for r in &rows {
        old.extend(cp932(r));
    }
    let new = format!(
        "宛名番号,税額,氏名_漢字,カナ,地区,個人番号,備考\r\n\
         000001,1000,山田太郎,ヤマダタロウ,01,123456789012,\r\n\
         000002,2600.50,鈴木一郎,スズキイチロウ,01,123456789012,\r\n\
         000003,300,佐藤花,サトウハナコ,02,123456789012,\r\n\
         000004,400,ヤマダ ハナコ,ヤマダハナコ,02,123456789012,\r\n\
         000005,0,葛西,カツラニシ,03,123456789012,\r\n\
         000006,10,吉田,ヨシダ,03,123456789012,\r\n\
         000007,20,\u{7422}\u{FE00}磨,タクマ,01,123456789012,\r\n\
         000008,30,田中,タナカ,02,123456789012,\r\n\
         000009,40,中村,ナカムラ,03,{SECRET_NEW},\r\n\
         000011,1,加藤,カトウ,02,123456789012,\r\n\
         000013,7,木村,キムラ,01,123456789012,\r\n\
         000014,3,林,ハヤシ,03,123456789012,\r\n\
         000014,4,林,ハヤシ,03,123456789012,\r\n\
         000016,abc,森,モリ,01,123456789012,\r\n"
    );
    let old_path = dir.path().join("old.csv");
    let new_path = dir.path().join("new.csv");
    fs::write(&old_path, old).unwrap();
    fs::write(&new_path, new).unwrap();
    Pair {
        old: old_path,
        new: new_path,
        old_layout,
        new_layout,
        dir,
    }
}

impl Pair {
    fn args<'a>(&'a self, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec![
            "reconcile",
            "--old",
            s(&self.old),
            "--old-layout",
            s(&self.old_layout),
            "--old-encoding",
            "cp932",
            "--gaiji",
            GAIJI,
            "--new",
            s(&self.new),
            "--new-layout",
            s(&self.new_layout),
            "--new-encoding",
            "utf-8",
            "--map",
            "氏名=氏名_漢字",
            "--sum",
            "税額",
            "--group",
            "地区",
            "--out",
            s(out),
        ];
        a.extend_from_slice(extra);
        a
    }

    fn run(&self, out: &Path, extra: &[&str]) -> (i32, String) {
        let o = common::ikou()
            .current_dir(root())
            .args(self.args(out, extra))
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

fn json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("reconcile.json")).unwrap()).unwrap()
}

fn csv_rows(dir: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join("differences.csv"))
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn every_kind_is_counted_summed_and_listed_exactly() {
    let p = pair();
    let out = p.dir.path().join("out");
    let (code, err) = p.run(&out, &[]);
    assert_eq!(code, 1, "{err}");
    let j = json(&out);
    assert_eq!(j["matches"], false);
    let c = &j["counts"];
    let want = [
        ("old", 13),
        ("new", 14),
        ("matched", 9),
        ("only_old", 1),
        ("only_new", 1),
        ("duplicate_old", 2),
        ("duplicate_new", 3),
        ("unreadable_old", 1),
        ("unreadable_new", 1),
    ];
    for (k, v) in want {
        assert_eq!(c[k], v, "counts.{k}: {c}");
    }
    let items: Vec<(String, u64, u64, u64)> = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["item"].as_str().unwrap().to_string(),
                i["different"].as_u64().unwrap(),
                i["form_only"].as_u64().unwrap(),
                i["empty_vs_value"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64, u64)> = [
        ("氏名", 1, 4, 0),
        ("カナ", 0, 0, 1),
        ("地区", 0, 0, 0),
        ("税額", 1, 0, 0),
        ("個人番号", 1, 0, 0),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), *b, *c, *d))
    .collect();
    assert_eq!(items, want);
    let rules = &j["items"][0]["form_only_rules"];
    for r in ["width", "ivs", "mj-degenerate", "compat"] {
        assert_eq!(rules[r], 1, "rule {r}: {rules}");
    }
    assert_eq!(j["items_only_old"], serde_json::json!(["住所"]));
    assert_eq!(j["items_only_new"], serde_json::json!(["備考"]));

    // Sums: exact decimals, totals first, then the groups that differ.
    let sums: Vec<(String, String, String, String)> = j["sums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["group_item"].as_str().unwrap_or("-").to_string(),
                e["group_value"].as_str().unwrap_or("-").to_string(),
                e["old"].as_str().unwrap().to_string(),
                e["new"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let t = |a: &str, b: &str, c: &str, d: &str| {
        (a.to_string(), b.to_string(), c.to_string(), d.to_string())
    };
    assert_eq!(
        sums,
        vec![
            t("-", "-", "4308.50", "4415.50"),
            t("地区", "01", "3525.50", "3627.50"),
            t("地区", "02", "733", "731"),
            t("地区", "03", "50", "57"),
        ]
    );
    let groups: Vec<(String, u64, u64)> = j["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group_value"].as_str().unwrap().to_string(),
                g["old"].as_u64().unwrap(),
                g["new"].as_u64().unwrap(),
            )
        })
        .collect();
    // 01 has equal counts but a differing sum: flagged (first) all the same.
    assert_eq!(
        groups,
        vec![
            ("01".to_string(), 4, 4),
            ("02".into(), 5, 4),
            ("03".into(), 3, 5)
        ]
    );

    let rows = csv_rows(&out);
    assert_eq!(
        rows[0],
        [
            "key",
            "item",
            "kind",
            "old",
            "new",
            "rule",
            "old_record",
            "new_record"
        ]
    );
    let brief: Vec<String> = rows[1..]
        .iter()
        .map(|r| format!("{}|{}|{}|{}|{}", r[0], r[1], r[2], r[6], r[7]))
        .collect();
    assert_eq!(
        brief,
        [
            "||unreadable-old|13|",
            "||unreadable-new||15",
            "000002|税額|different|2|3",
            "000003|氏名|different|3|4",
            "000004|氏名|form-only|4|5",
            "000005|氏名|form-only|5|6",
            "000006|氏名|form-only|6|7",
            "000007|氏名|form-only|7|8",
            "000008|カナ|empty-vs-value|8|9",
            "000009|個人番号|different|9|10",
            "000010||only-old|10|",
            "000011||duplicate-old|11|",
            "000011||duplicate-old|12|",
            "000011||duplicate-new||11",
            "000013||only-new||12",
            "000014||duplicate-new||13",
            "000014||duplicate-new||14",
        ]
    );
    let by_key = |k: &str| rows.iter().find(|r| r[0] == k).unwrap().clone();
    assert_eq!(by_key("000002")[3..6], ["2500.50", "2600.50", ""]);
    assert_eq!(
        by_key("000004")[3..6],
        ["ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ ハナコ", "width"]
    );
    assert_eq!(by_key("000005")[3..6], ["葛\u{E0102}西", "葛西", "ivs"]);
    assert_eq!(by_key("000006")[3..6], ["𠮷田", "吉田", "mj-degenerate"]);
    assert_eq!(by_key("000007")[3..6], ["琢磨", "琢\u{FE00}磨", "compat"]);
    assert!(rows[1][3].contains("unknown-code"), "{:?}", rows[1]);
    assert!(rows[2][4].contains("not-number"), "{:?}", rows[2]);
    assert_eq!(j["counts"]["matched"], 9);
    let raw = fs::read(out.join("differences.csv")).unwrap();
    assert!(raw.ends_with(b"\r\n") && !raw.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn sensitive_values_never_written_and_no_values_blanks_all() {
    let p = pair();
    let out = p.dir.path().join("out");
    assert_eq!(p.run(&out, &[]).0, 1);
    let nv = p.dir.path().join("nv");
    assert_eq!(p.run(&nv, &["--no-values"]).0, 1);
    for dir in [&out, &nv] {
        for f in fs::read_dir(dir).unwrap() {
            let text = String::from_utf8_lossy(&fs::read(f.unwrap().path()).unwrap()).into_owned();
            assert!(!text.contains(SECRET_OLD) && !text.contains(SECRET_NEW));
        }
    }
    let row = csv_rows(&out)
        .into_iter()
        .find(|r| r[1] == "個人番号")
        .unwrap();
    assert_eq!(row[..6], ["000009", "個人番号", "different", "", "", ""]);
    for r in &csv_rows(&nv)[1..] {
        assert!(r[3].is_empty() || r[2].starts_with("unreadable"), "{r:?}");
        assert!(r[4].is_empty() || r[2].starts_with("unreadable"), "{r:?}");
        if r[2].starts_with("unreadable") {
            // The reason code only: a reason may quote a value.
            assert!(!r[3].contains('：') && !r[3].contains("項目"), "{r:?}");
        }
    }
    // The same counts either way.
    assert_eq!(json(&out)["counts"], json(&nv)["counts"]);
}

#[test]
fn outputs_are_byte_identical_for_any_jobs_and_partitions() {
    let p = pair();
    let runs = [
        ("a", vec!["--jobs", "1", "--partitions", "1"]),
        ("b", vec!["--jobs", "2", "--partitions", "7"]),
        ("c", vec!["--jobs", "2"]),
        ("d", vec!["--jobs", "3", "--partitions", "256"]),
    ];
    let mut first: Option<Vec<(String, Vec<u8>)>> = None;
    for (name, extra) in &runs {
        let out = p.dir.path().join(name);
        assert_eq!(p.run(&out, extra).0, 1);
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "differences.csv",
                "manifest.json",
                "reconcile.html",
                "reconcile.json"
            ],
            "no temporary file is left"
        );
        match &first {
            None => first = Some(files),
            Some(f) => assert!(f == &files, "run {name} differs"),
        }
    }
}

#[test]
fn verify_checks_the_run_and_its_inputs() {
    let p = pair();
    let out = p.dir.path().join("out");
    assert_eq!(p.run(&out, &[]).0, 1);
    let (code, stdout, _) = run(&["verify", "--inputs", s(&out)]);
    assert_eq!(code, 0, "{stdout}");
    let m = common::read_manifest(&out);
    let compared = m["compared"].as_array().unwrap();
    assert_eq!(compared.len(), 2);
    assert_eq!(compared[0]["side"], "old");
    assert_eq!(compared[0]["records"], 13);
    assert_eq!(compared[1]["unreadable"], 1);
    let kinds: Vec<&str> = m["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "layout").count(), 2);
    assert!(kinds.contains(&"gaiji"), "{kinds:?}");
    // A changed input and a changed output are found.
    let mut text = fs::read(&p.new).unwrap();
    text.push(b'\n');
    fs::write(&p.new, text).unwrap();
    let (code, stdout, _) = run(&["verify", "--inputs", s(&out)]);
    assert_eq!(code, 1);
    assert!(stdout.contains("new.csv"), "{stdout}");
    let d = out.join("differences.csv");
    let mut csv = fs::read(&d).unwrap();
    csv.extend_from_slice(b"x,,different,,,,,\r\n");
    fs::write(&d, csv).unwrap();
    let (code, stdout, _) = run(&["verify", s(&out)]);
    assert_eq!(code, 1);
    assert!(stdout.contains("differences.csv: changed"), "{stdout}");
}

#[test]
fn identical_sides_exit_0_and_a_rerun_replaces_the_run() {
    let p = pair();
    let out = p.dir.path().join("out");
    let (code, _, err) = run(&[
        "reconcile",
        "--old",
        s(&p.new),
        "--old-layout",
        s(&p.new_layout),
        "--old-encoding",
        "utf-8",
        "--new",
        s(&p.new),
        "--new-layout",
        s(&p.new_layout),
        "--sum",
        "税額",
        "--out",
        s(&out),
    ]);
    // The unreadable record is unreadable on both sides: listed, so not a match.
    assert_eq!(code, 1, "{err}");
    assert_eq!(json(&out)["counts"]["matched"], 11);
    // Into the same --out: an earlier run's files are ikou's.
    let (code, err) = p.run(&out, &[]);
    assert_eq!(code, 1, "{err}");
    let good = p.dir.path().join("good.csv");
    let text = fs::read_to_string(&p.new).unwrap();
    let kept: String = text
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("000016") && !l.starts_with("000014"))
        .collect();
    fs::write(&good, kept).unwrap();
    let out2 = p.dir.path().join("out2");
    let (code, _, err) = run(&[
        "reconcile",
        "--old",
        s(&good),
        "--old-layout",
        s(&p.new_layout),
        "--old-encoding",
        "utf-8",
        "--new",
        s(&good),
        "--new-layout",
        s(&p.new_layout),
        "--group",
        "地区",
        "--out",
        s(&out2),
    ]);
    assert_eq!(code, 0, "{err}");
    let j = json(&out2);
    assert_eq!(j["matches"], true);
    assert_eq!(csv_rows(&out2).len(), 1, "the header only");
}

#[test]
fn convert_then_reconcile_input_against_output_differs_only_by_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let conv = dir.path().join("conv");
    let (code, err) =
        common::convert_sample_layout(&conv, &["--gaiji", GAIJI], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 3, "{err}");
    let m = common::read_manifest(&conv);
    let out = dir.path().join("rec");
    let o = common::ikou()
        .current_dir(root())
        .args([
            "reconcile",
            "--old",
            "testdata/juki_kojin.csv",
            "--old-layout",
            common::SAMPLE_LAYOUT,
            "--old-encoding",
            "cp932",
            "--gaiji",
            GAIJI,
            "--new",
            s(&conv.join("juki_kojin.csv")),
            "--new-layout",
            common::SAMPLE_LAYOUT,
            "--new-encoding",
            "utf-8",
            "--out",
            s(&out),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json(&out);
    let c = &j["counts"];
    // Every record convert wrote matches, item for item; the rejected ones are
    // listed as unreadable on the old side (with convert's reasons), nothing else.
    assert_eq!(c["matched"], m["counts"]["written"]);
    assert_eq!(c["unreadable_old"], m["counts"]["rejected"]);
    assert_eq!(c["old"], m["counts"]["read"]);
    for k in [
        "only_old",
        "only_new",
        "duplicate_old",
        "duplicate_new",
        "unreadable_new",
    ] {
        assert_eq!(c[k], 0, "{k}");
    }
    for i in j["items"].as_array().unwrap() {
        assert_eq!(i["different"], 0, "{i}");
        assert_eq!(i["form_only"], 0, "{i}");
        assert_eq!(i["empty_vs_value"], 0, "{i}");
    }
    let rows = csv_rows(&out);
    let reasons: Vec<String> = rows[1..].iter().map(|r| r[6].clone()).collect();
    let rejects = fs::read_to_string(conv.join("juki_kojin.rejects.csv")).unwrap();
    for rec in &reasons {
        assert!(
            rejects.contains(&format!("\n{rec},")),
            "record {rec} not rejected by convert"
        );
    }
}

#[test]
fn bad_input_is_exit_2_with_the_file_named_and_nothing_published() {
    let p = pair();
    let out = p.dir.path().join("out");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--key", "無い項目"], "無い項目"),
        (vec!["--sum", "氏名"], "--sum 氏名"),
        (vec!["--group", "個人番号"], "sensitive"),
        (vec!["--key", "個人番号"], "sensitive"),
        (vec!["--map", "住所=無い"], "無い"),
    ];
    for (extra, want) in &cases {
        let (code, err) = p.run(&out, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(!out.join("manifest.json").exists());
    }
    // A missing file, named.
    let (code, _, err) = run(&[
        "reconcile",
        "--old",
        "/no/such/old.csv",
        "--old-layout",
        s(&p.old_layout),
        "--new",
        s(&p.new),
        "--new-layout",
        s(&p.new_layout),
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/no/such/old.csv") && err.contains("no such file"),
        "{err}"
    );
    // The wrong encoding: UTF-16 read as CP932.
    let u16 = p.dir.path().join("u16.csv");
    let text = fs::read_to_string(&p.new).unwrap();
    let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    fs::write(&u16, bytes).unwrap();
    let (code, _, err) = run(&[
        "reconcile",
        "--old",
        s(&p.old),
        "--old-layout",
        s(&p.old_layout),
        "--new",
        s(&u16),
        "--new-layout",
        s(&p.new_layout),
        "--new-encoding",
        "cp932",
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("u16.csv") && err.contains("utf-16"), "{err}");
    // A bad layout.
    let bad = p.dir.path().join("bad.toml");
    fs::write(&bad, "name = 1").unwrap();
    let (code, _, err) = run(&[
        "reconcile",
        "--old",
        s(&p.old),
        "--old-layout",
        s(&bad),
        "--new",
        s(&p.new),
        "--new-layout",
        s(&p.new_layout),
        "--out",
        s(&out),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(!out.join("manifest.json").exists() && !out.join("reconcile.html").exists());
}

#[test]
fn a_failed_rerun_leaves_nothing_that_looks_finished() {
    let p = pair();
    let out = p.dir.path().join("out");
    assert_eq!(p.run(&out, &[]).0, 1);
    assert!(out.join("reconcile.html").exists());
    // A value too large to total fails the run after the directory was opened.
    let big = p.dir.path().join("big.csv");
    let mut text = fs::read_to_string(&p.new).unwrap();
    text.push_str(&format!("000099,{},x,,01,,\r\n", "9".repeat(39)));
    fs::write(&big, text).unwrap();
    let o = common::ikou()
        .current_dir(root())
        .args(
            p.args(&out, &[])
                .iter()
                .map(|a| if *a == s(&p.new) { s(&big) } else { a }),
        )
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("big.csv") && err.contains("税額"), "{err}");
    assert!(!out.join("manifest.json").exists());
    assert!(!out.join("reconcile.html").exists());
    let left: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".ikou-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn help_explains_every_flag_with_an_example() {
    let (code, out, _) = run(&["reconcile", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--old ",
        "--old-layout",
        "--old-encoding",
        "--gaiji",
        "--new ",
        "--new-layout",
        "--new-encoding",
        "--key",
        "--map",
        "--sum",
        "--group",
        "--ivs",
        "--no-values",
        "--out",
        "--jobs",
    ] {
        assert!(out.contains(flag), "{flag}");
    }
    assert!(out.matches("Example:").count() >= 12, "{out}");
}
