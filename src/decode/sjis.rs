//! CP932 by table: one lookup per character, its UTF-8 bytes stored in one write.
//!
//! Decoding is the largest single cost of a conversion, and encoding_rs's
//! Shift_JIS decoder is a general state machine that works byte by byte. Here
//! every character is one table entry holding its UTF-8 bytes and their length,
//! written with one 4-byte store. The tables are built from encoding_rs itself,
//! so the mapping is exactly the one the oracle tests check against iconv; only
//! the lone byte 0x80 differs (refused, as Windows and iconv do).

use super::{DecodeError, malformed};
use std::sync::OnceLock;

/// An entry: UTF-8 bytes in bits 0–23 (little-endian), their count in bits 24–31.
/// Count 0 is an invalid byte or pair; [`LEAD`] marks a lead byte.
pub(super) type Entry = u32;

/// Count byte of a lead byte's entry; bits 0–15 then hold its row in `double`.
const LEAD: u32 = 0x80;

/// Lead bytes 0x81–0x9F and 0xE0–0xFC.
const LEAD_BYTES: usize = 60;

struct Tables {
    single: [Entry; 256],
    /// `LEAD_BYTES` rows of 256 entries, indexed by the trail byte; a power of two
    /// long, so that a masked index needs no bounds check.
    double: Box<[Entry; DOUBLE_LEN]>,
}

const DOUBLE_LEN: usize = 1 << 14;
const _: () = assert!(LEAD_BYTES * 256 <= DOUBLE_LEN);

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

/// The entry of `s` when it is the whole decoding of the bytes (one character).
pub(super) fn entry_of(s: &str) -> Entry {
    let b = s.as_bytes();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(_), None) if b.len() <= 3 => {
            let mut e = (b.len() as u32) << 24;
            for (k, &x) in b.iter().enumerate() {
                e |= (x as u32) << (8 * k);
            }
            e
        }
        _ => 0,
    }
}

/// One character as encoding_rs decodes it (None: it refuses the bytes).
fn reference(bytes: &[u8]) -> Option<String> {
    let mut s = String::with_capacity(8);
    super::decode_with(encoding_rs::SHIFT_JIS, bytes, &mut s).ok()?;
    Some(s)
}

fn build() -> Tables {
    let mut single = [0; 256];
    let mut double = Box::new([0; DOUBLE_LEN]);
    let mut row = 0u32;
    for b in 0..=255u8 {
        single[b as usize] = if is_lead(b) {
            let base = row * 256;
            for t in 0..=255u8 {
                if let Some(s) = reference(&[b, t]) {
                    double[(base + t as u32) as usize] = entry_of(&s);
                }
            }
            row += 1;
            LEAD << 24 | base
        } else if b == 0x80 {
            0 // WHATWG reads U+0080; Windows and iconv refuse it.
        } else {
            reference(&[b]).map_or(0, |s| entry_of(&s))
        };
    }
    Tables { single, double }
}

fn is_lead(b: u8) -> bool {
    matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
}

pub(super) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Decodes CP932 `bytes` and appends the text to `out`. On error `out` holds the
/// text decoded before the bad bytes, as with encoding_rs: a lead byte followed
/// by an ASCII byte that does not form a character is bad alone (1 byte),
/// followed by any other byte the pair is.
pub(super) fn decode(bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    run(bytes, out, &mut NoSplit)
}

/// As [`decode`], and the [`CharFlags`] of the characters decoded, OR-ed.
pub(super) fn decode_flagged(
    bytes: &[u8],
    out: &mut String,
    table: &CharFlags,
) -> Result<u8, DecodeError> {
    let mut f = Flagged { table, flags: 0 };
    run(bytes, out, &mut f)?;
    Ok(f.flags)
}

struct Flagged<'a> {
    table: &'a CharFlags,
    flags: u8,
}

