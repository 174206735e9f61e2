//! Where each job stands, from its output directory alone: done (a finished
//! manifest that records exactly what the job would use now), stale (a finished
//! manifest recording something else: each difference named), failed (the last
//! run stopped: its exit status and error), or not run.

use super::jobs::{Batch, JobSpec};
use super::{Prepared, prepare};
use crate::manifest::{self, Manifest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Written (hidden, ikou's own name) into a job's output directory when the job
/// stops without publishing, removed when it next finishes: how `status` tells
/// a failed job from one never run, and why it failed.
pub const FAILED: &str = ".ikou-batch-failed.json";

/// The failure record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failure {
    pub exit_status: u8,
    pub error: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Current; `code` is the exit status the run had (0, or 3 with rejects).
    Done {
        code: u8,
        manifest: Box<Manifest>,
    },
    /// A finished run of something else: what changed since.
    Stale {
        changes: Vec<String>,
        manifest: Box<Manifest>,
    },
    /// The last run stopped (code None: interrupted, or running now).
    Failed {
        code: Option<u8>,
        reason: String,
    },
    NotRun,
}

impl State {
    pub fn word(&self) -> &'static str {
        match self {
            State::Done { .. } => "done",
            State::Stale { .. } => "stale",
            State::Failed { .. } => "failed",
            State::NotRun => "not-run",
        }
    }

    /// The reasons shown beside the word.
    pub fn reasons(&self) -> Vec<String> {
        match self {
            State::Done { code, manifest } => {
                let c = manifest.counts;
                vec![format!(
                    "exit {code}: {} records read, {} written, {} rejected",
                    c.read, c.written, c.rejected
                )]
            }
            State::Stale { changes, .. } => changes.clone(),
            State::Failed { code, reason } => vec![match code {
                Some(c) => format!("exit {c} ({}): {reason}", super::meaning(*c)),
                None => reason.clone(),
            }],
            State::NotRun => vec!["no finished run in the output directory".into()],
        }
    }

    /// The finished manifest, current or not.
    pub fn manifest(&self) -> Option<&Manifest> {
        match self {
            State::Done { manifest, .. } | State::Stale { manifest, .. } => Some(manifest),
            _ => None,
        }
    }
}

/// The exit status a finished run had, from its manifest (CONTRACT.md).
pub fn finished_code(m: &Manifest) -> u8 {
    if m.counts.rejected > 0 || !m.unmapped.is_empty() || !m.nonstandard.is_empty() {
        3
    } else {
        0
    }
}

/// A regular file's text (never through a symlink); None when absent or not one.
fn read_regular(path: &Path) -> Option<String> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.file_type().is_file() || m.len() > 256 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The finished manifest in `out`, if there is one ikou can read.
pub fn finished(out: &Path) -> Option<Manifest> {
    read_regular(&out.join(manifest::FILE_NAME)).and_then(|t| Manifest::from_json(&t).ok())
}

/// The state of `job`.
pub fn job_state(batch: &Batch, job: &JobSpec) -> State {
    let out = batch.out_dir(job);
    if let Some(m) = finished(&out) {
        let changes = match prepare(batch, job) {
            Ok(p) => changes(&p, &m),
            Err(e) => vec![format!("the job cannot be prepared now: {e}")],
        };
        return if changes.is_empty() {
            State::Done {
                code: finished_code(&m),
                manifest: Box::new(m),
            }
        } else {
            State::Stale {
                changes,
                manifest: Box::new(m),
            }
        };
    }
    if let Some(f) =
        read_regular(&out.join(FAILED)).and_then(|t| serde_json::from_str::<Failure>(&t).ok())
    {
        return State::Failed {
            code: Some(f.exit_status),
            reason: f.error,
        };
    }
    let traces = [
        crate::outdir::PREVIOUS,
        crate::outdir::OWNED,
        crate::outdir::LOCK,
    ];
    if traces
        .iter()
        .any(|t| std::fs::symlink_metadata(out.join(t)).is_ok())
    {
        return State::Failed {
            code: None,
            reason: "no manifest.json, but a run has started here: it was interrupted, or is running now".into(),
        };
    }
    State::NotRun
}

