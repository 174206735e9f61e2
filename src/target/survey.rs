//! The values a corpus gives each target item that has a code table, for
//! `mappings check --to TARGET --corpus …`: which table lines are never reached,
//! and which values have no line (their records would be rejected).
//!
//! Records are read, decoded, 外字-mapped and reshaped exactly as `convert --to`
//! does, up to the code lookup; the value surveyed is the one looked up.

use super::Plan;
use super::codes::PADDING;
use crate::decode::Encoding;
use crate::error::Error;
use crate::gaiji::{MapOptions, Mapper};
use crate::layout::LoadedLayout;
use crate::parallel::Workers;
use crate::record::{RecordProcessor, Scratch};
use crate::split::{Chunk, SplitConfig};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// How often a value occurs, and where first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    /// Index into the inputs, and the record number in that file.
    pub file: usize,
    pub record: u64,
}

/// What a corpus holds for the target items with a code table.
#[derive(Debug, Default, Clone)]
pub struct CodeSurvey {
    /// Data records read.
    pub records: u64,
    /// Records that could not be read into items or mapped (not surveyed).
    pub unread: u64,
    /// Target item index → value (without padding) → occurrences.
    pub values: BTreeMap<usize, BTreeMap<String, Seen>>,
}

impl CodeSurvey {
    fn add(&mut self, item: usize, value: &str, file: usize, record: u64) {
        let per = self.values.entry(item).or_default();
        match per.get_mut(value) {
            Some(s) => s.count += 1,
            None => {
                per.insert(
                    value.to_string(),
                    Seen {
                        count: 1,
                        file,
                        record,
                    },
                );
            }
        }
    }

    /// Adds `other`, whose records come after this one's.
    fn merge(&mut self, other: CodeSurvey) {
        self.records += other.records;
        self.unread += other.unread;
        for (item, per) in other.values {
            let mine = self.values.entry(item).or_default();
            for (v, s) in per {
                mine.entry(v)
                    .and_modify(|m| m.count += s.count)
                    .or_insert(s);
            }
        }
    }
}

/// Surveys `inputs` (of layout `source`, in `encoding`) for the code-table items
/// of `target`. Err: the plan does not compile against `source`, or an input
/// cannot be read.
pub fn survey(
    source: &LoadedLayout,
    target: &LoadedLayout,
    encoding: Encoding,
    inputs: &[PathBuf],
    jobs: usize,
) -> Result<CodeSurvey, Error> {
    let plan = Plan::compile_sources(&source.layout, target.clone())?;
    let items: Vec<usize> = (0..plan.layout().fields.len())
        .filter(|&j| plan.layout().fields[j].codes_table.is_some())
        .collect();
    let mut layout = source.layout.clone();
    plan.hide_sources(&mut layout);
    let mapper = Mapper::new(&[], encoding, MapOptions::default())
        .map_err(|e| Error::Config(e.to_string()))?;
    // With record types ([[records]]), only the data records are surveyed, each
    // read with its type's items (the data type's items take the hidden sources).
    let hidden: Vec<String> = layout
        .fields
        .iter()
        .filter(|f| f.sensitive)
        .map(|f| f.name.clone())
        .collect();
    for rt in &mut layout.records {
        for f in rt.fields.iter_mut().filter(|f| hidden.contains(&f.name)) {
            f.sensitive = true;
        }
    }
    let flat = crate::layout::Layout {
        records: Vec::new(),
        ..layout.clone()
    };
    let processor = RecordProcessor::new(flat, encoding, mapper)
        .and_then(|p| p.with_target(plan))
        .map_err(|e| Error::Config(format!("layout {}: {e}", source.origin)))?;
    let typed = crate::records::RecordTypes::new(&layout, &processor)
        .map_err(|e| Error::Config(format!("layout {}: {e}", source.origin)))?;
    let workers = Workers::new(jobs)?;
    let header = source.layout.header;
    let mut all = CodeSurvey::default();
    for (file, path) in inputs.iter().enumerate() {
        crate::input::check(path, encoding, &source.layout, true)?;
        let cfg = SplitConfig::new(
            source.layout.framing(),
            encoding,
            SplitConfig::DEFAULT_CHUNK_BYTES,
            SplitConfig::DEFAULT_MAX_RECORD,
        )?;
        let work = |chunk: &Chunk| {
            SCRATCH.with_borrow_mut(|s| {
                let mut part = CodeSurvey::default();
                for (k, span) in chunk.records.iter().enumerate() {
                    if chunk.is_header(header, k) || span.is_blank() {
                        continue;
                    }
                    let record = chunk.first_record + k as u64;
                    part.records += 1;
                    let raw = &chunk.data[span.start..span.end];
                    let mut p = &processor;
                    if let Some(rt) = &typed {
                        let (buf, wrap) = &mut s.classify;
                        match rt.classify(raw, buf, wrap) {
                            Ok(t) if rt.types[t].kind == crate::layout::RecordKind::Data => {
                                p = &rt.types[t].processor;
                            }
                            // A header or trailer holds no data codes.
                            Ok(_) if span.flaw.is_none() => {
                                part.records -= 1;
                                continue;
                            }
                            _ => {
                                part.unread += 1;
                                continue;
                            }
                        }
                    }
                    // A record rejected by the target's own checks was still reshaped.
                    let _ = p.process(raw, span.flaw, s);
                    let Some(reshaped) = s.reshaped() else {
                        part.unread += 1;
                        continue;
                    };
                    for &j in &items {
                        let v = reshaped.get(j).trim_matches(PADDING);
                        if !v.is_empty() {
                            part.add(j, v, file, record);
                        }
                    }
                }
                part
            })
        };
        workers.run_file(path, cfg, work, |part| {
            all.merge(part);
            Ok(())
        })?;
    }
    Ok(all)
}