impl Ascii for Flagged<'_> {
    #[inline(always)]
    fn word(&mut self, _: usize, w: u64, seen: usize) {
        // Controls, and the comma and the quote (which have flags too: a
        // fixed-length item holding one needs quoting as CSV): any byte below
        // 0x2D sends the word byte by byte (so do a space and ! # $ % & ' ( )
        // * +, rare in the data, whose flags are none), for the price of the
        // test for controls alone.
        let control = (w.wrapping_sub(ONES * 0x2D) & !w & HIGH_BITS)
            | crate::items::equal_bytes(w, ONES * 0x7F);
        if control & (u64::MAX << (8 * seen)) != 0 {
            for k in seen..8 {
                self.byte(0, (w >> (8 * k)) as u8);
            }
        }
    }

    #[inline(always)]
    fn byte(&mut self, _: usize, b: u8) {
        // ASCII other than controls, comma and quote has no flags: no test.
        self.flags |= self.table.single[b as usize];
    }

    #[inline(always)]
    fn double(&mut self, index: usize) {
        self.flags |= self.table.double[index & (DOUBLE_LEN - 1)];
    }

    #[inline(always)]
    fn single(&mut self, b: u8) {
        self.flags |= self.table.single[b as usize];
    }
}

/// As [`decode`], and in the same loop the items of a CSV record: the spans
/// (in `out`, from where it ended before) between `delimiter` bytes, into `spans`
/// (cleared first). Ok(false): the record holds `quote`, so `spans` is not its
/// items (the caller splits the text with the quoting rules).
///
/// One pass instead of two: delimiters and quotes are ASCII, and every ASCII byte
/// the decoder copies is one ASCII character of the text (a trail byte that
/// happens to equal the delimiter is part of its double-byte character, read
/// with it), so the bytes found here are exactly those a scan of the text finds.
///
/// With `flags`, also each item's [`CharFlags`] (the flags of its non-ASCII
/// characters OR-ed) into `item_flags`, one per span (cleared first).
pub(super) fn decode_split(
    bytes: &[u8],
    out: &mut String,
    delimiter: u8,
    quote: u8,
    spans: &mut Vec<(usize, usize)>,
    flags: Option<(&CharFlags, &mut Vec<u8>)>,
) -> Result<bool, DecodeError> {
    spans.clear();
    let base = out.len();
    let (table, item_flags) = match flags {
        Some((t, f)) => (t, Some(f)),
        None => (no_flags(), None),
    };
    let mut split = Split {
        delimiter,
        quote,
        delimiters: ONES * delimiter as u64,
        quotes: ONES * quote as u64,
        base,
        start: base,
        quoted: false,
        spans,
        table,
        item: 0,
        item_flags,
    };
    if let Some(f) = split.item_flags.as_deref_mut() {
        f.clear();
    }
    run(bytes, out, &mut split)?;
    if !split.quoted {
        split.spans.push((split.start, out.len()));
        let last = split.item;
        if let Some(f) = split.item_flags.as_deref_mut() {
            f.push(last);
        }
    }
    Ok(!split.quoted)
}

/// A flag byte per CP932 character (per entry of the decoding tables), for
/// [`decode_split`] to tell per item what its characters need: the caller's
/// classification of each character, made once ([`char_flags`]).
pub struct CharFlags {
    single: [u8; 256],
    double: Box<[u8; DOUBLE_LEN]>,
}

fn no_flags() -> &'static CharFlags {
    static NONE: OnceLock<CharFlags> = OnceLock::new();
    NONE.get_or_init(|| CharFlags {
        single: [0; 256],
        double: Box::new([0; DOUBLE_LEN]),
    })
}

