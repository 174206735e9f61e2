//! `ikou profile` reads several files at once (bounded by --jobs), and what it
//! prints (table, --json, --worklist) is byte for byte the same for any --jobs
//! and the same as reading them one after another.

mod common;
#[path = "files_at_once/mod.rs"]
mod files_at_once;

use common::{ikou, root, s};
use files_at_once::{input, mkfifo, run_fed_last_first, write_inputs};
use std::path::Path;
use std::time::Duration;

/// `ikou profile --layout LAYOUT --gaiji GAIJI extra… inputs…` run in `cwd`;
/// (exit code, stdout, stderr).
fn profile(cwd: &Path, extra: &[&str], inputs: &[String]) -> (i32, Vec<u8>, String) {
    let (layout, gaiji) = (
        root().join("testdata/layouts/juki-kojin.toml"),
        root().join("testdata/gaiji/sample.tsv"),
    );
    let o = ikou()
        .current_dir(cwd)
        .args(["profile", "--layout", s(&layout), "--gaiji", s(&gaiji)])
        .args(extra)
        .args(inputs)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn table_json_and_work_list_are_the_same_for_any_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = write_inputs(tmp.path(), 5);
    // Small chunks: many of every file in flight at once.
    for chunk in ["1048576", "700"] {
        let mut first: Option<(Vec<u8>, Vec<u8>, Vec<u8>)> = None;
        for jobs in ["1", "2", "3"] {
            let base = ["--jobs", jobs, "--chunk-bytes", chunk];
            let (code, table, err) = profile(tmp.path(), &base, &inputs);
            assert_eq!(code, 3, "jobs {jobs}: {err}");
            let (code, json, err) =
                profile(tmp.path(), &[&base[..], &["--json"]].concat(), &inputs);
            assert_eq!(code, 3, "jobs {jobs}: {err}");
            let wl = format!("worklist-{jobs}-{chunk}.tsv");
            let (code, _, err) = profile(
                tmp.path(),
                &[&base[..], &["-q", "--worklist", &wl]].concat(),
                &inputs,
            );
            assert_eq!(code, 3, "jobs {jobs}: {err}");
            let wl = std::fs::read(tmp.path().join(&wl)).unwrap();
            let got = (table, json, wl);
            match &first {
                None => first = Some(got),
                Some(f) => {
                    assert!(f.0 == got.0, "table: jobs {jobs} chunk {chunk} differs");
                    assert!(f.1 == got.1, "--json: jobs {jobs} chunk {chunk} differs");
                    assert!(
                        f.2 == got.2,
                        "--worklist: jobs {jobs} chunk {chunk} differs"
                    );
                }
            }
        }
        // Each file on its own line, in input order; a 外字 first met where input
        // order says (file 0 holds every one of them).
        let (_, json, wl) = first.unwrap();
        let p: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let paths: Vec<&str> = p["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, inputs);
        let records: Vec<u64> = p["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["records"].as_u64().unwrap())
            .collect();
        assert_eq!(records, [17, 34, 51, 68, 85]);
        for g in p["gaiji"].as_array().unwrap() {
            assert_eq!(g["file"], 0, "{g}");
        }
        assert!(String::from_utf8(wl).unwrap().contains("U+E002"));
    }
}

#[test]
fn files_are_read_at_once() {
    // Input 1 gets its bytes only after input 2 has been opened: a run one file
    // after another waits for input 1 and never opens input 2.
    let tmp = tempfile::tempdir().unwrap();
    let (fed, plain) = (tmp.path().join("fed"), tmp.path().join("plain"));
    std::fs::create_dir(&fed).unwrap();
    std::fs::create_dir(&plain).unwrap();
    let names = write_inputs(&plain, 2);
    let fifos: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(k, n)| {
            mkfifo(&fed.join(n));
            (fed.join(n), input(k))
        })
        .collect();
    let (layout, gaiji) = (
        root().join("testdata/layouts/juki-kojin.toml"),
        root().join("testdata/gaiji/sample.tsv"),
    );
    let mut cmd = ikou();
    cmd.current_dir(&fed)
        .args(["profile", "--json", "--jobs", "2", "--layout", s(&layout)])
        .args(["--gaiji", s(&gaiji)])
        .args(&names);
    let o =
        run_fed_last_first(cmd, &fifos, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The same profile as of the same bytes in regular files, one after another.
    let (code, want, err) = profile(&plain, &["--json", "--jobs", "1"], &names);
    assert_eq!(code, 3, "{err}");
    assert!(o.stdout == want, "the profile of the FIFOs differs");
}

#[test]
fn a_failing_file_stops_the_run_and_is_named_for_any_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inputs = write_inputs(tmp.path(), 4);
    // A directory passes the skipped check and fails when it is read (exit 1).
    std::fs::create_dir(tmp.path().join("adir")).unwrap();
    inputs.insert(1, "adir".into());
    for jobs in ["1", "2", "3"] {
        let (code, out, err) = profile(
            tmp.path(),
            &["--jobs", jobs, "--skip-encoding-check"],
            &inputs,
        );
        assert_eq!(code, 1, "jobs {jobs}: {err}");
        assert!(
            out.is_empty(),
            "jobs {jobs}: a failed run prints no profile"
        );
        assert!(
            err.contains("adir:") && err.contains("reading the input failed"),
            "{err}"
        );
    }
}
