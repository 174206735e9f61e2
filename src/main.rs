//! The `ikou` command: a thin layer over the library (see `ikou::convert` and friends).

mod cli;

fn main() -> std::process::ExitCode {
    // cmd.exe passes `*.csv` as typed: wild expands it on Windows, as a Unix shell
    // would (it is std::env::args_os elsewhere, where the shell has expanded it).
    cli::main(wild::args_os())
}
