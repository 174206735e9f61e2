//! Decode: source bytes of one record (or one item) → UTF-8.
//!
//! Vendor 外字 must survive decoding as private-use code points, never as U+FFFD
//! and never as a wrong kanji, so every decoder here refuses bytes it cannot map
//! (the caller rejects the record) instead of replacing them. See DOMAIN.md §3.

mod eucjp;
mod fused;
mod ibm;
mod jef;
mod jips;
mod keis;
pub mod mainframe;
pub mod mainframe_import;
mod sjis;

use std::fmt;

/// A source encoding accepted by `--encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Windows-31J as Windows writes it; user-defined area 0xF040–0xF9FC → U+E000–U+E757.
    Cp932,
    /// The same bytes with the JIS X 0213 mapping of the seven characters where
    /// CP932 and JIS differ (0x8160 → U+301C 〜, …).
    ShiftJis,
    /// EUC-JP (JIS X 0208 + 0212, NEC row 13); user-defined rows 85–94 are refused.
    EucJp,
    /// eucJP-ms: user-defined rows 85–94 → U+E000–U+E3AB (G1), U+E3AC–U+E757 (G3).
    EucJpMs,
    /// UTF-8, a leading BOM is dropped.
    Utf8,
    Utf16Le,
    Utf16Be,
    /// IBM EBCDIC + DBCS through SO 0x0E / SI 0x0F: カナ single-byte side (930,
    /// 1390) or 英小文字 (939, 1399); user-defined rows 0x69–0x7F → U+E000….
    Ibm930,
    Ibm939,
    Ibm1390,
    Ibm1399,
    /// 富士通 JEF double-byte with the single-byte set named (EBCDIC 英小文字,
    /// EBCDIK カナ, or ASCII); shifts K 0x28 / K1 0x38 / K2 0x30 0xE2 in, A 0x29 out.
    JefEbcdic,
    JefEbcdik,
    JefAscii,
    /// 日立 KEIS83 (or KEIS78) with EBCDIC or EBCDIK; shifts 0x0A42 in, 0x0A41 out.
    KeisEbcdic,
    KeisEbcdik,
    Keis78Ebcdic,
    Keis78Ebcdik,
    /// NEC JIPS(E): EBCDIK + JIPS(E), shifts 0x3F75 in, 0x3F76 out.
    JipsE,
    /// NEC JIPS(J): JIS8 + JIPS(J), shifts 0x1A70 in, 0x1A71 out.
    JipsJ,
}

impl Encoding {
    /// Every encoding, in the order `--help` lists them.
    pub const ALL: [Encoding; 20] = [
        Encoding::Cp932,
        Encoding::ShiftJis,
        Encoding::EucJp,
        Encoding::EucJpMs,
        Encoding::Utf8,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Ibm930,
        Encoding::Ibm939,
        Encoding::Ibm1390,
        Encoding::Ibm1399,
        Encoding::JefEbcdic,
        Encoding::JefEbcdik,
        Encoding::JefAscii,
        Encoding::KeisEbcdic,
        Encoding::KeisEbcdik,
        Encoding::Keis78Ebcdic,
        Encoding::Keis78Ebcdik,
        Encoding::JipsE,
        Encoding::JipsJ,
    ];

