//! `ikou convert`.

use super::args::{MapArgs, ReadArgs, parse_encoding};
use ikou::convert::{ConvertOptions, RunResult, convert};
use ikou::decode::Encoding;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Convert legacy exports to standard UTF-8 CSV, with reject files and a manifest.
///
/// Writes, into --out: <stem>.csv (UTF-8, no BOM, CRLF, RFC 4180) and
/// <stem>.rejects.csv for each input, report.html (for people), then manifest.json last. Files appear
/// complete or not at all; the same inputs give byte-identical outputs for any
/// --jobs.
///
/// --out should be new, empty, or an earlier run's output directory: ikou owns the
/// files an earlier run listed in its manifest.json, and its own hidden .ikou-*
/// files (a lock held for the whole run, temporaries, a journal). It replaces or
/// removes only those: the earlier run's files this run does not rewrite are removed
/// once the new run is published. A --out holding any other file is refused unless
/// --force, and even with --force no such file is replaced or removed. An input may
/// not be named manifest.json, report.html or .ikou-* inside --out.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  ikou convert --layout testdata/layouts/juki-kojin.toml --encoding cp932 --out out testdata/juki_kojin.csv"
)]
pub struct Args {
    /// Layout: a path to a layout file (TOML), or the name of a bundled layout.
    #[arg(long, value_name = "LAYOUT")]
    layout: String,
    /// Output directory (created if missing): new, empty, or an earlier run's (see above).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Source encoding: cp932 (Windows-31J), shift_jis (JIS mapping of the same bytes),
    /// euc-jp, eucjp-ms (user-defined rows 85–94 → PUA), utf-8 (BOM optional),
    /// utf-16le, utf-16be.
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// Vendor 外字 table (TSV: source<TAB>target). Repeatable; a later table may
    /// replace an earlier mapping only on a line marked `!` before the source, any
    /// other disagreement between tables is an error.
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    #[command(flatten)]
    map: MapArgs,
    /// Write into an --out that holds files ikou did not write. They are left alone:
    /// ikou still refuses to replace any of them with an output of the same name.
    #[arg(long)]
    force: bool,
    /// Accept empty (0-byte) inputs as files with no records instead of stopping.
    #[arg(long)]
    allow_empty: bool,
    /// Start each *.rejects.csv with a UTF-8 BOM, so that Excel on Japanese Windows
    /// opens it without mojibake (recorded in manifest.json options as rejects_bom).
    #[arg(long)]
    rejects_excel: bool,
    #[command(flatten)]
    read: ReadArgs,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Input files (legacy exports).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(a: Args) -> u8 {
    let layout = match ikou::layout::load(&a.layout) {
        Ok(l) => l,
        Err(e) => return super::fail(&e.into()),
    };
    let mut opts = ConvertOptions::new(layout, a.out.clone());
    opts.encoding = a.encoding;
    if let Some(j) = a.read.jobs {
        opts.jobs = j;
    }
    opts.allow_empty = a.allow_empty;
    opts.force = a.force;
    opts.rejects_bom = a.rejects_excel;
    opts.skip_encoding_check = a.read.skip_encoding_check;
    opts.chunk_bytes = a.read.chunk_bytes;
    opts.max_record = a.read.max_record_bytes;
    opts.gaiji = a.gaiji.clone();
    opts.map = a.map.options();
    if std::io::stderr().is_terminal() && !a.quiet {
        opts.progress = Some(progress_bar());
    }
    match convert(&opts, &a.inputs) {
        Ok(r) => {
            if !a.quiet {
                summary(&r, &a.out);
            }
            r.exit_code() as u8
        }
        Err(e) => super::fail(&e),
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

fn summary(r: &RunResult, out: &std::path::Path) {
    for w in &r.warnings {
        eprintln!("ikou: {w}");
    }
    for f in &r.files {
        let t = &f.tally;
        eprintln!(
            "ikou: {}: {} records read, {} written, {} rejected",
            f.input.display(),
            t.read,
            t.written,
            t.rejected
        );
    }
    let c = r.manifest.counts;
    eprintln!(
        "ikou: {} files, {} records read, {} written, {} rejected → {}",
        r.files.len(),
        c.read,
        c.written,
        c.rejected,
        out.display()
    );
    let m = &r.manifest;
    let mapped: u64 = m.gaiji.iter().map(|g| g.count).sum();
    if mapped > 0 || !m.unmapped.is_empty() {
        let unmapped: u64 = m.unmapped.iter().map(|u| u.count).sum();
        eprintln!(
            "ikou: 外字: {mapped} written through the tables, {unmapped} unmapped ({} distinct; see manifest.json \"unmapped\")",
            m.unmapped.len()
        );
    }
    if c.rejected > 0 {
        eprintln!(
            "ikou: rejected records are kept whole in the *.rejects.csv files, with their reasons"
        );
    }
    eprintln!(
        "ikou: for people: {}",
        out.join(ikou::report::FILE_NAME).display()
    );
}
