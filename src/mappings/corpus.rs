//! `mappings diff --corpus`: the records whose conversion an edit of the 外字
//! tables changes.
//!
//! Every record of every corpus file goes through two [`RecordProcessor`]s with the
//! same layout and encoding, one with the OLD tables and one with the NEW, and the
//! results are compared: the items written, or the reject reason. (A record that
//! holds none of the sources whose mapping differs cannot change, so it is not run
//! through NEW.) Files are read and
//! split as `convert` reads them, several at once ([`Workers::read_files`]), and
//! chunks are compared on rayon workers; results are merged in input order, so
//! they do not depend on `--jobs`. Only the changed records are kept (at most
//! `--limit` listed per file), so memory does not grow with the corpus.
//!
//! Personal data: a changed record is named by its number and the layout's key item
//! (never `sensitive`, the layout guarantees it), the names of the items that
//! changed and the 外字 sources involved, never one met in a `sensitive` item
//! (such a change names the item only). No other item value is kept or printed.

use crate::decode::Encoding;
use crate::error::Error;
use crate::input;
use crate::parallel::{FileFeed, Workers};
use crate::record::{RecordProcessor, Scratch};
use crate::reject::Reject;
use crate::split::{Chunk, SplitConfig};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a record's conversion changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordChangeKind {
    /// Written both times, with different items.
    OutputChanged,
    /// Written with OLD, rejected with NEW.
    NowRejected,
    /// Rejected with OLD, written with NEW.
    NowWritten,
    /// Rejected both times, for different reasons.
    RejectChanged,
}

impl RecordChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordChangeKind::OutputChanged => "output-changed",
            RecordChangeKind::NowRejected => "now-rejected",
            RecordChangeKind::NowWritten => "now-written",
            RecordChangeKind::RejectChanged => "reject-changed",
        }
    }
}

/// One record whose conversion changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordChange {
    /// Record number in its file (from 1, the header and blank lines counted, as in
    /// the reject files and the manifest).
    pub record: u64,
    /// The layout's key item, when it has one.
    pub key: Option<String>,
    pub change: RecordChangeKind,
    /// Names of the items written differently (OutputChanged), or the items the
    /// reject reasons name.
    pub items: Vec<String>,
    /// The differing 外字 sources the record holds (`U+E000`).
    pub sources: Vec<String>,
    /// The reject reason code with OLD / NEW, when rejected.
    pub old_reject: Option<String>,
    pub new_reject: Option<String>,
}

/// The changes in one corpus file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileDiff {
    pub path: String,
    /// Data records compared (not the header, not blank lines).
    pub records: u64,
    /// Records whose conversion changes.
    pub changed: u64,
    pub by_change: BTreeMap<&'static str, u64>,
    /// The first `limit` changed records, in file order.
    pub listed: Vec<RecordChange>,
}

/// The changes over a corpus.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusDiff {
    pub layout: String,
    /// The name of the layout's key item.
    pub key_item: Option<String>,
    pub records: u64,
    pub changed: u64,
    pub files: Vec<FileDiff>,
    /// Changed records per differing source (a record counts once per source it holds).
    #[serde(skip)]
    pub per_source: BTreeMap<char, u64>,
}

/// How to read the corpus.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    pub encoding: Encoding,
    /// Worker threads (≥ 1).
    pub jobs: usize,
    /// Changed records listed per file (0: all); the counts are always complete.
    pub limit: usize,
    pub chunk_bytes: usize,
    pub max_record: usize,
    /// Do not check that each input looks like the encoding before reading it.
    pub skip_encoding_check: bool,
}

impl CorpusOptions {
    pub fn new(encoding: Encoding) -> CorpusOptions {
        CorpusOptions {
            encoding,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            limit: 1000,
            chunk_bytes: SplitConfig::DEFAULT_CHUNK_BYTES,
            max_record: SplitConfig::DEFAULT_MAX_RECORD,
            skip_encoding_check: false,
        }
    }
}

