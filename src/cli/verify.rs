//! `ikou verify`.

use ikou::manifest::{VerifyError, verify};
use std::path::PathBuf;

/// Re-check a finished run against DIR/manifest.json.
///
/// Re-hashes every output and reject file, recounts their records and checks
/// that read = written + rejected. Opens only plain file names inside DIR, and
/// only regular files: a path in the manifest that leads outside DIR, a
/// symbolic link, a FIFO, a device or a directory is reported, never opened.
/// Each file is read once, in parallel, in bounded memory. Exit 0: the run is
/// as recorded; 1: a file is missing, changed or refused, the counts disagree,
/// or there is no usable manifest (the run did not finish); 2: DIR does not
/// exist.
#[derive(clap::Args)]
pub struct Args {
    /// The output directory of an `ikou convert` run.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Also re-hash the inputs at their recorded paths (regular files only; a
    /// link the user named is followed), and check that every rejected record
    /// is the input's bytes at its recorded offset.
    #[arg(long)]
    inputs: bool,
    /// Print only the problems (nothing when the run is as recorded): the exit status
    /// says the rest.
    #[arg(short, long, conflicts_with = "json")]
    quiet: bool,
    /// Print the result as JSON on stdout: {"ok", "files_checked", "problems"}.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> u8 {
    if !a.dir.is_dir() {
        eprintln!("ikou: error: {}: no such directory", a.dir.display());
        return 2;
    }
    // `read`: the manifest was read (else the one problem is that it could not be).
    let (read, files_checked, problems) = match verify(&a.dir, a.inputs) {
        Ok(rep) => (true, rep.files_checked, rep.problems),
        Err(e @ (VerifyError::NoManifest(_) | VerifyError::BadManifest { .. })) => {
            (false, 0, vec![e.to_string()])
        }
    };
    let ok = problems.is_empty();
    let text = if a.json {
        let v = serde_json::json!({
            "ok": ok,
            "files_checked": files_checked,
            "problems": problems,
        });
        match serde_json::to_string_pretty(&v) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ikou: error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else {
        let mut t = String::new();
        for p in &problems {
            t.push_str(&format!("FAIL: {p}\n"));
        }
        if !a.quiet {
            if ok {
                t.push_str(&format!(
                    "OK: {files_checked} files match {}\n",
                    a.dir.join("manifest.json").display()
                ));
            } else if read {
                t.push_str(&format!(
                    "{} problems in {}\n",
                    problems.len(),
                    a.dir.display()
                ));
            }
        }
        t
    };
    let code = if ok { 0 } else { 1 };
    match super::stdout::write(text.as_bytes()) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}
