//! `ikou verify` on a run whose manifest or files were tampered with: a path
//! leading outside the run, a device, a link, a FIFO is a reported problem
//! (exit 1), never something verify opens or hangs on; and verify's memory
//! stays bounded whatever the size of the reject files.

mod common;

use common::{ikou, s, testdata};
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GAIJI: &str = "testdata/gaiji/sample.tsv";

/// A finished run of the sample in `tmp/run`.
fn sample_run(tmp: &Path) -> PathBuf {
    let run = tmp.join("run");
    let (code, err) =
        common::convert_sample_layout(&run, &["--gaiji", GAIJI], &[&testdata("juki_kojin.csv")]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(verify(&run, &[]).0, 0);
    run
}

/// Runs `ikou verify [extra] DIR`, killed after 60 s: a hang is a failure.
/// Returns (exit code, stdout).
fn verify(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut child = ikou()
        .arg("verify")
        .args(extra)
        .arg(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("ikou verify {} hangs", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

fn edit_manifest(run: &Path, f: impl FnOnce(&mut Value)) {
    let mut m = common::read_manifest(run);
    f(&mut m);
    fs::write(
        run.join("manifest.json"),
        serde_json::to_string_pretty(&m).unwrap(),
    )
    .unwrap();
}

/// Points the manifest's output (and the input's record of it) at `path`.
fn point_output_at(run: &Path, path: &str) {
    edit_manifest(run, |m| {
        m["outputs"][0]["path"] = path.into();
        m["inputs"][0]["output"] = path.into();
    });
}

fn assert_refused(code: i32, stdout: &str, want: &str) {
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains(want), "wanted {want:?} in:\n{stdout}");
    assert!(!stdout.starts_with("OK"), "{stdout}");
}

#[test]
fn a_path_out_of_the_run_is_refused_even_when_the_file_there_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    // An exact copy outside the run: following the path would find it "as recorded".
    fs::copy(
        run.join("juki_kojin.csv"),
        tmp.path().join("juki_kojin.csv"),
    )
    .unwrap();
    point_output_at(&run, "../juki_kojin.csv");
    let (code, stdout) = verify(&run, &[]);
    assert_refused(
        code,
        &stdout,
        "FAIL: ../juki_kojin.csv: not a file name inside the run directory (the manifest may have been edited); verify does not open it",
    );

    let abs = tmp.path().join("juki_kojin.csv");
    point_output_at(&run, s(&abs));
    let (code, stdout) = verify(&run, &[]);
    assert_refused(code, &stdout, "not a file name inside the run directory");
    assert!(!stdout.contains("changed since the run"), "{stdout}");
}

#[test]
fn a_device_in_the_manifest_is_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    point_output_at(&run, "/dev/zero");
    let (code, stdout) = verify(&run, &[]);
    assert_refused(
        code,
        &stdout,
        "/dev/zero: not a file name inside the run directory",
    );

    // The report and a reject file too.
    let run = sample_run(&tmp.path().join("2"));
    edit_manifest(&run, |m| {
        m["report"]["path"] = "/dev/zero".into();
        m["rejects"][0]["path"] = "/dev/urandom".into();
        m["inputs"][0]["rejects"] = "/dev/urandom".into();
    });
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_refused(code, &stdout, "/dev/zero: not a file name");
    assert!(stdout.contains("/dev/urandom: not a file name"), "{stdout}");
}

#[test]
fn a_link_in_place_of_an_output_is_refused_even_when_its_target_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    let elsewhere = tmp.path().join("elsewhere.csv");
    fs::rename(run.join("juki_kojin.csv"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, run.join("juki_kojin.csv")).unwrap();
    let (code, stdout) = verify(&run, &[]);
    assert_refused(
        code,
        &stdout,
        "FAIL: juki_kojin.csv: is a symbolic link, not the regular file the run wrote; verify does not open it",
    );
    // A link to a file inside the run is no better.
    fs::remove_file(run.join("juki_kojin.csv")).unwrap();
    fs::rename(&elsewhere, run.join("data")).unwrap();
    std::os::unix::fs::symlink("data", run.join("juki_kojin.csv")).unwrap();
    let (code, stdout) = verify(&run, &[]);
    assert_refused(code, &stdout, "juki_kojin.csv: is a symbolic link");
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[test]
fn a_fifo_or_a_directory_in_place_of_a_file_is_refused_without_hanging() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    fs::remove_file(run.join("juki_kojin.rejects.csv")).unwrap();
    mkfifo(&run.join("juki_kojin.rejects.csv"));
    fs::remove_file(run.join("report.html")).unwrap();
    fs::create_dir(run.join("report.html")).unwrap();
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_refused(
        code,
        &stdout,
        "FAIL: juki_kojin.rejects.csv: is a FIFO (named pipe), not the regular file the run wrote; verify does not open it",
    );
    assert!(
        stdout.contains("report.html: is a directory, not the regular file"),
        "{stdout}"
    );
}

#[test]
fn inputs_must_be_regular_files() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    assert_eq!(verify(&run, &["--inputs"]).0, 0);
    edit_manifest(&run, |m| m["inputs"][0]["path"] = "/dev/zero".into());
    // Without --inputs the inputs are not opened at all.
    assert_eq!(verify(&run, &[]).0, 0);
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_refused(
        code,
        &stdout,
        "FAIL: /dev/zero: the input is a device, not a regular file; verify does not open it",
    );

    let fifo = tmp.path().join("fifo.csv");
    mkfifo(&fifo);
    edit_manifest(&run, |m| m["inputs"][0]["path"] = s(&fifo).into());
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_refused(
        code,
        &stdout,
        "the input is a FIFO (named pipe), not a regular file",
    );

    // A link the user named is followed, as convert followed it.
    let link = tmp.path().join("link.csv");
    std::os::unix::fs::symlink(testdata("juki_kojin.csv"), &link).unwrap();
    edit_manifest(&run, |m| m["inputs"][0]["path"] = s(&link).into());
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn the_manifest_must_be_a_regular_file_of_bounded_size() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    let mpath = run.join("manifest.json");
    let text = fs::read(&mpath).unwrap();

    // A link to a manifest that matches.
    fs::write(tmp.path().join("m.json"), &text).unwrap();
    fs::remove_file(&mpath).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("m.json"), &mpath).unwrap();
    let (code, stdout) = verify(&run, &[]);
    assert_refused(
        code,
        &stdout,
        "manifest.json: cannot read the manifest: it is a symbolic link; a run writes a regular file there",
    );

    fs::remove_file(&mpath).unwrap();
    mkfifo(&mpath);
    let (code, stdout) = verify(&run, &[]);
    assert_refused(code, &stdout, "it is a FIFO (named pipe)");

    // Valid JSON, but larger than any manifest.
    fs::remove_file(&mpath).unwrap();
    let mut big = text.clone();
    big.resize(big.len() + (64 << 20), b' ');
    fs::write(&mpath, &big).unwrap();
    let (code, stdout) = verify(&run, &[]);
    assert_refused(code, &stdout, "more than the 64 MiB a manifest may be");

    fs::write(&mpath, &text).unwrap();
    assert_eq!(verify(&run, &[]).0, 0);
}

