//! `ikou verify DIR`: re-checks a finished run against its manifest.
//!
//! The manifest is evidence to check, not something to trust: a path in it
//! may have been edited. Verify therefore opens only plain file names inside
//! the run directory, never follows a symbolic link there, and opens nothing
//! but regular files (a FIFO or a device would hang it or never end). Each
//! file is read once, in fixed-size pieces that are hashed and parsed as they
//! arrive, so memory stays bounded whatever the file sizes; the files are read
//! in parallel and the problems reported in manifest order.

use super::{FILE_NAME, FileEntry, Manifest};
use crate::reject::{Original, ReadError, RejectReader, fill_csv_buffer};
use crate::split::{BufferPool, StreamHasher};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::{File, Metadata};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A larger manifest.json is refused rather than read into memory.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;
/// Bytes read per call while hashing.
const READ_BYTES: usize = 64 * 1024;
/// Rejected records that differ from the input are listed up to this many per
/// input, then counted: a wrong input would otherwise list every record.
const MAX_RECORD_PROBLEMS: usize = 20;

/// The manifest itself cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "{0}: no manifest.json here. Either this is not an ikou output directory, or the run that wrote it did not finish (the manifest is written last); run ikou convert again"
    )]
    NoManifest(PathBuf),
    #[error("{path}: cannot read the manifest: {message}")]
    BadManifest { path: PathBuf, message: String },
}

/// What verify found; `problems` is empty when the run is as recorded.
#[derive(Debug, Default)]
pub struct VerifyReport {
    pub files_checked: usize,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Re-hashes every output and reject file of the run in `dir`, recounts their
/// records and checks the counts add up. With `check_inputs`, also re-hashes the
/// inputs at their recorded paths and checks that every rejected record's bytes
/// are the input's bytes at its offset.
pub fn verify(dir: &Path, check_inputs: bool) -> Result<VerifyReport, VerifyError> {
    let mpath = dir.join(FILE_NAME);
    let text = read_manifest(dir, &mpath)?;
    let m = Manifest::from_json(&text).map_err(|e| VerifyError::BadManifest {
        path: mpath.clone(),
        message: e.to_string(),
    })?;
    drop(text);

    let mut jobs = Vec::new();
    jobs.extend(
        m.outputs
            .iter()
            .map(|e| Job::Listed(e, output_kind(&m, e), None)),
    );
    // With --inputs, each input's rejected records are compared while its
    // reject file is read (the first listed entry of that name).
    let mut to_compare = std::collections::HashMap::new();
    if check_inputs {
        for (i, input) in m.inputs.iter().enumerate().rev() {
            // Standard input cannot be read again (check_input says so once).
            if !crate::input::is_stdin(Path::new(&input.path)) {
                to_compare.insert(input.rejects.as_str(), i);
            }
        }
    }
    for e in &m.rejects {
        let input = to_compare.remove(e.path.as_str());
        jobs.push(Job::Listed(e, Kind::Rejects, input));
    }
    jobs.extend(m.report.iter().map(|e| Job::Listed(e, Kind::Report, None)));
    if check_inputs {
        jobs.extend((0..m.inputs.len()).map(Job::Input));
        jobs.extend((0..m.compared.len()).map(Job::Compared));
    }
    let done: Vec<Done> = jobs.par_iter().map(|j| j.run(dir, &m)).collect();

    let mut rep = VerifyReport {
        files_checked: jobs.len(),
        problems: Vec::new(),
    };
    let mut records = vec![Vec::new(); m.inputs.len()];
    let mut inputs = vec![None; m.inputs.len()];
    for (job, d) in jobs.iter().zip(done) {
        match (job, d) {
            (Job::Listed(_, _, input), Done::Listed(problems, against)) => {
                rep.problems.extend(problems);
                if let (Some(i), Some(r)) = (input, against) {
                    records[*i] = r;
                }
            }
            (Job::Input(i), Done::Input(p)) => inputs[*i] = Some(p),
            (Job::Compared(_), Done::Input(p)) => rep.problems.extend(p),
            _ => {}
        }
    }
    check_counts(&m, &mut rep);
    for (input, records) in inputs.into_iter().zip(records) {
        match input {
            Some(Some(problem)) => rep.problems.push(problem),
            // The input is as recorded: now its records say something.
            Some(None) => rep.problems.extend(records),
            None => {}
        }
    }
    Ok(rep)
}

enum Kind {
    Output,
    Rejects,
    Report,
    /// A CSV file with a header line (reconcile's differences.csv): its records
    /// are the lines after the header.
    WithHeader,
}

/// How an output is counted: convert's outputs are CSV records; a reconcile run
/// (its manifest lists the files compared) writes a CSV with a header line and
/// JSON, which has no records.
fn output_kind(m: &Manifest, e: &FileEntry) -> Kind {
    if m.compared.is_empty() {
        Kind::Output
    } else if e.path.ends_with(".csv") {
        Kind::WithHeader
    } else {
        Kind::Report
    }
}

enum Job<'a> {
    /// A file of the run; for a reject file, the input to compare records with.
    Listed(&'a FileEntry, Kind, Option<usize>),
    Input(usize),
    /// A file `ikou reconcile` compared.
    Compared(usize),
}

enum Done {
    /// The file's problems, and the comparison of its records with the input.
    Listed(Vec<String>, Option<Vec<String>>),
    Input(Option<String>),
}

impl Job<'_> {
    fn run(&self, dir: &Path, m: &Manifest) -> Done {
        match self {
            Job::Listed(e, kind, input) => {
                let input = input.map(|i| (Path::new(&m.inputs[i].path), &m.inputs[i].rejects));
                let (problems, records) = check_file(dir, e, kind, input);
                Done::Listed(problems, records)
            }
            Job::Compared(i) => {
                let input = &m.compared[*i];
                Done::Input(check_input(
                    Path::new(&input.path),
                    &input.sha256,
                    input.bytes,
                ))
            }
            Job::Input(i) => {
                let input = &m.inputs[*i];
                Done::Input(check_input(
                    Path::new(&input.path),
                    &input.sha256,
                    input.bytes,
                ))
            }
        }
    }
}

