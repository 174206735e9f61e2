//! NEC JIPS: JIPS(J) is JIS8 single-byte text with double-byte JIPS(J) codes
//! (shifts 0x1A70 in, 0x1A71 out); JIPS(E) is EBCDIK with the same codes written
//! byte by byte as EBCDIC (shifts 0x3F75 in, 0x3F76 out).
//!
//! 外字, in JIPS(J) terms: G0 0x7421–0x7E7E → U+E000 + (b1 − 0x74) × 94 +
//! (b2 − 0x21) (U+E000–U+E409); G1 0xE0A1–0xFEFE → U+E40A + (b1 − 0xE0) × 94 +
//! (b2 − 0xA1) (U+E40A–U+EF6B).

use super::mainframe::{self, Area, Id, Scheme};
use super::{DecodeError, Encoding};

fn area(code: u16) -> Area {
    mainframe::JIPS_AREAS
        .iter()
        .find_map(|a| a.pua(code))
        .map_or(Area::Invalid, Area::Pua)
}

pub fn decode(enc: Encoding, bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    let single = match enc {
        Encoding::JipsE => Id::NecEbcdik,
        _ => Id::NecJis8,
    };
    mainframe::decode(&Scheme::of(enc, single, Id::Jips, area), bytes, out)
}

#[cfg(test)]
mod tests {
    use super::super::{DecodeErrorKind, decode};
    use super::*;

    fn dec(enc: Encoding, b: &[u8]) -> Result<String, DecodeError> {
        let mut s = String::new();
        decode(enc, b, &mut s).map(|_| s)
    }

    /// The JIPS(E) bytes of a JIPS(J) code.
    fn e(j: &[u8]) -> Vec<u8> {
        let m = mainframe::jips_e_bytes();
        j.iter().map(|&b| m.j2e[usize::from(b)]).collect()
    }

    fn wrap_e(j: &[u8]) -> Vec<u8> {
        let mut v = b"\x3F\x75".to_vec();
        v.extend(e(j));
        v.extend_from_slice(b"\x3F\x76");
        v
    }

    #[test]
    fn shifts_in_and_out() {
        // 0x3021 is 亜 in JIPS(J).
        assert_eq!(
            dec(Encoding::JipsJ, b"A\x1A\x70\x30\x21\x1A\x71A").unwrap(),
            "A亜A"
        );
        let mut v = b"\xC1".to_vec();
        v.extend(wrap_e(b"\x30\x21"));
        v.push(0xC1);
        assert_eq!(dec(Encoding::JipsE, &v).unwrap(), "A亜A");
        // JIS8 kana on the single-byte side.
        assert_eq!(dec(Encoding::JipsJ, b"\xB1").unwrap(), "ｱ");
    }

    #[test]
    fn gaiji_areas_become_pua_at_both_ends() {
        for (j, cp) in [
            (b"\x74\x21", 0xE000),
            (b"\x7E\x7E", 0xE409),
            (b"\xE0\xA1", 0xE40A),
            (b"\xFE\xFE", 0xEF6B),
        ] {
            let c = char::from_u32(cp).unwrap().to_string();
            let mut v = b"\x1A\x70".to_vec();
            v.extend_from_slice(j);
            assert_eq!(dec(Encoding::JipsJ, &v).unwrap(), c, "{j:02X?}");
            assert_eq!(dec(Encoding::JipsE, &wrap_e(j)).unwrap(), c, "{j:02X?}");
        }
    }

    #[test]
    fn truncated_pair_and_unclosed_shift() {
        let err = dec(Encoding::JipsJ, b"\x1A\x70\x30\x21\x30").unwrap_err();
        assert_eq!((err.offset, err.kind), (4, DecodeErrorKind::Malformed));
        assert_eq!(dec(Encoding::JipsJ, b"A\x1A\x70\x30\x21").unwrap(), "A亜");
        let mut v = b"\x3F\x75".to_vec();
        v.extend(e(b"\x30\x21"));
        assert_eq!(dec(Encoding::JipsE, &v).unwrap(), "亜");
    }

    #[test]
    fn conflicting_table_rows_are_gaiji_keyed_by_the_bytes_in_the_data() {
        // 0x2838: the table gives ┷ and ┯.
        assert_eq!(
            dec(Encoding::JipsJ, b"\x1A\x70\x28\x38").unwrap(),
            "\u{F2838}"
        );
        let raw = e(b"\x28\x38");
        let want = char::from_u32(0xF0000 + u32::from(u16::from_be_bytes([raw[0], raw[1]])))
            .unwrap()
            .to_string();
        assert_eq!(dec(Encoding::JipsE, &wrap_e(b"\x28\x38")).unwrap(), want);
    }
}
