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

/// The column names of the header line, in order (Japanese, for the clerk who
/// opens the file; stable: scripts may match them). The original bytes come
/// last, so that whatever the other columns show, nothing of the record is lost.
pub const HEADER: [&str; 9] = [
    "レコード番号",
    "理由コード",
    "理由",
    "キー",
    "項目",
    "位置",
    "レコード内容",
    "バイト位置",
    "元のバイト(base64)",
];

/// Lines before the first reject line: the header.
pub const HEADER_LINES: u64 = 1;

/// A UTF-8 BOM, written first with `--rejects-excel` so that Excel on Japanese
/// Windows reads the file as UTF-8 (without it, Excel assumes CP932).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What stands in the record-content column for a `sensitive` item's value.
pub const HIDDEN: &str = "*****";

/// Separates the items in the record-content column.
pub const ITEM_SEPARATOR: char = '|';

/// Appends the header line (after a BOM when `bom`): call it once, first.
pub fn write_header(out: &mut Vec<u8>, bom: bool) {
    if bom {
        out.extend_from_slice(BOM);
    }
    crate::output::csv_line(out, HEADER);
}

/// One rejected record, as its reject-file line shows it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub record: u64,
    /// Byte offset of the record in the input.
    pub offset: u64,
    pub reject: &'a Reject,
    /// The layout's key item, when known and not sensitive.
    pub key: Option<&'a str>,
    /// Where the reject's item is in the record, when it may be shown.
    pub position: Option<&'a str>,
    /// The record's items as text, sensitive ones hidden, when it was split.
    pub content: Option<&'a str>,
    pub original: &'a [u8],
}

/// Appends the reject-file line of one record, in the order of [`HEADER`]:
/// one line of the file (as a text editor counts lines) per record, so that
/// "line N" in the report is line N whatever reads the file.
pub fn write(out: &mut Vec<u8>, l: &Line) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(l.original);
    let (record, offset) = (l.record.to_string(), l.offset.to_string());
    let key = one_line(l.key.unwrap_or_default());
    let content = one_line(l.content.unwrap_or_default());
    let fields = [
        record.as_str(),
        l.reject.code,
        l.reject.message.as_str(),
        &key,
        l.reject.item.as_deref().unwrap_or_default(),
        l.position.unwrap_or_default(),
        &content,
        offset.as_str(),
        b64.as_str(),
    ];
    crate::output::csv_line(out, fields);
}