/// Rewrites the reject file with every offset moved by one, and records its new
/// hash in the manifest: only the comparison with the input can tell.
fn shift_reject_offsets(run: &Path, name: &str) {
    let path = run.join(name);
    let text = fs::read(&path).unwrap();
    let mut out = Vec::new();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    w.write_record(ikou::reject::HEADER).unwrap();
    for rec in csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&text[..])
        .records()
    {
        let mut rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
        rec[7] = (rec[7].parse::<u64>().unwrap() + 1).to_string();
        w.write_record(&rec).unwrap();
    }
    drop(w);
    fs::write(&path, &out).unwrap();
    let sha = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&out);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    edit_manifest(run, |m| {
        m["rejects"][0]["sha256"] = sha.into();
        m["rejects"][0]["bytes"] = out.len().into();
    });
}

#[test]
fn rejected_records_are_compared_with_the_input_and_listed_within_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    shift_reject_offsets(&run, "juki_kojin.rejects.csv");
    assert_eq!(verify(&run, &[]).0, 0, "the files are as the manifest says");
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout
            .contains("FAIL: juki_kojin.rejects.csv: record 8 is not the input's bytes at offset "),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("is not the input's bytes").count(),
        8,
        "{stdout}"
    );

    // Many differing records: the first ones listed, the rest counted.
    let input = tmp.path().join("many.csv");
    let bad = "1,2\r\n".repeat(100);
    fs::write(&input, bad).unwrap();
    let run = tmp.path().join("many");
    let (code, err) = common::convert_sample_layout(&run, &[], &[&input]);
    assert_eq!(code, 3, "{err}");
    shift_reject_offsets(&run, "many.rejects.csv");
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout.matches("is not the input's bytes at offset").count(),
        20,
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "FAIL: many.rejects.csv: 80 more records are not the input's bytes at their offsets"
        ),
        "{stdout}"
    );
}

