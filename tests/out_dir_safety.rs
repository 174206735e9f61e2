//! What `convert` may touch in --out: never an input, never a file it did not
//! write, never through a symlink; one run at a time; an earlier run's leftovers
//! removed once the new run is published.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GAIJI: &str = "testdata/gaiji/sample.tsv";

/// `ikou convert` with the sample layout and 外字 table; (exit code, stderr).
fn convert(out: &Path, extra: &[&str], inputs: &[&Path]) -> (i32, String) {
    let mut e = vec!["--gaiji", GAIJI];
    e.extend_from_slice(extra);
    convert_sample_layout(out, &e, inputs)
}

fn verify_ok(out: &Path) {
    let (code, stdout, stderr) = run(&["verify", s(out)]);
    assert_eq!(code, 0, "verify failed: {stdout}{stderr}");
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn sample() -> Vec<u8> {
    fs::read(testdata("juki_kojin.csv")).unwrap()
}

/// A copy of the sample input at `path`.
fn put_sample(path: &Path) -> PathBuf {
    fs::write(path, sample()).unwrap();
    path.to_path_buf()
}

/// The sample repeated until it is about `bytes` long (slow enough to race with).
fn big_input(path: &Path, bytes: usize) -> PathBuf {
    let one = sample();
    let mut data = Vec::with_capacity(bytes + one.len());
    while data.len() < bytes {
        data.extend_from_slice(&one);
    }
    fs::write(path, data).unwrap();
    path.to_path_buf()
}

#[test]
fn inputs_named_as_ikous_files_inside_out_are_refused_and_kept() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    let m = put_sample(&d.join("manifest.json"));
    let r = put_sample(&d.join("report.html"));
    let other = d.join(".ikou-tmp-export.dat");
    fs::write(&other, b"not ours").unwrap();
    for inputs in [vec![&*m, &*r], vec![&*r], vec![&*other]] {
        let (code, err) = convert(&d, &[], &inputs);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("cannot be an input"), "{err}");
        assert_eq!(fs::read(&m).unwrap(), sample());
        assert_eq!(fs::read(&r).unwrap(), sample());
        assert_eq!(fs::read(&other).unwrap(), b"not ours");
        assert_eq!(
            names(&d),
            [".ikou-tmp-export.dat", "manifest.json", "report.html"]
        );
    }
}

