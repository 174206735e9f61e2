//! Builds the IBM 930/939/1390/1399 tables the decoder embeds (`mappings/ibm/`) by
//! asking glibc `iconv` how it decodes every single byte and every double-byte code.
//!
//! Usage: `ikou-ibm-import <OUT_DIR>`, e.g.
//! `cargo run --release --bin ikou-ibm-import -- mappings/ibm`.
//! One `iconv -c -f IBM930 -t UTF-32BE` run per encoding reads every code, each
//! followed by a separator, so the answers are matched back to the codes; a code
//! iconv refuses (skipped by `-c`) leaves its slot empty. Deterministic: the same
//! iconv gives the same bytes. The format is described in the header of each file
//! and read by `src/decode/ibm.rs`.
//!
//! One deliberate difference from glibc, the only one: glibc's IBM1390 and IBM1399
//! decode each undefined single byte (0x57, 0xCA, …) to U+001A SUB, a substitute
//! that would pass damaged data off as text. Those bytes are left out, so ikou
//! refuses them, as glibc does in IBM930/939 and ICU does in all four. The byte 0x3F
//! is SUB itself and stays.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// (iconv name, file name) of each table.
const TABLES: [(&str, &str); 4] = [
    ("IBM930", "ibm930.txt"),
    ("IBM939", "ibm939.txt"),
    ("IBM1390", "ibm1390.txt"),
    ("IBM1399", "ibm1399.txt"),
];

