//! `ikou mj`.

use ikou::mj::query::{QueryError, describe, describe_json, split_queries};

/// Look up MJ glyphs and print every code each has.
///
/// QUERY: an MJ文字図形名 (MJ012345), a 住基ネット統一文字コード (J+6F22), a
/// 戸籍統一文字番号 (123450 or KOSEKI:123450), a character, an IVS sequence, or code
/// points (U+845B, U+845B U+E0100). Codes may be typed in either case and in full-width
/// characters (ｍｊ０１２３４５, Ｊ＋６Ｆ２２), as in a 外字 table. Each argument is one
/// query (`ikou mj 髙 﨑` looks up both); a variation selector joins the argument before
/// it (`ikou mj U+845B U+E0100` is one IVS). Prints what `--ivs keep` and `--ivs never`
/// would write, and the MJ縮退マップ candidates with their tables.
#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 every query found; 1 some query matches no glyph; 2 some query is not in any accepted form.\n\nExamples:\n  ikou mj 髙 﨑\n  ikou mj mj022335 j+aeac koseki:123450\n  ikou mj --json U+845B U+E0100"
)]
pub struct Args {
    /// What to look up: one query per argument.
    #[arg(value_name = "QUERY", num_args = 1.., required = true)]
    query: Vec<String>,
    /// Print nothing on stdout: the exit status says whether every query was found
    /// (errors still go to stderr).
    #[arg(short, long, conflicts_with = "json")]
    quiet: bool,
    /// Print the glyphs as JSON on stdout: an array with one object per query.
    #[arg(long)]
    json: bool,
    /// MJ+ extension tables: GJ###### queries (and their code points) are answered
    /// from them.
    #[command(flatten)]
    ext: super::args::ExtArgs,
}

pub fn run(a: Args) -> u8 {
    let mut code = 0u8;
    let mut texts = Vec::new();
    let mut values = Vec::new();
    let ext = match a.ext.load() {
        Ok(x) => x,
        Err(e) => return super::fail(&e),
    };
    for q in split_queries(&a.query) {
        // --- MJ+ extension: a GJ id, or an entry's code points ---
        if let Some(found) = ext.and_then(|x| ikou::mj::query::ext_entry(&q, x)) {
            match found {
                Ok(e) if a.json => values.push(ikou::mj::query::describe_ext_json(&q, e)),
                Ok(e) => texts.push(ikou::mj::query::describe_ext(e)),
                Err(e) => {
                    eprintln!("ikou: {e}");
                    code = code.max(1);
                }
            }
            continue;
        }
        let found = if a.json {
            describe_json(&q).map(|v| values.push(v))
        } else {
            describe(&q).map(|t| texts.push(t))
        };
        if let Err(e) = found {
            // The message is Japanese throughout: no English "error:" inside it.
            eprintln!("ikou: {e}");
            code = code.max(match e {
                QueryError::Syntax { .. } => 2,
                QueryError::NotFound { .. } => 1,
            });
        }
    }
    if a.quiet {
        return code;
    }
    let text = if a.json {
        match serde_json::to_string_pretty(&values) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("ikou: error: cannot write JSON: {e}");
                return 1;
            }
        }
    } else {
        texts.join("\n")
    };
    match super::stdout::write(text.as_bytes()) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}
