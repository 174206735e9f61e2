//! Rejects: why a record was refused, and its line in `<stem>.rejects.csv`.
//!
//! A rejected record is kept whole and verbatim (base64 of its original bytes),
//! so nothing is lost. Messages are Japanese and never contain item values:
//! they name the item and a position, because values are personal data.

use base64::Engine;

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Stable reason code (kebab-case), for scripts.
    pub code: &'static str,
    /// The reason in Japanese, for people.
    pub message: String,
    /// The item concerned, if one is.
    pub item: Option<String>,
}

impl Reject {
    pub fn record(code: &'static str, message: String) -> Reject {
        Reject {
            code,
            message,
            item: None,
        }
    }

    pub fn item(code: &'static str, item: &str, message: String) -> Reject {
        Reject {
            code,
            message,
            item: Some(item.to_string()),
        }
    }
}

/// Appends the reject-file line for one record: record number, reason code,
/// reason, base64 of the original bytes, byte offset in the input, item name.
pub fn write_line(out: &mut Vec<u8>, record: u64, offset: u64, reject: &Reject, original: &[u8]) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(original);
    let fields = [
        record.to_string(),
        reject.code.to_string(),
        reject.message.clone(),
        b64,
        offset.to_string(),
        reject.item.clone().unwrap_or_default(),
    ];
    crate::output::csv_line(out, fields.iter().map(String::as_str));
}

/// One parsed line of a reject file (used by tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectLine {
    pub record: u64,
    pub code: String,
    pub message: String,
    pub original: Vec<u8>,
    pub offset: u64,
    pub item: String,
}

/// Reads a whole reject file back; Err names the line that is not a reject line.
/// Holds every line: for files of any size use [`RejectReader`].
pub fn read_lines(bytes: &[u8]) -> Result<Vec<RejectLine>, String> {
    let mut rdr = RejectReader::new(bytes)
        .keep_text()
        .keep_original_up_to(usize::MAX);
    let mut lines = Vec::new();
    while let Some(l) = rdr.next_line().map_err(|e| e.to_string())? {
        let Original::Bytes(original) = l.original else {
            return Err(format!(
                "line {}: the original bytes were not kept",
                lines.len() + 1
            ));
        };
        lines.push(RejectLine {
            record: l.record,
            code: l.code,
            message: l.message,
            original,
            offset: l.offset,
            item: l.item,
        });
    }
    Ok(lines)
}

/// Decoded original bytes up to this length are kept; a longer record is kept
/// as its SHA-256, so that a line of any length is read in bounded memory.
pub const KEEP_ORIGINAL: usize = 64 * 1024;

/// The original bytes of a rejected record, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Original {
    Bytes(Vec<u8>),
    /// Longer than the reader keeps: their SHA-256 and length.
    Digest {
        sha256: [u8; 32],
        len: u64,
    },
}

impl Original {
    pub fn len(&self) -> u64 {
        match self {
            Original::Bytes(b) => b.len() as u64,
            Original::Digest { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One line read by [`RejectReader`]. The text columns are empty unless the
/// reader was asked to keep them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLine {
    pub record: u64,
    pub offset: u64,
    pub original: Original,
    pub code: String,
    pub message: String,
    pub item: String,
}

/// Why a reject file could not be read on.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// The file is readable but this line is not a reject line.
    NotReject {
        line: u64,
        what: &'static str,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::NotReject { line, what } => write!(f, "line {line}: {what}"),
        }
    }
}

/// Bytes read from the file per call; the only buffer besides one field piece.
const READ_BYTES: usize = 64 * 1024;
/// A record number or offset longer than this is not a u64.
const MAX_DIGITS: usize = 24;

/// Reads a reject file line by line in bounded memory: one read buffer, one
/// field piece, and at most [`KEEP_ORIGINAL`] decoded bytes, whatever the
/// length of the file or of a line. The CSV is parsed by csv-core, the parser
/// under the csv crate, with the same defaults (so blank lines are skipped and
/// a UTF-8 BOM is ignored, as the csv crate does).
pub struct RejectReader<R> {
    src: R,
    csv: csv_core::Reader,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    piece: Box<[u8]>,
    lines: u64,
    keep_text: bool,
    keep_original: usize,
}

impl<R: std::io::Read> RejectReader<R> {
    pub fn new(src: R) -> RejectReader<R> {
        RejectReader {
            src,
            csv: csv_core::Reader::new(),
            buf: vec![0; READ_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            piece: vec![0; READ_BYTES].into_boxed_slice(),
            lines: 0,
            keep_text: false,
            keep_original: KEEP_ORIGINAL,
        }
    }

    /// Also return the code, message and item columns (unbounded: for tests).
    pub fn keep_text(mut self) -> RejectReader<R> {
        self.keep_text = true;
        self
    }

    /// Keep decoded original bytes up to `n` (beyond: their SHA-256).
    pub fn keep_original_up_to(mut self, n: usize) -> RejectReader<R> {
        self.keep_original = n;
        self
    }

    /// Lines returned so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    pub fn into_inner(self) -> R {
        self.src
    }

