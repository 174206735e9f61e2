//! IBM 930/939/1390/1399: EBCDIC-family single-byte text mixed with double-byte kanji through shift codes.

use super::{DecodeError, Encoding, malformed};

/// Not written yet: every byte is refused.
pub fn decode(_enc: Encoding, bytes: &[u8], _out: &mut String) -> Result<(), DecodeError> {
    Err(malformed(bytes, 0, 1))
}
