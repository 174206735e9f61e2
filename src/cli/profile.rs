//! `ikou profile`.

use super::args::{Ivs, ReadArgs, Variants, parse_encoding};
use super::hints;
use ikou::decode::Encoding;
use ikou::gaiji::{MapOptions, UnmappedPolicy};
use ikou::profile::{ProfileOptions, profile};
use std::path::{Path, PathBuf};

/// Take stock of legacy exports before converting them; writes no data.
///
/// Reads the inputs as `convert` would (same layout, encoding and 外字 tables) and
/// reports: records; every distinct 外字 (user-defined code) with its count, first
/// record and the MJ glyph a table maps it to; other characters outside JIS X 0208
/// (JIS X 0213 only, or neither); defects per item and reason (what convert would
/// reject); cleansing changes per item and rule. As a table on stdout, or JSON with
/// --json. --worklist writes a 外字 table skeleton for the unmapped codes (adding to
/// the file when it exists; --force replaces it).
///
/// Exit status: 0 nothing to reject and every 外字 mapped; 3 convert would reject
/// records or some 外字 are unmapped; 2 usage or configuration error; 1 I/O error.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  ikou profile --layout testdata/layouts/juki-kojin.toml --gaiji testdata/gaiji/sample.tsv \\\n      --worklist worklist.tsv testdata/juki_kojin.csv"
)]
pub struct Args {
    /// Layout: a path to a layout file (TOML), the name of a bundled layout, or - to
    /// read it from standard input.
    #[arg(long, value_name = "LAYOUT")]
    layout: String,
    /// Source encoding, as for convert.
    #[arg(long, value_name = "ENC", default_value = "cp932", value_parser = parse_encoding)]
    encoding: Encoding,
    /// Vendor 外字 table (TSV). Repeatable, as for convert.
    #[arg(long, value_name = "TSV")]
    gaiji: Vec<PathBuf>,
    /// The vendor's 外字 font (TrueType/OpenType/EUDC, BDF, or a directory of PNG
    /// files named by code, as for identify): each 外字 is shown with its glyph
    /// (drawn in text under the table; --json: "vendor_glyph", a PNG data URI).
    #[arg(long, value_name = "FONT|DIR")]
    font: Option<PathBuf>,
    /// As for convert: with never, a mapped 外字 whose glyph has no JIS X 0213 form
    /// counts as unmapped.
    #[arg(long, value_name = "MODE", value_enum, default_value = "keep")]
    ivs: Ivs,
    /// As for convert (decides what is reported as "convert writes").
    #[arg(long, value_name = "FORM", value_enum, default_value = "auto",
          long_help = super::args::VARIANTS_HELP)]
    variants: Variants,
    /// As for convert: the "convert writes" column shows compatibility ideographs
    /// as the standardized variation sequences convert --nfc-safe writes.
    #[arg(long)]
    nfc_safe: bool,
    /// As for convert: characters outside the set are listed (標準外の文字) and
    /// counted as the defect nonstandard-char.
    #[command(flatten)]
    charset: super::args::CharsetArgs,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Print nothing but errors (no table, no hints): the exit status says whether
    /// convert would reject records or meet unmapped 外字. --worklist is still written.
    #[arg(short, long, conflicts_with = "json")]
    quiet: bool,
    /// Write a vendor 外字 table skeleton to FILE: one line per unmapped 外字, target
    /// empty, count and first record as a note. Fill in the targets, then pass it to
    /// convert --gaiji (which refuses it while a target is empty). When FILE exists,
    /// every line of it is kept as it is (filled-in targets too) and a line is added
    /// for each unmapped 外字 it does not list yet. FILE may never be one of the
    /// --gaiji tables of the run (exit 2).
    #[arg(long, value_name = "FILE")]
    worklist: Option<PathBuf>,
    /// With --worklist: replace an existing FILE with a new work list instead of
    /// adding to it (its lines, and any targets filled in, are lost).
    #[arg(long, requires = "worklist")]
    force: bool,
    #[command(flatten)]
    read: ReadArgs,
    /// Input files (legacy exports); - reads one from standard input.
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
    let mut opts = ProfileOptions::new(layout);
    opts.encoding = a.encoding;
    opts.gaiji = a.gaiji.clone();
    let map = MapOptions {
        ivs: Some(a.ivs.into()),
        unmapped: UnmappedPolicy::Reject,
        variants: a.variants.into(),
        nfc_safe: a.nfc_safe,
        ..MapOptions::default()
    };
    opts.map = match a.charset.apply(map) {
        Ok(m) => m,
        Err(e) => return super::fail(&e),
    };
    if let Some(j) = a.read.jobs {
        opts.jobs = j;
    }
    opts.skip_encoding_check = a.read.skip_encoding_check;
    opts.chunk_bytes = a.read.chunk_bytes;
    opts.max_record = a.read.max_record_bytes;
    // Decided before the inputs are read: a refusal should not wait for them.
    let existing = match &a.worklist {
        Some(path) => match existing_worklist(path, &a.gaiji, a.force) {
            Ok(e) => e,
            Err(e) => return super::fail(&e),
        },
        None => None,
    };
    let vendor = match &a.font {
        Some(f) => match ikou::identify::source::VendorImages::read(f) {
            Ok(v) => Some(v),
            Err(e) => return super::fail(&e),
        },
        None => None,
    };
    let p = match profile(&opts, &a.inputs) {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    if !a.quiet {
        for w in &p.warnings {
            eprintln!("ikou: {w}");
        }
    }
    let unmapped = p.gaiji.iter().filter(|g| g.status == "unmapped").count();
    if let Some(path) = &a.worklist {
        let n = unmapped;
        let (text, said) = match &existing {
            Some(old) => {
                let m = p.merge_worklist(old, a.encoding);
                let said = format!(
                    "kept its {} lines and added {} (unmapped 外字 it did not list; {n} unmapped in all)",
                    m.kept, m.added
                );
                (m.text, said)
            }
            None => (
                p.worklist(),
                format!(
                    "{n} unmapped 外字 to identify{}",
                    if a.force { " (replaced)" } else { "" }
                ),
            ),
        };
        if let Err(e) = ikou::output::write_atomic(path, text.as_bytes()) {
            eprintln!(
                "ikou: error: {}: cannot write the work list: {e}; check that its directory exists and is writable",
                path.display()
            );
            return 1;
        }
        if !a.quiet {
            eprintln!(
                "ikou: {}: {said}; fill in the target column, then convert with it: {}",
                path.display(),
                convert_command(&a, path)
            );
        }
    } else if unmapped > 0 && !a.quiet {
        let cmd = hints::profile_worklist(
            &a.layout,
            a.encoding.name(),
            &a.gaiji,
            &map_flags(&a),
            "worklist.tsv",
            &a.inputs,
        );
        eprintln!("ikou: next: {unmapped} unmapped 外字; write a work list of them: {cmd}");
    }
    let code = p.exit_code() as u8;
    if a.quiet {
        return code;
    }
    let mut text = if a.json { p.to_json() } else { p.table() };
    if let Some(v) = &vendor {
        text = with_vendor_glyphs(text, &p, v, a.json);
    }
    match super::stdout::write(text.as_bytes()) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}

