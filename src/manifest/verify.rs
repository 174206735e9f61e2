//! `ikou verify DIR`: re-checks a finished run against its manifest.

use super::{FILE_NAME, FileEntry, Manifest};
use crate::output::sha256_file;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

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
    let text = match std::fs::read_to_string(&mpath) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoManifest(dir.into()));
        }
        Err(e) => {
            return Err(VerifyError::BadManifest {
                path: mpath,
                message: e.to_string(),
            });
        }
    };
    let m = Manifest::from_json(&text).map_err(|e| VerifyError::BadManifest {
        path: mpath.clone(),
        message: e.to_string(),
    })?;
    let mut rep = VerifyReport::default();
    for e in &m.outputs {
        check_file(dir, e, count_csv_records, &mut rep);
    }
    for e in &m.rejects {
        check_file(dir, e, count_reject_lines, &mut rep);
    }
    if let Some(e) = &m.report {
        check_file(dir, e, |_| Ok(0), &mut rep);
    }
    check_counts(&m, &mut rep);
    if check_inputs {
        for (i, input) in m.inputs.iter().enumerate() {
            check_input(dir, &m, i, Path::new(&input.path), &input.sha256, &mut rep);
        }
    }
    Ok(rep)
}

fn check_file(
    dir: &Path,
    e: &FileEntry,
    count: fn(&Path) -> Result<u64, String>,
    rep: &mut VerifyReport,
) {
    rep.files_checked += 1;
    let path = dir.join(&e.path);
    match sha256_file(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            rep.problems
                .push(format!("{}: missing (the manifest lists it)", e.path));
        }
        Err(err) => rep.problems.push(format!("{}: cannot read: {err}", e.path)),
        Ok((sha, bytes)) => {
            if sha != e.sha256 || bytes != e.bytes {
                rep.problems.push(format!(
                    "{}: changed since the run (sha256 {sha}, {bytes} bytes; the manifest says {}, {} bytes)",
                    e.path, e.sha256, e.bytes
                ));
                return;
            }
            match count(&path) {
                Ok(n) if n == e.records => {}
                Ok(n) => rep.problems.push(format!(
                    "{}: holds {n} records, the manifest says {}",
                    e.path, e.records
                )),
                Err(msg) => rep.problems.push(format!("{}: {msg}", e.path)),
            }
        }
    }
}

fn count_csv_records(path: &Path) -> Result<u64, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| format!("not valid CSV: {e}"))?
    {
        n += 1;
    }
    Ok(n)
}

fn count_reject_lines(path: &Path) -> Result<u64, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    crate::reject::read_lines(&bytes)
        .map(|l| l.len() as u64)
        .map_err(|e| format!("not a reject file: {e}"))
}

fn check_counts(m: &Manifest, rep: &mut VerifyReport) {
    let c = m.counts;
    if c.read != c.written + c.rejected {
        rep.problems.push(format!(
            "{FILE_NAME}: counts do not add up: read {} ≠ written {} + rejected {}",
            c.read, c.written, c.rejected
        ));
    }
    let sum = |f: fn(&super::InputEntry) -> u64| m.inputs.iter().map(f).sum::<u64>();
    if sum(|i| i.records) != c.read
        || sum(|i| i.written) != c.written
        || sum(|i| i.rejected) != c.rejected
    {
        rep.problems.push(format!(
            "{FILE_NAME}: the per-file counts do not add up to the totals"
        ));
    }
    for input in &m.inputs {
        if input.records != input.written + input.rejected {
            rep.problems.push(format!(
                "{}: read {} ≠ written {} + rejected {}",
                input.path, input.records, input.written, input.rejected
            ));
        }
        let find = |list: &[FileEntry], name: &str| {
            list.iter().find(|e| e.path == name).map(|e| e.records)
        };
        match find(&m.outputs, &input.output) {
            Some(n) if n == input.written => {}
            Some(n) => rep.problems.push(format!(
                "{}: {} records written, but {} holds {n}",
                input.path, input.written, input.output
            )),
            None => rep.problems.push(format!(
                "{}: its output {} is not listed",
                input.path, input.output
            )),
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

fn check_input(dir: &Path, m: &Manifest, i: usize, path: &Path, sha: &str, rep: &mut VerifyReport) {
    rep.files_checked += 1;
    let shown = path.display();
    match sha256_file(path) {
        Err(e) => {
            rep.problems
                .push(format!("{shown}: cannot read the input: {e}"));
            return;
        }
        Ok((got, _)) if got != sha => {
            rep.problems
                .push(format!("{shown}: the input has changed since the run"));
            return;
        }
        Ok(_) => {}
    }
    // Every rejected record must be the input's bytes at its offset: nothing lost or altered.
    let Ok(bytes) = std::fs::read(dir.join(&m.inputs[i].rejects)) else {
        return; // already reported by check_file
    };
    let Ok(lines) = crate::reject::read_lines(&bytes) else {
        return;
    };
    let Ok(mut f) = std::fs::File::open(path) else {
        return;
    };
    for l in lines {
        let mut buf = vec![0; l.original.len()];
        let same = f.seek(SeekFrom::Start(l.offset)).is_ok()
            && f.read_exact(&mut buf).is_ok()
            && buf == l.original;
        if !same {
            rep.problems.push(format!(
                "{}: record {} is not the input's bytes at offset {}",
                m.inputs[i].rejects, l.record, l.offset
            ));
        }
    }
}