/// Compares `old` and `new` over every record of `inputs`. `differing`: the table
/// sources whose mapping differs (to name them per record). `layout_origin` is
/// only recorded. Err: an input that cannot be read (exit 2 for `mappings diff`).
pub fn diff_corpus(
    old: &RecordProcessor,
    new: &RecordProcessor,
    differing: &[char],
    inputs: &[PathBuf],
    layout_origin: &str,
    opts: &CorpusOptions,
) -> Result<CorpusDiff, Error> {
    let layout = new.layout();
    let workers = Workers::new(opts.jobs.max(1))?;
    let mut differing = differing.to_vec();
    differing.sort_unstable();
    let mut result = CorpusDiff {
        layout: layout_origin.to_string(),
        key_item: layout.key_field().map(|k| layout.fields[k].name.clone()),
        records: 0,
        changed: 0,
        files: Vec::new(),
        per_source: BTreeMap::new(),
    };
    let ctx = Ctx {
        old,
        new,
        differing: &differing,
        limit: opts.limit,
    };
    // Several files at once, through the shared workers: each file is compared on
    // its own and the files come back in input order, so the result is the one a
    // run one file after another gives (and so is the error it stops with).
    let cfg = SplitConfig::new(
        layout.framing(),
        opts.encoding,
        opts.chunk_bytes,
        opts.max_record,
    )?;
    let ctx = &ctx;
    let files = workers.read_files(
        inputs,
        cfg,
        |chunk| SCRATCH.with_borrow_mut(|(a, b)| compare_chunk(ctx, layout.header, chunk, a, b)),
        |i, feed| compare_file(ctx, feed, &inputs[i], opts),
    )?;
    for (file, per_source) in files {
        for (s, n) in per_source {
            *result.per_source.entry(s).or_insert(0) += n;
        }
        result.records += file.records;
        result.changed += file.changed;
        result.files.push(file);
    }
    Ok(result)
}

/// Compares one file: its chunks' changes (from `feed`, compared on the
/// workers) added up here in file order. Returns the file's changes and its
/// changed records per source.
fn compare_file(
    ctx: &Ctx,
    feed: FileFeed<'_, ChunkDiff>,
    path: &Path,
    opts: &CorpusOptions,
) -> Result<(FileDiff, BTreeMap<char, u64>), Error> {
    let layout = ctx.new.layout();
    let checked = input::check(path, opts.encoding, layout, true);
    if !opts.skip_encoding_check {
        checked?;
    }
    let mut file = FileDiff {
        path: path.to_string_lossy().into_owned(),
        ..FileDiff::default()
    };
    let mut per_source = BTreeMap::new();
    feed.consume(|c| {
        file.records += c.records;
        file.changed += c.changed;
        for (k, n) in c.by_change {
            *file.by_change.entry(k.as_str()).or_insert(0) += n;
        }
        for (s, n) in c.per_source {
            *per_source.entry(s).or_insert(0) += n;
        }
        // Enough listed: the rest of the file only adds to the counts.
        if opts.limit == 0 || file.listed.len() < opts.limit {
            file.listed.extend(c.listed);
        }
        Ok(())
    })?;
    if opts.limit > 0 {
        file.listed.truncate(opts.limit);
    }
    Ok((file, per_source))
}

struct Ctx<'a> {
    old: &'a RecordProcessor,
    new: &'a RecordProcessor,
    differing: &'a [char],
    limit: usize,
}

#[derive(Default)]
struct ChunkDiff {
    records: u64,
    changed: u64,
    by_change: BTreeMap<RecordChangeKind, u64>,
    per_source: BTreeMap<char, u64>,
    listed: Vec<RecordChange>,
}

thread_local! {
    /// Per-record buffers of a worker thread, for the OLD and the NEW tables.
    static SCRATCH: std::cell::RefCell<(Scratch, Scratch)> = std::cell::RefCell::new((Scratch::default(), Scratch::default()));
}