const SO: u8 = 0x0E;
const SI: u8 = 0x0F;
/// Written after every code: EBCDIC "ABC" (U+0041 U+0042 U+0043) in all four code
/// pages. No single code decodes to more than two code points, so the separator is
/// found unambiguously by searching from the start of each slot.
const SEPARATOR: [u8; 3] = [0xC1, 0xC2, 0xC3];
const SEPARATOR_UCS: [u32; 3] = [0x41, 0x42, 0x43];
/// EBCDIC SUB, and the code point glibc substitutes for undefined single bytes.
const SUB: u8 = 0x3F;
const SUB_UCS: u32 = 0x1A;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out] = args.as_slice() else {
        eprintln!(
            "usage: ikou-ibm-import <OUT_DIR>\n\
             Runs glibc iconv (IBM930, IBM939, IBM1390, IBM1399) over every code and writes \
             the tables into OUT_DIR (mappings/ibm in the repository)."
        );
        return ExitCode::from(2);
    };
    match import_to(Path::new(out)) {
        Ok(files) => {
            for (path, bytes) in files {
                eprintln!("{}: {bytes} bytes", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ikou-ibm-import: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes every table into `out` (created if missing), each to a temporary name
/// then renamed, so a reader never sees half a table.
fn import_to(out: &Path) -> Result<Vec<(PathBuf, usize)>, String> {
    let version = iconv_version()?;
    // All tables first: a failure leaves the directory as it was.
    let mut tables = Vec::new();
    for (name, file) in TABLES {
        tables.push((file, table(name, &version)?));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut written = Vec::new();
    for (file, text) in tables {
        let path = out.join(file);
        let tmp = out.join(format!(".{file}.tmp"));
        std::fs::write(&tmp, text.as_bytes()).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push((path, text.len()));
    }
    Ok(written)
}

/// The first line of `iconv --version`, recorded in each table's header.
fn iconv_version() -> Result<String, String> {
    let out = Command::new("iconv")
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run iconv ({e}): install glibc's iconv (libc-bin)"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .filter(|l| out.status.success() && !l.is_empty())
        .map(str::to_string)
        .ok_or_else(|| "iconv --version printed nothing: is this glibc's iconv?".to_string())
}

/// Every code the table covers, as iconv is given it: single bytes other than the
/// shifts, then every double-byte code whose first byte is not a shift (a shift
/// there is read as the shift itself), inside SO … SI.
fn codes() -> Vec<Vec<u8>> {
    let not_shift = |b: &u8| *b != SO && *b != SI;
    let mut v: Vec<Vec<u8>> = (0..=255u8).filter(not_shift).map(|b| vec![b]).collect();
    for b1 in (0..=255u8).filter(not_shift) {
        for b2 in 0..=255u8 {
            v.push(vec![b1, b2]);
        }
    }
    v
}

/// The decoding of every code by `iconv -f name`, in the order of [`codes`]
/// (empty: refused).
fn decode_all(name: &str, codes: &[Vec<u8>]) -> Result<Vec<Vec<u32>>, String> {
    let mut input = Vec::with_capacity(codes.len() * 8);
    for c in codes {
        if c.len() == 2 {
            input.extend_from_slice(&[SO, c[0], c[1], SI]);
        } else {
            input.extend_from_slice(c);
        }
        input.extend_from_slice(&SEPARATOR);
    }
    let mut child = Command::new("iconv")
        .args(["-c", "-f", name, "-t", "UTF-32BE"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run iconv ({e})"))?;
    let mut stdin = child.stdin.take().ok_or("iconv: no standard input")?;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("iconv -f {name}: {e}"))?;
    writer
        .join()
        .map_err(|_| format!("iconv -f {name}: writer failed"))?
        .map_err(|e| format!("iconv -f {name}: writing its input: {e}"))?;
    // With -c, glibc exits 1 when it skipped input; anything else is a failure.
    if !matches!(out.status.code(), Some(0 | 1)) || out.stdout.len() % 4 != 0 {
        return Err(format!(
            "iconv -f {name} failed ({}): {}. Is glibc's {name} gconv module installed?",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let ucs: Vec<u32> = out
        .stdout
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut slots = Vec::with_capacity(codes.len());
    let mut rest = &ucs[..];
    while !rest.is_empty() {
        let at = rest
            .windows(3)
            .position(|w| w == SEPARATOR_UCS)
            .ok_or_else(|| format!("iconv -f {name}: output does not end with the separator"))?;
        if at > 2 {
            return Err(format!(
                "iconv -f {name}: code {} gave {at} code points; the importer expects at most 2",
                hex(&codes[slots.len().min(codes.len() - 1)])
            ));
        }
        slots.push(rest[..at].to_vec());
        rest = &rest[at + 3..];
    }
    if slots.len() != codes.len() {
        return Err(format!(
            "iconv -f {name}: {} answers for {} codes (the separator was not decoded as expected)",
            slots.len(),
            codes.len()
        ));
    }
    Ok(slots)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The text of one table.
fn table(name: &str, version: &str) -> Result<String, String> {
    let codes = codes();
    let answers = decode_all(name, &codes)?;
    let mut s = String::new();
    let _ = write!(
        s,
        "# ikou {name} table: how glibc iconv decodes every single byte and every double-byte code.\n\
         # Generated by ikou-ibm-import (src/bin/ikou-ibm-import.rs); do not edit by hand.\n\
         # iconv: {version}\n\
         # Origin and licence: mappings/LICENSE.md.\n\
         # CODE UCS [UCS]: the byte (2 hex digits, single-byte mode) or the double-byte code\n\
         #   (4 hex digits, between SO 0x0E and SI 0x0F) decodes to these code points (hex).\n\
         # FIRST-LAST UCS: the codes FIRST..LAST decode to UCS, UCS+1, … in turn.\n\
         # A code not listed is refused. SO and SI themselves are the shifts, not listed.\n\
         # Left out: single bytes glibc decodes to U+001A SUB as a substitute (all but 0x3F).\n"
    );
    // Runs of consecutive codes with consecutive single code points become one line.
    let mut run: Option<(u32, u32, u32, usize)> = None; // (first, last, ucs, width)
    let flush = |s: &mut String, run: &mut Option<(u32, u32, u32, usize)>| {
        if let Some((first, last, ucs, w)) = run.take() {
            if first == last {
                let _ = writeln!(s, "{first:0w$X} {ucs:04X}");
            } else {
                let _ = writeln!(s, "{first:0w$X}-{last:0w$X} {ucs:04X}");
            }
        }
    };
    for (code, ucs) in codes.iter().zip(&answers) {
        let w = code.len() * 2;
        let value = code.iter().fold(0u32, |a, &b| a << 8 | b as u32);
        let substitute = code.len() == 1 && code[0] != SUB && ucs.as_slice() == [SUB_UCS];
        match ucs.as_slice() {
            _ if substitute => flush(&mut s, &mut run),
            [] => flush(&mut s, &mut run),
            [u] => {
                if let Some((first, last, start, rw)) = run
                    && rw == w
                    && last + 1 == value
                    && start + (value - first) == *u
                {
                    run = Some((first, value, start, rw));
                } else {
                    flush(&mut s, &mut run);
                    run = Some((value, value, *u, w));
                }
            }
            many => {
                flush(&mut s, &mut run);
                let list: Vec<String> = many.iter().map(|u| format!("{u:04X}")).collect();
                let _ = writeln!(s, "{value:0w$X} {}", list.join(" "));
            }
        }
    }
    flush(&mut s, &mut run);
    Ok(s)
}
