//! EUC-JP with an explicit choice for the user-defined rows.
//!
//! encoding_rs follows WHATWG, which reads G1 rows 89–92 (0xF9A1…0xFCFE) as IBM
//! extension kanji; vendors following eucJP-ms put their 外字 there. So the
//! reading is defined by [`strict_reference`] and [`ms_reference`]: they find the
//! user-defined rows themselves and hand only the rest to encoding_rs.
//!
//! Records are decoded by table instead, in the loop CP932 is decoded in
//! ([`super::fused`]): one lookup per character (two for a G3 one) and one
//! 4-byte store. The tables are built from the references at first use, so they
//! read every character as the references do; at the first byte the tables have
//! no character for, the rest of the record goes to the reference, which gives
//! the error (or the character) exactly as before.

use super::fused::{self, Entry, entry_of};
use super::{DecodeError, DecodeErrorKind, decode_with};
use std::sync::OnceLock;

/// eucJP-ms G3 0x8FF3F3…0x8FF4FE: the IBM extensions that have no JIS X 0212
/// code, in CP932 order (0xFA40…). Written as escapes: an editor or a tool that
/// normalises text would turn the compatibility ideographs (U+FA10…) into other characters.
const IBM_EXT_G3: [char; 106] = [
    '\u{2170}', '\u{2171}', '\u{2172}', '\u{2173}', '\u{2174}', '\u{2175}', '\u{2176}', '\u{2177}',
    '\u{2178}', '\u{2179}', '\u{2160}', '\u{2161}', '\u{2162}', '\u{2163}', '\u{2164}', '\u{2165}',
    '\u{2166}', '\u{2167}', '\u{2168}', '\u{2169}', '\u{FF07}', '\u{FF02}', '\u{3231}', '\u{2116}',
    '\u{2121}', '\u{70BB}', '\u{4EFC}', '\u{50F4}', '\u{51EC}', '\u{5307}', '\u{5324}', '\u{FA0E}',
    '\u{548A}', '\u{5759}', '\u{FA0F}', '\u{FA10}', '\u{589E}', '\u{5BEC}', '\u{5CF5}', '\u{5D53}',
    '\u{FA11}', '\u{5FB7}', '\u{6085}', '\u{6120}', '\u{654E}', '\u{663B}', '\u{6665}', '\u{FA12}',
    '\u{F929}', '\u{6801}', '\u{FA13}', '\u{FA14}', '\u{6A6B}', '\u{6AE2}', '\u{6DF8}', '\u{6DF2}',
    '\u{7028}', '\u{FA15}', '\u{FA16}', '\u{7501}', '\u{7682}', '\u{769E}', '\u{FA17}', '\u{7930}',
    '\u{FA18}', '\u{FA19}', '\u{FA1A}', '\u{FA1B}', '\u{7AE7}', '\u{FA1C}', '\u{FA1D}', '\u{7DA0}',
    '\u{7DD6}', '\u{FA1E}', '\u{8362}', '\u{FA1F}', '\u{85B0}', '\u{FA20}', '\u{FA21}', '\u{8807}',
    '\u{FA22}', '\u{8B7F}', '\u{8CF4}', '\u{8D76}', '\u{FA23}', '\u{FA24}', '\u{FA25}', '\u{90DE}',
    '\u{FA26}', '\u{9115}', '\u{FA27}', '\u{FA28}', '\u{9592}', '\u{F9DC}', '\u{FA29}', '\u{973B}',
    '\u{974D}', '\u{9751}', '\u{FA2A}', '\u{FA2B}', '\u{FA2C}', '\u{999E}', '\u{9AD9}', '\u{9B72}',
    '\u{FA2D}', '\u{9ED1}',
];

/// One character of the input that the plain EUC-JP decoder must not see.
enum Special {
    /// Write this character.
    Char(char),
    /// A user-defined row in strict EUC-JP.
    UserDefined,
}

/// `euc-jp`: user-defined rows 85–94 (G1 and G3) are an error, never IBM kanji; the
/// seven JIS X 0208 cells CP932 maps elsewhere get their JIS X 0213 code points
/// (0xA1C1 → 〜 U+301C), as EUC-JP (unlike eucJP-ms) is read everywhere else.
pub(super) fn strict() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| build(strict_reference))
}

