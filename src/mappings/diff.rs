//! `mappings diff`: what an edit of the 外字 tables changes in what is written.
//!
//! Both sides are compiled into the map stage ([`Mapper`]) with the same encoding
//! and `--ivs`, and their table mappings are compared by source character (after
//! decoding, so `0xF040` and `U+E000` in CP932 are the same source). The written
//! form is the one `convert` would write under that `--ivs`.

use super::corpus::{CorpusDiff, CorpusOptions, diff_corpus};
use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{Kind, MapOptions, Mapper, Mapping, TableSource, UnmappedPolicy, code_points};
use crate::layout::LoadedLayout;
use crate::mj::{self, IvsPolicy};
use crate::record::RecordProcessor;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How both sides are compiled: as `convert` would with these flags.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    pub encoding: Encoding,
    /// `--unmapped fail` is compared as `reject`: the records it would stop on are
    /// the records `reject` refuses.
    pub map: MapOptions,
}

/// A corpus to run both sides over.
pub struct Corpus<'a> {
    pub layout: &'a LoadedLayout,
    pub inputs: &'a [PathBuf],
    pub options: CorpusOptions,
}

/// Everything `mappings diff` reports (`--json` prints it as it is).
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub old: Tables,
    pub new: Tables,
    pub options: Settings,
    /// Some entry changes what is written (the exit status is 1).
    pub different: bool,
    /// Entries per kind of change.
    pub summary: BTreeMap<&'static str, usize>,
    pub entries: Vec<EntryChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corpus: Option<CorpusDiff>,
}

/// One side's tables.
#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    pub tables: Vec<TableRef>,
    /// Sources mapped after merging the tables.
    pub entries: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableRef {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub encoding: String,
    pub ivs: String,
    pub unmapped: String,
    pub variants: String,
}

/// Compares OLD and NEW tables, and with a corpus the records they convert.
/// Err (exit 2): tables with errors, an unusable layout, an unreadable input.
pub fn diff(
    old: &[TableSource],
    new: &[TableSource],
    opts: &DiffOptions,
    corpus: Option<Corpus>,
) -> Result<DiffReport, Error> {
    let mut map = opts.map;
    if map.unmapped == UnmappedPolicy::Fail {
        map.unmapped = UnmappedPolicy::Reject;
    }
    let build = |side: &str, t: &[TableSource]| {
        Mapper::new(t, opts.encoding, map).map_err(|e| {
            let paths: Vec<&str> = t.iter().map(|s| s.path.as_str()).collect();
            Error::Config(format!(
                "{side} ({}): {}",
                paths.join(" + "),
                e.to_string().trim_end()
            ))
        })
    };
    let (om, nm) = (build("OLD", old)?, build("NEW", new)?);
    let tables = |t: &[TableSource], m: &Mapper| Tables {
        tables: t
            .iter()
            .map(|s| TableRef {
                path: s.path.clone(),
                sha256: s.sha256.clone(),
            })
            .collect(),
        entries: m
            .mappings()
            .iter()
            .filter(|x| x.kind == Kind::Gaiji && !x.builtin)
            .count(),
    };
    let (old_tables, new_tables) = (tables(old, &om), tables(new, &nm));
    let mut entries = diff_entries(&om, &nm);
    let corpus = match corpus {
        None => None,
        Some(c) => {
            let differing: Vec<char> = entries
                .iter()
                .filter(|e| e.change.changes_output())
                .map(|e| e.source_char)
                .collect();
            let processor = |m| {
                RecordProcessor::new(c.layout.layout.clone(), opts.encoding, m)
                    .map_err(|e| Error::Config(format!("layout {}: {e}", c.layout.origin)))
            };
            let (op, np) = (processor(om)?, processor(nm)?);
            let d = diff_corpus(&op, &np, &differing, c.inputs, &c.layout.origin, &c.options)?;
            for e in entries.iter_mut().filter(|e| e.change.changes_output()) {
                e.records = Some(d.per_source.get(&e.source_char).copied().unwrap_or(0));
            }
            Some(d)
        }
    };
    let ivs = map.ivs.unwrap_or(IvsPolicy::Keep);
    Ok(DiffReport {
        old: old_tables,
        new: new_tables,
        options: Settings {
            encoding: opts.encoding.name().into(),
            ivs: if ivs == IvsPolicy::Never {
                "never"
            } else {
                "keep"
            }
            .into(),
            unmapped: if map.unmapped == UnmappedPolicy::Geta {
                "geta"
            } else {
                "reject"
            }
            .into(),
            variants: map.variants.for_encoding(opts.encoding).name().into(),
        },
        different: entries.iter().any(|e| e.change.changes_output()),
        summary: count(&entries),
        entries,
        corpus,
    })
}

