//! `chatmrpt-db verify`: compare two stores row by row.
//!
//! Exit 0 when they agree (known differences aside), 1 when they differ,
//! 2 on error. Keys are printed, never row content.

use std::path::PathBuf;
use std::process::ExitCode;

use chatmrpt_db::{DatabaseUrl, PostgresConfig};
use chatmrpt_db_migrate::verify::{KeyList, StoreRef, VerifyOptions, VerifyReport, verify_with};
use clap::Args;

use super::{fail, print_json};

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chatmrpt-db verify --source instance/interactions.db --target postgres://app@db/chatmrpt
  chatmrpt-db verify --source sqlite://interactions.db --target postgres://app@127.0.0.1/chatmrpt --json")]
pub struct VerifyArgs {
    /// The source: a SQLite file (path or sqlite://PATH) or a postgres:// URL.
    #[arg(long, value_name = "FILE_OR_URL")]
    pub source: String,
    /// The target: a postgres:// URL (or sqlite://PATH).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// The target's schema, when PostgreSQL.
    #[arg(long, env = "CHATMRPT_DB_POSTGRES_SCHEMA", default_value = "public")]
    pub schema: String,
    /// The source's schema, when PostgreSQL.
    #[arg(long, default_value = "public")]
    pub source_schema: String,
    /// Print a JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// Zone of the SQLite side's naive timestamps: UTC or an offset like +01:00.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub source_timezone: String,
    /// Keys per compared chunk.
    #[arg(long, default_value_t = 2_000, value_name = "N")]
    pub chunk_rows: usize,
}

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> ExitCode {
    let zone = match args.source_timezone.parse() {
        Ok(zone) => zone,
        Err(e) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    let options = VerifyOptions {
        source_timezone: zone,
        chunk_rows: args.chunk_rows,
        ..VerifyOptions::default()
    };
    let (source, target) = match (
        store(&args.source, &args.source_schema),
        store(&args.target, &args.schema),
    ) {
        (Ok(source), Ok(target)) => (source, target),
        (Err(e), _) | (_, Err(e)) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    let report = match verify_with(&source, &target, &options) {
        Ok(report) => report,
        Err(e) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    if args.json {
        if let Err(e) = print_json(&report) {
            return fail(&chatmrpt_db::error::error_chain(&e));
        }
    } else {
        print_text(&report);
    }
    if report.is_equal() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn store(text: &str, schema: &str) -> chatmrpt_db::Result<StoreRef> {
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        let mut config = PostgresConfig::with_env(DatabaseUrl::new(text))?;
        config.schema = schema.to_owned();
        config.pool_size = 1;
        return Ok(StoreRef::Postgres(config));
    }
    Ok(StoreRef::Sqlite(PathBuf::from(
        text.strip_prefix("sqlite://").unwrap_or(text),
    )))
}

fn print_text(report: &VerifyReport) {
    for t in &report.tables {
        let verdict = if t.is_equal() { "equal" } else { "DIFFERENT" };
        println!(
            "{:<24} {verdict:<9} source {:>9} target {:>9} rows; {} chunks, {} differing; {} known differences",
            t.table.name(),
            t.source_rows,
            t.target_rows,
            t.chunks,
            t.chunks_differing,
            t.known.len()
        );
        print_keys(t.table.name(), "missing in target", &t.missing);
        print_keys(t.table.name(), "extra in target", &t.extra);
        print_keys(t.table.name(), "differs", &t.differing);
        for k in &t.known {
            println!(
                "  known {:?} {}: {}",
                k.kind,
                k.key.as_deref().unwrap_or("(no key)"),
                k.reason
            );
        }
    }
    let verdict = if report.is_equal() {
        "stores agree"
    } else {
        "stores differ"
    };
    println!("{verdict} ({} ms)", report.elapsed_ms);
}

fn print_keys(table: &str, what: &str, list: &KeyList) {
    for key in &list.keys {
        println!("  {table} {what}: {key}");
    }
    if list.count > list.keys.len() as u64 {
        println!(
            "  {table} {what}: ... {} more",
            list.count - list.keys.len() as u64
        );
    }
}
