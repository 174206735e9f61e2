//! 日立 KEIS (KEIS83, or KEIS78): EBCDIC/EBCDIK single-byte text mixed with
//! double-byte kanji through the shift codes 0x0A42 (in) and 0x0A41 (out).
//!
//! ユーザ定義 0x81A1–0xA0FE → U+E000 + (b1 − 0x81) × 94 + (b2 − 0xA1), i.e.
//! U+E000–U+EBBF. 拡張文字セット3 (0x59A1–0x80FE) holds characters whose mapping
//! is not published: a code there without a table row is refused, naming it.

use super::mainframe::{self, Area, Id, Scheme};
use super::{DecodeError, DecodeErrorKind, Encoding};

fn area(code: u16) -> Area {
    if let Some(cp) = mainframe::KEIS_AREAS[0].pua(code) {
        return Area::Pua(cp);
    }
    if mainframe::pua_94(code, (0x59, 0x80), (0xA1, 0xFE), 0).is_some() {
        return Area::Refuse(DecodeErrorKind::KeisExtension3);
    }
    Area::Invalid
}

pub fn decode(enc: Encoding, bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    let single = match enc {
        Encoding::KeisEbcdik | Encoding::Keis78Ebcdik => Id::HitachiEbcdik,
        _ => Id::HitachiEbcdic,
    };
    let double = match enc {
        Encoding::Keis78Ebcdic | Encoding::Keis78Ebcdik => Id::Keis78,
        _ => Id::Keis83,
    };
    mainframe::decode(&Scheme::of(enc, single, double, area), bytes, out)
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::*;

    fn dec(enc: Encoding, b: &[u8]) -> Result<String, DecodeError> {
        let mut s = String::new();
        decode(enc, b, &mut s).map(|_| s)
    }

    #[test]
    fn shifts_in_and_out() {
        for enc in [
            Encoding::KeisEbcdic,
            Encoding::KeisEbcdik,
            Encoding::Keis78Ebcdic,
            Encoding::Keis78Ebcdik,
        ] {
            // 0xB0A1 is 亜 (JIS + 0x8080).
            assert_eq!(
                dec(enc, b"\xC1\x0A\x42\xB0\xA1\x0A\x41\xC1").unwrap(),
                "A亜A"
            );
        }
        // KEIS83 and KEIS78 differ: 0x73FA is a KEIS83 row.
        assert_eq!(
            dec(Encoding::KeisEbcdik, b"\x0A\x42\x73\xFA").unwrap(),
            "令"
        );
    }

    #[test]
    fn user_defined_area_becomes_pua_at_both_ends() {
        assert_eq!(
            dec(Encoding::KeisEbcdik, b"\x0A\x42\x81\xA1\x0A\x41").unwrap(),
            "\u{E000}"
        );
        assert_eq!(
            dec(Encoding::KeisEbcdik, b"\x0A\x42\xA0\xFE\x0A\x41").unwrap(),
            "\u{EBBF}"
        );
        // 0x80A1 is not user-defined in KEIS: it is in 拡張文字セット3.
        let e = dec(Encoding::KeisEbcdik, b"\x0A\x42\x80\xA1").unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::KeisExtension3);
    }

    #[test]
    fn extension_set_3_is_refused_naming_the_code() {
        for (b, at) in [(b"\x59\xA1", 3), (b"\x80\xFE", 3)] {
            let mut input = b"\xC1\x0A\x42".to_vec();
            input.extend_from_slice(b);
            let e = dec(Encoding::KeisEbcdic, &input).unwrap_err();
            assert_eq!((e.offset, e.kind), (at, DecodeErrorKind::KeisExtension3));
            assert_eq!(e.bytes, b.to_vec());
        }
    }

    #[test]
    fn truncated_pair_and_unclosed_shift() {
        let e = dec(Encoding::KeisEbcdik, b"\x0A\x42\xB0\xA1\xB0").unwrap_err();
        assert_eq!((e.offset, e.kind), (4, DecodeErrorKind::Malformed));
        assert_eq!(
            dec(Encoding::KeisEbcdik, b"\xC1\x0A\x42\xB0\xA1").unwrap(),
            "A亜"
        );
    }
}