/// `eucjp-ms` (see [`ms_reference`]).
pub(super) fn ms() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| build(ms_reference))
}

/// `euc-jp` as defined (see [`strict`]), character by character.
pub(super) fn strict_reference(bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    decode_segments(bytes, out, |b, i| {
        if let (lead @ 0xA1..=0xA2, Some(&trail)) = (b[i], b.get(i + 1))
            && let Some(c) = super::euc_jis_form(lead, trail)
        {
            return Some((Special::Char(c), 2));
        }
        let (row, len) = match b[i] {
            0x8F => (*b.get(i + 1)?, 3),
            lead @ 0xA1..=0xFE => (lead, 2),
            _ => return None,
        };
        (row >= 0xF5 && i + len <= b.len()).then_some((Special::UserDefined, len))
    })
}

/// `eucjp-ms`: user-defined rows to PUA, eucJP-ms's G3 IBM extensions and its two
/// JIS X 0212 mapping differences; everything else as EUC-JP.
pub(super) fn ms_reference(bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    decode_segments(bytes, out, |b, i| {
        let trail = |k: usize| b.get(i + k).copied().filter(|t| (0xA1..=0xFE).contains(t));
        match b[i] {
            lead @ 0xF5..=0xFE => {
                let t = trail(1)?;
                let cp = 0xE000 + (lead as u32 - 0xF5) * 94 + (t as u32 - 0xA1);
                Some((Special::Char(char::from_u32(cp)?), 2))
            }
            0x8F => {
                let row = trail(1)?;
                let cell = trail(2)?;
                let c = match (row, cell) {
                    (0xF5..=0xFE, _) => {
                        char::from_u32(0xE3AC + (row as u32 - 0xF5) * 94 + (cell as u32 - 0xA1))?
                    }
                    (0xF3, 0xF3..=0xFE) => IBM_EXT_G3[cell as usize - 0xF3],
                    (0xF4, _) => IBM_EXT_G3[12 + cell as usize - 0xA1],
                    (0xA2, 0xB7) => '\u{FF5E}',
                    (0xA2, 0xC3) => '\u{FFE4}',
                    _ => return None,
                };
                Some((Special::Char(c), 3))
            }
            _ => None,
        }
    })
}

/// Walks `bytes` character by character (EUC-JP structure); `special(bytes, i)`
/// claims the character at `i`; the spans between claimed characters are decoded
/// by encoding_rs.
fn decode_segments(
    bytes: &[u8],
    out: &mut String,
    special: impl Fn(&[u8], usize) -> Option<(Special, usize)>,
) -> Result<(), DecodeError> {
    let mut i = 0;
    let mut seg = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        if let Some((s, len)) = special(bytes, i) {
            decode_span(bytes, seg, i, out)?;
            match s {
                Special::Char(c) => out.push(c),
                Special::UserDefined => {
                    return Err(DecodeError {
                        offset: i,
                        bytes: bytes[i..i + len].to_vec(),
                        kind: DecodeErrorKind::EucUserDefinedRow,
                    });
                }
            }
            i += len;
            seg = i;
            continue;
        }
        i += match b {
            0x8F => 3,
            0x8E | 0xA1..=0xFE => 2,
            _ => 1, // malformed: encoding_rs reports it with its position
        };
    }
    decode_span(bytes, seg, bytes.len(), out)
}

fn decode_span(bytes: &[u8], from: usize, to: usize, out: &mut String) -> Result<(), DecodeError> {
    if from >= to {
        return Ok(());
    }
    decode_with(encoding_rs::EUC_JP, &bytes[from..to], out).map_err(|e| DecodeError {
        offset: from + e.offset,
        ..e
    })
}

type Reference = fn(&[u8], &mut String) -> Result<(), DecodeError>;

