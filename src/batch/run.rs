//! `batch run`: converts each job that is not current, in this process (the
//! library's convert, never a subprocess), one job or all of them with bounded
//! concurrency.

use super::jobs::{Batch, JobSpec};
use super::status::{self, FAILED, Failure};
use super::{exit_code, prepare};
use crate::convert::convert;
use crate::error::Error;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What happened to one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Converted,
    /// Its output directory already held a current finished run.
    Skipped,
    Failed,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub index: usize,
    pub id: String,
    pub action: Action,
    /// The job's exit status (see [`super`]).
    pub code: u8,
    pub message: String,
}

impl Outcome {
    /// The job's line on stderr.
    pub fn line(&self) -> String {
        let what = match self.action {
            Action::Converted => "converted",
            Action::Skipped => "skipped (current)",
            Action::Failed => "failed",
        };
        format!(
            "ikou batch: job {} {}: {what}, exit {} ({}): {}",
            self.index,
            self.id,
            self.code,
            super::meaning(self.code),
            self.message
        )
    }
}

/// Runs one job. `threads`: worker threads of its convert unless the job sets
/// its own. `force`: convert even when current.
pub fn run_job(batch: &Batch, job: &JobSpec, threads: usize, force: bool) -> Outcome {
    let out = batch.out_dir(job);
    let fail = |e: Error| {
        let code = exit_code(&e);
        let message = e.to_string();
        // The output directory says why for `batch status`; a record that cannot
        // be written only costs that (the message is on stderr too).
        record_failure(&out, code, &message);
        Outcome {
            index: job.index,
            id: job.id.clone(),
            action: Action::Failed,
            code,
            message,
        }
    };
    let mut p = match prepare(batch, job) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if !force
        && let Some(m) = status::finished(&out)
        && status::changes(&p, &m).is_empty()
    {
        let c = m.counts;
        return Outcome {
            index: job.index,
            id: job.id.clone(),
            action: Action::Skipped,
            code: status::finished_code(&m),
            message: format!(
                "{} records read, {} written, {} rejected",
                c.read, c.written, c.rejected
            ),
        };
    }
    if job.threads.is_none() {
        p.opts.jobs = threads;
    }
    match convert(&p.opts, &p.inputs) {
        Ok(r) => {
            clear_failure(&out);
            let c = r.manifest.counts;
            Outcome {
                index: job.index,
                id: job.id.clone(),
                action: Action::Converted,
                code: r.exit_code() as u8,
                message: format!(
                    "{} records read, {} written, {} rejected; {}",
                    c.read,
                    c.written,
                    c.rejected,
                    out.join(crate::report::FILE_NAME).display()
                ),
            }
        }
        Err(e) => fail(e),
    }
}

/// Writes the failure record into `out` (created if missing: it is the job's).
fn record_failure(out: &Path, code: u8, error: &str) {
    let f = Failure {
        exit_status: code,
        error: error.to_string(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let Ok(json) = serde_json::to_string_pretty(&f) else {
        return;
    };
    if !ikou_may_write(out) || std::fs::create_dir_all(out).is_err() {
        return;
    }
    // Renamed into place: a symlink planted under the name is replaced, never
    // followed.
    let _ = crate::output::write_atomic(&out.join(FAILED), json.as_bytes());
}

/// Whether `out` is missing, empty, or holds a run of ikou (its manifest or its
/// hidden files): a directory of someone else's files (which convert refused)
/// gets no file from ikou.
fn ikou_may_write(out: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(out) else {
        return !out.exists();
    };
    let names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.is_empty()
        || names.iter().any(|n| {
            n == crate::manifest::FILE_NAME || n.starts_with(crate::outdir::RESERVED_PREFIX)
        })
}

/// Removes the failure record (a regular file only).
fn clear_failure(out: &Path) {
    let p = out.join(FAILED);
    if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_file()) {
        let _ = std::fs::remove_file(p);
    }
}

/// Runs every job, at most `concurrent` at once, each convert with `threads`
/// workers (default: its share of the CPUs). Outcomes in file order.
pub fn run_all(
    batch: &Batch,
    concurrent: usize,
    threads: Option<usize>,
    force: bool,
) -> Vec<Outcome> {
    let n = batch.jobs.len();
    let concurrent = concurrent.clamp(1, n.max(1));
    let cpus = std::thread::available_parallelism().map_or(1, |c| c.get());
    let threads = threads
        .unwrap_or(cpus / concurrent)
        .clamp(1, crate::parallel::Workers::MAX_JOBS);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; n]);
    std::thread::scope(|s| {
        for _ in 0..concurrent {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = batch.jobs.get(i) else { break };
                    let o = run_job(batch, job, threads, force);
                    // A poisoned lock means another worker panicked; its
                    // outcome is missing and reported below.
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(o);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or_else(|| Outcome {
                index: i,
                id: batch.jobs[i].id.clone(),
                action: Action::Failed,
                code: 1,
                message: "the job stopped unexpectedly (a bug in ikou); run it again with --index"
                    .into(),
            })
        })
        .collect()
}
