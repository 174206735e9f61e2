//! `ikou batch`: many conversions listed in one work list (JOBS.toml).
//!
//! [`jobs`] parses the list → [`prepare`] turns one job into the library's
//! [`ConvertOptions`] and its input files → [`status`] compares them with what the
//! job's output directory holds (done, stale, failed, not run) → [`run`] converts
//! what is not current, each job through [`crate::convert::convert`] in this
//! process → [`rollup`] reads every finished manifest into one page and JSON;
//! [`slurm`] writes the sbatch script for running the list as a job array.
//!
//! Exit status of one job (CONTRACT.md's, made finer for schedulers):
//! 0 done, every record converted; 3 done with rejected records or unmapped 外字,
//! or the data cannot be converted (permanent); 2 configuration (the JOBS entry, a
//! layout or a table; permanent); 1 I/O (worth retrying).

pub mod jobs;
pub mod rollup;
pub mod run;
pub mod slurm;
pub mod status;

use crate::convert::ConvertOptions;
use crate::error::Error;
use jobs::{Batch, JobSpec, LayoutRef};
use std::path::PathBuf;

/// A job ready to run or to compare with its output directory.
pub struct Prepared {
    pub opts: ConvertOptions,
    pub inputs: Vec<PathBuf>,
}

/// Loads the job's layout and extension tables and expands its inputs. Err:
/// exit 2 for anything in the job's configuration (see [`exit_code`]).
pub fn prepare(batch: &Batch, job: &JobSpec) -> Result<Prepared, Error> {
    let layout = match &job.layout {
        LayoutRef::Path(p) => {
            let path = batch.resolve(p);
            crate::layout::load(&path.to_string_lossy())?
        }
        LayoutRef::Bundled(name) => crate::layout::load(name)?,
    };
    let inputs = batch.inputs(job)?;
    let mut opts = ConvertOptions::new(layout, batch.out_dir(job));
    opts.encoding = job.encoding;
    opts.gaiji = job.gaiji.iter().map(|g| batch.resolve(g)).collect();
    opts.allow_empty = job.allow_empty;
    opts.skip_encoding_check = job.skip_encoding_check;
    opts.rejects_bom = job.rejects_bom;
    opts.chunk_bytes = job.chunk_bytes;
    opts.max_record = job.max_record;
    if let Some(t) = job.threads {
        opts.jobs = t;
    }
    let mut map = job.map.options();
    if !job.charset_ext.is_empty() {
        let paths: Vec<PathBuf> = job.charset_ext.iter().map(|p| batch.resolve(p)).collect();
        let ext = crate::charset::ext::CharsetExt::read_all(&paths)?;
        // MapOptions holds the extension by 'static reference (it stays Copy);
        // one per job, read once, for the life of the process.
        map.ext = Some(Box::leak(Box::new(ext)));
    }
    opts.map = map;
    Ok(Prepared { opts, inputs })
}

/// The exit status of a job that stopped with `e`: configuration 2, data 3
/// (permanent: a retry gives the same), I/O 1 (a retry may succeed).
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Usage(_) | Error::Config(_) => 2,
        Error::Input { .. } | Error::Stopped(_) => 3,
        Error::Io { .. } => 1,
    }
}

/// What an exit status means, for messages and JSON.
pub fn meaning(code: u8) -> &'static str {
    match code {
        0 => "ok",
        3 => "data: rejects, unmapped 外字 or unconvertible input; permanent",
        2 => "configuration; permanent",
        1 => "I/O; retryable",
        _ => "failed",
    }
}

/// The overall status of several jobs: the one that most needs a person first.
/// 2 (configuration) over 1 (I/O: retrying the run retries only what is not
/// done) over 3 (data) over 0.
pub fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    let rank = |c: u8| match c {
        0 => 0,
        3 => 1,
        1 => 2,
        _ => 3,
    };
    codes.into_iter().max_by_key(|&c| rank(c)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_prefers_configuration_then_io_then_data() {
        assert_eq!(worst([0, 3, 0]), 3);
        assert_eq!(worst([3, 1, 0]), 1);
        assert_eq!(worst([1, 2, 3]), 2);
        assert_eq!(worst([]), 0);
    }

    #[test]
    fn io_is_retryable_data_is_not() {
        let io = Error::io(std::path::Path::new("x"), "h")(std::io::Error::other("e"));
        assert_eq!(exit_code(&io), 1);
        assert_eq!(
            exit_code(&Error::input(std::path::Path::new("x"), "bad")),
            3
        );
        assert_eq!(exit_code(&Error::Config("c".into())), 2);
    }
}
