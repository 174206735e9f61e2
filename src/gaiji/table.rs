//! Vendor 外字 tables (TSV, UTF-8): `source<TAB>target[<TAB>note…]` per line.
//!
//! Parsing reports every problem of a table, each with its line, instead of
//! stopping at the first: a table of thousands of lines is fixed in one pass.
//! `convert` refuses a table with any [`Severity::Error`]; `mappings check` lists
//! them all.

use crate::decode::{self, Encoding};
use crate::mj::{Notation, Target, parse_notation};
use std::fmt;

/// What a table line maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number in the table file.
    pub line: usize,
    /// The character the source names after decoding (a PUA code point, usually).
    pub source: char,
    /// The source as written in the table (`U+E000`, `0xF040`).
    pub source_text: String,
    pub target: TargetSpec,
    /// The line says it replaces the mapping of an earlier table (`!` before the source).
    pub overrides: bool,
    /// The rest of the line (notes).
    pub note: String,
}

/// The right-hand side of a table line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// An MJ glyph, by MJ名, 住基 J+ code or 戸籍統一文字番号.
    Glyph(Target),
    /// Explicit code points, written as they are (non-kanji 外字 such as ①).
    Chars(String),
    /// `GJ000123`: an MJ+ extension character (`--charset-ext`).
    Ext(u32),
}

impl TargetSpec {
    /// The target as written in a table.
    pub fn notation(&self) -> String {
        match self {
            TargetSpec::Glyph(Target::Mj(n)) => format!("MJ{n:06}"),
            TargetSpec::Glyph(Target::Juki(n)) => format!("J+{n:04X}"),
            TargetSpec::Glyph(Target::Koseki(n)) => format!("KOSEKI:{n:06}"),
            TargetSpec::Chars(s) => code_points(s),
            TargetSpec::Ext(n) => crate::charset::ext::gj_name(*n),
        }
    }
}

/// `U+6F22 U+E0101`: the notation of a string in manifests and messages.
pub fn code_points(s: &str) -> String {
    let v: Vec<String> = s.chars().map(|c| format!("U+{:04X}", c as u32)).collect();
    v.join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A real character is being remapped, or similar: allowed, but worth a look.
    Warning,
    /// The table cannot be used.
    Error,
}

/// One problem of a table, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub severity: Severity,
    /// Stable id: `syntax`, `bad-source`, `bad-target`, `duplicate-source`,
    /// `unknown-target`, `conflict`, `pua-target`, `not-user-defined`, `nothing-to-override`,
    /// `empty-target`.
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {sev}: {}", self.path, self.line, self.message)
    }
}

/// A parsed table file.
#[derive(Debug, Clone)]
pub struct Table {
    pub path: String,
    pub sha256: String,
    pub entries: Vec<Entry>,
}

/// True for the private-use code points where decoded vendor 外字 live.
pub fn is_user_defined(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

/// Parses one table. `encoding` gives the meaning of `0xHHHH` sources (raw bytes).
/// Returns the usable entries and every finding; entries with an error are left out.
pub fn parse(text: &str, path: &str, encoding: Encoding) -> (Vec<Entry>, Vec<Finding>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut findings = Vec::new();
    let mut seen: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let mut find = |severity, code, message: String| {
            findings.push(Finding {
                path: path.to_string(),
                line,
                severity,
                code,
                message,
            })
        };
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let mut cols = l.split('\t');
        let (src, tgt) = (cols.next().unwrap_or("").trim(), cols.next().map(str::trim));
        let note = cols.collect::<Vec<_>>().join("\t");
        if line_is_header(src, tgt) {
            continue;
        }
        if tgt == Some("") {
            // A line of an unfinished work list (ikou profile --worklist).
            find(
                Severity::Error,
                "empty-target",
                format!(
                    "the target of {src} is empty: write the MJ文字図形名 (MJ012345), J+XXXX, KOSEKI:###### or U+XXXX this 外字 stands for, or delete the line"
                ),
            );
            continue;
        }
        let Some(tgt) = tgt.filter(|t| !t.is_empty()) else {
            find(
                Severity::Error,
                "syntax",
                format!(
                    "expected `source<TAB>target`, found {:?} (is the separator a TAB?)",
                    l
                ),
            );
            continue;
        };
        let (overrides, src) = match src.strip_prefix('!') {
            Some(s) => (true, s),
            None => (false, src),
        };
        let source = match parse_source(src, encoding) {
            Ok(c) => c,
            Err(m) => {
                find(Severity::Error, "bad-source", m);
                continue;
            }
        };
        let target = match parse_target(tgt) {
            Ok(t) => t,
            Err(m) => {
                find(Severity::Error, "bad-target", m);
                continue;
            }
        };
        if let TargetSpec::Chars(s) = &target
            && s.chars().any(is_user_defined)
        {
            find(
                Severity::Error,
                "pua-target",
                format!(
                    "target {tgt} is itself a private-use code: it maps a 外字 to another 外字"
                ),
            );
            continue;
        }
        if !is_user_defined(source) {
            find(
                Severity::Warning,
                "not-user-defined",
                format!(
                    "source {src} is {} (U+{:04X}), not a user-defined code: a real character is being remapped",
                    source, source as u32
                ),
            );
        }
        if let Some(&first) = seen.get(&source) {
            find(
                Severity::Error,
                "duplicate-source",
                format!("source {src} is listed twice (first on line {first})"),
            );
            continue;
        }
        seen.insert(source, line);
        entries.push(Entry {
            line,
            source,
            source_text: src.to_string(),
            target,
            overrides,
            note,
        });
    }
    (entries, findings)
}