/// The manifest's text: a regular file (not a link), at most MAX_MANIFEST_BYTES.
fn read_manifest(dir: &Path, mpath: &Path) -> Result<String, VerifyError> {
    let bad = |message: String| VerifyError::BadManifest {
        path: mpath.into(),
        message,
    };
    let meta = match std::fs::symlink_metadata(mpath) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VerifyError::NoManifest(dir.into()));
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    if let Some(what) = not_regular(&meta) {
        return Err(bad(format!(
            "it {what}; a run writes a regular file there, and verify does not open anything else"
        )));
    }
    let too_big = |n: u64| {
        bad(format!(
            "it is {n} bytes, more than the {} MiB a manifest may be; this is not a manifest ikou wrote",
            MAX_MANIFEST_BYTES >> 20
        ))
    };
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(too_big(meta.len()));
    }
    let f = open_regular(mpath, false, &meta).map_err(bad)?;
    let mut bytes = Vec::new();
    f.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| bad(format!("not UTF-8: {e}")))
}

/// Checks one file of the run in one pass: its hash and size, and its records
/// counted while it is read. For a reject file with `input`, also compares each
/// rejected record with the input's bytes at its offset; those findings are
/// returned apart, as they only mean something if the input is unchanged.
fn check_file(
    dir: &Path,
    e: &FileEntry,
    kind: &Kind,
    input: Option<(&Path, &String)>,
) -> (Vec<String>, Option<Vec<String>>) {
    let f = match open_listed(dir, &e.path) {
        Ok(f) => f,
        Err(problem) => return (vec![problem], None),
    };
    let mut src = match kind {
        Kind::Report => Hashing::new(f),
        Kind::Output | Kind::WithHeader | Kind::Rejects => Hashing::apart(f),
    };
    let mut records = None;
    let counted = match kind {
        Kind::Output => count_csv_records(&mut src),
        Kind::WithHeader => count_csv_records(&mut src).map(|n| n.saturating_sub(1)),
        Kind::Rejects => {
            let mut cmp = input.and_then(|(path, name)| Compare::open(path, name));
            let n = scan_rejects(&mut src, cmp.as_mut());
            records = cmp.map(Compare::into_problems);
            n
        }
        Kind::Report => Ok(0),
    };
    let counted = match counted {
        Err(Fail::Io(err)) => return (vec![format!("{}: cannot read: {err}", e.path)], records),
        Ok(n) => Ok(n),
        Err(Fail::Format(msg)) => Err(msg),
    };
    // The rest of the file (after a line that is not a reject line, or a report).
    let (sha, bytes) = match src.finish() {
        Ok(done) => done,
        Err(err) => return (vec![format!("{}: cannot read: {err}", e.path)], records),
    };
    let mut problems = Vec::new();
    if sha != e.sha256 || bytes != e.bytes {
        problems.push(format!(
            "{}: changed since the run (sha256 {sha}, {bytes} bytes; the manifest says {}, {} bytes)",
            e.path, e.sha256, e.bytes
        ));
        return (problems, records);
    }
    match counted {
        Ok(n) if n == e.records => {}
        Ok(n) => problems.push(format!(
            "{}: holds {n} records, the manifest says {}",
            e.path, e.records
        )),
        Err(msg) => problems.push(format!("{}: {msg}", e.path)),
    }
    (problems, records)
}

