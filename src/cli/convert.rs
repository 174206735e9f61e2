//! `ikou convert`.

use super::args::{CharsetArgs, MapArgs, ReadArgs, parse_encoding};
use super::hints;
use ikou::convert::{ConvertOptions, RunResult, convert};
use ikou::decode::Encoding;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

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
    /// Layout: a path to a layout file (TOML), the name of a bundled layout, or - to
    /// read it from standard input.
    #[arg(long, value_name = "LAYOUT")]
    layout: String,
    /// Target layout (a path, or a bundled layout name): reshape each record into its
    /// items, which say where their values come from (from, const, concat + separator,
    /// split, codes_table, default; see `ikou layouts TARGET`), and write them by its
    /// types, in its item order and format. --layout then describes the input.
    #[arg(long, value_name = "TARGET")]
    to: Option<String>,
    /// Output directory (created if missing): new, empty, or an earlier run's (see above).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Source encoding: cp932 (Windows-31J), shift_jis (JIS mapping of the same bytes),
    /// euc-jp, eucjp-ms (user-defined rows 85–94 → PUA), utf-8 (BOM optional),
    /// utf-16le, utf-16be; mainframe (EBCDIC single-byte + double-byte kanji between
    /// shift codes, fixed-length layouts only): ibm930, ibm1390 (カナ EBCDIC),
    /// ibm939, ibm1399 (英小文字 EBCDIC); 富士通 JEF: jef-ebcdic, jef-ebcdik, jef-ascii;
    /// 日立 KEIS83: keis-ebcdic, keis-ebcdik (KEIS78: keis78-ebcdic, keis78-ebcdik);
    /// NEC JIPS: jips-e (EBCDIK), jips-j (JIS8). Their user-defined areas decode to
    /// PUA; in a 外字 table, 0xHHHH is the double-byte code without shift codes.
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// Vendor 外字 table (TSV: source<TAB>target; - for standard input). Repeatable; a later table may
    /// replace an earlier mapping only on a line marked `!` before the source, any
    /// other disagreement between tables is an error.
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    /// The vendor's 外字 font (TrueType/OpenType/EUDC, BDF, or a directory of PNG
    /// files named by code, as for identify): report.html shows its glyph beside each 外字.
    #[arg(long, value_name = "FONT|DIR")]
    font: Option<PathBuf>,
    #[command(flatten)]
    map: MapArgs,
    #[command(flatten)]
    charset: CharsetArgs,
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
    #[arg(long, short, conflicts_with = "json")]
    quiet: bool,
    /// Print the run's summary as one JSON object on stdout instead of the text on
    /// stderr (counts, files, rejects by reason, unmapped 外字, the report and the exit
    /// status with its meaning).
    #[arg(long)]
    json: bool,
    /// Input files (legacy exports); - reads one from standard input (named - in
    /// the manifest; its outputs are stdin.csv and stdin.rejects.csv).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(a: Args) -> u8 {
    let tables = a.charset.ext.tables_with(&a.gaiji);
    if let Err(e) = super::args::stdin_once(&a.layout, &tables, &a.inputs) {
        return super::fail(&e);
    }
    let layout = match super::args::load_layout(&a.layout) {
        Ok(l) => l,
        Err(e) => return super::fail(&e),
    };
    let shape = Shape {
        items: layout.layout.fields.len(),
        record_length: layout.layout.record_length,
    };
    let target = match a.to.as_deref().map(ikou::target::load).transpose() {
        Ok(t) => t,
        Err(e) => return super::fail(&e),
    };
    let mut opts = ConvertOptions::new(layout, a.out.clone());
    opts.target = target;
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
    if let Some(f) = &a.font {
        opts.vendor = match ikou::identify::source::VendorImages::read(f) {
            Ok(v) => Some(v),
            Err(e) => return super::fail(&e),
        };
    }
    opts.map = match a.charset.apply(a.map.options()) {
        Ok(m) => m,
        Err(e) => return super::fail(&e),
    };
    if std::io::stderr().is_terminal() && !a.quiet && !a.json {
        opts.progress = Some(progress_bar());
    }
    match convert(&opts, &a.inputs) {
        Ok(r) => {
            let code = r.exit_code() as u8;
            if a.json {
                let text = match serde_json::to_string_pretty(&summary_json(&r, &a.out, code)) {
                    Ok(s) => s + "\n",
                    Err(e) => {
                        eprintln!("ikou: error: cannot write JSON: {e}");
                        return 1;
                    }
                };
                if let Err(failed) = super::stdout::write(text.as_bytes()) {
                    return failed;
                }
            } else if !a.quiet {
                summary(&r, &a, shape);
            }
            code
        }
        Err(e) => super::fail(&e),
    }
}

/// What the layout says a record looks like, for the hint when every record is
/// rejected for one reason.
#[derive(Clone, Copy)]
struct Shape {
    items: usize,
    record_length: Option<usize>,
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

/// What an exit status of convert means (CONTRACT.md).
fn meaning(code: u8) -> &'static str {
    match code {
        0 => "every record converted",
        3 => {
            "finished, but some records were rejected, some 外字 unmapped, or a header or trailer check failed"
        }
        _ => "failed",
    }
}

