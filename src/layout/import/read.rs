//! Reading a layout definition sheet into rows of text cells: spreadsheets
//! (xlsx, xlsm, xlsb, ods) through calamine, CSV/TSV through the csv crate, each
//! within bounds (file size, unpacked size, rows × columns) checked before or
//! while reading, so any file gives sheets or an error: never an abort or a hang.

use calamine::{Data, Reader};
use std::path::Path;

/// One sheet of a workbook (a CSV file is one sheet named after the file).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// One row, numbered as the spreadsheet program shows it (from 1); cells from
/// column A, empty cells as "".
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    pub fn cell(&self, col: usize) -> &str {
        self.cells.get(col).map_or("", |s| s.trim())
    }

    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A layout definition sheet file is at most this many bytes (one is a few
/// hundred KB); a larger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Rows and columns read from a sheet (a layout sheet has at most a few thousand
/// rows and a few dozen columns). A value beyond them refuses the sheet.
pub const MAX_ROWS: u32 = 10_000;
pub const MAX_COLUMNS: u32 = 256;
/// Characters in one cell: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;
/// A workbook (a zip) unpacks to at most this many bytes, over at most this many
/// members: a deflate stream can grow 1000-fold, so the file size bounds nothing.
const MAX_UNZIPPED: u64 = 128 << 20;
const MAX_ZIP_MEMBERS: usize = 10_000;
/// Strings a workbook may declare (calamine reserves room for the count given).
const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Spaces an ods may ask for with `<text:s text:c="N"/>` in all.
const MAX_ODS_SPACES: u64 = 1 << 20;

/// Reads every sheet of `path` (at most [`MAX_FILE_BYTES`]). Err: a message
/// saying why the file cannot be read.
pub fn read(path: &Path) -> Result<Vec<Sheet>, String> {
    let bytes = read_file(path)?;
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_bytes(&bytes, &name)
}

/// The bytes of `path`, at most [`MAX_FILE_BYTES`] + 1 of them (one more than
/// allowed, so that the readers refuse a larger file by its length).
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

/// Reads every sheet of a file's bytes; `name` (the file name) decides CSV/TSV
/// by its extension and names a CSV's one sheet. Any bytes give sheets or an
/// Err, within bounded memory and time (a fuzz target calls this).
pub fn read_bytes(bytes: &[u8], name: &str) -> Result<Vec<Sheet>, String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} MiB, which no layout definition sheet is; \
             copy the sheet with the item list into a new workbook, or save it as CSV",
            MAX_FILE_BYTES >> 20
        ));
    }
    let path = Path::new(name);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(bytes, stem, b','),
        "tsv" | "tab" => read_csv(bytes, stem, b'\t'),
        // A reader's panic on a damaged file is its bug, but still the file's
        // fault for the user: an error, not a crash.
        _ => std::panic::catch_unwind(|| read_workbook(bytes)).unwrap_or_else(|_| {
            Err(format!(
                "the workbook is damaged (its reader stopped). {NOT_A_WORKBOOK}"
            ))
        }),
    }
}

/// The sheets of an xlsx or xlsb workbook, read cell by cell, never as the dense
/// range: one far cell (XFD1048576) would make that 17 billion cells. (The two
/// readers share their methods but no trait, hence a macro.)
macro_rules! streamed_sheets {
    ($book:ident) => {{
        let mut book = $book;
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            let mut r = book
                .worksheet_cells_reader(&name)
                .map_err(|e| format!("sheet {name:?} cannot be read: {e}"))?;
            let cells = std::iter::from_fn(|| match r.next_cell() {
                Ok(Some(c)) => Some(Ok(Some((
                    c.get_position(),
                    cell_text(&Data::from(c.get_value().clone())),
                )))),
                Ok(None) => None,
                Err(e) => Some(Err(e.to_string())),
            });
            sheets.push(sheet_of_cells(name, cells)?);
        }
        Ok(sheets)
    }};
}

const NOT_A_WORKBOOK: &str =
    "Give an .xlsx, .xlsm, .xlsb or .ods workbook, or save the sheet as CSV (.csv, UTF-8 or CP932)";

