//! Which characters JIS X 0208 and JIS X 0213 hold, for "characters outside
//! JIS X 0208/0213" in `ikou profile`.
//!
//! The sets are the checked-in table `mappings/jis-sets.txt`, generated from
//! Python's `shift_jis` and `shift_jis_2004` codecs by `mappings/gen_jis_sets.py`
//! (which documents the two adjustments made) and checked against those codecs
//! for every code point by `tests/jis_sets_oracle.rs`.

use std::sync::OnceLock;

const TABLE: &str = include_str!("../../mappings/jis-sets.txt");

/// The smallest JIS character set that holds a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JisSet {
    /// JIS X 0208 (or JIS X 0201, or ASCII): plain Shift_JIS / EUC-JP carry it.
    X0208,
    /// JIS X 0213 only: Shift_JIS-2004 / EUC-JIS-2004 (or Unicode) carry it.
    X0213,
    /// Neither.
    Outside,
}

impl JisSet {
    /// `jisx0208`, `jisx0213`, `none` (profile JSON).
    pub fn id(self) -> &'static str {
        match self {
            JisSet::X0208 => "jisx0208",
            JisSet::X0213 => "jisx0213",
            JisSet::Outside => "none",
        }
    }
}

/// Two bit sets over code points below `limit`.
struct Sets {
    x0208: Vec<u64>,
    x0213: Vec<u64>,
    limit: u32,
}

fn sets() -> &'static Sets {
    static SETS: OnceLock<Sets> = OnceLock::new();
    // The table is embedded and checked by the tests: a parse failure is a build bug.
    SETS.get_or_init(|| parse(TABLE).unwrap_or_else(|e| panic!("mappings/jis-sets.txt: {e}")))
}

/// Up to six hex digits (a code point).
fn hex(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 6 {
        return None;
    }
    s.iter()
        .try_fold(0, |n, &d| Some(n << 4 | char::from(d).to_digit(16)?))
}

// On bytes, without `str` searches: this runs at every start (7,000 lines).
fn parse(text: &str) -> Result<Sets, String> {
    let mut ranges = Vec::with_capacity(8192);
    for (i, line) in text.as_bytes().split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(b"#") || line.is_empty() {
            continue;
        }
        let bad = || format!("line {}: {:?}", i + 1, String::from_utf8_lossy(line));
        let mut f = line.split(|&b| b == b'\t');
        let (Some(a), Some(b), Some(set), None) = (f.next(), f.next(), f.next(), f.next()) else {
            return Err(bad());
        };
        let a = hex(a).ok_or_else(bad)?;
        let b = hex(b).ok_or_else(bad)?;
        let set = match set {
            b"0208" => JisSet::X0208,
            b"0213" => JisSet::X0213,
            _ => return Err(bad()),
        };
        if a > b {
            return Err(bad());
        }
        ranges.push((a, b, set));
    }
    let limit = ranges.iter().map(|r| r.1 + 1).max().unwrap_or(0);
    let words = (limit as usize).div_ceil(64);
    let mut s = Sets {
        x0208: vec![0; words],
        x0213: vec![0; words],
        limit,
    };
    for (a, b, set) in ranges {
        let bits = if set == JisSet::X0208 {
            &mut s.x0208
        } else {
            &mut s.x0213
        };
        for cp in a..=b {
            bits[cp as usize / 64] |= 1 << (cp % 64);
        }
    }
    Ok(s)
}

/// Every character [`class`] puts in JIS X 0208 or JIS X 0213 (ASCII may come twice):
/// the set bits, instead of asking `class` of each of 200,000 code points.
pub(crate) fn members() -> impl Iterator<Item = char> {
    let s = sets();
    let words = s.x0208.iter().zip(&s.x0213).map(|(a, b)| a | b);
    let table = words.enumerate().flat_map(|(w, mut bits)| {
        std::iter::from_fn(move || {
            let bit = bits.trailing_zeros();
            (bit < 64).then(|| {
                bits &= bits - 1;
                w as u32 * 64 + bit
            })
        })
    });
    (0..0x80).chain(table).filter_map(char::from_u32)
}

/// The smallest JIS set holding `c`.
#[inline]
pub fn class(c: char) -> JisSet {
    let cp = c as u32;
    if cp < 0x80 {
        return JisSet::X0208;
    }
    let s = sets();
    if cp >= s.limit {
        return JisSet::Outside;
    }
    let (w, bit) = (cp as usize / 64, 1u64 << (cp % 64));
    if s.x0208[w] & bit != 0 {
        JisSet::X0208
    } else if s.x0213[w] & bit != 0 {
        JisSet::X0213
    } else {
        JisSet::Outside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_characters() {
        assert_eq!(class('a'), JisSet::X0208);
        assert_eq!(class('葛'), JisSet::X0208);
        assert_eq!(class('ｱ'), JisSet::X0208, "JIS X 0201 katakana");
        assert_eq!(
            class('\u{2460}'),
            JisSet::X0213,
            "① is a JIS X 0213 (not 0208) cell"
        );
        assert_eq!(
            class('\u{20B9F}'),
            JisSet::X0213,
            "𠮟 (plane 2 of JIS X 0213)"
        );
        assert_eq!(class('\u{20BB7}'), JisSet::Outside, "𠮷 is in neither");
        assert_eq!(
            class('\u{9AD9}'),
            JisSet::Outside,
            "髙 (IBM extension) is in neither"
        );
        assert_eq!(class('\u{E000}'), JisSet::Outside);
        assert_eq!(
            class('\u{2014}'),
            JisSet::X0208,
            "the --variants jis form of 1-01-29"
        );
        assert_eq!(class('\u{301C}'), JisSet::X0208);
        assert_eq!(class('\u{FF5E}'), JisSet::Outside, "the CP932 form of 〜");
    }

    #[test]
    fn the_table_parses_and_its_ranges_do_not_overlap() {
        let s = sets();
        assert!(s.x0208.iter().zip(&s.x0213).all(|(a, b)| a & b == 0));
        let n = |v: &[u64]| v.iter().map(|w| w.count_ones()).sum::<u32>();
        // The counts the generator wrote in the table's header.
        assert_eq!(n(&s.x0208), 7073);
        assert_eq!(n(&s.x0213), 4328);
        assert!(parse("0000\t0010\t0207\n").is_err());
        assert!(parse("0010\t0000\t0208\n").is_err());
        assert!(parse("0000\t0010\n").is_err());
    }
}
