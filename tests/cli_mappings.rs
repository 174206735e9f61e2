//! `ikou mappings check` and `ikou mappings diff`, run as the binary.
//!
//! The `--corpus` comparison is checked against an independent oracle: two real
//! `ikou convert` runs, one per table version, compared file against file.

mod common;

use base64::Engine;
use common::{ikou, root, s};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const VENDOR_A: &str = "testdata/corpus/gaiji/vendor-a.tsv";
const FIX: &str = "testdata/corpus/gaiji/fix.tsv";
const VENDOR_B: &str = "testdata/corpus/gaiji/vendor-b.tsv";
const LAYOUT: &str = "testdata/corpus/layouts/kojin.toml";
const SJIS: [&str; 2] = [
    "testdata/corpus/input/kojin_sjis.csv",
    "testdata/corpus/input/kojin_sjis_tail.csv",
];

/// Runs `ikou mappings args…` from the repository root: (status, stdout, stderr).
fn mappings(args: &[&str]) -> (i32, String, String) {
    let o = ikou()
        .current_dir(root())
        .arg("mappings")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// vendor-a.tsv as edited in a review: U+E000 to another glyph, 0xF046 removed,
/// 0xF041 renotated (J+845B is MJ022335), U+E002 added.
fn edited_vendor_a(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join(VENDOR_A)).unwrap();
    let edited: String = text
        .lines()
        .filter(|l| !l.starts_with("0xF046"))
        .map(|l| {
            if l.starts_with("U+E000\t") {
                "U+E000\tMJ000001".to_string()
            } else if l.starts_with("0xF041\t") {
                "0xF041\tJ+845B".to_string()
            } else {
                l.to_string()
            }
        })
        .chain(["U+E002\tJ+9AD8\t高".to_string()])
        .map(|l| l + "\n")
        .collect();
    write(dir, "vendor-a.tsv", edited.as_bytes())
}

#[test]
fn check_finds_every_kind_of_problem_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.tsv",
        "# vendor\nsource\ttarget\n\
         U+E000\tMJ000001\n\
         U+E001 MJ000002\n\
         X+E002\tMJ000001\n\
         U+E003\tMJ00001\n\
         U+E000\tMJ000002\n\
         U+E004\tMJ999999\n\
         U+E005\tKOSEKI:999999\n\
         U+E006\tJ+FFFF\n\
         U+E007\tU+E100\n\
         U+6F22\tMJ000001\n\
         U+E800\tMJ000001\n"
            .as_bytes(),
    );
    // A second table: a conflict, an override of nothing, a note saved as Shift_JIS.
    let b = write(
        dir.path(),
        "b.tsv",
        b"U+E000\tMJ000002\n!U+E010\tMJ000001\nU+E011\tMJ000001\t\x8a\x4f\x8e\x9a\n",
    );
    let (code, out, err) = mappings(&["check", s(&a), s(&b)]);
    assert_eq!(code, 1, "{out}{err}");
    let (a, b) = (a.display(), b.display());
    for want in [
        format!("{a}:4: error: "),
        format!("{a}:5: error: "),
        format!("{a}:6: error: "),
        format!("{a}:7: error: source U+E000 is listed twice (first on line 3) [duplicate-source]"),
        format!("{a}:8: error: U+E004 → MJ999999: "),
        format!("{a}:9: error: U+E005 → KOSEKI:999999: "),
        format!("{a}:10: error: U+E006 → J+FFFF: "),
        format!("{a}:11: error: target U+E100 is itself a private-use code"),
        format!("{a}:12: warning: source U+6F22 is 漢 (U+6F22)"),
        format!("{a}:13: warning: source U+E800 never occurs in cp932 input"),
        format!("{b}:1: error: U+E000 → MJ000002 conflicts with {a}:3"),
        format!("{b}:2: warning: U+E010 is marked ! (override) but no earlier table maps it"),
        format!("{b}:3: error: the file is not UTF-8"),
    ] {
        assert!(out.contains(&want), "missing {want:?} in:\n{out}");
    }
    assert!(
        out.trim_end()
            .ends_with("2 tables, 9 entries (--encoding cp932, --ivs keep): 10 errors, 3 warnings"),
        "{out}"
    );
    let (code, out, _) = mappings(&["check", "--json", &a.to_string(), &b.to_string()]);
    assert_eq!(code, 1);
    let j = json(&out);
    assert_eq!(
        (j["errors"].as_u64(), j["warnings"].as_u64()),
        (Some(10), Some(3))
    );
    let codes: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "syntax",
            "bad-source",
            "bad-target",
            "duplicate-source",
            "unknown-target",
            "unknown-target",
            "unknown-target",
            "pua-target",
            "not-user-defined",
            "unreachable-source",
            "conflict",
            "nothing-to-override",
            "not-utf8"
        ]
    );
    assert_eq!(j["findings"][0]["line"], 4);
}

