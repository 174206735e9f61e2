//! Code conversion tables: TSV `old<TAB>new<TAB>note`, one per target item.
//!
//! ```text
//! # comment lines start with '#'
//! old<TAB>new<TAB>note
//! 01<TAB>1<TAB>男
//! 02<TAB>2<TAB>女
//! ```
//! The header line `old<TAB>new` is optional; columns after the second are notes.
//! Parsing is strict, every error naming its line: a code table decides what is
//! written, so a line ikou cannot read exactly is never guessed at.

use sha2::{Digest, Sha256};
use std::path::Path;

/// A code table file is at most this many bytes (a table of every 市区町村コード
/// is well under 1 MiB); more is not a code table, and is not read into memory.
pub const MAX_TABLE_FILE: u64 = 16 << 20;

/// Errors listed at most, per table (the rest are counted).
const MAX_ERRORS: usize = 20;

/// The padding a fixed-length item carries: looked-up values, concat parts and
/// values tested for emptiness are taken without it.
pub const PADDING: [char; 2] = [' ', '\u{3000}'];

/// `v` without the padding at either end; most values have none, which the
/// first and last byte show without a scan (U+3000 is E3 80 80).
#[inline]
pub fn trim_pad(v: &str) -> &str {
    let t = trim_pad_bytes(v.as_bytes());
    // `t` is `v` without whole characters at its ends.
    let start = t.as_ptr() as usize - v.as_ptr() as usize;
    &v[start..start + t.len()]
}

/// [`trim_pad`] of UTF-8 bytes.
#[inline]
pub fn trim_pad_bytes(v: &[u8]) -> &[u8] {
    match unpadded(v) {
        true => v,
        false => trim_pad_slow(v),
    }
}

/// `v` (UTF-8) has nothing for [`trim_pad`] to trim, as its first and last
/// bytes show (false for an empty value, and for some values `trim_pad`
/// leaves as they are).
#[inline]
pub fn unpadded(v: &[u8]) -> bool {
    matches!((v.first(), v.last()),
        (Some(&f), Some(&l)) if f != b' ' && f != 0xE3 && l != b' ' && l != 0x80)
}

#[cold]
fn trim_pad_slow(mut v: &[u8]) -> &[u8] {
    const WIDE: &[u8] = "\u{3000}".as_bytes();
    loop {
        if let Some(rest) = v.strip_prefix(b" ").or_else(|| v.strip_prefix(WIDE)) {
            v = rest;
        } else if let Some(rest) = v.strip_suffix(b" ").or_else(|| v.strip_suffix(WIDE)) {
            v = rest;
        } else {
            return v;
        }
    }
}

/// One line of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLine {
    /// 1-based line number in the file.
    pub line: usize,
    pub old: String,
    pub new: String,
    pub note: String,
}

/// A parsed table, ready for lookups.
#[derive(Debug, Clone)]
pub struct CodeTable {
    /// As the layout names it, for messages and the manifest.
    pub path: String,
    pub sha256: String,
    pub lines: Vec<CodeLine>,
    /// (old, index into `lines`), sorted by old for binary search.
    index: Vec<(Box<str>, u32)>,
    /// The same keyed by [`short_key`], when every old code is that short
    /// (most code tables): a lookup compares integers.
    short: Option<Short>,
}

/// A table's short codes as [`CodeTable::hashed`] gives them: key `k` is in
/// slot `(k * mul) >> shift`, as (key, line).
pub struct HashedSlots<'a> {
    pub mul: u64,
    pub shift: u32,
    pub slots: &'a [(u64, u32)],
}

/// Short old codes by [`short_key`], with their lines.
#[derive(Debug, Clone)]
enum Short {
    /// A few codes (at most [`HASHED`]): each in the slot one multiply of its
    /// key gives (`(key * mul) >> shift`), no two in one; an empty slot holds
    /// `u64::MAX`, which no key is.
    Hashed {
        mul: u64,
        shift: u32,
        slots: Box<[(u64, u32)]>,
    },
    /// Sorted by key, for a binary search.
    Sorted(Vec<(u64, u32)>),
}

/// The slot of key `k` in slots found by one multiply ([`Short::Hashed`]).
#[inline(always)]
pub fn hashed_slot(k: u64, mul: u64, shift: u32) -> usize {
    (k.wrapping_mul(mul) >> shift) as usize
}

/// The most codes a table is looked up by one multiply for (its slots are
/// the square of its codes, rounded up to a power of two, at most 4,096).
const HASHED: usize = 64;

impl Short {
    fn of(mut keys: Vec<(u64, u32)>) -> Short {
        keys.sort_unstable();
        Short::hashed(&keys).unwrap_or(Short::Sorted(keys))
    }

