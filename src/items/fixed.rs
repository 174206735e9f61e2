//! One item of a fixed-length record: its bytes → text, by its type. Text
//! items are decoded (pure double-byte `dbcs` items between the encoding's
//! shift codes; mixed items checked to end in single-byte mode first); packed,
//! zoned and binary items become decimal text ([`super::number`]).

use super::number::{self, NumberError};
use super::shift::{self, Unclosed};
use crate::cleanse::Padding;
use crate::decode::{self, DecodeError, Encoding};
use crate::layout::{Field, FieldType};

/// Why an item's bytes give no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemFault {
    /// Bytes the encoding cannot decode (offset in the item).
    Decode(DecodeError),
    /// A number item that is not one of its type.
    Number(NumberError),
    /// Mixed text that ends inside a double-byte run.
    Unclosed(Unclosed),
}

impl ItemFault {
    /// The reason code of the reject (as `convert` gives it, but for a cut
    /// character, which needs the whole record to tell).
    pub fn code(&self) -> &'static str {
        match self {
            ItemFault::Decode(_) => "undecodable",
            ItemFault::Number(e) => e.fault.code(),
            ItemFault::Unclosed(_) => "unclosed-shift",
        }
    }
}

/// Decodes `bytes`, the item `field` of a fixed record, appending its text to
/// `out`. `wrap` is a buffer reused from item to item (for `dbcs` items).
pub fn decode_item(
    enc: Encoding,
    field: &Field,
    bytes: &[u8],
    out: &mut String,
    wrap: &mut Vec<u8>,
) -> Result<(), ItemFault> {
    let digits = field.digits.unwrap_or(0);
    let scale = field.scale.unwrap_or(0);
    let number = match field.kind {
        FieldType::Packed => {
            let space = if enc.is_ebcdic() { 0x40 } else { b' ' };
            number::packed(bytes, digits, scale, space, out)
        }
        FieldType::Zoned => number::zoned(bytes, digits, scale, !enc.is_ebcdic(), out),
        FieldType::Binary => number::binary(bytes, digits, scale, out),
        _ => return decode_text(enc, field, bytes, out, wrap),
    };
    number.map_err(ItemFault::Number)
}

/// What [`decode_item_padded`] found besides the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Told {
    /// The padding for cleansing: the last `pad.len` bytes of the text are
    /// spaces and NULs; `pad.spaces` also when spaces were left out (`dropped`).
    pub pad: Padding,
    /// The flags of the item's characters OR-ed, when the decoder told them.
    pub flags: Option<u8>,
    /// Trailing spaces read but not put into the text (`drop_spaces`).
    pub dropped: usize,
}

/// As [`decode_item`], and what the item's bytes show of its padding: a text
/// item of an encoding in which U+0020 and NUL are the bytes 0x20 and 0x00 and
/// no other character holds those bytes (CP932, Shift_JIS, EUC-JP, UTF-8) is
/// decoded without its trailing run of them, which is copied as it is: the text
/// is the same, the padding is not decoded, and cleansing need not look at it
/// again (the [`Padding`] goes to [`crate::cleanse::Cleanser::cleanse_padded`]).
/// With `drop_spaces`, padding of spaces only is not even copied (cleansing
/// removes every trailing space anyway): [`Told::dropped`] says how many.
///
/// With `flags` (the encoding's [`decode::CharFlags`]), also the flags of the
/// item's decoded characters OR-ed, when the decoder told them (Some).
pub fn decode_item_padded(
    enc: Encoding,
    field: &Field,
    bytes: &[u8],
    out: &mut String,
    wrap: &mut Vec<u8>,
    flags: Option<&decode::CharFlags>,
    drop_spaces: bool,
) -> Result<Told, ItemFault> {
    if !padded_text(enc, field) {
        return decode_item(enc, field, bytes, out, wrap).map(|()| Told::default());
    }
    if let Some(told) = decode_head(
        decode::ItemDecoder::new(enc),
        bytes,
        out,
        flags,
        drop_spaces,
    ) {
        return Ok(told);
    }
    // Bad bytes: decoded again whole, so the error is exactly the one the item
    // gives (a character cut by the padding would be told differently).
    decode_item(enc, field, bytes, out, wrap).map(|()| Told::default())
}

/// Whether [`decode_item_padded`] finds the padding of `field` on its bytes:
/// a text item (not `dbcs`) of an encoding of [`plain_bytes`].
pub fn padded_text(enc: Encoding, field: &Field) -> bool {
    let text = !matches!(
        field.kind,
        FieldType::Packed | FieldType::Zoned | FieldType::Binary
    ) && !field.dbcs;
    text && plain_bytes(enc)
}

