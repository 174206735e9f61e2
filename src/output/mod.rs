//! Encode and write: RFC 4180 lines, and files that appear complete or not at all.
//!
//! Every file `convert` writes goes to a hidden temporary name in the output
//! directory, hashed as it is written, and is renamed to its real name only when
//! the whole run has succeeded ([`PendingFile::publish`]); a dropped
//! `PendingFile` removes its temporary file.

use crate::items::Items;
use crate::split::{BufferPool, StreamHasher};
use crate::threads::Task;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Appends one CSV line: items joined by commas, quoted only when they need it
/// (a comma, a quote, CR or LF inside), CRLF at the end.
pub fn csv_line<'a>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    let mut n = 0;
    let mut last_empty = false;
    for item in items {
        if n > 0 {
            out.push(b',');
        }
        push_item(out, item);
        n += 1;
        last_empty = item.is_empty();
    }
    if n == 1 && last_empty {
        // A line holding one empty item would be a blank line, which readers skip.
        out.extend_from_slice(b"\"\"");
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends the items of one record as a CSV line (as [`csv_line`]).
pub fn items_line(out: &mut Vec<u8>, items: &Items) {
    // Most records need no quoting at all: one scan of the whole record decides.
    if items.len() > 1 && !needs_quotes(items.text().as_bytes()) {
        let mut first = true;
        for item in items.iter() {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(item.as_bytes());
            first = false;
        }
        out.extend_from_slice(b"\r\n");
        return;
    }
    csv_line(out, items.iter());
}

/// Appends the items as a CSV line as they are, joined by commas, CRLF at the
/// end: for items known to need no quoting (no comma, quote, CR or LF; not one
/// empty item, which [`csv_line`] quotes).
pub fn joined_line(out: &mut Vec<u8>, items: &Items) {
    let text = items.text().as_bytes();
    // Items next to each other in the buffer with a comma between them (the
    // items read, copied: all but the few a rule rewrote) are copied as one
    // run, comma and all.
    let mut run: Option<(usize, usize)> = None;
    for &(start, end) in items.spans() {
        run = match run {
            Some((from, to)) if start == to + 1 && text.get(to) == Some(&b',') => Some((from, end)),
            Some((from, to)) => {
                out.extend_from_slice(&text[from..to]);
                out.push(b',');
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((from, to)) = run {
        out.extend_from_slice(&text[from..to]);
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether CSV text holding `b` needs quoting: a comma, quote, CR or LF.
pub fn needs_quotes(b: &[u8]) -> bool {
    // Short values (an item a rule rewrote) eight bytes at a time: two calls
    // of memchr cost more than the whole value.
    if b.len() <= 32 {
        if b.len() < 8 {
            return b.iter().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'));
        }
        let word = |w: &[u8]| quote_byte_in(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        // The last eight bytes as one more word, overlapping the others.
        return b.chunks_exact(8).fold(false, |found, w| found | word(w)) | word(&b[b.len() - 8..]);
    }
    memchr::memchr3(b',', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some()
}

/// Whether one of the eight bytes of `w` is a comma, quote, CR or LF. All four
/// are below 0x2D: most words, with no such byte at all, take one test.
#[inline(always)]
fn quote_byte_in(w: u64) -> bool {
    use crate::items::{bytes_below, equal_bytes};
    const ONES: u64 = 0x0101_0101_0101_0101;
    if bytes_below(w, b',' + 1) == 0 {
        return false;
    }
    let of = |c: u8| equal_bytes(w, ONES * u64::from(c));
    of(b',') | of(b'"') | of(b'\r') | of(b'\n') != 0
}

/// Appends one item, quoted if needed.
pub fn push_item(out: &mut Vec<u8>, item: &str) {
    let b = item.as_bytes();
    if !needs_quotes(b) {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    let mut start = 0;
    while let Some(p) = memchr::memchr(b'"', &b[start..]) {
        out.extend_from_slice(&b[start..=start + p]);
        out.push(b'"');
        start += p + 1;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Hex form of a SHA-256 digest.
pub fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    let mut n = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                h.update(&buf[..k]);
                n += k as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((hex(&h.finalize()), n))
}

/// What was written to a finished file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub sha256: String,
    pub bytes: u64,
}

/// A file being written under a temporary name next to its destination.
pub struct PendingFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<File>,
    hasher: StreamHasher,
    bytes: u64,
    /// Bytes written when the last early flush started.
    flushed_at: u64,
    /// An early flush still running (see [`PendingFile::write_all`]).
    flushing: Option<Task<io::Result<()>>>,
    /// Bytes handed to the disk's write-back so far (see [`start_write_back`]).
    written_back: u64,
}

/// Bytes between starts of write-back.
const WRITE_BACK_EVERY: u64 = 2 << 20;

/// Asks the kernel to start writing `from..to` of `f` to disk, without waiting:
/// the final sync then waits for the last few megabytes only, not for all that
/// was written since the last flush.
#[cfg(target_os = "linux")]
fn start_write_back(f: &File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(off), Ok(len)) = (i64::try_from(from), i64::try_from(to - from)) else {
        return;
    };
    // SAFETY: a plain system call on an open descriptor. A failure only means the
    // data goes out at the final sync, which reports any error.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), off, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_write_back(_: &File, _: u64, _: u64) {}

/// Bytes written between early flushes.
const FLUSH_EVERY: u64 = 16 << 20;

/// Prefix of temporary names, so a later run can remove what a killed run left.
pub const TMP_PREFIX: &str = ".ikou-tmp-";

impl PendingFile {
    /// Creates the temporary file beside `dest`. It is always a new file: an
    /// existing name (a symlink someone planted, say) is never opened or followed;
    /// another name is picked instead.
    pub fn create(dest: &Path) -> io::Result<PendingFile> {
        let dir = dest.parent().unwrap_or(Path::new("."));
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let pid = std::process::id();
        let mut attempt = 0u32;
        let (tmp, file) = loop {
            let tmp = if attempt == 0 {
                dir.join(format!("{TMP_PREFIX}{pid}-{name}"))
            } else {
                dir.join(format!("{TMP_PREFIX}{pid}-{attempt}-{name}"))
            };
            match create_new_file(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        Ok(PendingFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(file),
            hasher: StreamHasher::here(),
            bytes: 0,
            flushed_at: 0,
            flushing: None,
            written_back: 0,
        })
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Hashes the output on a thread of its own (call before the first write):
    /// the writer then only writes. Buffers given to [`PendingFile::write_owned`]
    /// go to `recycle` once hashed.
    pub fn hash_apart(&mut self, recycle: Arc<BufferPool>) {
        if self.bytes == 0 {
            self.hasher = StreamHasher::apart(recycle);
        }
    }

    /// As [`PendingFile::write_all`], taking the buffer (handed on to the hashing
    /// thread, and from it to the pool, without a copy).
    pub fn write_owned(&mut self, data: Vec<u8>) -> io::Result<()> {
        self.write_file(&data)?;
        self.hasher.update_owned(data);
        Ok(())
    }

    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.write_file(data)?;
        self.hasher.update(data);
        Ok(())
    }

    fn write_file(&mut self, data: &[u8]) -> io::Result<()> {
        let f = self.file.as_mut().ok_or_else(closed)?;
        f.write_all(data)?;
        self.bytes += data.len() as u64;
        // The file is synced to disk before it is published. Syncing a large file
        // only at the end makes the run wait for all of it to be written out; a
        // helper thread flushes what is written so far every few megabytes, so
        // that the disk works while we do.
        if self.bytes - self.written_back >= WRITE_BACK_EVERY {
            start_write_back(f, self.written_back, self.bytes);
            self.written_back = self.bytes;
        }
        if self.bytes - self.flushed_at >= FLUSH_EVERY
            && self.flushing.as_mut().is_none_or(|h| h.is_finished())
        {
            if let Some(h) = self.flushing.take() {
                join_flush(h)?;
            }
            let clone = f.try_clone()?;
            // No thread: the data goes out at the final sync instead.
            self.flushing = crate::threads::spawn("ikou-sync", move || clone.sync_data()).ok();
            self.flushed_at = self.bytes;
        }
        Ok(())
    }

    /// Flushes to disk and returns the hash; the file keeps its temporary name.
    pub fn finish(&mut self) -> io::Result<Written> {
        let f = self.file.take().ok_or_else(closed)?;
        if let Some(h) = self.flushing.take() {
            join_flush(h)?;
        }
        f.sync_all()?;
        Ok(Written {
            sha256: hex(&std::mem::take(&mut self.hasher).finish()?),
            bytes: self.bytes,
        })
    }

    /// As [`PendingFile::finish`], but the sync to disk runs in the background:
    /// a run of many files syncs them all at once instead of one after another.
    /// [`PendingFile::synced`] (or [`PendingFile::publish`]) waits for it.
    pub fn finish_deferred(&mut self) -> io::Result<Written> {
        let f = self.file.take().ok_or_else(closed)?;
        let early = self.flushing.take();
        // The sync starts before the hash is waited for: the disk writes the last
        // megabytes while the hashing thread finishes the last blocks.
        self.flushing = Some(crate::threads::spawn("ikou-sync", move || {
            if let Some(h) = early {
                join_flush(h)?;
            }
            f.sync_all()
        })?);
        let sha256 = hex(&std::mem::take(&mut self.hasher).finish()?);
        Ok(Written {
            sha256,
            bytes: self.bytes,
        })
    }

    /// Waits for a sync started by [`PendingFile::finish_deferred`]; its error,
    /// if it failed.
    pub fn synced(&mut self) -> io::Result<()> {
        match self.flushing.take() {
            Some(h) => join_flush(h),
            None => Ok(()),
        }
    }

    /// Gives the file its real name (once it is on disk).
    pub fn publish(mut self) -> io::Result<()> {
        self.synced()?;
        fs::rename(&self.tmp, &self.dest)?;
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl PendingFile {
    /// Gives the file its real name only if nothing has that name yet (a file, a
    /// link, anything): `AlreadyExists` otherwise, and the temporary file goes.
    /// A hard link is atomic and never replaces or follows what is at the name.
    pub fn publish_new(mut self) -> io::Result<()> {
        fs::hard_link(&self.tmp, &self.dest)?;
        let tmp = std::mem::take(&mut self.tmp);
        fs::remove_file(tmp)
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn join_flush(h: Task<io::Result<()>>) -> io::Result<()> {
    h.join()
        .unwrap_or_else(|_| Err(io::Error::other("the flushing thread stopped")))
}

fn closed() -> io::Error {
    io::Error::other("file already finished")
}

/// Writes `data` to `dest` atomically (temporary name, sync, rename).
pub fn write_atomic(dest: &Path, data: &[u8]) -> io::Result<Written> {
    let mut f = PendingFile::create(dest)?;
    f.write_all(data)?;
    let w = f.finish()?;
    f.publish()?;
    Ok(w)
}

/// Writes `data` to `dest` atomically, only when nothing is at `dest` yet
/// (`AlreadyExists` otherwise; nothing is written).
pub fn write_new(dest: &Path, data: &[u8]) -> io::Result<Written> {
    if fs::symlink_metadata(dest).is_ok() {
        return Err(io::Error::from(io::ErrorKind::AlreadyExists));
    }
    let mut f = PendingFile::create(dest)?;
    f.write_all(data)?;
    let w = f.finish()?;
    f.publish_new()?;
    Ok(w)
}

/// Opens a file that did not exist: O_EXCL never follows a symlink at the name,
/// and O_NOFOLLOW says so again.
fn create_new_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Whether `name` is one ikou gives its temporary files (`.ikou-tmp-<pid>-…`), so
/// that a later run may remove it when a killed run left it.
pub fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix(TMP_PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(pid, _)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The line of runs is the items joined by commas, whatever was
        /// narrowed or replaced (items apart, or next to each other without a
        /// comma between them).
        #[test]
        fn joined_line_is_the_items_joined(
            items in proptest::collection::vec("[a-z ,]{0,4}", 1..8),
            edits in proptest::collection::vec((0usize..4, 0usize..3, "[a-z]{0,3}"), 0..10),
        ) {
            let mut read = Items::default();
            for item in &items {
                // As the items of a record split in place: one buffer, commas between.
                read.push_after(',', item.replace(',', ";").as_str());
            }
            let mut written = Items::default();
            written.copy_from(&read);
            for (i, how, value) in edits {
                let i = i % written.len();
                let len = written.get(i).len();
                match how {
                    0 => written.replace(i, &value),
                    1 => written.narrow(i, 0, len.saturating_sub(1)),
                    _ => written.narrow(i, len.min(1), len),
                }
            }
            let mut out = Vec::new();
            joined_line(&mut out, &written);
            let want: Vec<&str> = written.iter().collect();
            prop_assert_eq!(String::from_utf8(out).unwrap(), format!("{}\r\n", want.join(",")));
        }
    }

    proptest! {
        /// needs_quotes says what a look at each byte says, at every length
        /// and place of the bytes that need quotes (and of their neighbours).
        #[test]
        fn needs_quotes_is_a_look_at_each_byte(
            b in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), 0x09u8..0x2F, any::<u8>()],
                0..48,
            ),
            pick in proptest::collection::vec(0x80u8..=0xFF, 0..48),
            mix in 0usize..4,
        ) {
            // Mostly bytes that need none, so that one byte decides.
            let b: Vec<u8> = b.iter().zip(pick.iter().chain(std::iter::repeat(&0xE3)))
                .enumerate()
                .map(|(k, (&x, &y))| if k % 4 < mix { x } else { y })
                .collect();
            let want = b.iter().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'));
            prop_assert_eq!(needs_quotes(&b), want, "{:?}", b);
        }
    }

    fn line(items: &[&str]) -> String {
        let mut out = Vec::new();
        csv_line(&mut out, items.iter().copied());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn items_line_is_csv_line() {
        for rec in [
            vec!["a", "b"],
            vec!["a,b", "c"],
            vec![""],
            vec!["", ""],
            vec!["x\r\ny", "\"q\""],
        ] {
            let mut items = Items::default();
            rec.iter().for_each(|i| items.push(i));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            items_line(&mut a, &items);
            csv_line(&mut b, rec.iter().copied());
            assert_eq!(a, b);
        }
    }

    #[test]
    fn a_file_flushed_early_while_written_is_whole_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("big.csv");
        let mut f = PendingFile::create(&dest).unwrap();
        let piece: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let pieces = (2 * FLUSH_EVERY / piece.len() as u64 + 3) as usize;
        let mut h = Sha256::new();
        for _ in 0..pieces {
            f.write_all(&piece).unwrap();
            h.update(&piece);
        }
        assert!(
            f.flushing.is_some() || f.flushed_at > 0,
            "no early flush started"
        );
        let w = f.finish().unwrap();
        f.publish().unwrap();
        assert_eq!(w.bytes, (pieces * piece.len()) as u64);
        assert_eq!(w.sha256, hex(&h.finalize()));
        assert_eq!(sha256_file(&dest).unwrap(), (w.sha256, w.bytes));
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(line(&["a", "b c", ""]), "a,b c,\r\n");
        assert_eq!(
            line(&["a,b", "x\"y", "1\r\n2", "\n"]),
            "\"a,b\",\"x\"\"y\",\"1\r\n2\",\"\n\"\r\n"
        );
        assert_eq!(line(&["山田\u{E0100}"]), "山田\u{E0100}\r\n");
        assert_eq!(line(&[""]), "\"\"\r\n");
    }

    proptest! {
        /// The csv crate, an independent reader, reads back exactly what was written.
        #[test]
        fn csv_crate_reads_back_every_line(rows in prop::collection::vec(
            prop::collection::vec("[a-z,\"\r\n 山\u{3000}]{0,6}", 1..5), 1..5)) {
            let mut out = Vec::new();
            for r in &rows {
                csv_line(&mut out, r.iter().map(String::as_str));
            }
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&out[..]);
            let back: Vec<Vec<String>> = rdr
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect();
            prop_assert_eq!(back, rows);
        }
    }

    #[test]
    fn a_planted_symlink_at_the_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim");
        let dest = dir.path().join("report.html");
        let planted = dir
            .path()
            .join(format!("{TMP_PREFIX}{}-report.html", std::process::id()));
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        write_atomic(&dest, b"report").unwrap();
        assert!(!target.exists(), "wrote through the symlink");
        assert_eq!(fs::read(&dest).unwrap(), b"report");
        assert!(fs::symlink_metadata(&dest).unwrap().file_type().is_file());
        assert!(
            fs::symlink_metadata(&planted)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the planted symlink is left alone"
        );
    }

    #[test]
    fn temporary_names_are_ikous_own() {
        assert!(is_temporary_name(".ikou-tmp-123-a.csv"));
        assert!(is_temporary_name(".ikou-tmp-123-4-a.csv"));
        assert!(!is_temporary_name(".ikou-tmp-export.dat"));
        assert!(!is_temporary_name(".ikou-tmp--a.csv"));
        assert!(!is_temporary_name("a.csv"));
    }

    #[test]
    fn pending_files_appear_only_when_published() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.csv");
        let mut f = PendingFile::create(&dest).unwrap();
        f.write_all(b"abc").unwrap();
        let w = f.finish().unwrap();
        assert_eq!(w.bytes, 3);
        assert_eq!(
            w.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!dest.exists());
        f.publish().unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"abc");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        let mut g = PendingFile::create(&dir.path().join("y.csv")).unwrap();
        g.write_all(b"half").unwrap();
        drop(g);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "dropped file leaves nothing"
        );
    }

    #[test]
    fn write_new_never_replaces_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("w.tsv");
        write_new(&dest, b"one").unwrap();
        let e = write_new(&dest, b"two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&dest).unwrap(), b"one");
        let link = dir.path().join("l.tsv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert!(write_new(&link, b"x").is_err());
        assert!(
            !dir.path().join("nowhere").exists(),
            "the link is not followed"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
    }
}
