//! `ikou layout import`: a layout definition sheet (the spreadsheets in which the
//! 中間標準レイアウト仕様 and vendors define their files) → a layout file.
//!
//! The sheet is read as rows of text ([`read`]); the header row is the first of the
//! first 50 rows that has a 項目名 column and a 型 or 桁数 column ([`words`] knows
//! the headings official and vendor sheets use). Each row below it becomes an item;
//! what cannot be interpreted is reported with the sheet row number:
//! - skipped: the row is not in the layout (no 項目名; a heading or group row with
//!   neither 型 nor 桁数; a fixed-length item without a usable 桁数);
//! - guessed: the row is in the layout, but a cell was not understood and a safe
//!   default was used (an unknown type word → `text`, an unknown 必須 mark →
//!   optional, a `code` item without code values → `text`, a repeated name → numbered).
//!
//! Decisions where sheets are silent:
//! - Items whose name contains 個人番号 or マイナンバー are marked `sensitive`.
//! - Dates: 西暦 unless the type, 備考 or コード値 cell says 和暦 or 年号, or the
//!   length is 7 (年号1桁 + YYMMDD); other lengths make the item `text`.
//! - `7,2` (integer and decimal digits) is 10 characters for a `csv` number (sign
//!   and point included) and 9 bytes (implied point, a guess) for `fixed`.
//! - `fixed`: offsets are the running sum of the lengths in row order, unless the
//!   sheet has a 開始位置 column (1-based, or 0-based when the first item starts at 0).
//!   Items named 予備, 空き, FILLER… are gaps, not items. 桁数 is taken as bytes.
//! - Code values are only used for items whose type is コード/区分.
//!
//! A COBOL copybook (.cpy, .cob, .cbl, .copy, or a text file that reads as one) is
//! made into a fixed layout by [`copybook`] instead; its findings name lines.

mod copybook;
mod read;
mod words;

pub use copybook::{MAX_CODES, MAX_ITEMS, is_copybook};
pub use read::{MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, Row, Sheet, read, read_bytes, read_file};
pub use words::Role;

use super::{DateStyle, Field, FieldType, Format, KanaScript, Layout};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

/// Rows searched for the header.
const HEADER_SEARCH_ROWS: usize = 50;

/// What the caller decides; the rest comes from the sheet.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Layout name (default: the file name without extension).
    pub name: Option<String>,
    /// Title (default: the sheet name).
    pub title: Option<String>,
    pub version: String,
    pub format: Format,
    /// fixed: records are followed by a line end. Default (None): yes for a sheet,
    /// no for a copybook (mainframe files have no line ends).
    pub newline: Option<bool>,
    /// The sheet to read (default: the first with an item list).
    pub sheet: Option<String>,
    /// The item to mark `key` (shown in reports to find a record).
    pub key: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            name: None,
            title: None,
            version: String::new(),
            format: Format::Csv,
            newline: None,
            sheet: None,
            key: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The row is not in the layout.
    Skipped,
    /// The row is in the layout with a default where a cell was not understood.
    Guessed,
    /// For information: a decision ikou made (個人番号 → sensitive, 予備 → gap).
    Info,
}

/// What a finding's number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A sheet row.
    Row,
    /// A line of a copybook.
    Line,
}

/// Something to tell the user about one row of the sheet (or line of a copybook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The row number as the spreadsheet program shows it (the line number of a copybook).
    pub row: usize,
    pub item: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub unit: Unit,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.severity {
            Severity::Skipped => "skipped",
            Severity::Guessed => "guessed",
            Severity::Info => "note",
        };
        let unit = match self.unit {
            Unit::Row => "row",
            Unit::Line => "line",
        };
        write!(f, "{unit} {}", self.row)?;
        if let Some(item) = &self.item {
            write!(f, " 「{item}」")?;
        }
        write!(f, ": {what}: {}", self.message)
    }
}

/// What a layout was imported from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Sheet,
    Copybook {
        /// Free-format source (else fixed: columns 7 and 8–72).
        free_format: bool,
        /// The record's (01 entry's) name; "" when the copybook starts below level 01.
        record: String,
        /// The first and last line of the record.
        lines: (usize, usize),
    },
}