fn line_is_header(src: &str, tgt: Option<&str>) -> bool {
    src.eq_ignore_ascii_case("source") && tgt.is_some_and(|t| t.eq_ignore_ascii_case("target"))
}

/// `U+E000` (the code point after decoding) or `0xF040` (raw bytes in the input encoding).
/// For the mainframe encodings, whose double-byte text sits between shift codes,
/// `0xHHHH` is the double-byte code without them (`0x6941`) and `0xHH` a single byte.
pub fn parse_source(s: &str, encoding: Encoding) -> Result<char, String> {
    if let Some(hex) = s.strip_prefix("U+") {
        return parse_code_point(hex).ok_or_else(|| {
            format!("source {s:?}: U+ must be followed by 4 to 6 hex digits of a code point (e.g. U+E000)")
        });
    }
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if encoding.unit_width() != 1 || encoding == Encoding::Utf8 {
            return Err(format!(
                "source {s:?}: raw byte codes need a legacy encoding (cp932, euc-jp…), not {encoding}; write U+XXXX"
            ));
        }
        // Mainframe encodings: a single byte, or a double-byte code written without
        // the shift codes around it (`0x6941`), as the vendor's 外字 lists give it.
        let (max_digits, what) = match encoding.shifts() {
            Some(_) => (
                4,
                format!(
                    "for {encoding}, 0x must be followed by the double-byte code without shift \
                     codes (4 hex digits, e.g. 0x6941) or a single byte (2 hex digits)"
                ),
            ),
            None => (
                6,
                "0x must be followed by 2, 4 or 6 hex digits (e.g. 0xF040)".to_string(),
            ),
        };
        let bytes = (hex.is_ascii() && hex.len() % 2 == 0 && (2..=max_digits).contains(&hex.len()))
            .then(|| {
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                    .collect::<Option<Vec<u8>>>()
            })
            .flatten()
            .ok_or_else(|| format!("source {s:?}: {what}"))?;
        let mut text = String::new();
        decode::decode_code(encoding, &bytes, &mut text)
            .map_err(|_| format!("source {s:?} is not a character in {encoding}"))?;
        let mut chars = text.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(format!("source {s:?} is not one character in {encoding}")),
        };
    }
    Err(format!(
        "source {s:?}: write U+XXXX (code point) or 0xHHHH (raw bytes)"
    ))
}