    /// A multiplier that gives every key a slot of its own (tried in a fixed
    /// order, so that a table is always looked up the same way).
    fn hashed(keys: &[(u64, u32)]) -> Option<Short> {
        if keys.len() > HASHED {
            return None;
        }
        let bits = (keys.len() * keys.len())
            .max(2)
            .next_power_of_two()
            .trailing_zeros();
        let shift = 64 - bits;
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..256 {
            // splitmix64: odd multipliers spread over the whole word.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let mul = (z ^ (z >> 31)) | 1;
            let mut slots = vec![(u64::MAX, 0u32); 1 << bits];
            let placed = keys.iter().all(|&(k, line)| {
                let slot = &mut slots[hashed_slot(k, mul, shift)];
                let free = slot.0 == u64::MAX;
                *slot = (k, line);
                free
            });
            if placed {
                return Some(Short::Hashed {
                    mul,
                    shift,
                    slots: slots.into(),
                });
            }
        }
        None
    }

    #[inline(always)]
    fn get(&self, k: u64) -> Option<u32> {
        match self {
            Short::Hashed { mul, shift, slots } => {
                let &(key, line) = slots.get(hashed_slot(k, *mul, *shift))?;
                (key == k).then_some(line)
            }
            Short::Sorted(v) => v.binary_search_by_key(&k, |&(k, _)| k).ok().map(|p| v[p].1),
        }
    }
}

/// Old codes of at most this many bytes are looked up as integers.
const SHORT: usize = 7;

/// `code`'s bytes and its length in one integer (None: longer than [`SHORT`]);
/// two codes have the same key only when they are equal.
#[inline]
pub(crate) fn short_key(code: &[u8]) -> Option<u64> {
    if code.len() > SHORT {
        return None;
    }
    let mut k = (code.len() as u64) << 56;
    for (i, &b) in code.iter().enumerate() {
        k |= u64::from(b) << (8 * i);
    }
    Some(k)
}

impl CodeTable {
    /// The line (index into [`CodeTable::lines`]) converting `value` (taken
    /// without its padding), if any.
    #[inline(always)]
    pub fn lookup(&self, value: &str) -> Option<u32> {
        self.lookup_bytes(value.as_bytes())
    }

    /// [`CodeTable::lookup`] of a value's UTF-8 bytes.
    #[inline(always)]
    pub fn lookup_bytes(&self, value: &[u8]) -> Option<u32> {
        let key = trim_pad_bytes(value);
        if let Some(short) = &self.short {
            // A longer value is none of the old codes.
            return short.get(short_key(key)?);
        }
        self.index
            .binary_search_by(|(old, _)| old.as_bytes().cmp(key))
            .ok()
            .map(|k| self.index[k].1)
    }

    /// The multiply that finds a short code's slot, and the slots (key, line),
    /// when the table is looked up that way (see [`Short`]): for a caller
    /// that keeps what it needs of each line in slots of its own.
    pub fn hashed(&self) -> Option<HashedSlots<'_>> {
        match &self.short {
            Some(Short::Hashed { mul, shift, slots }) => Some(HashedSlots {
                mul: *mul,
                shift: *shift,
                slots,
            }),
            _ => None,
        }
    }

    /// The new code of line `k` (from [`CodeTable::lookup`]).
    pub fn new_code(&self, k: u32) -> &str {
        self.lines.get(k as usize).map_or("", |l| l.new.as_str())
    }
}

/// What [`parse_lines`] makes of a table: its lines, and the errors of the lines
/// it could not read: (line, message); line 0 for the whole file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub lines: Vec<CodeLine>,
    pub errors: Vec<(usize, String)>,
}

/// Format characters that show as nothing: byte order mark, zero-width and
/// bidirectional controls, soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Reads the lines of a table without judging duplicates (for `mappings check`,
/// which lists them).
pub fn parse_lines(bytes: &[u8]) -> Parsed {
    let mut p = Parsed::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            p.errors.push((
                0,
                format!(
                    "not UTF-8 (first bad byte at byte offset {}); save the code table as UTF-8",
                    e.valid_up_to()
                ),
            ));
            return p;
        }
    };
    let mut header_possible = true;
    for (n, raw) in text.split('\n').enumerate() {
        let line = n + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let mut cols = raw.split('\t');
        let old = cols.next().unwrap_or_default();
        let Some(new) = cols.next() else {
            p.errors.push((
                line,
                "needs two columns, old<TAB>new (no tab found); \
                 separate the columns with a tab, not spaces"
                    .into(),
            ));
            continue;
        };
        let note = cols.collect::<Vec<_>>().join("\t");
        if std::mem::take(&mut header_possible) && old == "old" && new == "new" {
            continue;
        }
        let bad = |what: &str, v: &str| -> Option<String> {
            if v.chars().any(char::is_control) {
                Some(format!(
                    "the {what} code holds a control character; remove it"
                ))
            } else if let Some(c) = v.chars().find(|&c| is_invisible(c)) {
                // A byte order mark past the first line (two files joined) or a
                // zero-width character: the code would look right and never match.
                Some(format!(
                    "the {what} code holds the invisible character U+{:04X}; remove it \
                     (a byte order mark here usually means two files were joined)",
                    c as u32
                ))
            } else if v != v.trim_matches(PADDING) {
                Some(format!(
                    "the {what} code {v:?} has spaces around it; remove them \
                     (values are looked up without the spaces fixed-length items are padded with)"
                ))
            } else {
                None
            }
        };
        if old.is_empty() {
            p.errors.push((
                line,
                "the old code is empty; an empty source value takes the item's \
                 `default`, not a table line"
                    .into(),
            ));
            continue;
        }
        if let Some(e) = bad("old", old).or_else(|| bad("new", new)) {
            p.errors.push((line, e));
            continue;
        }
        p.lines.push(CodeLine {
            line,
            old: old.to_string(),
            new: new.to_string(),
            note,
        });
    }
    p
}