    /// The name used on the command line and in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Cp932 => "cp932",
            Encoding::ShiftJis => "shift_jis",
            Encoding::EucJp => "euc-jp",
            Encoding::EucJpMs => "eucjp-ms",
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Ibm930 => "ibm930",
            Encoding::Ibm939 => "ibm939",
            Encoding::Ibm1390 => "ibm1390",
            Encoding::Ibm1399 => "ibm1399",
            Encoding::JefEbcdic => "jef-ebcdic",
            Encoding::JefEbcdik => "jef-ebcdik",
            Encoding::JefAscii => "jef-ascii",
            Encoding::KeisEbcdic => "keis-ebcdic",
            Encoding::KeisEbcdik => "keis-ebcdik",
            Encoding::Keis78Ebcdic => "keis78-ebcdic",
            Encoding::Keis78Ebcdik => "keis78-ebcdik",
            Encoding::JipsE => "jips-e",
            Encoding::JipsJ => "jips-j",
        }
    }

    /// Parses a name as given to `--encoding` (case-insensitive, common aliases).
    pub fn parse(name: &str) -> Option<Encoding> {
        let n = name.trim().to_ascii_lowercase().replace('_', "-");
        Some(match n.as_str() {
            "cp932" | "windows-31j" | "ms932" | "sjis-win" => Encoding::Cp932,
            "shift-jis" | "sjis" => Encoding::ShiftJis,
            "euc-jp" | "eucjp" => Encoding::EucJp,
            "eucjp-ms" | "euc-jp-ms" => Encoding::EucJpMs,
            "utf-8" | "utf8" => Encoding::Utf8,
            "utf-16le" | "utf16le" => Encoding::Utf16Le,
            "utf-16be" | "utf16be" => Encoding::Utf16Be,
            "ibm930" | "ibm-930" | "cp930" => Encoding::Ibm930,
            "ibm939" | "ibm-939" | "cp939" => Encoding::Ibm939,
            "ibm1390" | "ibm-1390" | "cp1390" => Encoding::Ibm1390,
            "ibm1399" | "ibm-1399" | "cp1399" => Encoding::Ibm1399,
            "jef-ebcdic" => Encoding::JefEbcdic,
            "jef-ebcdik" => Encoding::JefEbcdik,
            "jef-ascii" => Encoding::JefAscii,
            "keis-ebcdic" | "keis83-ebcdic" => Encoding::KeisEbcdic,
            "keis-ebcdik" | "keis83-ebcdik" => Encoding::KeisEbcdik,
            "keis78-ebcdic" => Encoding::Keis78Ebcdic,
            "keis78-ebcdik" => Encoding::Keis78Ebcdik,
            "jips-e" | "jipse" => Encoding::JipsE,
            "jips-j" | "jipsj" => Encoding::JipsJ,
            _ => return None,
        })
    }

    /// Bytes per code unit: 2 for UTF-16, 1 for the ASCII-compatible encodings.
    pub fn unit_width(self) -> usize {
        match self {
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            _ => 1,
        }
    }

    /// Whether the single-byte side is EBCDIC (so ASCII bytes such as CR, LF,
    /// the quote and 0x1A mean something else).
    pub fn is_ebcdic(self) -> bool {
        // jef-ascii too: 富士通's "ASCII" single-byte table (fujitsu_ascii_mapping.json)
        // keeps the EBCDIC layout (0x40 space, 0xC1 A, 0x81 a). JIPS(J)'s JIS8 is ASCII.
        self.shifts().is_some() && self != Encoding::JipsJ
    }

    /// The shift codes into and out of double-byte mode, for the mainframe
    /// encodings that mix single- and double-byte text (None for the others).
    /// For JEF this is K and A; [`Encoding::shift_ins`] lists K1 and K2 too.
    pub fn shifts(self) -> Option<(&'static [u8], &'static [u8])> {
        Some((self.shift_ins().first().copied()?, self.shift_out()?))
    }

    /// Every shift code into double-byte mode, the one [`Encoding::shifts`]
    /// names first (JEF has three: K 0x28, K1 0x38 and K2 0x30 0xE2); empty for
    /// the encodings without shift codes. Decoders and the item checks read the
    /// shift state from these alone.
    pub fn shift_ins(self) -> &'static [&'static [u8]] {
        match self {
            Encoding::Ibm930 | Encoding::Ibm939 | Encoding::Ibm1390 | Encoding::Ibm1399 => {
                &[b"\x0E"]
            }
            Encoding::JefEbcdic | Encoding::JefEbcdik | Encoding::JefAscii => {
                &[b"\x28", b"\x38", b"\x30\xE2"]
            }
            Encoding::KeisEbcdic
            | Encoding::KeisEbcdik
            | Encoding::Keis78Ebcdic
            | Encoding::Keis78Ebcdik => &[b"\x0A\x42"],
            Encoding::JipsE => &[b"\x3F\x75"],
            Encoding::JipsJ => &[b"\x1A\x70"],
            _ => &[],
        }
    }

    /// The shift code back to single-byte mode (None for the encodings without
    /// shift codes).
    pub fn shift_out(self) -> Option<&'static [u8]> {
        Some(match self {
            Encoding::Ibm930 | Encoding::Ibm939 | Encoding::Ibm1390 | Encoding::Ibm1399 => b"\x0F",
            Encoding::JefEbcdic | Encoding::JefEbcdik | Encoding::JefAscii => b"\x29",
            Encoding::KeisEbcdic
            | Encoding::KeisEbcdik
            | Encoding::Keis78Ebcdic
            | Encoding::Keis78Ebcdik => b"\x0A\x41",
            Encoding::JipsE => b"\x3F\x76",
            Encoding::JipsJ => b"\x1A\x71",
            _ => return None,
        })
    }

    /// The byte-order mark this encoding may start a file with.
    pub fn bom(self) -> &'static [u8] {
        match self {
            Encoding::Utf8 => b"\xEF\xBB\xBF",
            Encoding::Utf16Le => b"\xFF\xFE",
            Encoding::Utf16Be => b"\xFE\xFF",
            _ => b"",
        }
    }

    /// Encodes one ASCII character as it appears in the byte stream (for UTF-16, two bytes).
    pub fn ascii_unit(self, c: u8) -> [u8; 2] {
        match self {
            Encoding::Utf16Le => [c, 0],
            _ => [0, c],
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bytes that could not be decoded: where they are in the decoded slice, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the first bad byte within the slice given to [`decode`].
    pub offset: usize,
    /// The bad bytes (at most 4), for the message.
    pub bytes: Vec<u8>,
    pub kind: DecodeErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Not a valid sequence in the encoding.
    Malformed,
    /// EUC-JP user-defined rows 85–94: only `eucjp-ms` says what they mean.
    EucUserDefinedRow,
    /// 日立 KEIS 拡張文字セット3 (0x59A1–0x80FE): what its characters are is not
    /// published, so there is no faithful decoding.
    KeisExtension3,
    /// The bytes end in double-byte mode: the shift out (`offset`) that opened the
    /// run is never shifted back in, so the item was cut off inside double-byte text.
    UnclosedShift,
}

impl DecodeError {
    /// The bad bytes as `0xF5 0xA1`.
    pub fn hex(&self) -> String {
        let parts: Vec<String> = self.bytes.iter().map(|b| format!("0x{b:02X}")).collect();
        parts.join(" ")
    }
}

/// Decodes `bytes` (no BOM) and appends the text to `out`. On error `out` holds
/// the text decoded before the bad bytes.
pub fn decode(enc: Encoding, bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    match enc {
        Encoding::Cp932 => sjis::decode(bytes, out),
        Encoding::ShiftJis => fused::decode(sjis::shift_jis(), bytes, out),
        Encoding::EucJp => fused::decode(eucjp::strict(), bytes, out),
        Encoding::EucJpMs => fused::decode(eucjp::ms(), bytes, out),
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                Ok(())
            }
            Err(e) => {
                let at = e.valid_up_to();
                // The prefix up to `valid_up_to` is valid UTF-8 by definition.
                out.push_str(std::str::from_utf8(&bytes[..at]).unwrap_or_default());
                Err(malformed(
                    bytes,
                    at,
                    e.error_len().unwrap_or(bytes.len() - at),
                ))
            }
        },
        Encoding::Utf16Le => decode_with(encoding_rs::UTF_16LE, bytes, out),
        Encoding::Utf16Be => decode_with(encoding_rs::UTF_16BE, bytes, out),
        Encoding::Ibm930 | Encoding::Ibm939 | Encoding::Ibm1390 | Encoding::Ibm1399 => {
            ibm::decode(enc, bytes, out)
        }
        Encoding::JefEbcdic | Encoding::JefEbcdik | Encoding::JefAscii => {
            jef::decode(enc, bytes, out)
        }
        Encoding::KeisEbcdic
        | Encoding::KeisEbcdik
        | Encoding::Keis78Ebcdic
        | Encoding::Keis78Ebcdik => keis::decode(enc, bytes, out),
        Encoding::JipsE | Encoding::JipsJ => jips::decode(enc, bytes, out),
    }
}

