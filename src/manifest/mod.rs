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
    pub tables: Vec<TableEntry>,
    pub counts: Counts,
    #[serde(default)]
    pub gaiji: Vec<GaijiEntry>,
    #[serde(default)]
    pub unmapped: Vec<UnmappedEntry>,
    /// Reject reasons over all files.
    #[serde(default)]
    pub reject_reasons: Vec<ReasonEntry>,
    /// Cleansing changes in written records over all files, per item and rule.
    #[serde(default)]
    pub cleansing: Vec<CleansingEntry>,
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
    /// `layout`, `gaiji` or `mj`.
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GaijiEntry {
    pub source: String,
    pub mj: String,
    pub output: String,
    pub count: u64,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnmappedEntry {
    pub source: String,
    pub count: u64,
    pub first_record: u64,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
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