/// Parses a table strictly: any unreadable line, or an old code given twice
/// with different new codes, is an error (all listed, with line numbers).
pub fn parse(bytes: &[u8], path: &str) -> Result<CodeTable, String> {
    let Parsed { lines, errors } = parse_lines(bytes);
    let mut errors: Vec<String> = errors
        .into_iter()
        .map(|(line, e)| match line {
            0 => format!("{path}: {e}"),
            n => format!("{path}:{n}: {e}"),
        })
        .collect();
    let mut index: Vec<(Box<str>, u32)> = Vec::with_capacity(lines.len());
    for (k, l) in lines.iter().enumerate() {
        let k = u32::try_from(k).map_err(|_| format!("{path}: too many lines"))?;
        index.push((l.old.as_str().into(), k));
    }
    // Stable: of lines with the same old code, the first stays first.
    index.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: Vec<(Box<str>, u32)> = Vec::with_capacity(index.len());
    for (old, k) in index {
        if let Some((prev_old, prev)) = kept.last()
            && *prev_old == old
        {
            let (a, b) = (&lines[*prev as usize], &lines[k as usize]);
            if a.new != b.new {
                errors.push(format!(
                    "{path}:{}: old code {:?} is already converted to {:?} on line {}; \
                     keep one of the two lines",
                    b.line, b.old, a.new, a.line
                ));
            }
            continue;
        }
        kept.push((old, k));
    }
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(MAX_ERRORS);
        errors.truncate(MAX_ERRORS);
        if more > 0 {
            errors.push(format!("{path}: and {more} more errors"));
        }
        return Err(errors.join("\n"));
    }
    let short = kept
        .iter()
        .map(|(old, k)| short_key(old.as_bytes()).map(|s| (s, *k)))
        .collect::<Option<Vec<_>>>()
        .map(Short::of);
    Ok(CodeTable {
        path: path.to_string(),
        sha256: crate::output::hex(&Sha256::digest(bytes)),
        lines,
        index: kept,
        short,
    })
}

