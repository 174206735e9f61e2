//! Build-time facts the tests need: `cfg(ikou_browser)` when Chromium is installed
//! (or IKOU_REQUIRE_BROWSER is set, so that CI fails rather than skips without it).
//! tests/report_browser.rs is ignored without it, so `cargo test` says "ignored"
//! instead of counting a test that did not run as passed. Likewise
//! `cfg(ikou_iconv_ibm)` when glibc iconv has the IBM930/939/1390/1399 converters
//! and `cfg(ikou_uconv)` when ICU's uconv is installed (IKOU_REQUIRE_ORACLES forces
//! both), for tests/decode_ibm_oracle.rs. And `cfg(ikou_slurm)` when Slurm
//! (slurmctld, slurmd, sbatch) and munged are installed (IKOU_REQUIRE_SLURM forces
//! it), for tests/batch_slurm.rs, which starts a single-node Slurm of its own.

use std::path::Path;

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(ikou_browser)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=IKOU_CHROMIUM");
    println!("cargo::rerun-if-env-changed=IKOU_REQUIRE_BROWSER");
    let chromium = std::env::var_os("IKOU_CHROMIUM").unwrap_or_else(|| DEFAULT_CHROMIUM.into());
    let chromium = Path::new(&chromium);
    // Watch the directory, not the file: Cargo reruns a script on every build while a
    // watched file is missing, and installing Chromium changes the directory.
    if let Some(dir) = chromium.ancestors().skip(1).find(|d| d.is_dir()) {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let required = std::env::var_os("IKOU_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty());
    if required || chromium.exists() {
        println!("cargo::rustc-cfg=ikou_browser");
    }
    oracles();
    slurm();
    mj_facts();
}

/// What every run needs of the embedded MJ tables, worked out here once instead of at
/// each start (≈ 7 ms a run, a tenth of a 10 MB file's conversion):
/// - the SHA-256 of each table, which every manifest records;
/// - the characters and sequences the MJ table adds to 行政事務標準文字 (`--charset
///   mj+`, the default): the columns ucs, impl and compat, and the sequences ivs and
///   ivd_alt of every row;
/// - the rows with a compatibility ideograph (column compat), which every conversion
///   looks up to count what NFC would rewrite;
/// - where each data line of the MJ table starts (`mj::db()` finds its rows by them).
///
/// `src/charset` and `src/manifest` test both against the runtime parse of the same
/// tables (`mj::db()`), so this reader and `mj::load` cannot drift apart unseen.
fn mj_facts() {
    use sha2::Digest;
    use std::fmt::Write as _;
    const TABLES: [&str; 2] = ["mappings/mj.tsv", "mappings/mjsm.tsv"];
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut hashes = String::new();
    for path in TABLES {
        println!("cargo::rerun-if-changed={path}");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let digest = sha2::Sha256::digest(&bytes);
        let hex = digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let _ = writeln!(hashes, "{hex}");
    }
    std::fs::write(out.join("mj_sha256.txt"), hashes).expect("OUT_DIR is writable");

    let text = std::fs::read_to_string(TABLES[0]).unwrap_or_else(|e| panic!("{}: {e}", TABLES[0]));
    let (mut chars, mut seqs, mut compat) = (Vec::new(), Vec::new(), Vec::new());
    let code = |cell: &str, line: usize| -> u32 {
        u32::from_str_radix(cell, 16)
            .unwrap_or_else(|_| panic!("{} line {line}: bad code point {cell:?}", TABLES[0]))
    };
    let data = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| l.starts_with('#') || l.starts_with("mj\t"));
    for (row, (i, line)) in data.enumerate() {
        // mj ucs impl ivs strokes koseki juki x0213 impl_x0213 compat ivd_alt …
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |k: usize| cells.get(k).copied().unwrap_or("");
        for k in [1, 2, 9] {
            if !cell(k).is_empty() {
                chars.push(code(cell(k), i + 1));
            }
        }
        if !cell(3).is_empty() {
            seqs.push((code(cell(1), i + 1), code(cell(3), i + 1)));
        }
        if let Some((b, s)) = cell(10).split_once(' ') {
            seqs.push((code(b, i + 1), code(s, i + 1)));
        }
        if !cell(9).is_empty() {
            compat.push((code(cell(9), i + 1), row as u32));
        }
    }
    // Sorted here so that the plane's own sort meets two sorted runs (JIS, then MJ).
    chars.sort_unstable();
    chars.dedup();
    seqs.sort_unstable();
    seqs.dedup();
    let le = |v: &mut Vec<u8>, n: u32| v.extend_from_slice(&n.to_le_bytes());
    let mut bytes = Vec::new();
    chars.iter().for_each(|&c| le(&mut bytes, c));
    std::fs::write(out.join("mj_plus_chars.bin"), &bytes).expect("OUT_DIR is writable");
    bytes.clear();
    seqs.iter().for_each(|&(b, s)| {
        le(&mut bytes, b);
        le(&mut bytes, s);
    });
    std::fs::write(out.join("mj_plus_seqs.bin"), &bytes).expect("OUT_DIR is writable");
    bytes.clear();
    compat.iter().for_each(|&(c, row)| {
        le(&mut bytes, c);
        le(&mut bytes, row);
    });
    std::fs::write(out.join("mj_compat.bin"), &bytes).expect("OUT_DIR is writable");
    // Where each data line starts, then the end: `mj::db()` is asked by every
    // conversion (the compatibility ideographs), and finding 58,000 line starts
    // at each start took about 1.5 ms.
    bytes.clear();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if !(bytes.is_empty() && (line.starts_with('#') || line.starts_with("mj\t"))) {
            le(&mut bytes, pos as u32);
        }
        pos += line.len();
    }
    le(&mut bytes, pos as u32);
    std::fs::write(out.join("mj_lines.bin"), &bytes).expect("OUT_DIR is writable");
}

