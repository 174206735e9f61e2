//! Temporary files inside `--out` that hold one side's records per key partition,
//! and the compact byte form of what they hold.
//!
//! Names are ikou's temporary names (`.ikou-tmp-<pid>-reconcile-…`): the output
//! directory's guard removes any a killed run left, and a dropped [`TempFile`]
//! removes its own. Each is a new file (never an existing name or a symlink).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A temporary file, written once then read back, removed on drop.
pub struct TempFile {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl TempFile {
    pub fn create(dir: &Path, tag: &str) -> io::Result<TempFile> {
        let pid = std::process::id();
        let prefix = crate::output::TMP_PREFIX;
        for attempt in 0..100u32 {
            let path = dir.join(format!("{prefix}{pid}-reconcile-{tag}-{attempt}"));
            let opened = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path);
            match opened {
                Ok(f) => {
                    return Ok(TempFile {
                        path,
                        writer: Some(BufWriter::with_capacity(64 * 1024, f)),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name",
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.write_all(data),
            None => Err(io::Error::other("temporary file already read")),
        }
    }

    /// Ends writing and returns the file, at its start, for reading.
    pub fn reader(&mut self) -> io::Result<File> {
        let w = self
            .writer
            .take()
            .ok_or_else(|| io::Error::other("temporary file already read"))?;
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        f.seek(SeekFrom::Start(0))?;
        Ok(f)
    }

    /// The whole file (a partition is sized to fit in memory).
    pub fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let mut f = self.reader()?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        Ok(buf)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

// --- the byte form: little-endian integers, strings as u32 length + UTF-8 ---

pub fn put_u8(out: &mut Vec<u8>, v: u8) {
    out.push(v);
}

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A string; Err when longer than u32 can say (a record is far smaller).
pub fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), String> {
    let n = u32::try_from(s.len()).map_err(|_| "a value longer than 4 GiB".to_string())?;
    put_u32(out, n);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Reads the byte form back; every read is bounds-checked (a short or damaged
/// file is an error, never a panic).
pub struct Cursor<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

fn damaged() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "a temporary file of this run is damaged (was --out changed during the run?)",
    )
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn bytes(&mut self, n: usize) -> io::Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(damaged)?;
        let b = self.data.get(self.pos..end).ok_or_else(damaged)?;
        self.pos = end;
        Ok(b)
    }

    pub fn u8(&mut self) -> io::Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u32(&mut self) -> io::Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64(&mut self) -> io::Result<u64> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn str(&mut self) -> io::Result<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.bytes(n)?).map_err(|_| damaged())
    }
}

/// Reads one length-prefixed frame (u32 length + bytes) from a stream; None at
/// the end.
pub fn read_frame(r: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let n = u32::from_le_bytes(len) as usize;
    buf.clear();
    buf.resize(n, 0);
    r.read_exact(buf).map_err(|_| damaged())?;
    Ok(true)
}

/// Appends `body` as one frame.
pub fn put_frame(out: &mut Vec<u8>, body: &[u8]) -> Result<(), String> {
    let n = u32::try_from(body.len()).map_err(|_| "a record longer than 4 GiB".to_string())?;
    put_u32(out, n);
    out.extend_from_slice(body);
    Ok(())
}

/// FNV-1a: a fixed hash (the same partition for a key in every run).
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_file_round_trip_and_removal() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = TempFile::create(dir.path(), "old-0").unwrap();
        let path = t.path().to_path_buf();
        assert!(crate::output::is_temporary_name(
            &path.file_name().unwrap().to_string_lossy()
        ));
        let mut b = Vec::new();
        put_str(&mut b, "山田").unwrap();
        put_u64(&mut b, 7);
        t.write_all(&b).unwrap();
        let back = t.read_all().unwrap();
        let mut c = Cursor::new(&back);
        assert_eq!(c.str().unwrap(), "山田");
        assert_eq!(c.u64().unwrap(), 7);
        assert!(c.at_end());
        assert!(c.u8().is_err(), "reading past the end is an error");
        drop(t);
        assert!(!path.exists());
    }
}
