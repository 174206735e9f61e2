//! Reading a layout definition sheet into rows of text cells: spreadsheets
//! (xlsx, xlsm, xls, xlsb, ods) through calamine, CSV/TSV through the csv crate.

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

/// Reads every sheet of `path`. Err: a message saying why the file cannot be read.
pub fn read(path: &Path) -> Result<Vec<Sheet>, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(path, b','),
        "tsv" | "tab" => read_csv(path, b'\t'),
        _ => read_workbook(path),
    }
}

fn read_workbook(path: &Path) -> Result<Vec<Sheet>, String> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        format!(
            "not a spreadsheet ikou can read ({e}). Give an .xlsx, .xlsm, .xls, .xlsb or .ods workbook, \
             or save the sheet as CSV (.csv, UTF-8 or CP932)"
        )
    })?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| format!("sheet {name:?} cannot be read: {e}"))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| Row {
                number: row0 as usize + i + 1,
                // Keep column positions absolute (A = 0) whatever the used range is.
                cells: std::iter::repeat_n(String::new(), col0 as usize)
                    .chain(cells.iter().map(cell_text))
                    .collect(),
            })
            .collect();
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
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

fn read_csv(path: &Path, delimiter: u8) -> Result<Vec<Sheet>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = csv_text(&bytes)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Rows as a spreadsheet program numbers them: the line a record starts on,
    // less the line breaks inside quoted cells before it (blank lines count).
    let (mut line, mut counted, mut inside) = (1, 0, 0);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("not valid CSV: {e}"))?;
        // The csv crate may place a record after the CR of a CRLF: skip line ends.
        let mut start = rec.position().map_or(counted, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[counted..start.max(counted)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = start.max(counted);
        let number = line - inside;
        inside += rec
            .iter()
            .map(|f| f.bytes().filter(|&b| b == b'\n').count())
            .sum::<usize>();
        rows.push(Row {
            number,
            cells: rec.iter().map(String::from).collect(),
        });
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
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

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(15.0)), "15");
        assert_eq!(cell_text(&Data::Float(7.5)), "7.5");
        assert_eq!(cell_text(&Data::Int(3)), "3");
        assert_eq!(cell_text(&Data::Empty), "");
    }
}