/// The flags `classify` gives each non-ASCII CP932 character, each ASCII
/// control character, the comma and the quote (its text; other printable ASCII
/// has no flags).
pub(super) fn char_flags(classify: impl Fn(&str) -> u8) -> CharFlags {
    let t = tables();
    let text = |e: Entry| {
        let b = e.to_le_bytes();
        std::str::from_utf8(&b[..(e >> 24) as usize]).map(str::to_owned)
    };
    let mut f = CharFlags {
        single: [0; 256],
        double: Box::new([0; DOUBLE_LEN]),
    };
    for b in (0..0x20).chain([b'"', b',', 0x7F]) {
        f.single[b as usize] = classify(&char::from(b).to_string());
    }
    for b in 0x80..=0xFFu8 {
        let e = t.single[b as usize];
        if e >> 24 == LEAD {
            for trail in 0..=0xFFu8 {
                let i = (e as usize | trail as usize) & (DOUBLE_LEN - 1);
                if t.double[i] != 0
                    && let Ok(s) = text(t.double[i]).as_deref()
                {
                    f.double[i] = classify(s);
                }
            }
        } else if e != 0
            && let Ok(s) = text(e).as_deref()
        {
            f.single[b as usize] = classify(s);
        }
    }
    f
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// What the decoding loop tells about what it copies (nothing for plain
/// decoding; the item boundaries and each item's character flags for CSV). `at`
/// is a byte's place in the output relative to where decoding started.
trait Ascii {
    /// Eight ASCII bytes, `w` (little-endian), copied to `at..at + 8`; the first
    /// `seen` of them were told before (0–7).
    fn word(&mut self, at: usize, w: u64, seen: usize);
    /// One ASCII byte copied to `at`.
    fn byte(&mut self, at: usize, b: u8);
    /// A double-byte character, its index in the tables.
    fn double(&mut self, index: usize);
    /// A single-byte character that is not ASCII (half-width kana).
    fn single(&mut self, b: u8);
}

struct NoSplit;

impl Ascii for NoSplit {
    #[inline(always)]
    fn word(&mut self, _: usize, _: u64, _: usize) {}
    #[inline(always)]
    fn byte(&mut self, _: usize, _: u8) {}
    #[inline(always)]
    fn double(&mut self, _: usize) {}
    #[inline(always)]
    fn single(&mut self, _: u8) {}
}

struct Split<'a> {
    delimiter: u8,
    quote: u8,
    /// The delimiter and the quote repeated in every byte.
    delimiters: u64,
    quotes: u64,
    /// Where decoding started in the output: spans are absolute in it.
    base: usize,
    /// Where the current item starts in the output.
    start: usize,
    /// A quote was met: the spans are incomplete and no longer kept.
    quoted: bool,
    spans: &'a mut Vec<(usize, usize)>,
    table: &'a CharFlags,
    /// The flags of the current item so far.
    item: u8,
    item_flags: Option<&'a mut Vec<u8>>,
}

impl Split<'_> {
    #[inline(always)]
    fn hit(&mut self, at: usize, b: u8) {
        if b == self.quote {
            self.quoted = true;
        } else if !self.quoted {
            let at = self.base + at;
            self.spans.push((self.start, at));
            self.start = at + 1;
            let item = std::mem::take(&mut self.item);
            if let Some(f) = self.item_flags.as_deref_mut() {
                f.push(item);
            }
        }
    }
}

impl Ascii for Split<'_> {
    #[inline(always)]
    fn word(&mut self, at: usize, w: u64, seen: usize) {
        // A control character (rare): byte by byte, so that its flags go to its item.
        let control = (w.wrapping_sub(ONES * 0x20) & !w & HIGH_BITS)
            | crate::items::equal_bytes(w, ONES * 0x7F);
        if control & (u64::MAX << (8 * seen)) != 0 {
            for k in seen..8 {
                self.byte(at + k, (w >> (8 * k)) as u8);
            }
            return;
        }
        let hits = crate::items::equal_bytes(w, self.delimiters)
            | crate::items::equal_bytes(w, self.quotes);
        let mut hits = hits & (u64::MAX << (8 * seen));
        while hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            self.hit(at + k, (w >> (8 * k)) as u8);
            hits &= hits - 1;
        }
    }

    #[inline(always)]
    fn byte(&mut self, at: usize, b: u8) {
        if b == self.delimiter || b == self.quote {
            self.hit(at, b);
        } else if b < 0x20 || b == 0x7F {
            self.item |= self.table.single[b as usize];
        }
    }

    #[inline(always)]
    fn double(&mut self, index: usize) {
        self.item |= self.table.double[index & (DOUBLE_LEN - 1)];
    }

    #[inline(always)]
    fn single(&mut self, b: u8) {
        self.item |= self.table.single[b as usize];
    }
}