enum Fail {
    Io(io::Error),
    /// Readable, but not what it should be.
    Format(String),
}

/// Hashes and counts the bytes read through it.
struct Hashing<R> {
    inner: R,
    hash: StreamHasher,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    /// Hashes on the reading thread: for a file that is only hashed.
    fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            hash: StreamHasher::here(),
            bytes: 0,
        }
    }

    /// Hashes on a thread of its own, beside the parsing of what is read: one
    /// large file is checked in the time of the slower of the two, not of both.
    fn apart(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            hash: StreamHasher::apart(Arc::new(BufferPool::default())),
            bytes: 0,
        }
    }

    /// Reads what is left, and returns the hash and size of the whole.
    fn finish(mut self) -> io::Result<(String, u64)> {
        let mut buf = vec![0; READ_BYTES];
        while self.read(&mut buf)? > 0 {}
        Ok((crate::output::hex(&self.hash.finish()?), self.bytes))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => break r?,
            }
        };
        self.hash.update(&buf[..n]);
        self.bytes = self.bytes.saturating_add(n as u64);
        Ok(n)
    }
}

/// Counts the CSV records of an output as the csv crate reads them (csv-core
/// is its parser, with the same defaults), keeping only one piece of a record:
/// the parser (a DFA) never reads back what it wrote, so its output buffers
/// are simply reused.
fn count_csv_records(src: &mut impl Read) -> Result<u64, Fail> {
    let mut csv = csv_core::Reader::new();
    let mut buf = vec![0; READ_BYTES];
    let mut piece = vec![0; READ_BYTES];
    let mut ends = vec![0; 1024];
    let (mut start, mut end) = (0, 0);
    let mut n = 0u64;
    let mut first = true;
    loop {
        if start == end {
            end = fill_csv_buffer(src, &mut buf, first).map_err(Fail::Io)?;
            first = false;
            start = 0;
        }
        // An empty slice (end == 0) tells csv-core the input has ended.
        let (res, nin, _, _) = csv.read_record(&buf[start..end], &mut piece, &mut ends);
        start += nin;
        match res {
            csv_core::ReadRecordResult::Record => n = n.saturating_add(1),
            csv_core::ReadRecordResult::End => return Ok(n),
            _ => {}
        }
    }
}

