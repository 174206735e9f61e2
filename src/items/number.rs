//! Mainframe numbers (COBOL COMP-3, zoned DISPLAY, COMP) → decimal text.
//!
//! The value is written as `[-]int[.frac]` with `scale` decimal places: no
//! leading zeros but the one before the point, no `+`, and no `-` on zero, so
//! the Number cleansing rule and validation see the same text as for a CSV
//! number. Digits go through a stack buffer: no allocation per item.

/// The most digits a mainframe number item may have (COBOL's classic limit;
/// 18 digits still fit an i64, which binary items need).
pub const MAX_DIGITS: u32 = 18;

/// Bytes a packed item of `digits` digits takes: two digits a byte, the sign
/// in the last half byte.
pub fn packed_len(digits: u32) -> usize {
    digits as usize / 2 + 1
}

/// Bytes a zoned item of `digits` digits takes: one digit a byte.
pub fn zoned_len(digits: u32) -> usize {
    digits as usize
}

/// Bytes a binary item of `digits` digits takes (COBOL COMP: halfword,
/// fullword or doubleword).
pub fn binary_len(digits: u32) -> usize {
    match digits {
        0..=4 => 2,
        5..=9 => 4,
        _ => 8,
    }
}

/// Why an item is no number of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFault {
    /// A half byte of a packed item that is no digit (or no sign, in the last).
    BadPacked,
    /// A zoned byte whose zone or digit half is wrong.
    BadZoned,
    /// A binary value with more digits than the item's `digits`.
    BinaryOverflow,
    /// The item does not have the bytes its type and digits need (a short
    /// variable-length record).
    WrongSize,
}

impl NumberFault {
    /// The reason code of the reject.
    pub fn code(self) -> &'static str {
        match self {
            NumberFault::BadPacked => "bad-packed",
            NumberFault::BadZoned => "bad-zoned",
            NumberFault::BinaryOverflow => "binary-overflow",
            NumberFault::WrongSize => "short-item",
        }
    }
}

/// A number item that is not one: what is wrong and where (offset in the item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberError {
    pub fault: NumberFault,
    /// 0-based offset of the bad byte within the item.
    pub offset: usize,
    /// The bad byte.
    pub byte: u8,
}

fn fault(fault: NumberFault, bytes: &[u8], offset: usize) -> NumberError {
    NumberError {
        fault,
        offset,
        byte: bytes.get(offset).copied().unwrap_or(0),
    }
}

/// Digits of one value, most significant first, at most [`MAX_DIGITS`] + 1.
struct Digits {
    buf: [u8; 20],
    len: usize,
}

impl Digits {
    fn new() -> Digits {
        Digits {
            buf: [0; 20],
            len: 0,
        }
    }

    fn push(&mut self, d: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = d;
            self.len += 1;
        }
    }

    /// Writes `[-]int[.frac]` with `scale` digits after the point.
    fn write(&self, negative: bool, scale: usize, out: &mut String) {
        let digits = &self.buf[..self.len];
        let scale = scale.min(digits.len());
        let (int, frac) = digits.split_at(digits.len() - scale);
        let first = int.iter().position(|&d| d != 0);
        let zero = first.is_none() && frac.iter().all(|&d| d == 0);
        if negative && !zero {
            out.push('-');
        }
        match first {
            Some(f) => int[f..].iter().for_each(|&d| out.push((b'0' + d) as char)),
            None => out.push('0'),
        }
        if !frac.is_empty() {
            out.push('.');
            frac.iter().for_each(|&d| out.push((b'0' + d) as char));
        }
    }
}

/// An item of only this space byte is an item with no value (a number that was
/// never set): it decodes to the empty value, and `required` decides.
fn blank(bytes: &[u8], space: u8) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| b == space)
}

