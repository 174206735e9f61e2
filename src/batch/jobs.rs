//! JOBS.toml: the work list of `ikou batch`. Parsing ([`parse`]) is pure, so that
//! it can be fuzzed; paths are resolved against the JOBS file's directory, and
//! globs are expanded ([`Job::inputs`]) only when a job is about to be looked at,
//! so that a list written before the exports arrive still parses.
//!
//! ```toml
//! [defaults]                     # shared by every job; a job's own keys win
//! layout = "layouts/juki-kojin.toml"   # a path (relative to JOBS.toml) or a bundled name
//! encoding = "cp932"
//! gaiji = ["gaiji/vendor.tsv"]
//! out_root = "out"               # a job without `out` writes into out_root/<id>
//!
//! [[jobs]]
//! id = "mihon-juki"              # unique; letters, digits, - _ .
//! municipality = "見本市"
//! area = "住基"
//! inputs = ["exports/mihon/juki_*.csv"]
//! ```

use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{MapOptions, UnmappedPolicy, VariantPolicy};
use crate::mj::IvsPolicy;
use crate::split::SplitConfig;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// At most this many jobs in one file (a Slurm array is far smaller by default;
/// more is a generated file gone wrong).
pub const MAX_JOBS: usize = 100_000;
/// At most this many input entries (paths or globs) per job.
pub const MAX_INPUTS: usize = 10_000;
/// At most this many files one job's globs may expand to.
pub const MAX_FILES: usize = 100_000;
/// At most this many bytes of JOBS.toml (it is read whole).
pub const MAX_BYTES: u64 = 16 << 20;
/// Characters in an id, a municipality or a business area.
const MAX_NAME: usize = 200;