/// Reads a reject file line by line; counts the reject lines and, with `cmp`,
/// compares each rejected record with the input.
fn scan_rejects(src: &mut impl Read, mut cmp: Option<&mut Compare>) -> Result<u64, Fail> {
    let mut rdr = RejectReader::new(src);
    loop {
        match rdr.next_line() {
            Ok(Some(l)) => {
                if let Some(c) = cmp.as_deref_mut() {
                    c.check(l.record, l.offset, &l.original);
                }
            }
            // Records, not lines: the header is not a rejected record.
            Ok(None) => return Ok(rdr.records()),
            Err(ReadError::Io(e)) => return Err(Fail::Io(e)),
            Err(e @ ReadError::NotReject { .. }) => {
                return Err(Fail::Format(format!("not a reject file: {e}")));
            }
        }
    }
}

/// Compares rejected records with the input, reading the input at each
/// record's offset (mostly forward, so the buffer serves nearby records).
struct Compare {
    input: BufReader<File>,
    /// Where `input` is, if known.
    pos: Option<u64>,
    rejects: String,
    buf: Vec<u8>,
    problems: Vec<String>,
    differing: u64,
}

impl Compare {
    /// None if the input cannot be opened: its own check reports why.
    fn open(path: &Path, rejects: &str) -> Option<Compare> {
        let meta = std::fs::metadata(path).ok()?;
        // Opening a device can itself act (a tape rewinds): regular files only.
        if not_regular(&meta).is_some() {
            return None;
        }
        let f = open_regular(path, true, &meta).ok()?;
        Some(Compare {
            input: BufReader::with_capacity(READ_BYTES, f),
            pos: Some(0),
            rejects: rejects.to_string(),
            buf: Vec::new(),
            problems: Vec::new(),
            differing: 0,
        })
    }

    fn check(&mut self, record: u64, offset: u64, original: &Original) {
        if self.same(offset, original) {
            return;
        }
        self.differing = self.differing.saturating_add(1);
        if self.problems.len() < MAX_RECORD_PROBLEMS {
            self.problems.push(format!(
                "{}: record {record} is not the input's bytes at offset {offset}",
                self.rejects
            ));
        }
    }

    fn same(&mut self, offset: u64, original: &Original) -> bool {
        let here = self.pos.take();
        let moved = match here.map(|p| i128::from(offset) - i128::from(p)) {
            Some(d) => match i64::try_from(d) {
                Ok(d) => self.input.seek_relative(d),
                Err(_) => self.input.seek(SeekFrom::Start(offset)).map(|_| ()),
            },
            None => self.input.seek(SeekFrom::Start(offset)).map(|_| ()),
        };
        if moved.is_err() {
            return false;
        }
        let len = original.len();
        let same = match original {
            Original::Bytes(want) => {
                self.buf.resize(want.len(), 0);
                self.input.read_exact(&mut self.buf).is_ok() && self.buf == *want
            }
            Original::Digest { sha256, .. } => {
                let mut h = Sha256::new();
                let mut left = len;
                let ok = loop {
                    if left == 0 {
                        break true;
                    }
                    let got = match self.input.fill_buf() {
                        Ok([]) | Err(_) => break false,
                        Ok(b) => b,
                    };
                    let k = got.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    h.update(&got[..k]);
                    self.input.consume(k);
                    left -= k as u64;
                };
                ok && h.finalize().as_slice() == sha256.as_slice()
            }
        };
        // After a short read the position is unknown: seek from the start next time.
        if same {
            self.pos = offset.checked_add(len);
        }
        same
    }

    fn into_problems(mut self) -> Vec<String> {
        let more = self.differing.saturating_sub(self.problems.len() as u64);
        if more > 0 {
            self.problems.push(format!(
                "{}: {more} more records are not the input's bytes at their offsets",
                self.rejects
            ));
        }
        self.problems
    }
}

