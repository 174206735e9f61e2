//! Read and split: a byte stream → chunks of whole records, without decoding.
//!
//! The splitter runs in one thread ahead of the workers, so it only looks for
//! line ends and quotes (memchr over the raw bytes). That is safe before decoding
//! because CR, LF and the quote are below 0x40 and so are never the trail byte of
//! a Shift_JIS or EUC-JP character; UTF-16 is scanned in 16-bit units.
//!
//! A record with a flaw (a stray or unclosed quote, no line end within
//! `max_record` bytes, a fixed record of the wrong length) is cut at its first
//! line end, so that one broken quote never swallows the records after it; the
//! worker rejects it whole.
//!
//! Variable-length (RECFM=VB) records are framed by their record descriptor
//! word instead: the record is the body after it. A bad RDW loses the framing,
//! so the bytes from it to the end of the file are flawed records (none lost).
//!
//! Being the one place that sees the records in order, the splitter also marks
//! the file's first non-blank record ([`Chunk::first_nonblank`]: the header, when
//! the layout has one) and tells an end-of-file marker from data.

mod hash;
mod scan;

use crate::decode::Encoding;
use crate::error::Error;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

pub use hash::StreamHasher;
pub use scan::{Flaw, RDW, RdwFault};

/// How records are framed in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// RFC 4180 records: a line end inside a quoted item does not end the record.
    Csv { delimiter: u8, quote: u8 },
    /// Fixed-length records, `length` bytes each, optionally each followed by a line end.
    Fixed { length: usize, newline: bool },
    /// Variable-length records (RECFM=VB): each after a 4-byte record descriptor
    /// word, the body at most `max_body` bytes.
    Variable { max_body: usize },
}

/// How to split. Build it with [`SplitConfig::new`], which checks the sizes; a
/// value built field by field is checked by the reader before it reads.
#[derive(Debug, Clone, Copy)]
pub struct SplitConfig {
    pub framing: Framing,
    pub encoding: Encoding,
    /// Target size of a chunk's data; chunks hold whole records, so they may be larger.
    pub chunk_bytes: usize,
    /// A record with no line end within this many bytes is cut and flagged.
    pub max_record: usize,
}

impl SplitConfig {
    pub const DEFAULT_CHUNK_BYTES: usize = 1 << 20;
    pub const DEFAULT_MAX_RECORD: usize = 1 << 20;
    /// The largest `chunk_bytes`: about three chunks per worker are held at once,
    /// so larger chunks cost memory and gain nothing. (The smallest is 1 byte:
    /// every chunk still holds at least one whole record.)
    pub const MAX_CHUNK_BYTES: usize = 256 << 20;
    /// The largest `max_record`: a record is held whole until it is cut, so this
    /// bounds the memory one record can take.
    pub const MAX_RECORD: usize = 256 << 20;

    /// A checked configuration. Err (exit 2): `chunk_bytes` or `max_record` outside
    /// 1 to 256 MiB, or fixed-length records longer than `max_record` (stated before
    /// any byte is read, instead of buffering the file while looking for a record end).
    pub fn new(
        framing: Framing,
        encoding: Encoding,
        chunk_bytes: usize,
        max_record: usize,
    ) -> Result<SplitConfig, Error> {
        let cfg = SplitConfig {
            framing,
            encoding,
            chunk_bytes,
            max_record,
        };
        cfg.check()?;
        Ok(cfg)
    }

    /// The checks of [`SplitConfig::new`].
    pub fn check(&self) -> Result<(), Error> {
        if !(1..=Self::MAX_CHUNK_BYTES).contains(&self.chunk_bytes) {
            return Err(Error::Usage(format!(
                "a chunk size of {} bytes is out of range: give --chunk-bytes from 1 to {} (256 MiB)",
                self.chunk_bytes,
                Self::MAX_CHUNK_BYTES
            )));
        }
        if !(1..=Self::MAX_RECORD).contains(&self.max_record) {
            return Err(Error::Usage(format!(
                "a longest record of {} bytes is out of range: give --max-record-bytes from 1 to {} (256 MiB)",
                self.max_record,
                Self::MAX_RECORD
            )));
        }
        if self.encoding.is_ebcdic() {
            // EBCDIC has no ASCII CR, LF, comma or quote: such a layout would
            // read the bytes of kanji and packed numbers as line ends.
            let what = match self.framing {
                Framing::Csv { .. } => Some("a CSV layout"),
                Framing::Fixed { newline: true, .. } => Some("a fixed layout with newline = true"),
                _ => None,
            };
            if let Some(what) = what {
                return Err(Error::Config(format!(
                    "--encoding {} is EBCDIC, whose line ends are not ASCII CR/LF: {what} cannot \
                     frame its records. Use format = \"fixed\" without newline (recfm = \"fb\" \
                     or \"vb\"), or check --encoding",
                    self.encoding
                )));
            }
        }
        if let Framing::Variable { max_body } = self.framing
            && max_body > self.max_record
        {
            return Err(Error::Config(format!(
                "record_length {max_body} is longer than the longest record allowed ({} bytes): \
                 check record_length in the layout, or raise --max-record-bytes (at most {})",
                self.max_record,
                Self::MAX_RECORD
            )));
        }
        if let Framing::Fixed { length, .. } = self.framing {
            if length == 0 {
                return Err(Error::Config(
                    "record_length is 0: give the length of one record in bytes in the layout"
                        .into(),
                ));
            }
            if length > self.max_record {
                return Err(Error::Config(format!(
                    "record_length {length} is longer than the longest record allowed ({} bytes): \
                     check record_length in the layout, or raise --max-record-bytes (at most {})",
                    self.max_record,
                    Self::MAX_RECORD
                )));
            }
        }
        Ok(())
    }
}

/// Buffers of one kind handed back and forth between the reader, the workers and
/// the writer.
///
/// Memory stays bounded by design: every large buffer of a run comes from a pool
/// and goes back to it, one pool per use (chunk data, record spans, output bytes,
/// reject bytes), so that after the first chunks no buffer is allocated, grown or
/// freed again. A buffer freed on another thread than the one that allocated it
/// stays in that thread's malloc arena (glibc keeps one per thread): on a busy
/// machine such frees left 50–130 MB behind on a 1 GB input instead of 30 MB.
/// The pool holds at most what was in flight at once (about three chunks per
/// worker), so it needs no cap of its own.
#[derive(Debug)]
pub struct Pool<T> {
    free: Mutex<Vec<Vec<T>>>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool {
            free: Mutex::new(Vec::new()),
        }
    }
}

/// Byte buffers: chunk data, output and reject bytes.
pub type BufferPool = Pool<u8>;

impl<T> Pool<T> {
    /// An empty buffer, with at least `capacity` items of room when a new one is made.
    pub fn take(&self, capacity: usize) -> Vec<T> {
        let recycled = self.free.lock().ok().and_then(|mut f| f.pop());
        recycled.unwrap_or_else(|| Vec::with_capacity(capacity))
    }

    /// Gives a buffer back for reuse.
    pub fn put(&self, mut buf: Vec<T>) {
        buf.clear();
        if buf.capacity() > 0
            && let Ok(mut f) = self.free.lock()
        {
            f.push(buf);
        }
    }
}

/// The buffers of chunks: the reader takes them, whoever is done with a chunk
/// gives them back ([`ChunkPool::recycle`]).
#[derive(Debug, Default)]
pub struct ChunkPool {
    data: BufferPool,
    spans: Pool<Span>,
}

impl ChunkPool {
    /// Gives a chunk's buffers back for the reader to fill again. Its data is
    /// shared with the input's SHA-256 thread: whichever of the two is done with
    /// it last gives it back.
    pub fn recycle(&self, chunk: Chunk) {
        self.give_back(chunk.data);
        self.spans.put(chunk.records);
    }

