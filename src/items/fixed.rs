//! One item of a fixed-length record: its bytes → text, by its type. Text
//! items are decoded (pure double-byte `dbcs` items between the encoding's
//! shift codes; mixed items checked to end in single-byte mode first); packed,
//! zoned and binary items become decimal text ([`super::number`]).

use super::number::{self, NumberError};
use super::shift::{self, Unclosed};
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
