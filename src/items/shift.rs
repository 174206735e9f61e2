//! The shift structure of mainframe mixed text (IBM SO/SI, JEF K/A, KEIS,
//! JIPS): where double-byte runs start and end, read from the bytes alone,
//! without decoding. In a double-byte run the bytes go two by two, so a shift
//! code is only recognised where a character could start.

use crate::decode::Encoding;

/// Bytes of the shift into double-byte mode at `b[i..]`, 0 if there is none.
/// JEF has three (K 0x28, K1 0x38, and K2 0x30 0xE2); [`Encoding::shifts`]
/// names K.
pub fn shift_in_at(enc: Encoding, b: &[u8], i: usize) -> usize {
    if matches!(
        enc,
        Encoding::JefEbcdic | Encoding::JefEbcdik | Encoding::JefAscii
    ) {
        return match (b.get(i), b.get(i + 1)) {
            (Some(0x28 | 0x38), _) => 1,
            (Some(0x30), Some(0xE2)) => 2,
            _ => 0,
        };
    }
    match enc.shifts() {
        Some((si, _)) if b[i.min(b.len())..].starts_with(si) => si.len(),
        _ => 0,
    }
}

/// Bytes of the shift back to single-byte mode at `b[i..]`, 0 if there is none.
pub fn shift_out_at(enc: Encoding, b: &[u8], i: usize) -> usize {
    match enc.shifts() {
        Some((_, so)) if b[i.min(b.len())..].starts_with(so) => so.len(),
        _ => 0,
    }
}

/// Reads characters by the shift state: single-byte characters, shift codes
/// (one "character" each) and double-byte characters.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    enc: Encoding,
    /// In a double-byte run: where its shift-in starts.
    open: Option<usize>,
}

impl Cursor {
    pub fn new(enc: Encoding) -> Cursor {
        Cursor { enc, open: None }
    }

    /// Bytes of the character (or shift code) at `b[i]`, moving the state past
    /// it. As the decoders read it: a shift code that does not change the mode
    /// (a shift-in inside a double-byte run, a shift-out outside one) is skipped.
    pub fn step(&mut self, b: &[u8], i: usize) -> usize {
        let (si, so) = (shift_in_at(self.enc, b, i), shift_out_at(self.enc, b, i));
        match self.open {
            None if si > 0 => {
                self.open = Some(i);
                si
            }
            Some(_) if so > 0 => {
                self.open = None;
                so
            }
            None => so.max(1),
            Some(_) => {
                if si > 0 {
                    si
                } else {
                    2
                }
            }
        }
    }

    /// Where the open double-byte run's shift-in is, if one is open.
    pub fn open(&self) -> Option<usize> {
        self.open
    }
}

/// A mixed item that ends inside a double-byte run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unclosed {
    /// Offset of the shift-in of the run, in the item.
    pub shift_in: usize,
    /// The item ends inside a double-byte character too (one byte of it left).
    pub mid_character: bool,
}

/// Whether `b` (one item of mixed text) ends inside a double-byte run. A
/// well-formed item starts and ends in single-byte mode.
pub fn unclosed(enc: Encoding, b: &[u8]) -> Option<Unclosed> {
    let mut c = Cursor::new(enc);
    let mut i = 0;
    while i < b.len() {
        i += c.step(b, i);
    }
    c.open().map(|shift_in| Unclosed {
        shift_in,
        mid_character: i > b.len(),
    })
}

/// `bytes` (pure double-byte text, PIC N) between the encoding's shift codes in
/// `buf` (cleared first, reused from item to item), so that the decoder reads
/// them as a mixed item. Returns the bytes the shift-in takes; None for an
/// encoding without shift codes.
pub fn wrap_dbcs(enc: Encoding, bytes: &[u8], buf: &mut Vec<u8>) -> Option<usize> {
    let (si, so) = enc.shifts()?;
    buf.clear();
    buf.extend_from_slice(si);
    buf.extend_from_slice(bytes);
    buf.extend_from_slice(so);
    Some(si.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_items_pass() {
        for (enc, item) in [
            (Encoding::Ibm930, &b"\xC1\x0E\x45\x41\x0F\xC2"[..]),
            // 0x0F as the second byte of a double-byte character is data.
            (Encoding::Ibm930, b"\x0E\x45\x0F\x0F"),
            (Encoding::JefEbcdik, b"\x28\xB0\xA1\x29"),
            (Encoding::JefEbcdik, b"\x38\xB0\xA1\x29\x30\xE2\xB0\xA1\x29"),
            (Encoding::KeisEbcdik, b"\x0A\x42\xB0\xA1\x0A\x41"),
            (Encoding::JipsE, b"\x3F\x75\x50\x50\x3F\x76"),
            (Encoding::Ibm930, b""),
        ] {
            assert_eq!(unclosed(enc, item), None, "{enc} {item:02X?}");
        }
    }

    #[test]
    fn an_item_ending_in_a_double_byte_run_is_found() {
        assert_eq!(
            unclosed(Encoding::Ibm930, b"\xC1\x0E\x45\x41"),
            Some(Unclosed {
                shift_in: 1,
                mid_character: false
            })
        );
        assert_eq!(
            unclosed(Encoding::Ibm930, b"\x0E\x45\x41\x45"),
            Some(Unclosed {
                shift_in: 0,
                mid_character: true
            })
        );
        // The KEIS shift-out 0x0A 0x41 split between two characters is no shift-out.
        assert!(unclosed(Encoding::KeisEbcdik, b"\x0A\x42\xB0\x0A\x41\xB0").is_some());
        assert!(unclosed(Encoding::JefEbcdic, b"\x30\xE2\xB0\xA1").is_some());
    }

    #[test]
    fn dbcs_bytes_are_wrapped_in_a_reused_buffer() {
        let mut buf = Vec::with_capacity(16);
        assert_eq!(
            wrap_dbcs(Encoding::KeisEbcdic, b"\x40\x40", &mut buf),
            Some(2)
        );
        assert_eq!(buf, b"\x0A\x42\x40\x40\x0A\x41");
        let cap = buf.capacity();
        wrap_dbcs(Encoding::Ibm930, b"\x45\x41", &mut buf);
        assert_eq!(
            (buf.as_slice(), buf.capacity()),
            (&b"\x0E\x45\x41\x0F"[..], cap)
        );
        assert_eq!(wrap_dbcs(Encoding::Cp932, b"", &mut buf), None);
    }
}
