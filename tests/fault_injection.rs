//! Real faults under the real binary: a full disk at every write of a run, a file
//! size limit at every write, and kill -9 at many points. After each failed run
//! nothing in --out may look finished, the input is untouched, and the next run
//! succeeds and verifies.
//!
//! Not covered here: a read error in the middle of an input (no cheap way to make
//! one as root: permissions do not stop root from reading).

mod common;

use common::*;
use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const GAIJI: &str = "testdata/gaiji/sample.tsv";
const INPUT: &str = "testdata/juki_kojin.csv";

fn convert_args<'a>(out: &'a Path, input: &'a str) -> Vec<&'a str> {
    vec![
        "convert",
        "-q",
        "--layout",
        SAMPLE_LAYOUT,
        "--gaiji",
        GAIJI,
        "--out",
        s(out),
        input,
    ]
}

fn output(cmd: &mut Command) -> Output {
    cmd.current_dir(root()).output().expect("runs")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Nothing in `out` looks like a finished run.
fn nothing_looks_finished(out: &Path, what: &str) {
    for n in ["manifest.json", "report.html"] {
        assert!(
            !out.join(n).exists(),
            "{what}: the run failed but left {n}; --out holds {:?}",
            names(out)
        );
    }
}

/// The next, undisturbed run succeeds, verifies, and leaves exactly its files.
fn next_run_succeeds(out: &Path, input: &str, stem: &str, what: &str) {
    let o = output(ikou().args(convert_args(out, input)));
    assert_eq!(
        o.status.code(),
        Some(3),
        "{what}: the next run failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = output(ikou().args(["verify", s(out)]));
    assert!(
        v.status.success(),
        "{what}: verify: {}",
        String::from_utf8_lossy(&v.stdout)
    );
    assert_eq!(
        names(out),
        [
            format!("{stem}.csv"),
            format!("{stem}.rejects.csv"),
            "manifest.json".into(),
            "report.html".into()
        ],
        "{what}"
    );
}

/// An earlier, finished run in `out`, from other inputs (so its files must go).
fn earlier_run(out: &Path, scratch: &Path) {
    let other = scratch.join("earlier.csv");
    fs::write(&other, fs::read(root().join(INPUT)).unwrap()).unwrap();
    let o = output(ikou().args(convert_args(out, s(&other))));
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A 1 MiB tmpfs mounted for the test's life.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", s(dir)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system of `path` to the last byte, then frees `free` bytes.
fn fill_leaving(path: &Path, free: u64) {
    let mut f = fs::File::create(path).unwrap();
    let chunk = vec![0u8; 4096];
    let mut n = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(_) => break,
        }
    }
    f.set_len(n.saturating_sub(free)).unwrap();
    f.sync_all().unwrap();
}

#[test]
fn a_full_disk_at_every_write_leaves_nothing_that_looks_finished() {
    let t = tempfile::tempdir().unwrap();
    let mnt = t.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let Some(_tmpfs) = Tmpfs::mount(&mnt) else {
        eprintln!("cannot mount a tmpfs (not root?): using a file size limit instead");
        return size_limit_sweep();
    };
    let input_before = fs::read(root().join(INPUT)).unwrap();
    let out = mnt.join("out");
    let filler = mnt.join("filler");
    let mut failed_at = std::collections::BTreeSet::new();
    for with_earlier in [false, true] {
        let mut successes = 0;
        // Free space from none upwards, page by page, until the run fits.
        for pages in 0..200u64 {
            let what = format!("earlier run: {with_earlier}, {pages} pages free");
            let _ = fs::remove_dir_all(&out);
            let _ = fs::remove_file(&filler);
            if with_earlier {
                earlier_run(&out, t.path());
            }
            fill_leaving(&filler, pages * 4096);
            let o = output(ikou().args(convert_args(&out, INPUT)));
            fs::remove_file(&filler).unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            if o.status.code() == Some(3) {
                successes += 1;
                if successes == 3 {
                    break;
                }
                continue;
            }
            assert_eq!(o.status.code(), Some(1), "{what}: {err}");
            assert!(err.contains("No space left"), "{what}: {err}");
            failed_at.extend(
                [
                    "juki_kojin.csv",
                    "juki_kojin.rejects.csv",
                    "report.html",
                    "manifest.json",
                    ".ikou-owned",
                ]
                .into_iter()
                .filter(|n| err.contains(n)),
            );
            nothing_looks_finished(&out, &what);
            assert_eq!(fs::read(root().join(INPUT)).unwrap(), input_before);
            next_run_succeeds(&out, INPUT, "juki_kojin", &what);
        }
        assert_eq!(successes, 3, "the run never fitted in 1 MiB");
    }
    // Each of the run's writes failed at least once.
    assert_eq!(failed_at.len(), 5, "failed only at {failed_at:?}");
}

#[test]
fn a_file_size_limit_at_every_write_leaves_nothing_that_looks_finished() {
    size_limit_sweep();
}

/// The same as with a full disk, with RLIMIT_FSIZE making the writes fail (EFBIG).
fn size_limit_sweep() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let input_before = fs::read(root().join(INPUT)).unwrap();
    let mut failures = 0;
    let mut successes = 0;
    // Every limit up to a few blocks (the small files), then coarser steps.
    let limits = (0..6).chain((6..400).step_by(4));
    for (i, blocks) in limits.enumerate() {
        let what = format!("ulimit -f {blocks}");
        let _ = fs::remove_dir_all(&out);
        if i % 2 == 1 {
            earlier_run(&out, t.path());
        }
        let o = output(
            Command::new("sh")
                .args([
                    "-c",
                    &format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""),
                ])
                .arg(env!("CARGO_BIN_EXE_ikou"))
                .args(convert_args(&out, INPUT)),
        );
        if o.status.code() == Some(3) {
            successes += 1;
            if successes == 3 {
                break;
            }
            continue;
        }
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        failures += 1;
        nothing_looks_finished(&out, &what);
        assert_eq!(fs::read(root().join(INPUT)).unwrap(), input_before);
        next_run_succeeds(&out, INPUT, "juki_kojin", &what);
    }
    assert_eq!(successes, 3, "the run never fitted the limit");
    assert!(failures >= 5, "only {failures} limits made the run fail");
}