#[test]
fn a_file_named_for_two_inputs_is_a_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let run = sample_run(tmp.path());
    edit_manifest(&run, |m| {
        m["inputs"][0]["rejects"] = "juki_kojin.csv".into()
    });
    let (code, stdout) = verify(&run, &["--inputs"]);
    assert_refused(
        code,
        &stdout,
        "FAIL: manifest.json: juki_kojin.csv is named twice (each input has its own output and reject file)",
    );
}

#[test]
fn problems_are_listed_in_manifest_order() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["c", "a", "d", "b"];
    let inputs: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            let p = tmp.path().join(format!("{n}.csv"));
            fs::copy(testdata("juki_kojin.csv"), &p).unwrap();
            p
        })
        .collect();
    let run = tmp.path().join("run");
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let (code, err) = common::convert_sample_layout(&run, &["--gaiji", GAIJI], &refs);
    assert_eq!(code, 3, "{err}");
    for n in names {
        for f in [format!("{n}.csv"), format!("{n}.rejects.csv")] {
            let mut b = fs::read(run.join(&f)).unwrap();
            b[0] ^= 1;
            fs::write(run.join(&f), b).unwrap();
        }
    }
    let (code, first) = verify(&run, &[]);
    assert_eq!(code, 1);
    let m = common::read_manifest(&run);
    let listed: Vec<String> = ["outputs", "rejects"]
        .iter()
        .flat_map(|k| m[k].as_array().unwrap().iter())
        .map(|e| format!("FAIL: {}: changed", e["path"].as_str().unwrap()))
        .collect();
    let got: Vec<&str> = first.lines().filter(|l| l.contains(": changed")).collect();
    assert_eq!(got.len(), listed.len(), "{first}");
    for (g, want) in got.iter().zip(&listed) {
        assert!(g.starts_with(want.as_str()), "{g} / {want}");
    }
    for _ in 0..3 {
        assert_eq!(verify(&run, &[]).1, first);
    }
}

/// Runs `ikou args…` and returns (exit code, peak RSS in KiB) of that process.
/// Not from wait4 on our own child: exec keeps the high-water mark of the
/// memory it replaces, here this test process's. GNU time forks a small copy
/// of itself first; without it, VmHWM (of the new process image) is sampled
/// until the process exits, which can only under-read a late peak.
#[cfg(target_os = "linux")]
fn peak_rss_kib(args: &[&str]) -> (i32, u64) {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let out = tempfile::NamedTempFile::new().unwrap();
        let status = std::process::Command::new(time)
            .args(["-f", "%M", "-o", s(out.path())])
            .arg(env!("CARGO_BIN_EXE_ikou"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        let text = fs::read_to_string(out.path()).unwrap();
        let kib = text.lines().last().unwrap().trim().parse().unwrap();
        return (status.code().unwrap_or(-1), kib);
    }
    let mut child = ikou()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(st) = child.try_wait().unwrap() {
            return (st.code().unwrap_or(-1), peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reject files larger than the bound: verify must stream them. (The figures
/// for files of several hundred MB are in docs/notes/h-verify.md.)
#[cfg(target_os = "linux")]
#[test]
fn verify_memory_does_not_grow_with_the_reject_file() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("bad.csv");
    // Each record has the wrong number of items: every one is rejected.
    let record = "0000000000000001,氏名,ｶﾅ,19800101,1\r\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(record);
    fs::write(&input, bytes.repeat(500_000)).unwrap();
    let run = tmp.path().join("run");
    let (code, err) = common::convert_sample_layout(&run, &[], &[&input]);
    assert_eq!(code, 3, "{err}");
    let rejects = fs::metadata(run.join("bad.rejects.csv")).unwrap().len();
    assert!(rejects > 64 << 20, "the reject file is {rejects} bytes");
    for extra in [&[][..], &["--inputs"][..]] {
        let mut args = vec!["verify"];
        args.extend_from_slice(extra);
        args.push(s(&run));
        let (code, kib) = peak_rss_kib(&args);
        assert_eq!(code, 0);
        eprintln!("ikou {args:?}: peak RSS {kib} KiB, reject file {rejects} bytes");
        assert!(
            kib < 64 * 1024,
            "ikou {args:?}: peak RSS {kib} KiB for a reject file of {rejects} bytes"
        );
    }
}