/// Text from a record shown on one line: a line break (CRLF, CR or LF) as "↵",
/// any other control character as its Control Pictures sign (U+2400…) or, for
/// C1 controls, U+FFFD. The original bytes column keeps the record as it was.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(8));
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push('↵'),
            '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
            '\u{7F}' => out.push('\u{2421}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`write`] with only what every reject has: record number, offset, reason,
/// item and original bytes (key, position and content empty).
pub fn write_line(out: &mut Vec<u8>, record: u64, offset: u64, reject: &Reject, original: &[u8]) {
    write(
        out,
        &Line {
            record,
            offset,
            reject,
            key: None,
            position: None,
            content: None,
            original,
        },
    );
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
    /// Empty in the old form (see [`RejectReader`]).
    pub key: String,
    pub position: String,
    pub content: String,
}

/// Reads a whole reject file back (header and BOM skipped; the old form
/// without a header too); Err names the line that is not a reject line.
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
                rdr.lines()
            ));
        };
        lines.push(RejectLine {
            record: l.record,
            code: l.code,
            message: l.message,
            original,
            offset: l.offset,
            item: l.item,
            key: l.key,
            position: l.position,
            content: l.content,
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
/// reader was asked to keep them (and key, position and content in the old form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLine {
    pub record: u64,
    pub offset: u64,
    pub original: Original,
    pub code: String,
    pub message: String,
    pub item: String,
    pub key: String,
    pub position: String,
    pub content: String,
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
/// A record number or offset longer than this is not a u64 (the header's
/// first column name, after a BOM, fits too).
const MAX_DIGITS: usize = 24;

/// What a column of a reject line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Record,
    Offset,
    Base64,
    Code,
    Message,
    Item,
    Key,
    Position,
    Content,
}

/// The columns of a reject file with a header ([`HEADER`]).
const COLUMNS: [Col; 9] = [
    Col::Record,
    Col::Code,
    Col::Message,
    Col::Key,
    Col::Item,
    Col::Position,
    Col::Content,
    Col::Offset,
    Col::Base64,
];

/// The columns of the old form (no header, written before the header was added).
const OLD_COLUMNS: [Col; 6] = [
    Col::Record,
    Col::Code,
    Col::Message,
    Col::Base64,
    Col::Offset,
    Col::Item,
];

/// Fills `buf` for csv-core, returning the byte count (0 at the end of the
/// input). csv-core drops a UTF-8 BOM only when its first call holds all three
/// bytes and something after them: a first read of exactly the BOM would look
/// to it like the end of the input, and a BOM split across reads would be
/// taken as data. So the `first` fill reads on until it has 4 bytes or the
/// input has ended, whatever sizes the reader hands out.
pub(crate) fn fill_csv_buffer(
    src: &mut impl std::io::Read,
    buf: &mut [u8],
    first: bool,
) -> std::io::Result<usize> {
    let want = if first { 4.min(buf.len()) } else { 1 };
    let mut n = 0;
    while n < want {
        match src.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads a reject file line by line in bounded memory: one read buffer, one
/// field piece, and at most [`KEEP_ORIGINAL`] decoded bytes, whatever the
/// length of the file or of a line. The CSV is parsed by csv-core, the parser
/// under the csv crate, with the same defaults (so blank lines are skipped and
/// a UTF-8 BOM is ignored, as the csv crate does). A first line whose first
/// column is [`HEADER`]'s is the header and is skipped; a file that starts
/// with a reject line instead is read in the old form ([`OLD_COLUMNS`]).
pub struct RejectReader<R> {
    src: R,
    csv: csv_core::Reader,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Whether the first fill (the one that must hold a whole BOM) is done.
    started: bool,
    eof: bool,
    piece: Box<[u8]>,
    lines: u64,
    records: u64,
    /// The file's columns, once its first line has shown them.
    columns: Option<&'static [Col]>,
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
            started: false,
            eof: false,
            piece: vec![0; READ_BYTES].into_boxed_slice(),
            lines: 0,
            records: 0,
            columns: None,
            keep_text: false,
            keep_original: KEEP_ORIGINAL,
        }
    }

    /// Also return the text columns (unbounded: for tests).
    pub fn keep_text(mut self) -> RejectReader<R> {
        self.keep_text = true;
        self
    }

    /// Keep decoded original bytes up to `n` (beyond: their SHA-256).
    pub fn keep_original_up_to(mut self, n: usize) -> RejectReader<R> {
        self.keep_original = n;
        self
    }

    /// Lines of the file read so far, the header included (error messages
    /// name lines by this count).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Reject lines returned so far: the rejected records (not the header).
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn into_inner(self) -> R {
        self.src
    }

    /// The next reject line, None at the end of the file. After an error the
    /// reader is at the end of the bad line; reading on is allowed.
    pub fn next_line(&mut self) -> Result<Option<ReadLine>, ReadError> {
        let mut line = LineState::new(self.keep_original, self.columns);
        loop {
            if self.start == self.end && !self.eof {
                self.end = fill_csv_buffer(&mut self.src, &mut self.buf, !self.started)
                    .map_err(ReadError::Io)?;
                self.started = true;
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
                        self.columns = Some(line.columns.unwrap_or(&OLD_COLUMNS));
                        if line.header {
                            line = LineState::new(self.keep_original, self.columns);
                            continue;
                        }
                        let l = line.finish(self.lines)?;
                        self.records += 1;
                        return Ok(Some(l));
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
    /// None on the first line until its first column is read.
    columns: Option<&'static [Col]>,
    /// This is the header line: its columns are not read.
    header: bool,
    digits: Vec<u8>,
    text: Vec<u8>,
    record: Option<u64>,
    offset: Option<u64>,
    code: String,
    message: String,
    item: String,
    key: String,
    position: String,
    content: String,
    b64: Base64Stream,
    original: Option<Original>,
    /// The first flaw; reported once the whole line is read, so that a short
    /// line is reported as short whatever its columns hold.
    flaw: Option<&'static str>,
}

impl LineState {
    fn new(keep_original: usize, columns: Option<&'static [Col]>) -> LineState {
        LineState {
            field: 0,
            columns,
            header: false,
            digits: Vec::new(),
            text: Vec::new(),
            record: None,
            offset: None,
            code: String::new(),
            message: String::new(),
            item: String::new(),
            key: String::new(),
            position: String::new(),
            content: String::new(),
            b64: Base64Stream::new(keep_original),
            original: None,
            flaw: None,
        }
    }

    /// What the current column holds (None: past the known columns, or the header).
    fn col(&self) -> Option<Col> {
        if self.header {
            return None;
        }
        match self.columns {
            Some(cols) => cols.get(self.field).copied(),
            // The first column of the first line: read as a number, or the header.
            None => Some(Col::Record),
        }
    }

    fn feed(&mut self, piece: &[u8], keep_text: bool) {
        match self.col() {
            Some(Col::Record | Col::Offset) => {
                let room = (MAX_DIGITS + 1).saturating_sub(self.digits.len());
                self.digits
                    .extend_from_slice(&piece[..piece.len().min(room)]);
            }
            Some(Col::Base64) => self.b64.feed(piece),
            Some(_) if keep_text => self.text.extend_from_slice(piece),
            _ => {}
        }
    }

    fn end_field(&mut self, keep_text: bool) {
        let number = |d: &[u8]| {
            std::str::from_utf8(d)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        };
        match self.col() {
            Some(Col::Record) => {
                if self.columns.is_none() {
                    // csv-core drops a BOM only when it comes in one read: drop it here too.
                    let first = self.digits.strip_prefix(BOM).unwrap_or(&self.digits);
                    self.header = first == HEADER[0].as_bytes();
                    self.columns = Some(if self.header { &COLUMNS } else { &OLD_COLUMNS });
                }
                if !self.header {
                    self.record = number(&self.digits);
                    if self.record.is_none() {
                        self.flaw.get_or_insert("record number is not a number");
                    }
                }
                self.digits.clear();
            }
            Some(Col::Base64) => {
                match std::mem::replace(&mut self.b64, Base64Stream::new(0)).finish() {
                    Some(o) => self.original = Some(o),
                    None => {
                        self.flaw.get_or_insert("original bytes are not base64");
                    }
                }
            }
            Some(Col::Offset) => {
                self.offset = number(&self.digits);
                if self.offset.is_none() {
                    self.flaw.get_or_insert("offset is not a number");
                }
                self.digits.clear();
            }
            Some(c) if keep_text => {
                let text = std::mem::take(&mut self.text);
                match String::from_utf8(text) {
                    Ok(t) => {
                        let to = match c {
                            Col::Code => &mut self.code,
                            Col::Message => &mut self.message,
                            Col::Item => &mut self.item,
                            Col::Key => &mut self.key,
                            Col::Position => &mut self.position,
                            _ => &mut self.content,
                        };
                        *to = t;
                    }
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
        let want = self.columns.map_or(0, <[Col]>::len);
        if self.field < want {
            return Err(bad(if want == COLUMNS.len() {
                "fewer than 9 columns"
            } else {
                "fewer than 6 columns"
            }));
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
                key: self.key,
                position: self.position,
                content: self.content,
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
        write_header(&mut out, false);
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

    #[test]
    fn the_header_names_the_columns_and_every_column_reads_back() {
        for bom in [false, true] {
            let mut out = Vec::new();
            write_header(&mut out, bom);
            let text = std::str::from_utf8(&out).unwrap();
            assert_eq!(
                text,
                format!(
                    "{}レコード番号,理由コード,理由,キー,項目,位置,レコード内容,バイト位置,元のバイト(base64)\r\n",
                    if bom { "\u{FEFF}" } else { "" }
                )
            );
            let r = Reject::item("too-long", "氏名", "氏名: 長すぎます".into());
            write(
                &mut out,
                &Line {
                    record: 3,
                    offset: 40,
                    reject: &r,
                    key: Some("000003"),
                    position: Some("2項目目"),
                    content: Some("000003|山田, \"太郎\"|*****"),
                    original: b"\x82\xA0,\r\n",
                },
            );
            let tail = format!(
                ",{},{}\r\n",
                40,
                base64::engine::general_purpose::STANDARD.encode(b"\x82\xA0,\r\n")
            );
            assert!(out.ends_with(tail.as_bytes()), "base64 is last");
            let lines = read_lines(&out).unwrap();
            assert_eq!(lines.len(), 1, "the header is not a reject");
            let l = &lines[0];
            assert_eq!((l.record, l.offset), (3, 40));
            assert_eq!(
                (l.code.as_str(), l.message.as_str()),
                ("too-long", "氏名: 長すぎます")
            );
            assert_eq!(
                (l.key.as_str(), l.item.as_str(), l.position.as_str()),
                ("000003", "氏名", "2項目目")
            );
            assert_eq!(l.content, "000003|山田, \"太郎\"|*****");
            assert_eq!(l.original, b"\x82\xA0,\r\n");
            // Records, not lines: the header is line 1.
            let mut rdr = RejectReader::new(&out[..]);
            while rdr.next_line().unwrap().is_some() {}
            assert_eq!((rdr.records(), rdr.lines()), (1, 2));
            // A BOM the reader is handed in pieces, or alone, is dropped too.
            for step in 1..=5 {
                let mut rdr = RejectReader::new(Trickle { data: &out, step });
                assert_eq!(rdr.next_line().unwrap().unwrap().record, 3, "step {step}");
            }
        }
        // A header alone: no rejects.
        let mut out = Vec::new();
        write_header(&mut out, true);
        assert_eq!(read_lines(&out).unwrap(), []);
    }

    #[test]
    fn record_text_is_written_on_one_line() {
        let r = Reject::record("c", "m".into());
        let mut out = Vec::new();
        write_header(&mut out, false);
        write(
            &mut out,
            &Line {
                record: 1,
                offset: 0,
                reject: &r,
                key: Some("k\n1"),
                position: None,
                content: Some("a\r\nb\rc\nd\te\u{7F}\u{85}"),
                original: b"x\r\ny",
            },
        );
        let text = std::str::from_utf8(&out).unwrap();
        assert_eq!(
            text.matches("\r\n").count(),
            2,
            "header and one line: {text}"
        );
        assert!(text.contains(",k↵1,"), "{text}");
        assert!(text.contains(",a↵b↵c↵d␉e␡\u{FFFD},"), "{text}");
        assert_eq!(read_lines(&out).unwrap()[0].original, b"x\r\ny");
    }

    #[test]
    fn the_old_form_without_a_header_is_still_read() {
        let text = b"7,too-long,m,QUJD,12,\xe6\xb0\x8f\xe5\x90\x8d\r\n8,item-count,m2,,0,\r\n";
        let lines = read_lines(text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].record, lines[0].offset), (7, 12));
        assert_eq!(lines[0].original, b"ABC");
        assert_eq!(lines[0].item, "氏名");
        assert_eq!(lines[0].content, "");
        assert_eq!((lines[1].record, lines[1].original.len()), (8, 0));
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
        head: Vec<u8>,
        line: Vec<u8>,
        at: usize,
        given: u64,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.head.is_empty() {
                let n = buf.len().min(self.head.len());
                buf[..n].copy_from_slice(&self.head[..n]);
                self.head.drain(..n);
                self.given += n as u64;
                return Ok(n);
            }
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
        let mut head = Vec::new();
        write_header(&mut head, true);
        let mut rdr = RejectReader::new(Endless {
            head,
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
            head: [HEADER.join(",").as_bytes(), b"\r\n5,c,m,k,item,p,x|y,77,"].concat(),
            b64_left: quads * 4,
            tail: b"\r\n".to_vec(),
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
    fn bad_lines_after_a_header_are_named_by_their_file_line() {
        let head = HEADER.join(",");
        let cases = [
            ("1,c,m,k,i,p,x,0\r\n", "line 2: fewer than 9 columns"),
            (
                "1,c,m,k,i,p,x,0,QUJ\r\n",
                "line 2: original bytes are not base64",
            ),
            (
                "1,c,m,k,i,p,x,0,QUJD\r\nx,c,m,k,i,p,x,0,QUJD\r\n",
                "line 3: record number is not a number",
            ),
            ("1,c,m,k,i,p,x,y,QUJD\r\n", "line 2: offset is not a number"),
        ];
        for (text, want) in cases {
            let file = format!("{head}\r\n{text}");
            assert_eq!(read_lines(file.as_bytes()).unwrap_err(), want, "{text}");
        }
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
            write_header(&mut out, step % 2 == 0);
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