fn parse_code_point(hex: &str) -> Option<char> {
    if !(4..=6).contains(&hex.len()) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

/// `MJ012345`, `J+6F22`, `KOSEKI:123450`, `GJ000123` or `U+XXXX[ U+XXXX…]`, in either case and
/// in full-width or ASCII characters: [`crate::mj::parse_notation`], the parser
/// `ikou mj` uses too.
pub fn parse_target(s: &str) -> Result<TargetSpec, String> {
    match parse_notation(s) {
        Ok(Notation::Glyph(t)) => Ok(TargetSpec::Glyph(t)),
        Ok(Notation::CodePoints(c)) => Ok(TargetSpec::Chars(c)),
        Ok(Notation::Ext(n)) => Ok(TargetSpec::Ext(n)),
        Err(e) => Err(format!("target {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> (Vec<Entry>, Vec<Finding>) {
        parse(text, "t.tsv", Encoding::Cp932)
    }

    #[test]
    fn mainframe_sources_are_double_byte_codes_without_shifts() {
        for enc in [
            Encoding::Ibm930,
            Encoding::Ibm939,
            Encoding::Ibm1390,
            Encoding::Ibm1399,
        ] {
            assert_eq!(parse_source("0x6941", enc), Ok('\u{E000}'), "{enc}");
            assert_eq!(parse_source("0x7FFE", enc), Ok('\u{F111}'), "{enc}");
            // The ideographic space, and a single byte (EBCDIC A).
            assert_eq!(parse_source("0x4040", enc), Ok('\u{3000}'), "{enc}");
            assert_eq!(parse_source("0xC1", enc), Ok('A'), "{enc}");
            // With its shift codes it is not the form a table takes.
            let e = parse_source("0x0E69410F", enc).unwrap_err();
            assert!(e.contains("without shift codes"), "{e}");
            let e = parse_source("0x0E6941", enc).unwrap_err();
            assert!(e.contains("without shift codes"), "{e}");
            // Not a character.
            let e = parse_source("0x4041", enc).unwrap_err();
            assert!(e.contains("is not a character in"), "{e}");
        }
        assert_eq!(parse_source("0x8041", Encoding::Ibm1390), Ok('\u{F112}'));
        assert!(parse_source("0x8041", Encoding::Ibm930).is_err());
        // Every 外字 code source_bytes gives for a PUA character reads back as it.
        for cp in 0xE000..=0xF111u32 {
            let c = char::from_u32(cp).unwrap();
            let hex = crate::profile::source_bytes(Encoding::Ibm939, c).unwrap();
            assert_eq!(parse_source(&hex, Encoding::Ibm939), Ok(c), "{hex}");
        }
        // Encodings without shifts read the bytes as they are.
        assert_eq!(parse_source("0xF040", Encoding::Cp932), Ok('\u{E000}'));
    }

    #[test]
    fn all_notations_of_the_contract() {
        let (e, f) = p(
            "# comment\nsource\ttarget\tnote\nU+E000\tJ+6F22\t住基\n0xF041\tMJ012345\n\
                        U+E002\tKOSEKI:123450\nU+E003\tU+2460\nU+E004\tU+845B U+E0100\tIVS\n",
        );
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(e.len(), 5);
        assert_eq!(e[0].source, '\u{E000}');
        assert_eq!(e[0].line, 3);
        assert_eq!(e[0].note, "住基");
        assert_eq!(e[1].source, '\u{E001}', "0xF041 in CP932 is U+E001");
        assert_eq!(e[1].target, TargetSpec::Glyph(Target::Mj(12345)));
        assert_eq!(e[2].target.notation(), "KOSEKI:123450");
        assert_eq!(e[3].target, TargetSpec::Chars("\u{2460}".into()));
        assert_eq!(e[4].target.notation(), "U+845B U+E0100");
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let (e, f) = p(
            "U+E000\tMJ1\nU+E001 J+6F22\nX+1\tMJ000001\nU+E000\tMJ000001\nU+E001\tMJ000001\n\
                        U+E002\tU+E003\nU+6F22\tMJ000001\nU+E003\tMJ000001\nU+E003\tMJ000002\n",
        );
        let got: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.code)).collect();
        assert_eq!(
            got,
            vec![
                (1, "bad-target"),
                (2, "syntax"),
                (3, "bad-source"),
                (6, "pua-target"),
                (7, "not-user-defined"),
                (9, "duplicate-source"),
            ]
        );
        assert_eq!(e.len(), 4, "lines 4, 5, 7, 8 are usable");
        assert!(f[0].to_string().starts_with("t.tsv:1: error: "));
    }

    #[test]
    fn targets_typed_with_an_ime_or_in_lower_case_are_read() {
        let (e, f) = p(
            "U+E000\tＭＪ０２２３３５\nU+E001\tmj022335\nU+E002\tj+aeac\n\
             U+E003\tＪ＋ＡＥＡＣ\nU+E004\tkoseki:123450\nU+E005\tu+845b\n\
             U+E006\tＵ＋８４５Ｂ　Ｕ＋Ｅ０１００\n",
        );
        assert!(f.is_empty(), "{f:?}");
        let got: Vec<String> = e.iter().map(|e| e.target.notation()).collect();
        assert_eq!(
            got,
            [
                "MJ022335",
                "MJ022335",
                "J+AEAC",
                "J+AEAC",
                "KOSEKI:123450",
                "U+845B",
                "U+845B U+E0100"
            ]
        );
    }

    #[test]
    fn a_bad_target_is_reported_in_one_language() {
        let (_, f) = p("U+E000\tMJ1\n");
        assert_eq!(
            f[0].message,
            "target \"MJ1\": an MJ文字図形名 is MJ and 6 digits (e.g. MJ012345)"
        );
    }

    #[test]
    fn raw_sources_depend_on_the_encoding() {
        assert_eq!(parse_source("0xF5A1", Encoding::EucJpMs), Ok('\u{E000}'));
        assert_eq!(parse_source("0x8FF5A1", Encoding::EucJpMs), Ok('\u{E3AC}'));
        assert!(parse_source("0xF040", Encoding::Utf8).is_err());
        assert!(parse_source("0xF0", Encoding::Cp932).is_err());
        assert_eq!(parse_source("U+20B9F", Encoding::Cp932), Ok('\u{20B9F}'));
    }
}