#[test]
fn check_exit_status_clean_warnings_strict_and_unreadable() {
    // The corpus tables are clean.
    let (code, out, _) = mappings(&["check", VENDOR_A, FIX]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "OK: 2 tables, 8 entries (--encoding cp932, --ivs keep): no findings\n"
    );
    assert_eq!(
        mappings(&["check", "--encoding", "eucjp-ms", VENDOR_B]).0,
        0
    );
    // --ivs never: MJ000437 has no JIS X 0213 form (a warning; --strict fails).
    let (code, out, _) = mappings(&["check", "--ivs", "never", VENDOR_A, FIX]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("{VENDOR_A}:9: warning: 0xF046 → MJ000437: "))
            && out.contains("[no-jis-form]"),
        "{out}"
    );
    assert_eq!(
        mappings(&["check", "--ivs", "never", "--strict", VENDOR_A, FIX]).0,
        1
    );
    // Unreadable: a missing table, an unknown layout.
    let (code, _, err) = mappings(&["check", "testdata/corpus/gaiji/missing.tsv"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.tsv: cannot read the 外字 table"),
        "{err}"
    );
    assert_eq!(
        mappings(&["check", "--layout", "no-such-layout", VENDOR_A]).0,
        2
    );
    let (code, out, _) = mappings(&["check", "--json", "--layout", LAYOUT, VENDOR_A]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["options"]["layout"], LAYOUT);
}