fn read_workbook(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // calamine sizes its tables from counts in the file before it reads a cell,
        // so a damaged .xls can make it ask for more memory than exists (an abort,
        // not an error); ikou does not hand it one.
        return Err(
            "an Excel 97-2003 workbook (.xls) is not read: open it in Excel or LibreOffice and \
             save it as .xlsx (or the item sheet as CSV), then import that"
                .into(),
        );
    }
    if !bytes.starts_with(b"PK") {
        return Err(format!("not a spreadsheet ikou can read. {NOT_A_WORKBOOK}"));
    }
    let zip = check_zip(bytes)?;
    let not_read = |e: &dyn std::fmt::Display| {
        format!("not a spreadsheet ikou can read ({e}). {NOT_A_WORKBOOK}")
    };
    let cursor = std::io::Cursor::new(bytes);
    if zip.ods {
        let mut book = calamine::Ods::new(cursor).map_err(|e| not_read(&e))?;
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            let range = book
                .worksheet_range(&name)
                .map_err(|e| format!("sheet {name:?} cannot be read: {e}"))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let cells = range.used_cells().map(|(r, c, d)| {
                let pos = (
                    r0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX)),
                    c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX)),
                );
                Ok(Some((pos, cell_text(d))))
            });
            sheets.push(sheet_of_cells(name, cells)?);
        }
        Ok(sheets)
    } else if zip.xlsb {
        let book = calamine::Xlsb::new(cursor).map_err(|e| not_read(&e))?;
        streamed_sheets!(book)
    } else {
        let book = calamine::Xlsx::new(cursor).map_err(|e| not_read(&e))?;
        streamed_sheets!(book)
    }
}

type CellResult = Result<Option<((u32, u32), String)>, String>;

/// Rows of a sheet from its non-empty cells, in any order. A cell beyond
/// [`MAX_ROWS`] × [`MAX_COLUMNS`] (or longer than [`MAX_CELL_CHARS`]) refuses the
/// sheet: the reading stops there, so a huge sheet costs little.
fn sheet_of_cells(name: String, cells: impl Iterator<Item = CellResult>) -> Result<Sheet, String> {
    let mut got: Vec<((u32, u32), String)> = Vec::new();
    let limit = MAX_ROWS as usize * MAX_COLUMNS as usize;
    for cell in cells {
        let Some(((row, col), text)) =
            cell.map_err(|e| format!("sheet {name:?} cannot be read: {e}"))?
        else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(beyond(&name, row, col));
        }
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(format!(
                "sheet {name:?}, cell {}{}: more than {MAX_CELL_CHARS} characters, which no cell of \
                 a layout definition sheet has",
                column_name(col),
                row as u64 + 1
            ));
        }
        // The same cell written many times counts each time: stop at the limit.
        if got.len() >= limit {
            return Err(beyond(&name, row, col));
        }
        got.push(((row, col), text));
    }
    got.sort_by_key(|(pos, _)| *pos);
    let mut rows: Vec<Row> = Vec::new();
    if let (Some(first), Some(last)) = (got.first(), got.last()) {
        let (first, last) = (first.0.0, last.0.0);
        rows = (first..=last)
            .map(|r| Row {
                number: r as usize + 1,
                cells: Vec::new(),
            })
            .collect();
        for ((r, c), text) in got {
            // r is within first..=last and c below MAX_COLUMNS (checked above).
            if let Some(row) = rows.get_mut((r - first) as usize) {
                let c = c as usize;
                if row.cells.len() <= c {
                    row.cells.resize(c + 1, String::new());
                }
                row.cells[c] = text;
            }
        }
    }
    Ok(Sheet { name, rows })
}

fn beyond(sheet: &str, row: u32, col: u32) -> String {
    format!(
        "sheet {sheet:?} has a value in cell {}{}, beyond the {MAX_ROWS} rows × {MAX_COLUMNS} columns \
         (A1:{}{MAX_ROWS}) that ikou reads from a layout definition sheet; delete what is outside \
         the item list, or copy the item list into a new workbook",
        column_name(col),
        row as u64 + 1,
        column_name(MAX_COLUMNS - 1)
    )
}

