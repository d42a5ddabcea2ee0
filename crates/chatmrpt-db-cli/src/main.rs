//! `chatmrpt-db`: manage the ChatMRPT interaction log from the shell.
//!
//! Exit codes: 0 on success, 2 on error with a one-line cause on stderr
//! (commands that compare stores use 1 for "they differ"); 141 when stdout
//! was closed under the command (`| head`), as for a process ended by SIGPIPE.

/// `println!` through [`output::write`]: a closed stdout ends the command
/// quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod args;
mod commands;
mod output;
mod target;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        // The chain may quote a driver message: `fail` redacts and flattens it.
        Err(err) => commands::fail(&chatmrpt_db::error::error_chain(&err)),
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHATMRPT_DB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
