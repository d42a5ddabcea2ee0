//! Running the `chatmrpt-db` binary as a user would, in a given directory,
//! with no configuration leaking in from the test's environment.
#![allow(dead_code, reason = "each test file uses part of the helpers")]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// `chatmrpt-db ARGS` in `dir`, ready to run (more settings can be added).
pub fn command<S: AsRef<OsStr>>(args: &[S], dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatmrpt-db"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CHATMRPT_DB_BACKEND")
        .env_remove("CHATMRPT_DB_POSTGRES_URL")
        .env_remove("CHATMRPT_DB_STAGE");
    command
}

/// Runs `chatmrpt-db ARGS` in `dir`.
pub fn chatmrpt_db<S: AsRef<OsStr>>(args: &[S], dir: &Path) -> Output {
    command(args, dir).output().unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
