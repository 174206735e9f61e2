//! `--charset-ext`: the MJ+ extension table (行政事務標準文字 beyond the MJ glyphs).
//!
//! デジタル庁 added about 9,400 characters to the MJ glyphs, named `GJ000001`… and
//! placed in the plane 15/16 Private Use Area. ikou ships no list of them (it is not
//! ours to redistribute): the municipality or vendor supplies one, a UTF-8 TSV with
//! one character per line:
//!
//! ```text
//! # id<TAB>code points<TAB>note[<TAB>jis=U+XXXX]
//! GJ000001<TAB>U+100000
//! GJ000123<TAB>U+10002A U+E0100<TAB>つちよし<TAB>jis=U+5409
//! ```
//!
//! (`<TAB>` is one tab character.)
//!
//! The code points are one plane 15/16 private-use character, optionally followed by
//! one variation selector. `jis=` names the JIS X 0213 character written for it under
//! `--ivs never`. Every problem is reported with `file:line`, all of them at once;
//! any error refuses the whole set of tables (a character set is either sure or
//! useless).

use crate::mj::{Notation, parse_notation};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One character of the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtEntry {
    /// `GJ000123` → 123.
    pub id: u32,
    /// The code points written for it: one private-use character, maybe + a selector.
    pub text: String,
    /// `jis=`: the JIS X 0213 character written under `--ivs never`.
    pub jis: Option<char>,
    /// The note column (may be empty).
    pub note: String,
    /// `path:line` of its line.
    pub origin: String,
}

impl ExtEntry {
    /// `GJ000123`.
    pub fn name(&self) -> String {
        gj_name(self.id)
    }
}

/// `GJ000123` for 123.
pub fn gj_name(id: u32) -> String {
    format!("GJ{id:06}")
}

/// A file the extension was read from (for the manifest's `tables`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtFile {
    pub path: String,
    pub sha256: String,
}

/// A problem of an extension table, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ExtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// Every extension table given, merged (ids and sequences unique across all files).
#[derive(Debug, Clone, Default)]
pub struct CharsetExt {
    entries: Vec<ExtEntry>,
    by_id: HashMap<u32, usize>,
    files: Vec<ExtFile>,
}

/// The most an extension table may hold (≈ 9,400 lines of ≈ 40 bytes; generous).
pub const MAX_BYTES: u64 = 16 << 20;

impl CharsetExt {
    /// Reads the `--charset-ext` files in order; `-` is standard input. Err (exit 2):
    /// a file that cannot be read, is too large or not UTF-8, or any error in the
    /// tables (every one listed with file and line).
    pub fn read_all(paths: &[PathBuf]) -> Result<CharsetExt, crate::Error> {
        let mut texts = Vec::new();
        for p in paths {
            let (text, sha256) = read(p).map_err(|e| {
                crate::Error::Config(format!(
                    "{}: cannot read the MJ+ extension table (--charset-ext): {e}",
                    p.display()
                ))
            })?;
            texts.push((p.to_string_lossy().into_owned(), text, sha256));
        }
        let refs: Vec<(&str, &str, &str)> = texts
            .iter()
            .map(|(p, t, h)| (p.as_str(), t.as_str(), h.as_str()))
            .collect();
        CharsetExt::parse_all(&refs).map_err(|errors| {
            let mut m = format!(
                "the MJ+ extension tables (--charset-ext) have {} errors; fix them and run again:",
                errors.len()
            );
            for e in errors.iter().take(50) {
                m.push_str(&format!("\n  {e}"));
            }
            if errors.len() > 50 {
                m.push_str(&format!("\n  … and {} more", errors.len() - 50));
            }
            crate::Error::Config(m)
        })
    }