/// A sheet (or copybook) turned into a layout.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The layout file's text.
    pub toml: String,
    /// The same, parsed and checked by [`super::parse`].
    pub layout: Layout,
    /// The sheet read (a copybook: its file name).
    pub sheet: String,
    /// The header row (a copybook: the record's first line).
    pub header_row: usize,
    /// The columns used: role, column letter, heading text.
    pub columns: Vec<(Role, String, String)>,
    /// Other sheets that also look like item lists (choose with `--sheet`).
    pub other_sheets: Vec<String>,
    pub findings: Vec<Finding>,
    pub origin: Origin,
}

impl Imported {
    /// True when no row was skipped and no cell guessed.
    pub fn fully_understood(&self) -> bool {
        self.findings.iter().all(|f| f.severity == Severity::Info)
    }

    /// How many rows have a finding of this severity.
    pub fn rows_with(&self, s: Severity) -> usize {
        let rows: HashSet<usize> = self
            .findings
            .iter()
            .filter(|f| f.severity == s)
            .map(|f| f.row)
            .collect();
        rows.len()
    }
}

/// Why a sheet gave no layout (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImportError {
    pub path: String,
    pub message: String,
}

/// Reads `path` (xlsx, xlsm, xlsb, ods, csv, tsv, or a COBOL copybook: see
/// [`is_copybook`]; at most [`read::MAX_FILE_BYTES`]) and makes a layout of it.
pub fn import(path: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let bytes = read_file(path).map_err(|message| ImportError {
        path: path.display().to_string(),
        message,
    })?;
    let file = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    import_bytes(&bytes, &file, opts).map_err(|e| ImportError {
        path: path.display().to_string(),
        message: e.message,
    })
}

/// [`import`] of a file's bytes; `file` is its name (the extension tells CSV
/// from a workbook). Any bytes give a layout or an error, within bounded memory
/// and time: the entry point for fuzzing.
pub fn import_bytes(
    bytes: &[u8],
    file: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let fail = |message: String| ImportError {
        path: file.to_string(),
        message,
    };
    if is_copybook(file, bytes) {
        return copybook::import(bytes, file, opts).map_err(fail);
    }
    let sheets = read::read_bytes(bytes, file).map_err(fail)?;
    named(&sheets, file, opts).map_err(fail)
}

/// The layout is named after the file unless the caller names it.
fn named(sheets: &[Sheet], file: &str, opts: &ImportOptions) -> Result<Imported, String> {
    let mut opts = opts.clone();
    if opts.name.is_none() {
        opts.name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty());
    }
    import_sheets(sheets, file, &opts)
}

/// Makes a layout of the first sheet with an item list (or `opts.sheet`); `file` is
/// only named in the layout's note.
pub fn import_sheets(
    sheets: &[Sheet],
    file: &str,
    opts: &ImportOptions,
) -> Result<Imported, String> {
    let with_header: Vec<(&Sheet, Header)> = sheets
        .iter()
        .filter_map(|s| find_header(s).map(|h| (s, h)))
        .collect();
    let (sheet, header) = match &opts.sheet {
        Some(want) => {
            let sheet = sheets.iter().find(|s| &s.name == want).ok_or_else(|| {
                let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "no sheet named {want:?}; the sheets are: {}",
                    names.join(", ")
                )
            })?;
            let header = find_header(sheet).ok_or_else(|| no_header(&[sheet]))?;
            (sheet, header)
        }
        None => match with_header.first() {
            Some((s, h)) => (*s, h.clone()),
            None => return Err(no_header(&sheets.iter().collect::<Vec<_>>())),
        },
    };
    let other_sheets = with_header
        .iter()
        .filter(|(s, _)| s.name != sheet.name)
        .map(|(s, _)| s.name.clone())
        .collect();
    let mut b = Builder::new(opts.format, header.clone(), &sheet.rows[header.index]);
    for row in &sheet.rows[header.next..] {
        b.row(row);
    }
    if b.items.is_empty() {
        return Err(format!(
            "sheet {:?}: no item rows below the header on row {}",
            sheet.name, header.row
        ));
    }
    if let Some(key) = &opts.key {
        b.set_key(key)?;
    }
    let name = opts.name.clone().unwrap_or_else(|| sheet.name.clone());
    let title = opts.title.clone().unwrap_or_else(|| sheet.name.clone());
    let toml = b.toml(
        &name,
        &title,
        &opts.version,
        file,
        &sheet.name,
        opts.newline.unwrap_or(true),
    );
    let layout = super::parse(toml.as_bytes(), "the imported layout").map_err(|e| {
        format!("the sheet's items do not make a valid layout ({e}); fix the sheet or edit the layout by hand")
    })?;
    let columns = header
        .cols
        .iter()
        .map(|(role, col)| {
            let heading = sheet.rows[header.index]
                .cell(*col)
                .replace(['\r', '\n'], "");
            (*role, column_letter(*col), heading)
        })
        .collect();
    Ok(Imported {
        toml,
        layout,
        sheet: sheet.name.clone(),
        header_row: header.row,
        columns,
        other_sheets,
        findings: b.findings,
        origin: Origin::Sheet,
    })
}

