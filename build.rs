//! Build-time facts the tests need: `cfg(ikou_browser)` when Chromium is installed
//! (or IKOU_REQUIRE_BROWSER is set, so that CI fails rather than skips without it).
//! tests/report_browser.rs is ignored without it, so `cargo test` says "ignored"
//! instead of counting a test that did not run as passed.

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
}