    /// Parses tables given as (path, text, sha256), in order. Err: every problem.
    pub fn parse_all(tables: &[(&str, &str, &str)]) -> Result<CharsetExt, Vec<ExtError>> {
        let mut ext = CharsetExt::default();
        let mut errors = Vec::new();
        let mut by_text: HashMap<String, String> = HashMap::new();
        for &(path, text, sha256) in tables {
            ext.files.push(ExtFile {
                path: path.to_string(),
                sha256: sha256.to_string(),
            });
            let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
            for (i, raw) in text.lines().enumerate() {
                let line = i + 1;
                let mut error = |message: String| {
                    errors.push(ExtError {
                        path: path.to_string(),
                        line,
                        message,
                    })
                };
                let l = raw.trim_end_matches('\r');
                if l.trim().is_empty() || l.starts_with('#') {
                    continue;
                }
                let e = match parse_line(l, &format!("{path}:{line}")) {
                    Ok(Some(e)) => e,
                    Ok(None) => continue,
                    Err(m) => {
                        error(m);
                        continue;
                    }
                };
                if let Some(&first) = ext.by_id.get(&e.id) {
                    error(format!(
                        "{} is listed twice (first at {})",
                        e.name(),
                        ext.entries[first].origin
                    ));
                    continue;
                }
                if let Some(first) = by_text.get(&e.text) {
                    error(format!(
                        "{} has the code points of another entry ({first})",
                        e.name()
                    ));
                    continue;
                }
                let mj = crate::mj::db().by_char(&e.text);
                if let Some(&n) = mj.first() {
                    error(format!(
                        "{} ({}) is the form of the MJ glyph {}: an extension character must not be an MJ glyph",
                        e.name(),
                        crate::gaiji::code_points(&e.text),
                        crate::mj::mj_name(n)
                    ));
                    continue;
                }
                by_text.insert(e.text.clone(), format!("{} at {}", e.name(), e.origin));
                ext.by_id.insert(e.id, ext.entries.len());
                ext.entries.push(e);
            }
        }
        if errors.is_empty() {
            Ok(ext)
        } else {
            Err(errors)
        }
    }

    /// The entry `GJ` + `id`.
    pub fn get(&self, id: u32) -> Option<&ExtEntry> {
        self.by_id.get(&id).map(|&i| &self.entries[i])
    }

    pub fn entries(&self) -> &[ExtEntry] {
        &self.entries
    }

