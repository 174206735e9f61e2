//! The notations by which vendor 外字 tables and `ikou mj` name an MJ glyph.
//!
//! A vendor knows its 外字 as an MJ文字図形名, a 住基ネット統一文字コード or a
//! 戸籍統一文字番号 (CONTRACT.md, "Vendor 外字 table"). People type these with a
//! Japanese IME on, in either case, so [`parse_notation`] reads `ＭＪ０２２３３５`,
//! `mj022335`, `j+aeac`, `Ｊ＋ＡＥＡＣ`, `koseki:123450` and `u+845b` as their ASCII
//! upper-case forms. It is the one parser of targets: tables and `ikou mj` both use
//! it, so what one accepts the other accepts. Anything else gets an error saying
//! exactly what was expected, because a typo in a table of thousands of lines must be
//! found before a conversion run, not after.

use std::fmt;

/// An MJ glyph named by one of its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `MJ012345`: MJ文字図形名 (12345).
    Mj(u32),
    /// `J+6F22`: 住基ネット統一文字コード (0x6F22).
    Juki(u32),
    /// `KOSEKI:123450`: 戸籍統一文字番号 (123450).
    Koseki(u32),
}

/// What a target notation names: a glyph by one of its codes, or explicit code points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notation {
    Glyph(Target),
    /// `U+XXXX[ U+XXXX…]`: the characters themselves (non-kanji 外字, an IVS).
    CodePoints(String),
    // --- MJ+ extension (GJ ids) ---
    /// `GJ000123`: a character デジタル庁 added to 行政事務標準文字 (MJ+), known only
    /// through a `--charset-ext` table ([`crate::charset::ext`]).
    Ext(u32),
}

/// Why a notation is not a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    /// The notation as written (before folding).
    pub input: String,
    pub kind: TargetErrorKind,
}

/// The ways a target notation can be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetErrorKind {
    /// `MJ` not followed by exactly 6 digits.
    Mj,
    /// `J+` not followed by exactly 4 hex digits.
    Juki,
    /// `KOSEKI:` not followed by exactly 6 digits.
    Koseki,
    /// `GJ` not followed by exactly 6 digits.
    Gj,
    /// A `U+` part (as written after folding) that is not 4 to 6 hex digits of a code point.
    CodePoint(String),
    /// Leading or trailing white space (a table cell the caller did not trim).
    Space,
    // --- h-fidelity (issue 12, item 5) ---
    /// A `U+` part naming U+0000, a control character or a noncharacter: nothing a
    /// 外字 can stand for (as written after folding).
    NotACharacter(String),
    /// More than [`MAX_CODE_POINTS`] code points: no character a 外字 stands for is
    /// that long (the longest is a base, a combining mark and a variation selector).
    TooManyCodePoints(usize),
    // --- end h-fidelity ---
    /// None of the notations.
    Unknown,
}

impl TargetError {
    /// The reason, in English (`mappings check`, `convert` messages).
    pub fn english(&self) -> String {
        match &self.kind {
            TargetErrorKind::Mj => "an MJ文字図形名 is MJ and 6 digits (e.g. MJ012345)".into(),
            TargetErrorKind::Juki => {
                "a 住基ネット統一文字コード is J+ and 4 hex digits (e.g. J+6F22)".into()
            }
            TargetErrorKind::Koseki => {
                "a 戸籍統一文字番号 is KOSEKI: and 6 digits (e.g. KOSEKI:123450)".into()
            }
            TargetErrorKind::Gj => "an MJ+ extension id is GJ and 6 digits (e.g. GJ000123)".into(),
            TargetErrorKind::CodePoint(p) => format!(
                "{p} is not a code point: write U+ and 4 to 6 hex digits (e.g. U+6F22, U+6F22 U+E0101)"
            ),
            TargetErrorKind::Space => "remove the white space around it".into(),
            TargetErrorKind::NotACharacter(p) => format!(
                "{p} is a control character or a noncharacter, which no 外字 stands for: write the character it should be"
            ),
            TargetErrorKind::TooManyCodePoints(n) => format!(
                "{n} code points are more than one character: a target is at most {MAX_CODE_POINTS} (e.g. U+845B U+E0100)"
            ),
            TargetErrorKind::Unknown => {
                "write an MJ文字図形名 (MJ012345), a 住基ネット統一文字コード \
                 (J+6F22), a 戸籍統一文字番号 (KOSEKI:123450) or code points (U+6F22)"
                    .into()
            }
        }
    }

