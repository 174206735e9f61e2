//! `profile`: an inventory of legacy extracts before converting them, for the
//! 文字同定 (character identification) and cleansing work that starts months
//! before cut-over. Writes no data.
//!
//! It runs the stages of `convert` — split, decode, items, map ([`crate::gaiji`]),
//! cleanse, validate — over chunks of records on rayon workers, but keeps counts
//! instead of output:
//! - records per file (as `convert` counts them: no header, no blank lines), and
//!   how many `convert` would reject with the same layout and tables. With record
//!   types (`[[records]]`) each record is classified as `convert` classifies it
//!   ([`crate::records`]) and a data record read with its type's items; header
//!   and trailer records are counted apart (`control_records`), their items not
//!   profiled (the trailer's `count_of` / `sum_of` checks are `convert`'s);
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
//! Files are read several at once ([`Workers::read_files`]) and their chunks on
//! the workers; chunks are merged in input order and files kept apart until they
//! are assembled in input order, so the result does not depend on `--jobs` or
//! timing.

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
use crate::layout::RecordKind;
use crate::manifest::{CleansingEntry, Tool};
use crate::mj;
use crate::output;
use crate::parallel::Workers;
use crate::record::RecordProcessor;
use crate::records::RecordTypes;
use crate::split::{Framing, SplitConfig, StreamInfo};
use charset::JisSet;
use scan::{Counts, Scratch, Seen, Stages, Typed};
use serde::Serialize;
use std::path::PathBuf;

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
    // --- MJ+ (--charset) ---
    /// `--charset` (`mj+`, `jis2004`, `any`).
    pub charset: &'static str,
    /// Characters (or sequences) outside `--charset` in text and kana items, per
    /// item (never a `sensitive` item's: those are counted as defects only).
    pub nonstandard: Vec<NonstandardFound>,
}

/// A character outside `--charset`, in one item.
#[derive(Debug, Clone, Serialize)]
pub struct NonstandardFound {
    pub item: String,
    /// `U+1F600`, `U+845B U+E01EF`.
    pub code: String,
    pub char: String,
    #[serde(flatten)]
    pub seen: Where,
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
    /// Header and trailer records of a layout with record types (`[[records]]`),
    /// which convert checks and never writes; not in `records`.
    #[serde(skip_serializing_if = "is_zero")]
    pub control_records: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
    let layout = &opts.layout.layout;
    let config = |e: String| Error::Config(format!("layout {}: {e}", opts.layout.origin));
    // With record types, each type is read with its items as convert reads it
    // (src/records); the layout's `fields` are then the data types' items.
    let (owned, base, types);
    let mapper = if layout.records.is_empty() {
        owned = mapper(opts)?;
        types = None;
        &owned
    } else {
        let flat = crate::layout::Layout {
            records: Vec::new(),
            ..layout.clone()
        };
        base = RecordProcessor::new(flat, opts.encoding, mapper(opts)?).map_err(config)?;
        types = RecordTypes::new(layout, &base).map_err(config)?;
        base.mapper()
    };
    let cleanser = Cleanser::new(layout).map_err(|e| config(e.to_string()))?;
    layout
        .check_encoding(opts.encoding)
        .map_err(|e| Error::Config(format!("layout {}: {e}", opts.layout.origin)))?;
    let stages = Stages {
        layout,
        encoding: opts.encoding,
        mapper,
        cleanser: &cleanser,
        key: layout.key_field().filter(|&k| !layout.fields[k].sensitive),
        any_sensitive: layout.fields.iter().any(|f| f.sensitive),
        to_union: None,
    };
    let type_cleansers = match &types {
        Some(rt) => rt
            .types
            .iter()
            .map(|t| Cleanser::new(t.processor.layout()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| config(format!("record type: {e}")))?,
        None => Vec::new(),
    };
    let typed = types.as_ref().map(|rt| Typed {
        types: rt,
        data: rt
            .types
            .iter()
            .zip(&type_cleansers)
            .map(|(t, cleanser)| {
                let l = t.processor.layout();
                (t.kind == RecordKind::Data).then(|| Stages {
                    layout: l,
                    cleanser,
                    key: l.key_field().filter(|&k| !l.fields[k].sensitive),
                    any_sensitive: l.fields.iter().any(|f| f.sensitive),
                    to_union: Some(&t.to_union),
                    ..stages
                })
            })
            .collect(),
    });
    let workers = Workers::new(opts.jobs)?;
    // Several files at once, through the shared workers: each file is counted on
    // its own and the counts come back in input order, so the profile is the one
    // a run one file after another gives (and so is the error it stops with).
    let cfg = SplitConfig::new(
        opts.framing(),
        opts.encoding,
        opts.chunk_bytes,
        opts.max_record,
    )?;
    let header = stages.layout.header;
    let files = workers.read_files(
        inputs,
        cfg,
        |chunk| {
            scan::chunk(
                &stages,
                typed.as_ref(),
                header,
                chunk,
                &mut Scratch::default(),
            )
        },
        |i, feed| {
            let mut total = Counts::default();
            let info = feed
                .consume(|counts| {
                    total.merge(counts);
                    Ok(())
                })
                .map_err(|e| e.shown_as(&inputs[i], &labels[i]))?;
            Ok((info, total))
        },
    )?;
    Ok(assemble(opts, mapper, labels, files))
}

fn mapper(opts: &ProfileOptions) -> Result<Mapper, Error> {
    let sources = TableSource::read_all(&opts.gaiji)?;
    let map = MapOptions {
        unmapped: UnmappedPolicy::Reject,
        ..opts.map
    };
    Mapper::new(&sources, opts.encoding, map).map_err(|e| Error::Config(e.to_string()))
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
            control_records: c.control,
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
        charset: opts.map.charset.id(),
        nonstandard: nonstandard_over_files(layout, &files),
    }
}

