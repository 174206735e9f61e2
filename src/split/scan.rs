//! Finding where one record ends, in raw bytes (1-byte encodings) or 16-bit units (UTF-16).

use crate::decode::Encoding;

/// Why the splitter cut a record short; the worker rejects such a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flaw {
    /// A quote inside an unquoted item, or a closing quote followed by something
    /// other than the delimiter or a line end.
    BrokenQuote,
    /// A quoted item that is never closed.
    UnclosedQuote,
    /// No line end within the longest record allowed.
    TooLong,
    /// A fixed-length record of the wrong length (or a variable-length record
    /// whose body is longer than the layout's `record_length`).
    WrongLength,
    /// A variable-length (RECFM=VB) record descriptor word that cannot be right:
    /// the record holds the bytes from it on (at most `max_record`).
    BadRdw(RdwFault),
    /// The bytes after a bad RDW (the framing is lost there), `max_record` at a time.
    AfterBadRdw,
}

impl Flaw {
    /// The reason code of the reject.
    pub fn code(self) -> &'static str {
        match self {
            Flaw::BrokenQuote => "broken-quote",
            Flaw::UnclosedQuote => "unclosed-quote",
            Flaw::TooLong => "record-too-long",
            Flaw::WrongLength => "wrong-length",
            Flaw::BadRdw(_) => "bad-rdw",
            Flaw::AfterBadRdw => "after-bad-rdw",
        }
    }
}

/// What is wrong with a record descriptor word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RdwFault {
    /// Fewer than 4 bytes left at the end of the file.
    Truncated,
    /// The length (which counts the RDW itself) is below 4.
    TooShort(u16),
    /// Bytes 3–4 are not zero; `spanned` when they look like a VBS segment flag.
    Reserved { spanned: bool },
    /// The record would be longer than `max_record`.
    TooLong(u16),
    /// The record runs past the end of the file by this many bytes.
    PastEnd(u16),
}

/// Where a record ends: its data are bytes `head..content`, and it takes `total`
/// bytes with its framing (a record descriptor word before, a line end after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub head: usize,
    pub content: usize,
    pub total: usize,
    pub flaw: Option<Flaw>,
}

const CR: u16 = b'\r' as u16;
const LF: u16 = b'\n' as u16;

/// Code units of the stream: bytes, or UTF-16 units in either byte order.
#[derive(Clone, Copy)]
struct Units<'a> {
    buf: &'a [u8],
    enc: Encoding,
}

impl Units<'_> {
    fn width(self) -> usize {
        self.enc.unit_width()
    }

    fn at(self, i: usize) -> Option<u16> {
        match self.enc {
            Encoding::Utf16Le => Some(u16::from_le_bytes([
                *self.buf.get(i)?,
                *self.buf.get(i + 1)?,
            ])),
            Encoding::Utf16Be => Some(u16::from_be_bytes([
                *self.buf.get(i)?,
                *self.buf.get(i + 1)?,
            ])),
            _ => self.buf.get(i).map(|&b| b as u16),
        }
    }

    /// First position ≥ `from` and < `to` holding one of three ASCII units.
    fn find3(self, from: usize, to: usize, a: u8, b: u8, c: u8) -> Option<usize> {
        if from >= to {
            return None;
        }
        if self.width() == 1 {
            return memchr::memchr3(a, b, c, &self.buf[from..to]).map(|p| from + p);
        }
        let mut i = from;
        while i + 2 <= to {
            let u = self.at(i)?;
            if u == a as u16 || u == b as u16 || u == c as u16 {
                return Some(i);
            }
            i += 2;
        }
        None
    }

    /// The line end starting at `p` (a CR or LF): its length, or None if the unit
    /// after a CR is not read yet.
    fn line_end_len(self, p: usize, eof: bool) -> Option<usize> {
        let w = self.width();
        if self.at(p) == Some(LF) {
            return Some(w);
        }
        match self.at(p + w) {
            Some(LF) => Some(2 * w),
            Some(_) => Some(w),
            None if eof => Some(w),
            None => None,
        }
    }
}

