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
