//! `ikou mappings check` and `ikou mappings diff`.

use super::args::{Ivs, MapArgs, parse_encoding};
use ikou::decode::Encoding;
use ikou::mappings::check::{CheckOptions, CheckReport, check};
use ikou::mappings::corpus::{CorpusDiff, CorpusOptions};
use ikou::mappings::diff::{Change, Corpus, DiffOptions, DiffReport, Side, diff};
use ikou::mappings::{read_table, read_tables};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Check and compare vendor 外字 tables (for review and CI).
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Check(CheckArgs),
    Diff(DiffArgs),
}

/// Lint 外字 tables: every problem, each with file and line.
///
/// Errors (exit 1): bad syntax, a source listed twice, a target the MJ list does
/// not have, two tables mapping one source differently, a target that is itself a
/// private-use code, a file that is not UTF-8. Warnings (exit 0 unless --strict): a
/// source outside the user-defined areas (a real character is being remapped), a
/// U+ source that --encoding never produces, `!` that overrides nothing, and with
/// --ivs never a glyph with no JIS X 0213 form. Tables are checked together, in the
/// order given, as `convert --gaiji` loads them.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 no errors (and no warnings with --strict); 1 findings; 2 a table or the layout cannot be read.\n\nCode tables of a target layout (convert --to), with --to: errors code-syntax, duplicate-old (another new code), new-not-in-codes (not one of the item's codes), missing-code (with --corpus: a value the corpus gives that has no line); warnings duplicate-old (the same line twice), unreachable-code (with --corpus: a line the corpus never reaches).\n\nExamples:\n  ikou mappings check --encoding cp932 testdata/gaiji/sample.tsv\n  ikou mappings check --to testdata/target/vendor-to-juki-kojin.toml \\\n       --layout testdata/target/vendor-juki.toml --corpus testdata/target/vendor_juki.csv"
)]
struct CheckArgs {
    /// 外字 tables (TSV: source<TAB>target), in --gaiji order.
    #[arg(required_unless_present = "to", value_name = "TSV")]
    tables: Vec<PathBuf>,
    /// A target layout (convert --to): lint the code tables its items name.
    #[arg(long, value_name = "TARGET")]
    to: Option<String>,
    /// With --to: inputs (of --layout, in --encoding) whose values show the code
    /// table lines never reached and the values without a line. Put it last.
    #[arg(long, value_name = "INPUT", num_args = 1.., requires_all = ["to", "layout"])]
    corpus: Vec<PathBuf>,
    /// The encoding of the inputs the tables are for: gives the meaning of 0xHHHH
    /// sources, and which U+ sources can occur at all.
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// The --ivs of the conversion: never also warns about glyphs that have no
    /// JIS X 0213 form (their records would follow --unmapped).
    #[arg(long, value_name = "MODE", value_enum, default_value = "keep")]
    ivs: Ivs,
    /// The layout of the conversion. It must load; it is recorded in --json output.
    /// (A layout does not name an encoding: give --encoding.)
    #[arg(long, value_name = "LAYOUT")]
    layout: Option<String>,
    /// Warnings fail too (exit 1).
    #[arg(long)]
    strict: bool,
    /// As for convert: a U+ target outside the set (and no MJ glyph form) is the
    /// warning outside-charset; --charset-ext is what GJ###### targets name.
    #[command(flatten)]
    charset: super::args::CharsetArgs,
    /// Print the findings as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Print the findings only, without the summary line (nothing for a clean table).
    #[arg(short, long, conflicts_with = "json")]
    quiet: bool,
}

/// Compare two versions of the 外字 tables, and the records they convert.
///
/// Lists every source added, removed or changed (another MJ glyph or another
/// written form), with the glyph and the written form before and after under the
/// given --ivs; a target only written differently (J+AEAC → MJ032129, same glyph,
/// same output) is listed as renotated. With --corpus, converts every record of
/// the inputs with both versions and lists, per file, the records whose output or
/// reject reason changes, by record number and the layout's key item (no other
/// item value is ever printed).
#[derive(clap::Args)]
#[command(after_help = "\
Exit status: 0 nothing written differently; 1 some entry changes what is written; 2 error (a table with errors, an unreadable file or layout).