/// Finds the end of the CSV record at the start of `buf`. None: more bytes are needed.
pub fn csv_record(
    buf: &[u8],
    eof: bool,
    enc: Encoding,
    delim: u8,
    quote: u8,
    max: usize,
) -> Option<Found> {
    let u = Units { buf, enc };
    let w = u.width();
    // A record holds at most `max` bytes (whole units, so that a cut never splits a
    // UTF-16 unit): look no further than its line end could be.
    let max = (max / w * w).max(w);
    let reach = max.saturating_add(2 * w);
    let lim = buf.len().min(reach);
    let more_may_come = !eof && buf.len() < reach;
    let mut i = 0;
    let mut in_quotes = false;
    let mut flaw = None;
    // The first line end seen (also inside quotes): a flawed record is cut there.
    let mut first_line_end: Option<(usize, usize)> = None;
    loop {
        let Some(p) = u.find3(i, lim, quote, b'\r', b'\n') else {
            if more_may_come {
                return None;
            }
            if eof && !in_quotes && buf.len() <= max {
                // The last record of the file, without a line end.
                return Some(cut(first_line_end, flaw, buf.len(), buf.len()));
            }
            let why = if in_quotes {
                Flaw::UnclosedQuote
            } else {
                Flaw::TooLong
            };
            let end = buf.len().min(max);
            return Some(cut(first_line_end, Some(flaw.unwrap_or(why)), end, end));
        };
        let unit = u.at(p);
        if unit == Some(quote as u16) {
            if in_quotes {
                match u.at(p + w) {
                    Some(q) if q == quote as u16 => i = p + 2 * w,
                    Some(n) if n == delim as u16 || n == CR || n == LF => {
                        in_quotes = false;
                        i = p + w;
                    }
                    Some(_) => {
                        flaw = Some(Flaw::BrokenQuote);
                        in_quotes = false;
                        i = p + w;
                    }
                    None if more_may_come => return None,
                    None => {
                        in_quotes = false;
                        i = p + w;
                    }
                }
            } else {
                if p == 0 || u.at(p - w) == Some(delim as u16) {
                    in_quotes = true;
                } else {
                    flaw = Some(Flaw::BrokenQuote);
                }
                i = p + w;
            }
            continue;
        }
        // CR or LF.
        let len = u.line_end_len(p, !more_may_come)?;
        if in_quotes {
            first_line_end.get_or_insert((p, p + len));
            i = p + len;
            continue;
        }
        if p > max {
            return Some(cut(
                first_line_end,
                Some(flaw.unwrap_or(Flaw::TooLong)),
                max,
                max,
            ));
        }
        return Some(cut(first_line_end, flaw, p, p + len));
    }
}

/// The record ends at (`content`, `total`) unless it is flawed and an earlier line end was seen.
fn cut(
    first_line_end: Option<(usize, usize)>,
    flaw: Option<Flaw>,
    content: usize,
    total: usize,
) -> Found {
    match (flaw, first_line_end) {
        (Some(_), Some((c, t))) => Found {
            head: 0,
            content: c,
            total: t,
            flaw,
        },
        _ => Found {
            head: 0,
            content,
            total,
            flaw,
        },
    }
}

/// Finds the end of the fixed-length record at the start of `buf`.
pub fn fixed_record(
    buf: &[u8],
    eof: bool,
    enc: Encoding,
    length: usize,
    newline: bool,
    max: usize,
) -> Option<Found> {
    if !newline {
        if buf.len() >= length {
            return Some(Found {
                head: 0,
                content: length,
                total: length,
                flaw: None,
            });
        }
        return eof.then_some(Found {
            head: 0,
            content: buf.len(),
            total: buf.len(),
            flaw: Some(Flaw::WrongLength),
        });
    }
    // With line ends, the line end decides, so a short or long record costs only itself.
    let u = Units { buf, enc };
    let reach = max.max(length.saturating_add(2));
    let lim = buf.len().min(reach);
    let (content, total) = match u.find3(0, lim, b'\r', b'\n', b'\n') {
        Some(p) => (p, p + u.line_end_len(p, eof || buf.len() >= max)?),
        None if !eof && buf.len() < reach => return None,
        None => (lim, lim),
    };
    // An empty line is a blank line, as in CSV (counted, not rejected).
    Some(Found {
        head: 0,
        content,
        total,
        flaw: (content != length && content != 0).then_some(Flaw::WrongLength),
    })
}

/// Bytes of a record descriptor word.
pub const RDW: usize = 4;