/// Re-hashes an input. Inputs are recorded as the user named them, outside the
/// run by nature; they are read only with --inputs, a link the user named is
/// followed (as convert followed it), and only a regular file is opened.
fn check_input(path: &Path, sha: &str, bytes: u64) -> Option<String> {
    if crate::input::is_stdin(path) {
        return Some(
            "-: this input was standard input, which cannot be read again; to check an input, convert it from a file"
                .into(),
        );
    }
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(format!("{shown}: cannot read the input: {e}")),
    };
    if let Some(what) = not_regular(&meta) {
        return Some(format!(
            "{shown}: the input {what}, not a regular file; verify does not open it"
        ));
    }
    let f = match open_regular(path, true, &meta) {
        Ok(f) => f,
        Err(e) => return Some(format!("{shown}: cannot read the input: {e}")),
    };
    match Hashing::new(f).finish() {
        Err(e) => Some(format!("{shown}: cannot read the input: {e}")),
        Ok((got, n)) if got != sha || n != bytes => {
            Some(format!("{shown}: the input has changed since the run"))
        }
        Ok(_) => None,
    }
}

/// Opens a file the manifest lists in the run directory, or says why not.
fn open_listed(dir: &Path, name: &str) -> Result<File, String> {
    let mut parts = Path::new(name).components();
    let plain = matches!(
        (parts.next(), parts.next()),
        (Some(Component::Normal(n)), None) if n == std::ffi::OsStr::new(name)
    );
    if !plain {
        return Err(format!(
            "{name}: not a file name inside the run directory (the manifest may have been edited); verify does not open it"
        ));
    }
    let path = dir.join(name);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!("{name}: missing (the manifest lists it)"));
        }
        Err(e) => return Err(format!("{name}: cannot read: {e}")),
    };
    if let Some(what) = not_regular(&meta) {
        return Err(format!(
            "{name}: {what}, not the regular file the run wrote; verify does not open it"
        ));
    }
    open_regular(&path, false, &meta).map_err(|e| format!("{name}: {e}"))
}

/// What a file is, if it is not a regular file ("is a symbolic link", …).
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_symlink() {
        return Some("is a symbolic link");
    }
    if t.is_dir() {
        return Some("is a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("is a FIFO (named pipe)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("is a device");
        }
        if t.is_socket() {
            return Some("is a socket");
        }
    }
    Some("is not a regular file")
}

/// Opens `path`, which `seen` (its metadata a moment ago) says is a regular
/// file, without following a link unless `follow`, and without blocking on a
/// FIFO put in its place since; then checks the opened file is the one seen.
fn open_regular(path: &Path, follow: bool, seen: &Metadata) -> Result<File, String> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        o.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let f = o.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) if !follow => {
            "was replaced by a symbolic link while verify opened it; verify does not follow links"
                .to_string()
        }
        _ => format!("cannot read: {e}"),
    })?;
    let now = f.metadata().map_err(|e| format!("cannot read: {e}"))?;
    #[cfg(unix)]
    let same = {
        use std::os::unix::fs::MetadataExt;
        now.dev() == seen.dev() && now.ino() == seen.ino()
    };
    #[cfg(not(unix))]
    let same = seen.is_file();
    if !now.is_file() || !same {
        return Err("was replaced while verify opened it; run verify again".into());
    }
    Ok(f)
}

