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
    // --- MJ+ (--charset) ---
    /// Characters outside `--charset` met in text and kana items, per item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nonstandard: Vec<NonstandardEntry>,
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
    /// `layout`, `gaiji`, `mj` or `charset-ext`.
    pub kind: String,
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
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
}

/// A character that is not a vendor 外字 but was written in another form
/// (compatibility ideographs, CP932/JIS variants).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MappedEntry {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mj: Option<String>,
    pub output: String,
    pub count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degenerate_table: Option<String>,
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