/// Finds the end of the variable-length (RECFM=VB) record at the start of `buf`:
/// a 4-byte record descriptor word (the length including itself, big-endian,
/// then two zero bytes) and the body after it. A body longer than `max_body` is
/// a record of the wrong length (the framing holds); an RDW that cannot be right
/// is a record of the bytes from it on, at most `max` of them, waiting for that
/// many so that the cut never depends on the chunk size. None: more bytes needed.
pub fn vb_record(buf: &[u8], eof: bool, max_body: usize, max: usize) -> Option<Found> {
    let Some(rdw) = buf.get(..RDW) else {
        return eof.then(|| broken(buf, eof, max, RdwFault::Truncated))?;
    };
    let len = u16::from_be_bytes([rdw[0], rdw[1]]);
    let fault = if len < RDW as u16 {
        Some(RdwFault::TooShort(len))
    } else if rdw[2] != 0 || rdw[3] != 0 {
        // VBS segments carry 1–3 in byte 3 (first, last, middle segment).
        Some(RdwFault::Reserved {
            spanned: (1..=3).contains(&rdw[2]) && rdw[3] == 0,
        })
    } else if len as usize - RDW > max {
        Some(RdwFault::TooLong(len))
    } else if eof && buf.len() < len as usize {
        Some(RdwFault::PastEnd(len - buf.len() as u16))
    } else {
        None
    };
    if let Some(f) = fault {
        return broken(buf, eof, max, f);
    }
    let total = len as usize;
    if buf.len() < total {
        return None;
    }
    Some(Found {
        head: RDW,
        content: total,
        total,
        flaw: (total - RDW > max_body).then_some(Flaw::WrongLength),
    })
}

/// The bytes from a bad RDW on: at most `max` of them (None until that many
/// are read, or the file ends).
fn broken(buf: &[u8], eof: bool, max: usize, fault: RdwFault) -> Option<Found> {
    after_bad_rdw(buf, eof, max).map(|f| Found {
        flaw: Some(Flaw::BadRdw(fault)),
        ..f
    })
}

/// After a bad RDW the framing is lost: the rest of the file is rejected `max`
/// bytes at a time, each piece whole in the reject file.
pub fn after_bad_rdw(buf: &[u8], eof: bool, max: usize) -> Option<Found> {
    if buf.len() < max && !eof {
        return None;
    }
    let n = buf.len().min(max);
    Some(Found {
        head: 0,
        content: n,
        total: n,
        flaw: Some(Flaw::AfterBadRdw),
    })
}

/// True for the 0x1A end-of-file marker unit.
pub fn is_eof_marker(unit: &[u8], enc: Encoding) -> bool {
    Units { buf: unit, enc }.at(0) == Some(0x1A)
}

/// The records one pass over the bytes finds ([`plain_records`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnePass {
    /// CSV records without this quote.
    Csv { quote: u8 },
    /// Fixed-length records with line ends, of exactly this length: each ends at
    /// its first CR, LF or CRLF, as [`fixed_record`] reads them. The others (of
    /// another length, blank lines) are left to [`fixed_record`].
    Fixed { length: usize },
}

/// The records `pass` names from `start` on, found in one pass over `buf`, 64 bytes
/// at a time: each ends at its first CR, LF or CRLF. Calls `record(start, end)` for
/// each (its data, without the line end) and returns where the next record starts:
/// at the first one the one-at-a-time reading must decide ([`csv_record`] for a
/// quote, [`fixed_record`] for another length; no line end within `max` bytes or
/// before the end of `buf`, a CR that ends `buf` before the end of the stream), or
/// right after the first record that reaches `stop`. For byte units only.
pub fn plain_records(
    buf: &[u8],
    start: usize,
    eof: bool,
    pass: OnePass,
    max: usize,
    stop: usize,
    record: impl FnMut(usize, usize),
) -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: this CPU has AVX2 (checked just above).
        return unsafe { plain_records_avx2(buf, start, eof, pass, max, stop, record) };
    }
    plain_records_with(masks64, buf, start, eof, pass, max, stop, record)
}

/// [`plain_records`] with 32-byte compares: half the instructions of SSE2's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn plain_records_avx2(
    buf: &[u8],
    start: usize,
    eof: bool,
    pass: OnePass,
    max: usize,
    stop: usize,
    record: impl FnMut(usize, usize),
) -> usize {
    match pass {
        // Fixed-length data: no quote, so its mask is not computed (inlined,
        // the unused compares are dropped: about 20 instructions a 238-byte record).
        OnePass::Fixed { .. } => plain_records_with(
            |b, _| (masks64_avx2(b, b'\n').0, 0),
            buf,
            start,
            eof,
            pass,
            max,
            stop,
            record,
        ),
        OnePass::Csv { .. } => plain_records_with(
            |b, q| masks64_avx2(b, q),
            buf,
            start,
            eof,
            pass,
            max,
            stop,
            record,
        ),
    }
}

