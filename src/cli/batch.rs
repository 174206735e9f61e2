//! `ikou batch run|status|report|slurm`.

use super::args::jobs_parser;
use ikou::batch::{self, jobs, rollup, run, slurm, status};
use std::path::PathBuf;

/// Run a work list (JOBS.toml) of many conversions: on this machine, as a Slurm
/// job array, a Kubernetes Indexed Job, or from a job net.
///
/// JOBS.toml lists jobs ([[jobs]]: id, municipality, area, inputs as paths or
/// globs relative to the JOBS file, and optionally out, layout, encoding, gaiji,
/// charset_ext, ivs, unmapped, variants, nfc_safe, charset, rejects_excel,
/// allow_empty, skip_encoding_check, chunk_bytes, max_record_bytes, threads);
/// [defaults] holds the same settings for every job, and out_root (a job without
/// out writes into out_root/<id>). Unknown keys are errors.
///
/// Exit status of a job: 0 done; 3 done with rejected records or unmapped 外字, or
/// data that cannot be converted; 2 configuration; 1 I/O error (the only one worth
/// retrying). Several jobs: the first of 2, 1, 3, 0 that any job had.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  ikou batch run JOBS.toml --jobs 4\n  ikou batch run JOBS.toml --index 3\n  ikou batch status JOBS.toml --json\n  ikou batch report JOBS.toml --out rollup\n  ikou batch slurm JOBS.toml --max-parallel 8 --log-dir /shared/logs > ikou.sbatch && sbatch ikou.sbatch"
)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Run(RunArgs),
    Status(StatusArgs),
    Report(ReportArgs),
    Slurm(SlurmArgs),
}

/// Convert the jobs that are not current (a job whose output directory holds a
/// finished run of the same inputs, tables, layout, options and ikou version is
/// skipped). With --index (or SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX) one
/// job; without, all, --jobs at a time. One line per job on stderr.
#[derive(clap::Args)]
struct RunArgs {
    /// The work list.
    #[arg(value_name = "JOBS.toml")]
    jobs_file: PathBuf,
    /// Run only the job at this position (from 0). Default: $SLURM_ARRAY_TASK_ID,
    /// else $JOB_COMPLETION_INDEX, else every job.
    #[arg(long, value_name = "N")]
    index: Option<usize>,
    /// Jobs converted at once (1 to 256) [default: the number of CPUs].
    #[arg(long, short = 'j', value_name = "N", value_parser = jobs_parser())]
    jobs: Option<usize>,
    /// Worker threads of each job's convert (1 to 256) [default: the CPUs shared
    /// out among the jobs running at once]. Never changes the output.
    #[arg(long, value_name = "N", value_parser = jobs_parser())]
    threads: Option<usize>,
    /// Convert even the jobs that are current.
    #[arg(long)]
    force: bool,
}

/// Show each job as done, stale (with what changed), failed (with why) or not run.
/// Exit 0 when every job is done, 1 otherwise, 2 when the JOBS file is unusable.
#[derive(clap::Args)]
struct StatusArgs {
    #[arg(value_name = "JOBS.toml")]
    jobs_file: PathBuf,
    /// Print {"jobs": [{index, id, municipality, area, out, state, exit_status,
    /// reasons}], "summary": {...}} on stdout.
    #[arg(long)]
    json: bool,
}

/// Write one roll-up page (rollup.html, Japanese, self-contained) and rollup.json
/// over every job: records, rejects by reason, unmapped 外字 and nonstandard
/// characters per municipality and business area, each job's report.html linked.
#[derive(clap::Args)]
struct ReportArgs {
    #[arg(value_name = "JOBS.toml")]
    jobs_file: PathBuf,
    /// Directory for rollup.html and rollup.json (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Print an sbatch script running the JOBS file as a Slurm job array
/// (--array=0-N%K), each task `ikou batch run JOBS --index $SLURM_ARRAY_TASK_ID`
/// with this ikou and the JOBS file by absolute path.
#[derive(clap::Args)]
struct SlurmArgs {
    #[arg(value_name = "JOBS.toml")]
    jobs_file: PathBuf,
    /// At most K tasks at once (%K).
    #[arg(long, value_name = "K")]
    max_parallel: Option<usize>,
    #[arg(long, value_name = "P")]
    partition: Option<String>,
    #[arg(long, value_name = "A")]
    account: Option<String>,
    /// Time limit per task (sbatch --time).
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// Memory per task (sbatch --mem).
    #[arg(long, value_name = "M")]
    mem: Option<String>,
    /// CPUs per task; also each job's worker threads.
    #[arg(long, value_name = "N")]
    cpus_per_task: Option<usize>,
    /// Directory for the tasks' logs (ikou-<array id>_<task>.out).
    #[arg(long, value_name = "DIR")]
    log_dir: Option<PathBuf>,
    #[arg(long, value_name = "NAME")]
    job_name: Option<String>,
}

pub fn run(a: Args) -> u8 {
    match a.command {
        Sub::Run(a) => run_cmd(a),
        Sub::Status(a) => status_cmd(a),
        Sub::Report(a) => report_cmd(a),
        Sub::Slurm(a) => slurm_cmd(a),
    }
}

/// The index from the flag, else from the schedulers' variables. Err: a message.
fn index(flag: Option<usize>) -> Result<Option<(usize, &'static str)>, String> {
    if let Some(i) = flag {
        return Ok(Some((i, "--index")));
    }
    for var in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
        if let Some(v) = std::env::var_os(var) {
            let v = v.to_string_lossy();
            let n = v
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("${var} is {v:?}, not a job index"))?;
            return Ok(Some((n, var)));
        }
    }
    Ok(None)
}