/// COMP-3: `digits` digits, two a byte, the sign in the last half byte
/// (C, F, A, E positive; D, B negative). With an even digit count the first
/// half byte is padding and must be 0 (else the value has more digits than the
/// layout says). `space` is the encoding's space byte (a blank item is empty).
pub fn packed(
    bytes: &[u8],
    digits: u32,
    scale: u32,
    space: u8,
    out: &mut String,
) -> Result<(), NumberError> {
    if bytes.is_empty() || blank(bytes, space) {
        return Ok(());
    }
    if bytes.len() != packed_len(digits) {
        return Err(fault(NumberFault::WrongSize, bytes, bytes.len() - 1));
    }
    let mut v = Digits::new();
    let nibbles = bytes.len() * 2;
    let pad = nibbles - 1 - digits as usize;
    let mut negative = false;
    for k in 0..nibbles {
        let b = bytes[k / 2];
        let n = if k % 2 == 0 { b >> 4 } else { b & 0x0F };
        if k + 1 == nibbles {
            negative = match n {
                0xC | 0xF | 0xA | 0xE => false,
                0xD | 0xB => true,
                _ => return Err(fault(NumberFault::BadPacked, bytes, k / 2)),
            };
        } else if n > 9 || (k < pad && n != 0) {
            return Err(fault(NumberFault::BadPacked, bytes, k / 2));
        } else if k >= pad {
            v.push(n);
        }
    }
    v.write(negative, scale as usize, out);
    Ok(())
}

/// Zoned decimal: one digit a byte in the low half, the zone in the high half:
/// 0xF in EBCDIC, 0x3 in an ASCII-family encoding (`ascii`). The zone of the
/// last byte is the sign: C or F (or 3 in ASCII) positive, D negative.
pub fn zoned(
    bytes: &[u8],
    digits: u32,
    scale: u32,
    ascii: bool,
    out: &mut String,
) -> Result<(), NumberError> {
    let (zone, space) = if ascii { (0x3, b' ') } else { (0xF, 0x40) };
    if bytes.is_empty() || blank(bytes, space) {
        return Ok(());
    }
    if bytes.len() != zoned_len(digits) {
        return Err(fault(NumberFault::WrongSize, bytes, bytes.len() - 1));
    }
    let mut v = Digits::new();
    let mut negative = false;
    for (k, &b) in bytes.iter().enumerate() {
        let (z, d) = (b >> 4, b & 0x0F);
        let zone_ok = if k + 1 == bytes.len() {
            negative = z == 0xD;
            z == zone || matches!(z, 0xC | 0xD | 0xF)
        } else {
            z == zone
        };
        if !zone_ok || d > 9 {
            return Err(fault(NumberFault::BadZoned, bytes, k));
        }
        v.push(d);
    }
    v.write(negative, scale as usize, out);
    Ok(())
}