/// The part of [`decode_item_padded`] that decodes the item without its
/// trailing padding; None (`out` as it was): bad bytes, the caller decodes the
/// item whole. Inlined into the loop over a record's items (no call per item
/// but the decoder's, nothing large moved).
#[inline(always)]
pub fn decode_head(
    decoder: decode::ItemDecoder,
    bytes: &[u8],
    out: &mut String,
    flags: Option<&decode::CharFlags>,
    drop_spaces: bool,
) -> Option<Told> {
    let pad = trailing_padding(bytes);
    let (head, tail) = bytes.split_at(bytes.len() - pad.len);
    let start = out.len();
    let Ok(told) = decoder.decode_flagged(head, out, flags) else {
        out.truncate(start);
        return None;
    };
    // The padding is spaces and NULs: never mapped; a NUL is trimmed before
    // any check that looks at the characters.
    if drop_spaces && !pad.nuls {
        let kept = Padding { len: 0, ..pad };
        return Some(Told {
            pad: kept,
            flags: told,
            dropped: pad.len,
        });
    }
    push_padding(out, tail, pad);
    Some(Told {
        pad,
        flags: told,
        dropped: 0,
    })
}

/// Whether every byte below 0x80 of `enc` is that ASCII character, never a
/// piece of another: CP932 and Shift_JIS trail bytes are 0x40 and above,
/// EUC-JP and UTF-8 use only bytes from 0x80 up for other characters. Then
/// the bytes 0x20 and 0x00 are U+0020 and NUL, and a comma, quote, CR or LF
/// byte is that character.
pub fn plain_bytes(enc: Encoding) -> bool {
    matches!(
        enc,
        Encoding::Cp932 | Encoding::ShiftJis | Encoding::EucJp | Encoding::EucJpMs | Encoding::Utf8
    )
}

/// Appends `tail`, bytes 0x20 and 0x00 (`pad` tells which occur), as text.
pub fn push_padding(out: &mut String, tail: &[u8], pad: Padding) {
    const SPACES: &str = "                                                                ";
    if pad.nuls {
        // Rare: NUL padding, byte by byte.
        out.extend(tail.iter().map(|&c| c as char));
        return;
    }
    let mut n = tail.len();
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// The trailing run of 0x20 and 0x00 bytes of `b`: from the end, 32 bytes at
/// a time while they are all spaces, then sixteen while they are all padding
/// (`rchunks_exact`: no bounds check per step), then eight, then one.
#[inline(always)]
pub fn trailing_padding(b: &[u8]) -> Padding {
    if b.last().is_none_or(|&c| c != b' ' && c != 0) {
        // Not padded (a full item, or none): one test.
        return Padding::default();
    }
    // Spaces only (the common padding), 32 bytes a step.
    let mut end = b.len();
    while let Some(block) = end.checked_sub(32).and_then(|a| b.get(a..end))
        && all_spaces32(block)
    {
        end -= 32;
    }
    let mut p = Padding {
        len: b.len() - end,
        spaces: end < b.len(),
        nuls: false,
    };
    let mut blocks = b[..end].rchunks_exact(16);
    for block in &mut blocks {
        #[cfg(target_arch = "x86_64")]
        {
            // Both kinds of pad byte at once, and where the run ends in one step
            // (pad_word on each half took about twice the instructions).
            let (spaces, nuls) = pad_masks16(block);
            let pad = spaces | nuls;
            if pad == 0xFFFF {
                p.spaces |= spaces != 0;
                p.nuls |= nuls != 0;
                p.len += 16;
                continue;
            }
            // How many of the block's last bytes are padding (below 16).
            let k = (!pad as u16).leading_zeros() as usize;
            let top = (0xFFFF_u32 << (16 - k)) & 0xFFFF;
            p.spaces |= spaces & top != 0;
            p.nuls |= nuls & top != 0;
            p.len += k;
            return p;
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            const SPACES16: u128 = 0x2020_2020_2020_2020_2020_2020_2020_2020;
            let x = u128::from_le_bytes(block.try_into().unwrap_or_default());
            if x == SPACES16 {
                // The common padding: spaces only.
                p.spaces = true;
                p.len += 16;
                continue;
            }
            // The last eight bytes first.
            if !pad_word((x >> 64) as u64, &mut p) || !pad_word(x as u64, &mut p) {
                return p;
            }
        }
    }
    let rest = blocks.remainder();
    let mut words = rest.rchunks_exact(8);
    for word in &mut words {
        if !pad_word(
            u64::from_le_bytes(word.try_into().unwrap_or_default()),
            &mut p,
        ) {
            return p;
        }
    }
    for &c in words.remainder().iter().rev() {
        match c {
            b' ' => p.spaces = true,
            0 => p.nuls = true,
            _ => break,
        }
        p.len += 1;
    }
    p
}

/// Whether the 32 bytes of `block` are all 0x20 (false when it is shorter).
#[inline(always)]
fn all_spaces32(block: &[u8]) -> bool {
    let Some(block) = block.first_chunk::<32>() else {
        return false;
    };
    #[cfg(target_arch = "x86_64")]
    {
        let (lo, hi) = block.split_at(16);
        pad_masks16(lo).0 & pad_masks16(hi).0 == 0xFFFF
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block.iter().all(|&c| c == b' ')
    }
}

/// Bit i set when byte i of `block` is 0x20 (the first mask) or 0x00 (the second).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn pad_masks16(block: &[u8]) -> (u32, u32) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8, _mm_setzero_si128,
    };
    let Some(block) = block.first_chunk::<16>() else {
        return (0, 0);
    };
    // SAFETY: SSE2 is part of x86-64; `block` is 16 readable bytes, what an
    // unaligned 128-bit load reads.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let spaces = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)));
        let nuls = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
        (spaces as u32, nuls as u32)
    }
}

