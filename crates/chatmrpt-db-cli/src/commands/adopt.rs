//! `chatmrpt-db adopt FILE`: bring a legacy `interactions.db` under the
//! SQLite store's management (see `chatmrpt_db::adopt`).

use std::path::PathBuf;
use std::process::ExitCode;

use chatmrpt_db::adopt::{AdoptOptions, AdoptReport, adopt};

use super::{fail, print_json};

/// The arguments of `adopt`.
#[derive(Debug, clap::Args)]
pub struct AdoptArgs {
    /// The legacy SQLite file (the application's `instance/interactions.db`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where to write the safety copy (default: next to FILE).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// The zone the legacy application wrote the file's timestamps in
    /// (`local`: this machine's; UTC, +01:00, or an IANA name), recorded as
    /// the file's clock.
    #[arg(
        long,
        env = "CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE",
        default_value = "local",
        value_name = "ZONE"
    )]
    pub legacy_timezone: String,

    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `adopt`: 0 when adopted (or already adopted), 2 with a one-line
/// cause when refused or failed.
pub fn run(args: &AdoptArgs) -> ExitCode {
    let zone = match args.legacy_timezone.parse() {
        Ok(zone) => zone,
        Err(err) => return fail(&chatmrpt_db::error::error_chain(&err)),
    };
    let mut options = AdoptOptions::default().with_legacy_timezone(Some(zone));
    if let Some(dir) = &args.backup_dir {
        options = options.with_backup_dir(dir);
    }
    match adopt(&args.file, &options) {
        Ok(report) if args.json => match print_json(&report) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => fail(&chatmrpt_db::error::error_chain(&err)),
        },
        Ok(report) => {
            print_text(&report);
            ExitCode::SUCCESS
        }
        Err(err) => fail(&format!(
            "cannot adopt: {}",
            chatmrpt_db::error::error_chain(&err)
        )),
    }
}

fn print_text(report: &AdoptReport) {
    outln!("backup: {}", report.backup.display());
    if !report.changed() {
        // The safety copy above was still written (and the clock, below,
        // recorded if the file had none): say what was left alone.
        outln!(
            "{}: already adopted, its schema left as it was (a safety copy written, above)",
            report.path.display()
        );
    }
    let list = |items: &[String]| items.join(", ");
    let columns = |cols: &[chatmrpt_db::adopt::ColumnRef]| {
        cols.iter()
            .map(|c| format!("{}.{}", c.table, c.column))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lines = [
        ("tables created", list(&report.tables_created)),
        ("columns added", columns(&report.columns_added)),
        ("indexes created", report.indexes_created.len().to_string()),
        (
            "sessions synthesized for orphan rows",
            report.sessions_synthesized.len().to_string(),
        ),
        (
            "baseline migration recorded",
            report.baseline_recorded.clone().unwrap_or_default(),
        ),
        ("migrations applied", list(&report.migrations_applied)),
        ("timestamps written in", report.legacy_timezone.clone()),
        ("unknown tables (left alone)", list(&report.unknown_tables)),
        (
            "unknown columns (left alone)",
            columns(&report.unknown_columns),
        ),
    ];
    for (label, value) in lines {
        if !value.is_empty() && value != "0" {
            outln!("{label}: {value}");
        }
    }
    for session in &report.sessions_synthesized {
        let span = format!(
            "{} .. {}",
            session.start_time.as_deref().unwrap_or("?"),
            session.last_activity.as_deref().unwrap_or("?")
        );
        outln!("  synthesized session {} ({span})", session.session_id);
    }
    for diff in report.type_differences.iter().filter(|d| !d.same_affinity) {
        outln!(
            "  note: {}.{} is declared {} (store: {})",
            diff.table,
            diff.column,
            diff.file_type,
            diff.store_type
        );
    }
}