/// Count byte of a lead byte's entry in `single` (0x8E and 0xA1–0xFE): bits
/// 0–15 hold its row in `double`.
const LEAD: u32 = 0x80;
/// Count byte of 0x8F's entry: a JIS X 0212 (G3) character, looked up in `g3`.
const G3: u32 = 0x81;
/// Rows of 256 entries indexed by the trail byte (95 leads from row 1, so that
/// an index is also the character's index in [`fused::CharFlags`], above the
/// single bytes; 94 G3 rows, whose index there is `ROWS_LEN` above theirs), a
/// power of two long, so that a masked index needs no bounds check.
const ROWS_LEN: usize = 1 << 15;
const _: () = assert!(96 * 256 <= ROWS_LEN && 94 * 256 <= ROWS_LEN);
const _: () = assert!(2 * ROWS_LEN <= fused::FLAGS_LEN);

pub(super) struct Tables {
    single: [Entry; 256],
    double: Box<[Entry; ROWS_LEN]>,
    g3: Box<[Entry; ROWS_LEN]>,
    /// What the tables are built from, and what decodes from where they hold
    /// no character on.
    reference: Reference,
}

/// The entry of `bytes` as `reference` decodes them: one character, else 0.
fn entry(reference: Reference, bytes: &[u8]) -> Entry {
    let mut s = String::with_capacity(8);
    match reference(bytes, &mut s) {
        Ok(()) => entry_of(&s),
        Err(_) => 0,
    }
}

fn build(reference: Reference) -> Tables {
    let mut single = [0; 256];
    let mut double = Box::new([0; ROWS_LEN]);
    let mut g3 = Box::new([0; ROWS_LEN]);
    // Trail bytes outside 0xA1–0xFE are never part of a character: left 0.
    for (row, lead) in std::iter::once(0x8Eu8).chain(0xA1..=0xFE).enumerate() {
        let base = (row + 1) * 256;
        for t in 0xA1..=0xFEu8 {
            double[base + t as usize] = entry(reference, &[lead, t]);
        }
        single[lead as usize] = LEAD << 24 | base as u32;
    }
    for (row, r) in (0xA1..=0xFEu8).enumerate() {
        for c in 0xA1..=0xFEu8 {
            g3[row * 256 + c as usize] = entry(reference, &[0x8F, r, c]);
        }
    }
    single[0x8F] = G3 << 24;
    Tables {
        single,
        double,
        g3,
        reference,
    }
}