    fn give_back(&self, data: Arc<Vec<u8>>) {
        if let Some(data) = Arc::into_inner(data) {
            self.data.put(data);
        }
    }
}

/// One record in a chunk: `data[start..end]` without its line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub flaw: Option<Flaw>,
}

impl Span {
    /// A blank line: no bytes and no flaw (counted, neither data nor header).
    pub fn is_blank(&self) -> bool {
        self.start == self.end && self.flaw.is_none()
    }
}

/// Whole records, ready for a worker.
#[derive(Debug, Default)]
pub struct Chunk {
    /// 0-based position of the chunk in its file: outputs are written in this order.
    pub seq: u64,
    /// File offset of `data[0]`.
    pub offset: u64,
    /// Record number of `records[0]`; records count from 1, the header and blank lines included.
    pub first_record: u64,
    /// Shared with the SHA-256 thread of the input, which hashes it in place.
    pub data: Arc<Vec<u8>>,
    pub records: Vec<Span>,
    /// Index in `records` of the file's first non-blank record, when this chunk
    /// holds it. With `header = true` that record is the header: blank lines
    /// before it are blank lines, not the header.
    pub first_nonblank: Option<usize>,
}

impl Chunk {
    /// True when `records[k]` is the header of a layout with `header = true`.
    #[inline]
    pub fn is_header(&self, header: bool, k: usize) -> bool {
        header && self.first_nonblank == Some(k)
    }
}

/// What the splitter saw besides records, for the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamInfo {
    pub bytes: u64,
    pub sha256: [u8; 32],
    /// The file started with a byte-order mark (not part of any record).
    pub bom: bool,
    /// The file ended with an 0x1A end-of-file marker (not part of any record).
    pub eof_marker: bool,
    pub records: u64,
}

/// The input did not have the length it had when it was opened: it was written
/// to while it was read. Carried inside an [`io::Error`] of kind `InvalidData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changed {
    /// The length when the file was opened.
    pub expected: u64,
    /// Bytes read: more than `expected` as soon as it grew, or fewer at the end.
    pub read: u64,
}

impl std::fmt::Display for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.read.cmp(&self.expected) {
            std::cmp::Ordering::Greater => "grew",
            std::cmp::Ordering::Less => "shrank",
            std::cmp::Ordering::Equal => "was rewritten",
        };
        write!(
            f,
            "the file {how} while it was read ({} bytes when opened, {} bytes read): it may still be being written. \
             Nothing was converted from it; run again once the export has finished",
            self.expected, self.read
        )
    }
}

impl std::error::Error for Changed {}

impl Changed {
    /// The `Changed` inside `e`, if that is what `e` is.
    pub fn of(e: &io::Error) -> Option<Changed> {
        e.get_ref()?.downcast_ref::<Changed>().copied()
    }
}

/// Splits a stream into [`Chunk`]s, hashing every byte it reads.
pub struct ChunkReader<R> {
    inner: R,
    cfg: SplitConfig,
    pool: Arc<ChunkPool>,
    /// Bytes read and not yet handed out; `pending[0]` is at file offset `offset`.
    pending: Vec<u8>,
    offset: u64,
    next_record: u64,
    seq: u64,
    eof: bool,
    started: bool,
    /// The first non-blank record has been handed out.
    seen_nonblank: bool,
    /// At the end of the stream: the bytes of trailing 0x1A units at the end of
    /// `pending` that may be an end-of-file marker (None until the end is reached).
    marker: Option<usize>,
    /// Variable-length records: a bad RDW was met, the rest is no records.
    rdw_lost: bool,
    /// The stream must be this long (the file's length when it was opened).
    expected_len: Option<u64>,
    /// CSV, or fixed-length with line ends, in byte units: its records without
    /// a quote (of their length) are found in one pass ([`scan::plain_records`])
    /// instead of one at a time.
    one_pass: Option<scan::OnePass>,
    hasher: StreamHasher,
    info: StreamInfo,
}

impl<R: Read> ChunkReader<R> {
    pub fn new(inner: R, cfg: SplitConfig) -> Self {
        Self::with_pool(inner, cfg, Arc::new(ChunkPool::default()))
    }

    /// A reader whose chunk buffers come from `pool` (give each chunk back with
    /// [`ChunkPool::recycle`] when done with it).
    pub fn with_pool(inner: R, cfg: SplitConfig, pool: Arc<ChunkPool>) -> Self {
        // From the pool, and back to it at `finish`: a run of many files does not
        // map, fault in and unmap a new buffer for each.
        let pending = pool.data.take(cfg.chunk_bytes.saturating_add(64 * 1024));
        ChunkReader {
            inner,
            cfg,
            pool,
            pending,
            offset: 0,
            next_record: 1,
            seq: 0,
            eof: false,
            started: false,
            seen_nonblank: false,
            marker: None,
            rdw_lost: false,
            expected_len: None,
            one_pass: match cfg.framing {
                _ if cfg.encoding.unit_width() != 1 => None,
                Framing::Csv { quote, .. } => Some(scan::OnePass::Csv { quote }),
                Framing::Fixed {
                    length,
                    newline: true,
                } => Some(scan::OnePass::Fixed { length }),
                _ => None,
            },
            hasher: StreamHasher::here(),
            info: StreamInfo::default(),
        }
    }

    /// The stream must hold exactly `bytes` bytes (a file's length when it was
    /// opened): reading more, or reaching the end before, is an error ([`Changed`]),
    /// so that a file still being written is never taken for a whole one.
    pub fn expect_len(&mut self, bytes: u64) {
        self.expected_len = Some(bytes);
    }

    /// Hashes nothing (call before the first chunk): for a sample read only to
    /// be decoded, whose SHA-256 nobody asks for ([`ChunkReader::finish`] then
    /// fails).
    pub fn without_hash(&mut self) {
        if self.info.bytes == 0 {
            self.hasher = StreamHasher::off();
        }
    }

    /// Hashes the input on a thread of its own instead of this one (call before
    /// the first chunk): the splitter, which is serial, then only reads and splits.
    /// Chunks are hashed without a copy; the few bytes no chunk holds (a BOM, an
    /// end-of-file marker) are copied into buffers from `blocks`.
    pub fn hash_apart(&mut self, blocks: Arc<BufferPool>) {
        if self.info.bytes == 0 {
            self.hasher = StreamHasher::apart(blocks);
        }
    }

