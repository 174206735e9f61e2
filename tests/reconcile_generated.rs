//! `ikou reconcile` on pairs written by benches/reconcile/make_pair.py: every count,
//! sum, group count and difference must be exactly what the generator injected
//! (expected.json), down to the form-only rule names (葛󠄂西　誠 vs 葛西　誠 is `ivs`
//! only, although both names have a U+3000 the width rule folds). python3 is
//! required: without it these tests fail.

mod common;

use common::{ikou, root, s};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs the generator into `dir`; returns expected.json.
fn generate(dir: &Path, records: u32, rate: &str) -> Value {
    let out = Command::new("python3")
        .arg(root().join("benches/reconcile/make_pair.py"))
        .args(["--out", s(dir), "--records", &records.to_string()])
        .args(["--seed", "13", "--rate", rate])
        .output()
        .expect("python3 runs (it is required for this test: install it)");
    assert!(
        out.status.success(),
        "make_pair.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

/// Runs reconcile with the generator's arguments; returns (exit code, stderr).
fn reconcile(expected: &Value, out: &Path, extra: &[&str]) -> (i32, String) {
    let args: Vec<&str> = expected["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string arg"))
        .collect();
    let o = ikou()
        .current_dir(root())
        .arg("reconcile")
        .args(&args)
        .args(["--out", s(out)])
        .args(extra)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// differences.csv: its header and its rows.
fn differences(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(out.join("differences.csv")).expect("differences.csv");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.expect("RFC 4180").iter().map(str::to_string).collect())
        .collect();
    assert!(!rows.is_empty(), "differences.csv has a header line");
    let header = rows.remove(0);
    assert_eq!(
        header.get(..5),
        Some(&["key", "item", "kind", "old", "new"].map(String::from)[..]),
        "the issue's five columns come first"
    );
    (header, rows)
}

/// expected.json's differences as rows with the columns of `header` (the issue's
/// five; `rule`, `old_record`, `new_record` when the file has them).
fn expected_rows(expected: &Value, header: &[String]) -> Vec<Vec<String>> {
    expected["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| {
            header
                .iter()
                .map(|f| match &d[f.as_str()] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => String::new(),
                    other => panic!("column {f}: unexpected {other}"),
                })
                .collect()
        })
        .collect()
}

fn json(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("reconcile.json")).expect("reconcile.json");
    serde_json::from_str(&text).expect("reconcile.json is JSON")
}

/// `got[field]` equals `want[field]`, with a message naming the field.
fn same(got: &Value, want: &Value, field: &str) {
    assert_eq!(
        got[field], want[field],
        "reconcile.json `{field}` differs from expected.json\n got: {}\nwant: {}",
        got[field], want[field]
    );
}

/// The generated pair and reconcile's output for it.
struct Run {
    _dir: tempfile::TempDir,
    expected: Value,
    out: std::path::PathBuf,
}

fn run_injected() -> Run {
    let dir = tempfile::tempdir().unwrap();
    let pair = dir.path().join("pair");
    let expected = generate(&pair, 400, "0.05");
    // The generator handed out every kind.
    for (case, n) in expected["generator"]["cases"].as_object().unwrap() {
        assert!(n.as_u64().unwrap() > 0, "no {case} injected");
    }
    let out = dir.path().join("out");
    let (code, stderr) = reconcile(&expected, &out, &[]);
    assert_eq!(code, 1, "differences → exit 1: {stderr}");
    Run {
        _dir: dir,
        expected,
        out,
    }
}

#[test]
fn every_injected_difference_is_found_exactly() {
    let Run { expected, out, .. } = &run_injected();
    let got = json(out);
    for field in [
        "matches",
        "counts",
        "items",
        "sums",
        "groups",
        "items_only_old",
        "items_only_new",
    ] {
        same(&got, expected, field);
    }
    let (header, rows) = differences(out);
    let want = expected_rows(expected, &header);
    for (i, (g, w)) in rows.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "differences.csv line {}", i + 2);
    }
    assert_eq!(rows.len(), want.len(), "differences.csv lines");

    // The page shows every key with a difference, and never a sensitive value
    // (個人番号: the generator's are 9… on the old side, 8… when changed).
    let html = std::fs::read_to_string(out.join("reconcile.html")).expect("reconcile.html");
    assert!(html.contains("不一致"));
    for d in expected["differences"].as_array().unwrap() {
        let key = d["key"].as_str().unwrap();
        assert!(html.contains(key), "{key} on the page");
    }
    for file in ["reconcile.html", "reconcile.json", "differences.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        for c in ['8', '9'] {
            assert!(
                !text.contains(&format!("{c}000000")),
                "{file} shows a 個人番号 value"
            );
        }
    }
}

#[test]
fn a_pair_that_only_differs_in_what_reading_removes_matches() {
    // Half-width kana in a kana item and trailing padding: cleansing makes them
    // equal on both sides, so nothing is reported.
    let dir = tempfile::tempdir().unwrap();
    let pair = dir.path().join("pair");
    let expected = generate(&pair, 300, "0");
    assert_eq!(expected["matches"], Value::Bool(true));
    let out = dir.path().join("out");
    let (code, stderr) = reconcile(&expected, &out, &[]);
    assert_eq!(code, 0, "nothing differs → exit 0: {stderr}");
    let got = json(&out);
    for field in ["matches", "counts", "items", "sums", "groups"] {
        same(&got, &expected, field);
    }
    assert!(differences(&out).1.is_empty());
    let html = std::fs::read_to_string(out.join("reconcile.html")).unwrap();
    assert!(html.contains("id=\"verdict\" class=\"ok\""));
}

#[test]
fn the_generator_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    generate(&a, 120, "0.2");
    generate(&b, 120, "0.2");
    for f in ["old/KOJIN_ZEI.CSV", "new/kojin_zei.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}
