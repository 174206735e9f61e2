//! Builds the mainframe code tables the tool embeds (`mappings/mainframe/`) from
//! the CC0 mapping files of jef4j and the IVD Moji_Joho collection.
//!
//! Usage: `ikou-mainframe-import <MAINFRAME_DIR> <IVD_MOJI_JOHO_TSV> <OUT_DIR>`, e.g.
//! `cargo run --release --bin ikou-mainframe-import -- ../shared/mainframe
//! ../shared/mj/ivd_moji_joho.tsv mappings/mainframe`.
//! Deterministic: the same inputs give the same bytes. See `ikou::decode::mainframe_import`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [src, ivd, out] = args.as_slice() else {
        eprintln!(
            "usage: ikou-mainframe-import <MAINFRAME_DIR> <IVD_MOJI_JOHO_TSV> <OUT_DIR>\n\
             MAINFRAME_DIR holds jef4j's *_mapping.json files; the tables are written into OUT_DIR."
        );
        return ExitCode::from(2);
    };
    match ikou::decode::mainframe_import::import_to(
        &PathBuf::from(src),
        &PathBuf::from(ivd),
        &PathBuf::from(out),
    ) {
        Ok(files) => {
            for (name, bytes) in files {
                eprintln!("{out}/{name}: {bytes} bytes");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ikou-mainframe-import: {e}");
            ExitCode::FAILURE
        }
    }
}