/// COMP: big-endian two's complement of 2, 4 or 8 bytes; the value must have
/// at most `digits` digits (COBOL truncates on write, so more means the
/// layout or the data is wrong).
pub fn binary(bytes: &[u8], digits: u32, scale: u32, out: &mut String) -> Result<(), NumberError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let value: i64 = match *bytes {
        [a, b] => i16::from_be_bytes([a, b]).into(),
        [a, b, c, d] => i32::from_be_bytes([a, b, c, d]).into(),
        [a, b, c, d, e, f, g, h] => i64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => return Err(fault(NumberFault::WrongSize, bytes, bytes.len() - 1)),
    };
    let mut magnitude = value.unsigned_abs();
    let limit = 10u64
        .checked_pow(digits.min(MAX_DIGITS))
        .unwrap_or(u64::MAX);
    if magnitude >= limit {
        return Err(fault(NumberFault::BinaryOverflow, bytes, 0));
    }
    // Digits least significant first, then reversed into place.
    let mut rev = [0u8; 20];
    let mut n = 0;
    while magnitude > 0 || n == 0 {
        rev[n] = (magnitude % 10) as u8;
        magnitude /= 10;
        n += 1;
    }
    let mut v = Digits::new();
    // As many digits as the scale needs, so that 5 with scale 2 reads 0.05.
    for _ in n..(scale as usize + 1).min(rev.len()) {
        v.push(0);
    }
    rev[..n].iter().rev().for_each(|&d| v.push(d));
    v.write(value < 0, scale as usize, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(bytes: &[u8], digits: u32, scale: u32) -> Result<String, NumberError> {
        let mut s = String::new();
        packed(bytes, digits, scale, 0x40, &mut s).map(|()| s)
    }
    fn z(bytes: &[u8], digits: u32, scale: u32, ascii: bool) -> Result<String, NumberError> {
        let mut s = String::new();
        zoned(bytes, digits, scale, ascii, &mut s).map(|()| s)
    }
    fn b(bytes: &[u8], digits: u32, scale: u32) -> Result<String, NumberError> {
        let mut s = String::new();
        binary(bytes, digits, scale, &mut s).map(|()| s)
    }

    #[test]
    fn packed_examples() {
        assert_eq!(p(&[0x12, 0x34, 0x56, 0x7D], 7, 2).unwrap(), "-12345.67");
        assert_eq!(p(&[0x00, 0x00, 0x5C], 5, 2).unwrap(), "0.05");
        assert_eq!(p(&[0x00, 0x00, 0x0D], 5, 0).unwrap(), "0", "no -0");
        assert_eq!(p(&[0x01, 0x2F], 3, 0).unwrap(), "12");
        assert_eq!(p(&[0x00, 0x12, 0x3C], 4, 4).unwrap(), "0.0123");
        assert_eq!(p(&[0x40, 0x40], 3, 0).unwrap(), "", "blank is no value");
        let e = p(&[0x12, 0xA4, 0x5C], 5, 0).unwrap_err();
        assert_eq!(
            (e.fault, e.offset, e.byte),
            (NumberFault::BadPacked, 1, 0xA4)
        );
        let e = p(&[0x12, 0x34, 0x57], 5, 0).unwrap_err();
        assert_eq!((e.fault, e.offset), (NumberFault::BadPacked, 2), "sign 7");
        // 4 digits in 3 bytes: the first half byte is padding.
        let e = p(&[0x10, 0x00, 0x0C], 4, 0).unwrap_err();
        assert_eq!((e.fault, e.offset), (NumberFault::BadPacked, 0));
        assert_eq!(
            p(&[0x12, 0x3C], 5, 0).unwrap_err().fault,
            NumberFault::WrongSize
        );
    }

    #[test]
    fn zoned_examples() {
        // EBCDIC 1234J = -12341 (J = 0xD1).
        assert_eq!(
            z(&[0xF1, 0xF2, 0xF3, 0xF4, 0xD1], 5, 2, false).unwrap(),
            "-123.41"
        );
        assert_eq!(z(&[0xF0, 0xF0, 0xC5], 3, 2, false).unwrap(), "0.05");
        assert_eq!(z(b"0042", 4, 0, true).unwrap(), "42");
        assert_eq!(z(&[0x30, 0xD2], 2, 0, true).unwrap(), "-2");
        assert_eq!(z(&[0x40, 0x40], 2, 0, false).unwrap(), "");
        let e = z(&[0xF1, 0xC2, 0xF3], 3, 0, false).unwrap_err();
        assert_eq!(
            (e.fault, e.offset, e.byte),
            (NumberFault::BadZoned, 1, 0xC2)
        );
        let e = z(&[0xF1, 0xFA], 2, 0, false).unwrap_err();
        assert_eq!((e.fault, e.offset), (NumberFault::BadZoned, 1));
        // An ASCII digit is no EBCDIC digit, and the reverse.
        assert!(z(b"12", 2, 0, false).is_err());
        assert!(z(&[0xF1, 0xF2], 2, 0, true).is_err());
    }

    #[test]
    fn binary_examples() {
        assert_eq!(b(&[0xFF, 0xFE], 4, 0).unwrap(), "-2");
        assert_eq!(b(&[0x00, 0x05], 4, 2).unwrap(), "0.05");
        assert_eq!(b(&[0x00, 0x00, 0x30, 0x39], 9, 1).unwrap(), "1234.5");
        assert_eq!(
            b(&[0x80, 0, 0, 0, 0, 0, 0, 0], 18, 0).unwrap_err().fault,
            NumberFault::BinaryOverflow
        );
        let e = b(&[0x27, 0x10], 4, 0).unwrap_err();
        assert_eq!(e.fault, NumberFault::BinaryOverflow, "10000 has 5 digits");
        assert_eq!(b(&[0x27, 0x0F], 4, 0).unwrap(), "9999");
        assert_eq!(
            b(&[1, 2, 3], 4, 0).unwrap_err().fault,
            NumberFault::WrongSize
        );
    }

    /// The expected text of `v` (an integer of at most `digits` digits) with `scale`
    /// decimal places, by string arithmetic, independent of the code above.
    fn expected(v: i128, scale: u32) -> String {
        let mag = v.unsigned_abs().to_string();
        let padded = format!("{mag:0>width$}", width = scale as usize + 1);
        let (int, frac) = padded.split_at(padded.len() - scale as usize);
        let sign = if v < 0 { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    /// Packed bytes of `v`, by the textbook: the digits as a string, padded to an
    /// odd count, a sign half byte appended, pairs of half bytes packed.
    fn encode_packed(v: i128, digits: u32, sign: u8) -> Vec<u8> {
        let mut s = format!("{:0>width$}", v.unsigned_abs(), width = digits as usize);
        if s.len() % 2 == 0 {
            s.insert(0, '0');
        }
        let mut nib: Vec<u8> = s.bytes().map(|c| c - b'0').collect();
        nib.push(sign);
        nib.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
    }

    fn encode_zoned(v: i128, digits: u32, ascii: bool, last_zone: u8) -> Vec<u8> {
        let zone = if ascii { 0x30 } else { 0xF0 };
        let s = format!("{:0>width$}", v.unsigned_abs(), width = digits as usize);
        let mut out: Vec<u8> = s.bytes().map(|c| zone | (c - b'0')).collect();
        if let Some(last) = out.last_mut() {
            *last = last_zone << 4 | (*last & 0x0F);
        }
        out
    }

    fn encode_binary(v: i128, digits: u32) -> Vec<u8> {
        let bytes = v.to_be_bytes();
        let n = match digits {
            1..=4 => 2,
            5..=9 => 4,
            _ => 8,
        };
        bytes[16 - n..].to_vec()
    }

    /// Any value of 1–18 digits, any scale up to the digits, either sign.
    fn value() -> impl Strategy<Value = (u32, u32, i128)> {
        (1u32..=18).prop_flat_map(|digits| {
            let max = 10i128.pow(digits) - 1;
            (Just(digits), 0..=digits, -max..=max)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn packed_decodes_what_an_encoder_wrote((digits, scale, v) in value(), pos in 0usize..4, neg in 0usize..2) {
            let sign = if v < 0 { [0xD, 0xB][neg] } else { [0xC, 0xF, 0xA, 0xE][pos] };
            let bytes = encode_packed(v, digits, sign);
            prop_assert_eq!(bytes.len(), packed_len(digits));
            prop_assert_eq!(p(&bytes, digits, scale).unwrap(), expected(v, scale));
            // Any half byte turned into a non-digit is refused at its byte.
            let k = (v.unsigned_abs() % (bytes.len() as u128 * 2 - 1)) as usize;
            let mut bad = bytes.clone();
            bad[k / 2] |= if k.is_multiple_of(2) { 0xA0 } else { 0x0A };
            let e = p(&bad, digits, scale).unwrap_err();
            prop_assert_eq!((e.fault, e.offset), (NumberFault::BadPacked, k / 2));
        }

        #[test]
        fn zoned_decodes_what_an_encoder_wrote((digits, scale, v) in value(), ascii in any::<bool>(), f in any::<bool>()) {
            let last = match (v < 0, ascii, f) {
                (true, ..) => 0xD,
                (false, true, true) => 0x3,
                (false, _, true) => 0xF,
                (false, _, false) => 0xC,
            };
            let bytes = encode_zoned(v, digits, ascii, last);
            prop_assert_eq!(z(&bytes, digits, scale, ascii).unwrap(), expected(v, scale));
            let k = (v.unsigned_abs() % digits as u128) as usize;
            let mut bad = bytes.clone();
            bad[k] = (bad[k] & 0x0F) | 0x50;
            let e = z(&bad, digits, scale, ascii).unwrap_err();
            prop_assert_eq!((e.fault, e.offset), (NumberFault::BadZoned, k));
        }

        #[test]
        fn binary_decodes_what_an_encoder_wrote((digits, scale, v) in value()) {
            let bytes = encode_binary(v, digits);
            prop_assert_eq!(bytes.len(), binary_len(digits));
            prop_assert_eq!(b(&bytes, digits, scale).unwrap(), expected(v, scale));
            // One more than the digits allow (when the bytes can hold it).
            let over = 10i128.pow(digits);
            if over < 1 << (bytes.len() * 8 - 1) {
                let big = encode_binary(if v < 0 { -over } else { over }, digits);
                prop_assert_eq!(b(&big, digits, scale).unwrap_err().fault, NumberFault::BinaryOverflow);
            }
        }
    }
}
