//! `ikou mj`.

/// Look up an MJ glyph and print every code it has.
///
/// QUERY: an MJ文字図形名 (MJ012345), a 住基ネット統一文字コード (J+6F22), a
/// 戸籍統一文字番号 (123450 or KOSEKI:123450), a character, an IVS sequence, or code
/// points (U+845B, U+845B U+E0100). Prints what `--ivs keep` and `--ivs never` would
/// write, and the MJ縮退マップ candidates with their tables. Exit 0 found, 1 not found.
#[derive(clap::Args)]
pub struct Args {
    /// What to look up (quote it if it holds a space).
    #[arg(value_name = "QUERY", num_args = 1.., required = true)]
    query: Vec<String>,
}

pub fn run(a: Args) -> u8 {
    match ikou::mj::query::describe(&a.query.join(" ")) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("ikou: {e}");
            1
        }
    }
}