/// Reads a table file, refusing one larger than [`MAX_TABLE_FILE`] without
/// reading more than one byte past it. `shown` names it in messages.
pub fn read_bytes(path: &Path, shown: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TABLE_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read code table {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_TABLE_FILE {
        return Err(format!(
            "code table {shown} is larger than {} MiB, which no code table is; check the path",
            MAX_TABLE_FILE >> 20
        ));
    }
    Ok(bytes)
}

/// Reads and parses a table file.
pub fn read(path: &Path, shown: &str) -> Result<CodeTable, String> {
    parse(&read_bytes(path, shown)?, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_header_comments_and_notes() {
        let t = parse(
            "\u{FEFF}# 続柄\r\nold\tnew\tnote\r\n01\t1\t世帯主\r\n\r\n02\t2\t妻\tmore\n".as_bytes(),
            "z.tsv",
        )
        .unwrap();
        assert_eq!(t.lines.len(), 2);
        assert_eq!(t.lines[0].line, 3);
        assert_eq!(t.lines[1].note, "妻\tmore");
        assert_eq!(t.lookup("02").map(|k| t.new_code(k)), Some("2"));
        assert_eq!(t.lookup(" 01　").map(|k| t.new_code(k)), Some("1"));
        assert_eq!(t.lookup("03"), None);
        assert_eq!(t.lookup("old"), None, "the header is not a line");
    }

    /// Found by the code_table fuzz target: a byte order mark on line 2 (two
    /// files joined) made an old code that looks like `r` and never matches it.
    #[test]
    fn an_invisible_character_in_a_code_is_an_error_naming_its_line() {
        for bad in ["\u{FEFF}r", "r\u{200B}", "\u{202E}r"] {
            let text = format!("# t\n{bad}\t1\nr\t2\n");
            let p = parse_lines(text.as_bytes());
            assert_eq!(p.errors.len(), 1, "{bad:?}: {:?}", p.errors);
            assert_eq!(p.errors[0].0, 2);
            assert!(p.errors[0].1.contains("invisible"), "{}", p.errors[0].1);
            assert!(parse(text.as_bytes(), "t.tsv").is_err());
        }
    }

    #[test]
    fn errors_name_the_file_and_line() {
        for (text, want) in [
            ("01 1\n", "z.tsv:1: needs two columns"),
            ("# c\n\t1\n", "z.tsv:2: the old code is empty"),
            ("01 \t1\n", "z.tsv:1: the old code \"01 \" has spaces"),
            (
                "01\t1\n02\t\u{7}\n",
                "z.tsv:2: the new code holds a control",
            ),
            (
                "01\t1\n01\t2\n",
                "z.tsv:2: old code \"01\" is already converted to \"1\" on line 1",
            ),
        ] {
            let e = parse(text.as_bytes(), "z.tsv").unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        let e = parse(b"\xff\t1\n", "z.tsv").unwrap_err();
        assert!(e.contains("z.tsv") && e.contains("UTF-8"), "{e}");
        // The same line twice is harmless (mappings check lists it).
        assert!(parse(b"01\t1\n01\t1\n", "z.tsv").is_ok());
        // old/new is a header only on the first line.
        let t = parse(b"01\t1\nold\tnew\n", "z.tsv").unwrap();
        assert_eq!(t.lookup("old").map(|k| t.new_code(k)), Some("new"));
    }

    #[test]
    fn short_codes_are_looked_up_as_integers_with_the_same_answers() {
        let t = parse("1\t男\n2\t女\n1234567\tseven\n".as_bytes(), "s.tsv").unwrap();
        assert!(t.short.is_some());
        for (value, want) in [
            ("1", Some("男")),
            (" 2　", Some("女")),
            ("1234567", Some("seven")),
            ("12345678", None),
            ("1\0", None),
            ("", None),
            ("3", None),
        ] {
            assert_eq!(t.lookup(value).map(|k| t.new_code(k)), want, "{value:?}");
        }
        assert!(matches!(t.short, Some(Short::Hashed { .. })));
        // One old code longer than 7 bytes: every lookup compares strings.
        let t = parse("1\t男\n12345678\teight\n".as_bytes(), "l.tsv").unwrap();
        assert!(t.short.is_none());
        assert_eq!(t.lookup("12345678").map(|k| t.new_code(k)), Some("eight"));
        assert_eq!(t.lookup("1").map(|k| t.new_code(k)), Some("男"));
    }

    proptest::proptest! {
        #[test]
        fn padding_is_trimmed_as_str_trim_matches_trims_it(v in "[ 　a山]{0,6}") {
            proptest::prop_assert_eq!(trim_pad(&v), v.trim_matches(PADDING));
            proptest::prop_assert_eq!(trim_pad_bytes(v.as_bytes()), v.trim_matches(PADDING).as_bytes());
        }

        #[test]
        fn short_codes_are_found_hashed_or_sorted_as_by_a_scan(
            codes in proptest::collection::btree_set("[0-9A-Z]{1,7}", 1..100),
            probes in proptest::collection::vec("[0-9A-Z]{0,8}", 0..20),
        ) {
            let keys: Vec<(u64, u32)> = codes
                .iter()
                .enumerate()
                .map(|(i, c)| (short_key(c.as_bytes()).unwrap(), i as u32))
                .collect();
            let short = Short::of(keys.clone());
            proptest::prop_assert_eq!(
                matches!(short, Short::Hashed { .. }),
                codes.len() <= HASHED,
                "a table of up to {} codes is hashed", HASHED
            );
            for p in codes.iter().chain(&probes) {
                let Some(k) = short_key(p.as_bytes()) else { continue };
                let want = keys.iter().find(|e| e.0 == k).map(|e| e.1);
                proptest::prop_assert_eq!(short.get(k), want, "{:?}", p);
            }
        }

        #[test]
        fn short_keys_are_equal_only_for_equal_codes(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
        ) {
            proptest::prop_assert_eq!(short_key(&a) == short_key(&b), a == b);
        }
    }

    #[test]
    fn lists_at_most_a_screenful_of_errors() {
        let text = "x\n".repeat(50);
        let e = parse(text.as_bytes(), "z.tsv").unwrap_err();
        assert_eq!(e.lines().count(), MAX_ERRORS + 1);
        assert!(e.ends_with("and 30 more errors"), "{e}");
    }
}