fn compare_chunk(
    ctx: &Ctx,
    header: bool,
    chunk: &Chunk,
    a: &mut Scratch,
    b: &mut Scratch,
) -> ChunkDiff {
    let mut d = ChunkDiff::default();
    let layout = ctx.new.layout();
    let key_field = layout.key_field();
    for (k, span) in chunk.records.iter().enumerate() {
        let record = chunk.first_record + k as u64;
        let raw = &chunk.data[span.start..span.end];
        // The same records convert skips.
        if chunk.is_header(header, k) || span.is_blank() {
            continue;
        }
        d.records += 1;
        let ra = ctx.old.process(raw, span.flaw, a);
        // Only a differing source can make NEW convert a record differently:
        // decoding and splitting do not depend on the tables, and every other
        // character maps the same way on both sides. (For a record refused before
        // splitting `a.items` may be stale; such a record never differs, whichever
        // way this goes.)
        if !a
            .items
            .text()
            .chars()
            .any(|c| ctx.differing.binary_search(&c).is_ok())
        {
            continue;
        }
        let rb = ctx.new.process(raw, span.flaw, b);
        let (change, items) = match (&ra, &rb) {
            (Ok(()), Ok(())) => {
                let items: Vec<String> = (0..layout.fields.len())
                    .filter(|&i| a.written().get(i) != b.written().get(i))
                    .map(|i| layout.fields[i].name.clone())
                    .collect();
                if items.is_empty() {
                    continue;
                }
                (RecordChangeKind::OutputChanged, items)
            }
            (Ok(()), Err(r)) => (RecordChangeKind::NowRejected, reject_items(None, Some(r))),
            (Err(r), Ok(())) => (RecordChangeKind::NowWritten, reject_items(Some(r), None)),
            (Err(x), Err(y)) => {
                if x == y {
                    continue;
                }
                (
                    RecordChangeKind::RejectChanged,
                    reject_items(Some(x), Some(y)),
                )
            }
        };
        d.changed += 1;
        *d.by_change.entry(change).or_insert(0) += 1;
        // The decoded items are the same on both sides (decoding and splitting do
        // not depend on the tables); they are empty or stale only for records
        // refused before splitting, which never differ.
        let mut sources: Vec<char> = shown_text(layout, &b.items)
            .flat_map(str::chars)
            .filter(|c| ctx.differing.binary_search(c).is_ok())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        for &s in &sources {
            *d.per_source.entry(s).or_insert(0) += 1;
        }
        if ctx.limit == 0 || d.listed.len() < ctx.limit {
            let key = key_field.and_then(|k| {
                if rb.is_ok() {
                    Some(b.written().get(k).to_string())
                } else if ra.is_ok() {
                    Some(a.written().get(k).to_string())
                } else {
                    (k < b.items.len()).then(|| b.items.get(k).to_string())
                }
            });
            d.listed.push(RecordChange {
                record,
                key,
                change,
                items,
                sources: sources
                    .iter()
                    .map(|&c| format!("U+{:04X}", c as u32))
                    .collect(),
                old_reject: ra.err().map(|r| r.code.to_string()),
                new_reject: rb.err().map(|r| r.code.to_string()),
            });
        }
    }
    d
}

/// The text of a record whose characters may be named: every item but the
/// `sensitive` ones. Nothing when the record was not split into the layout's items
/// and the layout has a sensitive item (which characters are its is not known).
fn shown_text<'a>(
    layout: &'a crate::layout::Layout,
    items: &'a crate::items::Items,
) -> impl Iterator<Item = &'a str> {
    let any_sensitive = layout.fields.iter().any(|f| f.sensitive);
    let split = items.len() == layout.fields.len();
    let whole = (!any_sensitive).then(|| items.text());
    let by_item = (any_sensitive && split).then(|| {
        (0..items.len())
            .filter(|&i| !layout.fields[i].sensitive)
            .map(|i| items.get(i))
    });
    whole.into_iter().chain(by_item.into_iter().flatten())
}

