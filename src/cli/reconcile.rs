//! `ikou reconcile`.

use super::args::{Ivs, jobs_parser, load_layout, parse_encoding};
use ikou::decode::Encoding;
use ikou::reconcile::engine::{self, DIFFERENCES, PAGE, SUMMARY};
use ikou::split::SplitConfig;
use std::path::PathBuf;

/// Compare the old system's export with the new system's (移行結果の確認).
///
/// Reads each side as `ikou convert` reads it (its layout, encoding, 外字 tables,
/// cleansing), matches records by the key items and compares every item both
/// layouts have, by name. Writes, into --out: reconcile.json (the counts, per item
/// counts, sums), differences.csv (UTF-8, CRLF, RFC 4180; one line per differing
/// item, or per record for only-old, only-new, duplicate-old, duplicate-new,
/// unreadable-old, unreadable-new; columns key,item,kind,old,new,rule,old_record,
/// new_record), reconcile.html (for the clerk: Japanese, printable) and
/// manifest.json last, with the SHA-256 of every input, layout and table, so that
/// `ikou verify --inputs DIR` re-checks the run. Nothing is published unless the
/// run finished; the same inputs give byte-identical files for any --jobs.
///
/// Kinds: different; form-only (equal after a rule: padding, width, ivs, compat,
/// mj-degenerate; named in the rule column); empty-vs-value; only-old / only-new
/// (the key is on one side); duplicate-old / duplicate-new (the key is not unique:
/// every record of it is listed, none compared); unreadable-old / unreadable-new
/// (a record that convert would reject, with its record number and reason).
/// Items of a `sensitive` item are compared but never written (kind and key only).
///
/// Exit status: 0 everything matches (records, items, sums and group counts);
/// 1 there are differences; 2 the run could not be done (usage or configuration
/// error, missing or unreadable input, wrong encoding, disk full) and nothing was
/// published.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  ikou reconcile --old old/juki.csv --old-layout old.toml --old-encoding cp932 --gaiji vendor.tsv \\
                 --new new/juki.csv --new-layout new.toml --new-encoding utf-8 --out check
  ikou reconcile --old a.csv --old-layout juki-kojin --new b.csv --new-layout std.toml \\
                 --map 氏名=氏名_漢字 --key 宛名番号 --sum 税額 --group 地区コード --out check
Exit status: 0 everything matches; 1 differences; 2 error (nothing published).")]
pub struct Args {
    /// The old system's export files (one side; several files are one data set).
    /// Example: --old old/part1.csv old/part2.csv
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    old: Vec<PathBuf>,
    /// Layout of the old files: a path to a layout file (TOML) or a bundled
    /// layout's name. Example: --old-layout testdata/layouts/juki-kojin.toml
    #[arg(long, value_name = "LAYOUT")]
    old_layout: String,
    /// Encoding of the old files (as convert --encoding). Example: --old-encoding cp932
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    old_encoding: Encoding,
    /// Vendor 外字 table for the old files (TSV, as convert --gaiji). Repeatable.
    /// Example: --gaiji vendor.tsv
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    /// The new system's export files. Example: --new new/juki.csv
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    new: Vec<PathBuf>,
    /// Layout of the new files. Example: --new-layout new.toml
    #[arg(long, value_name = "LAYOUT")]
    new_layout: String,
    /// Encoding of the new files. Example: --new-encoding utf-8
    #[arg(long, value_name = "ENC", default_value = "utf-8", value_parser = parse_encoding)]
    new_encoding: Encoding,
    /// The items that identify a record, comma-separated, named as in the old
    /// layout (or by their --map new name) [default: the old layout's key = true
    /// items]. Example: --key 宛名番号 or --key 世帯番号,続柄
    #[arg(long, value_name = "ITEM[,ITEM]", value_delimiter = ',')]
    key: Vec<String>,
    /// An old item that has another name in the new layout. Repeatable.
    /// Example: --map 氏名=氏名_漢字
    #[arg(long, value_name = "OLD_ITEM=NEW_ITEM", value_parser = parse_map)]
    map: Vec<(String, String)>,
    /// Total this item on both sides (number, packed, zoned, binary or digits;
    /// exact decimals, never rounded), overall and per --group value. Repeatable.
    /// Example: --sum 税額
    #[arg(long, value_name = "ITEM")]
    sum: Vec<String>,
    /// Count records (人数) and the --sum totals per value of this item on both
    /// sides; groups that differ are listed first. Repeatable.
    /// Example: --group 地区コード --group 性別
    #[arg(long, value_name = "ITEM")]
    group: Vec<String>,
    /// How MJ glyphs of the old side's 外字 tables are read (as convert --ivs):
    /// keep (IVS) or never (the JIS X 0213 character of MJ縮退マップ).
    /// Example: --ivs never
    #[arg(long, value_name = "MODE", value_enum, default_value = "keep")]
    ivs: Ivs,
    /// Write no value anywhere (differences.csv and reconcile.html show the key
    /// and the kind only), e.g. to send the result outside the office.
    #[arg(long)]
    no_values: bool,
    /// Output directory (created if missing): new, empty, or an earlier run's of
    /// ikou (as convert --out). Example: --out check
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Write into an --out that holds files ikou did not write (they are left alone).
    #[arg(long)]
    force: bool,
    /// Worker threads, 1 to 256 [default: the number of CPUs]. Never changes the
    /// result. Example: --jobs 4
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs_parser())]
    jobs: Option<usize>,
    /// Do not check that each input looks like its encoding before starting.
    #[arg(long)]
    skip_encoding_check: bool,
    /// Key partitions on disk, 1 to 256 [default: from the input sizes]. Never
    /// changes the result.
    #[arg(long, value_name = "N", hide = true,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=engine::MAX_PARTITIONS as u64))]
    partitions: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short, conflicts_with = "json")]
    quiet: bool,
    /// Print reconcile.json on stdout as well.
    #[arg(long)]
    json: bool,
}