/// How an entry differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Only NEW maps the source.
    Added,
    /// Only OLD maps the source: its records now follow `--unmapped`.
    Removed,
    /// Another MJ glyph or another written form (or written vs not writable).
    Changed,
    /// The same glyph and the same written form, with the target written in
    /// another notation (e.g. `J+AEAC` → `MJ032129`): changes no output.
    Renotated,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Renotated => "renotated",
        }
    }

    /// True when converted data may differ (all but [`Change::Renotated`]).
    pub fn changes_output(self) -> bool {
        self != Change::Renotated
    }
}

/// One side of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// The target as the table wrote it.
    pub target: String,
    /// The MJ glyph (MJ文字図形名), when the target names one.
    pub mj: Option<String>,
    /// The MJ glyph drawn as its Moji_Joho form (for people; `--ivs keep` form).
    pub mj_glyph: Option<String>,
    /// The text written (None: nothing can be written under `--ivs never`).
    pub written: Option<String>,
    /// `written` as code points.
    pub output: Option<String>,
    /// Why nothing can be written, when `written` is None.
    pub unwritable: Option<String>,
    /// `path:line` of the table line.
    pub table: String,
}

/// An entry that differs between OLD and NEW.
#[derive(Debug, Clone, Serialize)]
pub struct EntryChange {
    pub change: Change,
    /// The source code point after decoding (`U+E000`).
    pub source: String,
    /// The source as a table wrote it, when that is not `source` (`0xF040`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_source: Option<String>,
    pub old: Option<Side>,
    pub new: Option<Side>,
    /// With a corpus: records whose output changes and that hold this source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    #[serde(skip)]
    pub source_char: char,
}

/// Every differing entry, by source code point.
pub fn diff_entries(old: &Mapper, new: &Mapper) -> Vec<EntryChange> {
    let table = |m: &Mapper| -> BTreeMap<char, Mapping> {
        m.mappings()
            .iter()
            .filter(|x| x.kind == Kind::Gaiji)
            .map(|x| (x.source, x.clone()))
            .collect()
    };
    let (o, n) = (table(old), table(new));
    let mut sources: Vec<char> = o.keys().chain(n.keys()).copied().collect();
    sources.sort_unstable();
    sources.dedup();
    let mut out = Vec::new();
    for c in sources {
        let (a, b) = (o.get(&c), n.get(&c));
        let change = match (a, b) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(a), Some(b)) => {
                if a.mj != b.mj || a.output != b.output || a.unwritable != b.unwritable {
                    Change::Changed
                } else if a.target_text != b.target_text {
                    Change::Renotated
                } else {
                    continue;
                }
            }
            (None, None) => continue,
        };
        let u = format!("U+{:04X}", c as u32);
        let table_source = [b, a]
            .into_iter()
            .flatten()
            .map(|m| m.source_text.clone())
            .find(|t| *t != u);
        out.push(EntryChange {
            change,
            source: u,
            table_source,
            old: a.map(side),
            new: b.map(side),
            records: None,
            source_char: c,
        });
    }
    out
}