#[test]
fn check_reads_sources_in_the_given_encoding() {
    // 0x8FF5A1 is one eucJP-ms 外字 (U+E3AC) but two characters in CP932.
    let dir = tempfile::tempdir().unwrap();
    let t = write(
        dir.path(),
        "t.tsv",
        b"0x8FF5A1\tMJ000001\nU+E3AC\tMJ000002\n",
    );
    let (code, out, _) = mappings(&["check", "--encoding", "eucjp-ms", s(&t)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(":2: error: source U+E3AC is listed twice"),
        "{out}"
    );
    let (code, out, _) = mappings(&["check", "--encoding", "cp932", s(&t)]);
    assert_eq!(code, 1);
    assert!(
        out.contains(":1: error: source \"0x8FF5A1\" is not one character in cp932"),
        "{out}"
    );
    // Plain euc-jp refuses the user-defined rows: a U+ 外字 source can never occur.
    let (code, out, _) = mappings(&["check", "--encoding", "euc-jp", VENDOR_B]);
    assert_eq!(
        code, 1,
        "the 0x sources are not characters in euc-jp: {out}"
    );
    assert!(
        out.contains(":6: warning: source U+E3AC never occurs in euc-jp input"),
        "{out}"
    );
}

#[test]
fn diff_lists_each_entry_change_with_glyph_and_written_form() {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_vendor_a(dir.path());
    let (code, out, err) = mappings(&["diff", VENDOR_A, s(&new)]);
    assert_eq!(code, 1, "{out}{err}");
    for want in [
        "changed   U+E000\n  old  J+AEAC = MJ032129 \u{20BB7}  → writes \u{20BB7} (U+20BB7)  [testdata/corpus/gaiji/vendor-a.tsv:4]\n  new  MJ000001 々  → writes 々 (U+3005)",
        "renotated U+E001 (0xF041)\n",
        "added     U+E002\n  new  J+9AD8 = MJ028901 高  → writes 高 (U+9AD8)",
        "removed   U+E006 (0xF046)\n  old  MJ000437 \u{35FB}\u{E0100}  → writes \u{35FB}\u{E0100} (U+35FB U+E0100)",
        "now unmapped: its records follow --unmapped reject",
        "4 entries differ (1 added, 1 changed, 1 removed, 1 renotated)\n",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    let (code, out, _) = mappings(&["diff", "--json", VENDOR_A, s(&new)]);
    assert_eq!(code, 1);
    let j = json(&out);
    assert_eq!(j["different"], true);
    assert_eq!(j["entries"][0]["old"]["mj"], "MJ032129");
    assert_eq!(j["entries"][0]["new"]["written"], "々");
    assert_eq!(j["entries"][1]["table_source"], "0xF041");
    assert!(j.get("corpus").is_none());
    // Same tables: exit 0. Only a renotation: listed, still exit 0.
    let (code, out, _) = mappings(&["diff", VENDOR_A, VENDOR_A]);
    assert_eq!(code, 0);
    assert!(
        out.contains("the tables map every source the same way"),
        "{out}"
    );
    let renotated = write(
        dir.path(),
        "r.tsv",
        std::fs::read_to_string(root().join(VENDOR_A))
            .unwrap()
            .replace("0xF041\tMJ022335", "U+E001\tJ+845B")
            .as_bytes(),
    );
    let (code, out, _) = mappings(&["diff", VENDOR_A, s(&renotated)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 entry differs (1 renotated)"), "{out}");
}

#[test]
fn diff_argument_forms_and_errors() {
    // --old/--new, several tables per side, in --gaiji order: fix.tsv's ! applies.
    let (code, out, _) = mappings(&["diff", "--old", VENDOR_A, "--new", VENDOR_A, "--new", FIX]);
    assert_eq!(code, 1);
    assert!(out.contains("changed   U+E007"), "{out}");
    assert!(out.contains("new  J+9AD9 = MJ028902"), "{out}");
    // Both forms at once, or one side missing: usage error.
    assert_eq!(mappings(&["diff", VENDOR_A, FIX, "--old", FIX]).0, 2);
    assert_eq!(mappings(&["diff", "--old", VENDOR_A]).0, 2);
    assert_eq!(mappings(&["diff", VENDOR_A]).0, 2);
    // --corpus needs --layout.
    assert_eq!(mappings(&["diff", VENDOR_A, FIX, "--corpus", SJIS[0]]).0, 2);
    // A table with errors: exit 2, naming the line.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.tsv", b"U+E000\tMJ999999\n");
    let (code, _, err) = mappings(&["diff", VENDOR_A, s(&bad)]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("NEW ({}): ", bad.display())) && err.contains("bad.tsv:1: error"),
        "{err}"
    );
    let (code, _, err) = mappings(&["diff", VENDOR_A, s(&dir.path().join("none.tsv"))]);
    assert_eq!(code, 2);
    assert!(
        err.contains("none.tsv: cannot read the 外字 table"),
        "{err}"
    );
}

/// What convert did with one record: written (its items) or rejected (code, message).
#[derive(Debug, PartialEq, Eq)]
enum Fate {
    Written(Vec<String>),
    Rejected(String, String),
}

/// Each record of a convert output directory, by (input stem, key).
fn fates(dir: &Path, stems: &[&str]) -> BTreeMap<(String, String), Fate> {
    let mut m = BTreeMap::new();
    for stem in stems {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(dir.join(format!("{stem}.csv")))
            .unwrap();
        for rec in r.records() {
            let items: Vec<String> = rec.unwrap().iter().map(String::from).collect();
            m.insert((stem.to_string(), items[0].clone()), Fate::Written(items));
        }
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(dir.join(format!("{stem}.rejects.csv")))
            .unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let raw = base64::engine::general_purpose::STANDARD
                .decode(&rec[8])
                .unwrap();
            // The key is the first item: up to the first comma (CSV), 15 bytes (fixed).
            let first = raw.split(|&b| b == b',').next().unwrap();
            let key = String::from_utf8_lossy(&first[..first.len().min(15)])
                .trim()
                .to_string();
            m.insert(
                (stem.to_string(), key),
                Fate::Rejected(rec[1].to_string(), rec[2].to_string()),
            );
        }
    }
    m
}

fn convert(
    out: &Path,
    tables: &[&str],
    extra: &[&str],
    inputs: &[&str],
    layout: &str,
    encoding: &str,
) {
    let mut cmd = ikou();
    cmd.current_dir(root()).args([
        "convert",
        "--layout",
        layout,
        "--encoding",
        encoding,
        "--out",
        s(out),
    ]);
    for t in tables {
        cmd.args(["--gaiji", t]);
    }
    let o = cmd.args(extra).args(inputs).output().unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs `diff --corpus` and two `convert`s with the same tables and options, and
/// checks that the records diff lists are exactly the records whose fate differs.
/// Returns diff's JSON.
fn diff_matches_two_converts(
    old: &[&str],
    new: &[&str],
    extra: &[&str],
    inputs: &[&str],
    layout: &str,
    encoding: &str,
) -> serde_json::Value {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    convert(a.path(), old, extra, inputs, layout, encoding);
    convert(b.path(), new, extra, inputs, layout, encoding);
    let stems: Vec<&str> = inputs
        .iter()
        .map(|i| Path::new(i).file_stem().unwrap().to_str().unwrap())
        .collect();
    let (fa, fb) = (fates(a.path(), &stems), fates(b.path(), &stems));
    assert_eq!(fa.len(), fb.len());
    let mut want = BTreeSet::new();
    for (k, x) in &fa {
        let y = &fb[k];
        if x != y {
            let kind = match (x, y) {
                (Fate::Written(_), Fate::Written(_)) => "output-changed",
                (Fate::Written(_), Fate::Rejected(..)) => "now-rejected",
                (Fate::Rejected(..), Fate::Written(_)) => "now-written",
                (Fate::Rejected(..), Fate::Rejected(..)) => "reject-changed",
            };
            want.insert((k.0.clone(), k.1.clone(), kind.to_string()));
        }
    }
    let mut args = vec!["diff", "--json", "--encoding", encoding, "--layout", layout];
    for t in old {
        args.extend(["--old", t]);
    }
    for t in new {
        args.extend(["--new", t]);
    }
    args.extend(extra);
    args.push("--corpus");
    args.extend(inputs);
    let (code, out, err) = mappings(&args);
    assert!(matches!(code, 0 | 1), "{err}");
    let j = json(&out);
    let mut got = BTreeSet::new();
    for f in j["corpus"]["files"].as_array().unwrap() {
        let stem = Path::new(f["path"].as_str().unwrap())
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for r in f["listed"].as_array().unwrap() {
            got.insert((
                stem.clone(),
                r["key"].as_str().unwrap().to_string(),
                r["change"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(got, want, "diff --corpus vs two convert runs");
    assert_eq!(j["corpus"]["changed"].as_u64(), Some(want.len() as u64));
    j
}

#[test]
fn diff_corpus_lists_exactly_the_records_two_converts_write_differently() {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_vendor_a(dir.path());
    let j = diff_matches_two_converts(
        &[VENDOR_A, FIX],
        &[s(&new), FIX],
        &[],
        &SJIS,
        LAYOUT,
        "cp932",
    );
    assert_eq!(j["corpus"]["changed"], 6, "{j}");
    assert_eq!(j["corpus"]["records"], 31);
    let kinds = &j["corpus"]["files"][0]["by_change"];
    assert_eq!(kinds["reject-changed"], 1, "{kinds}");
    // Per entry: the records it touches.
    let records: Vec<(String, Option<u64>)> = j["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_string(),
                e["records"].as_u64(),
            )
        })
        .collect();
    let r = |s: &str, n| (s.to_string(), n);
    assert_eq!(
        records,
        vec![
            r("U+E000", Some(2)),
            r("U+E001", None),
            r("U+E002", Some(3)),
            r("U+E006", Some(2))
        ]
    );
    // Under --ivs never and --unmapped geta the same edit changes other records.
    diff_matches_two_converts(
        &[VENDOR_A, FIX],
        &[s(&new), FIX],
        &["--ivs", "never"],
        &SJIS,
        LAYOUT,
        "cp932",
    );
    diff_matches_two_converts(
        &[VENDOR_A, FIX],
        &[s(&new), FIX],
        &["--unmapped", "geta"],
        &SJIS,
        LAYOUT,
        "cp932",
    );
    // eucJP-ms fixed-length: the G3 外字 (U+E3AC) retargeted, the unmapped one added.
    let b = std::fs::read_to_string(root().join(VENDOR_B))
        .unwrap()
        .replace("U+E3AC\tKOSEKI:513280", "U+E3AC\tJ+9AD8")
        + "0xF5A5\tMJ000001\n";
    let nb = write(dir.path(), "vendor-b.tsv", b.as_bytes());
    let j = diff_matches_two_converts(
        &[VENDOR_B],
        &[s(&nb)],
        &[],
        &["testdata/corpus/input/kojin_euc.dat"],
        "testdata/corpus/layouts/kojin-fixed.toml",
        "eucjp-ms",
    );
    assert_eq!(j["corpus"]["changed"], 2, "{j}");
}

#[test]
fn diff_corpus_shows_no_item_value_but_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_vendor_a(dir.path());
    let mut outputs = String::new();
    for json in [false, true] {
        let mut args = vec![
            "diff",
            "--layout",
            LAYOUT,
            "--old",
            VENDOR_A,
            "--old",
            FIX,
            "--new",
            s(&new),
            "--new",
            FIX,
        ];
        if json {
            args.push("--json");
        }
        args.push("--corpus");
        args.extend(SJIS);
        let (code, out, err) = mappings(&args);
        assert_eq!(code, 1, "{err}");
        assert!(err.is_empty(), "{err}");
        outputs.push_str(&out);
    }
    assert!(outputs.contains("000000000000103"), "keys are shown");
    // Every other item value of the corpus records (names, kana, dates, addresses, 個人番号).
    for tables in [[VENDOR_A, FIX], [s(&new), FIX]] {
        let a = tempfile::tempdir().unwrap();
        convert(a.path(), &tables, &[], &SJIS, LAYOUT, "cp932");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(a.path().join("kojin_sjis.csv"))
            .unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            for (i, v) in rec.iter().enumerate().skip(1) {
                // Short codes (性別 "1") occur in any text; everything longer must not.
                if v.chars().count() >= 4 {
                    assert!(!outputs.contains(v), "item {i} value {v:?} shown");
                }
            }
        }
    }
}

#[test]
fn diff_limit_lists_the_first_records_and_counts_all() {
    let dir = tempfile::tempdir().unwrap();
    let new = edited_vendor_a(dir.path());
    let (code, out, _) = mappings(&[
        "diff",
        "--limit",
        "1",
        "--layout",
        LAYOUT,
        VENDOR_A,
        s(&new),
        "--corpus",
        SJIS[0],
        "--jobs",
        "2",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("kojin_sjis.csv: 4 of 29 records change"),
        "{out}"
    );
    assert_eq!(out.matches("    record ").count(), 1, "{out}");
    assert!(
        out.contains("… 3 more (raise --limit to list them)"),
        "{out}"
    );
}