fn no_header(sheets: &[&Sheet]) -> String {
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    format!(
        "no item list found in sheet {}: ikou looks in the first {HEADER_SEARCH_ROWS} rows for a header row \
         with a 項目名 column and a 型 or 桁数 column (also 項目名称, データ型, 属性, 長さ, バイト数, …)",
        names.join(", ")
    )
}

/// Where the header is and which column holds what.
#[derive(Debug, Clone)]
struct Header {
    /// Index in `rows` and the row number as shown.
    index: usize,
    row: usize,
    /// Index in `rows` of the first item row.
    next: usize,
    cols: BTreeMap<Role, usize>,
    length_in_bytes: bool,
}

fn find_header(sheet: &Sheet) -> Option<Header> {
    for (i, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let cols = roles(row);
        if !(cols.contains_key(&Role::Name)
            && (cols.contains_key(&Role::Type) || cols.contains_key(&Role::Length)))
        {
            continue;
        }
        let mut h = Header {
            index: i,
            row: row.number,
            next: i + 1,
            cols,
            length_in_bytes: false,
        };
        // A second heading row (merged cells above 桁数 | 必須 …) adds its columns.
        if let Some(next) = sheet.rows.get(i + 1) {
            let more = roles(next);
            let filled = next.cells.iter().filter(|c| !c.trim().is_empty()).count();
            if !more.is_empty() && more.len() == filled {
                for (role, col) in more {
                    h.cols.entry(role).or_insert(col);
                }
                h.next = i + 2;
            }
        }
        h.length_in_bytes = h
            .cols
            .get(&Role::Length)
            .is_some_and(|&c| words::says_bytes(sheet.rows[i].cell(c)));
        return Some(h);
    }
    None
}

/// The roles of a row's cells; the first column with a role keeps it.
fn roles(row: &Row) -> BTreeMap<Role, usize> {
    let mut cols = BTreeMap::new();
    for (c, cell) in row.cells.iter().enumerate() {
        if let Some(role) = words::role_of(cell) {
            cols.entry(role).or_insert(c);
        }
    }
    cols
}

