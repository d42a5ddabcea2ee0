//! Standard output that a closed pipe cannot crash.
//!
//! `println!` panics when stdout is gone (`chatmrpt-db grants | head -c 10`).
//! Every line the commands print goes through [`write`] instead: a write
//! that fails because the reader went away ends the process at once and
//! quietly with [`CLOSED_STDOUT`], the code a shell reports for a process
//! ended by SIGPIPE (nothing is left half-done: commands print after they
//! have acted). No signal handling is needed, so no `unsafe` code.

use std::io::Write;

/// The exit code when stdout was closed under the command: 128 + SIGPIPE.
pub const CLOSED_STDOUT: i32 = 141;

/// Writes `text` to stdout, flushing; ends the process quietly when the
/// reader is gone.
pub fn write(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if out.write_fmt(text).and_then(|()| out.flush()).is_err() {
        std::process::exit(CLOSED_STDOUT);
    }
}
