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
