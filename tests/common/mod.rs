//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// The `ikou` binary built for this test run.
pub fn ikou() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ikou"))
}

/// Runs `ikou args…`; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    outcome(ikou().args(args))
}

/// Runs `ikou args…` in `dir` (relative paths are taken from there); returns
/// (exit code, stdout, stderr).
pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(ikou().current_dir(dir).args(args))
}

fn outcome(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("ikou runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Converts with iconv(1) (the glibc converter, an independent implementation).
pub fn iconv(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("iconv")
        .args(["-f", from, "-t", to])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("iconv is installed");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = bytes.to_vec();
    let w = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("iconv ran");
    w.join().expect("writer").expect("write");
    assert!(out.status.success(), "iconv -f {from} -t {to} failed");
    out.stdout
}

pub fn read_manifest(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest is JSON")
}

/// The layout of the bundled sample.
pub const SAMPLE_LAYOUT: &str = "testdata/layouts/juki-kojin.toml";

/// Runs `ikou convert --layout SAMPLE_LAYOUT --out OUT extra… inputs…` from the
/// repository root; returns (exit code, stderr).
pub fn convert_sample_layout(out: &Path, extra: &[&str], inputs: &[&Path]) -> (i32, String) {
    let mut args = vec!["convert", "--layout", SAMPLE_LAYOUT, "--out", s(out)];
    args.extend_from_slice(extra);
    args.extend(inputs.iter().map(|p| s(p)));
    let o = ikou()
        .current_dir(root())
        .args(&args)
        .output()
        .expect("ikou runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
