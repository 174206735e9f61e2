//! Builds the MJ tables the tool embeds (`mappings/`) from the public MJ tables.
//!
//! Usage: `ikou-mj-import <SOURCE_DIR> <MAPPINGS_DIR>`, e.g.
//! `cargo run --release --bin ikou-mj-import -- ../shared/mj mappings`.
//! Deterministic: the same inputs give the same bytes. See `ikou::mj::import`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [src, out] = args.as_slice() else {
        eprintln!(
            "usage: ikou-mj-import <SOURCE_DIR> <MAPPINGS_DIR>\n\
             SOURCE_DIR holds mji.tsv, mjsm.tsv and ivd_moji_joho.tsv; \
             the tables are written into MAPPINGS_DIR."
        );
        return ExitCode::from(2);
    };
    match ikou::mj::import::import_to(&PathBuf::from(src), &PathBuf::from(out)) {
        Ok(files) => {
            for (name, bytes) in files {
                eprintln!("{out}/{name}: {bytes} bytes");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ikou-mj-import: {e}");
            ExitCode::FAILURE
        }
    }
}