/// [`plain_records`] with `block` finding the masks of 64 bytes.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn plain_records_with(
    block: impl Fn(&[u8; 64], u8) -> (u64, u64),
    buf: &[u8],
    start: usize,
    eof: bool,
    pass: OnePass,
    max: usize,
    stop: usize,
    mut record: impl FnMut(usize, usize),
) -> usize {
    // Fixed-length data may hold any byte: no quote stops the pass (the line
    // end given as the quote finds nothing the line-end mask does not).
    let (quote, length) = match pass {
        OnePass::Csv { quote } => (Some(quote), None),
        OnePass::Fixed { length } => (None, Some(length)),
    };
    if quote.is_some_and(|q| q == b'\r' || q == b'\n') {
        // A quote that is also a line end: only csv_record knows which it is.
        return start;
    }
    let quoting = quote.is_some();
    let quote = quote.unwrap_or(b'\n');
    let mut r = start;
    let mut base = start;
    while base < buf.len() {
        // A line end from here on would be more than `max` bytes after the record's start.
        if base.saturating_sub(r) > max {
            return r;
        }
        let (mut ends, quotes) = masks(&block, &buf[base..], quote);
        let quotes = if quoting { quotes } else { 0 };
        // After a CRLF across blocks the record starts one byte into this block.
        let skip = r.saturating_sub(base);
        let from_r = u64::MAX.checked_shl(skip as u32).unwrap_or(0);
        ends &= from_r;
        let quotes = quotes & from_r;
        while ends != 0 {
            let at = ends.trailing_zeros() as usize;
            let e = base + at;
            // A quote before the line end: the quote state machine decides this
            // record; a fixed-length record of another length: `fixed_record`.
            if quotes & ((1u64 << at) - 1) != 0 || e - r > max || length.is_some_and(|l| e - r != l)
            {
                return r;
            }
            let next = match (buf[e], buf.get(e + 1)) {
                (b'\n', _) => e + 1,
                (_, Some(b'\n')) => {
                    // The LF of the CRLF is the next bit (if in this block).
                    ends &= ends - 1;
                    e + 2
                }
                (_, Some(_)) => e + 1,
                // A CR at the end of the data: an LF may follow it.
                (_, None) if eof => e + 1,
                (_, None) => return r,
            };
            record(r, e);
            r = next;
            if r >= stop {
                return r;
            }
            ends &= ends - 1;
        }
        if quotes != 0 {
            return r;
        }
        base += 64;
    }
    r
}

/// Bit i set when `bytes[i]` is a CR or LF (the first mask) or `quote` (the
/// second), for the first 64 bytes of `bytes`.
#[inline(always)]
fn masks(masks64: &impl Fn(&[u8; 64], u8) -> (u64, u64), bytes: &[u8], quote: u8) -> (u64, u64) {
    match bytes.first_chunk::<64>() {
        Some(block) => masks64(block, quote),
        None => {
            let mut block = [0u8; 64];
            block[..bytes.len()].copy_from_slice(bytes);
            let (ends, quotes) = masks64(&block, quote);
            // The padding is no data (and `quote` may be a zero byte).
            let real = (1u64 << bytes.len()) - 1;
            (ends & real, quotes & real)
        }
    }
}

/// [`masks`] of one whole block, 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
pub(super) fn masks64(block: &[u8; 64], quote: u8) -> (u64, u64) {
    // SAFETY: SSE2 is part of x86-64: every CPU that runs this build has it.
    unsafe { masks64_sse2(block, quote) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn masks64_sse2(block: &[u8; 64], quote: u8) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let cr = _mm_set1_epi8(b'\r' as i8);
    let lf = _mm_set1_epi8(b'\n' as i8);
    let q = _mm_set1_epi8(quote as i8);
    let (mut ends, mut quotes) = (0u64, 0u64);
    let (parts, _) = block.as_chunks::<16>();
    for (k, part) in parts.iter().enumerate() {
        // SAFETY: `part` is 16 readable bytes, what an unaligned 128-bit load reads.
        let v = unsafe { _mm_loadu_si128(part.as_ptr().cast()) };
        let e = _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf));
        ends |= u64::from(_mm_movemask_epi8(e) as u16) << (16 * k);
        quotes |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q)) as u16) << (16 * k);
    }
    (ends, quotes)
}

/// [`masks`] of one whole block, 32 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn masks64_avx2(block: &[u8; 64], quote: u8) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };
    let cr = _mm256_set1_epi8(b'\r' as i8);
    let lf = _mm256_set1_epi8(b'\n' as i8);
    let q = _mm256_set1_epi8(quote as i8);
    let (mut ends, mut quotes) = (0u64, 0u64);
    let (parts, _) = block.as_chunks::<32>();
    for (k, part) in parts.iter().enumerate() {
        // SAFETY: `part` is 32 readable bytes, what an unaligned 256-bit load reads.
        let v = unsafe { _mm256_loadu_si256(part.as_ptr().cast()) };
        let e = _mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf));
        ends |= u64::from(_mm256_movemask_epi8(e) as u32) << (32 * k);
        quotes |= u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, q)) as u32) << (32 * k);
    }
    (ends, quotes)
}