/// `text` (the table or the JSON) with the vendor's glyph of each 外字 (`--font`).
fn with_vendor_glyphs(
    text: String,
    p: &ikou::profile::Profile,
    v: &ikou::identify::source::VendorImages,
    json: bool,
) -> String {
    let code = |source: &str| match ikou::identify::source::Code::parse(source) {
        Ok(ikou::identify::source::Code::Char(c)) => Some(c),
        _ => None,
    };
    if json {
        let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else {
            return text;
        };
        if let Some(list) = value.get_mut("gaiji").and_then(|g| g.as_array_mut()) {
            for g in list {
                let c = g.get("source").and_then(|s| s.as_str()).and_then(code);
                let bytes = g.get("bytes").and_then(|b| b.as_str()).map(str::to_string);
                let uri = c.and_then(|c| v.data_uri(c, bytes.as_deref()));
                if let Some(obj) = g.as_object_mut() {
                    obj.insert("vendor_glyph".into(), uri.into());
                }
            }
        }
        return serde_json::to_string_pretty(&value).map_or(text, |s| s + "\n");
    }
    let codes: Vec<(char, Option<String>)> = p
        .gaiji
        .iter()
        .filter_map(|g| Some((code(&g.source)?, g.bytes.clone())))
        .collect();
    if codes.is_empty() {
        return text;
    }
    format!(
        "{text}\n外字 as the vendor's font draws them (--font {}):\n{}",
        v.font,
        v.text_art(&codes)
    )
}

/// `--ivs`/`--variants` as given, when not the default (for the commands suggested).
fn map_flags(a: &Args) -> Vec<String> {
    super::args::map_flags(a.ivs, a.variants)
}

/// The `ikou convert` that uses the filled-in work list `worklist` with this run's
/// settings (`--out DIR` for the user to choose).
fn convert_command(a: &Args, worklist: &Path) -> String {
    let mut w = vec![
        "ikou".to_string(),
        "convert".into(),
        "--layout".into(),
        hints::shell_word(&a.layout),
        "--encoding".into(),
        a.encoding.name().into(),
    ];
    for g in a.gaiji.iter().map(PathBuf::as_path).chain([worklist]) {
        w.push("--gaiji".into());
        w.push(hints::path_word(g));
    }
    w.extend(map_flags(a));
    w.extend(["--out".to_string(), "DIR".into()]);
    w.extend(a.inputs.iter().map(|p| hints::path_word(p)));
    hints::command(&w)
}

/// The work list already at `path`, to add to (None: there is none, or `force`
/// replaces it). Err (exit 2): `path` is one of the `--gaiji` tables the run reads
/// (compared as files, so another spelling, a link or a hard link is caught too),
/// a symbolic link (ikou does not write through links it did not make), not a
/// regular file, or not UTF-8 text.
fn existing_worklist(
    path: &Path,
    gaiji: &[PathBuf],
    force: bool,
) -> Result<Option<String>, ikou::Error> {
    let config = |why: String| ikou::Error::Config(format!("--worklist {}: {why}", path.display()));
    if let Some(t) = gaiji.iter().find(|t| same_file(path, t)) {
        return Err(config(format!(
            "this is the 外字 table given as --gaiji {}; the work list would overwrite it. Give another file to --worklist",
            t.display()
        )));
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(config(format!("cannot examine it: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(config(
            "is a symbolic link; ikou does not write through links it did not make. Give the file's real path"
                .into(),
        ));
    }
    if !meta.is_file() {
        return Err(config("exists and is not a regular file".into()));
    }
    if force {
        return Ok(None);
    }
    let bytes =
        std::fs::read(path).map_err(|e| config(format!("cannot read it to add to it: {e}")))?;
    String::from_utf8(bytes).map(Some).map_err(|_| {
        config(
            "exists and is not UTF-8 text, so it is not a work list to add to. Give another file, or --force to replace it"
                .into(),
        )
    })
}

/// True when `a` and `b` name the same existing file (after links).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