    pub fn files(&self) -> &[ExtFile] {
        &self.files
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The bytes of a table (`-`: standard input), at most [`MAX_BYTES`], as text with
/// their SHA-256.
fn read(path: &Path) -> std::io::Result<(String, String)> {
    use sha2::Digest;
    use std::io::Read;
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "it holds more than {} MiB, too much for an extension table",
                MAX_BYTES >> 20
            ),
        )
    };
    let bytes = if crate::input::is_stdin(path) {
        crate::input::read_stdin(MAX_BYTES)?.ok_or_else(too_large)?
    } else {
        let mut buf = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_BYTES + 1)
            .read_to_end(&mut buf)?;
        if buf.len() as u64 > MAX_BYTES {
            return Err(too_large());
        }
        buf
    };
    let sha256 = crate::output::hex(&sha2::Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 (byte offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok((text, sha256))
}

/// True for the plane 15/16 private-use code points MJ+ places its additions in.
pub fn is_ext_code_point(c: char) -> bool {
    matches!(c, '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

/// True for a variation selector (FE00–FE0F, E0100–E01EF).
pub fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// One data line. Ok(None): the header line (`id<TAB>…`).
fn parse_line(l: &str, origin: &str) -> Result<Option<ExtEntry>, String> {
    let mut cols = l.split('\t').map(str::trim);
    let id_text = cols.next().unwrap_or("");
    if id_text.eq_ignore_ascii_case("id") {
        return Ok(None);
    }
    let id = match parse_notation(id_text) {
        Ok(Notation::Ext(n)) => n,
        Ok(_) => {
            return Err(format!(
                "{id_text:?} is not an MJ+ id: write GJ and 6 digits (e.g. GJ000123)"
            ));
        }
        Err(e) => return Err(format!("{id_text:?} is not an MJ+ id: {}", e.english())),
    };
    let name = super::ext::gj_name(id);
    let Some(cps) = cols.next().filter(|c| !c.is_empty()) else {
        return Err(format!(
            "{name} has no code points: expected `id<TAB>code points` (is the separator a TAB?)"
        ));
    };
    let text = match parse_notation(cps) {
        Ok(Notation::CodePoints(t)) => t,
        Ok(_) => {
            return Err(format!(
                "{name}: {cps:?} is not code points (write U+10002A, or U+10002A U+E0100)"
            ));
        }
        Err(e) => return Err(format!("{name}: {}", e.english())),
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(b), None, _) if is_ext_code_point(b) => {}
        (Some(b), Some(v), None) if is_ext_code_point(b) && is_variation_selector(v) => {}
        (Some(b), _, _) if !is_ext_code_point(b) => {
            return Err(format!(
                "{name}: U+{:04X} is not in the plane 15/16 Private Use Area (U+F0000–U+FFFFD, U+100000–U+10FFFD) where MJ+ places its characters",
                b as u32
            ));
        }
        _ => {
            return Err(format!(
                "{name}: {cps} is not one private-use character optionally followed by one variation selector"
            ));
        }
    }
    let mut note = String::new();
    let mut jis = None;
    for c in cols {
        if let Some(j) = c.strip_prefix("jis=") {
            if jis.is_some() {
                return Err(format!("{name}: jis= is given twice"));
            }
            jis = Some(jis_form(&name, j)?);
        } else if !c.is_empty() {
            if !note.is_empty() {
                note.push('\t');
            }
            note.push_str(c);
        }
    }
    Ok(Some(ExtEntry {
        id,
        text,
        jis,
        note,
        origin: origin.to_string(),
    }))
}

/// `jis=U+XXXX`: one JIS X 0213 character, not a control.
fn jis_form(name: &str, j: &str) -> Result<char, String> {
    let bad = || format!("{name}: jis={j} is not one JIS X 0213 character (write jis=U+5409)");
    let c = match parse_notation(j) {
        Ok(Notation::CodePoints(t)) if t.chars().count() == 1 => {
            t.chars().next().ok_or_else(bad)?
        }
        _ => return Err(bad()),
    };
    if c.is_control()
        || crate::profile::charset::class(c) == crate::profile::charset::JisSet::Outside
    {
        return Err(format!(
            "{name}: jis=U+{:04X} is not a JIS X 0213 character",
            c as u32
        ));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CharsetExt, Vec<String>> {
        CharsetExt::parse_all(&[("x.tsv", text, "")])
            .map_err(|v| v.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reads_entries_notes_and_jis_forms() {
        let ext = parse(
            "\u{FEFF}id\tcode points\tnote\n# comment\n\nGJ000001\tU+100000\r\nGJ000123\tU+10002A U+E0100\tつちよし\tjis=U+5409\ngj000124\tＵ＋Ｆ０００１\n",
        )
        .unwrap();
        assert_eq!(ext.entries().len(), 3);
        let e = ext.get(123).unwrap();
        assert_eq!(e.text, "\u{10002A}\u{E0100}");
        assert_eq!(e.jis, Some('\u{5409}'));
        assert_eq!(e.note, "つちよし");
        assert_eq!(e.origin, "x.tsv:5");
        assert_eq!(e.name(), "GJ000123");
        assert_eq!(ext.get(1).unwrap().text, "\u{100000}");
        assert_eq!(ext.get(124).unwrap().text, "\u{F0001}");
        assert!(ext.get(2).is_none());
    }

    #[test]
    fn every_error_names_file_and_line() {
        for (text, line, want) in [
            ("GJ12345\tU+100000\n", 1, "not an MJ+ id"),
            ("MJ000001\tU+100000\n", 1, "not an MJ+ id"),
            ("# c\nGJ000001\n", 2, "no code points"),
            ("GJ000001\tU+10000G\n", 1, "not a code point"),
            ("GJ000001\tMJ000001\n", 1, "not code points"),
            ("GJ000001\tU+E000\n", 1, "plane 15/16"),
            ("GJ000001\tU+845B\n", 1, "plane 15/16"),
            ("GJ000001\tU+100000 U+0041\n", 1, "variation selector"),
            (
                "GJ000001\tU+100000 U+E0100 U+E0101\n",
                1,
                "variation selector",
            ),
            ("GJ000001\tU+100000\tjis=U+E000\n", 1, "not a JIS X 0213"),
            ("GJ000001\tU+100000\tjis=U+20BB7\n", 1, "not a JIS X 0213"),
            (
                "GJ000001\tU+100000\tjis=MJ000001\n",
                1,
                "not one JIS X 0213",
            ),
            ("GJ000001\tU+100000\tjis=U+5409\tjis=U+5409\n", 1, "twice"),
            (
                "GJ000001\tU+100000\nGJ000001\tU+100001\n",
                2,
                "listed twice (first at x.tsv:1)",
            ),
            (
                "GJ000001\tU+100000\nGJ000002\tU+100000\n",
                2,
                "code points of another entry (GJ000001 at x.tsv:1)",
            ),
        ] {
            let errors = parse(text).unwrap_err();
            assert_eq!(errors.len(), 1, "{text:?}: {errors:?}");
            assert!(
                errors[0].starts_with(&format!("x.tsv:{line}: ")) && errors[0].contains(want),
                "{text:?}: {errors:?}"
            );
        }
    }

    #[test]
    fn ids_and_sequences_are_unique_across_files() {
        let e = CharsetExt::parse_all(&[
            ("a.tsv", "GJ000001\tU+100000\n", ""),
            ("b.tsv", "GJ000002\tU+100001\n\nGJ000001\tU+100002\n", ""),
        ])
        .unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "b.tsv:3: GJ000001 is listed twice (first at a.tsv:1)"
        );
        // A base alone and with a selector are different sequences.
        let ok = parse("GJ000001\tU+100000\nGJ000002\tU+100000 U+E0100\n").unwrap();
        assert_eq!(ok.entries().len(), 2);
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let errors = parse("GJ1\tU+100000\nGJ000002\tU+E000\nGJ000003\tU+100003\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].starts_with("x.tsv:1:") && errors[1].starts_with("x.tsv:2:"));
    }
}
