//! Vendor 外字 tables under review: [`check`] lists every problem of a set of
//! tables with file and line, [`diff`] lists what an edit changes in the tables,
//! and [`corpus`] what it changes in converted records.
//!
//! Nothing here parses tables itself: the parsing, merging and target resolution
//! are those of the map stage ([`crate::gaiji`]), so a table that `check` passes is
//! a table `convert` accepts, and `diff` compares what `convert` would write.

pub mod check;
pub mod corpus;
pub mod diff;

use crate::error::Error;
use crate::gaiji::TableSource;
use sha2::Digest;
use std::path::Path;

/// A table file as read for checking.
#[derive(Debug, Clone)]
pub struct TableFile {
    /// The text (decoded lossily when the file is not UTF-8) and the file's hash.
    pub source: TableSource,
    /// The file is not UTF-8: the line of its first bad byte, and what to do.
    pub not_utf8: Option<(usize, &'static str)>,
}

/// Reads a table for `check`. A file that is not UTF-8 is still read (its sources
/// and targets are ASCII, so a table saved as Shift_JIS by a spreadsheet is mostly
/// checkable); `not_utf8` says where it went wrong. A UTF-16 file (a spreadsheet's
/// "Unicode text") is not read further: every line would be a syntax error. Err
/// (exit 2): the file cannot be read at all.
pub fn read_table(path: &Path) -> Result<TableFile, Error> {
    let bytes = TableSource::bytes(path).map_err(|e| {
        Error::Config(format!(
            "{}: cannot read the 外字 table: {e}; check the path",
            path.display()
        ))
    })?;
    let sha256 = crate::output::hex(&sha2::Sha256::digest(&bytes));
    let (text, not_utf8) = match std::str::from_utf8(&bytes) {
        Ok(s) => (s.to_string(), None),
        Err(_) if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") => (
            String::new(),
            Some((
                1,
                "the file is UTF-16 (a spreadsheet's \"Unicode text\"); save it as UTF-8",
            )),
        ),
        Err(e) => {
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..e.valid_up_to()]).count();
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some((
                    line,
                    "the file is not UTF-8 (saved as Shift_JIS?); save it as UTF-8",
                )),
            )
        }
    };
    Ok(TableFile {
        source: TableSource {
            path: path.to_string_lossy().into_owned(),
            text,
            sha256,
        },
        not_utf8,
    })
}

/// Reads tables for `diff` and the map stage: any unreadable or non-UTF-8 table is
/// an error (exit 2), as in `convert`.
pub fn read_tables(paths: &[impl AsRef<Path>]) -> Result<Vec<TableSource>, Error> {
    paths
        .iter()
        .map(|p| {
            let p = p.as_ref();
            TableSource::read(p).map_err(|e| {
                Error::Config(match e.kind() {
                    std::io::ErrorKind::InvalidData => format!(
                        "{}: the 外字 table is not UTF-8; save it as UTF-8 (ikou mappings check shows the line)",
                        p.display()
                    ),
                    _ => format!(
                        "{}: cannot read the 外字 table: {e}; check the path",
                        p.display()
                    ),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_that_is_not_utf8_is_read_with_the_line_of_the_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.tsv");
        // Line 3 has a note in Shift_JIS (外字 = 0x8A 0x4F 0x8E 0x9A).
        std::fs::write(
            &p,
            b"# x\nU+E000\tMJ000001\nU+E001\tMJ000002\t\x8a\x4f\x8e\x9a\n",
        )
        .unwrap();
        let t = read_table(&p).unwrap();
        assert_eq!(t.not_utf8.map(|x| x.0), Some(3));
        assert!(t.source.text.contains("U+E001\tMJ000002"));
        std::fs::write(&p, b"\xFF\xFEU\x00+\x00").unwrap();
        let t = read_table(&p).unwrap();
        assert!(
            t.not_utf8
                .is_some_and(|(l, m)| l == 1 && m.contains("UTF-16"))
        );
        assert!(t.source.text.is_empty());
        assert!(read_tables(&[&p]).is_err());
        assert!(read_table(&dir.path().join("missing.tsv")).is_err());
    }
}
