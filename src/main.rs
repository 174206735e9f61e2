//! The `ikou` command: a thin layer over the library (see `ikou::convert` and friends).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