    /// The next chunk, or None at the end of the stream.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        if !self.started {
            self.cfg
                .check()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        }
        loop {
            self.fill(self.cfg.chunk_bytes)?;
            if !self.started {
                self.started = true;
                self.skip_bom();
            }
            // Records of about 64 bytes or more: a recycled vector is rarely grown.
            let mut records = self
                .pool
                .spans
                .take((self.cfg.chunk_bytes / 64).clamp(16, 1 << 16));
            let cut = self.split_pending(&mut records);
            if !records.is_empty() {
                return Ok(Some(self.take_chunk(cut, records)));
            }
            self.pool.spans.put(records);
            if self.eof {
                return Ok(None);
            }
            // One record longer than the chunk: read more before splitting again.
            let want = self.pending.len().saturating_add(self.cfg.chunk_bytes);
            self.fill(want)?;
        }
    }

    /// Consumes the reader: what the splitter saw. Call after the last chunk.
    /// Err only when the hashing thread stopped (see [`ChunkReader::hash_apart`]).
    pub fn finish(mut self) -> io::Result<StreamInfo> {
        // What was read and never handed out (an end-of-file marker, say).
        self.hasher.update(&self.pending);
        self.pool.data.put(std::mem::take(&mut self.pending));
        let mut info = self.info;
        info.sha256 = self.hasher.finish()?;
        info.records = self.next_record - 1;
        Ok(info)
    }

    /// Reads until `pending` holds at least `want` bytes or the stream ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while !self.eof && self.pending.len() < want {
            let old = self.pending.len();
            let grow = (want - old).max(64 * 1024);
            // read_to_end through Take appends without zero-filling the buffer first.
            let n = match (&mut self.inner)
                .take(grow as u64)
                .read_to_end(&mut self.pending)
            {
                Ok(n) => n,
                Err(e) => {
                    self.pending.truncate(old);
                    return Err(e);
                }
            };
            self.info.bytes = self.info.bytes.saturating_add(n as u64);
            // read_to_end stops early only at the end of the stream.
            self.eof = n < grow;
            if let Some(expected) = self.expected_len
                && (self.info.bytes > expected || (self.eof && self.info.bytes != expected))
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Changed {
                        expected,
                        read: self.info.bytes,
                    },
                ));
            }
        }
        if self.eof && self.marker.is_none() {
            self.marker = Some(self.trailing_marker_len());
        }
        Ok(())
    }

    /// Old DOS-era tools end a file with 0x1A (SUB). The bytes of the 0x1A units
    /// that end the stream: whole units only, so in UTF-16 with an odd byte count
    /// (whose last byte is no unit) there are none.
    fn trailing_marker_len(&self) -> usize {
        if !self.marker_rule() {
            return 0;
        }
        let unit = self.cfg.encoding.unit_width();
        if !self.info.bytes.is_multiple_of(unit as u64) {
            return 0;
        }
        self.trailing_run(self.pending.len())
    }

    /// Bytes of the 0x1A units that end `pending[..end]`, at most `max_record`
    /// (whole units): a marker is never longer, so what may still become one is
    /// bounded, and held back the same way whatever the chunk size.
    fn trailing_run(&self, end: usize) -> usize {
        let unit = self.cfg.encoding.unit_width();
        let cap = self.cfg.max_record - self.cfg.max_record % unit;
        let mut start = end;
        while start >= unit
            && end - start < cap
            && scan::is_eof_marker(&self.pending[start - unit..start], self.cfg.encoding)
        {
            start -= unit;
        }
        end - start
    }

    /// Bytes at the end of `pending` not to be split into records yet: before the
    /// end of the stream, a trailing run of 0x1A units (and a partial unit after
    /// it) may turn out to be the end-of-file marker, so records wait for it.
    fn held_back(&self) -> usize {
        if !self.marker_rule() {
            return 0;
        }
        if self.eof {
            return self.marker.unwrap_or(0);
        }
        let unit = self.cfg.encoding.unit_width() as u64;
        let len = self.pending.len();
        let partial = ((self.offset + len as u64) % unit) as usize;
        let aligned = len - partial.min(len);
        match self.trailing_run(aligned) {
            0 => 0,
            run => run + partial,
        }
    }

    /// The 0x1A end-of-file marker is a DOS convention for text: an EBCDIC
    /// file has none (0x1A is data there), nor has a file of variable-length
    /// records, whose framing is binary.
    fn marker_rule(&self) -> bool {
        !self.cfg.encoding.is_ebcdic() && !matches!(self.cfg.framing, Framing::Variable { .. })
    }

    fn skip_bom(&mut self) {
        let bom = self.cfg.encoding.bom();
        if !bom.is_empty() && self.pending.starts_with(bom) {
            self.hasher.update(bom);
            self.pending.drain(..bom.len());
            self.offset = bom.len() as u64;
            self.info.bom = true;
            // The marker was measured from the end, which has not moved; but a
            // stream of only a BOM and markers must not count the BOM's bytes.
            if let Some(m) = self.marker.as_mut() {
                *m = (*m).min(self.pending.len());
            }
        }
    }

    /// The record at `pending[pos..end]` (None: more bytes are needed).
    fn scan(&self, pos: usize, end: usize) -> Option<scan::Found> {
        let rest = &self.pending[pos..end];
        match self.cfg.framing {
            Framing::Csv { delimiter, quote } => scan::csv_record(
                rest,
                self.eof,
                self.cfg.encoding,
                delimiter,
                quote,
                self.cfg.max_record,
            ),
            Framing::Fixed { length, newline } => scan::fixed_record(
                rest,
                self.eof,
                self.cfg.encoding,
                length,
                newline,
                self.cfg.max_record,
            ),
            Framing::Variable { .. } if self.rdw_lost => {
                scan::after_bad_rdw(rest, self.eof, self.cfg.max_record)
            }
            Framing::Variable { max_body } => {
                scan::vb_record(rest, self.eof, max_body, self.cfg.max_record)
            }
        }
    }

    /// Finds whole records in `pending`; returns the byte count they (and their
    /// line ends, and an end-of-file marker after the last) take.
    fn split_pending(&mut self, records: &mut Vec<Span>) -> usize {
        let len = self.pending.len();
        // At the end, the trailing 0x1A units are left out while the last record is
        // found: they are a marker only if that record is complete without them.
        // Before the end, a trailing run of 0x1A units is held back the same way.
        let mut end = len - self.held_back().min(len);
        let mut pos = 0;
        // Records to find one at a time before the one-pass path is tried again.
        let mut wait = 0u32;
        while pos < end {
            if wait > 0 {
                wait -= 1;
            } else if let Some(pass) = self.one_pass {
                // Records without a quote (of their length) in one pass; the
                // others one at a time below.
                let before = records.len();
                pos = scan::plain_records(
                    &self.pending[..end],
                    pos,
                    self.eof,
                    pass,
                    self.cfg.max_record,
                    self.cfg.chunk_bytes,
                    |start, end| {
                        records.push(Span {
                            start,
                            end,
                            flaw: None,
                        })
                    },
                );
                if pos >= self.cfg.chunk_bytes || pos >= end {
                    break;
                }
                if records.len() == before {
                    // Not one record without a quote: an export that quotes every
                    // item, most likely. Trying each record costs what it saves.
                    wait = 8;
                }
            }
            let Some(mut rec) = self.scan(pos, end) else {
                break;
            };
            if self.eof
                && end < len
                && pos + rec.total == end
                && open_at_end(self.cfg.framing, &rec)
            {
                // The last record is still open where the 0x1A units start (inside
                // a quoted item, or a fixed-length record short of its length): they
                // are its data, and a reject shows it as it is in the file.
                end = len;
                self.marker = Some(0);
                match self.scan(pos, end) {
                    Some(r) => rec = r,
                    None => break,
                }
            }
            self.rdw_lost |= matches!(rec.flaw, Some(Flaw::BadRdw(_)));
            records.push(Span {
                start: pos + rec.head,
                end: pos + rec.content,
                flaw: rec.flaw,
            });
            pos += rec.total;
            if pos >= self.cfg.chunk_bytes {
                break;
            }
        }
        if self.eof && pos == end && end < len {
            // Only the end-of-file marker is left: it goes with this chunk, in no record.
            self.info.eof_marker = true;
            self.marker = Some(0);
            pos = len;
        }
        pos
    }

    fn take_chunk(&mut self, cut: usize, records: Vec<Span>) -> Chunk {
        // The rest goes into a recycled buffer, so that steady state allocates nothing.
        let mut rest = self
            .pool
            .data
            .take(self.cfg.chunk_bytes.saturating_add(64 * 1024));
        rest.extend_from_slice(&self.pending[cut..]);
        self.pending.truncate(cut);
        // The input is hashed a chunk at a time as it is handed out (every byte
        // read leaves `pending` in order: the BOM, the chunks, the rest at the end),
        // on the hashing thread without a copy.
        let data = Arc::new(std::mem::replace(&mut self.pending, rest));
        self.hasher.update_shared(&data, &self.pool);
        let first_nonblank = if self.seen_nonblank {
            None
        } else {
            let k = records.iter().position(|s| !s.is_blank());
            self.seen_nonblank = k.is_some();
            k
        };
        let chunk = Chunk {
            seq: self.seq,
            offset: self.offset,
            first_record: self.next_record,
            data,
            records,
            first_nonblank,
        };
        self.seq += 1;
        self.offset += cut as u64;
        self.next_record += chunk.records.len() as u64;
        chunk
    }
}