impl fused::Tables for Tables {
    #[inline(always)]
    fn char_at(&self, bytes: &[u8], i: usize) -> Option<(Entry, usize, usize)> {
        let e = self.single[bytes[i] as usize];
        match e >> 24 {
            LEAD => {
                let trail = *bytes.get(i + 1)?;
                let index = (e as usize & 0xFFFF | trail as usize) & (ROWS_LEN - 1);
                let d = self.double[index];
                (d != 0).then_some((d, 2, index))
            }
            G3 => match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&r @ 0xA1..=0xFE), Some(&c)) => {
                    let index = ((r as usize - 0xA1) * 256 + c as usize) & (ROWS_LEN - 1);
                    let d = self.g3[index];
                    (d != 0).then_some((d, 3, ROWS_LEN | index))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// EUC-JP has no state between characters: the rest reads as it would in
    /// the whole record, its offsets counted from `i`.
    #[cold]
    #[inline(never)]
    fn rest(&self, bytes: &[u8], i: usize, out: &mut String) -> Result<(), DecodeError> {
        (self.reference)(&bytes[i..], out).map_err(|e| DecodeError {
            offset: i + e.offset,
            ..e
        })
    }

    fn each_char(&self, f: &mut dyn FnMut(usize, Entry)) {
        for (i, &d) in self.double.iter().enumerate() {
            if d != 0 {
                f(i, d);
            }
        }
        for (i, &d) in self.g3.iter().enumerate() {
            if d != 0 {
                f(ROWS_LEN | i, d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DecodeErrorKind, Encoding, decode, fused};
    use super::{Reference, ms, ms_reference, strict, strict_reference};

    fn decode_strict(bytes: &[u8], out: &mut String) -> Result<(), super::DecodeError> {
        fused::decode(strict(), bytes, out)
    }

    fn decode_ms(bytes: &[u8], out: &mut String) -> Result<(), super::DecodeError> {
        fused::decode(ms(), bytes, out)
    }

    type Decoder = fn(&[u8], &mut String) -> Result<(), super::DecodeError>;

    fn run(f: Decoder, bytes: &[u8]) -> (String, Option<(usize, Vec<u8>, DecodeErrorKind)>) {
        let mut s = String::from("x");
        let r = f(bytes, &mut s);
        (
            s[1..].to_string(),
            r.err().map(|e| (e.offset, e.bytes, e.kind)),
        )
    }

    const BOTH: [(Decoder, Reference, &str); 2] = [
        (decode_strict, strict_reference, "euc-jp"),
        (decode_ms, ms_reference, "eucjp-ms"),
    ];

    #[test]
    fn every_one_and_two_byte_input_and_every_g3_cell_decodes_as_the_reference() {
        for (table, reference, name) in BOTH {
            for a in 0..=255u8 {
                assert_eq!(run(table, &[a]), run(reference, &[a]), "{name} {a:02X}");
                for b in 0..=255u8 {
                    let s = [a, b];
                    assert_eq!(run(table, &s), run(reference, &s), "{name} {s:02X?}");
                }
            }
            for r in 0x80..=0xFFu8 {
                for c in 0..=255u8 {
                    let s = [0x8F, r, c];
                    assert_eq!(run(table, &s), run(reference, &s), "{name} {s:02X?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Any bytes: the same text and the same error as the reference.
        #[test]
        fn any_bytes_decode_as_the_reference(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    0x20u8..0x7F,
                    0xA1u8..0xFF,
                    proptest::strategy::Just(0x8Eu8),
                    proptest::strategy::Just(0x8Fu8),
                    proptest::num::u8::ANY,
                ],
                0..64,
            )
        ) {
            for (table, reference, _) in BOTH {
                proptest::prop_assert_eq!(run(table, &bytes), run(reference, &bytes));
            }
        }
    }

    fn dec(enc: Encoding, b: &[u8]) -> Result<String, super::DecodeError> {
        let mut s = String::new();
        decode(enc, b, &mut s).map(|_| s)
    }

    #[test]
    fn eucjp_ms_user_defined_rows_are_pua() {
        assert_eq!(dec(Encoding::EucJpMs, b"\xF5\xA1").unwrap(), "\u{E000}");
        assert_eq!(dec(Encoding::EucJpMs, b"a\xF9\xA1b").unwrap(), "a\u{E178}b");
        assert_eq!(dec(Encoding::EucJpMs, b"\xFE\xFE").unwrap(), "\u{E3AB}");
        assert_eq!(dec(Encoding::EucJpMs, b"\x8F\xF5\xA1").unwrap(), "\u{E3AC}");
        assert_eq!(dec(Encoding::EucJpMs, b"\x8F\xFE\xFE").unwrap(), "\u{E757}");
        assert_eq!(
            dec(Encoding::EucJpMs, b"\x8F\xF3\xF3\x8F\xF4\xFE").unwrap(),
            "\u{2170}\u{9ED1}"
        );
        assert!(dec(Encoding::EucJpMs, "漢".as_bytes()).is_err());
        assert_eq!(dec(Encoding::EucJpMs, b"\xB4\xC1").unwrap(), "漢");
    }

    #[test]
    fn plain_eucjp_refuses_user_defined_rows_instead_of_ibm_kanji() {
        // encoding_rs alone would give U+7E8A here.
        let e = dec(Encoding::EucJp, b"ab\xF9\xA1").unwrap_err();
        assert_eq!((e.offset, e.kind), (2, DecodeErrorKind::EucUserDefinedRow));
        let e = dec(Encoding::EucJp, b"\x8F\xF5\xA1").unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::EucUserDefinedRow);
        assert_eq!(dec(Encoding::EucJp, b"\xB4\xC1\x8E\xB1").unwrap(), "漢ｱ");
    }

    #[test]
    fn malformed_offsets_count_from_the_record_start() {
        let e = dec(Encoding::EucJpMs, b"\xF5\xA1x\xA1").unwrap_err();
        assert_eq!((e.offset, e.kind), (3, DecodeErrorKind::Malformed));
    }
}
