//! The shift structure of mainframe mixed text (IBM SO/SI, JEF K/A, KEIS,
//! JIPS): where double-byte runs start and end, read from the bytes alone,
//! without decoding. In a double-byte run the bytes go two by two, so a shift
//! code is only recognised where a character could start.

use crate::decode::Encoding;

/// Bytes of the shift into double-byte mode at `b[i..]`, 0 if there is none
/// (any of [`Encoding::shift_ins`]: JEF has three).
pub fn shift_in_at(enc: Encoding, b: &[u8], i: usize) -> usize {
    Shifts::of(enc).map_or(0, |s| s.shift_in_at(b, i))
}

/// Bytes of the shift back to single-byte mode at `b[i..]`, 0 if there is none.
pub fn shift_out_at(enc: Encoding, b: &[u8], i: usize) -> usize {
    Shifts::of(enc).map_or(0, |s| s.shift_out_at(b, i))
}

/// An encoding's shift codes, looked up once: the scan runs over every byte of
/// every mixed item, so each test is a byte compare before any slice compare.
#[derive(Debug, Clone, Copy)]
struct Shifts {
    ins: &'static [&'static [u8]],
    out: &'static [u8],
}

impl Shifts {
    fn of(enc: Encoding) -> Option<Shifts> {
        let out = enc.shift_out()?;
        Some(Shifts {
            ins: enc.shift_ins(),
            out,
        })
    }

    #[inline]
    fn starts(b: &[u8], i: usize, code: &[u8]) -> bool {
        b.get(i) == code.first() && b[i..].starts_with(code)
    }

    #[inline]
    fn shift_in_at(&self, b: &[u8], i: usize) -> usize {
        self.ins
            .iter()
            .find(|code| Self::starts(b, i, code))
            .map_or(0, |code| code.len())
    }

    #[inline]
    fn shift_out_at(&self, b: &[u8], i: usize) -> usize {
        if Self::starts(b, i, self.out) {
            self.out.len()
        } else {
            0
        }
    }

    /// Whether `b` holds no byte that can start a shift into double-byte mode.
    fn none_in(&self, b: &[u8]) -> bool {
        let first = |k: usize| self.ins.get(k).and_then(|c| c.first()).copied();
        match (first(0), first(1), first(2), self.ins.len()) {
            (Some(x), None, None, 1) => memchr::memchr(x, b).is_none(),
            (Some(x), Some(y), None, 2) => memchr::memchr2(x, y, b).is_none(),
            (Some(x), Some(y), Some(z), 3) => memchr::memchr3(x, y, z, b).is_none(),
            // More shift-ins than memchr takes (no encoding has them): scan.
            _ => false,
        }
    }
}

/// Reads characters by the shift state: single-byte characters, shift codes
/// (one "character" each) and double-byte characters.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    shifts: Option<Shifts>,
    /// In a double-byte run: where its shift-in starts.
    open: Option<usize>,
}

impl Cursor {
    pub fn new(enc: Encoding) -> Cursor {
        Cursor {
            shifts: Shifts::of(enc),
            open: None,
        }
    }

    /// Bytes of the character (or shift code) at `b[i]`, moving the state past
    /// it. As the decoders read it: a shift code that does not change the mode
    /// (a shift-in inside a double-byte run, a shift-out outside one) is skipped.
    #[inline]
    pub fn step(&mut self, b: &[u8], i: usize) -> usize {
        let Some(s) = self.shifts else { return 1 };
        match self.open {
            None => {
                let si = s.shift_in_at(b, i);
                if si > 0 {
                    self.open = Some(i);
                    si
                } else {
                    s.shift_out_at(b, i).max(1)
                }
            }
            Some(_) => {
                let so = s.shift_out_at(b, i);
                if so > 0 {
                    self.open = None;
                    so
                } else {
                    match s.shift_in_at(b, i) {
                        0 => 2,
                        si => si,
                    }
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
    // Most items (numbers, codes, kana) never shift: one memchr says so.
    if c.shifts.is_none_or(|s| s.none_in(b)) {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        i += c.step(b, i);
    }
    c.open().map(|shift_in| Unclosed {
        shift_in,
        mid_character: i > b.len(),
    })
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

    /// The shift reading written plainly (as it was before the byte-compare
    /// and memchr shortcuts), for the proptest below.
    fn unclosed_plainly(enc: Encoding, b: &[u8]) -> Option<Unclosed> {
        let (si, so) = enc.shifts()?;
        let jef = matches!(
            enc,
            Encoding::JefEbcdic | Encoding::JefEbcdik | Encoding::JefAscii
        );
        let shift_in = |i: usize| -> usize {
            if jef {
                match (b.get(i), b.get(i + 1)) {
                    (Some(0x28 | 0x38), _) => 1,
                    (Some(0x30), Some(0xE2)) => 2,
                    _ => 0,
                }
            } else if b[i..].starts_with(si) {
                si.len()
            } else {
                0
            }
        };
        let (mut i, mut open) = (0, None);
        while i < b.len() {
            let (n_in, n_out) = (
                shift_in(i),
                if b[i..].starts_with(so) { so.len() } else { 0 },
            );
            i += match open {
                None if n_in > 0 => {
                    open = Some(i);
                    n_in
                }
                None => n_out.max(1),
                Some(_) if n_out > 0 => {
                    open = None;
                    n_out
                }
                Some(_) if n_in > 0 => n_in,
                Some(_) => 2,
            };
        }
        open.map(|shift_in| Unclosed {
            shift_in,
            mid_character: i > b.len(),
        })
    }

    proptest::proptest! {
        #[test]
        fn the_fast_scan_reads_shifts_as_the_plain_one(
            enc in proptest::sample::select(
                Encoding::ALL.into_iter().filter(|e| e.shifts().is_some()).collect::<Vec<_>>()),
            b in proptest::collection::vec(proptest::sample::select(
                vec![0x0E, 0x0F, 0x0A, 0x41, 0x42, 0x28, 0x29, 0x38, 0x30, 0xE2, 0x3F, 0x75,
                     0x76, 0x1A, 0x70, 0x71, 0x40, 0xB0]), 0..24),
        ) {
            proptest::prop_assert_eq!(unclosed(enc, &b), unclosed_plainly(enc, &b));
        }
    }
}