/// Declares a TOML table holding every job setting besides its own `fields`
/// (without `serde(flatten)`, which would lose `deny_unknown_fields` and the
/// position of an unknown key).
macro_rules! with_settings {
    ($(#[$m:meta])* struct $name:ident { $($field:ident: $ty:ty,)* }) => {
        $(#[$m])*
        struct $name {
            $($field: $ty,)*
            layout: Option<String>,
            encoding: Option<String>,
            gaiji: Option<Vec<String>>,
            charset_ext: Option<Vec<String>>,
            ivs: Option<IvsWord>,
            unmapped: Option<UnmappedWord>,
            variants: Option<VariantsWord>,
            nfc_safe: Option<bool>,
            charset: Option<CharsetWord>,
            rejects_excel: Option<bool>,
            allow_empty: Option<bool>,
            skip_encoding_check: Option<bool>,
            // Signed, so that a negative number gets the range message.
            chunk_bytes: Option<i64>,
            max_record_bytes: Option<i64>,
            /// Worker threads of each job's convert (never changes the output).
            threads: Option<i64>,
        }

        impl $name {
            fn settings(&self) -> Settings {
                Settings {
                    layout: self.layout.clone(),
                    encoding: self.encoding.clone(),
                    gaiji: self.gaiji.clone(),
                    charset_ext: self.charset_ext.clone(),
                    ivs: self.ivs,
                    unmapped: self.unmapped,
                    variants: self.variants,
                    nfc_safe: self.nfc_safe,
                    charset: self.charset,
                    rejects_excel: self.rejects_excel,
                    allow_empty: self.allow_empty,
                    skip_encoding_check: self.skip_encoding_check,
                    chunk_bytes: self.chunk_bytes,
                    max_record_bytes: self.max_record_bytes,
                    threads: self.threads,
                }
            }
        }
    };
}

/// The settings a job may take from `[defaults]` or set itself.
#[derive(Debug, Default, Clone)]
struct Settings {
    layout: Option<String>,
    encoding: Option<String>,
    gaiji: Option<Vec<String>>,
    charset_ext: Option<Vec<String>>,
    ivs: Option<IvsWord>,
    unmapped: Option<UnmappedWord>,
    variants: Option<VariantsWord>,
    nfc_safe: Option<bool>,
    charset: Option<CharsetWord>,
    rejects_excel: Option<bool>,
    allow_empty: Option<bool>,
    skip_encoding_check: Option<bool>,
    chunk_bytes: Option<i64>,
    max_record_bytes: Option<i64>,
    threads: Option<i64>,
}

impl Settings {
    /// `self` with the unset keys taken from `d`.
    fn or(self, d: &Settings) -> Settings {
        Settings {
            layout: self.layout.or_else(|| d.layout.clone()),
            encoding: self.encoding.or_else(|| d.encoding.clone()),
            gaiji: self.gaiji.or_else(|| d.gaiji.clone()),
            charset_ext: self.charset_ext.or_else(|| d.charset_ext.clone()),
            ivs: self.ivs.or(d.ivs),
            unmapped: self.unmapped.or(d.unmapped),
            variants: self.variants.or(d.variants),
            nfc_safe: self.nfc_safe.or(d.nfc_safe),
            charset: self.charset.or(d.charset),
            rejects_excel: self.rejects_excel.or(d.rejects_excel),
            allow_empty: self.allow_empty.or(d.allow_empty),
            skip_encoding_check: self.skip_encoding_check.or(d.skip_encoding_check),
            chunk_bytes: self.chunk_bytes.or(d.chunk_bytes),
            max_record_bytes: self.max_record_bytes.or(d.max_record_bytes),
            threads: self.threads.or(d.threads),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum IvsWord {
    Keep,
    Never,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum UnmappedWord {
    Reject,
    Geta,
    Fail,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum VariantsWord {
    Auto,
    Jis,
    Distinct,
    Cp932,
}

#[derive(Debug, Clone, Copy, Deserialize)]
enum CharsetWord {
    #[serde(rename = "mj+")]
    MjPlus,
    #[serde(rename = "jis2004")]
    Jis2004,
    #[serde(rename = "any")]
    Any,
}

with_settings! {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Defaults {
        out_root: Option<String>,
    }
}

with_settings! {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct JobToml {
        id: String,
        municipality: String,
        area: String,
        inputs: Vec<String>,
        out: Option<String>,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    defaults: Option<Spanned<Defaults>>,
    #[serde(default)]
    jobs: Vec<Spanned<JobToml>>,
}

/// One job as written, its settings merged with the defaults and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// Its position in the file (the array index, from 0).
    pub index: usize,
    /// The line of its `[[jobs]]` table (from 1), for messages.
    pub line: usize,
    pub id: String,
    pub municipality: String,
    pub area: String,
    /// Paths or globs, relative to the JOBS file's directory (or absolute).
    pub inputs: Vec<String>,
    /// Relative to the JOBS file's directory (or absolute).
    pub out: String,
    /// A path relative to the JOBS file's directory, or a bundled layout's name.
    pub layout: LayoutRef,
    pub encoding: Encoding,
    pub gaiji: Vec<String>,
    pub charset_ext: Vec<String>,
    pub map: MapWords,
    pub rejects_bom: bool,
    pub allow_empty: bool,
    pub skip_encoding_check: bool,
    pub chunk_bytes: usize,
    pub max_record: usize,
    /// Worker threads for this job's convert; None: shared out by `batch run`.
    pub threads: Option<usize>,
}

/// The layout of a job.
#[derive(Debug, Clone, PartialEq)]
pub enum LayoutRef {
    Path(String),
    Bundled(String),
}

/// The map-stage settings of a job (the extension tables are read when it runs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapWords {
    pub ivs: IvsPolicy,
    pub unmapped: UnmappedPolicy,
    pub variants: VariantPolicy,
    pub nfc_safe: bool,
    pub charset: crate::charset::CharsetKind,
}

impl MapWords {
    pub fn options(self) -> MapOptions {
        MapOptions {
            ivs: Some(self.ivs),
            unmapped: self.unmapped,
            variants: self.variants,
            nfc_safe: self.nfc_safe,
            charset: self.charset,
            ext: None,
        }
    }
}

/// A parsed JOBS file (nothing on disk looked at yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub jobs: Vec<JobSpec>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses JOBS.toml text. `origin` names it in messages. Err (exit 2): TOML
/// errors and unknown keys (with line and column), and every value out of range
/// (with the job's line and id).
pub fn parse(text: &str, origin: &str) -> Result<Spec, Error> {
    let file: FileToml = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(" (line {})", line_of(text, s.start)))
            .unwrap_or_default();
        Error::Config(format!(
            "{origin}{at}: {}; see `ikou batch run --help` for the keys a JOBS file may hold",
            e.message()
        ))
    })?;
    let (defaults, out_root) = match file.defaults {
        Some(d) => {
            let d = d.into_inner();
            (d.settings(), d.out_root)
        }
        None => (Settings::default(), None),
    };
    if file.jobs.is_empty() {
        return Err(Error::Config(format!(
            "{origin}: lists no jobs; add [[jobs]] tables (id, municipality, area, inputs)"
        )));
    }
    if file.jobs.len() > MAX_JOBS {
        return Err(Error::Config(format!(
            "{origin}: lists {} jobs, more than {MAX_JOBS}; split it into several files",
            file.jobs.len()
        )));
    }
    let mut jobs = Vec::with_capacity(file.jobs.len());
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut outs: HashMap<PathBuf, usize> = HashMap::new();
    for (index, j) in file.jobs.into_iter().enumerate() {
        let line = line_of(text, j.span().start);
        let j = j.into_inner();
        let at = |msg: String| Error::Config(format!("{origin} line {line}: {msg}"));
        check_id(&j.id).map_err(at)?;
        let at =
            |msg: String| Error::Config(format!("{origin} line {line} (job {:?}): {msg}", j.id));
        if let Some(first) = ids.insert(j.id.clone(), line) {
            return Err(at(format!(
                "the id is already used by the job on line {first}; ids must be unique"
            )));
        }
        check_name("municipality", &j.municipality).map_err(at)?;
        check_name("area", &j.area).map_err(at)?;
        if j.inputs.is_empty() {
            return Err(at(
                "inputs is empty; list the export files (paths or globs)".into(),
            ));
        }
        if j.inputs.len() > MAX_INPUTS {
            return Err(at(format!("more than {MAX_INPUTS} inputs; use globs")));
        }
        for i in &j.inputs {
            check_path("an input", i).map_err(at)?;
        }
        let out = match (&j.out, &out_root) {
            (Some(o), _) => o.clone(),
            (None, Some(root)) => format!("{}/{}", root.trim_end_matches('/'), j.id),
            (None, None) => {
                return Err(at(
                    "has no out directory: set `out` in the job or `out_root` in [defaults]".into(),
                ));
            }
        };
        check_path("out", &out).map_err(at)?;
        let key = normalise(Path::new(&out));
        if key.as_os_str().is_empty() {
            return Err(at(
                "out is the JOBS file's own directory; give each job a directory of its own".into(),
            ));
        }
        if let Some(first) = outs.insert(key, line) {
            return Err(at(format!(
                "out {out:?} is also the out directory of the job on line {first}; each job needs its own"
            )));
        }
        let s = j.settings().or(&defaults);
        let layout = match s.layout {
            None => {
                return Err(at(
                    "has no layout: set `layout` in the job or in [defaults]".into(),
                ));
            }
            Some(l) => {
                check_path("layout", &l).map_err(at)?;
                // A bundled layout is a bare name; anything path-like is a file.
                if l.contains('/') || l.contains('.') {
                    LayoutRef::Path(l)
                } else {
                    LayoutRef::Bundled(l)
                }
            }
        };
        let encoding = match s.encoding.as_deref() {
            None => Encoding::Cp932,
            Some(e) => Encoding::parse(e).ok_or_else(|| {
                let names: Vec<&str> = Encoding::ALL.iter().map(|e| e.name()).collect();
                at(format!(
                    "unknown encoding {e:?}; use one of {}",
                    names.join(", ")
                ))
            })?,
        };
        let gaiji = s.gaiji.unwrap_or_default();
        let charset_ext = s.charset_ext.unwrap_or_default();
        for g in gaiji.iter().chain(&charset_ext) {
            check_path("a table", g).map_err(at)?;
        }
        let chunk_bytes = ranged(
            "chunk_bytes",
            s.chunk_bytes,
            SplitConfig::DEFAULT_CHUNK_BYTES,
            SplitConfig::MAX_CHUNK_BYTES,
        )
        .map_err(at)?;
        let max_record = ranged(
            "max_record_bytes",
            s.max_record_bytes,
            SplitConfig::DEFAULT_MAX_RECORD,
            SplitConfig::MAX_RECORD,
        )
        .map_err(at)?;
        let threads = match s.threads {
            None => None,
            Some(n) => Some(
                ranged("threads", Some(n), 1, crate::parallel::Workers::MAX_JOBS).map_err(at)?,
            ),
        };
        jobs.push(JobSpec {
            index,
            line,
            id: j.id,
            municipality: j.municipality,
            area: j.area,
            inputs: j.inputs,
            out,
            layout,
            encoding,
            gaiji,
            charset_ext,
            map: MapWords {
                ivs: match s.ivs {
                    Some(IvsWord::Never) => IvsPolicy::Never,
                    _ => IvsPolicy::Keep,
                },
                unmapped: match s.unmapped {
                    Some(UnmappedWord::Geta) => UnmappedPolicy::Geta,
                    Some(UnmappedWord::Fail) => UnmappedPolicy::Fail,
                    _ => UnmappedPolicy::Reject,
                },
                variants: match s.variants {
                    Some(VariantsWord::Jis) => VariantPolicy::Jis,
                    Some(VariantsWord::Distinct) => VariantPolicy::Distinct,
                    Some(VariantsWord::Cp932) => VariantPolicy::Cp932,
                    _ => VariantPolicy::Auto,
                },
                nfc_safe: s.nfc_safe.unwrap_or(false),
                charset: match s.charset {
                    Some(CharsetWord::Jis2004) => crate::charset::CharsetKind::Jis2004,
                    Some(CharsetWord::Any) => crate::charset::CharsetKind::Any,
                    _ => crate::charset::CharsetKind::MjPlus,
                },
            },
            rejects_bom: s.rejects_excel.unwrap_or(false),
            allow_empty: s.allow_empty.unwrap_or(false),
            skip_encoding_check: s.skip_encoding_check.unwrap_or(false),
            chunk_bytes,
            max_record,
            threads,
        });
    }
    Ok(Spec { jobs })
}

/// `value` (or `default`) as a usize from 1 to `max`.
fn ranged(key: &str, value: Option<i64>, default: usize, max: usize) -> Result<usize, String> {
    let Some(v) = value else {
        return Ok(default);
    };
    usize::try_from(v)
        .ok()
        .filter(|v| (1..=max).contains(v))
        .ok_or_else(|| format!("{key} = {v} is out of range; use 1 to {max}"))
}

/// Ids name output directories and Slurm log files: letters (any script),
/// digits, `-`, `_` and `.`, not starting with `.`.
fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_NAME
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "id {id:?} is not usable: use 1 to {MAX_NAME} letters, digits, '-', '_' or '.', not starting with '.'"
        ))
    }
}