    /// The reason, in Japanese (`ikou mj` messages).
    pub fn japanese(&self) -> String {
        match &self.kind {
            TargetErrorKind::Mj => "MJ文字図形名は MJ の後に6桁の数字です（例: MJ012345）".into(),
            TargetErrorKind::Juki => {
                "住基ネット統一文字コードは J+ の後に4桁の16進数です（例: J+6F22）".into()
            }
            TargetErrorKind::Koseki => {
                "戸籍統一文字番号は KOSEKI: の後に6桁の数字です（例: KOSEKI:123450）".into()
            }
            TargetErrorKind::Gj => "MJ+ 拡張の ID は GJ の後に6桁の数字です（例: GJ000123）".into(),
            TargetErrorKind::CodePoint(p) => {
                format!(
                    "{p} はコードポイントではありません。U+ の後に4〜6桁の16進数です（例: U+6F22）"
                )
            }
            TargetErrorKind::Space => "前後の空白を取り除きます".into(),
            TargetErrorKind::NotACharacter(p) => {
                format!("{p} は制御文字または非文字で、外字が表す文字ではありません")
            }
            TargetErrorKind::TooManyCodePoints(n) => format!(
                "{n}個のコードポイントは1文字を超えます。{MAX_CODE_POINTS}個までです（例: U+845B U+E0100）"
            ),
            TargetErrorKind::Unknown => {
                "MJ文字図形名（MJ012345）、住基ネット統一文字コード（J+6F22）、\
                 戸籍統一文字番号（KOSEKI:123450）、コードポイント（U+6F22）のどれかで書きます"
                    .into()
            }
        }
    }
}

/// `"MJ1": an MJ文字図形名 is …` (English; see [`TargetError::japanese`]).
impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.input, self.english())
    }
}

impl std::error::Error for TargetError {}

/// `s` with the ASCII-compatible full-width forms folded to ASCII (`Ｊ＋ＡＥＡＣ` →
/// `J+AEAC`, U+3000 → space) and ASCII letters upper-cased. For these characters this
/// is what NFKC does; NFKC itself is not applied because it also folds compatibility
/// ideographs (﨑 U+FA11 → 崎 U+5D0E), which are distinct glyphs to look up. Only ever
/// applied to a target or query token, never to a record value.
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// True when `s` (folded or not) starts like one of the notations, so that an error
/// about it is a notation error and not "this is no notation at all".
pub fn looks_like_notation(s: &str) -> bool {
    let f = fold(s);
    ["MJ", "J+", "KOSEKI:", "U+", "GJ"]
        .iter()
        .any(|p| f.starts_with(p))
}

