//! Padding removal. Works on bytes from the ends, so an unpadded value costs one
//! byte comparison per end.

use super::{Applied, Rule};

/// U+3000 in UTF-8.
const IDEOGRAPHIC_SPACE: &[u8] = "\u{3000}".as_bytes();

/// Removes trailing U+0020, U+3000 and NUL in any mix: fixed-length exports pad
/// with whichever the source system used (SBCS space, DBCS space 0x8140, NUL).
#[cfg(test)]
pub(super) fn trailing<'a>(s: &'a str, applied: &mut Applied) -> &'a str {
    trailing_padded(s, super::Padding::default(), applied)
}

/// As [`trailing`], `pad` known of the end of `s` (its last `pad.len` bytes are
/// U+0020 and NUL): those are removed without a look, and counted the same.
#[inline]
pub(super) fn trailing_padded<'a>(
    s: &'a str,
    pad: super::Padding,
    applied: &mut Applied,
) -> &'a str {
    let b = s.as_bytes();
    let known = pad.len.min(b.len());
    debug_assert!(b[b.len() - known..].iter().all(|&c| c == b' ' || c == 0));
    if pad.spaces {
        applied.set(Rule::TrimTrailingSpace);
    }
    if pad.nuls {
        applied.set(Rule::TrimNul);
    }
    let mut end = b.len() - known;
    while end > 0 {
        match b[end - 1] {
            b' ' => {
                applied.set(Rule::TrimTrailingSpace);
                end -= 1;
            }
            0 => {
                applied.set(Rule::TrimNul);
                end -= 1;
            }
            0x80 if b[..end].ends_with(IDEOGRAPHIC_SPACE) => {
                applied.set(Rule::TrimTrailingFullwidthSpace);
                end -= IDEOGRAPHIC_SPACE.len();
            }
            _ => break,
        }
    }
    // Only whole characters were removed, so `end` is a char boundary.
    s.get(..end).unwrap_or(s)
}

/// True when `b` starts with a U+FEFF that [`bom`] removes.
#[inline]
pub(super) fn starts_with_bom(b: &[u8]) -> bool {
    b.starts_with(BOM)
}

/// U+FEFF in UTF-8.
const BOM: &[u8] = "\u{FEFF}".as_bytes();

/// The bytes of the U+FEFF characters that start `s` (all of them: a file can
/// carry several BOMs); one byte comparison when there is none.
#[inline]
pub(super) fn bom(s: &str, applied: &mut Applied) -> usize {
    let mut start = 0;
    while s.as_bytes()[start..].starts_with(BOM) {
        start += BOM.len();
    }
    if start > 0 {
        applied.set(Rule::Bom);
    }
    start
}

/// Removes leading U+0020 and U+3000 (right-aligned numeric, code and date items);
/// returns the rest and where it starts in `s`. NUL is not padding at the front.
#[inline]
pub(super) fn leading<'a>(s: &'a str, applied: &mut Applied) -> (&'a str, usize) {
    let b = s.as_bytes();
    let mut start = 0;
    loop {
        if b.get(start) == Some(&b' ') {
            start += 1;
        } else if b[start..].starts_with(IDEOGRAPHIC_SPACE) {
            start += IDEOGRAPHIC_SPACE.len();
        } else {
            break;
        }
    }
    if start > 0 {
        applied.set(Rule::TrimLeadingSpace);
    }
    (s.get(start..).unwrap_or(s), start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_mixed_padding() {
        let mut a = Applied::default();
        assert_eq!(trailing("ｱ 　\0 \0", &mut a), "ｱ");
        assert!(a.has(Rule::TrimTrailingSpace));
        assert!(a.has(Rule::TrimTrailingFullwidthSpace));
        assert!(a.has(Rule::TrimNul));
    }

    #[test]
    fn trailing_nul_only() {
        let mut a = Applied::default();
        assert_eq!(trailing("123\0\0\0", &mut a), "123");
        assert_eq!(a, {
            let mut b = Applied::default();
            b.set(Rule::TrimNul);
            b
        });
    }

    #[test]
    fn trailing_keeps_inner_spaces_and_other_chars_ending_in_0x80() {
        let mut a = Applied::default();
        // U+3040 is E3 81 80, U+2000 is E2 80 80: not U+3000
        assert_eq!(trailing("山 田\u{2000}", &mut a), "山 田\u{2000}");
        assert_eq!(trailing("\u{3040}", &mut a), "\u{3040}");
        assert_eq!(a, Applied::default());
        assert_eq!(trailing("", &mut a), "");
        assert_eq!(trailing("\u{3000}", &mut a), "");
    }

    #[test]
    fn leading_spaces_of_both_widths() {
        let mut a = Applied::default();
        assert_eq!(leading("123", &mut a), ("123", 0));
        assert_eq!(a, Applied::default());
        assert_eq!(leading(" 　 12 3", &mut a), ("12 3", 5));
        assert!(a.has(Rule::TrimLeadingSpace));
        assert_eq!(leading("\0 1", &mut Applied::default()), ("\0 1", 0));
        assert_eq!(leading("  ", &mut Applied::default()), ("", 2));
    }
}
