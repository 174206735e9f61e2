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
    /// A fixed-length record of the wrong length.
    WrongLength,
}

/// Where a record ends: `content` bytes of data, `total` bytes with its line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
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
            content: c,
            total: t,
            flaw,
        },
        _ => Found {
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
                content: length,
                total: length,
                flaw: None,
            });
        }
        return eof.then_some(Found {
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
        content,
        total,
        flaw: (content != length && content != 0).then_some(Flaw::WrongLength),
    })
}

/// True for the 0x1A end-of-file marker unit.
pub fn is_eof_marker(unit: &[u8], enc: Encoding) -> bool {
    Units { buf: unit, enc }.at(0) == Some(0x1A)
}
