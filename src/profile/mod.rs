//! `profile`: an inventory of legacy extracts before converting them, for the
//! 文字同定 (character identification) and cleansing work that starts months
//! before cut-over. Writes no data.
//!
//! It runs the stages of `convert` — split, decode, items, map ([`crate::gaiji`]),
//! cleanse, validate — over chunks of records on rayon workers, but keeps counts
//! instead of output:
//! - records per file (as `convert` counts them: no header, no blank lines), and
//!   how many `convert` would reject with the same layout and tables;
//! - every distinct 外字 (private-use code point after decoding) with its count,
//!   first record, key, and the MJ glyph when a table maps it (never one met in a
//!   `sensitive` item: those items are left out of the characters, so nothing of
//!   their values is listed; their defects are counted by item and reason only);
//! - every other character outside JIS X 0208, marked as JIS X 0213 or neither
//!   ([`charset`]), with what `convert` writes for it when that differs;
//! - defects per item and reason (what `convert` would reject a record for), each
//!   item judged on its own, so a record with two bad items counts for both;
//! - cleansing changes per item and rule, in the records `convert` would write
//!   (the same numbers as the manifest's `cleansing`).
//!
//! Chunks are merged in whatever order they finish; every "first record" is the
//! smallest, so the result does not depend on `--jobs` or timing.

pub mod charset;
mod scan;
mod text;

pub use text::MergedWorklist;

use crate::cleanse::{Cleanser, RuleCounts};
use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{MapEvents, MapOptions, Mapper, TableSource, UnmappedPolicy, code_points};
use crate::input;
use crate::layout::LoadedLayout;
use crate::manifest::{CleansingEntry, Tool};
use crate::mj;
use crate::output;
use crate::parallel::Workers;
use crate::split::{Framing, SplitConfig, StreamInfo};
use charset::JisSet;
use scan::{Counts, Scratch, Seen, Stages};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Everything `profile` needs besides the input paths.
pub struct ProfileOptions {
    pub layout: LoadedLayout,
    pub encoding: Encoding,
    /// Vendor 外字 tables, as for `convert`.
    pub gaiji: Vec<PathBuf>,
    /// `--ivs` (decides which mapped 外字 can be written); `unmapped` is ignored:
    /// an unmapped 外字 is counted as the defect `unmapped-gaiji`.
    pub map: MapOptions,
    /// Worker threads (≥ 1). Never changes the result.
    pub jobs: usize,
    pub chunk_bytes: usize,
    pub max_record: usize,
    /// Skip the check that each input looks like `encoding`.
    pub skip_encoding_check: bool,
}

