//! Writing a command's output to stdout without panicking.
//!
//! `print!` panics when stdout is closed early (`ikou mj 葛 | head -1`, or
//! `ikou completions bash | source /dev/stdin` failing): a closed pipe means the
//! reader has what it wanted, so ikou stops quietly; any other write error is reported.

use std::io::{ErrorKind, Write};

/// Writes `bytes` to stdout. A closed pipe is not an error: the command's exit status
/// stays what its work decided (`mappings check … | head -1` still fails on a bad
/// table). Any other write error is reported, and its exit status (1) returned.
pub fn write(bytes: &[u8]) -> Result<(), u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("ikou: error: cannot write to stdout: {e}");
            Err(1)
        }
    }
}
