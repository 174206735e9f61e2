//! `ikou layout import`.

use ikou::layout::Format;
use ikou::layout::import::{ImportOptions, Origin, Severity, import};
use std::path::PathBuf;

/// Work with layout files.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Import(ImportArgs),
}

/// Make a layout file from a layout definition sheet (xlsx, xlsm, xlsb, ods or CSV)
/// or a COBOL copybook.
///
/// A sheet: finds the header row (項番/項目番号, 項目名, 型/データ型/属性, 桁数/長さ, 必須,
/// コード値, 備考 …) in the first 50 rows, and makes one item of each row below it,
/// mapping type words (文字, 漢字, カナ, 数字, 数値, 金額, 日付, 和暦, コード, 区分 …)
/// to ikou types.
///
/// A COBOL copybook (.cpy, .cob, .cbl, .copy; or a text file whose first entry is a
/// level number with a PIC clause after it; fixed or free format, UTF-8 or Shift_JIS)
/// gives a fixed layout of its first record: PIC X → text, N/G and DISPLAY-1 → text
/// with dbcs, 9 → digits, S9/V → zoned, COMP-3 → packed, COMP/COMP-4/COMP-5/BINARY →
/// binary (with digits and scale), group items and OCCURS (flattened: 氏名_1, 氏名_2),
/// FILLER as gaps, REDEFINES (the first definition), 88 values → codes. No line ends
/// between records unless --newline.
///
/// What it cannot interpret is listed on stderr with the sheet row or copybook line.
/// Exit 0: everything understood; 3: some rows or lines skipped or guessed (the
/// layout is still written); 2: the file cannot be read or has no item list.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  ikou layout import 住民基本台帳.xlsx --sheet 個人 --name juki-kojin --out juki-kojin.toml\n  ikou layout import items.csv --format fixed --no-newline --out fixed.toml\n  ikou layout import KOJIN.cpy --key 宛名番号 --out kojin.toml\n  ikou layouts juki-kojin.toml        # check the result"
)]
struct ImportArgs {
    /// The sheet file: .xlsx/.xlsm/.xlsb/.ods, or .csv/.tsv (UTF-8 or CP932); at most 16 MiB,
    /// 10,000 rows × 256 columns. An .xls is refused: save it as .xlsx. Or a COBOL
    /// copybook (.cpy/.cob/.cbl/.copy, UTF-8 or Shift_JIS; at most 16 MiB and 10,000 items).
    #[arg(value_name = "SHEET")]
    sheet_file: PathBuf,
    /// Write the layout here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The layout's name [default: the sheet file's name without extension].
    #[arg(long)]
    name: Option<String>,
    /// The layout's title [default: the sheet's name; a copybook: its 01 record's name].
    #[arg(long)]
    title: Option<String>,
    /// The version of the specification the sheet follows (e.g. 2.7).
    #[arg(long, value_name = "VERSION", default_value = "")]
    spec_version: String,
    /// csv: 桁数 are characters; fixed: 桁数 are bytes and offsets follow from them
    /// [default: csv; a copybook is always fixed].
    #[arg(long, value_parser = ["csv", "fixed"])]
    format: Option<String>,
    /// fixed: records are not followed by line ends (the default for a copybook).
    #[arg(long, conflicts_with = "newline")]
    no_newline: bool,
    /// fixed: records are followed by a line end (the default for a sheet).
    #[arg(long)]
    newline: bool,
    /// The sheet (tab) to read [default: the first with an item list].
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Mark this item as the key that reports show to find a record (e.g. 宛名番号).
    #[arg(long, value_name = "ITEM")]
    key: Option<String>,
    /// Print only the problems (rows skipped or guessed) and errors on stderr, not the
    /// header found or the summary.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(a: Args) -> u8 {
    match a.command {
        Command::Import(a) => run_import(a),
    }
}