impl ProfileOptions {
    pub fn new(layout: LoadedLayout) -> ProfileOptions {
        ProfileOptions {
            layout,
            encoding: Encoding::Cp932,
            gaiji: Vec::new(),
            map: MapOptions::default(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_bytes: SplitConfig::DEFAULT_CHUNK_BYTES,
            max_record: SplitConfig::DEFAULT_MAX_RECORD,
            skip_encoding_check: false,
        }
    }

    fn framing(&self) -> Framing {
        self.layout.layout.framing()
    }
}

/// The result of a profile (`--json` prints it as it is).
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub tool: Tool,
    /// The layout as given (`path` or `bundled:<name>`).
    pub layout: String,
    pub encoding: String,
    pub inputs: Vec<InputProfile>,
    /// The vendor 外字 tables read (path and SHA-256).
    pub tables: Vec<TableRef>,
    /// Data records over all inputs (not the header, not blank lines).
    pub records: u64,
    /// Records `convert` would reject with the same layout and tables.
    pub would_reject: u64,
    /// Every distinct 外字, by code point.
    pub gaiji: Vec<GaijiFound>,
    /// Every other character outside JIS X 0208, by code point.
    pub non_jis: Vec<CharFound>,
    /// Defects per item (null: the whole record) and reason.
    pub defects: Vec<DefectCount>,
    /// Cleansing changes per item and rule, in the records `convert` would write.
    pub changes: Vec<CleansingEntry>,
    /// Table findings that do not stop `convert` (e.g. a real character remapped).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputProfile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
    pub would_reject: u64,
    pub header_records: u64,
    pub blank_lines: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRef {
    pub path: String,
    pub sha256: String,
}

/// Where something was first met.
#[derive(Debug, Clone, Serialize)]
pub struct Where {
    pub count: u64,
    /// Index into `inputs`.
    pub file: usize,
    pub first_record: u64,
    /// The layout's key item in that record (never a sensitive item).
    pub first_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GaijiFound {
    /// The code point after decoding (`U+E000`).
    pub source: String,
    /// The bytes in the input encoding (`0xF040`), for encodings with a
    /// user-defined area.
    pub bytes: Option<String>,
    #[serde(flatten)]
    pub seen: Where,
    /// `mapped` (a table maps it and it can be written), `unmapped` (no table line),
    /// `unwritable` (a table maps it, but `--ivs never` has no JIS X 0213 form).
    pub status: &'static str,
    /// The MJ glyph a table maps it to; null when no table maps it (or the table
    /// gives explicit code points).
    pub mj: Option<String>,
    /// What `convert` writes for it, as code points.
    pub output: Option<String>,
    /// `path:line` of the table line.
    pub table: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CharFound {
    pub code: String,
    pub char: String,
    /// `jisx0213` (in JIS X 0213, not in JIS X 0208) or `none` (in neither).
    pub set: &'static str,
    #[serde(flatten)]
    pub seen: Where,
    /// What `convert` writes instead (compatibility ideographs, CP932 variants), as
    /// code points; null when it writes the character as it is.
    pub converted: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DefectCount {
    /// The item (null: the whole record, e.g. `item-count`).
    pub item: Option<String>,
    /// The reject reason code `convert` would give.
    pub reason: &'static str,
    /// The reason in Japanese.
    pub label: &'static str,
    #[serde(flatten)]
    pub seen: Where,
}

impl Profile {
    /// 0: nothing `convert` would reject and every 外字 mapped; 3: some records
    /// would be rejected or some 外字 are not mapped (as `convert`'s exit status).
    pub fn exit_code(&self) -> i32 {
        if self.would_reject > 0 || self.gaiji.iter().any(|g| g.status != "mapped") {
            3
        } else {
            0
        }
    }

    /// The JSON text: pretty, keys in a fixed order, ending with a newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The table printed on stdout.
    pub fn table(&self) -> String {
        text::table(self)
    }

    /// A vendor 外字 table skeleton: one line per unmapped 外字, target empty.
    pub fn worklist(&self) -> String {
        text::worklist(self)
    }

    /// `existing` (the text of a work list being filled in) with a line appended for
    /// each unmapped 外字 it does not list yet; every line of it kept verbatim.
    /// `encoding` gives the meaning of `0x` sources in it.
    pub fn merge_worklist(&self, existing: &str, encoding: Encoding) -> MergedWorklist {
        text::merge_worklist(self, existing, encoding)
    }
}

/// Profiles `inputs`.
pub fn profile(opts: &ProfileOptions, inputs: &[PathBuf]) -> Result<Profile, Error> {
    if inputs.is_empty() {
        return Err(Error::Usage("no input files given".into()));
    }
    // `-` is standard input, spooled (see [`input::StdinSpool`]); reported as `-`.
    let stdin = input::StdinSpool::for_inputs(inputs)?;
    let labels = inputs;
    let inputs = &input::StdinSpool::resolve(stdin.as_ref(), inputs)[..];
    if opts.jobs == 0 {
        return Err(Error::Usage("--jobs must be at least 1".into()));
    }
    for (path, label) in inputs.iter().zip(labels) {
        let checked = input::check(path, opts.encoding, &opts.layout.layout, true);
        if !opts.skip_encoding_check {
            checked.map_err(|e| e.shown_as(path, label))?;
        }
    }
    let mapper = mapper(opts)?;
    let layout = &opts.layout.layout;
    let cleanser = Cleanser::new(layout)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    layout
        .check_encoding(opts.encoding)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    let stages = Stages {
        layout,
        encoding: opts.encoding,
        mapper: &mapper,
        cleanser: &cleanser,
        key: layout.key_field().filter(|&k| !layout.fields[k].sensitive),
        any_sensitive: layout.fields.iter().any(|f| f.sensitive),
    };
    let workers = Workers::new(opts.jobs)?;
    let mut files = Vec::new();
    for (path, label) in inputs.iter().zip(labels) {
        files.push(scan_file(opts, &workers, &stages, path).map_err(|e| e.shown_as(path, label))?);
    }
    Ok(assemble(opts, &mapper, labels, files))
}

fn mapper(opts: &ProfileOptions) -> Result<Mapper, Error> {
    let sources = TableSource::read_all(&opts.gaiji)?;
    let map = MapOptions {
        unmapped: UnmappedPolicy::Reject,
        ..opts.map
    };
    Mapper::new(&sources, opts.encoding, map).map_err(|e| Error::Config(e.to_string()))
}

/// Reads one file: the workers count its chunks, this thread adds the counts up.
fn scan_file(
    opts: &ProfileOptions,
    workers: &Workers,
    stages: &Stages,
    path: &Path,
) -> Result<(StreamInfo, Counts), Error> {
    let cfg = SplitConfig::new(
        opts.framing(),
        opts.encoding,
        opts.chunk_bytes,
        opts.max_record,
    )?;
    let header = stages.layout.header;
    let mut total = Counts::default();
    let info = workers.run_file(
        path,
        cfg,
        |chunk| scan::chunk(stages, header, chunk, &mut Scratch::default()),
        |counts| {
            total.merge(counts);
            Ok(())
        },
    )?;
    Ok((info, total))
}

/// Every character one of the files counted in `pick`, in code point order, with
/// where it was first met over the files and its total count.
fn chars_over_files(
    files: &[(StreamInfo, Counts)],
    pick: impl Fn(&Counts) -> &std::collections::HashMap<char, Seen>,
) -> Vec<(char, Where)> {
    let mut chars: Vec<char> = files
        .iter()
        .flat_map(|f| pick(&f.1).keys().copied())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
        .into_iter()
        .filter_map(|c| {
            let seen = over_files(
                files
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| pick(&f.1).get(&c).map(|s| (i, s))),
            )?;
            Some((c, seen))
        })
        .collect()
}

/// Where `seen` was first met over the files (in input order), with the total count.
fn over_files<'a>(files: impl Iterator<Item = (usize, &'a Seen)>) -> Option<Where> {
    let mut w: Option<Where> = None;
    for (file, s) in files.filter(|(_, s)| s.count > 0) {
        match &mut w {
            Some(w) => w.count += s.count,
            None => {
                w = Some(Where {
                    count: s.count,
                    file,
                    first_record: s.first_record,
                    first_key: s.first_key.clone(),
                })
            }
        }
    }
    w
}

fn assemble(
    opts: &ProfileOptions,
    mapper: &Mapper,
    paths: &[PathBuf],
    files: Vec<(StreamInfo, Counts)>,
) -> Profile {
    let layout = &opts.layout.layout;
    let inputs: Vec<InputProfile> = paths
        .iter()
        .zip(&files)
        .map(|(p, (info, c))| InputProfile {
            path: p.to_string_lossy().into_owned(),
            sha256: output::hex(&info.sha256),
            bytes: info.bytes,
            records: c.records,
            would_reject: c.rejected,
            header_records: c.header,
            blank_lines: c.blank,
        })
        .collect();

    let gaiji = chars_over_files(&files, |c| &c.gaiji)
        .into_iter()
        .map(|(c, seen)| {
            let m = mapper.table_mapping(c);
            let (status, output) = match m {
                None => ("unmapped", None),
                Some(m) if m.unwritable.is_some() => ("unwritable", None),
                Some(m) => ("mapped", Some(code_points(&m.output))),
            };
            GaijiFound {
                source: mj::u_plus(c),
                bytes: source_bytes(opts.encoding, c),
                seen,
                status,
                mj: m.and_then(|m| m.mj).map(mj::mj_name),
                output,
                table: m.and_then(|m| m.origin.clone()),
            }
        })
        .collect();

    let non_jis = chars_over_files(&files, |c| &c.other)
        .into_iter()
        .map(|(c, seen)| {
            let s = c.to_string();
            let mut out = String::new();
            let converted = (mapper.needs_work(&s)
                && mapper.map(&s, &mut out, &mut MapEvents::default()).is_ok()
                && out != s)
                .then(|| code_points(&out));
            CharFound {
                code: mj::u_plus(c),
                char: s,
                set: if charset::class(c) == JisSet::X0213 {
                    "jisx0213"
                } else {
                    "none"
                },
                seen,
                converted,
            }
        })
        .collect();

    // Whole-record defects first, then items in layout order; reasons by name.
    let mut keys: Vec<scan::DefectKey> = files
        .iter()
        .flat_map(|f| f.1.defects.keys().copied())
        .collect();
    keys.sort_unstable_by_key(|&(item, reason)| (item.map_or(0, |i| i + 1), reason));
    keys.dedup();
    let defects = keys
        .into_iter()
        .filter_map(|k| {
            let seen = over_files(
                files
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| f.1.defects.get(&k).map(|s| (i, s))),
            )?;
            Some(DefectCount {
                item: k.0.map(|i| layout.fields[i].name.clone()),
                reason: k.1,
                label: crate::report::reason_label(k.1),
                seen,
            })
        })
        .collect();

