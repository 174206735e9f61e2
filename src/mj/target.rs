//! The notations by which vendor 外字 tables name an MJ glyph.
//!
//! A vendor knows its 外字 as an MJ文字図形名, a 住基ネット統一文字コード or a
//! 戸籍統一文字番号 (CONTRACT.md, "Vendor 外字 table"). The syntax is strict, and an
//! error says exactly what was expected, because a typo in a table of thousands of
//! lines must be found before a conversion run, not after.

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

/// Why a notation is not a [`Target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError {
    pub input: String,
    pub reason: &'static str,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.input, self.reason)
    }
}

impl std::error::Error for TargetError {}

const MJ_SYNTAX: &str = "MJ文字図形名は MJ の後に6桁の数字です（例: MJ012345）";
const JUKI_SYNTAX: &str = "住基ネット統一文字コードは J+ の後に4桁の16進数です（例: J+6F22）";
const KOSEKI_SYNTAX: &str = "戸籍統一文字番号は KOSEKI: の後に6桁の数字です（例: KOSEKI:123450）";

impl Target {
    /// Parses `MJ012345`, `J+6F22` (hex digits in either case) or `KOSEKI:123450`.
    /// Surrounding white space is not accepted: the caller trims cells.
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let err = |reason| TargetError {
            input: s.to_string(),
            reason,
        };
        let decimal = |d: &str| {
            (d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()))
                .then(|| d.parse().ok())
                .flatten()
        };
        if let Some(d) = s.strip_prefix("MJ") {
            return decimal(d).map(Target::Mj).ok_or(err(MJ_SYNTAX));
        }
        if let Some(h) = s.strip_prefix("J+") {
            return (h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(h, 16).ok())
                .flatten()
                .map(Target::Juki)
                .ok_or(err(JUKI_SYNTAX));
        }
        if let Some(d) = s.strip_prefix("KOSEKI:") {
            return decimal(d).map(Target::Koseki).ok_or(err(KOSEKI_SYNTAX));
        }
        let upper = s.to_ascii_uppercase();
        if ["MJ", "J+", "KOSEKI:"].iter().any(|p| upper.starts_with(p)) {
            return Err(err(
                "MJ、J+、KOSEKI: は大文字で書きます（例: MJ012345, J+6F22, KOSEKI:123450）",
            ));
        }
        if s.trim() != s {
            return Err(err("前後に空白があります"));
        }
        Err(err(
            "MJ文字図形名（MJ012345）、住基ネット統一文字コード（J+6F22）、\
             戸籍統一文字番号（KOSEKI:123450）のどれかで書きます",
        ))
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
    fn reports_exact_syntax_errors() {
        let reason = |s| Target::parse(s).unwrap_err().reason;
        assert_eq!(reason("MJ12345"), MJ_SYNTAX);
        assert_eq!(reason("MJ0123456"), MJ_SYNTAX);
        assert_eq!(reason("MJ01234a"), MJ_SYNTAX);
        assert_eq!(reason("MJ+12345"), MJ_SYNTAX);
        assert_eq!(reason("J+6F2"), JUKI_SYNTAX);
        assert_eq!(reason("J+6F2G"), JUKI_SYNTAX);
        assert_eq!(reason("J+"), JUKI_SYNTAX);
        assert_eq!(reason("KOSEKI:12345"), KOSEKI_SYNTAX);
        assert_eq!(reason("KOSEKI:１２３４５６"), KOSEKI_SYNTAX);
        assert!(reason("mj012345").contains("大文字"));
        assert!(reason("koseki:123450").contains("大文字"));
        assert!(reason(" MJ012345").contains("空白"));
        assert!(reason("U+6F22").contains("どれか"));
        assert!(
            Target::parse("MJ1")
                .unwrap_err()
                .to_string()
                .starts_with("\"MJ1\": ")
        );
    }
}
