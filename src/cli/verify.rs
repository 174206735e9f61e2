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
}

pub fn run(a: Args) -> u8 {
    if !a.dir.is_dir() {
        eprintln!("ikou: error: {}: no such directory", a.dir.display());
        return 2;
    }
    match verify(&a.dir, a.inputs) {
        Ok(rep) if rep.ok() => {
            println!(
                "OK: {} files match {}",
                rep.files_checked,
                a.dir.join("manifest.json").display()
            );
            0
        }
        Ok(rep) => {
            for p in &rep.problems {
                println!("FAIL: {p}");
            }
            println!("{} problems in {}", rep.problems.len(), a.dir.display());
            1
        }
        Err(e @ (VerifyError::NoManifest(_) | VerifyError::BadManifest { .. })) => {
            println!("FAIL: {e}");
            1
        }
    }
}