/// Parses a target: `MJ012345`, `J+6F22`, `KOSEKI:123450`, `GJ000123` (an MJ+
/// extension id) or `U+XXXX[ U+XXXX…]`, in
/// either case and in full-width or ASCII characters (see [`fold`]). Surrounding white
/// space is refused: the caller trims cells.
pub fn parse_notation(s: &str) -> Result<Notation, TargetError> {
    let err = |kind| TargetError {
        input: s.to_string(),
        kind,
    };
    let f = fold(s);
    if f.trim() != f {
        return Err(err(TargetErrorKind::Space));
    }
    let decimal = |d: &str| {
        (d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| d.parse().ok())
            .flatten()
    };
    if let Some(d) = f.strip_prefix("MJ") {
        return decimal(d)
            .map(|n| Notation::Glyph(Target::Mj(n)))
            .ok_or(err(TargetErrorKind::Mj));
    }
    if let Some(d) = f.strip_prefix("GJ") {
        return decimal(d)
            .map(Notation::Ext)
            .ok_or(err(TargetErrorKind::Gj));
    }
    if let Some(h) = f.strip_prefix("J+") {
        return (h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(h, 16).ok())
            .flatten()
            .map(|n| Notation::Glyph(Target::Juki(n)))
            .ok_or(err(TargetErrorKind::Juki));
    }
    if let Some(d) = f.strip_prefix("KOSEKI:") {
        return decimal(d)
            .map(|n| Notation::Glyph(Target::Koseki(n)))
            .ok_or(err(TargetErrorKind::Koseki));
    }
    if f.starts_with("U+") {
        let mut out = String::new();
        for part in f.split_whitespace() {
            let c = part
                .strip_prefix("U+")
                .filter(|h| (4..=6).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| err(TargetErrorKind::CodePoint(part.to_string())))?;
            // --- h-fidelity (issue 12, item 5) ---
            if c.is_control() || is_noncharacter(c) {
                return Err(err(TargetErrorKind::NotACharacter(part.to_string())));
            }
            // --- end h-fidelity ---
            out.push(c);
        }
        // --- h-fidelity (issue 12, item 5) ---
        let n = out.chars().count();
        if n > MAX_CODE_POINTS {
            return Err(err(TargetErrorKind::TooManyCodePoints(n)));
        }
        // --- end h-fidelity ---
        return Ok(Notation::CodePoints(out));
    }
    Err(err(TargetErrorKind::Unknown))
}

// --- h-fidelity (issue 12, item 5) ---
/// The most code points a `U+` target may have.
pub const MAX_CODE_POINTS: usize = 4;

/// U+FDD0–U+FDEF and the last two code points of every plane: never characters.
fn is_noncharacter(c: char) -> bool {
    let cp = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&cp) || cp & 0xFFFE == 0xFFFE
}
// --- end h-fidelity ---

impl Target {
    /// Parses `MJ012345`, `J+6F22` or `KOSEKI:123450` as [`parse_notation`] does
    /// (either case, full-width or ASCII); code points are not a [`Target`].
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        match parse_notation(s)? {
            Notation::Glyph(t) => Ok(t),
            Notation::CodePoints(_) | Notation::Ext(_) => Err(TargetError {
                input: s.to_string(),
                kind: TargetErrorKind::Unknown,
            }),
        }
    }
}