    /// The next line, None at the end of the file. After an error the reader
    /// is at the end of the bad line; reading on is allowed.
    pub fn next_line(&mut self) -> Result<Option<ReadLine>, ReadError> {
        let mut line = LineState::new(self.keep_original);
        loop {
            if self.start == self.end && !self.eof {
                self.end = loop {
                    match self.src.read(&mut self.buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(ReadError::Io(e)),
                    }
                };
                self.start = 0;
                self.eof = self.end == 0;
            }
            // An empty slice tells csv-core the input has ended.
            let input = &self.buf[self.start..self.end];
            let (res, nin, nout) = self.csv.read_field(input, &mut self.piece);
            self.start += nin;
            let piece = &self.piece[..nout];
            match res {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {
                    line.feed(piece, self.keep_text);
                }
                csv_core::ReadFieldResult::Field { record_end } => {
                    line.feed(piece, self.keep_text);
                    line.end_field(self.keep_text);
                    if record_end {
                        self.lines += 1;
                        return line.finish(self.lines).map(Some);
                    }
                }
                csv_core::ReadFieldResult::End => return Ok(None),
            }
        }
    }
}

/// The columns of the line being read, gathered piece by piece.
struct LineState {
    field: usize,
    digits: Vec<u8>,
    text: Vec<u8>,
    record: Option<u64>,
    offset: Option<u64>,
    code: String,
    message: String,
    item: String,
    b64: Base64Stream,
    original: Option<Original>,
    /// The first flaw; reported once the whole line is read, so that a short
    /// line is reported as short whatever its columns hold.
    flaw: Option<&'static str>,
}

impl LineState {
    fn new(keep_original: usize) -> LineState {
        LineState {
            field: 0,
            digits: Vec::new(),
            text: Vec::new(),
            record: None,
            offset: None,
            code: String::new(),
            message: String::new(),
            item: String::new(),
            b64: Base64Stream::new(keep_original),
            original: None,
            flaw: None,
        }
    }

    fn feed(&mut self, piece: &[u8], keep_text: bool) {
        match self.field {
            0 | 4 => {
                let room = (MAX_DIGITS + 1).saturating_sub(self.digits.len());
                self.digits
                    .extend_from_slice(&piece[..piece.len().min(room)]);
            }
            1 | 2 | 5 if keep_text => self.text.extend_from_slice(piece),
            3 => self.b64.feed(piece),
            _ => {}
        }
    }

    fn end_field(&mut self, keep_text: bool) {
        let number = |d: &[u8]| {
            std::str::from_utf8(d)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        };
        match self.field {
            0 => {
                self.record = number(&self.digits);
                if self.record.is_none() {
                    self.flaw.get_or_insert("record number is not a number");
                }
                self.digits.clear();
            }
            3 => match std::mem::replace(&mut self.b64, Base64Stream::new(0)).finish() {
                Some(o) => self.original = Some(o),
                None => {
                    self.flaw.get_or_insert("original bytes are not base64");
                }
            },
            4 => {
                self.offset = number(&self.digits);
                if self.offset.is_none() {
                    self.flaw.get_or_insert("offset is not a number");
                }
                self.digits.clear();
            }
            f @ (1 | 2 | 5) if keep_text => {
                let text = std::mem::take(&mut self.text);
                match String::from_utf8(text) {
                    Ok(t) => match f {
                        1 => self.code = t,
                        2 => self.message = t,
                        _ => self.item = t,
                    },
                    Err(_) => {
                        self.flaw.get_or_insert("not UTF-8");
                    }
                }
            }
            _ => {}
        }
        self.field = self.field.saturating_add(1);
    }

    fn finish(self, line: u64) -> Result<ReadLine, ReadError> {
        let bad = |what| ReadError::NotReject { line, what };
        if self.field < 6 {
            return Err(bad("fewer than 6 columns"));
        }
        if let Some(what) = self.flaw {
            return Err(bad(what));
        }
        match (self.record, self.offset, self.original) {
            (Some(record), Some(offset), Some(original)) => Ok(ReadLine {
                record,
                offset,
                original,
                code: self.code,
                message: self.message,
                item: self.item,
            }),
            _ => Err(bad("a column is missing")),
        }
    }
}

/// Decodes standard base64 (with padding) as it arrives, four characters at a
/// time, into at most `keep` bytes and then a running SHA-256. Accepts exactly
/// what `STANDARD.decode` of the whole field accepts.
struct Base64Stream {
    quad: [u8; 4],
    held: usize,
    /// A quad with padding was decoded: nothing may follow.
    padded: bool,
    bad: bool,
    keep: usize,
    bytes: Vec<u8>,
    hash: Option<(sha2::Sha256, u64)>,
}

impl Base64Stream {
    fn new(keep: usize) -> Base64Stream {
        Base64Stream {
            quad: [0; 4],
            held: 0,
            padded: false,
            bad: false,
            keep,
            bytes: Vec::new(),
            hash: None,
        }
    }

