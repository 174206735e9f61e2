//! The `--out` directory of `convert`: what ikou owns in it, the lock that keeps
//! two runs apart, and the order in which a run publishes and tidies.
//!
//! ikou owns, in `--out`, the files an earlier run listed in its manifest
//! (outputs, rejects, report.html, manifest.json) and its own hidden `.ikou-*`
//! files. Everything else belongs to someone else: a directory holding such a file
//! is refused unless `--force`, and even then no such file is ever replaced or
//! removed. The names an earlier run wrote are kept in a hidden journal
//! ([`OWNED`]) for the whole run, so that a run killed at any point leaves its
//! successor knowing what it may tidy away.

use crate::error::Error;
use crate::manifest;
use crate::output::{self, PendingFile};
use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// Held (advisory lock) for the whole run; holds the pid of the run.
pub const LOCK: &str = ".ikou-lock";
/// The earlier run's manifest, moved aside so that the directory no longer looks
/// finished while this run works.
pub const PREVIOUS: &str = ".ikou-previous-manifest.json";
/// Journal: every name an earlier run, or this run once it publishes, may have
/// published (a JSON array). Present only while there is something to remember.
pub const OWNED: &str = ".ikou-owned.json";
/// Every name starting with this is ikou's; none is taken as an input.
pub const RESERVED_PREFIX: &str = ".ikou-";

/// Names ikou writes besides the per-input files.
fn fixed_outputs() -> [&'static str; 2] {
    [crate::report::FILE_NAME, manifest::FILE_NAME]
}

/// A device and inode: how an input is recognised whatever path reaches it.
type FileId = (u64, u64);

fn id(m: &fs::Metadata) -> FileId {
    (m.dev(), m.ino())
}

/// `--out`, locked, with the inventory of what ikou may touch in it.
pub struct OutDir {
    dir: PathBuf,
    /// Open and locked until drop.
    lock: Option<File>,
    /// Names earlier runs published (from their manifests and the journal).
    owned: BTreeSet<String>,
    /// The inputs of this run, which are never removed or replaced.
    inputs: HashSet<FileId>,
    /// This run's per-input output names (outputs and rejects).
    planned: Vec<String>,
    /// The pages earlier runs published (report.html, reconcile.html): removed
    /// first, as they look finished.
    reports: BTreeSet<String>,
}

impl OutDir {
    /// Checks `dir` and locks it; then moves the earlier manifest aside, removes
    /// the earlier report and stale temporaries, and writes the journal of the
    /// earlier run's names. Nothing in `dir` is changed unless every check passed.
    ///
    /// Err: exit 2 for an input ikou reserves the name of, a file ikou did not
    /// write (without `force`) or would replace; exit 1 when another run holds the
    /// directory or on I/O errors.
    pub fn open(
        dir: &Path,
        inputs: &[PathBuf],
        planned: &[String],
        force: bool,
    ) -> Result<OutDir, Error> {
        let input_ids = check_inputs(dir, inputs)?;
        fs::create_dir_all(dir).map_err(Error::io(dir, "cannot create the output directory"))?;
        let lock = take_lock(dir)?;
        let mut out = OutDir {
            dir: dir.to_path_buf(),
            lock: Some(lock),
            owned: BTreeSet::new(),
            inputs: input_ids,
            planned: planned.to_vec(),
            reports: BTreeSet::new(),
        };
        let has_manifest = out.read_inventory()?;
        out.check_contents(force)?;

        // From here on the directory changes. First, it must stop looking
        // finished: renaming needs no free space, so it works on a full disk.
        if has_manifest {
            let (from, to) = (dir.join(manifest::FILE_NAME), dir.join(PREVIOUS));
            fs::rename(&from, &to)
                .map_err(Error::io(&from, "cannot move the earlier manifest aside"))?;
        }
        out.remove_owned(crate::report::FILE_NAME)?;
        for name in &out.reports {
            out.remove_owned(name)?;
        }
        out.remove_stale_temporaries()?;
        // The earlier manifest may go (below, or when this run has published):
        // the journal keeps its names meanwhile.
        if !out.owned.is_empty() {
            out.write_journal(&out.owned)?;
        }
        Ok(out)
    }

