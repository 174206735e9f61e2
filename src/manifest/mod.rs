//! manifest.json: the evidence of a run — hashes of every file read and written,
//! the tables used, and the counts — and [`verify`], which re-checks a run.
//!
//! The manifest holds no time stamp and nothing that depends on `--jobs`, so the
//! same inputs and tables give the same bytes.

mod verify;

pub use verify::{VerifyError, VerifyReport, verify};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: Tool,
    /// The options that shape the output (not `--jobs`, which never does).
    pub options: Options,
    pub inputs: Vec<InputEntry>,
    pub outputs: Vec<FileEntry>,
    pub rejects: Vec<FileEntry>,
    /// report.html (records: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<FileEntry>,
    pub tables: Vec<TableEntry>,
    pub counts: Counts,
    #[serde(default)]
    pub gaiji: Vec<GaijiEntry>,
    #[serde(default)]
    pub unmapped: Vec<UnmappedEntry>,
    /// Compatibility ideographs written as their MJ glyph.
    #[serde(default)]
    pub compat: Vec<MappedEntry>,
    /// CP932/JIS variants written in the `--variants` form.
    #[serde(default)]
    pub variants: Vec<MappedEntry>,
    /// Reject reasons over all files.
    #[serde(default)]
    pub reject_reasons: Vec<ReasonEntry>,
    /// Cleansing changes in written records over all files, per item and rule.
    #[serde(default)]
    pub cleansing: Vec<CleansingEntry>,
    // ---- dates ----
    /// Dates written under `date_policy = "keep"` that are not in the calendar
    /// or are 不詳, per item and reason, in layout order. Never a value.
    /// Absent when there are none (the manifest of a run without them is as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_dates: Vec<KeptDateEntry>,
    // ---- end dates ----
    // --- MJ+ (--charset) ---
    /// Characters outside `--charset` met in text and kana items, per item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nonstandard: Vec<NonstandardEntry>,
    /// Layouts with record types: the records of each type over all files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_types: Vec<RecordTypeEntry>,
    /// Header and trailer items (`count_of`, `sum_of`) compared with the data read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailer_checks: Vec<TrailerCheckEntry>,
    /// A missing, repeated, unreadable or misplaced header or trailer, data after
    /// the trailer: each with its record number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_findings: Vec<RecordFindingEntry>,
    /// `convert --to`: the codes converted by the target's code tables, per
    /// target item and (old, new) pair, in written records. Absent without --to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_conversions: Vec<CodeConversionEntry>,
    // --- reconcile ---
    /// `ikou reconcile`: the files compared, old side first (absent for convert).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compared: Vec<ComparedInput>,
}

/// A file `ikou reconcile` read, as it was read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparedInput {
    /// `old` or `new`.
    pub side: String,
    /// As given on the command line.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Data records (not a header or blank lines), the unreadable ones included.
    pub records: u64,
    pub unreadable: u64,
}

/// The records of one record type (or, with `type` null and kind `unknown`,
/// those of no type: rejected). Data and unknown: `read = written + rejected`;
/// header and trailer records are read and checked, never written, and not in
/// `counts.read`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordTypeEntry {
    #[serde(rename = "type")]
    pub of_type: Option<String>,
    /// `header`, `data`, `trailer` or `unknown`.
    pub kind: String,
    pub read: u64,
    pub written: u64,
    pub rejected: u64,
    /// The output the type's records are written to (data types of an input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// One header or trailer item compared with the data records read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrailerCheckEntry {
    /// Index into `inputs`.
    pub file: usize,
    /// The header or trailer type, and its record number.
    #[serde(rename = "type")]
    pub of_type: String,
    pub record: u64,
    pub item: String,
    /// `count` or `sum`.
    pub kind: String,
    /// The value in the header or trailer (exact decimal text).
    pub expected: String,
    /// Counted or summed (exactly) over the data records read.
    pub actual: String,
    /// Data records whose item could not be read as a number (not summed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_summed: u64,
    pub ok: bool,
}

/// A header/trailer finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordFindingEntry {
    pub file: usize,
    /// Null for a missing header or trailer.
    pub record: Option<u64>,
    pub code: String,
    #[serde(rename = "type")]
    pub of_type: String,
    pub message: String,
}

/// One code pair of a target item's code table, and how many written records
/// it converted; or (`kept`) a value without a line written as it was under
/// `unmapped = "keep"`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CodeConversionEntry {
    pub item: String,
    /// The code table (as the target layout resolves it).
    pub table: String,
    /// The table line (1-based; 0 for a kept value).
    pub line: usize,
    /// null for the kept values of a `sensitive` item (only counted).
    pub old: Option<String>,
    pub new: Option<String>,
    pub count: u64,
    #[serde(default)]
    pub kept: bool,
    /// With `kept`: the records that kept a value past the first
    /// [`crate::target::apply::MAX_KEPT_LISTED`] listed (old and new null).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