pub use fused::CharFlags;

/// The tables of an encoding decoded in [`fused`]'s loop.
#[derive(Clone, Copy)]
enum ByTable {
    Sjis(&'static sjis::Tables),
    Euc(&'static eucjp::Tables),
}

fn by_table(enc: Encoding) -> Option<ByTable> {
    Some(match enc {
        Encoding::Cp932 => ByTable::Sjis(sjis::cp932()),
        Encoding::ShiftJis => ByTable::Sjis(sjis::shift_jis()),
        Encoding::EucJp => ByTable::Euc(eucjp::strict()),
        Encoding::EucJpMs => ByTable::Euc(eucjp::ms()),
        _ => return None,
    })
}

/// A flag byte for every character `enc` decodes to, from `classify` (its
/// text), for [`decode_csv`] to OR per item while it decodes; None when the
/// encoding is not decoded that way (then [`decode_csv`] gives no flags). Each
/// table is the encoding's: give [`decode_csv`] and [`decode_flagged`] the
/// same `enc` as here.
pub fn char_flags(enc: Encoding, classify: impl Fn(&str) -> u8) -> Option<CharFlags> {
    Some(match by_table(enc)? {
        ByTable::Sjis(t) => fused::char_flags(t, classify),
        ByTable::Euc(t) => fused::char_flags(t, classify),
    })
}

/// Decodes as [`decode`] does; with `flags` (the encoding's, from
/// [`char_flags`]) also the flags of the characters decoded, OR-ed: Ok(Some)
/// when the decoder told them (otherwise the caller looks at the text).
pub fn decode_flagged(
    enc: Encoding,
    bytes: &[u8],
    out: &mut String,
    flags: Option<&CharFlags>,
) -> Result<Option<u8>, DecodeError> {
    ItemDecoder::new(enc).decode_flagged(bytes, out, flags)
}

/// [`decode_flagged`] for one encoding, its tables looked up once (a
/// fixed-length record decodes each of its items apart: not once per item).
#[derive(Clone, Copy)]
pub struct ItemDecoder {
    enc: Encoding,
    tables: Option<ByTable>,
}

impl fmt::Debug for ItemDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemDecoder({})", self.enc)
    }
}