/// The `--json` summary.
fn summary_json(r: &RunResult, out: &Path, code: u8) -> serde_json::Value {
    let m = &r.manifest;
    let files: Vec<_> = r
        .files
        .iter()
        .map(|f| {
            json!({
                "input": f.input.to_string_lossy(),
                "output": out.join(&f.output_name).to_string_lossy(),
                "rejects": out.join(&f.rejects_name).to_string_lossy(),
                "read": f.tally.read,
                "written": f.tally.written,
                "rejected": f.tally.rejected,
            })
        })
        .collect();
    let reasons: Vec<_> = m
        .reject_reasons
        .iter()
        .map(|e| {
            json!({
                "code": e.code,
                "label": ikou::report::reason_label(&e.code),
                "item": e.item,
                "count": e.count,
            })
        })
        .collect();
    json!({
        "exit_status": code,
        "meaning": meaning(code),
        "out": out.to_string_lossy(),
        "counts": {"read": m.counts.read, "written": m.counts.written, "rejected": m.counts.rejected},
        "files": files,
        "rejects_by_reason": reasons,
        "unmapped": {
            "distinct": m.unmapped.len(),
            "count": m.unmapped.iter().map(|u| u.count).sum::<u64>(),
        },
        "nonstandard": {
            "charset": m.options.extra.get("charset"),
            "distinct": m.nonstandard.len(),
            "count": m.nonstandard.iter().map(|n| n.count).sum::<u64>(),
        },
        "trailer_checks_failed": m.trailer_checks.iter().filter(|t| !t.ok).count(),
        "record_findings": m.record_findings.len(),
        // `--to`: the manifest's code_conversions (per target item and code
        // pair, then the values kept without a line); empty without a target.
        "code_conversions": m.code_conversions,
        "report": out.join(ikou::report::FILE_NAME).to_string_lossy(),
        "manifest": out.join("manifest.json").to_string_lossy(),
        "warnings": r.warnings,
    })
}

fn file_label(m: &ikou::manifest::Manifest, file: usize) -> &str {
    m.inputs.get(file).map_or("", |i| i.path.as_str())
}

fn summary(r: &RunResult, a: &Args, shape: Shape) {
    let out = &a.out;
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
            "ikou: 外字: {mapped} written through the tables, {unmapped} unmapped ({} distinct)",
            m.unmapped.len()
        );
    }
    if !m.nonstandard.is_empty() {
        let n: u64 = m.nonstandard.iter().map(|n| n.count).sum();
        eprintln!(
            "ikou: {n} characters outside --charset {} ({} distinct per item): listed in report.html and in manifest.json as nonstandard",
            m.options.extra.get("charset").map_or("", String::as_str),
            m.nonstandard.len()
        );
    }
    // Record types: a trailer that does not match, a missing header… (exit 3).
    for t in m.trailer_checks.iter().filter(|t| !t.ok) {
        eprintln!(
            "ikou: {}: {} record {}: {} {} is {}, but {} were read; the data is written as read: check the export with its source",
            file_label(m, t.file),
            t.of_type,
            t.record,
            t.kind,
            t.item,
            t.expected,
            t.actual
        );
    }
    for f in &m.record_findings {
        eprintln!("ikou: {}: {}", file_label(m, f.file), f.message);
    }
    if c.rejected > 0 {
        eprintln!("ikou: rejected records by reason (kept whole in the *.rejects.csv files):");
        for e in &m.reject_reasons {
            let item = match &e.item {
                Some(i) => format!(", item: {i}"),
                None => String::new(),
            };
            eprintln!(
                "ikou:   {:>8}  {} 「{}」{item}",
                e.count,
                e.code,
                ikou::report::reason_label(&e.code)
            );
        }
        if let Some(hint) = all_same(r, a, shape) {
            eprintln!("ikou: {hint}");
        }
    }
    eprintln!(
        "ikou: for people: {}",
        out.join(ikou::report::FILE_NAME).display()
    );
    if !m.unmapped.is_empty() {
        let cmd = hints::profile_worklist(
            &a.layout,
            a.encoding.name(),
            &a.gaiji,
            &a.map.profile_flags(),
            "worklist.tsv",
            &a.inputs,
        );
        eprintln!("ikou: next: list the unmapped 外字 for a table: {cmd}");
    }
    eprintln!(
        "ikou: next: check the run later with: ikou verify {}",
        hints::path_word(out)
    );
}

/// How many items the records rejected for their item count hold: `23`, or `20 to 23`.
fn found_items(r: &RunResult) -> String {
    let (mut lo, mut hi) = (usize::MAX, 0);
    for (l, h) in r.files.iter().filter_map(|f| f.tally.items_found) {
        (lo, hi) = (lo.min(l), hi.max(h));
    }
    match (lo, hi) {
        (usize::MAX, _) => "another number".into(),
        (l, h) if l == h => l.to_string(),
        (l, h) => format!("{l} to {h}"),
    }
}

/// When every record was rejected for the same reason, what that reason most
/// likely means (the run's settings do not fit the data).
fn all_same(r: &RunResult, a: &Args, shape: Shape) -> Option<String> {
    let c = r.manifest.counts;
    let first = r.manifest.reject_reasons.first()?;
    if c.read == 0 || c.rejected != c.read {
        return None;
    }
    if r.manifest
        .reject_reasons
        .iter()
        .any(|e| e.code != first.code)
    {
        return None;
    }
    let n = c.read;
    Some(match first.code.as_str() {
        "item-count" => format!(
            "{n} of {n} records have the wrong number of items: {} expected, {} found — is --layout {} the right layout?",
            shape.items,
            found_items(r),
            hints::shell_word(&a.layout)
        ),
        "undecodable" => format!(
            "{n} of {n} records hold bytes that are not {} — is --encoding right? (try ikou profile with another --encoding)",
            a.encoding.name()
        ),
        "wrong-length" => match shape.record_length {
            Some(len) => format!(
                "{n} of {n} records have the wrong length (the layout has record_length = {len}) — is record_length right?"
            ),
            None => format!("{n} of {n} records have the wrong length — is record_length right?"),
        },
        code => format!(
            "{n} of {n} records were rejected for the same reason: {code} 「{}」 — check the layout and the options against the data",
            ikou::report::reason_label(code)
        ),
    })
}