/// Every difference between what `p` would record and the finished manifest
/// `m` (empty: the job is current and may be skipped).
pub fn changes(p: &Prepared, m: &Manifest) -> Vec<String> {
    let mut c = Vec::new();
    let tool = manifest::Tool::this();
    if m.tool != tool {
        c.push(format!(
            "ikou version: {} {} then, {} now",
            m.tool.name, m.tool.version, tool.version
        ));
    }
    let want = crate::convert::recorded_options(&p.opts, &p.opts.map);
    if m.options.layout != want.layout {
        c.push(format!(
            "layout: {} then, {} now",
            m.options.layout, want.layout
        ));
    }
    if m.options.encoding != want.encoding {
        c.push(format!(
            "encoding: {} then, {} now",
            m.options.encoding, want.encoding
        ));
    }
    let keys: std::collections::BTreeSet<&String> =
        m.options.extra.keys().chain(want.extra.keys()).collect();
    for k in keys {
        let (a, b) = (m.options.extra.get(k), want.extra.get(k));
        if a != b {
            c.push(format!(
                "option {k}: {} then, {} now",
                a.map_or("(unset)", String::as_str),
                b.map_or("(unset)", String::as_str)
            ));
        }
    }
    // Inputs: the same files, in the same order, with the same contents.
    let then: Vec<&str> = m.inputs.iter().map(|i| i.path.as_str()).collect();
    let now: Vec<String> = p
        .inputs
        .iter()
        .map(|i| i.to_string_lossy().into_owned())
        .collect();
    if then != now {
        for n in &now {
            if !then.contains(&n.as_str()) {
                c.push(format!("input added: {n}"));
            }
        }
        for t in &then {
            if !now.iter().any(|n| n == t) {
                c.push(format!("input no longer listed: {t}"));
            }
        }
        if c.is_empty() {
            c.push("inputs: listed in another order".into());
        }
    } else {
        for (i, path) in m.inputs.iter().zip(&p.inputs) {
            match sha256_file(path) {
                Ok(h) if h == i.sha256 => {}
                Ok(_) => c.push(format!("input changed: {}", i.path)),
                Err(e) => c.push(format!("input cannot be read: {}: {e}", i.path)),
            }
        }
    }
    // Tables: the layout, the 外字 tables and the extension tables, by hash (the
    // built-in ones go with the ikou version).
    let mut want_tables = vec![(
        "layout".to_string(),
        p.opts.layout.origin.clone(),
        Ok(crate::output::hex(&Sha256::digest(&p.opts.layout.bytes))),
    )];
    for g in &p.opts.gaiji {
        want_tables.push((
            "gaiji".into(),
            g.to_string_lossy().into_owned(),
            sha256_file(g).map_err(|e| e.to_string()),
        ));
    }
    for f in p.opts.map.ext.map(|x| x.files()).unwrap_or_default() {
        want_tables.push(("charset-ext".into(), f.path.clone(), Ok(f.sha256.clone())));
    }
    let had: Vec<_> = m
        .tables
        .iter()
        .filter(|t| matches!(t.kind.as_str(), "layout" | "gaiji" | "charset-ext"))
        .collect();
    for (kind, path, sha) in &want_tables {
        let label = table_label(kind);
        match (had.iter().find(|t| &t.kind == kind && &t.path == path), sha) {
            (None, _) => c.push(format!("{label} added: {path}")),
            (Some(_), Err(e)) => c.push(format!("{label} cannot be read: {path}: {e}")),
            (Some(t), Ok(h)) if &t.sha256 != h => c.push(format!("{label} changed: {path}")),
            _ => {}
        }
    }
    for t in &had {
        if !want_tables
            .iter()
            .any(|(k, p, _)| k == &t.kind && p == &t.path)
        {
            c.push(format!(
                "{} no longer used: {}",
                table_label(&t.kind),
                t.path
            ));
        }
    }
    let want_order: Vec<(&str, &str)> = want_tables
        .iter()
        .map(|(k, p, _)| (k.as_str(), p.as_str()))
        .collect();
    let had_order: Vec<(&str, &str)> = had
        .iter()
        .map(|t| (t.kind.as_str(), t.path.as_str()))
        .collect();
    if c.is_empty() && want_order != had_order {
        // A later 外字 table may replace an earlier one's lines: order matters.
        c.push("tables: listed in another order".into());
    }
    // What was written is still there as written (sizes; `ikou verify` checks
    // the hashes).
    let out = &p.opts.out_dir;
    for f in m.outputs.iter().chain(&m.rejects).chain(m.report.as_ref()) {
        let ok = std::fs::symlink_metadata(out.join(&f.path))
            .is_ok_and(|md| md.file_type().is_file() && md.len() == f.bytes);
        if !ok {
            c.push(format!(
                "output missing or changed since it was written: {}",
                f.path
            ));
        }
    }
    c
}

fn table_label(kind: &str) -> &'static str {
    match kind {
        "layout" => "layout",
        "gaiji" => "外字 table",
        "charset-ext" => "MJ+ extension table",
        _ => "table",
    }
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(crate::output::hex(&h.finalize()))
}

/// One job's line in `batch status`.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub index: usize,
    pub id: String,
    pub municipality: String,
    pub area: String,
    pub out: PathBuf,
    pub state: State,
}

/// The state of every job, in file order.
pub fn all(batch: &Batch) -> Vec<JobStatus> {
    batch
        .jobs
        .iter()
        .map(|j| JobStatus {
            index: j.index,
            id: j.id.clone(),
            municipality: j.municipality.clone(),
            area: j.area.clone(),
            out: batch.out_dir(j),
            state: job_state(batch, j),
        })
        .collect()
}

/// The JSON form of `batch status --json`.
pub fn to_json(list: &[JobStatus]) -> serde_json::Value {
    let jobs: Vec<_> = list
        .iter()
        .map(|s| {
            serde_json::json!({
                "index": s.index,
                "id": s.id,
                "municipality": s.municipality,
                "area": s.area,
                "out": s.out.to_string_lossy(),
                "state": s.state.word(),
                "exit_status": match &s.state {
                    State::Done { code, .. } => Some(*code),
                    State::Failed { code, .. } => *code,
                    _ => None,
                },
                "reasons": s.state.reasons(),
            })
        })
        .collect();
    let count = |w: &str| list.iter().filter(|s| s.state.word() == w).count();
    serde_json::json!({
        "jobs": jobs,
        "summary": {
            "done": count("done"),
            "stale": count("stale"),
            "failed": count("failed"),
            "not-run": count("not-run"),
        }
    })
}