    /// Writes the journal (whole, synced, then renamed into place, the directory
    /// synced), so that it is on disk before anything it protects changes.
    fn write_journal(&self, names: &BTreeSet<String>) -> Result<(), Error> {
        let json = serde_json::to_string(&names.iter().collect::<Vec<_>>())
            .map_err(|e| Error::Config(format!("cannot write the journal: {e}")))?;
        let jpath = self.dir.join(OWNED);
        output::write_atomic(&jpath, json.as_bytes())
            .map_err(Error::io(&jpath, "the disk may be full"))?;
        sync_dir(&self.dir).map_err(Error::io(&self.dir, "cannot sync the output directory"))
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Publishes finished files: the outputs and rejects, then the report, then the
    /// manifest (both already whole and synced under temporary names, so no write
    /// can fail between the two renames). If the manifest cannot be published, the
    /// report is taken back. Then removes what the earlier run wrote and this one
    /// did not, and the journal.
    pub fn publish(
        self,
        files: Vec<PendingFile>,
        report: PendingFile,
        manifest: PendingFile,
    ) -> Result<(), Error> {
        // Only now are this run's names added: a run that fails before this
        // point never claims a name it did not write.
        let mut names = self.owned.clone();
        names.extend(self.planned.iter().cloned());
        names.extend(fixed_outputs().map(String::from));
        self.write_journal(&names)?;
        for f in files {
            let dest = f.dest().to_path_buf();
            f.publish()
                .map_err(Error::io(&dest, "check the output directory"))?;
        }
        let rpath = report.dest().to_path_buf();
        report
            .publish()
            .map_err(Error::io(&rpath, "check the output directory"))?;
        let mpath = manifest.dest().to_path_buf();
        let published = manifest
            .publish()
            .map_err(Error::io(&mpath, "check the output directory"))
            .and_then(|()| {
                sync_dir(&self.dir)
                    .map_err(Error::io(&self.dir, "cannot sync the output directory"))
            });
        if let Err(e) = published {
            // A report without its manifest would be read as a finished run.
            let _ = fs::remove_file(&mpath);
            let _ = fs::remove_file(&rpath);
            let _ = sync_dir(&self.dir);
            return Err(e);
        }
        self.tidy();
        Ok(())
    }

    /// Removes the earlier run's files this run did not rewrite, then the earlier
    /// manifest and the journal. A file that cannot be removed stays listed in the
    /// journal, so the next run tries again.
    fn tidy(&self) {
        let mut ours: HashSet<&str> = self.planned.iter().map(String::as_str).collect();
        ours.extend(fixed_outputs());
        let mut all_gone = true;
        let mut removed = false;
        for name in &self.owned {
            if !ours.contains(name.as_str()) {
                removed = true;
                if self.remove_owned(name).is_err() {
                    all_gone = false;
                }
            }
        }
        removed |= fs::remove_file(self.dir.join(PREVIOUS)).is_ok();
        // The journal goes only once the removals are on disk: until then it is
        // what tells the next run that those files were ikou's. (A run into a
        // new directory removed nothing: no sync to wait for.)
        if all_gone && (!removed || sync_dir(&self.dir).is_ok()) {
            let _ = fs::remove_file(self.dir.join(OWNED));
        }
    }

    /// Removes `name` if an earlier run wrote it: a regular file (never a symlink
    /// or directory), and not an input of this run.
    fn remove_owned(&self, name: &str) -> Result<(), Error> {
        if !self.owned.contains(name) {
            return Ok(());
        }
        let path = self.dir.join(name);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() && !self.inputs.contains(&id(&m)) => {
                match fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        Err(Error::io(&path, "cannot remove the earlier run's file")(e))
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Reads what earlier runs wrote: manifest.json, the earlier manifest moved
    /// aside, and the journal. Returns whether manifest.json is an ikou manifest.
    fn read_inventory(&mut self) -> Result<bool, Error> {
        let mut has_manifest = false;
        for name in [manifest::FILE_NAME, PREVIOUS, OWNED] {
            let path = self.dir.join(name);
            let Some(text) = read_regular(&path)? else {
                continue;
            };
            let names = if name == OWNED {
                serde_json::from_str::<Vec<String>>(&text).ok()
            } else {
                manifest_names(&text)
            };
            if name != OWNED
                && let Some(r) = report_name(&text).filter(|r| plain_name(r))
            {
                self.reports.insert(r);
            }
            match names {
                Some(names) => {
                    has_manifest |= name == manifest::FILE_NAME;
                    self.owned
                        .extend(names.into_iter().filter(|n| plain_name(n)));
                }
                // A manifest.json ikou cannot read is not taken as its own; a
                // damaged hidden file of ours is only ignored.
                None if name == manifest::FILE_NAME => {}
                None => {}
            }
        }
        if has_manifest {
            self.owned.insert(manifest::FILE_NAME.into());
        }
        Ok(has_manifest)
    }

    /// Refuses a directory holding files ikou did not write (unless `force`) and
    /// any output name taken by such a file, a non-regular file, or an input.
    fn check_contents(&self, force: bool) -> Result<(), Error> {
        let rd = fs::read_dir(&self.dir)
            .map_err(Error::io(&self.dir, "cannot read the output directory"))?;
        let mut foreign = Vec::new();
        for entry in rd {
            let entry = entry.map_err(Error::io(&self.dir, "cannot read the output directory"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with(RESERVED_PREFIX) || self.owned.contains(&name);
            if !ours {
                foreign.push(name);
            }
        }
        foreign.sort();
        if !force && !foreign.is_empty() {
            let mut list = foreign
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if foreign.len() > 5 {
                list.push_str(&format!(" and {} more", foreign.len() - 5));
            }
            return Err(Error::Usage(format!(
                "{}: the output directory holds files ikou did not write ({list}); choose an empty or new --out, or pass --force to write beside them (ikou never replaces or removes them)",
                self.dir.display()
            )));
        }
        for name in self
            .planned
            .iter()
            .map(String::as_str)
            .chain(fixed_outputs())
        {
            let path = self.dir.join(name);
            let Ok(m) = fs::symlink_metadata(&path) else {
                continue;
            };
            let why = if self.inputs.contains(&id(&m)) {
                "is an input of this run"
            } else if !self.owned.contains(name) {
                "was not written by ikou"
            } else if !m.file_type().is_file() {
                "is not a regular file"
            } else {
                continue;
            };
            return Err(Error::Usage(format!(
                "{}: {why}, and this run would write its {name} there; ikou will not replace it: move it away or choose another --out",
                path.display()
            )));
        }
        Ok(())
    }

    /// Removes temporary files a killed run left: regular files named as ikou
    /// names them (`.ikou-tmp-<pid>-…`), never a symlink or anything else.
    fn remove_stale_temporaries(&self) -> Result<(), Error> {
        let rd = fs::read_dir(&self.dir)
            .map_err(Error::io(&self.dir, "cannot read the output directory"))?;
        for entry in rd {
            let entry = entry.map_err(Error::io(&self.dir, "cannot read the output directory"))?;
            let name = entry.file_name();
            if !output::is_temporary_name(&name.to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            if let Ok(m) = fs::symlink_metadata(&path)
                && m.file_type().is_file()
                && !self.inputs.contains(&id(&m))
            {
                fs::remove_file(&path)
                    .map_err(Error::io(&path, "cannot remove a stale temporary file"))?;
            }
        }
        Ok(())
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        // Removed while still held, so no run can lock a name about to vanish
        // (take_lock checks that the name it locked is still there).
        if let Some(lock) = self.lock.take() {
            let _ = fs::remove_file(self.dir.join(LOCK));
            drop(lock);
        }
    }
}

/// Refuses an input ikou reserves the name of inside `dir` (its outputs
/// manifest.json and report.html, its `.ikou-*` files): a run must never remove or
/// replace one of its inputs. Returns the inputs' device and inode numbers.
pub fn check_inputs(dir: &Path, inputs: &[PathBuf]) -> Result<HashSet<FileId>, Error> {
    let dir_id = fs::metadata(dir).ok().map(|m| id(&m));
    let mut ids = HashSet::new();
    for path in inputs {
        // One that cannot be read is reported by the input checks.
        if let Ok(m) = fs::metadata(path) {
            ids.insert(id(&m));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let reserved =
            name.starts_with(RESERVED_PREFIX) || fixed_outputs().contains(&name.as_str());
        if !reserved {
            continue;
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let in_dir = dir_id.is_some() && fs::metadata(parent).ok().map(|m| id(&m)) == dir_id;
        if in_dir {
            return Err(Error::Usage(format!(
                "{}: ikou writes or removes {name} in --out {}, so it cannot be an input there; copy the input elsewhere or choose another --out",
                path.display(),
                dir.display()
            )));
        }
    }
    Ok(ids)
}

/// Opens and locks `dir/.ikou-lock`, writing our pid into it.
fn take_lock(dir: &Path) -> Result<File, Error> {
    let path = dir.join(LOCK);
    for _ in 0..10 {
        if let Ok(m) = fs::symlink_metadata(&path)
            && !m.file_type().is_file()
        {
            return Err(Error::Usage(format!(
                "{}: not a regular file, so ikou did not make it; remove it",
                path.display()
            )));
        }
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(Error::io(
                &path,
                "cannot create the lock file in the output directory",
            ))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = f.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    "another ikou convert".to_string()
                } else {
                    format!("another ikou convert (pid {holder})")
                };
                return Err(Error::input(
                    dir,
                    format!(
                        "{who} is writing into this directory; wait for it to finish or choose another --out"
                    ),
                ));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(&path, "cannot lock the output directory")(e));
            }
        }
        // The holder before us may have removed the name after we opened it.
        let same = match (f.metadata(), fs::symlink_metadata(&path)) {
            (Ok(a), Ok(b)) => id(&a) == id(&b),
            _ => false,
        };
        if !same {
            continue;
        }
        // Only informative, so a full disk does not stop the run here.
        let _ = f
            .set_len(0)
            .and_then(|()| writeln!(f, "{}", std::process::id()));
        return Ok(f);
    }
    Err(Error::input(
        dir,
        "the lock file keeps changing; another ikou convert may be starting here; try again",
    ))
}

/// The text of `path` if it is a regular file (a symlink is not followed).
fn read_regular(path: &Path) -> Result<Option<String>, Error> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "cannot read the output directory")(e)),
        Ok(m) if !m.file_type().is_file() => {
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(RESERVED_PREFIX))
            {
                return Err(Error::Usage(format!(
                    "{}: not a regular file, so ikou did not make it; remove it",
                    path.display()
                )));
            }
            return Ok(None);
        }
        Ok(_) => {}
    }
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(Error::io(path, "cannot read the earlier run's file"))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)
        .map_err(Error::io(path, "cannot read the earlier run's file"))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The file names an ikou manifest lists (outputs, rejects, report); None when