/// A row's cells as compared: normalised, without trailing empty cells.
fn normalized(row: &Row) -> Vec<String> {
    let mut cells: Vec<String> = row.cells.iter().map(|c| words::norm(c)).collect();
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// One item of the layout being built, with the row it came from.
struct Item {
    row: usize,
    field: Field,
}

struct Builder {
    format: Format,
    header: Header,
    /// The header row's cells, to skip it where the sheet repeats it.
    header_cells: Vec<String>,
    items: Vec<Item>,
    names: HashSet<String>,
    findings: Vec<Finding>,
    /// fixed: the next free byte (running offset), and the furthest end seen.
    next_offset: usize,
    record_end: usize,
    /// fixed with a 開始位置 column: 1 or 0, decided by the first item.
    offset_base: Option<usize>,
}

impl Builder {
    fn new(format: Format, header: Header, header_row: &Row) -> Builder {
        Builder {
            format,
            header,
            header_cells: normalized(header_row),
            items: Vec::new(),
            names: HashSet::new(),
            findings: Vec::new(),
            next_offset: 0,
            record_end: 0,
            offset_base: None,
        }
    }

    fn cell<'r>(&self, row: &'r Row, role: Role) -> &'r str {
        self.header.cols.get(&role).map_or("", |&c| row.cell(c))
    }

    /// The item name: the 項目名 cell, or for the lower levels of a hierarchical
    /// sheet (項目名 heading merged over several columns, one per level) the first
    /// filled cell between it and the next column with a heading.
    fn name_cell<'r>(&self, row: &'r Row) -> &'r str {
        let Some(&first) = self.header.cols.get(&Role::Name) else {
            return "";
        };
        let end = self
            .header
            .cols
            .values()
            .copied()
            .filter(|&c| c > first)
            .min()
            .unwrap_or(first + 1);
        (first..end)
            .map(|c| row.cell(c))
            .find(|s| !s.is_empty())
            .unwrap_or("")
    }

    fn note(&mut self, row: usize, item: Option<&str>, severity: Severity, message: String) {
        self.findings.push(Finding {
            row,
            item: item.map(String::from),
            severity,
            message,
            unit: Unit::Row,
        });
    }

    fn row(&mut self, row: &Row) {
        if row.is_empty() {
            return;
        }
        let n = row.number;
        let name: String = self
            .name_cell(row)
            .split(['\r', '\n'])
            .map(str::trim)
            .collect();
        // The header repeated (a sheet printed page by page).
        if normalized(row) == self.header_cells {
            return;
        }
        let type_cell = self.cell(row, Role::Type);
        let length_cell = self.cell(row, Role::Length);
        let codes_cell = self.cell(row, Role::Codes);
        let note_cell = self.cell(row, Role::Note);
        if name.is_empty() {
            self.note(n, None, Severity::Skipped, "項目名がありません".into());
            return;
        }
        let item = Some(name.as_str());
        if type_cell.is_empty() && length_cell.is_empty() {
            self.note(
                n,
                item,
                Severity::Skipped,
                "型も桁数もないため、見出し・グループの行とみなしました（項目なら型か桁数を書いてください）"
                    .into(),
            );
            return;
        }

        // Type.
        let word = if type_cell.is_empty() {
            None
        } else {
            words::type_word(type_cell)
        };
        let (mut kind, mut date, kana) = match word {
            Some(w) => (w.kind, w.date, w.kana),
            None => {
                let why = if type_cell.is_empty() {
                    "型がないため text としました".to_string()
                } else {
                    format!(
                        "型「{type_cell}」を解釈できないため text としました（文字・カナ・数字・数値・日付・コード のどれかにしてください）"
                    )
                };
                self.note(n, item, Severity::Guessed, why);
                (FieldType::Text, None, None)
            }
        };

        // Length.
        let fixed = self.format == Format::Fixed;
        let length = match words::length(length_cell) {
            Ok(None) => word.and_then(|w| w.length),
            Ok(Some((0, _))) => {
                self.note(
                    n,
                    item,
                    Severity::Guessed,
                    "桁数 0 は上限なしとしました".into(),
                );
                None
            }
            Ok(Some((d, 0))) => Some(d),
            // Saturating: a huge 桁数 is refused by the layout check that follows.
            Ok(Some((d, s))) if kind == FieldType::Number && !fixed => {
                Some(d.saturating_add(s).saturating_add(2))
            }
            Ok(Some((d, s))) => {
                let as_len = if fixed { d.saturating_add(s) } else { d };
                self.note(
                    n,
                    item,
                    Severity::Guessed,
                    format!("桁数「{length_cell}」を {as_len} としました（確かめてください）"),
                );
                Some(as_len)
            }
            Err(()) => {
                if !fixed {
                    self.note(
                        n,
                        item,
                        Severity::Guessed,
                        format!("桁数「{length_cell}」を読めないため上限なしとしました"),
                    );
                }
                None
            }
        };
        if fixed && length.is_none() {
            let why = if length_cell.is_empty() {
                "固定長では桁数（バイト数）が必要です".to_string()
            } else {
                format!("桁数「{length_cell}」を読めません。固定長では桁数（バイト数）が必要です")
            };
            self.note(
                n,
                item,
                Severity::Skipped,
                format!("{why}。この行より後の項目の位置も確かめてください"),
            );
            return;
        }

        // Position in a fixed record.
        let mut offset = None;
        if fixed {
            let len = length.unwrap_or(0);
            let start = self.start_from_sheet(row).unwrap_or(self.next_offset);
            // Saturating: a sheet's numbers past the record limit are refused by
            // the layout check of the result, naming the item.
            let end = start.saturating_add(len);
            self.next_offset = end;
            self.record_end = self.record_end.max(end);
            if words::is_filler(&name) {
                self.note(
                    n,
                    item,
                    Severity::Info,
                    format!(
                        "予備として {}〜{} バイト目を空きにしました",
                        start.saturating_add(1),
                        end
                    ),
                );
                return;
            }
            offset = Some(start);
        }

        // Dates: the style from the type word, else the other cells, else the length.
        if kind == FieldType::Date && date.is_none() {
            let said = format!("{type_cell}{note_cell}{codes_cell}");
            date = if said.contains("和暦") || said.contains("年号") {
                Some(DateStyle::Wareki)
            } else if said.contains("西暦") {
                Some(DateStyle::Seireki)
            } else {
                match length {
                    None | Some(8) => Some(DateStyle::Seireki),
                    Some(7) => Some(DateStyle::Wareki),
                    Some(other) => {
                        self.note(
                            n,
                            item,
                            Severity::Guessed,
                            format!(
                                "日付の桁数 {other} は西暦8桁（YYYYMMDD）にも和暦7桁（年号+YYMMDD）にも合わないため text としました"
                            ),
                        );
                        kind = FieldType::Text;
                        None
                    }
                }
            };
        }

        // Code values.
        let mut codes = Vec::new();
        if kind == FieldType::Code {
            codes = words::codes(codes_cell);
            if codes.is_empty() {
                kind = FieldType::Text;
                self.note(
                    n,
                    item,
                    Severity::Guessed,
                    "コード値が書かれていないため text としました（コード表が別にあれば codes を手で加えてください）".into(),
                );
            }
        }

        let required_cell = self.cell(row, Role::Required);
        let required = words::required(required_cell).unwrap_or_else(|| {
            self.note(
                n,
                item,
                Severity::Guessed,
                format!("必須欄「{required_cell}」を解釈できないため任意としました"),
            );
            false
        });

        let sensitive = words::is_personal_number(&name);
        if sensitive {
            self.note(
                n,
                item,
                Severity::Info,
                "個人番号のため sensitive（どこにも表示しない）にしました".into(),
            );
        }

        let mut unique = name.clone();
        let mut k = 2;
        while self.names.contains(&unique) {
            unique = format!("{name}（{k}）");
            k += 1;
        }
        if unique != name {
            self.note(
                n,
                item,
                Severity::Guessed,
                format!("同じ項目名がすでにあるため「{unique}」としました"),
            );
        }
        self.names.insert(unique.clone());
        self.items.push(Item {
            row: n,
            field: Field {
                name: unique,
                kind,
                length,
                required,
                key: false,
                sensitive,
                offset,
                codes,
                date,
                kana: kana.filter(|k| *k == KanaScript::Hiragana),
                ..Field::default()
            },
        });
    }

    /// The item's 0-based offset from the sheet's 開始位置 column, if it has one.
    fn start_from_sheet(&mut self, row: &Row) -> Option<usize> {
        let cell = self.cell(row, Role::Offset);
        let v: usize = words::norm(cell).parse().ok()?;
        let base = *self.offset_base.get_or_insert(if v == 0 { 0 } else { 1 });
        v.checked_sub(base)
    }

    fn set_key(&mut self, key: &str) -> Result<(), String> {
        mark_key(self.items.iter_mut().map(|i| &mut i.field), key)
    }

    fn toml(
        &self,
        name: &str,
        title: &str,
        version: &str,
        file: &str,
        sheet: &str,
        newline: bool,
    ) -> String {
        let mut t = String::new();
        t += &format!(
            "# Made by `ikou layout import` from {file}, sheet \"{sheet}\" (header on row {}).\n\
             # Check it before use: ikou layouts <this file>\n",
            self.header.row
        );
        t += &format!("name = {}\n", toml_str(name));
        t += &format!("title = {}\n", toml_str(title));
        t += &format!("version = {}\n", toml_str(version));
        let note = format!(
            "ikou layout import で {file} のシート「{sheet}」（見出し{}行目）から作成。",
            self.header.row
        );
        t += &format!("note = {}\n", toml_str(&note));
        match self.format {
            Format::Csv => t += "format = \"csv\"\nheader = false\n",
            Format::Fixed => {
                t += &format!(
                    "format = \"fixed\"\nrecord_length = {}\nnewline = {newline}\n",
                    self.record_end
                )
            }
        }
        for Item { row, field: f } in &self.items {
            t += &format!("\n[[fields]]\n# row {row}\n");
            // What was guessed for this row, where the person editing the file sees it.
            for finding in self.findings.iter().filter(|x| x.row == *row) {
                let kind = match finding.severity {
                    Severity::Guessed => "guessed",
                    _ => "note",
                };
                t += &format!("# {kind}: {}\n", finding.message.replace(['\r', '\n'], " "));
            }
            t += &field_toml(f);
        }
        t
    }
}

