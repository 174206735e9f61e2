//! CP932 (and Shift_JIS) by table: one lookup per character, its UTF-8 bytes
//! stored in one write, in the loop of [`super::fused`].
//!
//! Decoding is the largest single cost of a conversion, and encoding_rs's
//! Shift_JIS decoder is a general state machine that works byte by byte. Here
//! every character is one table entry holding its UTF-8 bytes and their length,
//! written with one 4-byte store. The tables are built from encoding_rs itself,
//! so the mapping is exactly the one the oracle tests check against iconv; only
//! the lone byte 0x80 differs (refused, as Windows and iconv do). Shift_JIS is
//! the same table with the JIS X 0213 forms of the seven characters where CP932
//! and JIS differ ([`super::VARIANTS`]).

use super::fused::{self, Entry, entry_of};
use super::{DecodeError, malformed};
use std::sync::OnceLock;

pub(super) struct Tables {
    /// Single-byte characters (0 for a lead byte and for bytes that are no
    /// character alone).
    single: [Entry; 256],
    /// Every byte pair, indexed by its two bytes read as a little-endian u16
    /// (the lead byte low): the pair's character when the first byte is a lead
    /// byte and the two form one, 0 otherwise. One load a double-byte
    /// character, with no look at the lead byte first; the index is also the
    /// character's index in [`fused::CharFlags`] (at least 0x4000, the
    /// lowest trail byte being 0x40, so above the single bytes).
    pairs: Box<[Entry; PAIRS_LEN]>,
}

const PAIRS_LEN: usize = 1 << 16;
const _: () = assert!(PAIRS_LEN <= fused::FLAGS_LEN);

/// The CP932 tables.
pub(super) fn cp932() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

/// The Shift_JIS tables: CP932's, with the JIS forms of [`super::VARIANTS`]
/// (every byte pair CP932 reads as one of them).
pub(super) fn shift_jis() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = build();
        let jis = |e: &mut Entry| {
            let mut b = [0; 4];
            for (cp, jis) in super::VARIANTS {
                if *e == entry_of(cp.encode_utf8(&mut b)) {
                    *e = entry_of(jis.encode_utf8(&mut b));
                    return;
                }
            }
        };
        t.pairs.iter_mut().for_each(jis);
        t.single.iter_mut().for_each(jis);
        t
    })
}

/// One character as encoding_rs decodes it, as a table entry (None: it refuses
/// the bytes). Into a buffer on the stack: this runs for 15,000 byte pairs at
/// every start.
fn reference(bytes: &[u8]) -> Option<Entry> {
    let mut buf = [0u8; 8];
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let (result, _, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut buf, true);
    if result != encoding_rs::DecoderResult::InputEmpty {
        return None;
    }
    std::str::from_utf8(&buf[..written]).ok().map(entry_of)
}

fn build() -> Tables {
    let mut single = [0; 256];
    let mut pairs = Box::new([0; PAIRS_LEN]);
    for b in 0..=255u8 {
        single[b as usize] = if is_lead(b) {
            for t in 0..=255u8 {
                if let Some(e) = reference(&[b, t]) {
                    pairs[pair_index(b, t)] = e;
                }
            }
            0
        } else if b == 0x80 {
            0 // WHATWG reads U+0080; Windows and iconv refuse it.
        } else {
            reference(&[b]).unwrap_or(0)
        };
    }
    Tables { single, pairs }
}

/// The index of a byte pair in [`Tables::pairs`].
fn pair_index(lead: u8, trail: u8) -> usize {
    usize::from(u16::from_le_bytes([lead, trail]))
}

fn is_lead(b: u8) -> bool {
    matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
}

impl fused::Tables for Tables {
    #[inline(always)]
    fn pair_at(&self, bytes: &[u8], i: usize) -> Option<(Entry, usize)> {
        let &[lead, trail] = bytes.get(i..i + 2)? else {
            return None;
        };
        let index = pair_index(lead, trail);
        let d = self.pairs[index];
        (d != 0).then_some((d, index))
    }

    #[inline(always)]
    fn char_at(&self, bytes: &[u8], i: usize) -> Option<(Entry, usize, usize)> {
        // Most of a Japanese record: a double-byte character, one load.
        if let Some((d, index)) = self.pair_at(bytes, i) {
            return Some((d, 2, index));
        }
        // Half-width kana: its index in CharFlags is its byte.
        let b = bytes[i];
        let e = self.single[b as usize];
        (e != 0).then_some((e, 1, b as usize))
    }