/// the text is not such a manifest.
fn manifest_names(text: &str) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut names = Vec::new();
    for key in ["outputs", "rejects"] {
        for e in v.get(key)?.as_array()? {
            names.push(e.get("path")?.as_str()?.to_string());
        }
    }
    if let Some(r) = v.get("report").filter(|r| !r.is_null()) {
        names.push(r.get("path")?.as_str()?.to_string());
    }
    Some(names)
}

/// The page an ikou manifest records (`report`), if it records one.
fn report_name(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(v.get("report")?.get("path")?.as_str()?.to_string())
}

/// A name ikou may act on: one plain component inside `--out` (no `..`, no
/// directory, not absolute) and not one of its hidden files.
fn plain_name(name: &str) -> bool {
    let mut c = Path::new(name).components();
    matches!((c.next(), c.next()), (Some(Component::Normal(n)), None) if n == name)
        && !name.starts_with(RESERVED_PREFIX)
}

/// Makes renames and removals in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_acted_on() {
        for ok in ["a.csv", "report.html", "x y.csv"] {
            assert!(plain_name(ok), "{ok}");
        }
        for bad in [
            "",
            "..",
            ".",
            "/etc/passwd",
            "a/b.csv",
            "../a.csv",
            "./a.csv",
            ".ikou-lock",
            "a.csv/",
        ] {
            assert!(!plain_name(bad), "{bad}");
        }
    }

    #[test]
    fn manifest_names_reads_outputs_rejects_report() {
        let t = r#"{"outputs":[{"path":"a.csv"}],"rejects":[{"path":"a.rejects.csv"}],"report":{"path":"report.html"}}"#;
        assert_eq!(
            manifest_names(t).unwrap(),
            ["a.csv", "a.rejects.csv", "report.html"]
        );
        assert!(manifest_names("not json").is_none());
        assert!(manifest_names("{}").is_none());
    }
}
