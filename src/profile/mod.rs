//! `profile`: an inventory of legacy extracts before converting them.

pub mod charset;

use crate::decode::Encoding;

/// The bytes of a decoded 外字 in the input encoding (`0xF040`), for the encodings
/// with a user-defined area: CP932/Shift_JIS rows 0xF0–0xF9 (U+E000–U+E757) and
/// eucJP-ms rows 85–94 of G1 (U+E000–U+E3AB) and G3 (U+E3AC–U+E757).
pub fn source_bytes(enc: Encoding, c: char) -> Option<String> {
    let cp = c as u32;
    let bytes: Vec<u32> = match enc {
        Encoding::Cp932 | Encoding::ShiftJis if (0xE000..=0xE757).contains(&cp) => {
            let i = cp - 0xE000;
            let t = i % 188;
            vec![0xF0 + i / 188, if t < 0x3F { 0x40 + t } else { 0x41 + t }]
        }
        Encoding::EucJpMs if (0xE000..=0xE3AB).contains(&cp) => {
            let i = cp - 0xE000;
            vec![0xF5 + i / 94, 0xA1 + i % 94]
        }
        Encoding::EucJpMs if (0xE3AC..=0xE757).contains(&cp) => {
            let i = cp - 0xE3AC;
            vec![0x8F, 0xF5 + i / 94, 0xA1 + i % 94]
        }
        _ => return None,
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    Some(format!("0x{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_bytes_decode_back_to_the_code_point() {
        for enc in [Encoding::Cp932, Encoding::ShiftJis, Encoding::EucJpMs] {
            for cp in 0xE000..=0xE757u32 {
                let c = char::from_u32(cp).unwrap();
                let hex = source_bytes(enc, c).unwrap();
                let raw: Vec<u8> = (2..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect();
                let mut out = String::new();
                crate::decode::decode(enc, &raw, &mut out).unwrap();
                assert_eq!(out, c.to_string(), "{enc} {hex}");
            }
        }
        assert_eq!(
            source_bytes(Encoding::Cp932, '\u{E000}').as_deref(),
            Some("0xF040")
        );
        assert_eq!(source_bytes(Encoding::Cp932, '\u{E758}'), None);
        assert_eq!(source_bytes(Encoding::Utf8, '\u{E000}'), None);
        assert_eq!(source_bytes(Encoding::EucJp, '\u{E000}'), None);
    }
}
