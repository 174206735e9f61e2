//! `ikou convert`.

use ikou::convert::{ConvertOptions, RunResult, convert};
use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, UnmappedPolicy, VariantPolicy};
use ikou::mj::IvsPolicy;
use ikou::split::SplitConfig;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Convert legacy exports to standard UTF-8 CSV, with reject files and a manifest.
///
/// Writes, into --out: <stem>.csv (UTF-8, no BOM, CRLF, RFC 4180) and
/// <stem>.rejects.csv for each input, report.html (for people), then manifest.json last. Files appear
/// complete or not at all; the same inputs give byte-identical outputs for any
/// --jobs.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  ikou convert --layout testdata/layouts/juki-kojin.toml --encoding cp932 --out out testdata/juki_kojin.csv"
)]
pub struct Args {
    /// Layout: a path to a layout file (TOML), or the name of a bundled layout.
    #[arg(long, value_name = "LAYOUT")]
    layout: String,
    /// Output directory (created if missing).
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
    /// keep: write an MJ glyph's Moji_Joho IVS (base + selector) when it has one;
    /// never: write one JIS X 0213 character chosen through MJ縮退マップ.
    #[arg(long, value_name = "MODE", default_value = "keep", value_parser = ["keep", "never"])]
    ivs: String,
    /// What an unmapped 外字 does: reject its record; write 〓 (geta) and count it;
    /// or fail (stop with exit 1, nothing published).
    #[arg(long, value_name = "MODE", default_value = "reject", value_parser = ["reject", "geta", "fail"])]
    unmapped: String,
    /// The one form written for 〜 − ‖ — ¢ £ ¬: jis (JIS X 0213 mapping) or cp932.
    #[arg(long, value_name = "FORM", default_value = "jis", value_parser = ["jis", "cp932"])]
    variants: String,
    /// Worker threads [default: the number of CPUs]. Never changes the output.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Accept empty (0-byte) inputs as files with no records instead of stopping.
    #[arg(long)]
    allow_empty: bool,
    /// Do not check that each input looks like --encoding before converting.
    #[arg(long)]
    skip_encoding_check: bool,
    /// Bytes of input per unit of parallel work.
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_CHUNK_BYTES, hide_short_help = true)]
    chunk_bytes: usize,
    /// A record with no line end within this many bytes is cut and rejected.
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_MAX_RECORD)]
    max_record_bytes: usize,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Input files (legacy exports).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn parse_encoding(s: &str) -> Result<Encoding, String> {
    Encoding::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
        format!("unknown encoding {s:?}; use one of {}", names.join(", "))
    })
}

pub fn run(a: Args) -> u8 {
    let layout = match ikou::layout::load(&a.layout) {
        Ok(l) => l,
        Err(e) => return super::fail(&e.into()),
    };
    let mut opts = ConvertOptions::new(layout, a.out.clone());
    opts.encoding = a.encoding;
    if let Some(j) = a.jobs {
        opts.jobs = j;
    }
    opts.allow_empty = a.allow_empty;
    opts.skip_encoding_check = a.skip_encoding_check;
    opts.chunk_bytes = a.chunk_bytes;
    opts.max_record = a.max_record_bytes;
    opts.gaiji = a.gaiji.clone();
    opts.map = map_options(&a.ivs, &a.unmapped, &a.variants);
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

/// The map-stage options from their (already validated) flag values.
pub fn map_options(ivs: &str, unmapped: &str, variants: &str) -> MapOptions {
    MapOptions {
        ivs: Some(if ivs == "never" {
            IvsPolicy::Never
        } else {
            IvsPolicy::Keep
        }),
        unmapped: match unmapped {
            "geta" => UnmappedPolicy::Geta,
            "fail" => UnmappedPolicy::Fail,
            _ => UnmappedPolicy::Reject,
        },
        variants: if variants == "cp932" {
            VariantPolicy::Cp932
        } else {
            VariantPolicy::Jis
        },
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
