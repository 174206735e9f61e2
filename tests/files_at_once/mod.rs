//! Helpers of the tests that `profile` and `mappings diff --corpus` read their
//! files at once: several different inputs made from the sample, and a run whose
//! inputs are FIFOs fed last first.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The sample (CP932, 外字 U+E000–U+E004, a few records convert rejects).
pub fn sample() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/juki_kojin.csv");
    std::fs::read(path).expect("the sample is present")
}

/// Input `k` of several: the sample's records turned by `k` lines (so each file
/// meets its 外字 and defects first at other records) and repeated `k + 1` times.
pub fn input(k: usize) -> Vec<u8> {
    let sample = sample();
    let lines: Vec<&[u8]> = sample.split_inclusive(|&b| b == b'\n').collect();
    let turn = k % lines.len();
    let once: Vec<u8> = lines[turn..]
        .iter()
        .chain(&lines[..turn])
        .flat_map(|l| l.iter().copied())
        .collect();
    once.repeat(k + 1)
}

/// Writes inputs `0..n` as `dir/in{k}.csv`; their names, relative to `dir`.
pub fn write_inputs(dir: &Path, n: usize) -> Vec<String> {
    (0..n)
        .map(|k| {
            let name = format!("in{k}.csv");
            std::fs::write(dir.join(&name), input(k)).expect("write an input");
            name
        })
        .collect()
}

pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("a path without NUL");
    // SAFETY: `c` is a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Runs `cmd`, whose inputs are the FIFOs `fifos` (path, bytes to feed), and feeds
/// them last first: the last FIFO is written only once ikou has opened it for
/// reading while the first is still unwritten (its open in ikou waits for a
/// writer). A run that reads its files one after another never opens the last
/// one: it is stopped after `patience` and Err says so. No timing is asserted:
/// a run that reads files at once gets through however slow the machine.
pub fn run_fed_last_first(
    mut cmd: Command,
    fifos: &[(PathBuf, Vec<u8>)],
    patience: Duration,
) -> Result<Output, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ikou starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + patience;
    for (k, (path, bytes)) in fifos.iter().enumerate().rev() {
        loop {
            // Non-blocking, an open for writing fails (ENXIO) while no one reads.
            let probe = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path);
            match probe {
                Ok(probe) => {
                    // A reader is there: a blocking open returns at once.
                    let mut w = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .expect("open the FIFO");
                    drop(probe);
                    w.write_all(bytes).expect("feed the FIFO");
                    break;
                }
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                    let ended = child.try_wait().expect("wait").is_some();
                    if ended || Instant::now() > deadline {
                        let _ = child.kill();
                        let _ = child.wait();
                        let stderr = err.join().unwrap_or_default();
                        return Err(format!(
                            "input {} was never opened while input 1 waited for its data ({}): \
                             the files are read one after another; stderr: {}",
                            k + 1,
                            if ended { "ikou ended" } else { "stopped" },
                            String::from_utf8_lossy(&stderr)
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("{}: {e}", path.display()),
            }
        }
    }
    let status = child.wait().expect("wait for ikou");
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}
