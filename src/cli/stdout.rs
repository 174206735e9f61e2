//! Writing a command's output to stdout without panicking.
//!
//! `print!` panics when stdout is closed early (`ikou mj 葛 | head -1`, or
//! `ikou completions bash | source /dev/stdin` failing): a closed pipe means the
//! reader has what it wanted, so ikou stops quietly; any other write error is reported.

use std::io::{ErrorKind, Write};

/// Writes `bytes` to stdout; returns the exit status to use when it fails (0 when the
/// reader closed the pipe, 1 on any other error).
pub fn write(bytes: &[u8]) -> Result<(), u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Err(0),
        Err(e) => {
            eprintln!("ikou: error: cannot write to stdout: {e}");
            Err(1)
        }
    }
}