impl ItemDecoder {
    pub fn new(enc: Encoding) -> ItemDecoder {
        ItemDecoder {
            enc,
            tables: by_table(enc),
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    /// As [`decode_flagged`].
    #[inline(always)]
    pub fn decode_flagged(
        &self,
        bytes: &[u8],
        out: &mut String,
        flags: Option<&CharFlags>,
    ) -> Result<Option<u8>, DecodeError> {
        match (flags, self.tables) {
            (Some(f), Some(ByTable::Sjis(t))) => fused::decode_flagged(t, bytes, out, f),
            (Some(f), Some(ByTable::Euc(t))) => fused::decode_flagged(t, bytes, out, f),
            _ => decode(self.enc, bytes, out).map(|()| None),
        }
    }
}

impl ItemDecoder {
    /// The items of a fixed-length record, `items` (ranges of `record`),
    /// decoded in one call into `out`, joined by `sep` (ASCII), as
    /// [`ItemDecoder::decode_flagged`] decodes each with `flags`, without
    /// its padding ([`Heads`]: left out, or kept as it is and not flagged):
    /// their spans in `out` into `spans`, each one's flags into `item_flags`.
    /// Some: the flags of all OR-ed. None: not decoded here (a short record,
    /// an encoding not decoded by table, bytes its tables do not hold): the
    /// buffers hold part of the record, the caller decodes it item by item.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn decode_items(
        &self,
        record: &[u8],
        items: &[(usize, usize)],
        head: &mut impl Heads,
        sep: u8,
        out: &mut String,
        spans: &mut Vec<(usize, usize)>,
        flags: &CharFlags,
        item_flags: &mut Vec<u8>,
    ) -> Option<u8> {
        match self.tables {
            Some(ByTable::Sjis(t)) => {
                fused::decode_pieces(t, record, items, head, sep, out, spans, flags, item_flags)
            }
            Some(ByTable::Euc(t)) => {
                fused::decode_pieces(t, record, items, head, sep, out, spans, flags, item_flags)
            }
            None => None,
        }
    }
}

/// Where each item of a fixed-length record ends before its padding, for
/// [`ItemDecoder::decode_items`] (a trait, not a closure, so that its method
/// can be inlined into the decoding loop).
pub trait Heads {
    /// Of item `k`'s `bytes`: how many are its text (the rest is padding),
    /// and whether the padding is kept in the text as it is (true) or left
    /// out.
    fn head(&mut self, k: usize, bytes: &[u8]) -> (usize, bool);
}

/// Decodes a CSV record as [`decode`] does and finds its items: the spans of
/// the text (in `out`) between `delimiter` bytes, into `spans`. Ok(false): the
/// record holds `quote` (or `spans` could not be found), so the caller splits
/// the text itself ([`crate::items::split_csv`]). The encodings decoded by
/// table (CP932, Shift_JIS, EUC-JP, eucJP-ms: [`fused`]) do both in one pass;
/// the others decode, then scan the text.
///
/// `flags`: the [`CharFlags`] of the encoding (from [`char_flags`]), and where
/// to write each item's flags (the flags of its characters OR-ed). Ok(true)
/// with `flags` given: those were written too, one per span (otherwise the
/// buffer is left empty: the caller looks at the text itself).
pub fn decode_csv(
    enc: Encoding,
    bytes: &[u8],
    out: &mut String,
    delimiter: u8,
    quote: u8,
    spans: &mut Vec<(usize, usize)>,
    flags: Option<(&CharFlags, &mut Vec<u8>)>,
) -> Result<bool, DecodeError> {
    if delimiter.is_ascii() && quote.is_ascii() {
        match by_table(enc) {
            Some(ByTable::Sjis(t)) => {
                return fused::decode_split(t, bytes, out, delimiter, quote, spans, flags);
            }
            Some(ByTable::Euc(t)) => {
                return fused::decode_split(t, bytes, out, delimiter, quote, spans, flags);
            }
            None => {}
        }
    }
    if let Some((_, f)) = flags {
        f.clear();
    }
    let start = out.len();
    decode(enc, bytes, out)?;
    Ok(crate::items::unquoted_spans_from(
        out, start, delimiter, quote, spans,
    ))
}

/// Decodes one code as a 外字 table or the work list writes it (`0xHHHH`): for the
/// mainframe encodings, whose double-byte text sits between shift codes, two bytes
/// are a double-byte code and are read between the encoding's shift out and shift in
/// (`0x6941` is `0E 69 41 0F` in IBM930); anything else is read as it is. An error's
/// offset counts from the shift out, not from `code`.
pub fn decode_code(enc: Encoding, code: &[u8], out: &mut String) -> Result<(), DecodeError> {
    let mut wrapped = Vec::new();
    if code.len() == 2 && wrap_double_byte(enc, code, &mut wrapped).is_some() {
        return decode(enc, &wrapped, out);
    }
    decode(enc, code, out)
}

/// `bytes` (pure double-byte text: a PIC N item, or a `0xHHHH` table code) between
/// the encoding's shift codes in
/// `buf` (cleared first, reusable), so that the decoder reads
/// them as a mixed item. Returns the bytes the shift-in takes; None for an
/// encoding without shift codes.
pub fn wrap_double_byte(enc: Encoding, bytes: &[u8], buf: &mut Vec<u8>) -> Option<usize> {
    let (si, so) = enc.shifts()?;
    buf.clear();
    buf.extend_from_slice(si);
    buf.extend_from_slice(bytes);
    buf.extend_from_slice(so);
    Some(si.len())
}

/// The double-byte code (without shift bytes) of an IBM user-defined character's
/// private-use code point, as glibc maps them.
pub(crate) use ibm::code_of_pua as ibm_code_of_pua;

fn malformed(bytes: &[u8], at: usize, len: usize) -> DecodeError {
    let end = (at + len.clamp(1, 4)).min(bytes.len());
    DecodeError {
        offset: at,
        bytes: bytes[at..end].to_vec(),
        kind: DecodeErrorKind::Malformed,
    }
}

/// CP932 through encoding_rs: the reference the table decoder is tested against.
#[cfg(test)]
fn decode_cp932_reference(bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    // WHATWG Shift_JIS decodes a lone 0x80 as U+0080; Windows and iconv refuse it.
    match single_byte_0x80(bytes) {
        Some(at) => {
            decode_with(encoding_rs::SHIFT_JIS, &bytes[..at], out)?;
            Err(malformed(bytes, at, 1))
        }
        None => decode_with(encoding_rs::SHIFT_JIS, bytes, out),
    }
}

/// An encoding decoded by table ([`fused`]) as its reference decodes it (not
/// the tables): what the table decoders are tested against.
#[cfg(test)]
fn decode_reference(enc: Encoding, bytes: &[u8], out: &mut String) -> Result<(), DecodeError> {
    match enc {
        Encoding::Cp932 => decode_cp932_reference(bytes, out),
        Encoding::ShiftJis => {
            let start = out.len();
            let r = decode_cp932_reference(bytes, out);
            cp932_to_jis_variants(out, start);
            r
        }
        Encoding::EucJp => eucjp::strict_reference(bytes, out),
        Encoding::EucJpMs => eucjp::ms_reference(bytes, out),
        _ => decode(enc, bytes, out),
    }
}

/// Position of a 0x80 byte that stands alone (not the trail byte of a double-byte character).
#[cfg(test)]
fn single_byte_0x80(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0x80 {
            return Some(i);
        }
        i += if matches!(b, 0x81..=0x9F | 0xE0..=0xFC) {
            2
        } else {
            1
        };
    }
    None
}