/// Slurm and MUNGE, looked for on PATH and in the sbin directories (where Debian
/// installs the daemons, often not on a user's PATH).
fn slurm() {
    println!("cargo::rustc-check-cfg=cfg(ikou_slurm)");
    println!("cargo::rerun-if-env-changed=IKOU_REQUIRE_SLURM");
    let required = std::env::var_os("IKOU_REQUIRE_SLURM").is_some_and(|v| !v.is_empty());
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(Into::into));
    let found = |name: &str| dirs.iter().any(|d| d.join(name).is_file());
    for d in ["/usr/sbin", "/usr/bin"] {
        // Installing the packages changes these directories.
        println!("cargo::rerun-if-changed={d}");
    }
    if required
        || ["slurmctld", "slurmd", "sbatch", "munged"]
            .iter()
            .all(|n| found(n))
    {
        println!("cargo::rustc-cfg=ikou_slurm");
    }
}

/// The decoding oracles on this machine. Installing one later needs a rebuild
/// (`touch build.rs`) for its tests to stop being ignored.
fn oracles() {
    println!("cargo::rustc-check-cfg=cfg(ikou_iconv_ibm)");
    println!("cargo::rustc-check-cfg=cfg(ikou_uconv)");
    println!("cargo::rerun-if-env-changed=IKOU_REQUIRE_ORACLES");
    println!("cargo::rerun-if-env-changed=PATH");
    let required = std::env::var_os("IKOU_REQUIRE_ORACLES").is_some_and(|v| !v.is_empty());
    let listed = |program: &str, names: &[&str]| {
        std::process::Command::new(program)
            .arg("-l")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .is_some_and(|o| {
                let list = String::from_utf8_lossy(&o.stdout).to_ascii_uppercase();
                let words: Vec<&str> = list
                    .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
                    .collect();
                names.iter().all(|n| words.contains(n))
            })
    };
    if required || listed("iconv", &["IBM930", "IBM939", "IBM1390", "IBM1399"]) {
        println!("cargo::rustc-cfg=ikou_iconv_ibm");
    }
    if required || listed("uconv", &["IBM-930", "IBM-939", "IBM-1390", "IBM-1399"]) {
        println!("cargo::rustc-cfg=ikou_uconv");
    }
}