    fn feed(&mut self, mut piece: &[u8]) {
        if self.held > 0 {
            let take = (4 - self.held).min(piece.len());
            self.quad[self.held..self.held + take].copy_from_slice(&piece[..take]);
            self.held += take;
            piece = &piece[take..];
            if self.held < 4 {
                return;
            }
            let quad = self.quad;
            self.decode(&quad);
            self.held = 0;
        }
        let whole = piece.len() / 4 * 4;
        // 4096 characters decode to at most 3072 bytes.
        for chars in piece[..whole].chunks(4096) {
            self.decode(chars);
        }
        let rest = &piece[whole..];
        self.quad[..rest.len()].copy_from_slice(rest);
        self.held = rest.len();
    }

    fn decode(&mut self, chars: &[u8]) {
        if self.bad || self.padded {
            self.bad = true;
            return;
        }
        let mut out = [0u8; 3072];
        match base64::engine::general_purpose::STANDARD.decode_slice(chars, &mut out) {
            Ok(n) => self.push(&out[..n]),
            Err(_) => self.bad = true,
        }
        self.padded = chars.last() == Some(&b'=');
    }

    fn push(&mut self, out: &[u8]) {
        use sha2::Digest;
        if self.hash.is_none() && self.bytes.len().saturating_add(out.len()) > self.keep {
            let mut h = sha2::Sha256::new();
            h.update(&self.bytes);
            self.hash = Some((h, self.bytes.len() as u64));
            self.bytes = Vec::new();
        }
        match &mut self.hash {
            Some((h, n)) => {
                h.update(out);
                *n = n.saturating_add(out.len() as u64);
            }
            None => self.bytes.extend_from_slice(out),
        }
    }

    fn finish(self) -> Option<Original> {
        use sha2::Digest;
        if self.bad || self.held != 0 {
            return None;
        }
        Some(match self.hash {
            Some((h, len)) => Original::Digest {
                sha256: h.finalize().into(),
                len,
            },
            None => Original::Bytes(self.bytes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_with_any_bytes() {
        let mut out = Vec::new();
        let r = Reject::item("too-long", "氏名", "氏名: 長すぎます, \"x\"".into());
        write_line(&mut out, 7, 1234, &r, b"\x82\xA0,\"\r\n\xFF");
        write_line(
            &mut out,
            9,
            0,
            &Reject::record("item-count", "項目数".into()),
            b"",
        );
        let lines = read_lines(&out).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].record, 7);
        assert_eq!(lines[0].code, "too-long");
        assert_eq!(lines[0].message, "氏名: 長すぎます, \"x\"");
        assert_eq!(lines[0].original, b"\x82\xA0,\"\r\n\xFF");
        assert_eq!(lines[0].offset, 1234);
        assert_eq!(lines[0].item, "氏名");
        assert_eq!(lines[1].item, "");
        assert!(out.ends_with(b"\r\n"));
    }

    /// Hands out at most `step` bytes per read, to cut fields anywhere.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn digest(b: &[u8]) -> Original {
        use sha2::Digest;
        Original::Digest {
            sha256: sha2::Sha256::digest(b).into(),
            len: b.len() as u64,
        }
    }

    /// An endless reject file: line after line, made as it is read.
    struct Endless {
        line: Vec<u8>,
        at: usize,
        given: u64,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            for b in buf.iter_mut() {
                *b = self.line[self.at];
                self.at = (self.at + 1) % self.line.len();
            }
            self.given += buf.len() as u64;
            Ok(buf.len())
        }
    }

    #[test]
    fn the_reader_streams_a_file_without_end() {
        let mut line = Vec::new();
        write_line(
            &mut line,
            1,
            0,
            &Reject::record("item-count", "項目数".into()),
            b"abc",
        );
        let mut rdr = RejectReader::new(Endless {
            line,
            at: 0,
            given: 0,
        });
        for _ in 0..1000 {
            let l = rdr.next_line().unwrap().unwrap();
            assert_eq!(l.original, Original::Bytes(b"abc".to_vec()));
        }
        assert!(rdr.into_inner().given <= 2 * READ_BYTES as u64);
    }