/// Marks the item named `key` as the key (shown in reports to find a record).
fn mark_key<'a>(fields: impl Iterator<Item = &'a mut Field>, key: &str) -> Result<(), String> {
    let mut fields: Vec<&mut Field> = fields.collect();
    let Some(field) = fields.iter_mut().find(|f| f.name == key) else {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        return Err(format!(
            "--key {key:?}: no such item; the items are: {}",
            names.join(", ")
        ));
    };
    if field.sensitive {
        return Err(format!(
            "--key {key:?}: a sensitive item (個人番号) is never shown, so it cannot be the key"
        ));
    }
    field.key = true;
    Ok(())
}

/// The lines of one `[[fields]]` table after its header and comments.
fn field_toml(f: &Field) -> String {
    let mut t = String::new();
    t += &format!("name = {}\n", toml_str(&f.name));
    t += &format!("type = \"{}\"\n", f.kind.as_str());
    if let Some(off) = f.offset {
        t += &format!("offset = {off}\n");
    }
    if let Some(len) = f.length {
        t += &format!("length = {len}\n");
    }
    if let Some(d) = f.digits {
        t += &format!("digits = {d}\n");
    }
    if let Some(s) = f.scale {
        t += &format!("scale = {s}\n");
    }
    if f.dbcs {
        t += "dbcs = true\n";
    }
    if f.required {
        t += "required = true\n";
    }
    if f.key {
        t += "key = true\n";
    }
    if f.sensitive {
        t += "sensitive = true\n";
    }
    match f.date {
        Some(DateStyle::Seireki) => t += "date = \"seireki\"\n",
        Some(DateStyle::Wareki) => t += "date = \"wareki\"\n",
        None => {}
    }
    if f.kana == Some(KanaScript::Hiragana) {
        t += "kana = \"hiragana\"\n";
    }
    if !f.codes.is_empty() {
        let codes: Vec<String> = f.codes.iter().map(|c| toml_str(c)).collect();
        t += &format!("codes = [{}]\n", codes.join(", "));
    }
    t
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: name.into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| Row {
                    number: i + 1,
                    cells: cells.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
        }
    }

    fn csv_opts() -> ImportOptions {
        ImportOptions {
            name: Some("t".into()),
            ..ImportOptions::default()
        }
    }

    const HEAD: &[&str] = &[
        "項番",
        "項目名",
        "データ型",
        "桁数",
        "必須",
        "コード値",
        "備考",
    ];

    #[test]
    fn a_clean_sheet_is_fully_understood() {
        let s = sheet(
            "個人",
            &[
                &["住民基本台帳 個人 項目定義"],
                &[],
                HEAD,
                &["1", "宛名番号", "数字", "15", "○", "", ""],
                &["2", "氏名", "文字", "40", "○", "", ""],
                &["3", "氏名カナ", "カナ", "60", "", "", ""],
                &["4", "生年月日", "日付", "8", "○", "", "西暦"],
                &["5", "性別", "コード", "1", "○", "1:男 2:女", ""],
                HEAD,
                &["6", "個人番号", "数字", "12", "", "", ""],
                &["7", "和暦日", "日付", "7", "", "", ""],
            ],
        );
        let imp = import_sheets(&[s], "x.xlsx", &csv_opts()).unwrap();
        assert!(imp.fully_understood(), "{:?}", imp.findings);
        assert_eq!(imp.header_row, 3);
        let l = &imp.layout;
        assert_eq!(l.fields.len(), 7);
        assert_eq!(l.fields[0].kind, FieldType::Digits);
        assert_eq!(l.fields[0].length, Some(15));
        assert!(l.fields[0].required && !l.fields[2].required);
        assert_eq!(l.fields[2].kind, FieldType::Kana);
        assert_eq!(l.fields[3].date, Some(DateStyle::Seireki));
        assert_eq!(l.fields[4].codes, ["1", "2"]);
        assert!(l.fields[5].sensitive);
        assert_eq!(l.fields[6].date, Some(DateStyle::Wareki));
        assert_eq!(imp.rows_with(Severity::Info), 1, "個人番号 → sensitive");
        assert!(
            imp.toml.contains("# row 4\nname = \"宛名番号\""),
            "{}",
            imp.toml
        );
        assert!(
            imp.toml.contains("# row 10\n# note: 個人番号のため"),
            "the repeated header is no item; findings are comments: {}",
            imp.toml
        );
    }

    #[test]
    fn rows_not_understood_are_reported_with_their_row_numbers() {
        let s = sheet(
            "s",
            &[
                HEAD,
                &["1", "宛名番号", "数字", "15", "○"],
                &["", "【住所】"],
                &["2", "", "文字", "10"],
                &["3", "写真", "画像", "100", "たぶん"],
                &["4", "区分", "コード", "1", "", "別表参照"],
                &["5", "宛名番号", "数字", "15"],
                &["6", "更新日", "日付", "10"],
                &["7", "備考欄", "文字", "たくさん"],
            ],
        );
        let imp = import_sheets(&[s], "x.csv", &csv_opts()).unwrap();
        let got: Vec<(usize, Severity)> =
            imp.findings.iter().map(|f| (f.row, f.severity)).collect();
        assert_eq!(
            got,
            vec![
                (3, Severity::Skipped),
                (4, Severity::Skipped),
                (5, Severity::Guessed),
                (5, Severity::Guessed),
                (6, Severity::Guessed),
                (7, Severity::Guessed),
                (8, Severity::Guessed),
                (9, Severity::Guessed),
            ]
        );
        assert!(!imp.fully_understood());
        let names: Vec<&str> = imp.layout.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "宛名番号",
                "写真",
                "区分",
                "宛名番号（2）",
                "更新日",
                "備考欄"
            ]
        );
        assert!(imp.findings[2].message.contains("画像"));
        assert_eq!(imp.layout.fields[2].kind, FieldType::Text);
        assert_eq!(imp.layout.fields[4].kind, FieldType::Text);
        assert_eq!(imp.layout.fields[5].length, None);
        assert_eq!(
            imp.findings[0].to_string(),
            format!("row 3 「【住所】」: skipped: {}", imp.findings[0].message)
        );
    }

    #[test]
    fn fixed_offsets_come_from_the_lengths_and_fillers_are_gaps() {
        let s = sheet(
            "f",
            &[
                &["No", "項目名", "属性", "桁数(バイト)"],
                &["1", "番号", "9", "4"],
                &["2", "氏名", "漢字", "20"],
                &["3", "予備", "X", "6"],
                &["4", "生年月日", "数字", "8"],
                &["5", "金額", "数値", "7,2"],
                &["6", "写真", "", ""],
                &["7", "摘要", "X(10)", ""],
            ],
        );
        let opts = ImportOptions {
            format: Format::Fixed,
            newline: Some(false),
            key: Some("番号".into()),
            ..csv_opts()
        };
        let imp = import_sheets(&[s], "x.csv", &opts).unwrap();
        let l = &imp.layout;
        let pos: Vec<(&str, Option<usize>, Option<usize>)> = l
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.offset, f.length))
            .collect();
        assert_eq!(
            pos,
            vec![
                ("番号", Some(0), Some(4)),
                ("氏名", Some(4), Some(20)),
                ("生年月日", Some(30), Some(8)),
                ("金額", Some(38), Some(9)),
                ("摘要", Some(47), Some(10)),
            ]
        );
        assert_eq!(l.record_length, Some(57));
        assert!(!l.newline && l.fields[0].key);
        let sev: Vec<(usize, Severity)> =
            imp.findings.iter().map(|f| (f.row, f.severity)).collect();
        assert_eq!(
            sev,
            vec![
                (4, Severity::Info),
                (6, Severity::Guessed),
                (7, Severity::Skipped)
            ]
        );
    }

    #[test]
    fn names_of_lower_levels_sit_in_the_columns_under_a_merged_heading() {
        let s = sheet(
            "s",
            &[
                &["項番", "項目名", "", "", "型", "桁数"],
                &["1", "宛名番号", "", "", "数字", "15"],
                &["2", "住所", "", "", "", ""],
                &["3", "", "都道府県", "", "文字", "4"],
                &["4", "", "", "町名", "文字", "20"],
            ],
        );
        let imp = import_sheets(&[s], "x", &csv_opts()).unwrap();
        let names: Vec<&str> = imp.layout.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["宛名番号", "都道府県", "町名"]);
        assert_eq!(
            imp.findings.len(),
            1,
            "住所 is a group row: {:?}",
            imp.findings
        );
    }

    #[test]
    fn a_start_column_sets_offsets() {
        let s = sheet(
            "f",
            &[
                &["項目名", "型", "開始位置", "長さ"],
                &["a", "文字", "1", "3"],
                &["b", "文字", "6", "2"],
            ],
        );
        let opts = ImportOptions {
            format: Format::Fixed,
            ..csv_opts()
        };
        let l = import_sheets(&[s], "x", &opts).unwrap().layout;
        assert_eq!((l.fields[1].offset, l.record_length), (Some(5), Some(7)));
    }

    #[test]
    fn the_sheet_is_chosen_or_named() {
        let cover = sheet("表紙", &[&["中間標準レイアウト仕様"]]);
        let a = sheet("個人", &[HEAD, &["1", "a", "文字", "1"]]);
        let b = sheet("世帯", &[HEAD, &["1", "b", "文字", "1"]]);
        let sheets = [cover, a, b];
        let imp = import_sheets(&sheets, "x", &csv_opts()).unwrap();
        assert_eq!(
            (imp.sheet.as_str(), imp.other_sheets.clone()),
            ("個人", vec!["世帯".to_string()])
        );
        let opts = ImportOptions {
            sheet: Some("世帯".into()),
            ..csv_opts()
        };
        assert_eq!(
            import_sheets(&sheets, "x", &opts).unwrap().layout.fields[0].name,
            "b"
        );
        let opts = ImportOptions {
            sheet: Some("なし".into()),
            ..csv_opts()
        };
        let e = import_sheets(&sheets, "x", &opts).unwrap_err();
        assert!(e.contains("表紙, 個人, 世帯"), "{e}");
        let e = import_sheets(&sheets[..1], "x", &csv_opts()).unwrap_err();
        assert!(e.contains("項目名") && e.contains("表紙"), "{e}");
    }

    #[test]
    fn key_must_name_a_shown_item() {
        let s = sheet(
            "s",
            &[
                HEAD,
                &["1", "個人番号", "数字", "12"],
                &["2", "a", "文字", ""],
            ],
        );
        let mut opts = csv_opts();
        opts.key = Some("b".into());
        assert!(
            import_sheets(std::slice::from_ref(&s), "x", &opts)
                .unwrap_err()
                .contains("the items are: 個人番号, a")
        );
        opts.key = Some("個人番号".into());
        assert!(
            import_sheets(&[s], "x", &opts)
                .unwrap_err()
                .contains("sensitive")
        );
    }

    #[test]
    fn huge_lengths_in_a_sheet_are_refused_not_wrapped() {
        let s = sheet(
            "f",
            &[
                &["項目名", "型", "桁数"],
                &["a", "文字", "18446744073709551615"],
                &["b", "文字", "2"],
                &["c", "数値", "18446744073709551615,9"],
            ],
        );
        for format in [Format::Fixed, Format::Csv] {
            let opts = ImportOptions {
                format,
                ..csv_opts()
            };
            let e = import_sheets(std::slice::from_ref(&s), "x", &opts).unwrap_err();
            assert!(e.contains("1 MiB") && e.contains("fix the sheet"), "{e}");
        }
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_str("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(toml_str("\u{1}"), r#""\u0001""#);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
