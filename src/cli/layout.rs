//! `ikou layout import`.

use ikou::layout::Format;
use ikou::layout::import::{ImportOptions, Severity, import};
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

/// Make a layout file from a layout definition sheet (xlsx, xlsm, xlsb, ods or CSV).
///
/// Finds the header row (項番/項目番号, 項目名, 型/データ型/属性, 桁数/長さ, 必須,
/// コード値, 備考 …) in the first 50 rows, and makes one item of each row below it,
/// mapping type words (文字, 漢字, カナ, 数字, 数値, 金額, 日付, 和暦, コード, 区分 …)
/// to ikou types. Rows it cannot interpret are listed on stderr with their sheet row
/// numbers. Exit 0: every row understood; 3: some rows skipped or guessed (the
/// layout is still written); 2: the sheet cannot be read or has no item list.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  ikou layout import 住民基本台帳.xlsx --sheet 個人 --name juki-kojin --out juki-kojin.toml\n  ikou layout import items.csv --format fixed --no-newline --out fixed.toml\n  ikou layouts juki-kojin.toml        # check the result"
)]
struct ImportArgs {
    /// The sheet file: .xlsx/.xlsm/.xlsb/.ods, or .csv/.tsv (UTF-8 or CP932); at most 16 MiB,
    /// 10,000 rows × 256 columns. An .xls is refused: save it as .xlsx.
    #[arg(value_name = "SHEET")]
    sheet_file: PathBuf,
    /// Write the layout here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The layout's name [default: the sheet file's name without extension].
    #[arg(long)]
    name: Option<String>,
    /// The layout's title [default: the sheet's name].
    #[arg(long)]
    title: Option<String>,
    /// The version of the specification the sheet follows (e.g. 2.7).
    #[arg(long, value_name = "VERSION", default_value = "")]
    spec_version: String,
    /// csv: 桁数 are characters; fixed: 桁数 are bytes and offsets follow from them.
    #[arg(long, default_value = "csv", value_parser = ["csv", "fixed"])]
    format: String,
    /// fixed: records are not followed by line ends.
    #[arg(long)]
    no_newline: bool,
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
        format: if a.format == "fixed" {
            Format::Fixed
        } else {
            Format::Csv
        },
        newline: !a.no_newline,
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
    let columns: Vec<String> = imp
        .columns
        .iter()
        .map(|(role, col, heading)| format!("{}={col}「{heading}」", role.label()))
        .collect();
    if !a.quiet {
        eprintln!(
            "ikou: sheet \"{}\", header on row {}: {}",
            imp.sheet,
            imp.header_row,
            columns.join(" ")
        );
    }
    if !imp.other_sheets.is_empty() && !a.quiet {
        eprintln!(
            "ikou: other sheets with an item list: {} (choose one with --sheet)",
            imp.other_sheets.join(", ")
        );
    }
    for f in &imp.findings {
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
    eprintln!(
        "ikou: {} items → {written}; {skipped} rows skipped, {guessed} rows with a guessed cell{}",
        imp.layout.fields.len(),
        if imp.fully_understood() {
            ""
        } else {
            ". Fix those rows in the sheet and import again, or edit the layout"
        }
    );
    if skipped > 0 && opts.format == Format::Csv {
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