/// Adds to `p` the padding at the top of `w` (eight bytes, little-endian,
/// that end where `p` starts): true when all of `w` is padding, so that the
/// run may go on below it.
#[inline(always)]
fn pad_word(w: u64, p: &mut Padding) -> bool {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte is 0x00 or 0x20 when it is 0 without the 0x20 bit.
    let pad = crate::items::equal_bytes(w & !SPACES, 0);
    if pad == HIGH {
        p.spaces |= w != 0;
        p.nuls |= w != SPACES;
        p.len += 8;
        return true;
    }
    // The pad bytes at the top of `w` (its last bytes): above the highest
    // byte that is neither.
    let k = ((!pad & HIGH).leading_zeros() / 8) as usize;
    if k > 0 {
        let top = w >> (64 - 8 * k);
        p.spaces |= top != 0;
        p.nuls |= top != SPACES >> (64 - 8 * k);
        p.len += k;
    }
    false
}

fn decode_text(
    enc: Encoding,
    field: &Field,
    bytes: &[u8],
    out: &mut String,
    wrap: &mut Vec<u8>,
) -> Result<(), ItemFault> {
    if field.dbcs
        && !bytes.is_empty()
        && let Some(si) = decode::wrap_double_byte(enc, bytes, wrap)
    {
        return decode::decode(enc, wrap, out).map_err(|mut e| {
            // Offsets in the item, not in the wrapped copy.
            e.offset = e
                .offset
                .saturating_sub(si)
                .min(bytes.len().saturating_sub(1));
            ItemFault::Decode(e)
        });
    }
    if enc.shifts().is_some()
        && let Some(u) = shift::unclosed(enc, bytes)
    {
        return Err(ItemFault::Unclosed(u));
    }
    decode::decode(enc, bytes, out).map_err(ItemFault::Decode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_field(dbcs: bool) -> Field {
        Field {
            name: "x".into(),
            kind: FieldType::Text,
            dbcs,
            ..Field::default()
        }
    }

    #[test]
    fn long_padding_is_found_as_byte_by_byte() {
        // Past 32 and 64 bytes (the all-spaces steps), with a NUL or a text
        // byte at every place of the run, and before it.
        for n in 0..100 {
            for at in 0..=n {
                for odd in [0u8, b'a', 0xA0] {
                    let mut b = vec![b' '; n];
                    if let Some(c) = b.get_mut(at) {
                        *c = odd;
                    }
                    let mut text = b"x".to_vec();
                    text.extend(&b);
                    for bytes in [&b[..], &text[..]] {
                        let (got, want) = (trailing_padding(bytes), padding_bytewise(bytes));
                        assert_eq!(
                            (got.len, got.spaces, got.nuls),
                            (want.len, want.spaces, want.nuls),
                            "{bytes:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn trailing_padding_is_found_at_every_length() {
        for n in 0..20 {
            for k in 0..=n {
                for fill in [b' ', 0] {
                    let mut b = vec![b'a'; n - k];
                    b.extend(std::iter::repeat_n(fill, k));
                    let p = trailing_padding(&b);
                    assert_eq!(p.len, k, "{b:?}");
                    assert_eq!(
                        (p.spaces, p.nuls),
                        (k > 0 && fill == b' ', k > 0 && fill == 0)
                    );
                }
            }
        }
        // A mix: both told; a 0x80 or 0xA0 byte is not padding.
        let p = trailing_padding(b"\x82\xA0 \0 \0\0  \0 ");
        assert_eq!((p.len, p.spaces, p.nuls), (9, true, true));
        assert_eq!(trailing_padding(b"\x81\x40").len, 0);
    }

    /// [`trailing_padding`] a byte at a time: the reference.
    fn padding_bytewise(b: &[u8]) -> Padding {
        let mut p = Padding::default();
        for &c in b.iter().rev() {
            match c {
                b' ' => p.spaces = true,
                0 => p.nuls = true,
                _ => break,
            }
            p.len += 1;
        }
        p
    }

    proptest::proptest! {
        /// Blocks of 16 and the bytes before them: the padding is the run of
        /// spaces and NULs at the end, whatever its length and mix.
        #[test]
        fn trailing_padding_is_the_bytewise_run(
            b in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(b' '),
                    1 => proptest::strategy::Just(0u8),
                    1 => proptest::sample::select(vec![b'a', 0x80, 0xA0, 0x82, 0x21, 0x10]),
                ],
                0..80,
            ),
            pad in 0usize..70,
            fill in proptest::sample::select(vec![b' ', 0]),
        ) {
            let mut b = b;
            b.extend(std::iter::repeat_n(fill, pad));
            proptest::prop_assert_eq!(trailing_padding(&b), padding_bytewise(&b), "{:?}", b);
        }
    }

    const PLAIN: [Encoding; 5] = [
        Encoding::Cp932,
        Encoding::ShiftJis,
        Encoding::EucJp,
        Encoding::EucJpMs,
        Encoding::Utf8,
    ];

    /// The item as decode_item gives it, and its padding as the bytes show it.
    fn same_as_decode_item(enc: Encoding, bytes: &[u8]) {
        let f = text_field(false);
        let (mut a, mut b) = (String::from("<"), String::from("<"));
        let ra = decode_item(enc, &f, bytes, &mut a, &mut Vec::new());
        let rb =
            decode_item_padded(enc, &f, bytes, &mut b, &mut Vec::new(), None, false).map(|t| t.pad);
        assert_eq!(a, b, "{enc:?} {bytes:02X?}");
        // Spaces left out: the same text without them, the same rules told.
        let mut c = String::from("<");
        let rc = decode_item_padded(enc, &f, bytes, &mut c, &mut Vec::new(), None, true);
        match (ra, rb) {
            (Ok(()), Ok(pad)) => {
                assert!(b.ends_with(&" ".repeat(pad.len)) || pad.nuls);
                let tail = &b.as_bytes()[b.len() - pad.len..];
                assert!(tail.iter().all(|&c| c == b' ' || c == 0));
                assert_eq!(pad.spaces, tail.contains(&b' '));
                assert_eq!(pad.nuls, tail.contains(&0));
                let told = rc.unwrap();
                assert_eq!(c.clone() + &" ".repeat(told.dropped), a, "{bytes:02X?}");
                assert_eq!((told.pad.spaces, told.pad.nuls), (pad.spaces, pad.nuls));
                assert_eq!(told.pad.len + told.dropped, pad.len);
                assert!(told.dropped == 0 || told.pad.len == 0);
            }
            (Err(x), Err(y)) => {
                assert_eq!(x, y, "{enc:?} {bytes:02X?}");
                assert_eq!((rc.unwrap_err(), &c), (y, &a));
            }
            (x, y) => panic!("{enc:?} {bytes:02X?}: {x:?} / {y:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn padded_items_decode_as_whole_items_do(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b' '),
                    proptest::strategy::Just(0u8),
                    0x41u8..0x5B,
                    0x81u8..0xA0,
                    0xA1u8..0xFF,
                    proptest::num::u8::ANY,
                ],
                0..24,
            ),
            pad in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b' '),
                    proptest::strategy::Just(0u8),
                ],
                0..20,
            ),
        ) {
            let mut b = bytes;
            b.extend(pad);
            for enc in PLAIN {
                same_as_decode_item(enc, &b);
            }
        }
    }

    #[test]
    fn a_character_cut_by_the_padding_is_the_error_of_the_whole_item() {
        // A lead byte before the padding: the pair (0x81 0x20) is what is bad.
        for enc in PLAIN {
            same_as_decode_item(enc, b"ab\x81   ");
            same_as_decode_item(enc, b"ab\x8F\xA1 \0");
            same_as_decode_item(enc, b"\xE3\x81 ");
        }
        // Numbers and dbcs items are decoded as before, with no padding told.
        let f = Field {
            kind: FieldType::Zoned,
            digits: Some(2),
            ..Field::default()
        };
        let mut s = String::new();
        let told = decode_item_padded(
            Encoding::Cp932,
            &f,
            b"12",
            &mut s,
            &mut Vec::new(),
            None,
            true,
        );
        assert_eq!((told, s.as_str()), (Ok(Told::default()), "12"));
    }
}