    /// As encoding_rs: a lead byte followed by an ASCII byte that does not form
    /// a character is bad alone (1 byte), followed by any other byte the pair is.
    #[cold]
    #[inline(never)]
    fn rest(&self, bytes: &[u8], i: usize, _: &mut String) -> Result<(), DecodeError> {
        let len = match bytes.get(i + 1) {
            Some(&trail) if is_lead(bytes[i]) && trail >= 0x80 => 2,
            _ => 1,
        };
        Err(malformed(bytes, i, len))
    }

    fn each_char(&self, f: &mut dyn FnMut(usize, Entry)) {
        for (b, &e) in self.single.iter().enumerate().skip(0x80) {
            if e != 0 {
                f(b, e);
            }
        }
        for (index, &e) in self.pairs.iter().enumerate() {
            if e != 0 {
                f(index, e);
            }
        }
    }
}

/// Decodes CP932 `bytes` and appends the text to `out`. On error `out` holds the
/// text decoded before the bad bytes, as with encoding_rs: a lead byte followed
/// by an ASCII byte that does not form a character is bad alone (1 byte),
/// followed by any other byte the pair is.
pub(super) fn decode(bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    fused::decode(cp932(), bytes, out)
}

#[cfg(test)]
mod tests {
    use super::super::{Encoding, decode_reference};
    use super::*;

    /// Both encodings these tables serve.
    const BOTH: [Encoding; 2] = [Encoding::Cp932, Encoding::ShiftJis];

    /// The reference: encoding_rs, with the lone 0x80 refused (and for
    /// Shift_JIS the JIS forms written over its text).
    fn by_encoding_rs(enc: Encoding, bytes: &[u8]) -> (String, Option<(usize, Vec<u8>)>) {
        let mut s = String::new();
        let r = decode_reference(enc, bytes, &mut s);
        (s, r.err().map(|e| (e.offset, e.bytes)))
    }

    fn by_table(enc: Encoding, bytes: &[u8]) -> (String, Option<(usize, Vec<u8>)>) {
        let mut s = String::from("x");
        let r = super::super::decode(enc, bytes, &mut s);
        (s[1..].to_string(), r.err().map(|e| (e.offset, e.bytes)))
    }

    #[test]
    fn every_one_and_two_byte_input_decodes_as_encoding_rs_does() {
        for enc in BOTH {
            for a in 0..=255u8 {
                assert_eq!(
                    by_table(enc, &[a]),
                    by_encoding_rs(enc, &[a]),
                    "{enc} {a:02X}"
                );
                for b in 0..=255u8 {
                    let s = [a, b];
                    assert_eq!(by_table(enc, &s), by_encoding_rs(enc, &s), "{enc} {s:02X?}");
                }
            }
        }
    }

    #[test]
    fn three_byte_inputs_with_every_lead_decode_as_encoding_rs_does() {
        for enc in BOTH {
            for a in (0x80..=0xFFu8).filter(|&a| is_lead(a) || a >= 0xA0) {
                for b in [0x00, 0x40, 0x7F, 0x80, 0x9F, 0xA0, 0xFC, 0xFD] {
                    for c in [0x41, 0x81, 0xA1, 0xE0] {
                        let s = [a, b, c];
                        assert_eq!(by_table(enc, &s), by_encoding_rs(enc, &s), "{enc} {s:02X?}");
                    }
                }
            }
        }
    }

    #[test]
    fn shift_jis_gives_the_jis_forms_of_every_byte_pair_cp932_reads_as_a_variant() {
        // ¬ is 0x81CA, and 0xEEF9 and 0xFA54 (NEC and IBM extensions) too.
        for (pair, jis) in [
            ([0x81, 0xCA], '\u{AC}'),
            ([0xEE, 0xF9], '\u{AC}'),
            ([0xFA, 0x54], '\u{AC}'),
        ] {
            assert_eq!(by_table(Encoding::ShiftJis, &pair).0, jis.to_string());
            assert_eq!(by_table(Encoding::Cp932, &pair).0, "\u{FFE2}");
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
            for enc in BOTH {
                proptest::prop_assert_eq!(by_table(enc, &bytes), by_encoding_rs(enc, &bytes));
            }
        }
    }

    #[test]
    fn ascii_runs_of_any_length_and_alignment() {
        let text = "0123456789abcdefghij,ｶﾅ,漢字,〜0123456789";
        let cp932 = encoding_rs::SHIFT_JIS.encode(text).0.into_owned();
        for enc in BOTH {
            for from in 0..cp932.len() {
                for to in from..=cp932.len() {
                    let s = &cp932[from..to];
                    assert_eq!(
                        by_table(enc, s),
                        by_encoding_rs(enc, s),
                        "{enc} {from}..{to}"
                    );
                }
            }
        }
    }
}
