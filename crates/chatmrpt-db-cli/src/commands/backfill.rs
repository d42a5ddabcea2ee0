//! `chatmrpt-db backfill`: the legacy SQLite file into PostgreSQL.
//!
//! Exit 0 when every row was loaded or quarantined and reported; 2 with a
//! one-line cause otherwise. Safe to run again after a failure or a kill:
//! it resumes after the last committed batch (`--rescan` reads every table
//! again, for sessions a live writer changed after they were copied). Reads of
//! the source are paced (`--read-budget-ms`) so that the application still
//! writing it is never kept waiting long.
//!
//! Test hook: `CHATMRPT_DB_BACKFILL_PAUSE_MS=N` sleeps N ms after each
//! committed batch, so a test can kill the process mid-load.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chatmrpt_db::{DatabaseUrl, PostgresConfig, Table};
use chatmrpt_db_migrate::{
    BackfillOptions, BackfillSummary, LegacyZone, ProgressSink, ReportEvent, TableSummary, backfill,
};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::{fail, print_json};

/// Arguments of `backfill`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  chatmrpt-db backfill --source instance/interactions.db --target postgres://owner@db/chatmrpt --report backfill.jsonl
  chatmrpt-db backfill --source interactions.db --target postgres://owner@127.0.0.1/chatmrpt --json")]
pub struct BackfillArgs {
    /// The legacy interactions.db (opened read-only).
    #[arg(long, value_name = "FILE")]
    pub source: PathBuf,
    /// The PostgreSQL connection string (any libpq option).
    #[arg(long, value_name = "POSTGRES_URL")]
    pub target: String,
    /// The schema holding the tables.
    #[arg(long, env = "CHATMRPT_DB_POSTGRES_SCHEMA", default_value = "public")]
    pub schema: String,
    /// Append one JSON line per rejected, synthesized or converted row/value.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print a machine-readable summary on stdout.
    #[arg(long)]
    pub json: bool,
    /// Zone of the legacy naive timestamps (`local`, UTC, +01:00, or an IANA
    /// name like Africa/Lagos). Default: the zone the file records, else
    /// this machine's. A zone that contradicts the file's record is refused.
    #[arg(long, value_name = "ZONE")]
    pub source_timezone: Option<String>,
    /// Most rows per batch (one transaction each).
    #[arg(long, default_value_t = 5_000, value_name = "N")]
    pub batch_rows: usize,
    /// The name progress is recorded under (default: the source's absolute path).
    #[arg(long, value_name = "LABEL")]
    pub source_label: Option<String>,
    /// Read every table from its first row again instead of resuming: brings
    /// sessions changed after an earlier run copied them up to date (child
    /// rows are never overwritten; verify names any that differ).
    #[arg(long)]
    pub rescan: bool,
    /// About the longest one read may hold the source file, so that the
    /// application writing it is never kept waiting long.
    #[arg(long, default_value_t = 25, value_name = "MS")]
    pub read_budget_ms: u64,
    /// Stage every batch, even where its rows could be COPYed straight into
    /// their table (same result, about twice the server's work; for
    /// comparison, or should the straight path ever be in doubt).
    #[arg(long)]
    pub always_stage: bool,
    /// Connections loading a table's batches at once; they commit in read
    /// order, so a kill still resumes exactly (1: one batch at a time).
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u8).range(1..=8))]
    pub writers: u8,
}

/// Runs `backfill`.
pub fn run(args: &BackfillArgs) -> ExitCode {
    match execute(args) {
        Ok(summary) if summary.is_complete() => ExitCode::SUCCESS,
        Ok(_) => fail("backfill: some rows are not accounted for"),
        Err(message) => fail(&message),
    }
}

fn execute(args: &BackfillArgs) -> Result<BackfillSummary, String> {
    let zone: Option<LegacyZone> = args
        .source_timezone
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| chain(&e))?;
    let url = DatabaseUrl::new(args.target.clone());
    // Before anything else: an empty or partial string must never reach
    // libpq's defaults (whatever server the machine has).
    url.check().map_err(|e| chain(&e))?;
    let mut target = PostgresConfig::with_env(url).map_err(|e| chain(&e))?;
    target.schema.clone_from(&args.schema);
    target.pool_size = 1;
    let options = BackfillOptions {
        source_timezone: zone,
        batch_rows: args.batch_rows,
        source_label: args.source_label.clone(),
        read_budget: Duration::from_millis(args.read_budget_ms),
        rescan: args.rescan,
        straight_copy: !args.always_stage,
        writers: usize::from(args.writers),
        ..BackfillOptions::default()
    };
    let mut sink = CliSink::new(args.report.as_ref())?;
    let summary = backfill(&args.source, &target, &options, &mut sink).map_err(|e| chain(&e))?;
    sink.bars.clear().map_err(|e| e.to_string())?;
    if args.json {
        print_json(&summary).map_err(|e| chain(&e))?;
    } else {
        print_text(&summary);
    }
    Ok(summary)
}

fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    chatmrpt_db::error::error_chain(err)
}

fn print_text(summary: &BackfillSummary) {
    outln!(
        "source: {} (timestamps read as {})",
        summary.source,
        summary.source_timezone
    );
    for t in summary.tables.iter().filter(|t| t.in_source) {
        let c = &t.total;
        outln!(
            "  {:<24} read {:>9} = loaded {:>9} (new {}, present {}) + quarantined {}; sessions synthesized {}, values converted {}{}",
            t.table.name(),
            c.read,
            c.loaded(),
            c.inserted,
            c.already_present,
            c.quarantined,
            c.sessions_synthesized,
            c.values_converted,
            if c.sessions_merged > 0 {
                format!(
                    ", sessions merged with another source's {}",
                    c.sessions_merged
                )
            } else {
                String::new()
            }
        );
        if !t.unknown_columns.is_empty() {
            outln!(
                "  {:<24} unknown columns not loaded: {}",
                "",
                t.unknown_columns.join(", ")
            );
        }
    }
    if !summary.unknown_tables.is_empty() {
        outln!(
            "unknown tables left alone: {}",
            summary.unknown_tables.join(", ")
        );
    }
    outln!(
        "this run: {} rows read in {} ms; longest hold of the source file {} ms",
        summary.rows_read(),
        summary.elapsed_ms,
        summary.longest_source_read_ms
    );
}

/// Progress bars on a terminal (hidden otherwise), the report file, and
/// the test pause.
struct CliSink {
    bars: MultiProgress,
    bar: Option<ProgressBar>,
    report: Option<BufWriter<File>>,
    pause: Option<Duration>,
}

impl CliSink {
    fn new(report: Option<&PathBuf>) -> Result<Self, String> {
        let report = report
            .map(|path| {
                File::options()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map(BufWriter::new)
                    .map_err(|e| format!("cannot open report {}: {e}", path.display()))
            })
            .transpose()?;
        let pause = std::env::var("CHATMRPT_DB_BACKFILL_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis);
        Ok(Self {
            bars: MultiProgress::new(),
            bar: None,
            report,
            pause,
        })
    }
}

impl ProgressSink for CliSink {
    fn table_started(&mut self, table: Table, rows_to_read: u64) {
        let bar = self.bars.add(ProgressBar::new(rows_to_read));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:<24} {bar:30} {pos:>9}/{len:9} rows {rate:>12} {elapsed}",
        ) {
            // indicatif's `{per_sec}` prints every decimal of the float
            // (`31,055.97994570806986/s`): whole rows per second instead.
            bar.set_style(style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = std::fmt::Write::write_fmt(
                        w,
                        format_args!("{}/s", whole_rate(state.per_sec())),
                    );
                },
            ));
        }
        bar.set_prefix(table.name());
        self.bar = Some(bar);
    }

    fn batch_committed(
        &mut self,
        _table: Table,
        rows: u64,
        events: &[ReportEvent],
    ) -> std::io::Result<()> {
        if let Some(report) = &mut self.report {
            for event in events {
                serde_json::to_writer(&mut *report, event)?;
                report.write_all(b"\n")?;
            }
            report.flush()?;
        }
        if let Some(bar) = &self.bar {
            bar.inc(rows);
        }
        if let Some(pause) = self.pause {
            std::thread::sleep(pause);
        }
        Ok(())
    }

    fn table_finished(&mut self, _summary: &TableSummary) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

/// A rate as whole units with thousands separators (`31,056`).
fn whole_rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec < 0.5 {
        return "0".to_owned();
    }
    let digits = format!("{per_sec:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod rate_tests {
    use super::whole_rate;

    #[test]
    fn rates_are_whole_rows_with_separators() {
        assert_eq!(whole_rate(31_055.979_945_708_07), "31,056");
        assert_eq!(whole_rate(999.4), "999");
        assert_eq!(whole_rate(1_000.0), "1,000");
        assert_eq!(whole_rate(1_234_567.8), "1,234,568");
        assert_eq!(whole_rate(0.2), "0");
        assert_eq!(whole_rate(f64::NAN), "0");
    }
}
