//! The regression corpus (testdata/corpus/): each run in runs.txt converts its
//! inputs, and every file it writes must equal the file in expected/<run>/, byte
//! for byte, with no file missing or extra. Any change of behaviour shows up here
//! and, once blessed, as a diff of the expected files in review.
//!
//! After an intended change, regenerate the expected files and review their diff:
//!     IKOU_BLESS=1 cargo test --release --test corpus

mod common;

use common::{ikou, root, s};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BLESS: &str = "IKOU_BLESS=1 cargo test --release --test corpus";

fn corpus() -> PathBuf {
    root().join("testdata/corpus")
}

struct Run {
    name: String,
    status: i32,
    args: Vec<String>,
}

fn runs() -> Vec<Run> {
    let text = std::fs::read_to_string(corpus().join("runs.txt")).unwrap();
    let runs: Vec<Run> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let (name, status, args) = (cols.next(), cols.next(), cols.next());
            Run {
                name: name.unwrap().to_string(),
                status: status.and_then(|s| s.parse().ok()).expect("exit status"),
                args: args
                    .expect("arguments")
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
            }
        })
        .collect();
    assert!(runs.len() >= 4, "runs.txt lists the corpus runs");
    runs
}

/// Runs `ikou convert` from the repository root (relative paths in the manifest).
fn convert(run: &Run, out: &Path, extra: &[&str]) -> (i32, String) {
    let o = ikou()
        .current_dir(root())
        .arg("convert")
        .args(&run.args)
        .args(extra)
        .args(["--out", s(out)])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

/// What differs between two directories, for people: missing and extra files, and
/// the first differing lines of each changed file.
fn compare(want_dir: &Path, got_dir: &Path) -> Vec<String> {
    let (want, got) = (files(want_dir), files(got_dir));
    let mut problems = Vec::new();
    for name in want.keys().filter(|n| !got.contains_key(*n)) {
        problems.push(format!("{name}: expected, but not written"));
    }
    for name in got.keys().filter(|n| !want.contains_key(*n)) {
        problems.push(format!("{name}: written, but not in the expected files"));
    }
    for (name, w) in &want {
        let Some(g) = got.get(name) else { continue };
        if w == g {
            continue;
        }
        let (w, g) = (String::from_utf8_lossy(w), String::from_utf8_lossy(g));
        let (wl, gl): (Vec<&str>, Vec<&str>) = (w.split('\n').collect(), g.split('\n').collect());
        let mut shown = Vec::new();
        for i in 0..wl.len().max(gl.len()) {
            let (a, b) = (wl.get(i), gl.get(i));
            if a != b {
                shown.push(format!(
                    "    line {}:\n      - {}\n      + {}",
                    i + 1,
                    a.map_or("(none)".into(), |x| x.trim_end().to_string()),
                    b.map_or("(none)".into(), |x| x.trim_end().to_string())
                ));
                if shown.len() == 5 {
                    break;
                }
            }
        }
        problems.push(format!("{name}: differs\n{}", shown.join("\n")));
    }
    problems
}

#[test]
fn corpus_outputs_match_the_expected_files() {
    let bless = std::env::var_os("IKOU_BLESS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for run in runs() {
        let tmp = tempfile::tempdir().unwrap();
        let (code, err) = convert(&run, tmp.path(), &[]);
        if code != run.status {
            problems.push(format!(
                "{}: exit status {code}, runs.txt expects {}\n{err}",
                run.name, run.status
            ));
        }
        let expected = corpus().join("expected").join(&run.name);
        if bless {
            // Whatever convert writes is the new expectation, including new files.
            let _ = std::fs::remove_dir_all(&expected);
            std::fs::create_dir_all(&expected).unwrap();
            for (name, bytes) in files(tmp.path()) {
                let dest = expected.join(&name);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::write(dest, bytes).unwrap();
            }
            eprintln!("blessed {}", expected.display());
            continue;
        }
        assert!(
            expected.is_dir(),
            "{} is missing; create it with: {BLESS}",
            expected.display()
        );
        for p in compare(&expected, tmp.path()) {
            problems.push(format!("{}: {p}", run.name));
        }
    }
    assert!(
        problems.is_empty(),
        "the corpus output changed:\n{}\n\nIf the change is intended, regenerate the expected files with\n    {BLESS}\nand review their diff.",
        problems.join("\n")
    );
}

#[test]
fn corpus_outputs_do_not_depend_on_jobs_or_chunk_size_and_verify() {
    // Compared run against run (not against expected/), so blessing never races it.
    for run in runs() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (ca, _) = convert(&run, a.path(), &["--jobs", "1"]);
        let (cb, _) = convert(&run, b.path(), &["--jobs", "2", "--chunk-bytes", "97"]);
        assert_eq!((ca, cb), (run.status, run.status), "{}", run.name);
        let problems = compare(a.path(), b.path());
        assert!(problems.is_empty(), "{}: {problems:#?}", run.name);
        let o = ikou()
            .current_dir(root())
            .args(["verify", "--inputs", s(b.path())])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            run.name,
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn corpus_inputs_are_what_make_corpus_py_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("python3")
        .arg(corpus().join("make_corpus.py"))
        .args(["--out", s(tmp.path())])
        .output()
        .expect("python3 runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let problems = compare(&corpus().join("input"), tmp.path());
    assert!(
        problems.is_empty(),
        "testdata/corpus/input/ is not what make_corpus.py writes; run python3 testdata/corpus/make_corpus.py:\n{problems:#?}"
    );
}

/// The corpus exercises what it claims to, so a corpus edit that loses a case fails
/// here even after blessing. (Converts afresh rather than reading expected/, which
/// a blessing run rewrites at the same time.)
#[test]
fn corpus_covers_every_notation_policy_and_reject_kind() {
    let dir = tempfile::tempdir().unwrap();
    let all = runs();
    let output = |run: &str, file: &str| -> String {
        let out = dir.path().join(run);
        if !out.is_dir() {
            let r = all.iter().find(|r| r.name == run).expect("run in runs.txt");
            convert(r, &out, &[]);
        }
        std::fs::read_to_string(out.join(file)).unwrap()
    };
    let manifest = |run: &str| -> serde_json::Value {
        serde_json::from_str(&output(run, "manifest.json")).unwrap()
    };
    let keep = manifest("cp932-keep");
    let targets: Vec<&str> = keep["gaiji"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["count"].as_u64() > Some(0))
        .map(|g| g["target"].as_str().unwrap())
        .collect();
    for prefix in ["J+", "MJ", "KOSEKI:", "U+"] {
        assert!(
            targets.iter().any(|t| t.starts_with(prefix)),
            "no 外字 written through a {prefix} target: {targets:?}"
        );
    }
    assert!(
        targets
            .iter()
            .any(|t| t.starts_with("U+") && t.contains(' ')),
        "an explicit code point sequence"
    );
    let reasons = |m: &serde_json::Value| -> Vec<String> {
        m["reject_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    let r = reasons(&keep);
    for code in [
        "unmapped-gaiji",
        "item-count",
        "too-long",
        "required",
        "undecodable",
        "broken-quote",
        "unclosed-quote",
        "invalid-date",
        "unknown-code",
        "not-digits",
        "not-kana",
        "unknown-era",
        "era-out-of-range",
        "meiji-lunar-calendar",
    ] {
        assert!(r.iter().any(|x| x == code), "no {code} reject: {r:?}");
    }
    assert!(reasons(&manifest("eucjpms-keep")).contains(&"wrong-length".to_string()));
    let rules: Vec<&str> = keep["cleansing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "halfwidth-kana",
        "fullwidth-digit",
        "wareki-to-seireki",
        "hiragana-to-katakana",
        "zero-date-to-empty",
        "trim-trailing-fullwidth-space",
    ] {
        assert!(rules.contains(&rule), "no {rule}: {rules:?}");
    }
    assert!(!keep["compat"].as_array().unwrap().is_empty());
    assert!(!keep["variants"].as_array().unwrap().is_empty());
    // --ivs never: the glyph with no JIS X 0213 form is rejected instead of written.
    let never = manifest("cp932-never");
    assert!(never["counts"]["rejected"].as_u64() > keep["counts"]["rejected"].as_u64());
    assert_eq!(
        manifest("cp932-geta")["options"]["extra"]["unmapped"],
        "geta"
    );
    // A quoted line break survives into the output.
    let out = output("cp932-keep", "kojin_sjis.csv");
    assert!(out.contains("2-1\r\n見本荘3号\""), "quoted line break");
}