/// The units outside `--charset`, by item (layout order) and unit, over the files.
fn nonstandard_over_files(
    layout: &crate::layout::Layout,
    files: &[(StreamInfo, Counts)],
) -> Vec<NonstandardFound> {
    let mut keys: Vec<(usize, crate::charset::Unit)> = files
        .iter()
        .flat_map(|f| f.1.nonstandard.keys().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let seen = over_files(
                files
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| f.1.nonstandard.get(&k).map(|s| (i, s))),
            )?;
            Some(NonstandardFound {
                item: layout.fields.get(k.0).map(|f| f.name.clone())?,
                code: k.1.codes(),
                char: k.1.to_string(),
                seen,
            })
        })
        .collect()
}

/// The bytes of a decoded 外字 in the input encoding (`0xF040`), for the encodings
/// with a user-defined area: CP932/Shift_JIS rows 0xF0–0xF9 (U+E000–U+E757) and
/// eucJP-ms rows 85–94 of G1 (U+E000–U+E3AB) and G3 (U+E3AC–U+E757). For the
/// mainframe encodings it is the double-byte code without shift bytes (`0x6941`),
/// the form a 外字 table takes: IBM rows 0x69–0x7F (and 0x80–0x89BD in IBM1390/1399),
/// JEF 0x80A1–0xA0FE, KEIS 0x81A1–0xA0FE, JIPS G0 0x7421–0x7E7E and G1 0xE0A1–0xFEFE
/// (for JIPS(E) written as JIPS(E) bytes, as they are in the data).
pub fn source_bytes(enc: Encoding, c: char) -> Option<String> {
    let cp = c as u32;
    // Cell `i` of a user-defined area of 94-cell rows starting at row `first`, cell `cell0`.
    let rows94 = |i: u32, first: u32, cell0: u32| vec![first + i / 94, cell0 + i % 94];
    let bytes: Vec<u32> = match enc {
        Encoding::Cp932 | Encoding::ShiftJis if (0xE000..=0xE757).contains(&cp) => {
            let i = cp - 0xE000;
            let t = i % 188;
            vec![0xF0 + i / 188, if t < 0x3F { 0x40 + t } else { 0x41 + t }]
        }
        Encoding::EucJpMs if (0xE000..=0xE3AB).contains(&cp) => rows94(cp - 0xE000, 0xF5, 0xA1),
        Encoding::EucJpMs if (0xE3AC..=0xE757).contains(&cp) => {
            let i = cp - 0xE3AC;
            vec![0x8F, 0xF5 + i / 94, 0xA1 + i % 94]
        }
        Encoding::Ibm930 | Encoding::Ibm939 | Encoding::Ibm1390 | Encoding::Ibm1399 => {
            let [b1, b2] = crate::decode::ibm_code_of_pua(enc, c)?.to_be_bytes();
            vec![b1.into(), b2.into()]
        }
        // JEF/KEIS/JIPS: the decoders' user-defined areas read backwards, and
        // the internal U+F0000 + code of codes without a faithful form.
        _ => match crate::decode::mainframe::code_of(enc, c) {
            Some(code) => {
                let [b1, b2] = code.to_be_bytes();
                vec![b1.into(), b2.into()]
            }
            None => return None,
        },
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

    fn hex_of(enc: Encoding, cp: u32) -> Option<String> {
        source_bytes(enc, char::from_u32(cp).unwrap())
    }

    /// The double-byte code of `i`-th cell of an area of 94-cell rows.
    fn cell94(i: u32, first_row: u32, first_cell: u32) -> String {
        format!("0x{:02X}{:02X}", first_row + i / 94, first_cell + i % 94)
    }

    #[test]
    fn ibm_user_defined_codes_decode_back_and_carry_no_shifts() {
        for enc in [
            Encoding::Ibm930,
            Encoding::Ibm939,
            Encoding::Ibm1390,
            Encoding::Ibm1399,
        ] {
            assert_eq!(hex_of(enc, 0xE000).as_deref(), Some("0x6941"), "{enc}");
            assert_eq!(hex_of(enc, 0xE0BE).as_deref(), Some("0x6A41"), "{enc}");
            assert_eq!(hex_of(enc, 0xF111).as_deref(), Some("0x7FFE"), "{enc}");
            assert_eq!(hex_of(enc, 0xD7FF), None);
            let last = if matches!(enc, Encoding::Ibm1390 | Encoding::Ibm1399) {
                0xF83C
            } else {
                0xF111
            };
            assert_eq!(hex_of(enc, last + 1), None, "{enc}");
            for cp in 0xE000..=last {
                // The formula of the brief: U+E000 + (row − 0x69) × 190 + (cell − 0x41).
                let i = cp - 0xE000;
                let want = format!("0x{:02X}{:02X}", 0x69 + i / 190, 0x41 + i % 190);
                let hex = hex_of(enc, cp).unwrap();
                assert_eq!(hex, want);
                let code = u16::from_str_radix(&hex[2..], 16).unwrap();
                let mut raw = vec![0x0E];
                raw.extend(code.to_be_bytes());
                raw.push(0x0F);
                let mut out = String::new();
                crate::decode::decode(enc, &raw, &mut out).unwrap();
                assert_eq!(out, char::from_u32(cp).unwrap().to_string(), "{enc} {hex}");
            }
        }
    }

    #[test]
    fn every_mainframe_gaiji_code_reads_back_as_a_table_source() {
        // What profile prints in its bytes column is what a 外字 table line takes.
        use crate::gaiji::table::parse_source;
        for enc in Encoding::ALL.into_iter().filter(|e| e.shifts().is_some()) {
            let mut n = 0;
            for cp in 0xE000..=0xF8FFu32 {
                let c = char::from_u32(cp).unwrap();
                if let Some(hex) = source_bytes(enc, c) {
                    assert_eq!(parse_source(&hex, enc), Ok(c), "{enc} {hex}");
                    n += 1;
                }
            }
            assert!(n > 2000, "{enc}: {n}");
            // The codes the encoding's table names by a built-in MJ glyph.
            for &(c, _) in crate::decode::mainframe::builtin_mappings(enc) {
                let hex = source_bytes(enc, c);
                assert!(hex.is_some(), "{enc} U+{:X}", c as u32);
                assert_eq!(parse_source(hex.as_deref().unwrap_or(""), enc), Ok(c));
            }
        }
    }

    #[test]
    fn jef_keis_jips_user_defined_codes_by_their_formulas() {
        for enc in [Encoding::JefEbcdic, Encoding::JefEbcdik, Encoding::JefAscii] {
            for i in 0..3102 {
                assert_eq!(hex_of(enc, 0xE000 + i), Some(cell94(i, 0x80, 0xA1)));
            }
            assert_eq!(hex_of(enc, 0xE000).as_deref(), Some("0x80A1"));
            assert_eq!(hex_of(enc, 0xEC1D).as_deref(), Some("0xA0FE"));
            assert_eq!(hex_of(enc, 0xEC1E), None);
        }
        for enc in [
            Encoding::KeisEbcdic,
            Encoding::KeisEbcdik,
            Encoding::Keis78Ebcdic,
            Encoding::Keis78Ebcdik,
        ] {
            for i in 0..3008 {
                assert_eq!(hex_of(enc, 0xE000 + i), Some(cell94(i, 0x81, 0xA1)));
            }
            assert_eq!(hex_of(enc, 0xE000).as_deref(), Some("0x81A1"));
            assert_eq!(hex_of(enc, 0xEBBF).as_deref(), Some("0xA0FE"));
            assert_eq!(hex_of(enc, 0xEBC0), None);
        }
        for i in 0..11 * 94 {
            assert_eq!(
                hex_of(Encoding::JipsJ, 0xE000 + i),
                Some(cell94(i, 0x74, 0x21))
            );
        }
        for i in 0..31 * 94 {
            assert_eq!(
                hex_of(Encoding::JipsJ, 0xE40A + i),
                Some(cell94(i, 0xE0, 0xA1))
            );
        }
        assert_eq!(hex_of(Encoding::JipsJ, 0xE000).as_deref(), Some("0x7421"));
        assert_eq!(hex_of(Encoding::JipsJ, 0xE409).as_deref(), Some("0x7E7E"));
        assert_eq!(hex_of(Encoding::JipsJ, 0xE40A).as_deref(), Some("0xE0A1"));
        assert_eq!(hex_of(Encoding::JipsJ, 0xEF6B).as_deref(), Some("0xFEFE"));
        assert_eq!(hex_of(Encoding::JipsJ, 0xEF6C), None);
        // JIPS(E) writes the same codes byte by byte in EBCDIK: 0x74 → 0xA3,
        // 0x21 → 0x4F; 0xE0 → 0xB8, 0xA1 → 0x42; 0x7E → 0xA1, 0xFE → 0xFE.
        assert_eq!(hex_of(Encoding::JipsE, 0xE000).as_deref(), Some("0xA34F"));
        assert_eq!(hex_of(Encoding::JipsE, 0xE409).as_deref(), Some("0xA1A1"));
        assert_eq!(hex_of(Encoding::JipsE, 0xE40A).as_deref(), Some("0xB842"));
        assert_eq!(hex_of(Encoding::JipsE, 0xEF6B).as_deref(), Some("0xFEFE"));
        assert_eq!(hex_of(Encoding::JipsE, 0xEF6C), None);
        assert_eq!(hex_of(Encoding::Utf16Le, 0xE000), None);
    }

    /// The JIPS(E) byte table here is NEC's, as jef4j publishes it.
    #[test]
    fn jips_e_bytes_are_the_jef4j_table() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/mainframe/nec_jis8_ebcdik_mapping.json"
        );
        let text = std::fs::read_to_string(path).expect("../shared/mainframe is present");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let byte = |v: &serde_json::Value| u32::from_str_radix(v.as_str().unwrap(), 16).unwrap();
        let mut checked = 0;
        for r in &rows {
            let (j, e) = (byte(&r["jis8"]), byte(&r["ebcdik"]));
            if (0x21..=0x7E).contains(&j) || (0xA1..=0xFE).contains(&j) {
                assert_eq!(
                    u32::from(crate::decode::mainframe::jips_j_to_e(j as u8)),
                    e,
                    "{j:02X}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 188);
    }
}
