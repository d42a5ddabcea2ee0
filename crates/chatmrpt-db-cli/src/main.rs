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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        // The chain may quote a driver message: `fail` redacts and flattens it.
        Err(err) => commands::fail(&chatmrpt_db::error::error_chain(&err)),
    }
}

/// clap's refusal of the command line as one line on stderr, exit 2; help
/// and version requests print as clap renders them.
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _printed = err.print();
        return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
    }
    eprintln!("{} (see --help)", one_line(&err.render().to_string()));
    ExitCode::from(2)
}

/// clap's message up to its usage block, on one line: `error: ...`, then
/// what clap lists under it (missing arguments) and its tips.
fn one_line(rendered: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    if parts.is_empty() {
        "error: invalid command line".to_owned()
    } else {
        parts.join(" ")
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
