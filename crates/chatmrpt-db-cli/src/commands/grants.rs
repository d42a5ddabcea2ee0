//! `chatmrpt-db grants --role NAME`: the runtime role's privileges as SQL.

use std::process::ExitCode;

use chatmrpt_db::Result;
use clap::Args;

/// Arguments of `grants`.
#[derive(Debug, Args)]
pub struct GrantsArgs {
    /// The role the application connects as.
    #[arg(long, value_name = "NAME")]
    role: String,
    /// The schema holding the tables.
    #[arg(long, default_value = "public", env = "CHATMRPT_DB_POSTGRES_SCHEMA")]
    schema: String,
}

/// Prints the GRANT statements; runs nothing.
pub fn run(args: &GrantsArgs) -> Result<ExitCode> {
    outln!(
        "-- Run as the schema owner after `chatmrpt-db migrate`; the role gets row access only."
    );
    for statement in chatmrpt_db::grants::runtime_grants(&args.schema, &args.role)? {
        outln!("{statement}");
    }
    Ok(ExitCode::SUCCESS)
}
