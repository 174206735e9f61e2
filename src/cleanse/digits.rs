//! `digits`, `number` and `code` items: 全角→半角 for digits and the few symbols a
//! number may have; nothing else is guessed.
//!
//! Not done, on purpose (each would change a value's meaning on a guess):
//! leading zeros are kept (宛名番号 are zero-padded), thousands separators (1,234),
//! trailing signs (COBOL `123-`), ▲/△ negatives and `.5`/`5.` are refused.
//! Leading and trailing spaces have already been removed by the caller.

use super::{Applied, Fail, Rule};

/// The ASCII digit for a 全角数字 (U+FF10–U+FF19).
#[inline]
pub(super) fn fullwidth_digit(c: char) -> Option<u8> {
    match c {
        '０'..='９' => Some(b'0' + (c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

const NOT_DIGIT: &str = "数字でない文字があります";

/// True when each of the 8 bytes of `w` is an ASCII digit, with no branch.
#[inline(always)]
pub(super) fn digit_word(w: u64) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    const SIXES: u64 = 0x0606_0606_0606_0606;
    // A byte is a digit when it is 0x30–0x39: high nibble 3, and still 3 after adding
    // 6 (0x3A–0x3F carry into 0x40–0x45). No byte carries into the next: 0xFF + 6
    // would, but its high nibble already fails the first test. The two tests are
    // combined by `&`.
    (w & HIGH == THREES) & (w.wrapping_add(SIXES) & HIGH == THREES)
}

/// True when every byte is an ASCII digit; eight at a time (numbers and codes are
/// checked on every record).
#[inline]
pub(super) fn all_ascii_digits(b: &[u8]) -> bool {
    // No branch inside: the words of an item are combined by `&`, so how far
    // the digits go decides no jump.
    let word = |w: &[u8]| digit_word(u64::from_le_bytes(w.try_into().unwrap_or_default()));
    if b.len() < 8 {
        return b.iter().all(u8::is_ascii_digit);
    }
    if b.len() <= 16 {
        // Two words, overlapping: the first eight bytes and the last eight.
        return word(&b[..8]) & word(&b[b.len() - 8..]);
    }
    // The last eight bytes as one more word (overlapping the others), not
    // one by one: 宛名番号 and 個人番号 are 12 to 15 digits.
    b.chunks_exact(8).all(word) && word(&b[b.len() - 8..])
}

/// Only digits: 全角数字 become ASCII. (Like every rule here: writes to `out` only
/// when it applied a rule; otherwise the value is `s` as it is.)
pub(super) fn digits(s: &str, out: &mut String, applied: &mut Applied) -> Result<(), Fail> {
    if all_ascii_digits(s.as_bytes()) {
        return Ok(());
    }
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if let Some(d) = fullwidth_digit(c) {
            applied.set(Rule::FullwidthDigit);
            out.push(d as char);
        } else {
            return Err(Fail::at("not-digits", i, NOT_DIGIT));
        }
    }
    Ok(())
}

/// `[sign] digits [. digits]`, with 全角 digits, ＋/－/− and ．accepted and made ASCII.
/// A `+` is kept (it was written; dropping it is not cleansing's business).
pub(super) fn number(s: &str, out: &mut String, applied: &mut Applied) -> Result<(), Fail> {
    #[derive(PartialEq)]
    enum At {
        Start,
        Sign,
        Int,
        Point,
        Frac,
    }
    let mut state = At::Start;
    let mut last = 0;
    for (i, c) in s.char_indices() {
        last = i;
        let (ascii, rule) = match c {
            '0'..='9' => (c, None),
            '+' | '-' | '.' => (c, None),
            '＋' => ('+', Some(Rule::FullwidthSign)),
            '－' | '−' => ('-', Some(Rule::FullwidthSign)),
            '．' => ('.', Some(Rule::FullwidthDecimalPoint)),
            _ => match fullwidth_digit(c) {
                Some(d) => (d as char, Some(Rule::FullwidthDigit)),
                None => return Err(Fail::at("not-number", i, "数値に使えない文字があります")),
            },
        };
        state = match (state, ascii) {
            (At::Start, '+' | '-') => At::Sign,
            (_, '+' | '-') => {
                return Err(Fail::at("not-number", i, "符号は先頭に1つだけ書けます"));
            }
            (At::Start | At::Sign, '.') => {
                return Err(Fail::at("not-number", i, "小数点の前に数字がありません"));
            }
            (At::Point | At::Frac, '.') => {
                return Err(Fail::at("not-number", i, "小数点は1つだけ書けます"));
            }
            (At::Int, '.') => At::Point,
            (At::Start | At::Sign | At::Int, _) => At::Int,
            (At::Point | At::Frac, _) => At::Frac,
        };
        if let Some(rule) = rule {
            applied.set(rule);
        }
        out.push(ascii);
    }
    match state {
        At::Sign => Err(Fail::at("not-number", last, "符号の後に数字がありません")),
        At::Point => Err(Fail::at("not-number", last, "小数点の後に数字がありません")),
        At::Start | At::Int | At::Frac => Ok(()),
    }
}

/// Digits made ASCII, other characters kept (codes may be letters: M/T/S/H/R), then
/// the value must be one of `codes` (sorted). Codes are compared exactly: "01" is
/// not "1", since code tables differ exactly in this (年号コード 1 vs 01).
pub(super) fn code(
    s: &str,
    codes: &[Box<str>],
    out: &mut String,
    applied: &mut Applied,
) -> Result<(), Fail> {
    let start = out.len();
    let value = if s.is_ascii() {
        s.as_bytes()
    } else {
        for c in s.chars() {
            match fullwidth_digit(c) {
                Some(d) => {
                    applied.set(Rule::FullwidthDigit);
                    out.push(d as char);
                }
                None => out.push(c),
            }
        }
        &out.as_bytes()[start..]
    };
    if is_known(codes, value) {
        Ok(())
    } else {
        Err(Fail::from("unknown-code", 0, "コード表にない値です"))
    }
}

/// True when `value` is one of `codes` (sorted).
#[inline]
pub(super) fn is_known(codes: &[Box<str>], value: &[u8]) -> bool {
    // Code lists are mostly short (性別, 続柄…): a plain comparison, inlined, beats a
    // binary search that calls memcmp; long lists (市区町村コード) are searched.
    if codes.len() <= 16 {
        codes.iter().any(|c| {
            let c = c.as_bytes();
            c.len() == value.len() && c.iter().zip(value).all(|(a, b)| a == b)
        })
    } else {
        codes.binary_search_by(|c| c.as_bytes().cmp(value)).is_ok()
    }
}

/// A layout code that cleansed data can equal: not empty, no 全角数字, no spaces or
/// NUL at either end.
pub(super) fn is_clean_code(c: &str) -> bool {
    let pad = |ch: char| matches!(ch, ' ' | '\u{3000}' | '\0');
    !c.is_empty()
        && !c.starts_with(pad)
        && !c.ends_with(pad)
        && !c.chars().any(|ch| fullwidth_digit(ch).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(
        f: fn(&str, &mut String, &mut Applied) -> Result<(), Fail>,
        s: &str,
    ) -> Result<(String, Applied), Fail> {
        let mut out = String::new();
        let mut a = Applied::default();
        f(s, &mut out, &mut a).map(|()| (super::super::result_of(s, out, a), a))
    }

    #[test]
    fn ascii_digits_unchanged() {
        let (o, a) = run(digits, "000123456789").unwrap();
        assert_eq!(o, "000123456789");
        assert_eq!(a, Applied::default());
    }

    #[test]
    fn fullwidth_digits_to_ascii() {
        let (o, a) = run(digits, "０１2３４５６７８９").unwrap();
        assert_eq!(o, "0123456789");
        assert!(a.has(Rule::FullwidthDigit));
    }

    #[test]
    fn digits_refuse_anything_else_at_its_byte() {
        for (s, at) in [
            ("12 3", 2),
            ("１２-", 6),
            ("a", 0),
            ("12.0", 2),
            ("1\0", 1),
            ("一", 0),
            ("①", 0),
            ("٣", 0),
        ] {
            let e = run(digits, s).unwrap_err();
            assert_eq!((e.reason, e.at), ("not-digits", at), "{s}");
        }
    }

    #[test]
    fn numbers_accepted_and_normalised() {
        for (s, want, rules) in [
            ("123", "123", &[][..]),
            ("-12.50", "-12.50", &[]),
            ("+0", "+0", &[]),
            (
                "－１２．５",
                "-12.5",
                &[
                    Rule::FullwidthSign,
                    Rule::FullwidthDigit,
                    Rule::FullwidthDecimalPoint,
                ][..],
            ),
            ("−3", "-3", &[Rule::FullwidthSign]),
            ("＋7", "+7", &[Rule::FullwidthSign]),
            ("007", "007", &[]),
        ] {
            let (o, a) = run(number, s).unwrap();
            assert_eq!(o, want, "{s}");
            for &r in rules {
                assert!(a.has(r), "{s} {r:?}");
            }
            if rules.is_empty() {
                assert_eq!(a, Applied::default());
            }
        }
    }

    #[test]
    fn numbers_refused_with_position() {
        for (s, at) in [
            ("1.2.3", 3),
            ("1-2", 1),
            ("--1", 1),
            ("-", 0),
            ("1.", 1),
            (".5", 0),
            ("-.5", 1),
            ("1,234", 1),
            ("▲100", 0),
            ("12-", 2),
            ("1 2", 1),
        ] {
            let e = run(number, s).unwrap_err();
            assert_eq!((e.reason, e.at), ("not-number", at), "{s}");
        }
    }

    #[test]
    fn codes_after_digit_normalisation() {
        let codes: Vec<Box<str>> = vec!["1".into(), "2".into(), "9".into(), "H".into()];
        let mut out = String::new();
        let mut a = Applied::default();
        code("２", &codes, &mut out, &mut a).unwrap();
        assert_eq!(out, "2");
        assert!(a.has(Rule::FullwidthDigit));
        out.clear();
        code("H", &codes, &mut out, &mut Applied::default()).unwrap();
        for bad in ["3", "01", "12", "h", "Ｈ"] {
            let e = code(bad, &codes, &mut String::new(), &mut Applied::default()).unwrap_err();
            assert_eq!((e.reason, e.at, e.from), ("unknown-code", 0, true), "{bad}");
        }
    }

    #[test]
    fn the_word_digit_check_agrees_with_a_byte_loop() {
        for b in 0..=255u8 {
            for len in 1..=17 {
                for at in 0..len {
                    let mut v = vec![b'7'; len];
                    v[at] = b;
                    assert_eq!(
                        all_ascii_digits(&v),
                        b.is_ascii_digit(),
                        "{b:02X} at {at} of {len}"
                    );
                }
            }
        }
        assert!(all_ascii_digits(b""));
        // Carries: 0x39 beside bytes that add up past a nibble.
        assert!(!all_ascii_digits(b"9999999\xFF"));
        assert!(!all_ascii_digits(b"\xFF9999999"));
    }

    #[test]
    fn clean_codes() {
        assert!(is_clean_code("01"));
        assert!(is_clean_code("H"));
        assert!(!is_clean_code(""));
        assert!(!is_clean_code("１"));
        assert!(!is_clean_code("1 "));
        assert!(!is_clean_code("\u{3000}1"));
    }

    proptest! {
        #[test]
        fn any_mix_of_digit_widths_becomes_ascii(s in "[0-9０-９]{1,20}") {
            let (o, a) = run(digits, &s).unwrap();
            let want: String = s.chars().map(|c| fullwidth_digit(c).map_or(c, char::from)).collect();
            prop_assert_eq!(&o, &want);
            prop_assert_eq!(a.has(Rule::FullwidthDigit), s != want);
        }

        #[test]
        fn ascii_numbers_round_trip_through_f64(n in -1.0e9f64..1.0e9) {
            let s = format!("{n:.3}");
            let (o, _) = run(number, &s).unwrap();
            prop_assert_eq!(o.parse::<f64>().unwrap(), s.parse::<f64>().unwrap());
        }
    }
}