fn run_import(a: ImportArgs) -> u8 {
    let opts = ImportOptions {
        name: a.name,
        title: a.title,
        version: a.spec_version,
        format: if a.format.as_deref() == Some("fixed") {
            Format::Fixed
        } else {
            Format::Csv
        },
        newline: if a.no_newline {
            Some(false)
        } else {
            a.newline.then_some(true)
        },
        sheet: a.sheet,
        key: a.key,
    };
    let imp = match import(&a.sheet_file, &opts) {
        Ok(imp) => imp,
        Err(e) => {
            eprintln!("ikou: error: {e}");
            return 2;
        }
    };
    let copybook = matches!(imp.origin, Origin::Copybook { .. });
    if copybook && a.format.as_deref() == Some("csv") {
        eprintln!(
            "ikou: error: {}: a COBOL copybook describes fixed-length records; leave out --format csv",
            a.sheet_file.display()
        );
        return 2;
    }
    if !a.quiet {
        match &imp.origin {
            Origin::Copybook {
                free_format,
                record,
                lines,
            } => {
                let record = if record.is_empty() {
                    String::new()
                } else {
                    format!(" {record}")
                };
                eprintln!(
                    "ikou: COBOL copybook ({} format), record{record} on lines {}–{}: {} bytes",
                    if *free_format { "free" } else { "fixed" },
                    lines.0,
                    lines.1,
                    imp.layout.record_length.unwrap_or(0)
                );
            }
            Origin::Sheet => {
                let columns: Vec<String> = imp
                    .columns
                    .iter()
                    .map(|(role, col, heading)| format!("{}={col}「{heading}」", role.label()))
                    .collect();
                eprintln!(
                    "ikou: sheet \"{}\", header on row {}: {}",
                    imp.sheet,
                    imp.header_row,
                    columns.join(" ")
                );
            }
        }
    }
    if !imp.other_sheets.is_empty() && !a.quiet {
        eprintln!(
            "ikou: other sheets with an item list: {} (choose one with --sheet)",
            imp.other_sheets.join(", ")
        );
    }
    for f in &imp.findings {
        // --quiet: only what was skipped or guessed (the decisions are notes).
        if a.quiet && f.severity == Severity::Info {
            continue;
        }
        eprintln!("ikou: {f}");
    }
    let written = match &a.out {
        Some(path) => match ikou::output::write_atomic(path, imp.toml.as_bytes()) {
            Ok(_) => path.display().to_string(),
            Err(e) => {
                eprintln!(
                    "ikou: error: {}: cannot write the layout: {e}; check that the directory exists and is writable",
                    path.display()
                );
                return 1;
            }
        },
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if let Err(e) = out
                .write_all(imp.toml.as_bytes())
                .and_then(|()| out.flush())
            {
                eprintln!("ikou: error: cannot write the layout to stdout: {e}");
                return 1;
            }
            "stdout".into()
        }
    };
    let (skipped, guessed) = (
        imp.rows_with(Severity::Skipped),
        imp.rows_with(Severity::Guessed),
    );
    if a.quiet {
        return if imp.fully_understood() { 0 } else { 3 };
    }
    if copybook {
        eprintln!(
            "ikou: {} items → {written}; {skipped} lines skipped, {guessed} lines with a guess{}",
            imp.layout.fields.len(),
            if imp.fully_understood() {
                ""
            } else {
                ". Fix those lines in the copybook and import again, or edit the layout"
            }
        );
    } else {
        eprintln!(
            "ikou: {} items → {written}; {skipped} rows skipped, {guessed} rows with a guessed cell{}",
            imp.layout.fields.len(),
            if imp.fully_understood() {
                ""
            } else {
                ". Fix those rows in the sheet and import again, or edit the layout"
            }
        );
    }
    if skipped > 0 && opts.format == Format::Csv && !copybook {
        eprintln!(
            "ikou: with format csv, a skipped row that is a column of the file moves every item after it: \
             check the number of items against the file"
        );
    }
    if let Some(path) = &a.out {
        eprintln!(
            "ikou: next: check it with: ikou layouts {}",
            super::hints::path_word(path)
        );
    }
    if imp.fully_understood() { 0 } else { 3 }
}