fn check_name(key: &str, v: &str) -> Result<(), String> {
    if v.trim().is_empty() || v.chars().count() > MAX_NAME || v.chars().any(char::is_control) {
        return Err(format!(
            "{key} {v:?} is not usable: give 1 to {MAX_NAME} characters, no control characters"
        ));
    }
    Ok(())
}

fn check_path(what: &str, p: &str) -> Result<(), String> {
    if p.is_empty() || p.contains('\0') || p.chars().any(char::is_control) {
        return Err(format!(
            "{what} {p:?} is not a usable path (empty, or holds control characters)"
        ));
    }
    Ok(())
}

/// `p` without `.` components and with `a/..` folded, lexically (for telling
/// out directories apart before they exist).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// A JOBS file read from disk: its jobs and the directory their paths are
/// relative to (absolute, so that every job names its files the same way
/// whatever directory `ikou` runs in).
#[derive(Debug, Clone)]
pub struct Batch {
    /// The JOBS file, absolute.
    pub path: PathBuf,
    /// Its directory, absolute.
    pub dir: PathBuf,
    pub jobs: Vec<JobSpec>,
}

/// Reads and parses a JOBS file. Err: exit 2 when it cannot be read or is not valid.
pub fn load(path: &Path) -> Result<Batch, Error> {
    let abs = std::path::absolute(path)
        .map_err(|e| Error::Config(format!("{}: cannot resolve the path: {e}", path.display())))?;
    let meta = std::fs::metadata(&abs).map_err(|e| {
        Error::Config(format!(
            "{}: cannot read the JOBS file: {e}; check the path",
            path.display()
        ))
    })?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Err(Error::Config(format!(
            "{}: not a JOBS file (a regular file of at most {MAX_BYTES} bytes)",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(&abs).map_err(|e| {
        Error::Config(format!(
            "{}: cannot read the JOBS file: {e} (it must be UTF-8 text)",
            path.display()
        ))
    })?;
    let spec = parse(&text, &path.display().to_string())?;
    let dir = abs
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::Config(format!("{}: has no directory", path.display())))?;
    Ok(Batch {
        path: abs,
        dir,
        jobs: spec.jobs,
    })
}

impl Batch {
    /// `p` relative to the JOBS file's directory (an absolute `p` as it is).
    pub fn resolve(&self, p: &str) -> PathBuf {
        normalise(&self.dir.join(p))
    }

    pub fn out_dir(&self, job: &JobSpec) -> PathBuf {
        self.resolve(&job.out)
    }

    /// The job's input files: each entry resolved, globs expanded (sorted), in
    /// the order listed. Err (exit 2): a glob matching nothing, or too many files.
    pub fn inputs(&self, job: &JobSpec) -> Result<Vec<PathBuf>, Error> {
        let mut files = Vec::new();
        for entry in &job.inputs {
            let path = self.resolve(entry);
            if !is_pattern(entry) {
                files.push(path);
                continue;
            }
            let found = expand(&path).map_err(|e| {
                Error::Config(format!(
                    "{} line {} (job {:?}): input {entry:?}: {e}",
                    self.path.display(),
                    job.line,
                    job.id
                ))
            })?;
            if found.is_empty() {
                return Err(Error::Config(format!(
                    "{} line {} (job {:?}): input {entry:?} matches no file; check the pattern and that the exports are in place",
                    self.path.display(),
                    job.line,
                    job.id
                )));
            }
            files.extend(found);
            if files.len() > MAX_FILES {
                return Err(Error::Config(format!(
                    "{} line {} (job {:?}): the inputs match more than {MAX_FILES} files; split the job",
                    self.path.display(),
                    job.line,
                    job.id
                )));
            }
        }
        Ok(files)
    }
}

fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The regular files matching `pattern` (absolute; `*`, `?` and `[…]` in any
/// component), sorted. Entries starting with `.` match only a component that
/// starts with `.`. Symbolic links are not followed: a link matched by a
/// wildcard is skipped, so a glob never leads outside the tree it names.
pub fn expand(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let mut fixed = PathBuf::new();
    let comps: Vec<Component> = pattern.components().collect();
    let mut i = 0;
    while i < comps.len() {
        let s = comps[i].as_os_str().to_string_lossy();
        if is_pattern(&s) {
            break;
        }
        fixed.push(comps[i]);
        i += 1;
    }
    let rest: Vec<String> = comps[i..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut out = Vec::new();
    walk(&fixed, &rest, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, rest: &[String], out: &mut Vec<PathBuf>) -> Result<(), String> {
    let Some((first, tail)) = rest.split_first() else {
        return Ok(());
    };
    if !is_pattern(first) {
        let p = dir.join(first);
        if tail.is_empty() {
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                out.push(p);
            }
            return Ok(());
        }
        return walk(&p, tail, out);
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read the directory {}: {e}", dir.display())),
    };
    let pat: Vec<char> = first.chars().collect();
    for entry in rd {
        let entry =
            entry.map_err(|e| format!("cannot read the directory {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && !first.starts_with('.') {
            continue;
        }
        let name_chars: Vec<char> = name.chars().collect();
        if !matches(&pat, &name_chars) {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if tail.is_empty() {
            if ft.is_file() {
                out.push(entry.path());
            }
        } else if ft.is_dir() {
            walk(&entry.path(), tail, out)?;
        }
        if out.len() > MAX_FILES {
            return Ok(());
        }
    }
    Ok(())
}

/// Shell-style matching of one name: `*` any run, `?` one character, `[abc]`,
/// `[a-z]`, `[!…]`. Iterative with one backtrack point, so linear-ish in the
/// name for any pattern (no exponential blow-up on `*a*a*a…`).
fn matches(pat: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pat.len() {
            match pat[p] {
                '*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                '?' => {
                    p += 1;
                    n += 1;
                    continue;
                }
                '[' => {
                    if let Some((hit, len)) = class(&pat[p..], name[n])
                        && hit
                    {
                        p += len;
                        n += 1;
                        continue;
                    } else if class(&pat[p..], name[n]).is_none() && name[n] == '[' {
                        // An unclosed `[` is a plain character.
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                c if c == name[n] => {
                    p += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == '*')
}

/// Whether `c` is in the class at the start of `pat` (`[…]`), and the class's
/// length; None when the `[` is not closed.
fn class(pat: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < pat.len() {
        let ch = pat[i];
        if ch == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if pat.get(i + 1) == Some(&'-') && pat.get(i + 2).is_some_and(|&e| e != ']') {
            let hi = pat[i + 2];
            hit |= ch <= c && c <= hi;
            i += 3;
        } else {
            hit |= ch == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str = r#"
[defaults]
layout = "juki-kojin"
out_root = "out"

[[jobs]]
id = "a-juki"
municipality = "見本市"
area = "住基"
inputs = ["a/*.csv"]

[[jobs]]
id = "b-juki"
municipality = "試験町"
area = "住基"
inputs = ["b.csv"]
encoding = "euc-jp"
"#;

    #[test]
    fn parses_defaults_and_jobs() {
        let s = parse(MIN, "JOBS.toml").unwrap();
        assert_eq!(s.jobs.len(), 2);
        assert_eq!(s.jobs[0].out, "out/a-juki");
        assert_eq!(s.jobs[0].layout, LayoutRef::Bundled("juki-kojin".into()));
        assert_eq!(s.jobs[0].encoding, Encoding::Cp932);
        assert_eq!(s.jobs[1].encoding, Encoding::EucJp);
        assert_eq!(s.jobs[1].line, 12);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let text = MIN.replace("encoding = \"euc-jp\"", "encodng = \"euc-jp\"");
        let e = parse(&text, "JOBS.toml").unwrap_err().to_string();
        assert!(e.contains("line 17"), "{e}");
        assert!(e.contains("encodng"), "{e}");
        let text = MIN.replace("out_root", "outroot");
        let e = parse(&text, "JOBS.toml").unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("outroot"), "{e}");
    }

    #[test]
    fn values_are_range_checked() {
        for (from, to, want) in [
            ("inputs = [\"b.csv\"]", "inputs = []", "inputs is empty"),
            ("id = \"b-juki\"", "id = \"a-juki\"", "already used"),
            ("id = \"b-juki\"", "id = \"../x\"", "not usable"),
            (
                "encoding = \"euc-jp\"",
                "encoding = \"latin1\"",
                "unknown encoding",
            ),
            ("encoding = \"euc-jp\"", "chunk_bytes = 0", "out of range"),
            ("encoding = \"euc-jp\"", "threads = 100000", "out of range"),
            (
                "encoding = \"euc-jp\"",
                "max_record_bytes = -1",
                "out of range",
            ),
            (
                "encoding = \"euc-jp\"",
                "out = \"out/./a-juki\"",
                "also the out directory",
            ),
            ("encoding = \"euc-jp\"", "out = \".\"", "own directory"),
            ("encoding = \"euc-jp\"", "ivs = \"sometimes\"", "line 17"),
            (
                "area = \"住基\"\ninputs = [\"b.csv\"]",
                "area = \"\"\ninputs = [\"b.csv\"]",
                "area",
            ),
        ] {
            let text = MIN.replace(from, to);
            let e = parse(&text, "JOBS.toml");
            assert!(e.is_err(), "{to}: accepted");
            let e = e.unwrap_err().to_string();
            assert!(e.contains(want), "{to}: {e}");
        }
    }

    #[test]
    fn no_jobs_or_no_layout_is_an_error() {
        assert!(parse("[defaults]\nlayout = \"x\"\n", "J").is_err());
        let e = parse(&MIN.replace("layout = \"juki-kojin\"\n", ""), "J")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no layout"), "{e}");
    }

    #[test]
    fn glob_matching() {
        let m = |p: &str, n: &str| {
            matches(
                &p.chars().collect::<Vec<_>>(),
                &n.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("*.csv", "juki.csv"));
        assert!(!m("*.csv", "juki.dat"));
        assert!(m("juki_??.csv", "juki_01.csv"));
        assert!(m("juki_[0-9]*.csv", "juki_7x.csv"));
        assert!(!m("juki_[!0-9]*.csv", "juki_7x.csv"));
        assert!(m("住基*", "住基_個人.csv"));
        assert!(m("a[b", "a[b"));
        assert!(!m(&"*a".repeat(30), &"a".repeat(29)));
    }

    #[test]
    fn glob_expansion_sorted_skips_links_and_hidden() {
        let d = tempfile::tempdir().unwrap();
        for n in ["b.csv", "a.csv", ".h.csv", "c.dat"] {
            std::fs::write(d.path().join(n), "x").unwrap();
        }
        std::os::unix::fs::symlink(d.path().join("a.csv"), d.path().join("l.csv")).unwrap();
        let got = expand(&d.path().join("*.csv")).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.csv", "b.csv"]);
    }

    /// The fuzz target's checks (fuzz/fuzz_targets/jobs_toml.rs) over byte-level
    /// mutations of the bundled JOBS file, so that every `cargo test` fuzzes a little.
    #[test]
    fn mutations_never_panic_and_keep_the_promises() {
        let base = include_bytes!("../../testdata/batch/JOBS.toml");
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"[]=\"\n#.,*?-_ajobsidutx0123456789\x00\xff";
        for _ in 0..3000 {
            let mut b = base.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[at] = alphabet[(next() as usize) % alphabet.len()],
                    1 => {
                        b.remove(at);
                    }
                    _ => b.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                }
            }
            let Ok(text) = std::str::from_utf8(&b) else {
                continue;
            };
            let Ok(spec) = parse(text, "m.toml") else {
                continue;
            };
            let mut ids = std::collections::HashSet::new();
            let mut outs = std::collections::HashSet::new();
            for (i, j) in spec.jobs.iter().enumerate() {
                assert_eq!(j.index, i);
                assert!(!j.id.is_empty() && !j.id.starts_with('.') && !j.id.contains('/'));
                assert!(ids.insert(j.id.clone()));
                assert!(outs.insert(normalise(Path::new(&j.out))));
                assert!(!j.inputs.is_empty() && j.chunk_bytes >= 1 && j.max_record >= 1);
            }
        }
    }
}