#[inline(always)]
fn run<A: Ascii>(bytes: &[u8], out: &mut String, ascii: &mut A) -> Result<(), DecodeError> {
    let t = tables();
    let n = bytes.len();
    // SAFETY: `as_mut_vec` requires `out` to hold UTF-8 whenever it is used as a
    // String again. Only whole characters are committed below (`set_len`): ASCII
    // bytes, or the bytes of a table entry, which `build` took from a decoded &str.
    let v = unsafe { out.as_mut_vec() };
    // Each byte gives at most 3 (half-width kana); 4 more for the last 4-byte store.
    v.reserve(3 * n + 4);
    let start = v.len();
    let dst = v.spare_capacity_mut();
    let (mut i, mut o) = (0, 0);
    // Where the run of single ASCII characters that ends at `i` starts.
    let mut run = 0;
    let mut bad = None;
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            // As copy_ascii, telling `ascii` what was copied.
            if let Some(w) = bytes.get(i..i + 8) {
                let w: [u8; 8] = w.try_into().unwrap_or_default();
                let word = u64::from_le_bytes(w);
                if word & HIGH_BITS == 0 {
                    store(&mut dst[o..o + 8], &w);
                    ascii.word(o, word, 0);
                    i += 8;
                    o += 8;
                    continue;
                }
            } else if let Some(back) = (i + 8).checked_sub(n).filter(|&k| k <= i - run) {
                // Fewer than 8 bytes left (the end of most items): the last 8 of
                // the input at once when all are ASCII. The `back` bytes before `i`
                // are then copied again onto themselves: they are single ASCII
                // characters (`run`), one output byte each.
                let w: [u8; 8] = bytes[n - 8..].try_into().unwrap_or_default();
                let word = u64::from_le_bytes(w);
                if word & HIGH_BITS == 0 {
                    store(&mut dst[o - back..o - back + 8], &w);
                    ascii.word(o - back, word, back);
                    o += n - i;
                    i = n;
                    continue;
                }
            }
            store(&mut dst[o..o + 1], &[b]);
            ascii.byte(o, b);
            i += 1;
            o += 1;
            continue;
        }
        let e = t.single[b as usize];
        if e >> 24 == LEAD {
            // Most of a Japanese record: a double-byte character.
            let Some(&trail) = bytes.get(i + 1) else {
                bad = Some((i, 1));
                break;
            };
            let index = (e as usize | trail as usize) & (DOUBLE_LEN - 1);
            let d = t.double[index];
            if d == 0 {
                bad = Some((i, if trail < 0x80 { 1 } else { 2 }));
                break;
            }
            ascii.double(index);
            store(&mut dst[o..o + 4], &d.to_le_bytes());
            i += 2;
            o += (d >> 24) as usize;
            run = i;
        } else if e != 0 {
            ascii.single(b);
            store(&mut dst[o..o + 4], &e.to_le_bytes());
            i += 1;
            o += (e >> 24) as usize;
            run = i;
        } else {
            bad = Some((i, 1));
            break;
        }
    }
    // SAFETY: `dst[..o]` was written above, and holds whole characters only.
    unsafe { v.set_len(start + o) };
    match bad {
        None => Ok(()),
        Some((at, len)) => Err(malformed(bytes, at, len)),
    }
}

/// Copies the ASCII at `bytes[i]` (which is below 0x80) to `dst`: the next 8
/// bytes at once when all are ASCII (runs of codes, dates, numbers), else that
/// byte. Returns how many bytes were copied. `dst` has room for 8.
#[inline(always)]
pub(super) fn copy_ascii(bytes: &[u8], i: usize, dst: &mut [std::mem::MaybeUninit<u8>]) -> usize {
    if let Some(w) = bytes.get(i..i + 8) {
        let w: [u8; 8] = w.try_into().unwrap_or_default();
        if u64::from_le_bytes(w) & HIGH_BITS == 0 {
            store(&mut dst[..8], &w);
            return 8;
        }
    }
    store(&mut dst[..1], &[bytes[i]]);
    1
}

