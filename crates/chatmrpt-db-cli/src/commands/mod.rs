//! One module per subcommand.

pub mod adopt;
pub mod backfill;
mod migrate;
mod status;
pub mod verify;

use std::process::ExitCode;

use chatmrpt_db::{Result, Store};

use crate::args::{Cli, Command};
use crate::target;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Only the commands that use the configured store read the configuration:
    // adopt, backfill and verify name their stores explicitly.
    let configured = || -> Result<Store> {
        Store::open(&target::resolve(
            cli.config.as_deref(),
            cli.database.as_deref(),
        )?)
    };
    match cli.command {
        Command::Migrate => migrate::run(&configured()?),
        Command::Status { json } => status::run(&configured()?, json),
        Command::Adopt(args) => Ok(adopt::run(&args)),
        Command::Backfill(args) => Ok(backfill::run(&args)),
        Command::Verify(args) => Ok(verify::run(&args)),
    }
}

/// Prints a one-line, password-free cause on stderr; returns exit code 2.
pub fn fail(cause: &str) -> ExitCode {
    let cause = cause.split_whitespace().collect::<Vec<_>>().join(" ");
    eprintln!("error: {}", chatmrpt_db::secret::redact(&cause));
    ExitCode::from(2)
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| chatmrpt_db::Error::Database {
        store: "output",
        source: Box::new(e),
    })?;
    println!("{text}");
    Ok(())
}
