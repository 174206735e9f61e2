//! `ikou profile`.

use ikou::decode::Encoding;
use ikou::profile::{ProfileOptions, profile};
use ikou::split::SplitConfig;
use std::path::PathBuf;

/// Take stock of legacy exports before converting them; writes no data.
///
/// Reads the inputs as `convert` would (same layout, encoding and 外字 tables) and
/// reports: records; every distinct 外字 (user-defined code) with its count, first
/// record and the MJ glyph a table maps it to; other characters outside JIS X 0208
/// (JIS X 0213 only, or neither); defects per item and reason (what convert would
/// reject); cleansing changes per item and rule. As a table on stdout, or JSON with
/// --json. --worklist writes a 外字 table skeleton for the unmapped codes.
///
/// Exit status: 0 nothing to reject and every 外字 mapped; 3 convert would reject
/// records or some 外字 are unmapped; 2 usage or configuration error; 1 I/O error.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  ikou profile --layout testdata/layouts/juki-kojin.toml --gaiji testdata/gaiji/sample.tsv \\\n      --worklist worklist.tsv testdata/juki_kojin.csv"
)]
pub struct Args {
    /// Layout: a path to a layout file (TOML), or the name of a bundled layout.
    #[arg(long, value_name = "LAYOUT")]
    layout: String,
    /// Source encoding, as for convert.
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = super::convert::parse_encoding)]
    encoding: Encoding,
    /// Vendor 外字 table (TSV). Repeatable, as for convert.
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    /// As for convert: with never, a mapped 外字 whose glyph has no JIS X 0213 form
    /// counts as unmapped.
    #[arg(long, value_name = "MODE", default_value = "keep", value_parser = ["keep", "never"])]
    ivs: String,
    /// As for convert (decides what is reported as "convert writes").
    #[arg(long, value_name = "FORM", default_value = "jis", value_parser = ["jis", "cp932"])]
    variants: String,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Write a vendor 外字 table skeleton to FILE: one line per unmapped 外字, target
    /// empty, count and first record as a note. Fill in the targets, then pass it to
    /// convert --gaiji (which refuses it while a target is empty).
    #[arg(long, value_name = "FILE")]
    worklist: Option<PathBuf>,
    /// Worker threads [default: the number of CPUs]. Never changes the result.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Do not check that each input looks like --encoding first.
    #[arg(long)]
    skip_encoding_check: bool,
    /// Bytes of input per unit of parallel work.
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_CHUNK_BYTES, hide_short_help = true)]
    chunk_bytes: usize,
    /// A record with no line end within this many bytes is cut (a defect).
    #[arg(long, value_name = "BYTES", default_value_t = SplitConfig::DEFAULT_MAX_RECORD)]
    max_record_bytes: usize,
    /// Input files (legacy exports).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

pub fn run(a: Args) -> u8 {
    let layout = match ikou::layout::load(&a.layout) {
        Ok(l) => l,
        Err(e) => return super::fail(&e.into()),
    };
    let mut opts = ProfileOptions::new(layout);
    opts.encoding = a.encoding;
    opts.gaiji = a.gaiji.clone();
    opts.map = super::convert::map_options(&a.ivs, "reject", &a.variants);
    if let Some(j) = a.jobs {
        opts.jobs = j;
    }
    opts.skip_encoding_check = a.skip_encoding_check;
    opts.chunk_bytes = a.chunk_bytes;
    opts.max_record = a.max_record_bytes;
    let p = match profile(&opts, &a.inputs) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    for w in &p.warnings {
        eprintln!("ikou: {w}");
    }
    if let Some(path) = &a.worklist {
        if let Err(e) = ikou::output::write_atomic(path, p.worklist().as_bytes()) {
            eprintln!(
                "ikou: error: {}: cannot write the work list: {e}; check that its directory exists and is writable",
                path.display()
            );
            return 1;
        }
        let n = p.gaiji.iter().filter(|g| g.status == "unmapped").count();
        eprintln!(
            "ikou: {}: {n} unmapped 外字 to identify; fill in the target column, then use it with convert --gaiji",
            path.display()
        );
    }
    if a.json {
        print!("{}", p.to_json());
    } else {
        print!("{}", p.table());
    }
    p.exit_code() as u8
}
