//! The README's first two commands are the ones a new user runs: keep them working.

mod common;

use std::fs;

fn readme_commands() -> (String, String) {
    let readme = fs::read_to_string(common::root().join("README.md")).expect("README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block near the top of the README");
    let mut lines = block.lines();
    (
        lines.next().expect("first command").to_string(),
        lines.next().expect("second command").to_string(),
    )
}

#[test]
fn the_first_command_converts_the_sample() {
    let (run, _) = readme_commands();
    let args = run
        .strip_prefix("cargo run --release -- ")
        .expect("the first command runs the binary through cargo");
    let words: Vec<&str> = args.split_whitespace().collect();
    let out_at = words.iter().position(|w| *w == "--out").expect("--out") + 1;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words[out_at] = out.to_string_lossy().into_owned();
    let o = common::ikou()
        .current_dir(common::root())
        .args(&words)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in [
        "juki_kojin.csv",
        "juki_kojin.rejects.csv",
        "manifest.json",
        "report.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    // `cargo run` needs to know which binary is meant (there is also ikou-mj-import).
    let cargo = fs::read_to_string(common::root().join("Cargo.toml")).unwrap();
    assert!(cargo.contains("default-run = \"ikou\""));
}

#[test]
fn ci_runs_the_readme_test_command() {
    let (_, test) = readme_commands();
    assert_eq!(test, "cargo test --release");
    let ci = fs::read_to_string(common::root().join(".ci/run")).expect(".ci/run");
    let last = ci.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    assert_eq!(
        last.trim(),
        test,
        ".ci/run ends with the README's test command"
    );
}
