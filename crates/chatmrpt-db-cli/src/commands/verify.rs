//! `chatmrpt-db verify`: compare two stores row by row.
//!
//! Exit 0 when they agree (known differences aside), 1 when they differ,
//! 2 on error. Keys are printed, never row content.
//!
//! A PostgreSQL target keeps the result (counts only, the source's password
//! hidden) in `verify_runs`, for `status`; `--no-record` skips that. A
//! result that cannot be recorded is a warning: the exit code stays the
//! verdict's.

use std::path::PathBuf;
use std::process::ExitCode;

use chatmrpt_db::{DatabaseUrl, PostgresConfig};
use chatmrpt_db_migrate::records;
use chatmrpt_db_migrate::verify::{KeyList, StoreRef, VerifyOptions, VerifyReport, verify_with};
use clap::Args;

use super::{fail, print_json};

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(after_help = "\
A PostgreSQL target records the result (per-table counts, never keys) in its
verify_runs table, where `chatmrpt-db status --html` shows it; --no-record
skips that. Failing to record is a warning, not a change of exit code.

Examples:
  chatmrpt-db verify --source instance/interactions.db --target postgres://app@db/chatmrpt
  chatmrpt-db verify --source sqlite://interactions.db --target postgres://app@127.0.0.1/chatmrpt --json
  chatmrpt-db verify --source host-a.db --source host-b.db --target postgres://app@db/chatmrpt

With one file while the target holds other hosts' rows, the rows another
source's backfill loaded are counted (not extra), and so are the rows the
application wrote (dual write): neither fails. Several --source compare the
union of the files; a session several hold is compared as their convergence.")]
pub struct VerifyArgs {
    /// The source: a SQLite file (path or sqlite://PATH) or a postgres:// URL.
    /// Repeat it to compare several files' union (each host's file).
    #[arg(long, value_name = "FILE_OR_URL", required = true)]
    pub source: Vec<String>,
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
    /// Zone of a SQLite side's naive timestamps (`local`, UTC, +01:00, or an
    /// IANA name). Default: the zone the file records, else this machine's.
    /// A zone that contradicts the file's record is refused.
    #[arg(long, value_name = "ZONE")]
    pub source_timezone: Option<String>,
    /// Keys per compared chunk.
    #[arg(long, default_value_t = 2_000, value_name = "N")]
    pub chunk_rows: usize,
    /// About the longest one read may hold a SQLite file (it may be live:
    /// the application writing it waits while a read holds it).
    #[arg(long, default_value_t = 25, value_name = "MS")]
    pub read_budget_ms: u64,
    /// Do not record the result in a PostgreSQL target's verify_runs.
    #[arg(long)]
    pub no_record: bool,
}

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> ExitCode {
    let zone = match args.source_timezone.as_deref().map(str::parse).transpose() {
        Ok(zone) => zone,
        Err(e) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    let options = VerifyOptions {
        source_timezone: zone,
        chunk_rows: args.chunk_rows,
        read_budget: std::time::Duration::from_millis(args.read_budget_ms),
        ..VerifyOptions::default()
    };
    let (source, target) = match (
        sources(&args.source, &args.source_schema),
        store(&args.target, &args.schema),
    ) {
        (Ok(source), Ok(target)) => (source, target),
        (Err(e), _) | (_, Err(e)) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    let report = match verify_with(&source, &target, &options) {
        Ok(report) => report,
        Err(e) => return fail(&chatmrpt_db::error::error_chain(&e)),
    };
    if let (StoreRef::Postgres(config), false) = (&target, args.no_record) {
        let shown: Vec<String> = args
            .source
            .iter()
            .map(|s| shown(s, &args.source_schema))
            .collect();
        record(config, &shown.join(", "), &report);
    }
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

/// Keeps the result in the target for `status`; a failure only warns.
fn record(config: &PostgresConfig, source: &str, report: &VerifyReport) {
    let recorded = records::connect(config)
        .and_then(|mut conn| records::record_verify_run(&mut conn, source, report));
    if let Err(e) = recorded {
        let cause = chatmrpt_db::error::error_chain(&e);
        eprintln!(
            "warning: the verify result was not recorded in the target ({}); \
             run `chatmrpt-db migrate` on it as the schema owner, or pass --no-record",
            chatmrpt_db::secret::redact(&cause.split_whitespace().collect::<Vec<_>>().join(" "))
        );
    }
}

/// The source as recorded: a connection string with its password hidden
/// (`record_verify_run` redacts too), a file as an absolute path.
fn shown(source: &str, schema: &str) -> String {
    if source.starts_with("postgres://") || source.starts_with("postgresql://") {
        return format!("{} (schema {schema})", chatmrpt_db::secret::redact(source));
    }
    let path = source.strip_prefix("sqlite://").unwrap_or(source);
    std::path::absolute(path).map_or_else(|_| source.to_owned(), |p| p.display().to_string())
}

/// One source as [`store`]; several must all be files (their union).
fn sources(texts: &[String], schema: &str) -> chatmrpt_db::Result<StoreRef> {
    if let [one] = texts {
        return store(one, schema);
    }
    let mut paths = Vec::with_capacity(texts.len());
    for text in texts {
        match store(text, schema)? {
            StoreRef::Sqlite(path) => paths.push(path),
            _ => {
                return Err(chatmrpt_db::Error::Config(
                    "several --source must all be SQLite files (their union is compared)".into(),
                ));
            }
        }
    }
    Ok(StoreRef::Files(paths))
}

/// `sqlite://PATH` or a bare path is a file; anything else must be a
/// complete PostgreSQL connection string (checked before any connection).
fn store(text: &str, schema: &str) -> chatmrpt_db::Result<StoreRef> {
    let trimmed = text.trim();
    if let Some(path) = trimmed.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(chatmrpt_db::Error::Config(
                "sqlite:// needs a path, e.g. sqlite://interactions.db".into(),
            ));
        }
        return Ok(StoreRef::Sqlite(PathBuf::from(path)));
    }
    if trimmed.is_empty() || trimmed.contains("://") || trimmed.contains('=') {
        let url = DatabaseUrl::new(text);
        url.check()?;
        let mut config = PostgresConfig::with_env(url)?;
        config.schema = schema.to_owned();
        config.pool_size = 1;
        return Ok(StoreRef::Postgres(config));
    }
    Ok(StoreRef::Sqlite(PathBuf::from(text)))
}

fn print_text(report: &VerifyReport) {
    for t in &report.tables {
        let verdict = if t.is_equal() { "equal" } else { "DIFFERENT" };
        outln!(
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
        // Counted, not listed: another host's rows can be most of the table
        // (`--json` lists them).
        if t.from_other_sources.count > 0 {
            outln!(
                "  {} {} rows loaded from other sources (not extra)",
                t.table.name(),
                t.from_other_sources.count
            );
        }
        if t.written_by_application.count > 0 {
            outln!(
                "  {} {} rows written by the application (dual write), not in this source",
                t.table.name(),
                t.written_by_application.count
            );
        }
        if t.converged > 0 {
            outln!(
                "  {} {} converged (the target holds everything the source's copy brings)",
                t.table.name(),
                t.converged
            );
        }
        for k in &t.known {
            outln!(
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
    match report.longest_file_read_ms {
        Some(held) => outln!(
            "{verdict} ({} ms; longest hold of the SQLite file {held} ms)",
            report.elapsed_ms
        ),
        None => outln!("{verdict} ({} ms)", report.elapsed_ms),
    }
}

fn print_keys(table: &str, what: &str, list: &KeyList) {
    for key in &list.keys {
        outln!("  {table} {what}: {key}");
    }
    if list.count > list.keys.len() as u64 {
        outln!(
            "  {table} {what}: ... {} more",
            list.count - list.keys.len() as u64
        );
    }
}