#[test]
fn kill_9_at_any_point_leaves_nothing_that_looks_finished() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let input = t.path().join("big.csv");
    let one = fs::read(root().join(INPUT)).unwrap();
    let mut data = Vec::new();
    while data.len() < 2 << 20 {
        data.extend_from_slice(&one);
    }
    fs::write(&input, &data).unwrap();
    let input_s = s(&input).to_string();

    // How long an undisturbed run takes, to spread the kills over it.
    earlier_run(&out, t.path());
    let start = Instant::now();
    let o = output(ikou().args(convert_args(&out, &input_s)));
    let whole = start.elapsed().as_micros() as u64;
    assert_eq!(o.status.code(), Some(3));

    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut killed = 0;
    // Up to 16 tries for 8 kills: on a busy machine the undisturbed run measured
    // above may have been slower than later ones, which then finish before the kill.
    for i in 0..16 {
        if killed == 8 {
            break;
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = Duration::from_micros(seed % (whole + 1));
        let what = format!("kill #{i} after {at:?}");
        let _ = fs::remove_dir_all(&out);
        earlier_run(&out, t.path());
        let mut child = ikou()
            .current_dir(root())
            .args(convert_args(&out, &input_s))
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            killed += 1;
        }
        // A manifest means the run was published: then it must verify.
        if out.join("manifest.json").exists() {
            let v = output(ikou().args(["verify", s(&out)]));
            assert!(
                v.status.success(),
                "{what}: a manifest that does not verify: {}",
                String::from_utf8_lossy(&v.stdout)
            );
        } else {
            assert!(
                !out.join("report.html").exists(),
                "{what}: a report without its manifest"
            );
        }
        assert!(
            fs::read(&input).unwrap() == data,
            "{what}: the input changed"
        );
        next_run_succeeds(&out, &input_s, "big", &what);
    }
    assert!(
        killed >= 4,
        "only {killed} runs were killed before they finished"
    );
}
