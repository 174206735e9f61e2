//! The CI snippet of the README (ci/ikou-ci.sh) runs green on ikou's own corpus, and
//! fails when the corpus output no longer matches.

mod common;

use std::path::Path;
use std::process::Command;

fn run_script(work: &Path, base: &str) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_ikou"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("sh")
        .arg("ci/ikou-ci.sh")
        .current_dir(common::root())
        .env("PATH", path)
        .env("BASE", base)
        .env("WORK", work)
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap_or(-1), text)
}

#[test]
fn the_ci_snippet_passes_on_the_corpus() {
    let in_git = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(common::root())
        .output()
        .is_ok_and(|o| o.status.success());
    if !in_git {
        eprintln!(
            "SKIPPED: not a git checkout; ci/ikou-ci.sh compares tables with the base branch through git"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (code, out) = run_script(&tmp.path().join("work"), "HEAD");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ikou CI: OK"), "{out}");
    // Against a base without the tables, every entry is "added" and listed.
    let (code, out) = run_script(&tmp.path().join("work2"), "no-such-base-branch");
    assert_eq!(code, 0, "a table diff is a report, not a failure: {out}");
    assert!(out.contains("added"), "{out}");
}