fn parse_map(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() => Ok((o.to_string(), n.to_string())),
        _ => Err(format!(
            "{s:?} is not OLD_ITEM=NEW_ITEM (e.g. --map 氏名=氏名_漢字)"
        )),
    }
}

/// Every failure is exit 2 here: 1 means "differences" (CONTRACT.md).
fn fail(e: &ikou::Error) -> u8 {
    eprintln!("ikou: error: {e}");
    eprintln!("ikou: nothing was published");
    2
}

pub fn run(a: Args) -> u8 {
    let load = |spec: &str, flag: &str| {
        if spec == "-" {
            return Err(ikou::Error::Usage(format!(
                "{flag} -: reconcile reads layouts from files; give a path or a bundled layout's name"
            )));
        }
        load_layout(spec)
    };
    let old_layout = match load(&a.old_layout, "--old-layout") {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    let new_layout = match load(&a.new_layout, "--new-layout") {
        Ok(l) => l,
        Err(e) => return fail(&e),
    };
    let opts = engine::Options {
        old: engine::Side {
            files: a.old.clone(),
            layout: old_layout,
            encoding: a.old_encoding,
            gaiji: a.gaiji.clone(),
        },
        new: engine::Side {
            files: a.new.clone(),
            layout: new_layout,
            encoding: a.new_encoding,
            gaiji: Vec::new(),
        },
        key: a.key.clone(),
        map: a.map.clone(),
        sum: a.sum.clone(),
        group: a.group.clone(),
        map_options: engine::map_options(Some(a.ivs.into())),
        no_values: a.no_values,
        out_dir: a.out.clone(),
        jobs: a
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        force: a.force,
        chunk_bytes: SplitConfig::DEFAULT_CHUNK_BYTES,
        max_record: SplitConfig::DEFAULT_MAX_RECORD,
        skip_encoding_check: a.skip_encoding_check,
        partitions: a.partitions,
    };
    let r = match engine::reconcile(&opts) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let code = r.exit_code();
    if a.json {
        let text = match serde_json::to_string_pretty(&r.summary) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ikou: error: cannot write JSON: {e}");
                return 2;
            }
        };
        if let Err(failed) = super::stdout::write(text.as_bytes()) {
            return failed;
        }
    } else if !a.quiet {
        for w in &r.warnings {
            eprintln!("ikou: {w}");
        }
        let c = &r.summary.counts;
        eprintln!(
            "ikou: {} — old {} records, new {}: matched {}, only old {}, only new {}, duplicate old {}, duplicate new {}, unreadable old {}, unreadable new {}",
            if r.summary.matches {
                "一致 (match)"
            } else {
                "不一致 (differences)"
            },
            c.old,
            c.new,
            c.matched,
            c.only_old,
            c.only_new,
            c.duplicate_old,
            c.duplicate_new,
            c.unreadable_old,
            c.unreadable_new
        );
        for i in &r.summary.items {
            if i.different + i.form_only + i.empty_vs_value > 0 {
                eprintln!(
                    "ikou:   {}: {} different, {} form-only, {} empty-vs-value",
                    i.item, i.different, i.form_only, i.empty_vs_value
                );
            }
        }
        for s in r.summary.sums.iter().filter(|s| s.group_item.is_none()) {
            eprintln!("ikou:   合計 {}: old {}, new {}", s.item, s.old, s.new);
        }
        let out = &a.out;
        eprintln!(
            "ikou: {} differences → {}; for people: {}; summary: {}",
            r.differences,
            out.join(DIFFERENCES).display(),
            out.join(PAGE).display(),
            out.join(SUMMARY).display()
        );
    }
    code
}