/// Decodes with an encoding_rs decoder, reporting the offset of the first malformed sequence.
fn decode_with(
    enc: &'static encoding_rs::Encoding,
    bytes: &[u8],
    out: &mut String,
) -> Result<(), DecodeError> {
    use encoding_rs::DecoderResult;
    let mut decoder = enc.new_decoder_without_bom_handling();
    let need = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    out.reserve(need);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, out, true);
    match result {
        DecoderResult::InputEmpty => Ok(()),
        DecoderResult::Malformed(bad, pending) => {
            // `read` bytes were consumed; the last `pending` of them come after the bad
            // sequence, which is `bad` bytes long just before them.
            let end = read - pending as usize;
            let at = end.saturating_sub(bad as usize);
            Err(malformed(bytes, at, bad as usize))
        }
        // Cannot happen with the buffer reserved above; treat as malformed at the end.
        DecoderResult::OutputFull => Err(malformed(bytes, read, 1)),
    }
}

/// CP932 → JIS X 0213 forms of the characters whose mapping differs between them
/// (DOMAIN.md §3). Same order as [`VARIANTS`].
pub const VARIANTS: [(char, char); 7] = [
    ('\u{FF5E}', '\u{301C}'), // 〜 WAVE DASH
    ('\u{2225}', '\u{2016}'), // ‖ DOUBLE VERTICAL LINE
    ('\u{FF0D}', '\u{2212}'), // − MINUS SIGN
    ('\u{2015}', '\u{2014}'), // — EM DASH
    ('\u{FFE0}', '\u{00A2}'), // ¢
    ('\u{FFE1}', '\u{00A3}'), // £
    ('\u{FFE2}', '\u{00AC}'), // ¬
];