fn side(m: &Mapping) -> Side {
    let writable = m.unwritable.is_none();
    Side {
        target: m.target_text.clone().unwrap_or_default(),
        mj: m.mj.map(mj::mj_name),
        mj_glyph: m
            .mj
            .and_then(|n| mj::db().written(n, IvsPolicy::Keep).ok())
            .map(|w| w.text),
        written: writable.then(|| m.output.clone()),
        output: writable.then(|| code_points(&m.output)),
        unwritable: m.unwritable.clone(),
        table: m.origin.clone().unwrap_or_default(),
    }
}

/// Counts per kind of change, for summaries.
pub fn count(changes: &[EntryChange]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for c in changes {
        *m.entry(c.change.as_str()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Encoding;
    use crate::gaiji::{MapOptions, TableSource};

    fn mapper(path: &str, text: &str, ivs: IvsPolicy) -> Mapper {
        let src = TableSource {
            path: path.into(),
            text: text.into(),
            sha256: String::new(),
        };
        Mapper::new(
            &[src],
            Encoding::Cp932,
            MapOptions {
                ivs: Some(ivs),
                ..MapOptions::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn entries_are_compared_by_decoded_source_and_by_what_is_written() {
        // MJ032129 is 𠮷 (J+AEAC); MJ028902 is 髙 (KOSEKI:513280), written 高 under never.
        let old = "0xF040\tJ+AEAC\nU+E001\tMJ000001\nU+E002\tU+3251\nU+E003\tMJ028902\n";
        let new = "U+E000\tMJ032129\nU+E002\tU+3252\nU+E003\tKOSEKI:513280\nU+E004\tMJ000001\n";
        let d = diff_entries(
            &mapper("old.tsv", old, IvsPolicy::Keep),
            &mapper("new.tsv", new, IvsPolicy::Keep),
        );
        let got: Vec<(&str, Change)> = d.iter().map(|e| (e.source.as_str(), e.change)).collect();
        assert_eq!(
            got,
            vec![
                ("U+E000", Change::Renotated),
                ("U+E001", Change::Removed),
                ("U+E002", Change::Changed),
                ("U+E003", Change::Renotated),
                ("U+E004", Change::Added),
            ]
        );
        assert_eq!(d[0].table_source.as_deref(), Some("0xF040"));
        let (o, n) = (d[2].old.as_ref().unwrap(), d[2].new.as_ref().unwrap());
        assert_eq!(
            (o.written.as_deref(), n.written.as_deref()),
            (Some("\u{3251}"), Some("\u{3252}"))
        );
        assert_eq!(o.table, "old.tsv:3");
        assert_eq!(d[4].new.as_ref().unwrap().mj.as_deref(), Some("MJ000001"));
        assert!(d[1].new.is_none());
    }

    #[test]
    fn the_written_form_follows_ivs() {
        // 髙 (MJ028902) and 高 differ under keep but are both written 高 under never;
        // MJ000437 cannot be written under never at all.
        let old = "U+E000\tMJ028902\nU+E001\tMJ000001\n";
        let new = "U+E000\tJ+9AD8\nU+E001\tMJ000437\n";
        for (ivs, want) in [
            (IvsPolicy::Keep, Change::Changed),
            (IvsPolicy::Never, Change::Changed),
        ] {
            let d = diff_entries(&mapper("o", old, ivs), &mapper("n", new, ivs));
            assert_eq!(d[0].change, want, "{ivs:?}");
            let n = d[1].new.as_ref().unwrap();
            assert_eq!(n.written.is_none(), ivs == IvsPolicy::Never, "{ivs:?}");
            assert_eq!(n.unwritable.is_some(), ivs == IvsPolicy::Never, "{ivs:?}");
        }
        let d = diff_entries(
            &mapper("o", old, IvsPolicy::Never),
            &mapper("n", new, IvsPolicy::Never),
        );
        let (o, n) = (d[0].old.as_ref().unwrap(), d[0].new.as_ref().unwrap());
        assert_eq!(o.written, n.written, "both written 高 under never");
        assert_ne!(o.mj, n.mj, "but the glyph changed: listed as changed");
    }
}