    let mut rules = vec![RuleCounts::new(); layout.fields.len()];
    for (_, c) in &files {
        for (mine, theirs) in rules.iter_mut().zip(&c.rules) {
            mine.merge(theirs);
        }
    }
    let changes = rules
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.iter().map(move |(rule, count)| CleansingEntry {
                item: layout.fields[i].name.clone(),
                rule: rule.id().into(),
                label: rule.label_ja().into(),
                count,
            })
        })
        .collect();

    Profile {
        tool: Tool::this(),
        layout: opts.layout.origin.clone(),
        encoding: opts.encoding.name().into(),
        records: inputs.iter().map(|i| i.records).sum(),
        would_reject: inputs.iter().map(|i| i.would_reject).sum(),
        inputs,
        tables: mapper
            .tables()
            .iter()
            .map(|t| TableRef {
                path: t.path.clone(),
                sha256: t.sha256.clone(),
            })
            .collect(),
        gaiji,
        non_jis,
        defects,
        changes,
        warnings: mapper.warnings().iter().map(ToString::to_string).collect(),
    }
}

/// The bytes of a decoded 外字 in the input encoding (`0xF040`), for the encodings
/// with a user-defined area: CP932/Shift_JIS rows 0xF0–0xF9 (U+E000–U+E757) and
/// eucJP-ms rows 85–94 of G1 (U+E000–U+E3AB) and G3 (U+E3AC–U+E757).
pub fn source_bytes(enc: Encoding, c: char) -> Option<String> {
    let cp = c as u32;
    let bytes: Vec<u32> = match enc {
        Encoding::Cp932 | Encoding::ShiftJis if (0xE000..=0xE757).contains(&cp) => {
            let i = cp - 0xE000;
            let t = i % 188;
            vec![0xF0 + i / 188, if t < 0x3F { 0x40 + t } else { 0x41 + t }]
        }
        Encoding::EucJpMs if (0xE000..=0xE3AB).contains(&cp) => {
            let i = cp - 0xE000;
            vec![0xF5 + i / 94, 0xA1 + i % 94]
        }
        Encoding::EucJpMs if (0xE3AC..=0xE757).contains(&cp) => {
            let i = cp - 0xE3AC;
            vec![0x8F, 0xF5 + i / 94, 0xA1 + i % 94]
        }
        _ => return None,
    };
    let bytes: Vec<u8> = bytes
        .into_iter()
        .map(u8::try_from)
        .collect::<Result<_, _>>()
        .ok()?;
    Some(format!(
        "0x{}",
        crate::output::hex(&bytes).to_ascii_uppercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_bytes_decode_back_to_the_code_point() {
        for enc in [Encoding::Cp932, Encoding::ShiftJis, Encoding::EucJpMs] {
            for cp in 0xE000..=0xE757u32 {
                let c = char::from_u32(cp).unwrap();
                let hex = source_bytes(enc, c).unwrap();
                let raw: Vec<u8> = (2..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect();
                let mut out = String::new();
                crate::decode::decode(enc, &raw, &mut out).unwrap();
                assert_eq!(out, c.to_string(), "{enc} {hex}");
            }
        }
        assert_eq!(
            source_bytes(Encoding::Cp932, '\u{E000}').as_deref(),
            Some("0xF040")
        );
        assert_eq!(source_bytes(Encoding::Cp932, '\u{E758}'), None);
        assert_eq!(source_bytes(Encoding::Utf8, '\u{E000}'), None);
        assert_eq!(source_bytes(Encoding::EucJp, '\u{E000}'), None);
    }
}