/// The EUC-JP (JIS X 0208) bytes of the seven cells of [`VARIANTS`], same order.
const EUC_VARIANT_CELLS: [[u8; 2]; 7] = [
    [0xA1, 0xC1], // 1-01-33
    [0xA1, 0xC2], // 1-01-34
    [0xA1, 0xDD], // 1-01-61
    [0xA1, 0xBD], // 1-01-29
    [0xA1, 0xF1], // 1-01-81
    [0xA1, 0xF2], // 1-01-82
    [0xA2, 0xCC], // 1-02-44
];

/// The JIS X 0213 code point of an EUC-JP double-byte character of plane 1 when it
/// is one of the seven cells CP932 (and encoding_rs) map elsewhere.
fn euc_jis_form(lead: u8, trail: u8) -> Option<char> {
    EUC_VARIANT_CELLS
        .iter()
        .position(|c| *c == [lead, trail])
        .map(|i| VARIANTS[i].1)
}

/// Rewrites `out[start..]` with the JIS forms of the CP932 variants: the
/// reference the Shift_JIS table is tested against.
#[cfg(test)]
fn cp932_to_jis_variants(out: &mut String, start: usize) {
    let tail = &out[start..];
    if !tail
        .chars()
        .any(|c| VARIANTS.iter().any(|(cp, _)| *cp == c))
    {
        return;
    }
    let mapped: String = tail
        .chars()
        .map(|c| {
            VARIANTS
                .iter()
                .find(|(cp, _)| *cp == c)
                .map_or(c, |(_, jis)| *jis)
        })
        .collect();
    out.truncate(start);
    out.push_str(&mapped);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbcs_bytes_are_wrapped_in_a_reused_buffer() {
        let mut buf = Vec::with_capacity(16);
        assert_eq!(
            wrap_double_byte(Encoding::KeisEbcdic, b"\x40\x40", &mut buf),
            Some(2)
        );
        assert_eq!(buf, b"\x0A\x42\x40\x40\x0A\x41");
        let cap = buf.capacity();
        wrap_double_byte(Encoding::Ibm930, b"\x45\x41", &mut buf);
        assert_eq!(
            (buf.as_slice(), buf.capacity()),
            (&b"\x0E\x45\x41\x0F"[..], cap)
        );
        assert_eq!(wrap_double_byte(Encoding::Cp932, b"", &mut buf), None);
    }

    fn dec(enc: Encoding, b: &[u8]) -> Result<String, DecodeError> {
        let mut s = String::new();
        decode(enc, b, &mut s).map(|_| s)
    }

    #[test]
    fn cp932_user_defined_area_becomes_pua() {
        assert_eq!(dec(Encoding::Cp932, b"\xF0\x40").unwrap(), "\u{E000}");
        assert_eq!(dec(Encoding::Cp932, b"\xF9\xFC").unwrap(), "\u{E757}");
        assert_eq!(dec(Encoding::Cp932, b"\x87\x40").unwrap(), "①");
        assert_eq!(dec(Encoding::Cp932, b"\x81\x60").unwrap(), "\u{FF5E}");
    }

    #[test]
    fn shift_jis_uses_the_jis_forms() {
        assert_eq!(
            dec(Encoding::ShiftJis, b"a\x81\x60b\x81\x5C").unwrap(),
            "a\u{301C}b\u{2014}"
        );
        assert_eq!(dec(Encoding::ShiftJis, b"\xF0\x40").unwrap(), "\u{E000}");
    }

    #[test]
    fn euc_jp_uses_the_jis_forms_of_plane_1_only() {
        // encoding_rs (WHATWG) reads these cells as CP932 does.
        let cells: Vec<u8> = EUC_VARIANT_CELLS.concat();
        let want: String = VARIANTS.iter().map(|v| v.1).collect();
        assert_eq!(dec(Encoding::EucJp, &cells).unwrap(), want);
        let cp932: String = VARIANTS.iter().map(|v| v.0).collect();
        assert_eq!(
            dec(Encoding::EucJpMs, &cells).unwrap(),
            cp932,
            "eucJP-ms is CP932's"
        );
        // JIS X 0212 0x2237 TILDE is another character: left as encoding_rs reads it.
        assert_eq!(dec(Encoding::EucJp, b"\x8F\xA2\xB7").unwrap(), "\u{FF5E}");
        assert_eq!(
            dec(Encoding::EucJp, b"a\xA1\xC1\xB4\xC1").unwrap(),
            "a\u{301C}漢"
        );
    }

    #[test]
    fn malformed_bytes_are_located_not_replaced() {
        let e = dec(Encoding::Cp932, b"ab\x82\xA0\x82").unwrap_err();
        assert_eq!(e.offset, 4);
        let e = dec(Encoding::Cp932, b"abc\x80").unwrap_err();
        assert_eq!((e.offset, e.hex().as_str()), (3, "0x80"));
        let e = dec(Encoding::Utf8, b"\xE3\x81\x82\xFF").unwrap_err();
        assert_eq!(e.offset, 3);
        let e = dec(Encoding::Utf8, b"x\xE3\x81").unwrap_err();
        assert_eq!(e.offset, 1);
        let e = dec(Encoding::Utf16Le, b"a\0\x00\xD8b\0").unwrap_err();
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn cp932_0x80_as_trail_byte_is_fine() {
        assert_eq!(dec(Encoding::Cp932, b"\x81\x80").unwrap(), "÷");
    }

    #[test]
    fn names_round_trip() {
        for e in Encoding::ALL {
            assert_eq!(Encoding::parse(e.name()), Some(e));
        }
        assert_eq!(Encoding::parse("Windows-31J"), Some(Encoding::Cp932));
        assert_eq!(Encoding::parse("latin1"), None);
    }
}