#[cfg(not(target_arch = "x86_64"))]
pub(super) fn masks64(block: &[u8; 64], quote: u8) -> (u64, u64) {
    masks64_bytewise(block, quote)
}

/// [`masks64`] a byte at a time: the reference, and the form on other CPUs.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(super) fn masks64_bytewise(block: &[u8; 64], quote: u8) -> (u64, u64) {
    let (mut ends, mut quotes) = (0u64, 0u64);
    for (i, &b) in block.iter().enumerate() {
        ends |= u64::from(b == b'\r' || b == b'\n') << i;
        quotes |= u64::from(b == quote) << i;
    }
    (ends, quotes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The records `csv_record` finds from `start` on, one at a time, up to the
    /// first flawed one or the one that reaches `stop`: (start, end, the next
    /// record's start), and the first record it found flawed or not at all.
    fn reference(
        buf: &[u8],
        start: usize,
        eof: bool,
        max: usize,
        stop: usize,
    ) -> (Vec<(usize, usize)>, usize, Option<Found>) {
        let mut pos = start;
        let mut out = Vec::new();
        while pos < buf.len() {
            match csv_record(&buf[pos..], eof, Encoding::Cp932, b',', b'"', max) {
                Some(f) if f.flaw.is_none() => {
                    out.push((pos, pos + f.content));
                    pos += f.total;
                    if pos >= stop {
                        break;
                    }
                }
                other => return (out, pos, other),
            }
        }
        (out, pos, None)
    }

    proptest! {
        /// The fixed-length mask (the line-end mask of the CSV kernel) finds the
        /// line ends the reference finds.
        #[test]
        #[cfg(target_arch = "x86_64")]
        fn the_fixed_length_mask_is_the_line_end_mask(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'\r', b'\n', b'"', 0x8D, 0x8A, 0x00]),
                64,
            ),
        ) {
            let block: [u8; 64] = bytes.try_into().unwrap_or([0; 64]);
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: this CPU has AVX2 (checked just above).
                let got = unsafe { masks64_avx2(&block, b'\n').0 };
                prop_assert_eq!(got, masks64_bytewise(&block, b'"').0);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// The one-pass path finds the records `csv_record` finds, before the end
        /// of the stream as well as at it, and leaves to it only the records that
        /// need it.
        #[test]
        fn plain_records_are_csv_records(
            pieces in prop::collection::vec(prop_oneof![
                8 => prop::sample::select(vec![
                    b'a', b',', b'"', b'\r', b'\n', 0x1A, 0x82, 0x5C, 0x00,
                ]).prop_map(|b| vec![b]),
                1 => (1usize..140).prop_map(|n| vec![b'x'; n]),
            ], 0..60),
            eof in any::<bool>(),
            max in prop_oneof![1usize..8, 8usize..200, Just(1 << 20)],
            stop in prop_oneof![0usize..300, Just(usize::MAX)],
            start in any::<prop::sample::Index>(),
        ) {
            let buf = pieces.concat();
            let start = if buf.is_empty() { 0 } else { start.index(buf.len()) };
            let mut got = Vec::new();
            let csv = OnePass::Csv { quote: b'"' };
            let r = plain_records(&buf, start, eof, csv, max, stop, |s, e| got.push((s, e)));
            // The same with 16-byte compares, whatever this CPU has.
            let mut sse2 = Vec::new();
            let r2 = plain_records_with(masks64, &buf, start, eof, csv, max, stop, |s, e| {
                sse2.push((s, e))
            });
            prop_assert_eq!((r, &got), (r2, &sse2));
            let (want, _, _) = reference(&buf, start, eof, max, stop);
            prop_assert!(got.len() <= want.len() && got[..] == want[..got.len()], "{:?}\n{:?}", got, want);
            // Where it stopped is where a record starts (or the data end).
            let (_, at, _) = reference(&buf, start, eof, max, r.max(start));
            prop_assert!(r == start || at == r);
            // It stopped for a reason: the record there is not a plain one.
            if r < buf.len() && r < stop && got.len() < want.len() {
                let (s, e) = want[got.len()];
                let last = e == buf.len();
                let cr_at_end = buf.get(e) == Some(&b'\r') && e + 1 == buf.len();
                prop_assert!(
                    buf[s..e].contains(&b'"') || last || cr_at_end,
                    "stopped at {} for no reason", r
                );
            }
        }
    }
}
