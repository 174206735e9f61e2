//! `ikou profile`.

use super::args::{Ivs, ReadArgs, Variants, parse_encoding};
use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, UnmappedPolicy};
use ikou::profile::{ProfileOptions, profile};
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
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// Vendor 外字 table (TSV). Repeatable, as for convert.
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    /// As for convert: with never, a mapped 外字 whose glyph has no JIS X 0213 form
    /// counts as unmapped.
    #[arg(long, value_name = "MODE", value_enum, default_value = "keep")]
    ivs: Ivs,
    /// As for convert (decides what is reported as "convert writes").
    #[arg(long, value_name = "FORM", value_enum, default_value = "jis")]
    variants: Variants,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Write a vendor 外字 table skeleton to FILE: one line per unmapped 外字, target
    /// empty, count and first record as a note. Fill in the targets, then pass it to
    /// convert --gaiji (which refuses it while a target is empty).
    #[arg(long, value_name = "FILE")]
    worklist: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
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
    opts.map = MapOptions {
        ivs: Some(a.ivs.into()),
        unmapped: UnmappedPolicy::Reject,
        variants: a.variants.into(),
    };
    if let Some(j) = a.read.jobs {
        opts.jobs = j;
    }
    opts.skip_encoding_check = a.read.skip_encoding_check;
    opts.chunk_bytes = a.read.chunk_bytes;
    opts.max_record = a.read.max_record_bytes;
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