fn run_cmd(a: RunArgs) -> u8 {
    let b = match jobs::load(&a.jobs_file) {
        Ok(b) => b,
        Err(e) => return super::fail(&e),
    };
    let cpus = std::thread::available_parallelism().map_or(1, |c| c.get());
    match index(a.index) {
        Err(m) => {
            eprintln!("ikou: error: {m}");
            2
        }
        Ok(Some((i, from))) => {
            let Some(job) = b.jobs.get(i) else {
                eprintln!(
                    "ikou: error: {from} {i}: {} lists {} jobs (0 to {})",
                    a.jobs_file.display(),
                    b.jobs.len(),
                    b.jobs.len() - 1
                );
                return 2;
            };
            let o = run::run_job(&b, job, a.threads.unwrap_or(cpus), a.force);
            eprintln!("{}", o.line());
            o.code
        }
        Ok(None) => {
            let outcomes = run::run_all(&b, a.jobs.unwrap_or(cpus), a.threads, a.force);
            for o in &outcomes {
                eprintln!("{}", o.line());
            }
            let code = batch::worst(outcomes.iter().map(|o| o.code));
            let n = |x: run::Action| outcomes.iter().filter(|o| o.action == x).count();
            eprintln!(
                "ikou batch: {} jobs: {} converted, {} skipped (current), {} failed; exit {code} ({})",
                outcomes.len(),
                n(run::Action::Converted),
                n(run::Action::Skipped),
                n(run::Action::Failed),
                batch::meaning(code)
            );
            code
        }
    }
}

fn status_cmd(a: StatusArgs) -> u8 {
    let b = match jobs::load(&a.jobs_file) {
        Ok(b) => b,
        Err(e) => return super::fail(&e),
    };
    let list = status::all(&b);
    let all_done = list
        .iter()
        .all(|s| matches!(s.state, status::State::Done { .. }));
    let text = if a.json {
        match serde_json::to_string_pretty(&status::to_json(&list)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ikou: error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else {
        let mut s = String::new();
        for j in &list {
            s.push_str(&format!(
                "{:>4}  {:<8} {}  ({} {})  {}\n",
                j.index,
                j.state.word(),
                j.id,
                j.municipality,
                j.area,
                j.out.display()
            ));
            for r in j.state.reasons() {
                s.push_str(&format!("        {r}\n"));
            }
        }
        s
    };
    if let Err(code) = super::stdout::write(text.as_bytes()) {
        return code;
    }
    if all_done { 0 } else { 1 }
}

fn report_cmd(a: ReportArgs) -> u8 {
    let b = match jobs::load(&a.jobs_file) {
        Ok(b) => b,
        Err(e) => return super::fail(&e),
    };
    match rollup::write(&b, &a.out) {
        Ok(r) => {
            let done = r.jobs.iter().filter(|j| j.state == "done").count();
            eprintln!(
                "ikou batch: {} ({} of {} jobs done): {}",
                a.out.join(rollup::HTML_NAME).display(),
                done,
                r.jobs.len(),
                a.out.join(rollup::JSON_NAME).display()
            );
            0
        }
        Err(e) => super::fail(&e),
    }
}

fn slurm_cmd(a: SlurmArgs) -> u8 {
    let b = match jobs::load(&a.jobs_file) {
        Ok(b) => b,
        Err(e) => return super::fail(&e),
    };
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ikou: error: cannot find the path of this ikou binary: {e}");
            return 1;
        }
    };
    let log_dir = match a.log_dir.map(std::path::absolute).transpose() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ikou: error: --log-dir: {e}");
            return 2;
        }
    };
    let o = slurm::Options {
        max_parallel: a.max_parallel,
        partition: a.partition,
        account: a.account,
        time: a.time,
        mem: a.mem,
        cpus_per_task: a.cpus_per_task,
        log_dir,
        job_name: a.job_name,
    };
    match slurm::script(&exe, &b.path, b.jobs.len(), &o) {
        Ok(s) => match super::stdout::write(s.as_bytes()) {
            Ok(()) => 0,
            Err(c) => c,
        },
        Err(e) => super::fail(&e),
    }
}