/// The notation [`Target::parse`] reads.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Mj(n) => write!(f, "MJ{n:06}"),
            Target::Juki(n) => write!(f, "J+{n:04X}"),
            Target::Koseki(n) => write!(f, "KOSEKI:{n:06}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_notations() {
        assert_eq!(Target::parse("MJ012345"), Ok(Target::Mj(12345)));
        assert_eq!(Target::parse("J+6F22"), Ok(Target::Juki(0x6F22)));
        assert_eq!(Target::parse("J+af73"), Ok(Target::Juki(0xAF73)));
        assert_eq!(Target::parse("KOSEKI:000470"), Ok(Target::Koseki(470)));
        for t in [Target::Mj(1), Target::Juki(0xAD1D), Target::Koseki(123450)] {
            assert_eq!(Target::parse(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn reads_what_people_type_with_an_ime() {
        let glyph = |s| parse_notation(s).map_err(|e| e.to_string());
        for (s, t) in [
            ("ＭＪ０２２３３５", Target::Mj(22335)),
            ("mj022335", Target::Mj(22335)),
            ("Mj022335", Target::Mj(22335)),
            ("j+aeac", Target::Juki(0xAEAC)),
            ("Ｊ＋ＡＥＡＣ", Target::Juki(0xAEAC)),
            ("ｊ＋ａｅａｃ", Target::Juki(0xAEAC)),
            ("koseki:123450", Target::Koseki(123450)),
            ("ＫＯＳＥＫＩ：１２３４５０", Target::Koseki(123450)),
            ("KOSEKI:１２３４５６", Target::Koseki(123456)),
        ] {
            assert_eq!(glyph(s), Ok(Notation::Glyph(t)), "{s}");
        }
        for s in ["GJ000123", "gj000123", "ＧＪ０００１２３"] {
            assert_eq!(glyph(s), Ok(Notation::Ext(123)), "{s}");
        }
        for s in [
            "u+845b u+e0100",
            "Ｕ＋８４５Ｂ　Ｕ＋Ｅ０１００",
            "U+845B U+E0100",
        ] {
            assert_eq!(
                glyph(s),
                Ok(Notation::CodePoints("葛\u{E0100}".into())),
                "{s}"
            );
        }
    }

    #[test]
    fn folds_only_the_ascii_compatible_forms() {
        assert_eq!(fold("ＭＪ０１２３４５"), "MJ012345");
        assert_eq!(
            fold("﨑"),
            "﨑",
            "a compatibility ideograph is a glyph of its own"
        );
        assert_eq!(
            fold("ｶﾞ"),
            "ｶﾞ",
            "half-width kana are not notation characters"
        );
    }

    #[test]
    fn reports_exact_syntax_errors() {
        let kind = |s| parse_notation(s).unwrap_err().kind;
        use TargetErrorKind as K;
        assert_eq!(kind("MJ12345"), K::Mj);
        assert_eq!(kind("ｍｊ１２３４５"), K::Mj);
        assert_eq!(kind("MJ0123456"), K::Mj);
        assert_eq!(kind("MJ01234a"), K::Mj);
        assert_eq!(kind("MJ+12345"), K::Mj);
        assert_eq!(kind("J+6F2"), K::Juki);
        assert_eq!(kind("J+6F2G"), K::Juki);
        assert_eq!(kind("J+"), K::Juki);
        assert_eq!(kind("KOSEKI:12345"), K::Koseki);
        assert_eq!(kind("GJ12345"), K::Gj);
        assert_eq!(kind("GJ00012a"), K::Gj);
        assert_eq!(kind("U+12"), K::CodePoint("U+12".into()));
        assert_eq!(kind("U+845B E0100"), K::CodePoint("E0100".into()));
        assert_eq!(kind("U+110000"), K::CodePoint("U+110000".into()));
        // h-fidelity (issue 12, item 5): no control, noncharacter, nor more than 4.
        assert_eq!(kind("U+0000"), K::NotACharacter("U+0000".into()));
        assert_eq!(kind("U+845B U+009F"), K::NotACharacter("U+009F".into()));
        assert_eq!(kind("U+000A"), K::NotACharacter("U+000A".into()));
        assert_eq!(kind("U+FDD0"), K::NotACharacter("U+FDD0".into()));
        assert_eq!(kind("U+FFFF"), K::NotACharacter("U+FFFF".into()));
        assert_eq!(kind("U+10FFFE"), K::NotACharacter("U+10FFFE".into()));
        assert_eq!(
            kind("U+304B U+309A U+304B U+309A U+304B"),
            K::TooManyCodePoints(5)
        );
        assert!(parse_notation("U+304B U+309A U+304B U+309A").is_ok());
        assert!(parse_notation("U+FFFD").is_ok());
        assert_eq!(kind(" MJ012345"), K::Space);
        assert_eq!(kind("MJ012345　"), K::Space);
        assert_eq!(kind("X+6F22"), K::Unknown);
        assert_eq!(
            Target::parse("U+6F22").unwrap_err().kind,
            K::Unknown,
            "code points are no Target"
        );
        let e = parse_notation("MJ1").unwrap_err();
        assert!(
            e.to_string().starts_with("\"MJ1\": an MJ文字図形名 is MJ"),
            "{e}"
        );
        assert!(
            e.japanese().starts_with("MJ文字図形名は"),
            "{}",
            e.japanese()
        );
    }
}