/// A character (or sequence) outside `--charset`, in one item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NonstandardEntry {
    pub item: String,
    /// `U+1F600`, `U+845B U+E01EF`; null for a `sensitive` item (only counted).
    pub chars: Option<String>,
    /// The characters themselves (null for a `sensitive` item).
    pub text: Option<String>,
    /// Occurrences (in written and rejected records alike).
    pub count: u64,
    /// The first record it was met in (null for a `sensitive` item).
    pub first_record: Option<RecordRef>,
    /// `reject` (its records were rejected) or `geta` (〓 was written).
    pub action: String,
}

// ---- dates ----
/// Dates of one item kept under `date_policy = "keep"` for one reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeptDateEntry {
    pub item: String,
    /// `nonexistent-date` (2月30日, 2月29日 of a common year) or `unknown-date`
    /// (年月日不詳, month or day 00, 頃).
    pub reason: String,
    /// The reason in Japanese.
    pub label: String,
    pub count: u64,
    /// The first record it was met in (in input `file`).
    pub first_record: RecordRef,
}

/// The kept dates of a run's files (in input order), for [`Manifest::kept_dates`].
pub fn kept_dates<'a>(
    layout: &crate::layout::Layout,
    files: impl IntoIterator<Item = &'a crate::tally::Tally>,
) -> Vec<KeptDateEntry> {
    let mut by: BTreeMap<(usize, crate::cleanse::Rule), KeptDateEntry> = BTreeMap::new();
    for (file, tally) in files.into_iter().enumerate() {
        for (&(item, rule), seen) in &tally.kept_dates {
            let Some(field) = layout.fields.get(item) else {
                continue;
            };
            if seen.count == 0 {
                continue;
            }
            // Files come in input order: the first one met keeps its record.
            let e = by.entry((item, rule)).or_insert_with(|| KeptDateEntry {
                item: field.name.clone(),
                reason: rule.id().into(),
                label: rule.label_ja().into(),
                count: 0,
                first_record: RecordRef {
                    file,
                    record: seen.first_record,
                },
            });
            e.count += seen.count;
        }
    }
    by.into_values().collect()
}
// ---- end dates ----

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CleansingEntry {
    pub item: String,
    /// Stable rule id (e.g. `halfwidth-kana`).
    pub rule: String,
    /// The rule in Japanese (e.g. 半角カナ→全角).
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: "ikou".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Options {
    pub layout: String,
    pub encoding: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputEntry {
    /// As given on the command line.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Data records (`written + rejected`), not counting a header or blank lines.
    pub records: u64,
    pub written: u64,
    pub rejected: u64,
    /// The output and reject file of this input (relative to the output directory).
    pub output: String,
    pub rejects: String,
    #[serde(default)]
    pub header_records: u64,
    #[serde(default)]
    pub blank_lines: u64,
    #[serde(default)]
    pub bom: bool,
    #[serde(default)]
    pub eof_marker: bool,
    /// With record types: this input's records per type; with several data
    /// types each has its own output (and `output` is the first of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_types: Vec<RecordTypeEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    /// Relative to the output directory.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableEntry {
    /// `layout`, `gaiji`, `mj`, `charset-ext`, … or `font` (`convert --font`: the
    /// vendor's 外字 font report.html draws the 外字 with).
    pub kind: String,
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The size read (`font`: the file, or a directory's images together). Absent
    /// for the other tables, whose entries stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

impl TableEntry {
    /// A layout file as read (`kind` "layout" or "target-layout"): the SHA-256 of
    /// the bytes it was parsed from, and its version when it states one.
    pub fn layout(kind: &str, l: &crate::layout::LoadedLayout) -> TableEntry {
        use sha2::Digest;
        TableEntry {
            kind: kind.into(),
            path: l.origin.clone(),
            sha256: crate::output::hex(&sha2::Sha256::digest(&l.bytes)),
            version: Some(l.layout.version.clone()).filter(|v| !v.is_empty()),
            bytes: None,
        }
    }

    /// The tables a map stage reads: its 外字 tables (`--gaiji`, in order), then
    /// the MJ+ extension files (`--charset-ext`).
    pub fn of_mapper(mapper: &crate::gaiji::Mapper) -> Vec<TableEntry> {
        let gaiji = mapper.tables().iter().map(|t| TableEntry {
            kind: t.kind.into(),
            path: t.path.clone(),
            sha256: t.sha256.clone(),
            version: None,
            bytes: None,
        });
        let ext = mapper.options().ext.map(|x| x.files()).unwrap_or_default();
        let ext = ext.iter().map(|t| TableEntry {
            kind: "charset-ext".into(),
            path: t.path.clone(),
            sha256: t.sha256.clone(),
            version: None,
            bytes: None,
        });
        gaiji.chain(ext).collect()
    }

    /// `--font`: the vendor's 外字 glyphs as read (path as given, SHA-256 and size of
    /// the bytes the glyphs were made from), so the audit trail names the font the
    /// report's glyphs came from.
    pub fn vendor_font(v: &crate::identify::source::VendorImages) -> TableEntry {
        TableEntry {
            kind: "font".into(),
            path: v.font.clone(),
            sha256: v.digest.sha256.clone(),
            version: None,
            bytes: Some(v.digest.bytes),
        }
    }

    /// The MJ tables built into the binary, as every run records them (their hashes
    /// are worked out at build time: they never change).
    pub fn embedded_mj() -> Vec<TableEntry> {
        crate::mj::EMBEDDED_TABLES
            .iter()
            .zip(crate::mj::embedded_sha256())
            .map(|((path, _), sha256)| TableEntry {
                kind: "mj".into(),
                path: format!("embedded:{path}"),
                sha256: sha256.to_string(),
                version: Some(crate::mj::version().to_string()),
                bytes: None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Counts {
    pub read: u64,
    pub written: u64,
    pub rejected: u64,
}

/// A vendor 外字 table line and how often it was written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GaijiEntry {
    /// The code point after decoding (`U+E000`).
    pub source: String,
    /// The MJ glyph (`MJ012345`), or null for an explicit code point target.
    pub mj: Option<String>,
    /// The MJ+ extension character (`GJ000123`) a `GJ` target names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gj: Option<String>,
    /// What was written, as code points (`U+845B U+E0100`).
    pub output: String,
    /// Occurrences written.
    pub count: u64,
    /// What was written, as text.
    pub written: String,
    /// The target as the table wrote it (`J+6F22`, `KOSEKI:123450`, …).
    pub target: String,
    /// `path:line` of the table line.
    pub table: String,
    /// The source as the table wrote it, when it was raw bytes (`0xF040`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_source: Option<String>,
    /// `--ivs never`: the MJ縮退マップ table the written character comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degenerate_table: Option<String>,
    /// The glyph has no code point; this same-shape sibling was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sibling: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_record: Option<RecordRef>,
    // --- h-fidelity (issue 12, item 7) ---
    /// `--nfc-safe`: compatibility ideographs of `output` written as standardized
    /// variation sequences, per occurrence (0: none, not written).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub svs: u64,
    // --- end h-fidelity ---
}

// --- h-fidelity (issue 12, item 7) ---
fn is_zero(n: &u64) -> bool {
    *n == 0
}
// --- end h-fidelity ---

/// A character that is not a vendor 外字 but was written in another form
/// (compatibility ideographs, CP932/JIS variants), or a compatibility ideograph
/// passed through as it is (`output` = `source`; `mj` null when no MJ glyph has it),
/// counted because a downstream NFC would change it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MappedEntry {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mj: Option<String>,
    pub output: String,
    pub count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degenerate_table: Option<String>,
    // --- h-fidelity (issue 12, item 7) ---
    /// `--nfc-safe`: compatibility ideographs of `output` written as standardized
    /// variation sequences, per occurrence (0: none, not written).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub svs: u64,
    // --- end h-fidelity ---
}

/// A private-use character no table maps.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnmappedEntry {
    pub source: String,
    pub count: u64,
    /// The first record it was met in (in input `file`).
    pub first_record: u64,
    pub file: usize,
    /// `reject` (its records were rejected) or `geta` (〓 was written).
    pub action: String,
    /// Set when a table maps it to this glyph, but the glyph cannot be written
    /// under the policy (`--ivs never` and no JIS X 0213 form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mj: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReasonEntry {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub count: u64,
    /// The first record numbers (per file: `file` index into `inputs`).
    pub first_records: Vec<RecordRef>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordRef {
    pub file: usize,
    pub record: u64,
}

impl Manifest {
    /// The JSON text as written: pretty, keys in a fixed order, ending with a newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    pub fn from_json(text: &str) -> Result<Manifest, serde_json::Error> {
        serde_json::from_str(text)
    }
}