#[test]
fn a_directory_with_other_files_is_refused_without_force() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("notes.txt"), b"mine").unwrap();
    let (code, err) = convert(&d, &[], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("notes.txt") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(names(&d), ["notes.txt"]);

    let (code, err) = convert(&d, &["--force"], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 3, "{err}");
    verify_ok(&d);
    assert_eq!(fs::read(d.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(
        names(&d),
        [
            "juki_kojin.csv",
            "juki_kojin.rejects.csv",
            "manifest.json",
            "notes.txt",
            "report.html"
        ]
    );
}

#[test]
fn a_file_ikou_did_not_write_is_never_replaced_even_with_force() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    for name in ["juki_kojin.csv", "juki_kojin.rejects.csv", "report.html"] {
        fs::write(d.join(name), b"mine").unwrap();
        let (code, err) = convert(&d, &["--force"], &[&testdata("juki_kojin.csv")]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(
            err.contains(name) && err.contains("not written by ikou"),
            "{err}"
        );
        assert_eq!(fs::read(d.join(name)).unwrap(), b"mine");
        assert_eq!(names(&d), [name]);
        fs::remove_file(d.join(name)).unwrap();
    }
    // A manifest.json that is not ikou's is not taken as an earlier run's.
    fs::write(d.join("manifest.json"), b"{}").unwrap();
    let (code, err) = convert(&d, &["--force"], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read(d.join("manifest.json")).unwrap(), b"{}");
}

#[test]
fn an_earlier_runs_files_are_replaced_and_its_leftovers_removed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    let a = put_sample(&t.path().join("a.csv"));
    let b = put_sample(&t.path().join("b.csv"));
    assert_eq!(convert(&d, &[], &[&a]).0, 3);
    // The same run again, into its own directory: no --force needed.
    assert_eq!(convert(&d, &[], &[&a]).0, 3);
    verify_ok(&d);
    // Other inputs: a's outputs go once b's run is published.
    let (code, err) = convert(&d, &[], &[&b]);
    assert_eq!(code, 3, "{err}");
    verify_ok(&d);
    assert_eq!(
        names(&d),
        ["b.csv", "b.rejects.csv", "manifest.json", "report.html"]
    );
}

#[test]
fn manifest_entries_outside_out_or_symlinks_are_never_acted_on() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    let a = put_sample(&t.path().join("a.csv"));
    let b = put_sample(&t.path().join("b.csv"));
    assert_eq!(convert(&d, &[], &[&a]).0, 3);
    let victim = t.path().join("victim.csv");
    fs::write(&victim, b"keep").unwrap();
    let linked = t.path().join("linked.csv");
    fs::write(&linked, b"keep too").unwrap();
    std::os::unix::fs::symlink(&linked, d.join("link.csv")).unwrap();
    // A manifest edited to list files outside --out and a symlink inside it.
    let mut m = read_manifest(&d);
    let outputs = m["outputs"].as_array_mut().unwrap();
    for p in [
        "../victim.csv",
        s(&victim),
        "link.csv",
        "sub/../../victim.csv",
    ] {
        outputs.push(serde_json::json!({"path": p, "sha256": "", "bytes": 0, "records": 0}));
    }
    fs::write(d.join("manifest.json"), m.to_string()).unwrap();
    let (code, err) = convert(&d, &[], &[&b]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(fs::read(&victim).unwrap(), b"keep");
    assert_eq!(fs::read(&linked).unwrap(), b"keep too");
    assert!(
        fs::symlink_metadata(d.join("link.csv"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    verify_ok(&d);
}

#[test]
fn an_earlier_output_that_is_now_an_input_is_not_removed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    let a = put_sample(&t.path().join("a.csv"));
    assert_eq!(convert(&d, &[], &[&a]).0, 3);
    // The earlier output, reached through another name, is this run's input.
    let input = t.path().join("again.dat");
    fs::hard_link(d.join("a.csv"), &input).unwrap();
    let before = fs::read(&input).unwrap();
    let (code, err) = convert_sample_layout(&d, &["--encoding", "utf-8"], &[&input]);
    assert!(code == 0 || code == 3, "{err}");
    assert_eq!(fs::read(&input).unwrap(), before);
    assert_eq!(fs::read(d.join("a.csv")).unwrap(), before, "input removed");
}

#[test]
fn a_symlink_planted_at_a_temporary_name_is_not_followed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    let input = big_input(&t.path().join("big.csv"), 6 << 20);
    let outside = t.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let mut child = spawn_convert(&d, &input);
    let pid = child.id();
    // The report and manifest are written at the very end; plant at their names.
    let planted: Vec<(PathBuf, PathBuf)> = ["report.html", "manifest.json"]
        .iter()
        .map(|n| {
            let link = d.join(format!(".ikou-tmp-{pid}-{n}"));
            let target = outside.join(n);
            std::os::unix::fs::symlink(&target, &link).unwrap();
            (link, target)
        })
        .collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3));
    for (link, target) in &planted {
        assert!(
            !target.exists(),
            "{} was written through a symlink",
            target.display()
        );
        assert!(
            fs::symlink_metadata(link).unwrap().file_type().is_symlink(),
            "{} was removed",
            link.display()
        );
    }
    for n in ["report.html", "manifest.json"] {
        assert!(
            fs::symlink_metadata(d.join(n))
                .unwrap()
                .file_type()
                .is_file()
        );
    }
    verify_ok(&d);
}

#[test]
fn a_second_run_into_a_locked_out_stops_and_touches_nothing() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    let a = put_sample(&t.path().join("a.csv"));
    assert_eq!(convert(&d, &[], &[&a]).0, 3);
    let before: Vec<(String, Vec<u8>)> = names(&d)
        .into_iter()
        .map(|n| (n.clone(), fs::read(d.join(&n)).unwrap()))
        .collect();
    // Hold the lock as a running convert does.
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(d.join(".ikou-lock"))
        .unwrap();
    lock.lock().unwrap();
    fs::write(d.join(".ikou-lock"), b"4242\n").unwrap();
    let (code, err) = convert(&d, &[], &[&a]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pid 4242"), "{err}");
    for (n, bytes) in &before {
        assert_eq!(&fs::read(d.join(n)).unwrap(), bytes, "{n} changed");
    }
    drop(lock);
}

#[test]
fn two_runs_into_one_out_the_second_stops_the_first_finishes() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    fs::create_dir(&d).unwrap();
    let input = big_input(&t.path().join("big.csv"), 8 << 20);
    let small = put_sample(&t.path().join("small.csv"));
    let mut first = spawn_convert(&d, &input);
    // Wait until the first run is writing (its temporaries exist).
    let start = Instant::now();
    while !names(&d).iter().any(|n| n.starts_with(".ikou-tmp-")) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the first run never started writing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let (code, err) = convert(&d, &[], &[&small]);
    let status = first.wait().unwrap();
    assert_eq!(code, 1, "second run: {err}");
    assert!(err.contains(&format!("pid {}", first.id())), "{err}");
    assert_eq!(status.code(), Some(3), "the first run failed");
    verify_ok(&d);
    assert_eq!(
        names(&d),
        ["big.csv", "big.rejects.csv", "manifest.json", "report.html"]
    );
}

/// A `convert -q` of `input` into `out` with the sample layout and table, running.
fn spawn_convert(out: &Path, input: &Path) -> std::process::Child {
    ikou()
        .current_dir(root())
        .args([
            "convert",
            "-q",
            "--layout",
            SAMPLE_LAYOUT,
            "--gaiji",
            GAIJI,
            "--out",
            s(out),
            s(input),
        ])
        .spawn()
        .unwrap()
}
