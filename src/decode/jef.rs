//! 富士通 JEF: EBCDIC-family single-byte text mixed with double-byte kanji through shift codes.
//!
//! Shifts K 0x28, K1 0x38 and K2 0x30 0xE2 into double-byte mode, A 0x29 back.
//! The single-byte set is 富士通 EBCDIC (英小文字), EBCDIK (カナ) or EBCDIC-ASCII,
//! as the encoding names. 利用者定義 0x80A1–0xA0FE → U+E000 + (b1 − 0x80) × 94 +
//! (b2 − 0xA1), i.e. U+E000–U+EC1D.

use super::mainframe::{self, Area, Id, Scheme};
use super::{DecodeError, Encoding};

fn area(code: u16) -> Area {
    match mainframe::JEF_AREAS[0].pua(code) {
        Some(cp) => Area::Pua(cp),
        None => Area::Invalid,
    }
}

pub fn decode(enc: Encoding, bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    let single = match enc {
        Encoding::JefEbcdik => Id::FujitsuEbcdik,
        Encoding::JefAscii => Id::FujitsuAscii,
        _ => Id::FujitsuEbcdic,
    };
    mainframe::decode(&Scheme::of(enc, single, Id::Jef, area), bytes, out)
}

#[cfg(test)]
mod tests {
    use super::super::{DecodeErrorKind, decode};
    use super::*;

    fn dec(enc: Encoding, b: &[u8]) -> Result<String, DecodeError> {
        let mut s = String::new();
        decode(enc, b, &mut s).map(|_| s)
    }

    #[test]
    fn shifts_k_k1_k2_and_a() {
        // 0xC1 is A in every single-byte set; 0xB0A1 is 亜.
        for enc in [Encoding::JefEbcdic, Encoding::JefEbcdik, Encoding::JefAscii] {
            assert_eq!(dec(enc, b"\xC1\x28\xB0\xA1\x29\xC1").unwrap(), "A亜A");
            assert_eq!(dec(enc, b"\xC1\x38\xB0\xA1\x29\xC1").unwrap(), "A亜A");
            assert_eq!(dec(enc, b"\xC1\x30\xE2\xB0\xA1\x29\xC1").unwrap(), "A亜A");
            // A shift that does not change the mode changes nothing.
            assert_eq!(dec(enc, b"\x29\xC1\x28\x28\xB0\xA1\x29").unwrap(), "A亜");
        }
        // The single-byte set is the one named: 0x81 is a in EBCDIC, ｱ in EBCDIK.
        assert_eq!(dec(Encoding::JefEbcdic, b"\x81").unwrap(), "a");
        assert_eq!(dec(Encoding::JefEbcdik, b"\x81").unwrap(), "ｱ");
    }

    #[test]
    fn user_defined_area_becomes_pua_at_both_ends() {
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\x80\xA1\x29").unwrap(),
            "\u{E000}"
        );
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\x80\xFE\x29").unwrap(),
            "\u{E05D}"
        );
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\xA0\xFE\x29").unwrap(),
            "\u{EC1D}"
        );
        // Low bytes 0xA0 and 0xFF are not cells.
        let e = dec(Encoding::JefEbcdik, b"\x28\x80\xA0\x29").unwrap_err();
        assert_eq!((e.offset, e.kind), (1, DecodeErrorKind::Malformed));
        assert!(dec(Encoding::JefEbcdik, b"\x28\xA0\xFF\x29").is_err());
    }

    #[test]
    fn truncated_pair_is_malformed_at_its_offset() {
        let e = dec(Encoding::JefEbcdik, b"\xC1\x28\xB0\xA1\xB0").unwrap_err();
        assert_eq!((e.offset, e.hex().as_str()), (4, "0xB0"));
        assert_eq!(e.kind, DecodeErrorKind::Malformed);
    }

    #[test]
    fn item_ending_in_double_byte_mode_is_decoded_as_far_as_it_goes() {
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\xC1\x28\xB0\xA1").unwrap(),
            "A亜"
        );
        assert_eq!(dec(Encoding::JefEbcdik, b"\x28").unwrap(), "");
    }

    #[test]
    fn unmappable_and_mj_codes_decode_to_internal_code_points() {
        // 0x71F7 is unmappable in the table; 0xB0A6 愛 has a Hanyo-Denshi IVS in Moji_Joho.
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\x71\xF7\x29").unwrap(),
            "\u{F71F7}"
        );
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\xB0\xA6\x29").unwrap(),
            "\u{FB0A6}"
        );
        assert!(
            mainframe::builtin_mappings(Encoding::JefEbcdik)
                .iter()
                .any(|(c, _)| *c == '\u{FB0A6}')
        );
        // A base and a combining mark (the table's `sp`).
        assert_eq!(
            dec(Encoding::JefEbcdik, b"\x28\x71\xAC\x29").unwrap(),
            "\u{1B019}\u{3099}"
        );
    }
}