fn check_counts(m: &Manifest, rep: &mut VerifyReport) {
    let c = m.counts;
    if Some(c.read) != c.written.checked_add(c.rejected) {
        rep.problems.push(format!(
            "{FILE_NAME}: counts do not add up: read {} ≠ written {} + rejected {}",
            c.read, c.written, c.rejected
        ));
    }
    let sum = |f: fn(&super::InputEntry) -> u64| {
        m.inputs
            .iter()
            .try_fold(0u64, |acc, i| acc.checked_add(f(i)))
    };
    if sum(|i| i.records) != Some(c.read)
        || sum(|i| i.written) != Some(c.written)
        || sum(|i| i.rejected) != Some(c.rejected)
    {
        rep.problems.push(format!(
            "{FILE_NAME}: the per-file counts do not add up to the totals"
        ));
    }
    let mut named = std::collections::HashSet::new();
    for input in &m.inputs {
        if Some(input.records) != input.written.checked_add(input.rejected) {
            rep.problems.push(format!(
                "{}: read {} ≠ written {} + rejected {}",
                input.path, input.records, input.written, input.rejected
            ));
        }
        // With several data types, each has its own output (and counts).
        let typed: Vec<(&str, u64)> = input
            .record_types
            .iter()
            .filter_map(|e| Some((e.output.as_deref()?, e.written)))
            .collect();
        let split = typed.iter().any(|(name, _)| *name != input.output);
        let mut outputs: Vec<(&str, u64)> = if split {
            typed
        } else {
            vec![(input.output.as_str(), input.written)]
        };
        outputs.dedup_by_key(|o| o.0);
        for name in outputs.iter().map(|o| o.0).chain([input.rejects.as_str()]) {
            if !named.insert(name) {
                rep.problems.push(format!(
                    "{FILE_NAME}: {name} is named twice (each input has its own output and reject file)"
                ));
            }
        }
        check_type_counts(input, rep);
        let find = |list: &[FileEntry], name: &str| {
            list.iter().find(|e| e.path == name).map(|e| e.records)
        };
        for (name, written) in outputs {
            match find(&m.outputs, name) {
                Some(n) if n == written => {}
                Some(n) => rep.problems.push(format!(
                    "{}: {written} records written, but {name} holds {n}",
                    input.path
                )),
                None => rep
                    .problems
                    .push(format!("{}: its output {name} is not listed", input.path)),
            }
        }
        match find(&m.rejects, &input.rejects) {
            Some(n) if n == input.rejected => {}
            Some(n) => rep.problems.push(format!(
                "{}: {} records rejected, but {} holds {n}",
                input.path, input.rejected, input.rejects
            )),
            None => rep.problems.push(format!(
                "{}: its reject file {} is not listed",
                input.path, input.rejects
            )),
        }
    }
}

