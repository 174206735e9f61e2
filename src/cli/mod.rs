//! Command-line parsing and the text printed on stderr/stdout; the work itself is
//! in the library.

mod args;
mod batch;
mod convert;
mod docs;
mod hints;
mod identify;
mod layout;
mod layouts;
mod mappings;
mod mj;
mod profile;
mod reconcile;
mod stdout;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ikou",
    version,
    about = "ikou (移行): converts municipal data exports (中間標準レイアウト) to standard UTF-8, maps vendor 外字 to MJ glyphs, and keeps a checksummed audit trail",
    long_about = None,
    after_help = "Exit status: 0 every record converted; 3 finished, but some records were rejected or some 外字 unmapped;\n2 usage or configuration error; 1 I/O error or fatal input error.\nRuns offline: ikou never uses the network."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Convert(convert::Args),
    Verify(verify::Args),
    Mj(mj::Args),
    Profile(profile::Args),
    Mappings(mappings::Args),
    Identify(identify::Args),
    Layouts(layouts::Args),
    Layout(layout::Args),
    Batch(batch::Args),
    Reconcile(reconcile::Args),
    Completions(docs::CompletionsArgs),
    Manpage(docs::ManpageArgs),
}

/// Runs ikou with `args` (the program name first).
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = Cli::parse_from(args);
    let code = match cli.command {
        Command::Convert(a) => convert::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Mj(a) => mj::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Mappings(a) => mappings::run(a),
        Command::Identify(a) => identify::run(a),
        Command::Layouts(a) => layouts::run(a),
        Command::Layout(a) => layout::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Reconcile(a) => reconcile::run(a),
        Command::Completions(a) => docs::completions(a),
        Command::Manpage(a) => docs::manpage(a),
    };
    ExitCode::from(code)
}

/// Prints an error on stderr as `ikou: <message>` and returns its exit status.
fn fail(e: &ikou::Error) -> u8 {
    eprintln!("ikou: error: {e}");
    e.exit_code() as u8
}