/// A column as a spreadsheet names it (0 → A, 26 → AA).
fn column_name(col: u32) -> String {
    let mut c = col as u64 + 1;
    let mut s = Vec::new();
    while c > 0 {
        let rem = (c - 1) % 26;
        s.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// What the zip members say about the workbook, checked to unpack within bounds.
struct ZipCheck {
    ods: bool,
    xlsb: bool,
}

/// Unpacks every member of the zip into a counter, within [`MAX_UNZIPPED`], so
/// that calamine, unpacking the same members, stays within it too; and looks in
/// the members for counts calamine would trust (shared string counts, ods
/// repeats and spaces).
fn check_zip(bytes: &[u8]) -> Result<ZipCheck, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a spreadsheet ikou can read ({e}). {NOT_A_WORKBOOK}"))?;
    if zip.len() > MAX_ZIP_MEMBERS {
        return Err(format!(
            "the workbook has {} parts, more than the {MAX_ZIP_MEMBERS} ikou reads; it is not a \
             layout definition sheet ikou can read. {NOT_A_WORKBOOK}",
            zip.len()
        ));
    }
    let mut check = ZipCheck {
        ods: false,
        xlsb: false,
    };
    let mut total: u64 = 0;
    let mut buf = Vec::new();
    for i in 0..zip.len() {
        // A member zip cannot open, calamine cannot either: it fails there.
        let Ok(member) = zip.by_index(i) else {
            continue;
        };
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        check.ods |= name == "mimetype";
        check.xlsb |= lower.ends_with("workbook.bin");
        // Only the members scanned below are kept; the rest are only counted.
        let sheet = lower.starts_with("xl/worksheets/") && lower.ends_with(".xml");
        let scan = lower.ends_with("sharedstrings.xml") || name == "content.xml" || sheet;
        buf.clear();
        let mut bounded = member.take(MAX_UNZIPPED - total + 1);
        let n = if scan {
            bounded.read_to_end(&mut buf).map(|n| n as u64)
        } else {
            std::io::copy(&mut bounded, &mut std::io::sink())
        }
        .map_err(|e| format!("the workbook is damaged ({name}: {e}). {NOT_A_WORKBOOK}"))?;
        total = total.saturating_add(n);
        if total > MAX_UNZIPPED {
            return Err(format!(
                "the workbook unpacks to more than {} MiB, which no layout definition sheet does; \
                 copy the item list into a new workbook, or save it as CSV",
                MAX_UNZIPPED >> 20
            ));
        }
        if !scan {
            continue;
        }
        for count in attr_numbers(&buf, b"uniqueCount") {
            if count > MAX_SHARED_STRINGS {
                return Err(format!(
                    "the workbook declares {count} shared strings ({name}), more than the \
                     {MAX_SHARED_STRINGS} ikou reads; the file is damaged or not a layout definition sheet"
                ));
            }
        }
        if name == "content.xml" {
            ods_extent(&buf)?;
        }
        if sheet {
            cell_references(&buf, &name)?;
        }
    }
    Ok(check)
}

/// Refuses a worksheet whose cell references (`r="…"`, `ref="…"`) go beyond
/// XFD1048576 (3 letters, 7 digits): calamine computes them without checking
/// for overflow, so a hostile reference must never reach it.
fn cell_references(xml: &[u8], part: &str) -> Result<(), String> {
    for attr in [
        &b" r="[..],
        b"\tr=",
        b"\nr=",
        b" ref=",
        b"\tref=",
        b"\nref=",
    ] {
        for at in memchr::memmem::find_iter(xml, attr) {
            let rest = &xml[at + attr.len()..];
            let Some((&q, value)) = rest
                .split_first()
                .filter(|(q, _)| matches!(q, b'"' | b'\''))
            else {
                continue;
            };
            let value = &value[..memchr::memchr(q, value).unwrap_or(value.len())];
            let (mut letters, mut digits) = (0usize, 0usize);
            for &b in value {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' => (letters, digits) = (letters + 1, 0),
                    b'0'..=b'9' => digits += 1,
                    _ => (letters, digits) = (0, 0),
                }
                if letters > 3 || digits > 7 {
                    let shown: String =
                        String::from_utf8_lossy(&value[..value.len().min(40)]).into();
                    return Err(format!(
                        "the workbook is damaged: {part} has a cell reference {shown:?} beyond \
                         XFD1048576, the last cell a sheet can have. {NOT_A_WORKBOOK}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Every value of attribute `attr` written `attr="digits"` (or with single
/// quotes, spaces around `=`, a `+`) in `xml`, saturating at u64::MAX.
fn attr_numbers<'a>(xml: &'a [u8], attr: &'a [u8]) -> impl Iterator<Item = u64> + 'a {
    memchr::memmem::find_iter(xml, attr).filter_map(move |at| {
        let rest = &xml[at + attr.len()..];
        let rest = trim_start(rest).strip_prefix(b"=")?;
        let rest = trim_start(rest);
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))?;
        let rest = trim_start(rest);
        let rest = rest.strip_prefix(b"+").unwrap_or(rest);
        // A number written with character references (&#49;…) is not read here:
        // count it as the largest, so it is refused rather than trusted.
        if rest.first() == Some(&b'&') {
            return Some(u64::MAX);
        }
        Some(digits_value(rest))
    })
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// The number the leading digits of `b` spell (0 if none), saturating.
fn digits_value(b: &[u8]) -> u64 {
    b.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0u64, |v, &d| {
            v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
}

/// The value of attribute `name` in the start tag `tag`, as a number; the
/// largest, should the name appear more than once (or inside a longer name).
fn tag_number(tag: &[u8], name: &[u8]) -> Option<u64> {
    attr_numbers(tag, name).max()
}

/// Checks an ods content.xml before calamine expands it: calamine repeats a row
/// `number-rows-repeated` times and a cell `number-columns-repeated` times (up
/// to 1,048,576 × 16,384), and a space `text:c` times. Counts as calamine does,
/// but without expanding: a value past [`MAX_ROWS`] × [`MAX_COLUMNS`], more cells
/// than one full sheet over all sheets, or too many spaces refuses the file.
fn ods_extent(xml: &[u8]) -> Result<(), String> {
    let limit = MAX_ROWS as u64 * MAX_COLUMNS as u64;
    let (mut all_cells, mut spaces) = (0u64, 0u64);
    // Per table: the next row, the furthest row and column holding a value.
    let (mut row, mut rows_end, mut cols_end) = (0u64, 0u64, 0u64);
    // Per row: its repeat, the next column, whether it holds a value.
    let (mut row_rep, mut col, mut row_has_value) = (1u64, 0u64, false);
    let too_big = |what: String| {
        Err(format!(
            "the sheet {what}, beyond the {MAX_ROWS} rows × {MAX_COLUMNS} columns ikou reads from a \
             layout definition sheet; delete what is outside the item list, or copy the item list \
             into a new workbook"
        ))
    };
    // calamine reads a table until its end tag, and never stops if there is none.
    let mut open_table = false;
    let mut pos = 0;
    while let Some(lt) = memchr::memchr(b'<', &xml[pos..]) {
        let start = pos + lt + 1;
        // Comments, CDATA and processing instructions hold no tags (and may hold
        // a lone quote, which must not hide the tags after them).
        let skip = [
            (&b"!--"[..], &b"-->"[..]),
            (b"![CDATA[", b"]]>"),
            (b"?", b"?>"),
        ]
        .into_iter()
        .find(|(open, _)| xml[start..].starts_with(open));
        if let Some((open, close)) = skip {
            let from = start + open.len();
            pos = memchr::memmem::find(&xml[from..], close)
                .map_or(xml.len(), |p| from + p + close.len());
            continue;
        }
        let (tag, next) = tag_at(xml, start);
        pos = next;
        let closing = tag.first() == Some(&b'/');
        let name_end = tag
            .iter()
            .skip(1)
            .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
            .map_or(tag.len(), |p| p + 1);
        let self_closing = tag.ends_with(b"/");
        match (&tag[..name_end], closing) {
            (b"table:table", false) if !self_closing => {
                (row, rows_end, cols_end) = (0, 0, 0);
                open_table = true;
            }
            (b"/table:table", true) => {
                open_table = false;
                all_cells = all_cells.saturating_add(rows_end.saturating_mul(cols_end));
                if all_cells > limit {
                    return too_big(format!(
                        "s hold more than {limit} cells in all (rows × columns used)"
                    ));
                }
            }
            (b"table:table-row", false) if !self_closing => {
                // A repeat of 0 still costs calamine the row's cells: count it as 1.
                row_rep = tag_number(tag, b"table:number-rows-repeated")
                    .unwrap_or(1)
                    .max(1);
                (col, row_has_value) = (0, false);
            }
            (b"/table:table-row", true) => {
                if row_has_value {
                    rows_end = row.saturating_add(row_rep);
                    if rows_end > u64::from(MAX_ROWS) {
                        return too_big(format!("has a value in row {}", rows_end));
                    }
                }
                row = row.saturating_add(row_rep);
            }
            (b"table:table-cell" | b"table:covered-table-cell", false) => {
                let rep = tag_number(tag, b"table:number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                let valued = !self_closing
                    || memchr::memmem::find(tag, b"value-type").is_some()
                    || memchr::memmem::find(tag, b"formula").is_some();
                col = col.saturating_add(rep);
                if valued {
                    row_has_value = true;
                    cols_end = cols_end.max(col);
                    if col > u64::from(MAX_COLUMNS) {
                        return too_big(format!("has a value in column {col}"));
                    }
                }
            }
            (b"text:s", false) => {
                spaces = spaces.saturating_add(tag_number(tag, b"text:c").unwrap_or(1));
                if spaces > MAX_ODS_SPACES {
                    return Err(format!(
                        "the sheet asks for more than {MAX_ODS_SPACES} spaces (text:s), which no \
                         layout definition sheet does; the file is damaged"
                    ));
                }
            }
            _ => {}
        }
    }
    if open_table {
        return Err(
            "the workbook is damaged: a sheet (table:table) in content.xml has no end".into(),
        );
    }
    Ok(())
}

/// The tag starting at `start` (just after `<`), without its `<` and `>`, and
/// the position after it. Quoted attribute values may hold `>`.
fn tag_at(xml: &[u8], start: usize) -> (&[u8], usize) {
    let mut quote = None;
    for (i, &c) in xml[start..].iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return (&xml[start..start + i], start + i + 1),
            _ => {}
        }
    }
    (&xml[start..], xml.len())
}

/// A cell as the text a person sees (whole numbers without ".0").
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        other => other.to_string(),
    }
}

fn read_csv(bytes: &[u8], name: String, delimiter: u8) -> Result<Vec<Sheet>, String> {
    let text = csv_text(bytes)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Rows as a spreadsheet program numbers them: the line a record starts on,
    // less the line breaks inside quoted cells before it (blank lines count).
    let (mut line, mut counted, mut inside) = (1usize, 0usize, 0usize);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("not valid CSV: {e}"))?;
        // The csv crate may place a record after the CR of a CRLF: skip line ends.
        let mut start = rec
            .position()
            .map_or(counted, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let upto = start.max(counted).min(text.len());
        line += text.as_bytes()[counted.min(upto)..upto]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = upto;
        let number = line.saturating_sub(inside);
        if number > MAX_ROWS as usize {
            return Err(format!(
                "more than {MAX_ROWS} rows, which ikou reads from a layout definition sheet; \
                 keep only the item list in the file"
            ));
        }
        if rec.len() > MAX_COLUMNS as usize {
            return Err(beyond(
                &name,
                u32::try_from(number.saturating_sub(1)).unwrap_or(u32::MAX),
                MAX_COLUMNS,
            ));
        }
        if let Some(f) = rec.iter().find(|f| f.chars().count() > MAX_CELL_CHARS) {
            return Err(format!(
                "row {number}: a cell of more than {MAX_CELL_CHARS} characters ({}…), which no \
                 cell of a layout definition sheet has; check the quotes",
                f.chars().take(20).collect::<String>()
            ));
        }
        inside += rec
            .iter()
            .map(|f| f.bytes().filter(|&b| b == b'\n').count())
            .sum::<usize>();
        rows.push(Row {
            number,
            cells: rec.iter().map(String::from).collect(),
        });
    }
    Ok(vec![Sheet { name, rows }])
}

/// CSV saved by Excel on Japanese Windows is CP932; elsewhere UTF-8 (BOM optional).
fn csv_text(bytes: &[u8]) -> Result<String, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(s.to_string());
    }
    let mut s = String::new();
    crate::decode::decode(crate::decode::Encoding::Cp932, body, &mut s).map_err(|e| {
        format!(
            "the CSV is neither UTF-8 nor CP932 (byte {} is {}); save it again as CSV UTF-8",
            e.offset + 1,
            e.hex()
        )
    })?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_cp932_or_utf8_with_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sheet.csv");
        // "項番,項目名\r\n1,\"氏\r\n名\"\r\n2,x\r\n" in CP932.
        std::fs::write(
            &p,
            b"\x8D\x80\x94\xD4,\x8D\x80\x96\xDA\x96\xBC\r\n1,\"\x8E\x81\r\n\x96\xBC\"\r\n2,x\r\n",
        )
        .unwrap();
        let sheets = read(&p).unwrap();
        assert_eq!(sheets[0].name, "sheet");
        let rows: Vec<(usize, Vec<String>)> = sheets[0]
            .rows
            .iter()
            .map(|r| (r.number, r.cells.clone()))
            .collect();
        assert_eq!(rows[0], (1, vec!["項番".into(), "項目名".into()]));
        assert_eq!(rows[1], (2, vec!["1".into(), "氏\r\n名".into()]));
        assert_eq!(rows[2].0, 3, "rows as a spreadsheet numbers them");
        std::fs::write(&p, "\u{FEFF}a,b\n".as_bytes()).unwrap();
        assert_eq!(read(&p).unwrap()[0].rows[0].cells, ["a", "b"]);
        std::fs::write(&p, b"\x82 ,x\n").unwrap();
        assert!(read(&p).unwrap_err().contains("neither UTF-8 nor CP932"));
    }

    #[test]
    fn unreadable_workbooks_say_what_to_give() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sheet.xlsx");
        std::fs::write(&p, b"not a zip").unwrap();
        assert!(read(&p).unwrap_err().contains("save the sheet as CSV"));
    }

    fn table(rows: &str) -> Vec<u8> {
        format!("<office:body><table:table table:name=\"t\">{rows}</table:table></office:body>")
            .into_bytes()
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn ods_repeats_are_counted_without_expanding() {
        // LibreOffice's trailing empty rows and columns are fine.
        let lo = format!(
            "<table:table-row>{CELL}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        );
        assert!(ods_extent(&table(&lo)).is_ok());
        let at_limit = format!(
            "<table:table-row table:number-rows-repeated=\"9999\"><table:table-cell table:number-columns-repeated=\"255\"/>{CELL}</table:table-row>"
        );
        assert!(ods_extent(&table(&at_limit)).is_ok());
        let rows = format!(
            "<table:table-row table:number-rows-repeated=\"10001\">{CELL}</table:table-row>"
        );
        assert!(ods_extent(&table(&rows)).unwrap_err().contains("row 10001"));
        // Empty rows before a value count.
        let gap = format!(
            "<table:table-row table:number-rows-repeated=\"10000\"><table:table-cell/></table:table-row><table:table-row>{CELL}</table:table-row>"
        );
        assert!(ods_extent(&table(&gap)).is_err());
    }

    #[test]
    fn ods_counts_cannot_be_hidden() {
        let hostile = format!(
            "<table:table-row table:number-rows-repeated=\"100000000\">{CELL}</table:table-row>"
        );
        for disguise in [
            // A lone quote in a comment must not swallow the tags after it.
            format!("<!-- it's --><table:table-row>{CELL}</table:table-row>{hostile}<x a='1'/>"),
            format!("<![CDATA[ \" ]]>{hostile}<x a=\"1\"/>"),
            // A decoy attribute with the same name inside a longer one.
            hostile.replace(
                "<table:table-row ",
                "<table:table-row x:table:number-rows-repeated=\"1\" ",
            ),
            // A character reference instead of digits.
            hostile.replace("100000000", "&#49;00000000"),
            // A repeat of 0 still costs calamine the row's cells.
            format!("<table:table-row table:number-rows-repeated=\"0\">{CELL}</table:table-row>")
                .repeat(10_001),
        ] {
            assert!(
                ods_extent(&table(&disguise)).is_err(),
                "{}",
                &disguise[..80.min(disguise.len())]
            );
        }
        // Found by fuzzing: a table without its end tag made calamine loop forever.
        let unclosed =
            String::from_utf8(table(&format!("<table:table-row>{CELL}</table:table-row>")))
                .unwrap()
                .replace("</table:table>", "</table:9able>");
        assert!(
            ods_extent(unclosed.as_bytes())
                .unwrap_err()
                .contains("no end")
        );
        let spaces = "<table:table-row><table:table-cell><text:p><text:s text:c=\"99999999999\"/></text:p></table:table-cell></table:table-row>";
        assert!(ods_extent(&table(spaces)).unwrap_err().contains("spaces"));
    }

    #[test]
    fn attribute_numbers() {
        let n: Vec<u64> = attr_numbers(
            b"<sst count=\"3\" uniqueCount = '+12'> uniqueCount=\"99999999999999999999999\"",
            b"uniqueCount",
        )
        .collect();
        assert_eq!(n, [12, u64::MAX]);
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(column_name(u32::MAX).len(), 7);
    }

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(15.0)), "15");
        assert_eq!(cell_text(&Data::Float(7.5)), "7.5");
        assert_eq!(cell_text(&Data::Int(3)), "3");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
