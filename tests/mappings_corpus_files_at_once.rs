//! `ikou mappings diff --corpus` reads several corpus files at once (bounded by
//! --jobs), and its report (text and --json) is byte for byte the same for any
//! --jobs and the same as reading the files one after another.

mod common;
#[path = "files_at_once/mod.rs"]
mod files_at_once;

use common::{ikou, root, s};
use files_at_once::{input, mkfifo, run_fed_last_first, write_inputs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// OLD (the sample table) and NEW (U+E000 written otherwise, U+E002 mapped, U+E004
/// no longer mapped), written in `dir`.
fn tables(dir: &Path) -> (PathBuf, PathBuf) {
    let old = root().join("testdata/gaiji/sample.tsv");
    let text = std::fs::read_to_string(&old).unwrap();
    let new_text: String = text
        .lines()
        .filter(|l| !l.starts_with("U+E004"))
        .map(|l| {
            if l.starts_with("U+E000") {
                "U+E000\tU+3013\t〓\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .chain(["U+E002\tMJ000001\n".to_string()])
        .collect();
    let new = dir.join("new.tsv");
    std::fs::write(&new, new_text).unwrap();
    (old, new)
}

/// `ikou mappings diff OLD NEW --layout LAYOUT extra… --corpus inputs…` run in
/// `cwd`; (exit code, stdout, stderr).
fn diff_args(old: &Path, new: &Path, extra: &[&str], inputs: &[String]) -> Vec<String> {
    let layout = root().join("testdata/layouts/juki-kojin.toml");
    let mut a: Vec<String> = ["mappings", "diff", s(old), s(new), "--layout", s(&layout)]
        .map(String::from)
        .to_vec();
    a.extend(extra.iter().map(|e| e.to_string()));
    a.push("--corpus".into());
    a.extend(inputs.iter().cloned());
    a
}

fn diff(cwd: &Path, args: &[String]) -> (i32, Vec<u8>, String) {
    let o = ikou()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn text_and_json_are_the_same_for_any_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = write_inputs(tmp.path(), 5);
    let (old, new) = tables(tmp.path());
    for (chunk, limit) in [("1048576", "1000"), ("300", "3"), ("300", "0")] {
        let mut first: Option<(Vec<u8>, Vec<u8>)> = None;
        for jobs in ["1", "2", "3"] {
            let base = ["--jobs", jobs, "--chunk-bytes", chunk, "--limit", limit];
            let (code, text, err) = diff(tmp.path(), &diff_args(&old, &new, &base, &inputs));
            assert_eq!(code, 1, "jobs {jobs}: {err}");
            let json_args = diff_args(&old, &new, &[&base[..], &["--json"]].concat(), &inputs);
            let (code, json, err) = diff(tmp.path(), &json_args);
            assert_eq!(code, 1, "jobs {jobs}: {err}");
            match &first {
                None => first = Some((text, json)),
                Some(f) => {
                    assert!(f.0 == text, "text: jobs {jobs} chunk {chunk} differs");
                    assert!(f.1 == json, "--json: jobs {jobs} chunk {chunk} differs");
                }
            }
        }
        let (_, json) = first.unwrap();
        let d: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let files = d["corpus"]["files"].as_array().unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
        assert_eq!(paths, inputs);
        let records: Vec<u64> = files
            .iter()
            .map(|f| f["records"].as_u64().unwrap())
            .collect();
        assert_eq!(records, [17, 34, 51, 68, 85]);
        // Changed records grow with each file's copies of the sample; the listed
        // ones come in file order, at most --limit of them.
        let changed: Vec<u64> = files
            .iter()
            .map(|f| f["changed"].as_u64().unwrap())
            .collect();
        assert!(changed[0] > 0, "{d}");
        for (k, c) in changed.iter().enumerate() {
            assert_eq!(*c, changed[0] * (k as u64 + 1), "{d}");
        }
        for f in files {
            let listed: Vec<u64> = f["listed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["record"].as_u64().unwrap())
                .collect();
            assert!(listed.windows(2).all(|p| p[0] < p[1]), "{f}");
            let want = match limit {
                "0" => f["changed"].as_u64().unwrap() as usize,
                l => (f["changed"].as_u64().unwrap() as usize).min(l.parse().unwrap()),
            };
            assert_eq!(listed.len(), want, "{f}");
        }
    }
}

#[test]
fn corpus_files_are_read_at_once() {
    // Input 1 gets its bytes only after input 2 has been opened: a run one file
    // after another waits for input 1 and never opens input 2.
    let tmp = tempfile::tempdir().unwrap();
    let (fed, plain) = (tmp.path().join("fed"), tmp.path().join("plain"));
    std::fs::create_dir(&fed).unwrap();
    std::fs::create_dir(&plain).unwrap();
    let (old, new) = tables(tmp.path());
    let names = write_inputs(&plain, 2);
    let fifos: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(k, n)| {
            mkfifo(&fed.join(n));
            (fed.join(n), input(k))
        })
        .collect();
    let mut cmd = ikou();
    cmd.current_dir(&fed)
        .args(diff_args(&old, &new, &["--json", "--jobs", "2"], &names));
    let o =
        run_fed_last_first(cmd, &fifos, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (code, want, err) = diff(
        &plain,
        &diff_args(&old, &new, &["--json", "--jobs", "1"], &names),
    );
    assert_eq!(code, 1, "{err}");
    assert!(o.stdout == want, "the report of the FIFOs differs");
}

#[test]
fn a_failing_file_stops_the_run_and_is_named_for_any_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = tables(tmp.path());
    let mut inputs = write_inputs(tmp.path(), 4);
    inputs.insert(2, "missing.csv".into());
    for jobs in ["1", "2", "3"] {
        let (code, out, err) = diff(
            tmp.path(),
            &diff_args(&old, &new, &["--jobs", jobs], &inputs),
        );
        assert_eq!(code, 2, "jobs {jobs}: {err}");
        assert!(out.is_empty(), "jobs {jobs}: a failed run prints no report");
        assert!(err.contains("missing.csv: no such file"), "{err}");
    }
    // --jobs as for convert: 1 to 256 (exit 2).
    for jobs in ["0", "257"] {
        let (code, _, err) = diff(
            tmp.path(),
            &diff_args(&old, &new, &["--jobs", jobs], &inputs),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("1..=256"), "{err}");
    }
}
