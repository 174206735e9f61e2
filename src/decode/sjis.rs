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
    let mut bad = None;
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            let n = copy_ascii(bytes, i, &mut dst[o..]);
            i += n;
            o += n;
            continue;
        }
        let e = t.single[b as usize];
        if e >> 24 == LEAD {
            // Most of a Japanese record: a double-byte character.
            let Some(&trail) = bytes.get(i + 1) else {
                bad = Some((i, 1));
                break;
            };
            let d = t.double[(e as usize | trail as usize) & (DOUBLE_LEN - 1)];
            if d == 0 {
                bad = Some((i, if trail < 0x80 { 1 } else { 2 }));
                break;
            }
            store(&mut dst[o..o + 4], &d.to_le_bytes());
            i += 2;
            o += (d >> 24) as usize;
        } else if e != 0 {
            store(&mut dst[o..o + 4], &e.to_le_bytes());
            i += 1;
            o += (e >> 24) as usize;
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