Examples:
  git show origin/main:gaiji/vendor.tsv > /tmp/old.tsv
  ikou mappings diff /tmp/old.tsv gaiji/vendor.tsv
  ikou mappings diff --old a.tsv --old fix-v1.tsv --new a.tsv --new fix-v2.tsv \\
       --layout juki.toml --encoding cp932 --corpus corpus/*.csv")]
struct DiffArgs {
    /// OLD.tsv NEW.tsv (one table each); for several tables per side use --old and --new.
    #[arg(value_name = "OLD.tsv NEW.tsv", num_args = 0..=2)]
    tables: Vec<PathBuf>,
    /// An OLD table (repeatable, in --gaiji order).
    #[arg(long, value_name = "TSV")]
    old: Vec<PathBuf>,
    /// A NEW table (repeatable, in --gaiji order).
    #[arg(long, value_name = "TSV")]
    new: Vec<PathBuf>,
    /// Input encoding (the meaning of 0xHHHH sources, and of the corpus).
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// As for convert: the written form compared (--unmapped fail is compared as reject).
    #[command(flatten)]
    map: MapArgs,
    #[command(flatten)]
    charset: super::args::CharsetArgs,
    /// Inputs to convert with both versions (needs --layout). Put it after OLD NEW.
    #[arg(long, value_name = "INPUT", num_args = 1.., requires = "layout")]
    corpus: Vec<PathBuf>,
    /// The layout of the corpus: a path or a bundled name.
    #[arg(long, value_name = "LAYOUT")]
    layout: Option<String>,
    /// Changed records listed per file (0: all); the counts are always complete.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    limit: usize,
    // How the corpus is read, as for convert (--jobs, --chunk-bytes, …).
    #[command(flatten)]
    read: super::args::ReadArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout: the exit status says whether anything is written
    /// differently (errors still go to stderr).
    #[arg(short, long, conflicts_with = "json")]
    quiet: bool,
}

pub fn run(a: Args) -> u8 {
    match a.command {
        Sub::Check(a) => run_check(a),
        Sub::Diff(a) => run_diff(a),
    }
}

fn run_check(a: CheckArgs) -> u8 {
    if let Err(e) = super::args::stdin_once("", &a.charset.ext.tables_with(&a.tables), &[]) {
        return super::fail(&e);
    }
    let layout = match a.layout.as_deref().map(ikou::layout::load).transpose() {
        Ok(l) => l.map(|l| l.origin),
        Err(e) => return super::fail(&e.into()),
    };
    let mut tables = Vec::new();
    for p in &a.tables {
        match read_table(p) {
            Ok(t) => tables.push(t),
            Err(e) => return super::fail(&e),
        }
    }
    let ext = match a.charset.ext.load() {
        Ok(x) => x,
        Err(e) => return super::fail(&e),
    };
    let opts = CheckOptions {
        encoding: a.encoding,
        ivs: a.ivs.into(),
        layout,
        charset: a.charset.charset.into(),
        ext,
    };
    let mut report = check(&tables, &opts);
    if let Some(to) = &a.to {
        let codes = || -> Result<_, ikou::Error> {
            let target = ikou::target::load(to)?;
            let survey = match (&a.layout, a.corpus.is_empty()) {
                (Some(layout), false) => Some(ikou::target::survey::survey(
                    &ikou::layout::load(layout)?,
                    &target,
                    a.encoding,
                    &a.corpus,
                    std::thread::available_parallelism().map_or(1, |n| n.get()),
                )?),
                _ => None,
            };
            ikou::mappings::check::check_codes(&target, survey.as_ref())
        };
        match codes() {
            Ok((tables, findings)) => report.extend(tables, findings),
            Err(e) => return super::fail(&e),
        }
    }
    let mut out = String::new();
    if a.json {
        print_json(&mut out, &report);
    } else {
        print_check(&mut out, &report, a.quiet);
    }
    if let Err(failed) = super::stdout::write(out.as_bytes()) {
        return failed;
    }
    report.exit_code(a.strict) as u8
}

fn print_json(out: &mut String, v: &impl serde::Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            out.push_str(&s);
            out.push('\n');
        }
        Err(e) => eprintln!("ikou: error: cannot write JSON: {e}"),
    }
}

fn print_check(out: &mut String, r: &CheckReport, quiet: bool) {
    for f in &r.findings {
        let _ = writeln!(
            out,
            "{}:{}: {}: {} [{}]",
            f.path, f.line, f.severity, f.message, f.code
        );
    }
    if quiet {
        return;
    }
    let entries: usize = r.tables.iter().map(|t| t.entries).sum();
    let what = format!(
        "{} table{}, {entries} entries (--encoding {}, --ivs {})",
        r.tables.len(),
        plural(r.tables.len()),
        r.options.encoding,
        r.options.ivs
    );
    if r.findings.is_empty() {
        let _ = writeln!(out, "OK: {what}: no findings");
    } else {
        let _ = writeln!(
            out,
            "{what}: {} error{}, {} warning{}",
            r.errors,
            plural(r.errors),
            r.warnings,
            plural(r.warnings)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn run_diff(a: DiffArgs) -> u8 {
    let (old, new) = match (a.tables.len(), a.old.is_empty(), a.new.is_empty()) {
        (2, true, true) => (vec![a.tables[0].clone()], vec![a.tables[1].clone()]),
        (0, false, false) => (a.old.clone(), a.new.clone()),
        _ => {
            eprintln!(
                "ikou: error: give OLD.tsv NEW.tsv, or --old TSV… and --new TSV… (not both forms)"
            );
            return 2;
        }
    };
    let run = || -> Result<DiffReport, ikou::Error> {
        let old = read_tables(&old)?;
        let new = read_tables(&new)?;
        let layout = a.layout.as_deref().map(ikou::layout::load).transpose()?;
        let opts = DiffOptions {
            encoding: a.encoding,
            map: a.charset.apply(a.map.options())?,
        };
        let corpus = match (&layout, a.corpus.is_empty()) {
            (Some(layout), false) => {
                let mut options = CorpusOptions::new(a.encoding);
                options.limit = a.limit;
                if let Some(j) = a.read.jobs {
                    options.jobs = j;
                }
                options.chunk_bytes = a.read.chunk_bytes;
                options.max_record = a.read.max_record_bytes;
                options.skip_encoding_check = a.read.skip_encoding_check;
                Some(Corpus {
                    layout,
                    inputs: &a.corpus,
                    options,
                })
            }
            _ => None,
        };
        diff(&old, &new, &opts, corpus)
    };
    match run() {
        Ok(r) => {
            let mut out = String::new();
            if a.json {
                print_json(&mut out, &r);
            } else if !a.quiet {
                print_diff(&mut out, &r);
            }
            if let Err(failed) = super::stdout::write(out.as_bytes()) {
                return failed;
            }
            u8::from(r.different)
        }
        Err(e) => {
            eprintln!("ikou: error: {e}");
            2
        }
    }
}

fn print_diff(out: &mut String, r: &DiffReport) {
    let side = |t: &ikou::mappings::diff::Tables| {
        let paths: Vec<&str> = t.tables.iter().map(|x| x.path.as_str()).collect();
        format!("{} ({} entries)", paths.join(" + "), t.entries)
    };
    let _ = writeln!(
        out,
        "外字 tables: OLD {} → NEW {}  [--encoding {} --ivs {} --unmapped {}]",
        side(&r.old),
        side(&r.new),
        r.options.encoding,
        r.options.ivs,
        r.options.unmapped
    );
    for e in &r.entries {
        let src = match &e.table_source {
            Some(t) => format!("{} ({t})", e.source),
            None => e.source.clone(),
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "{:<9} {src}", e.change.as_str());
        if let Some(s) = &e.old {
            let _ = writeln!(out, "  old  {}", side_text(s));
        }
        if let Some(s) = &e.new {
            let _ = writeln!(out, "  new  {}", side_text(s));
        }
        if e.change == Change::Removed {
            let _ = writeln!(
                out,
                "  now unmapped: its records follow --unmapped {}",
                r.options.unmapped
            );
        }
        if let Some(n) = e.records {
            let what = if n == 1 {
                "record changes"
            } else {
                "records change"
            };
            let _ = writeln!(out, "  corpus: {n} {what}");
        }
    }
    if let Some(c) = &r.corpus {
        print_corpus(out, c);
    }
    let _ = writeln!(out);
    let listed: Vec<String> = r.summary.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let entries = if r.entries.is_empty() {
        "the tables map every source the same way".to_string()
    } else {
        format!(
            "{} {} ({})",
            r.entries.len(),
            if r.entries.len() == 1 {
                "entry differs"
            } else {
                "entries differ"
            },
            listed.join(", ")
        )
    };
    let _ = match &r.corpus {
        Some(c) => writeln!(
            out,
            "{entries}; {} of {} corpus records change",
            c.changed, c.records
        ),
        None => writeln!(out, "{entries}"),
    };
}

fn side_text(s: &Side) -> String {
    let mut t = s.target.clone();
    if let Some(mj) = &s.mj {
        if *mj != s.target {
            t.push_str(&format!(" = {mj}"));
        }
        if let Some(g) = &s.mj_glyph {
            t.push_str(&format!(" {g}"));
        }
    }
    match (&s.written, &s.output, &s.unwritable) {
        (Some(w), Some(o), _) => t.push_str(&format!("  → writes {w} ({o})")),
        (_, _, Some(why)) => t.push_str(&format!("  → writes nothing; reason: 「{why}」")),
        _ => {}
    }
    t.push_str(&format!("  [{}]", s.table));
    t
}

fn print_corpus(out: &mut String, c: &CorpusDiff) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Corpus (layout {}): {} of {} records change",
        c.layout, c.changed, c.records
    );
    let key = c.key_item.as_deref();
    for f in &c.files {
        let kinds: Vec<String> = f
            .by_change
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        if f.changed == 0 {
            let _ = writeln!(
                out,
                "  {}: no record changes ({} records)",
                f.path, f.records
            );
            continue;
        }
        let _ = writeln!(
            out,
            "  {}: {} of {} records change ({})",
            f.path,
            f.changed,
            f.records,
            kinds.join(", ")
        );
        for rc in &f.listed {
            let mut line = format!("    record {:>7}", rc.record);
            if let (Some(k), Some(v)) = (key, &rc.key) {
                line.push_str(&format!("  {k} {v}"));
            }
            line.push_str(&format!("  {}", rc.change.as_str()));
            match (&rc.old_reject, &rc.new_reject) {
                (Some(o), Some(n)) => line.push_str(&format!(" ({o} → {n})")),
                (Some(o), None) => line.push_str(&format!(" (was {o})")),
                (None, Some(n)) => line.push_str(&format!(" ({n})")),
                (None, None) => {}
            }
            if !rc.items.is_empty() {
                line.push_str(&format!("  items: {}", rc.items.join(", ")));
            }
            if !rc.sources.is_empty() {
                line.push_str(&format!("  外字: {}", rc.sources.join(" ")));
            }
            let _ = writeln!(out, "{line}");
        }
        let more = f.changed - f.listed.len() as u64;
        if more > 0 {
            let _ = writeln!(out, "    … {more} more (raise --limit to list them)");
        }
    }
}