/// True when `rec`, found at the end of the data, ends only because the data
/// does: a quoted item still open, or a fixed-length record (without line ends)
/// short of its length.
fn open_at_end(framing: Framing, rec: &scan::Found) -> bool {
    match (framing, rec.flaw) {
        (Framing::Csv { .. }, Some(Flaw::UnclosedQuote)) => rec.content == rec.total,
        (Framing::Fixed { newline: false, .. }, Some(Flaw::WrongLength)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(framing: Framing, encoding: Encoding, chunk_bytes: usize) -> SplitConfig {
        SplitConfig {
            framing,
            encoding,
            chunk_bytes,
            max_record: 4096,
        }
    }

    const CSV: Framing = Framing::Csv {
        delimiter: b',',
        quote: b'"',
    };

    /// (record number, file offset, bytes, flaw)
    type Rec = (u64, u64, Vec<u8>, Option<Flaw>);

    /// All records, and the stream info.
    fn split_all(input: &[u8], c: SplitConfig) -> (Vec<Rec>, StreamInfo) {
        // Hashing on its own thread gives the same digest as hashing here, and
        // that is the digest of every byte of the input (a BOM, an end-of-file
        // marker, what no record holds).
        let (records, info) = split_all_hashed(input, c, false);
        let whole: [u8; 32] = sha2::Digest::finalize(sha2::Digest::chain_update(
            <sha2::Sha256 as sha2::Digest>::new(),
            input,
        ))
        .into();
        assert_eq!(info.sha256, whole, "{} bytes", input.len());
        assert_eq!(
            split_all_hashed(input, c, true),
            (records.clone(), info.clone())
        );
        // The one-pass path for records without quotes finds what the
        // record-by-record path finds.
        assert_eq!(one_by_one(input, c), (records.clone(), info.clone()));
        (records, info)
    }

    /// [`split_all`] with every record found by `scan::csv_record`.
    fn one_by_one(input: &[u8], c: SplitConfig) -> (Vec<Rec>, StreamInfo) {
        let mut r = ChunkReader::new(input, c);
        r.one_pass = None;
        collect(r)
    }

    fn split_all_hashed(input: &[u8], c: SplitConfig, apart: bool) -> (Vec<Rec>, StreamInfo) {
        let mut r = ChunkReader::new(input, c);
        if apart {
            r.hash_apart(Arc::new(BufferPool::default()));
        }
        collect(r)
    }

    fn collect(mut r: ChunkReader<&[u8]>) -> (Vec<Rec>, StreamInfo) {
        let mut out = Vec::new();
        let mut seq = 0;
        while let Some(ch) = r.next_chunk().unwrap() {
            assert_eq!(ch.seq, seq);
            seq += 1;
            for (i, s) in ch.records.iter().enumerate() {
                out.push((
                    ch.first_record + i as u64,
                    ch.offset + s.start as u64,
                    ch.data[s.start..s.end].to_vec(),
                    s.flaw,
                ));
            }
        }
        (out, r.finish().unwrap())
    }

    fn contents(input: &[u8], c: SplitConfig) -> Vec<Vec<u8>> {
        split_all(input, c).0.into_iter().map(|r| r.2).collect()
    }

    #[test]
    fn mixed_line_ends_and_quoted_newlines() {
        let input = b"a,b\r\nc,\"x\r\ny\"\nd\re\r\n";
        for chunk_bytes in [1, 2, 3, 5, 8, 1000] {
            let (recs, info) = split_all(input, cfg(CSV, Encoding::Cp932, chunk_bytes));
            let got: Vec<_> = recs
                .iter()
                .map(|r| (r.0, r.1, r.2.as_slice(), r.3))
                .collect();
            assert_eq!(
                got,
                vec![
                    (1, 0, &b"a,b"[..], None),
                    (2, 5, &b"c,\"x\r\ny\""[..], None),
                    (3, 14, &b"d"[..], None),
                    (4, 16, &b"e"[..], None),
                ],
                "chunk_bytes {chunk_bytes}"
            );
            assert_eq!(info.records, 4);
            assert_eq!(info.bytes, input.len() as u64);
        }
    }

    #[test]
    fn doubled_quotes_stay_inside_the_item() {
        assert_eq!(
            contents(b"\"a\"\"\nb\",c\nd\n", cfg(CSV, Encoding::Utf8, 1)),
            vec![b"\"a\"\"\nb\",c".to_vec(), b"d".to_vec()]
        );
    }

    #[test]
    fn broken_quotes_are_cut_at_their_first_line_end() {
        let input = b"1,ab\"c\n2,\"ok\"\n3,\"unclosed\n4,x\n5,\"q\"z,\n6\n";
        let (recs, _) = split_all(input, cfg(CSV, Encoding::Cp932, 3));
        let got: Vec<_> = recs.iter().map(|r| (r.2.as_slice(), r.3)).collect();
        assert_eq!(
            got,
            vec![
                (&b"1,ab\"c"[..], Some(Flaw::BrokenQuote)),
                (&b"2,\"ok\""[..], None),
                (&b"3,\"unclosed"[..], Some(Flaw::BrokenQuote)),
                (&b"4,x"[..], None),
                (&b"5,\"q\"z,"[..], Some(Flaw::BrokenQuote)),
                (&b"6"[..], None),
            ]
        );
    }

    #[test]
    fn a_quote_that_never_closes_is_cut_at_the_line_end() {
        let (recs, _) = split_all(b"1,\"abc\n2,def\n3", cfg(CSV, Encoding::Cp932, 2));
        let got: Vec<_> = recs.iter().map(|r| (r.2.as_slice(), r.3)).collect();
        assert_eq!(
            got,
            vec![
                (&b"1,\"abc"[..], Some(Flaw::UnclosedQuote)),
                (&b"2,def"[..], None),
                (&b"3"[..], None)
            ]
        );
    }

    #[test]
    fn over_long_records_are_cut_and_flagged() {
        let mut c = cfg(CSV, Encoding::Cp932, 16);
        c.max_record = 10;
        let (recs, _) = split_all(b"0123456789abcdef\nok\n", c);
        assert_eq!(recs[0].3, Some(Flaw::TooLong));
        assert_eq!(recs[0].2, b"0123456789");
        assert_eq!(recs.last().unwrap().2, b"ok");
        let total: usize = recs.iter().map(|r| r.2.len()).sum();
        assert_eq!(total, 18, "every byte is in some record");
    }

    #[test]
    fn blank_lines_are_records_and_the_last_line_end_is_optional() {
        assert_eq!(
            contents(b"a\n\nb", cfg(CSV, Encoding::Cp932, 1)),
            vec![b"a".to_vec(), b"".to_vec(), b"b".to_vec()]
        );
        assert!(contents(b"", cfg(CSV, Encoding::Cp932, 1)).is_empty());
    }

    #[test]
    fn bom_and_eof_marker_are_not_data() {
        let (recs, info) = split_all(b"\xEF\xBB\xBFa,b\r\n\x1A", cfg(CSV, Encoding::Utf8, 4));
        assert_eq!(recs, vec![(1, 3, b"a,b".to_vec(), None)]);
        assert!(info.bom && info.eof_marker);
        let (recs, info) = split_all(b"a\r\nb\x1A", cfg(CSV, Encoding::Cp932, 4));
        assert_eq!(recs.last().unwrap().2, b"b");
        assert!(info.eof_marker && !info.bom);
    }

    #[test]
    fn sjis_trail_bytes_never_end_a_record() {
        // 0x955C (表) has the trail byte 0x5C; 0x8160 has 0x60: neither is structural.
        let input = b"\x95\x5C,\"\x81\x60\"\r\n\xF0\x40\r\n";
        assert_eq!(
            contents(input, cfg(CSV, Encoding::Cp932, 1)),
            vec![b"\x95\x5C,\"\x81\x60\"".to_vec(), b"\xF0\x40".to_vec()]
        );
    }

    #[test]
    fn utf16_is_split_in_units() {
        let text = "あ,\"い\nう\"\r\nえ\n";
        for (enc, bom) in [
            (Encoding::Utf16Le, &b"\xFF\xFE"[..]),
            (Encoding::Utf16Be, &b"\xFE\xFF"[..]),
        ] {
            let mut bytes = bom.to_vec();
            for u in text.encode_utf16() {
                bytes.extend(if enc == Encoding::Utf16Le {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            // 0x0A0A in the data ("ਊ") must not be taken for a line end either.
            let (recs, info) = split_all(&bytes, cfg(CSV, enc, 3));
            assert!(info.bom);
            assert_eq!(recs.len(), 2, "{enc}");
            assert_eq!(recs[0].1, 2);
            let mut s = String::new();
            crate::decode::decode(enc, &recs[0].2, &mut s).unwrap();
            assert_eq!(s, "あ,\"い\nう\"");
        }
        let mut le = Vec::new();
        for u in "\u{0A0A},x\n".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        assert_eq!(contents(&le, cfg(CSV, Encoding::Utf16Le, 1)).len(), 1);
    }

    #[test]
    fn fixed_records_with_and_without_line_ends() {
        let f = Framing::Fixed {
            length: 4,
            newline: false,
        };
        for chunk_bytes in [1, 3, 4, 5, 100] {
            let (recs, info) = split_all(b"abcdefgh\x1A", cfg(f, Encoding::Cp932, chunk_bytes));
            let got: Vec<_> = recs.iter().map(|r| (r.1, r.2.as_slice(), r.3)).collect();
            assert_eq!(got, vec![(0, &b"abcd"[..], None), (4, &b"efgh"[..], None)]);
            assert!(info.eof_marker);
            // After a short last record the 0x1A is no marker: it is that record's data.
            let (recs, info) = split_all(b"abcdefghij\x1A", cfg(f, Encoding::Cp932, chunk_bytes));
            let got: Vec<_> = recs.iter().map(|r| (r.1, r.2.as_slice(), r.3)).collect();
            assert_eq!(
                got,
                vec![
                    (0, &b"abcd"[..], None),
                    (4, &b"efgh"[..], None),
                    (8, &b"ij\x1A"[..], Some(Flaw::WrongLength))
                ]
            );
            assert!(!info.eof_marker);
        }
        // Line ends inside a record without line ends are data.
        assert_eq!(
            contents(b"a\r\nbcdef\n", cfg(f, Encoding::Cp932, 1)),
            vec![b"a\r\nb".to_vec(), b"cdef".to_vec(), b"\n".to_vec()]
        );
        let f = Framing::Fixed {
            length: 4,
            newline: true,
        };
        for chunk_bytes in [1, 2, 7, 100] {
            let (recs, info) = split_all(
                b"abcd\r\nefg\n\r\nhijk\nlmnopq\r\nrstu\x1A",
                cfg(f, Encoding::Cp932, chunk_bytes),
            );
            let got: Vec<_> = recs
                .iter()
                .map(|r| (r.0, r.1, r.2.as_slice(), r.3))
                .collect();
            assert_eq!(
                got,
                vec![
                    (1, 0, &b"abcd"[..], None),
                    (2, 6, &b"efg"[..], Some(Flaw::WrongLength)),
                    // A blank line, as in CSV: the worker counts it, it is no record.
                    (3, 10, &b""[..], None),
                    (4, 12, &b"hijk"[..], None),
                    (5, 17, &b"lmnopq"[..], Some(Flaw::WrongLength)),
                    (6, 25, &b"rstu"[..], None),
                ],
                "chunk_bytes {chunk_bytes}"
            );
            assert!(info.eof_marker);
        }
    }

    #[test]
    fn fixed_records_without_a_line_end_are_cut_at_max_record() {
        let f = Framing::Fixed {
            length: 4,
            newline: true,
        };
        let mut c = cfg(f, Encoding::Cp932, 1);
        c.max_record = 8;
        let (recs, _) = split_all(b"0123456789abcdef\r\nwxyz\r\n", c);
        let got: Vec<_> = recs.iter().map(|r| (r.2.as_slice(), r.3)).collect();
        assert_eq!(got.last(), Some(&(&b"wxyz"[..], None)));
        // The line end after the cut is left as a blank line.
        assert!(
            got[..got.len() - 1]
                .iter()
                .all(|r| r.1 == Some(Flaw::WrongLength) || r.0.is_empty())
        );
        let total: usize = recs.iter().map(|r| r.2.len()).sum();
        assert_eq!(total, 20, "every data byte is in some record");
    }

    /// One VB record: its RDW and body.
    fn vb(body: &[u8]) -> Vec<u8> {
        let mut r = ((body.len() + 4) as u16).to_be_bytes().to_vec();
        r.extend_from_slice(&[0, 0]);
        r.extend_from_slice(body);
        r
    }

    const VB: Framing = Framing::Variable { max_body: 8 };

    #[test]
    fn vb_records_are_the_bytes_after_their_rdw() {
        let mut input = vb(b"abc");
        input.extend(vb(b""));
        input.extend(vb(b"\x1A\x0D\x0A\x0E"));
        input.extend(vb(b"123456789"));
        input.extend(vb(b"z"));
        for enc in [Encoding::Ibm930, Encoding::JefAscii, Encoding::Cp932] {
            for chunk_bytes in [1, 2, 5, 7, 1000] {
                let (recs, info) = split_all(&input, cfg(VB, enc, chunk_bytes));
                let got: Vec<_> = recs
                    .iter()
                    .map(|r| (r.0, r.1, r.2.as_slice(), r.3))
                    .collect();
                assert_eq!(
                    got,
                    vec![
                        (1, 4, &b"abc"[..], None),
                        // An empty body is a blank record.
                        (2, 11, &b""[..], None),
                        // CR, LF and 0x1A are data in a VB record.
                        (3, 15, &b"\x1A\x0D\x0A\x0E"[..], None),
                        // Longer than record_length: that record only.
                        (4, 23, &b"123456789"[..], Some(Flaw::WrongLength)),
                        (5, 36, &b"z"[..], None),
                    ],
                    "{enc} chunk_bytes {chunk_bytes}"
                );
                assert!(!info.eof_marker);
            }
        }
    }

    #[test]
    fn a_bad_rdw_rejects_the_rest_of_the_file_keeping_every_byte() {
        let good = vb(b"abc");
        for (bad, fault) in [
            (&b"\x00\x03\x00\x00xyz"[..], RdwFault::TooShort(3)),
            (
                b"\x00\x06\x00\x01xyz",
                RdwFault::Reserved { spanned: false },
            ),
            (b"\x00\x06\x01\x00xyz", RdwFault::Reserved { spanned: true }),
            (b"\x00\x09\x00\x00xyz", RdwFault::PastEnd(2)),
            (b"\x00\x06\x00", RdwFault::Truncated),
            (b"\x01\x00\x00\x00xyz", RdwFault::TooLong(256)),
        ] {
            let mut input = good.clone();
            input.extend_from_slice(bad);
            // Past the end and truncated are seen at the end of the file only.
            if !matches!(fault, RdwFault::PastEnd(_) | RdwFault::Truncated) {
                input.extend(vb(b"after"));
            }
            for chunk_bytes in [1, 3, 8, 1000] {
                let mut c = cfg(VB, Encoding::Ibm930, chunk_bytes);
                c.max_record = 10;
                let (recs, _) = split_all(&input, c);
                assert_eq!(recs[0].2, b"abc", "{recs:?}");
                assert_eq!(recs[1].1, 7, "{bad:?} {recs:?}");
                assert_eq!(recs[1].1, 7, "the flawed record starts at the bad RDW");
                assert_eq!(
                    recs[1].3,
                    Some(Flaw::BadRdw(fault)),
                    "{bad:?} chunk_bytes {chunk_bytes}"
                );
                // The rest is no records, max_record bytes at a time, and every byte is kept.
                let rest: Vec<u8> = recs[1..].iter().flat_map(|r| r.2.clone()).collect();
                assert_eq!(rest, input[7..], "{bad:?}");
                assert!(recs[1..].iter().all(|r| r.2.len() <= 10));
                assert!(recs[2..].iter().all(|r| r.3 == Some(Flaw::AfterBadRdw)));
            }
        }
    }

    #[test]
    fn ebcdic_has_no_eof_marker_and_no_ascii_line_ends() {
        let f = Framing::Fixed {
            length: 2,
            newline: false,
        };
        let (recs, info) = split_all(b"ab\x1A\x1A", cfg(f, Encoding::Ibm930, 1));
        assert_eq!(recs.len(), 2, "0x1A is data in EBCDIC");
        assert!(!info.eof_marker);
        let (recs, info) = split_all(b"ab\x1A\x1A", cfg(f, Encoding::JipsJ, 1));
        assert_eq!(recs.len(), 1);
        assert!(info.eof_marker);
        for framing in [
            CSV,
            Framing::Fixed {
                length: 2,
                newline: true,
            },
        ] {
            let e = SplitConfig::new(framing, Encoding::KeisEbcdik, 1, 1).unwrap_err();
            assert!(
                e.to_string().contains("EBCDIC") && e.exit_code() == 2,
                "{e}"
            );
            assert!(SplitConfig::new(framing, Encoding::JipsJ, 1, 8).is_ok());
        }
        assert!(SplitConfig::new(VB, Encoding::Ibm930, 1, 8).is_ok());
        assert!(SplitConfig::new(VB, Encoding::Ibm930, 1, 7).is_err());
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever the bytes (quotes, line ends of every kind, Shift_JIS pairs), any
        /// chunk size gives the same records, and the records and their line ends
        /// cover every byte of the input: nothing is lost at a chunk boundary.
        #[test]
        fn any_chunk_size_gives_the_same_records(
            input in prop::collection::vec(prop::sample::select(vec![
                b'a', b',', b'"', b'\r', b'\n', 0x82, 0xA0, 0x5C, 0x1A,
            ]), 0..300),
            chunk_bytes in 1usize..64,
            max_record in 8usize..64,
        ) {
            let mut small = cfg(CSV, Encoding::Cp932, chunk_bytes);
            small.max_record = max_record;
            let mut big = small;
            big.chunk_bytes = 1 << 20;
            let (a, ia) = split_all(&input, small);
            let (b, ib) = split_all(&input, big);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(ia, ib);
            // Records appear in order, without overlap; the gaps are line ends only,
            // and the tail is at most the EOF markers.
            let mut pos = 0usize;
            for (_, offset, bytes, _) in &a {
                let gap = &input[pos..*offset as usize];
                prop_assert!(gap.iter().all(|&c| c == b'\r' || c == b'\n'), "gap {:?}", gap);
                prop_assert!(gap.len() <= 2);
                prop_assert_eq!(&input[*offset as usize..*offset as usize + bytes.len()], &bytes[..]);
                pos = *offset as usize + bytes.len();
            }
            prop_assert!(input[pos..].iter().all(|&c| matches!(c, b'\r' | b'\n' | 0x1A)));
        }

        /// The same for UTF-16, where a line end is a 16-bit unit (0x0A0A is not one).
        #[test]
        fn utf16_any_chunk_size_gives_the_same_records(
            units in prop::collection::vec(prop::sample::select(vec![
                0x0061u16, 0x002C, 0x0022, 0x000D, 0x000A, 0x0A0A, 0x0D0D, 0x3042, 0x001A,
            ]), 0..200),
            chunk_bytes in 1usize..64,
            big_endian in any::<bool>(),
        ) {
            let enc = if big_endian { Encoding::Utf16Be } else { Encoding::Utf16Le };
            let input: Vec<u8> = units
                .iter()
                .flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() })
                .collect();
            let (a, ia) = split_all(&input, cfg(CSV, enc, chunk_bytes));
            let (b, ib) = split_all(&input, cfg(CSV, enc, 1 << 20));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(ia, ib);
            for (_, offset, bytes, _) in &a {
                prop_assert!(offset % 2 == 0 && bytes.len() % 2 == 0, "records stay on unit boundaries");
            }
        }
    }

    /// The reader with the one-pass path hands out what it hands out without it:
    /// the same chunks (sequence, offset, first record, data, spans, header mark)
    /// and the same stream info.
    fn same_with_and_without_one_pass(input: &[u8], c: SplitConfig) -> Result<(), TestCaseError> {
        let mut fast = ChunkReader::new(input, c);
        let mut slow = ChunkReader::new(input, c);
        slow.one_pass = None;
        loop {
            let (a, b) = (fast.next_chunk().unwrap(), slow.next_chunk().unwrap());
            let same = match (&a, &b) {
                (Some(a), Some(b)) => {
                    (
                        a.seq,
                        a.offset,
                        a.first_record,
                        &a.data,
                        &a.records,
                        a.first_nonblank,
                    ) == (
                        b.seq,
                        b.offset,
                        b.first_record,
                        &b.data,
                        &b.records,
                        b.first_nonblank,
                    )
                }
                (None, None) => break,
                _ => false,
            };
            prop_assert!(same, "{:?}\n{:?}", a, b);
        }
        prop_assert_eq!(fast.finish().unwrap(), slow.finish().unwrap());
        Ok(())
    }

    /// Fixed-length lines: most of `length` bytes (quotes, commas, Shift_JIS
    /// bytes, NUL, 0x1A, spaces), some of other lengths (with lone CRs), each
    /// ended by CRLF, LF, CR or nothing.
    fn fixed_bytes(length: usize) -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            6 => prop::collection::vec(
                prop::sample::select(vec![b'a', b'"', b',', 0x82, 0xA0, 0x1A, 0x00, b' ']),
                length..=length,
            ),
            1 => prop::collection::vec(prop::sample::select(vec![b'a', b'\r', 0x1A]), 0..2 * length + 2),
        ];
        let end = prop::sample::select(vec![&b"\r\n"[..], b"\n", b"\r", b""]);
        prop::collection::vec(
            (line, end).prop_map(|(l, e)| [l, e.to_vec()].concat()),
            0..40,
        )
        .prop_map(|v| v.concat())
    }

    /// Input for the one-pass path: records over 64 bytes (runs of one byte) as
    /// well as quotes, delimiters, line ends of every kind, 0x1A and Shift_JIS bytes.
    fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            8 => prop::sample::select(vec![
                b'a', b',', b'"', b'\r', b'\n', 0x1A, 0x82, 0xA0, 0x5C, 0x00,
            ])
            .prop_map(|b| vec![b]),
            1 => (prop::sample::select(vec![b'x', 0x82]), 1usize..150)
                .prop_map(|(b, n)| vec![b; n]),
            1 => Just(b"\r\n".to_vec()),
        ];
        prop::collection::vec(piece, 0..80).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever the bytes, chunk size and longest record, finding the records
        /// without quotes in one pass gives the chunks, records, flaws and stream
        /// info that finding every record with `csv_record` gives.
        #[test]
        fn the_one_pass_path_finds_what_csv_record_finds(
            input in csv_bytes(),
            chunk_bytes in prop::sample::select(vec![1usize, 2, 5, 63, 64, 65, 200, 1 << 20]),
            max_record in prop_oneof![1usize..8, 8usize..200, Just(4096)],
            encoding in prop::sample::select(vec![Encoding::Cp932, Encoding::EucJp, Encoding::Utf8]),
            lead in prop::option::weighted(0.25, any::<prop::sample::Index>()),
        ) {
            // Before the end of the stream, too: lines before the input put the end
            // of the first read (64 KiB) anywhere in it.
            let mut input = input;
            if let (Some(at), false) = (lead, input.is_empty()) {
                let n = 65536 - at.index(input.len());
                let mut lines: Vec<u8> = [[b'y'; 63].as_slice(), b"\n"].concat().repeat(n / 64);
                if n % 64 > 0 {
                    lines.extend(vec![b'y'; n % 64 - 1]);
                    lines.push(b'\n');
                }
                lines.extend(input);
                input = lines;
            }
            let mut c = cfg(CSV, encoding, chunk_bytes);
            c.max_record = max_record;
            same_with_and_without_one_pass(&input, c)?;
        }

        /// The same for fixed-length records with line ends: the records of their
        /// length found in one pass are those `fixed_record` finds one at a time
        /// (among lines of other lengths, blank lines, lone CRs, quotes and
        /// 0x1A, with the first read's end anywhere).
        #[test]
        fn the_one_pass_path_finds_what_fixed_record_finds(
            (length, input) in prop::sample::select(vec![1usize, 3, 63, 64, 65, 100])
                .prop_flat_map(|l| (Just(l), fixed_bytes(l))),
            chunk_bytes in prop::sample::select(vec![1usize, 2, 5, 64, 65, 300, 1 << 20]),
            extra in prop::sample::select(vec![0usize, 1, 5, 4000]),
            encoding in prop::sample::select(vec![Encoding::Cp932, Encoding::EucJp, Encoding::Utf8]),
            lead in prop::option::weighted(0.25, any::<prop::sample::Index>()),
        ) {
            let mut input = input;
            if let (Some(at), false) = (lead, input.is_empty()) {
                let n = 65536 - at.index(input.len());
                let line = [vec![b'y'; length], b"\n".to_vec()].concat();
                let mut lines = line.repeat(n / line.len());
                lines.extend(vec![b'y'; n % line.len()]);
                lines.extend(input);
                input = lines;
            }
            let framing = Framing::Fixed { length, newline: true };
            let mut c = cfg(framing, encoding, chunk_bytes);
            c.max_record = length + extra;
            prop_assert!(ChunkReader::new(&input[..], c).one_pass.is_some());
            same_with_and_without_one_pass(&input, c)?;
        }

        /// The 64-byte masks are those of a byte-by-byte look.
        #[test]
        fn block_masks_are_those_of_each_byte(
            block in prop::collection::vec(prop::sample::select(vec![
                b'\r', b'\n', b'"', b'\'', 0x00, 0x0D ^ 0x80, 0x8A, b'a', 0xFF,
            ]), 64),
            quote in prop::sample::select(vec![b'"', b'\'', 0x00, 0xFF]),
        ) {
            let block: [u8; 64] = block.try_into().unwrap();
            let want = scan::masks64_bytewise(&block, quote);
            prop_assert_eq!(scan::masks64(&block, quote), want);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: this CPU has AVX2 (checked just above).
                prop_assert_eq!(unsafe { scan::masks64_avx2(&block, quote) }, want);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// VB streams, good or damaged anywhere: any chunk size gives the same
        /// records, and every byte is in a record or in a good record's RDW.
        #[test]
        fn vb_any_chunk_size_gives_the_same_records(
            bodies in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 0..12),
            damage in prop::option::of((any::<prop::sample::Index>(), any::<u8>())),
            cut in prop::option::of(any::<prop::sample::Index>()),
            chunk_bytes in 1usize..40,
            max_record in 10usize..24,
        ) {
            let mut input: Vec<u8> = bodies.iter().flat_map(|b| vb(b)).collect();
            if let (Some((at, byte)), false) = (damage, input.is_empty()) {
                let i = at.index(input.len());
                input[i] = byte;
            }
            if let (Some(at), false) = (cut, input.is_empty()) {
                input.truncate(at.index(input.len()));
            }
            let framing = Framing::Variable { max_body: 10 };
            let mut small = cfg(framing, Encoding::Ibm930, chunk_bytes);
            small.max_record = max_record;
            let mut big = small;
            big.chunk_bytes = 1 << 20;
            let (a, ia) = split_all(&input, small);
            let (b, ib) = split_all(&input, big);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(ia, ib);
            let mut pos = 0usize;
            for (_, offset, bytes, flaw) in &a {
                let gap = *offset as usize - pos;
                match flaw {
                    Some(Flaw::BadRdw(_) | Flaw::AfterBadRdw) => prop_assert_eq!(gap, 0),
                    _ => {
                        prop_assert_eq!(gap, RDW);
                        let len = u16::from_be_bytes([input[pos], input[pos + 1]]) as usize;
                        prop_assert_eq!(len, bytes.len() + RDW);
                    }
                }
                prop_assert_eq!(&input[*offset as usize..*offset as usize + bytes.len()], &bytes[..]);
                pos = *offset as usize + bytes.len();
            }
            prop_assert_eq!(pos, input.len());
        }
    }

    /// Record contents and the header index over all chunks: (records, index of
    /// the record marked first non-blank, how many chunks marked one).
    fn first_nonblank(input: &[u8], c: SplitConfig) -> (Vec<Vec<u8>>, Option<usize>, usize) {
        let mut r = ChunkReader::new(input, c);
        let (mut recs, mut first, mut marks) = (Vec::new(), None, 0);
        while let Some(ch) = r.next_chunk().unwrap() {
            if let Some(k) = ch.first_nonblank {
                marks += 1;
                first = Some(recs.len() + k);
                assert!(ch.is_header(true, k) && !ch.is_header(false, k));
            }
            recs.extend(ch.records.iter().map(|s| ch.data[s.start..s.end].to_vec()));
        }
        (recs, first, marks)
    }

    #[test]
    fn the_first_non_blank_record_is_marked_once_whatever_the_chunk_size() {
        let input = b"\r\n\n\r\nno,name\r\n1,a\r\n\r\n2,b\r\n";
        for chunk_bytes in [1, 2, 3, 5, 8, 13, 1000] {
            let (recs, first, marks) = first_nonblank(input, cfg(CSV, Encoding::Utf8, chunk_bytes));
            assert_eq!(first, Some(3), "chunk_bytes {chunk_bytes}");
            assert_eq!(recs[3], b"no,name");
            assert_eq!(marks, 1);
        }
        let (_, first, _) = first_nonblank(b"\xEF\xBB\xBF\nh\n1\n", cfg(CSV, Encoding::Utf8, 1));
        assert_eq!(first, Some(1), "after the BOM and a blank line");
        let (_, first, marks) = first_nonblank(b"\n\r\n\n", cfg(CSV, Encoding::Utf8, 1));
        assert_eq!((first, marks), (None, 0), "blank lines only");
        // A flawed record is not blank.
        let (_, first, _) = first_nonblank(b"\n\"\n", cfg(CSV, Encoding::Utf8, 1));
        assert_eq!(first, Some(1));
    }

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn a_0x1a_is_an_eof_marker_only_after_the_last_complete_record() {
        for chunk_bytes in [1, 2, 3, 7, 1000] {
            let c = cfg(CSV, Encoding::Cp932, chunk_bytes);
            // An unclosed quoted last record keeps its 0x1A: the reject is verbatim.
            let (recs, info) = split_all(b"1,a\r\n2,\"x\x1A", c);
            assert_eq!(recs[1].2, b"2,\"x\x1A", "chunk_bytes {chunk_bytes}");
            assert_eq!(recs[1].3, Some(Flaw::UnclosedQuote));
            assert!(!info.eof_marker);
            let (recs, info) = split_all(b"1,a\r\n2,\"x\x1A\x1A", c);
            assert_eq!(recs[1].2, b"2,\"x\x1A\x1A");
            assert!(!info.eof_marker);
            // A closed quote, a line end or a plain last item: the 0x1A is a marker.
            for input in [
                &b"1,a\r\n2,\"x\"\x1A"[..],
                b"1,a\r\n2,\"x\"\r\n\x1A\x1A",
                b"1,a\r\n2,x\x1A",
            ] {
                let (recs, info) = split_all(input, c);
                assert_eq!(recs.len(), 2, "{input:?}");
                assert!(
                    !recs[1].2.contains(&0x1A) && recs[1].3.is_none(),
                    "{input:?}"
                );
                assert!(info.eof_marker, "{input:?}");
            }
            // A file of markers only.
            let (recs, info) = split_all(b"\x1A", c);
            assert!(recs.is_empty() && info.eof_marker);
        }
    }

    #[test]
    fn utf16_with_an_odd_byte_count_has_no_eof_marker() {
        for enc in [Encoding::Utf16Le, Encoding::Utf16Be] {
            for chunk_bytes in [1, 2, 3, 1000] {
                let mut input = utf16le("1,a\r\n2,b");
                if enc == Encoding::Utf16Be {
                    input = input.chunks(2).flat_map(|u| [u[1], u[0]]).collect();
                }
                // "\r\n" then a misaligned 00 1A: the last record keeps every byte.
                let mut odd = input.clone();
                odd.extend_from_slice(b"\x00\x1A\x00");
                let (recs, info) = split_all(&odd, cfg(CSV, enc, chunk_bytes));
                assert!(!info.eof_marker, "{enc} chunk_bytes {chunk_bytes}");
                let covered: usize = recs.iter().map(|r| r.2.len()).sum();
                assert_eq!(
                    covered + 4,
                    odd.len(),
                    "every byte but the line end is in a record: {recs:?}"
                );
                // A whole 0x001A unit at the end is a marker.
                let unit: [u8; 2] = if enc == Encoding::Utf16Le {
                    [0x1A, 0]
                } else {
                    [0, 0x1A]
                };
                let mut even = input.clone();
                even.extend_from_slice(&unit);
                let (recs, info) = split_all(&even, cfg(CSV, enc, chunk_bytes));
                assert!(info.eof_marker, "{enc} chunk_bytes {chunk_bytes}");
                assert_eq!(recs.last().unwrap().2.len(), 6);
            }
        }
    }

    /// A stream that yields `data` and then, unlike a file, maybe more.
    fn read_with_len(data: &[u8], expected: u64, chunk_bytes: usize) -> io::Result<u64> {
        let mut r = ChunkReader::new(data, cfg(CSV, Encoding::Utf8, chunk_bytes));
        r.expect_len(expected);
        while r.next_chunk()?.is_some() {}
        Ok(r.finish()?.bytes)
    }

    #[test]
    fn a_stream_of_another_length_than_expected_is_an_error() {
        let data: Vec<u8> = (0..50_000)
            .flat_map(|i| format!("{i},x\n").into_bytes())
            .collect();
        let n = data.len() as u64;
        for chunk_bytes in [16, 1 << 20] {
            assert_eq!(read_with_len(&data, n, chunk_bytes).unwrap(), n);
            for expected in [n - 1, n + 1, n / 2, 2 * n] {
                let e = read_with_len(&data, expected, chunk_bytes).unwrap_err();
                let c = Changed::of(&e).expect("a Changed error");
                assert_eq!(c.expected, expected);
                assert!(
                    e.to_string()
                        .contains(if expected < n { "grew" } else { "shrank" }),
                    "{e}"
                );
            }
        }
        // A file that grows is stopped as soon as it passes its length, not at its end.
        let e = read_with_len(&data, 100, 16).unwrap_err();
        assert!(Changed::of(&e).unwrap().read < n);
    }

    #[test]
    fn sizes_out_of_range_are_refused_not_clamped() {
        let ok = |chunk, max| SplitConfig::new(CSV, Encoding::Utf8, chunk, max);
        assert!(ok(1, 1).is_ok());
        assert!(ok(SplitConfig::MAX_CHUNK_BYTES, SplitConfig::MAX_RECORD).is_ok());
        for (chunk, max) in [
            (0, 1),
            (1, 0),
            (SplitConfig::MAX_CHUNK_BYTES + 1, 1),
            (1, usize::MAX),
            (1 << 40, 1),
        ] {
            let e = ok(chunk, max).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
        }
        let fixed = |length| Framing::Fixed {
            length,
            newline: false,
        };
        let e =
            SplitConfig::new(fixed((1 << 63) - 1), Encoding::Cp932, 1 << 20, 1 << 20).unwrap_err();
        assert!(
            e.to_string().contains("record_length") && e.exit_code() == 2,
            "{e}"
        );
        assert!(SplitConfig::new(fixed(0), Encoding::Cp932, 1, 1).is_err());
        assert!(SplitConfig::new(fixed(1 << 20), Encoding::Cp932, 1, 1 << 20).is_ok());
        // A configuration built field by field is checked before the first byte is read.
        let mut c = cfg(fixed(usize::MAX), Encoding::Cp932, 1 << 20);
        c.max_record = usize::MAX;
        let mut r = ChunkReader::new(&b"abcd"[..], c);
        assert_eq!(
            r.next_chunk().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_fixed_record_never_makes_the_reader_hold_more_than_max_record() {
        // A reader that counts what it hands out: with record_length at the limit,
        // the splitter holds at most one record and one chunk of the stream.
        let f = Framing::Fixed {
            length: 1000,
            newline: false,
        };
        let data = vec![b'x'; 10_000];
        let mut c = cfg(f, Encoding::Cp932, 100);
        c.max_record = 1000;
        let mut r = ChunkReader::new(&data[..], c);
        let mut n = 0;
        while let Some(ch) = r.next_chunk().unwrap() {
            assert!(ch.data.len() <= 1000 + 64 * 1024);
            n += ch.records.len();
        }
        assert_eq!(n, 10);
    }

    #[test]
    fn chunks_hold_whole_records_near_the_target_size() {
        let input: Vec<u8> = (0..1000)
            .flat_map(|i| format!("{i},x\r\n").into_bytes())
            .collect();
        let mut r = ChunkReader::new(&input[..], cfg(CSV, Encoding::Cp932, 256));
        let mut n = 0;
        while let Some(ch) = r.next_chunk().unwrap() {
            assert!(ch.data.len() < 256 + 16);
            assert!(ch.data.ends_with(b"\r\n"));
            n += ch.records.len();
        }
        assert_eq!(n, 1000);
    }
}