fn reject_items(a: Option<&Reject>, b: Option<&Reject>) -> Vec<String> {
    let mut v: Vec<String> = [a, b]
        .into_iter()
        .flatten()
        .filter_map(|r| r.item.clone())
        .collect();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaiji::{MapOptions, Mapper, TableSource};

    const LAYOUT: &str = r#"
name = "t"
format = "csv"
[[fields]]
name = "番号"
key = true
[[fields]]
name = "氏名"
length = 3
[[fields]]
name = "番号2"
sensitive = true
"#;

    fn processor(table: &str) -> RecordProcessor {
        let src = TableSource {
            path: "t.tsv".into(),
            text: table.into(),
            sha256: String::new(),
        };
        let m = Mapper::new(&[src], Encoding::Cp932, MapOptions::default()).unwrap();
        RecordProcessor::new(
            crate::layout::parse(LAYOUT.as_bytes(), "t").unwrap(),
            Encoding::Cp932,
            m,
        )
        .unwrap()
    }

    #[test]
    fn each_kind_of_record_change_with_key_items_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        // U+E000 = 0xF040, U+E001 = 0xF041, U+E002 = 0xF042 (CP932 user-defined area).
        let mut data = Vec::new();
        data.extend_from_slice(b"1,\xf0\x40,999\r\n"); // output changes (氏名)
        data.extend_from_slice(b"2,\xf0\x41,999\r\n"); // unmapped in NEW: now rejected
        data.extend_from_slice(b"3,\xf0\x42,999\r\n"); // unmapped in OLD: now written
        data.extend_from_slice(b"4,ab\xf0\x40,999\r\n"); // too long in NEW only
        data.extend_from_slice(b"5,abc,999\r\n"); // unchanged
        data.extend_from_slice(b"6,x\r\n"); // item count: rejected both times, unchanged
        data.extend_from_slice(b"\r\n"); // blank line: not a record
        std::fs::write(&input, &data).unwrap();
        // MJ000001 is 々 (one character); NEW writes two characters for U+E000.
        let old = processor("U+E000\tMJ000001\nU+E001\tMJ000001\n");
        let new = processor("U+E000\tU+3251 U+3252\nU+E002\tMJ000001\n");
        let differing = ['\u{E000}', '\u{E001}', '\u{E002}'];
        let mut opts = CorpusOptions::new(Encoding::Cp932);
        for (jobs, chunk_bytes) in [(1, 1 << 20), (2, 8)] {
            opts.jobs = jobs;
            opts.chunk_bytes = chunk_bytes;
            let d = diff_corpus(
                &old,
                &new,
                &differing,
                std::slice::from_ref(&input),
                "t",
                &opts,
            )
            .unwrap();
            assert_eq!((d.records, d.changed), (6, 4));
            let f = &d.files[0];
            let got: Vec<(u64, Option<&str>, RecordChangeKind, Vec<&str>)> = f
                .listed
                .iter()
                .map(|r| {
                    (
                        r.record,
                        r.key.as_deref(),
                        r.change,
                        r.items.iter().map(String::as_str).collect(),
                    )
                })
                .collect();
            use RecordChangeKind::*;
            assert_eq!(
                got,
                vec![
                    (1, Some("1"), OutputChanged, vec!["氏名"]),
                    (2, Some("2"), NowRejected, vec!["氏名"]),
                    (3, Some("3"), NowWritten, vec!["氏名"]),
                    (4, Some("4"), NowRejected, vec!["氏名"]),
                ]
            );
            assert_eq!(f.listed[1].new_reject.as_deref(), Some("unmapped-gaiji"));
            assert_eq!(f.listed[3].new_reject.as_deref(), Some("too-long"));
            assert_eq!(f.listed[0].sources, vec!["U+E000"]);
            assert_eq!(d.per_source.get(&'\u{E000}'), Some(&2));
            assert_eq!(f.by_change.get("now-rejected"), Some(&2));
            // Nothing but the key is ever kept: no other value of any record.
            let json = serde_json::to_string(&d).unwrap();
            assert!(!json.contains("999") && !json.contains("abc"), "{json}");
        }
        opts.limit = 1;
        let d = diff_corpus(&old, &new, &differing, &[input], "t", &opts).unwrap();
        assert_eq!((d.files[0].listed.len(), d.changed), (1, 4));
    }
}
