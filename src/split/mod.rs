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

mod scan;

use crate::decode::Encoding;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

pub use scan::Flaw;

/// How records are framed in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// RFC 4180 records: a line end inside a quoted item does not end the record.
    Csv { delimiter: u8, quote: u8 },
    /// Fixed-length records, `length` bytes each, optionally each followed by a line end.
    Fixed { length: usize, newline: bool },
}

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

    /// A configuration; sizes below 1 byte are taken as 1.
    pub fn new(
        framing: Framing,
        encoding: Encoding,
        chunk_bytes: usize,
        max_record: usize,
    ) -> SplitConfig {
        SplitConfig {
            framing,
            encoding,
            chunk_bytes: chunk_bytes.max(1),
            max_record: max_record.max(1),
        }
    }
}

/// Byte buffers handed back and forth between the reader, the workers and the
/// writer, so that a long file does not allocate (and page-fault) a fresh megabyte
/// per chunk.
#[derive(Debug, Default)]
pub struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// Buffers kept at most; more are freed.
    const KEEP: usize = 64;

    /// An empty buffer, with at least `capacity` bytes of room when a new one is made.
    pub fn take(&self, capacity: usize) -> Vec<u8> {
        let recycled = self.free.lock().ok().and_then(|mut f| f.pop());
        recycled.unwrap_or_else(|| Vec::with_capacity(capacity))
    }

    /// Gives a buffer back for reuse.
    pub fn put(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut f) = self.free.lock()
            && f.len() < Self::KEEP
        {
            f.push(buf);
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

/// Whole records, ready for a worker.
#[derive(Debug, Default)]
pub struct Chunk {
    /// 0-based position of the chunk in its file: outputs are written in this order.
    pub seq: u64,
    /// File offset of `data[0]`.
    pub offset: u64,
    /// Record number of `records[0]`; records count from 1, the header and blank lines included.
    pub first_record: u64,
    pub data: Vec<u8>,
    pub records: Vec<Span>,
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

/// Splits a stream into [`Chunk`]s, hashing every byte it reads.
pub struct ChunkReader<R> {
    inner: R,
    cfg: SplitConfig,
    pool: Arc<BufferPool>,
    /// Bytes read and not yet handed out; `pending[0]` is at file offset `offset`.
    pending: Vec<u8>,
    offset: u64,
    next_record: u64,
    seq: u64,
    eof: bool,
    started: bool,
    hasher: Sha256,
    info: StreamInfo,
}

impl<R: Read> ChunkReader<R> {
    pub fn new(inner: R, cfg: SplitConfig) -> Self {
        Self::with_pool(inner, cfg, Arc::new(BufferPool::default()))
    }

    /// A reader whose chunk buffers come from `pool` (give a chunk's `data` back to
    /// the pool when done with it).
    pub fn with_pool(inner: R, cfg: SplitConfig, pool: Arc<BufferPool>) -> Self {
        ChunkReader {
            inner,
            cfg,
            pool,
            pending: Vec::new(),
            offset: 0,
            next_record: 1,
            seq: 0,
            eof: false,
            started: false,
            hasher: Sha256::new(),
            info: StreamInfo::default(),
        }
    }

    /// The next chunk, or None at the end of the stream.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        loop {
            self.fill(self.cfg.chunk_bytes)?;
            if !self.started {
                self.started = true;
                self.skip_bom();
            }
            let mut records = Vec::new();
            let cut = self.split_pending(&mut records);
            if !records.is_empty() {
                return Ok(Some(self.take_chunk(cut, records)));
            }
            if self.eof {
                return Ok(None);
            }
            // One record longer than the chunk: read more before splitting again.
            let want = self.pending.len() + self.cfg.chunk_bytes;
            self.fill(want)?;
        }
    }

    /// Consumes the reader: what the splitter saw. Call after the last chunk.
    pub fn finish(self) -> StreamInfo {
        let mut info = self.info;
        info.sha256 = self.hasher.finalize().into();
        info.records = self.next_record - 1;
        info
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
            self.hasher.update(&self.pending[old..]);
            self.info.bytes += n as u64;
            // read_to_end stops early only at the end of the stream.
            self.eof = n < grow;
        }
        if self.eof {
            self.drop_eof_markers();
        }
        Ok(())
    }

    /// Old DOS-era tools end a file with 0x1A (SUB); it is not part of the last record.
    fn drop_eof_markers(&mut self) {
        let unit = self.cfg.encoding.unit_width();
        while self.pending.len() >= unit
            && scan::is_eof_marker(
                &self.pending[self.pending.len() - unit..],
                self.cfg.encoding,
            )
        {
            self.pending.truncate(self.pending.len() - unit);
            self.info.eof_marker = true;
        }
    }

    fn skip_bom(&mut self) {
        let bom = self.cfg.encoding.bom();
        if !bom.is_empty() && self.pending.starts_with(bom) {
            self.pending.drain(..bom.len());
            self.offset = bom.len() as u64;
            self.info.bom = true;
        }
    }

    /// Finds whole records in `pending`; returns the byte count they (and their line ends) take.
    fn split_pending(&mut self, records: &mut Vec<Span>) -> usize {
        let mut pos = 0;
        while pos < self.pending.len() {
            let rest = &self.pending[pos..];
            let found = match self.cfg.framing {
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
            };
            let Some(rec) = found else { break };
            records.push(Span {
                start: pos,
                end: pos + rec.content,
                flaw: rec.flaw,
            });
            pos += rec.total;
            if pos >= self.cfg.chunk_bytes {
                break;
            }
        }
        pos
    }

    fn take_chunk(&mut self, cut: usize, records: Vec<Span>) -> Chunk {
        // The rest goes into a recycled buffer, so that steady state allocates nothing.
        let mut rest = self.pool.take(self.cfg.chunk_bytes + 64 * 1024);
        rest.extend_from_slice(&self.pending[cut..]);
        self.pending.truncate(cut);
        let data = std::mem::replace(&mut self.pending, rest);
        let chunk = Chunk {
            seq: self.seq,
            offset: self.offset,
            first_record: self.next_record,
            data,
            records,
        };
        self.seq += 1;
        self.offset += cut as u64;
        self.next_record += chunk.records.len() as u64;
        chunk
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
        let mut r = ChunkReader::new(input, c);
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
        (out, r.finish())
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
            let (recs, info) = split_all(b"abcdefghij\x1A", cfg(f, Encoding::Cp932, chunk_bytes));
            let got: Vec<_> = recs.iter().map(|r| (r.1, r.2.as_slice(), r.3)).collect();
            assert_eq!(
                got,
                vec![
                    (0, &b"abcd"[..], None),
                    (4, &b"efgh"[..], None),
                    (8, &b"ij"[..], Some(Flaw::WrongLength))
                ]
            );
            assert!(info.eof_marker);
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
