//! A decoding table's entry, and CP932's byte pairs as encoding_rs decodes them.
//! This file is also compiled into build.rs, which writes CP932's table of
//! 65,536 byte pairs with it once (`cp932_pairs.bin`) instead of every run
//! building it at its start (4.4 M instructions, about 1.3 ms): the format and
//! the reference are written once, for both.

/// An entry: UTF-8 bytes in bits 0–23 (little-endian), their count in bits 24–31.
/// Count 0 is an invalid byte or pair; the tables mark lead bytes with counts
/// above 3.
pub type Entry = u32;

/// The entry of `s` when it is the whole decoding of the bytes (one character
/// of at most 3 UTF-8 bytes; 0 otherwise, which the tables read as "no character").
pub fn entry_of(s: &str) -> Entry {
    let b = s.as_bytes();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(_), None) if b.len() <= 3 => {
            let mut e = (b.len() as u32) << 24;
            for (k, &x) in b.iter().enumerate() {
                e |= (x as u32) << (8 * k);
            }
            e
        }
        _ => 0,
    }
}

/// A lead byte of CP932 (and Shift_JIS).
pub fn is_sjis_lead(b: u8) -> bool {
    matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
}

/// The index of a byte pair in CP932's pair table: its two bytes read as a
/// little-endian u16 (the lead byte low).
pub fn pair_index(lead: u8, trail: u8) -> usize {
    usize::from(u16::from_le_bytes([lead, trail]))
}

/// One character as encoding_rs decodes it (its Shift_JIS is CP932), as a table
/// entry (None: it refuses the bytes). Into a buffer on the stack.
pub fn sjis_reference(bytes: &[u8]) -> Option<Entry> {
    let mut buf = [0u8; 8];
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let (result, _, written) = decoder.decode_to_utf8_without_replacement(bytes, &mut buf, true);
    if result != encoding_rs::DecoderResult::InputEmpty {
        return None;
    }
    std::str::from_utf8(&buf[..written]).ok().map(entry_of)
}

/// The entry of CP932's pair table for `lead` and `trail`: their character when
/// `lead` is a lead byte and encoding_rs decodes the two as one, 0 otherwise.
#[allow(dead_code)] // build.rs writes the table with it; the crate's tests check it
pub fn cp932_pair(lead: u8, trail: u8) -> Entry {
    if is_sjis_lead(lead) {
        sjis_reference(&[lead, trail]).unwrap_or(0)
    } else {
        0
    }
}