/// Writes `src` into uninitialised output space of the same length.
#[inline(always)]
pub(super) fn store<const N: usize>(dst: &mut [std::mem::MaybeUninit<u8>], src: &[u8; N]) {
    debug_assert_eq!(dst.len(), N);
    // SAFETY: `dst` is a valid slice of N bytes (the caller slices it, bounds-checked).
    unsafe { dst.as_mut_ptr().cast::<[u8; N]>().write_unaligned(*src) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: encoding_rs, with the lone 0x80 refused.
    fn by_encoding_rs(bytes: &[u8]) -> (String, Option<(usize, Vec<u8>)>) {
        let mut s = String::new();
        let r = super::super::decode_cp932_reference(bytes, &mut s);
        (s, r.err().map(|e| (e.offset, e.bytes)))
    }

    fn by_table(bytes: &[u8]) -> (String, Option<(usize, Vec<u8>)>) {
        let mut s = String::from("x");
        let r = decode(bytes, &mut s);
        (s[1..].to_string(), r.err().map(|e| (e.offset, e.bytes)))
    }

    #[test]
    fn every_one_and_two_byte_input_decodes_as_encoding_rs_does() {
        for a in 0..=255u8 {
            assert_eq!(by_table(&[a]), by_encoding_rs(&[a]), "{a:02X}");
            for b in 0..=255u8 {
                let s = [a, b];
                assert_eq!(by_table(&s), by_encoding_rs(&s), "{a:02X}{b:02X}");
            }
        }
    }

    #[test]
    fn three_byte_inputs_with_every_lead_decode_as_encoding_rs_does() {
        for a in (0x80..=0xFFu8).filter(|&a| is_lead(a) || a >= 0xA0) {
            for b in [0x00, 0x40, 0x7F, 0x80, 0x9F, 0xA0, 0xFC, 0xFD] {
                for c in [0x41, 0x81, 0xA1, 0xE0] {
                    let s = [a, b, c];
                    assert_eq!(by_table(&s), by_encoding_rs(&s), "{s:02X?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Any bytes at all: the same text and the same error as encoding_rs.
        #[test]
        fn any_bytes_decode_as_encoding_rs_does(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    0x20u8..0x7F,
                    0x81u8..0xA0,
                    0xE0u8..0xFD,
                    0x40u8..0xFD,
                    proptest::num::u8::ANY,
                ],
                0..64,
            )
        ) {
            proptest::prop_assert_eq!(by_table(&bytes), by_encoding_rs(&bytes));
        }
    }

    /// decode_split: the text of [`decode`], and the spans a scan of that text
    /// finds (or the same "quoted" answer), for any bytes.
    fn split_as_two_passes(bytes: &[u8], delimiter: u8, quote: u8) {
        let mut one = String::from("x");
        let mut spans = vec![(9, 9)];
        let r1 = decode_split(bytes, &mut one, delimiter, quote, &mut spans, None);
        let mut two = String::from("x");
        let r2 = decode(bytes, &mut two);
        assert_eq!(one, two, "{bytes:02X?}");
        match (r1, r2) {
            (Ok(whole), Ok(())) => {
                let mut want = Vec::new();
                let scan = crate::items::unquoted_spans_from(&two, 1, delimiter, quote, &mut want);
                assert_eq!(whole, scan, "{bytes:02X?}");
                if whole {
                    assert_eq!(spans, want, "{bytes:02X?}");
                }
            }
            (Err(a), Err(b)) => assert_eq!((a.offset, a.bytes), (b.offset, b.bytes)),
            (a, b) => panic!("{bytes:02X?}: {a:?} / {b:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn splitting_while_decoding_finds_what_a_scan_of_the_text_finds(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b','),
                    proptest::strategy::Just(b'"'),
                    proptest::strategy::Just(b'|'),
                    0x30u8..0x3A,
                    0x40u8..0x7F,
                    0x81u8..0xA0,
                    0xA1u8..0xE0,
                    proptest::num::u8::ANY,
                ],
                0..48,
            ),
            pipe in proptest::bool::ANY,
        ) {
            // `|` (0x7C) is also a trail byte: inside a character it is no delimiter.
            split_as_two_passes(&bytes, if pipe { b'|' } else { b',' }, b'"');
        }
    }

    #[test]
    fn splitting_at_every_length_and_alignment() {
        // ASCII runs ending at every place, trail bytes equal to the delimiter
        // (ポ is 0x83 0x7C: a trail byte equal to `|`) and a quote at the end.
        let text = "12345678,ab|cd,ｶﾅ,漢字,ポ|ポ,0123456789,x\"";
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        for from in 0..cp932.len() {
            for to in from..=cp932.len() {
                for d in [b',', b'|'] {
                    split_as_two_passes(&cp932[from..to], d, b'"');
                }
            }
        }
    }

    #[test]
    fn ascii_runs_of_any_length_and_alignment() {
        let text = "0123456789abcdefghij,ｶﾅ,漢字,0123456789";
        let cp932 = encoding_rs::SHIFT_JIS.encode(text).0.into_owned();
        for from in 0..cp932.len() {
            for to in from..=cp932.len() {
                let s = &cp932[from..to];
                assert_eq!(by_table(s), by_encoding_rs(s), "{from}..{to}");
            }
        }
    }
}