/// An input's records per type add up: data (and those of no type) read =
/// written + rejected, and together the input's counts.
fn check_type_counts(input: &super::InputEntry, rep: &mut VerifyReport) {
    if input.record_types.is_empty() {
        return;
    }
    let mut sum = (0u64, 0u64, 0u64);
    for e in &input.record_types {
        if e.kind == "header" || e.kind == "trailer" {
            continue;
        }
        let name = e.of_type.as_deref().unwrap_or("(no type)");
        if Some(e.read) != e.written.checked_add(e.rejected) {
            rep.problems.push(format!(
                "{}: record type {name}: read {} ≠ written {} + rejected {}",
                input.path, e.read, e.written, e.rejected
            ));
        }
        sum.0 = sum.0.saturating_add(e.read);
        sum.1 = sum.1.saturating_add(e.written);
        sum.2 = sum.2.saturating_add(e.rejected);
    }
    if sum != (input.records, input.written, input.rejected) {
        rep.problems.push(format!(
            "{}: the record types' counts (read {}, written {}, rejected {}) do not add up to the input's ({}, {}, {})",
            input.path, sum.0, sum.1, sum.2, input.records, input.written, input.rejected
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_apart_counts_and_hashes_as_hashing_here() {
        let text: String = (0..20_000)
            .map(|i| format!("{i},\"a\r\nb\",c\r\n"))
            .collect();
        let (mut here, mut apart) = (
            Hashing::new(text.as_bytes()),
            Hashing::apart(text.as_bytes()),
        );
        let n = count_csv_records(&mut here).ok();
        assert_eq!(n, Some(20_000));
        assert_eq!(count_csv_records(&mut apart).ok(), n);
        let (a, b) = (here.finish().unwrap(), apart.finish().unwrap());
        assert_eq!(a, b);
        assert_eq!(a.0, crate::output::hex(&Sha256::digest(text.as_bytes())));
    }

    /// Hands out at most `step` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn csv_crate_count(data: &[u8]) -> u64 {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        while rdr.read_byte_record(&mut rec).unwrap() {
            n += 1;
        }
        n
    }

    proptest::proptest! {
        #[test]
        fn records_are_counted_as_the_csv_crate_counts_them(
            data in proptest::collection::vec(proptest::sample::select(b"a,\"\r\n\xEF\xBB\xBF".to_vec()), 0..200),
            step in 1usize..50,
        ) {
            let got = count_csv_records(&mut Trickle { data: &data, step }).ok();
            proptest::prop_assert_eq!(got, Some(csv_crate_count(&data)));
        }
    }

    #[test]
    fn a_bom_read_alone_or_in_pieces_is_not_the_end_of_the_file() {
        // Found by the proptest above: csv-core took a first read of exactly
        // the BOM for the end of the input and counted no record.
        for data in [
            &b"\xEF\xBB\xBFa"[..],
            b"\xEF\xBB\xBFa\r\nb",
            b"\xEF\xBB\xBF",
        ] {
            let want = csv_crate_count(data);
            for step in 1..=5 {
                let got = count_csv_records(&mut Trickle { data, step }).ok();
                assert_eq!(got, Some(want), "{data:?} step {step}");
            }
        }
    }

    #[test]
    fn a_record_longer_than_the_buffers_is_one_record() {
        let mut data = vec![b'x'; 3 * READ_BYTES];
        data.extend(std::iter::repeat_n(b',', 5000));
        data.extend_from_slice(b"\r\n\"a\r\nb\"\r\n");
        assert_eq!(count_csv_records(&mut &data[..]).ok(), Some(2));
    }

    #[test]
    fn only_plain_names_inside_the_run_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.csv"), b"x").unwrap();
        assert!(open_listed(dir.path(), "a.csv").is_ok());
        let outside = dir.path().join("a.csv");
        for name in [
            "../a.csv",
            "sub/../a.csv",
            "sub/b.csv",
            "./a.csv",
            "a.csv/",
            ".",
            "..",
            "",
            "/etc/hostname",
            outside.to_str().unwrap(),
        ] {
            let e = open_listed(dir.path(), name).unwrap_err();
            assert!(
                e.contains("not a file name inside the run directory"),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn a_long_record_is_compared_by_its_digest() {
        use sha2::Digest;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&input, &data).unwrap();
        let mut c = Compare::open(&input, "in.rejects.csv").unwrap();
        let digest = |b: &[u8]| Original::Digest {
            sha256: Sha256::digest(b).into(),
            len: b.len() as u64,
        };
        c.check(1, 10, &digest(&data[10..150_000]));
        c.check(
            2,
            150_000,
            &Original::Bytes(data[150_000..150_010].to_vec()),
        );
        c.check(3, 5, &Original::Bytes(data[5..9].to_vec())); // backwards
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        c.check(4, 11, &digest(&data[10..150_000]));
        c.check(5, 199_990, &Original::Bytes(data[199_990..].to_vec())); // after a miss
        c.check(6, 199_995, &Original::Bytes(vec![0; 10])); // past the end
        c.check(7, u64::MAX, &Original::Bytes(vec![0]));
        assert_eq!(
            c.into_problems(),
            [
                "in.rejects.csv: record 4 is not the input's bytes at offset 11",
                "in.rejects.csv: record 6 is not the input's bytes at offset 199995",
                "in.rejects.csv: record 7 is not the input's bytes at offset 18446744073709551615",
            ]
        );
    }
}