    /// A line longer than everything the reader keeps: its original is a digest.
    struct OneLongLine {
        head: Vec<u8>,
        b64_left: u64,
        tail: Vec<u8>,
    }

    impl std::io::Read for OneLongLine {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.head.is_empty() {
                let n = buf.len().min(self.head.len());
                buf[..n].copy_from_slice(&self.head[..n]);
                self.head.drain(..n);
                return Ok(n);
            }
            if self.b64_left > 0 {
                // "QUJD" is "ABC".
                let n = (buf.len() / 4 * 4).min(self.b64_left as usize);
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    *b = b"QUJD"[i % 4];
                }
                self.b64_left -= n as u64;
                return Ok(n);
            }
            let n = buf.len().min(self.tail.len());
            buf[..n].copy_from_slice(&self.tail[..n]);
            self.tail.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn a_line_of_any_length_is_read_in_bounded_memory() {
        use sha2::Digest;
        let quads: u64 = 8 << 20; // 32 MiB of base64, 24 MiB of original bytes
        let mut rdr = RejectReader::new(OneLongLine {
            head: b"5,c,m,".to_vec(),
            b64_left: quads * 4,
            tail: b",77,item\r\n".to_vec(),
        });
        let l = rdr.next_line().unwrap().unwrap();
        let mut h = sha2::Sha256::new();
        for _ in 0..quads {
            h.update(b"ABC");
        }
        assert_eq!(
            l.original,
            Original::Digest {
                sha256: h.finalize().into(),
                len: quads * 3
            }
        );
        assert_eq!((l.record, l.offset), (5, 77));
        assert!(rdr.next_line().unwrap().is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        let cases: [(&[u8], &str); 6] = [
            (b"1,c,m,QUJD,0\r\n", "line 1: fewer than 6 columns"),
            (b"x,c,m\r\n", "line 1: fewer than 6 columns"),
            (
                b"1,c,m,QUJD,0,i\r\nx,c,m,QUJD,0,i\r\n",
                "line 2: record number is not a number",
            ),
            (
                b"1,c,m,QUJ,0,i\r\n",
                "line 1: original bytes are not base64",
            ),
            (
                b"1,c,m,QQ==QUJD,0,i\r\n",
                "line 1: original bytes are not base64",
            ),
            (
                b"1,c,m,QUJD,99999999999999999999999,i\r\n",
                "line 1: offset is not a number",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(
                read_lines(text).unwrap_err(),
                want,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn streamed_lines_are_the_written_lines(
            recs in proptest::collection::vec(
                (proptest::prelude::any::<u64>(), proptest::prelude::any::<u64>(),
                 proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), "[a-z,\"\r\n氏名]{0,8}"),
                0..12),
            step in 1usize..70,
            keep in 0usize..200,
        ) {
            let mut out = Vec::new();
            for (record, offset, original, item) in &recs {
                write_line(&mut out, *record, *offset, &Reject::item("c", item, "理由, \"x\"".into()), original);
            }
            let mut rdr = RejectReader::new(Trickle { data: &out, step })
                .keep_text()
                .keep_original_up_to(keep);
            for (record, offset, original, item) in &recs {
                let l = rdr.next_line().unwrap().unwrap();
                let want = if original.len() <= keep { Original::Bytes(original.clone()) } else { digest(original) };
                proptest::prop_assert_eq!((l.record, l.offset, &l.original, &l.item), (*record, *offset, &want, item));
                proptest::prop_assert_eq!(&l.message, "理由, \"x\"");
            }
            proptest::prop_assert!(rdr.next_line().unwrap().is_none());
        }

        #[test]
        fn base64_is_decoded_as_a_whole_field_would_be(
            random in "[A-Za-z0-9+/=]{0,40}",
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            edit in proptest::option::of((0usize..64, "[A-Za-z0-9+/=]", proptest::prelude::any::<bool>())),
            use_random in proptest::prelude::any::<bool>(),
            step in 1usize..9,
        ) {
            use base64::Engine;
            // Valid base64 with at most one character changed, dropped or added, or any string.
            let mut b64 = if use_random { random } else { base64::engine::general_purpose::STANDARD.encode(&bytes) };
            if let Some((at, c, insert)) = edit {
                let at = at.min(b64.len());
                if insert { b64.insert_str(at, &c) } else if at < b64.len() { b64.replace_range(at..=at, &c) }
            }
            let text = format!("1,c,m,{b64},0,i\r\n");
            let mut rdr = RejectReader::new(Trickle { data: text.as_bytes(), step })
                .keep_original_up_to(usize::MAX);
            let got = rdr.next_line().ok().flatten().map(|l| l.original);
            let want = base64::engine::general_purpose::STANDARD.decode(&b64).ok().map(Original::Bytes);
            proptest::prop_assert_eq!(got, want);
        }
    }
}
