//! `ikou layout import` (`ikou::layout::import::import`) on arbitrary bytes as a
//! layout definition sheet.
//!
//! Byte 0 picks how the rest is given: bits 0–2 the file kind — raw bytes as
//! .xlsx, .ods, .csv, .tsv, .xls or .xlsb, or XML packed into a well-formed
//! workbook (zip CRCs right, so mutations reach the sheet reader): xlsx
//! `sheet1.xml NUL sharedStrings.xml`, ods `content.xml`; bit 3 csv or fixed;
//! bit 4 a --key. Checks: no panic, no abort; an import that succeeds gives a
//! layout file that parses to the same layout.
#![no_main]

use ikou::layout::Format;
use ikou::layout::import::{ImportOptions, import};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="項目定義" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const ODS_MIME: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// A zip of stored (uncompressed) parts, in order.
fn zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::{SimpleFileOptions, ZipWriter};
    let mut w = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        w.start_file(*name, opts).expect("zip part");
        w.write_all(data).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// A directory of this process for the sheet file (under $TMPDIR; fuzz/run.sh
/// points that at a scratch directory it removes).
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory").keep())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (ext, bytes) = match mode & 7 {
        0 => ("xlsx", rest.to_vec()),
        1 => ("ods", rest.to_vec()),
        2 => ("csv", rest.to_vec()),
        3 => ("tsv", rest.to_vec()),
        4 => {
            let (sheet, strings) = match rest.iter().position(|&b| b == 0) {
                Some(nul) => (&rest[..nul], &rest[nul + 1..]),
                None => (rest, &b""[..]),
            };
            let parts: [(&str, &[u8]); 6] = [
                ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
                ("_rels/.rels", RELS.as_bytes()),
                ("xl/workbook.xml", WORKBOOK.as_bytes()),
                ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
                ("xl/worksheets/sheet1.xml", sheet),
                ("xl/sharedStrings.xml", strings),
            ];
            ("xlsx", zip(&parts))
        }
        5 => {
            let parts: [(&str, &[u8]); 3] = [
                ("mimetype", ODS_MIME.as_bytes()),
                ("META-INF/manifest.xml", ODS_MANIFEST.as_bytes()),
                ("content.xml", rest),
            ];
            ("ods", zip(&parts))
        }
        6 => ("xls", rest.to_vec()),
        _ => ("xlsb", rest.to_vec()),
    };
    let path = dir().join(format!("sheet.{ext}"));
    std::fs::write(&path, &bytes).expect("write the sheet");
    let opts = ImportOptions {
        format: if mode & 8 == 0 {
            Format::Csv
        } else {
            Format::Fixed
        },
        key: (mode & 16 != 0).then(|| "宛名番号".to_string()),
        ..ImportOptions::default()
    };
    if let Ok(imported) = import(&path, &opts) {
        let again = ikou::layout::parse(imported.toml.as_bytes(), "imported.toml")
            .expect("the imported layout file parses");
        assert_eq!(again.fields.len(), imported.layout.fields.len());
        let _ = imported.findings.iter().map(ToString::to_string).count();
    }
});
