//! The backfill: the legacy file into PostgreSQL, table by table in
//! foreign-key order, batch by batch. A reader thread reads and converts
//! the next batch while the current one loads, through a channel of one
//! batch: memory stays bounded by about three batches.

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::{SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chatmrpt_db_core::{PostgresConfig, Table};
use diesel::pg::PgConnection;

use crate::bookkeeping;
use crate::error::{Error, Result};
use crate::load::TablePlan;
use crate::pace::{DEFAULT_READ_BUDGET, FIRST_READ_ROWS, millis, rows_within_bytes};
use crate::prepare::{Batch, prepare, rowid};
use crate::resume::{self, Resume};
use crate::source::{Source, SourceSchema, SourceTable};
use crate::summary::{BackfillSummary, Counts, ProgressSink, TableSummary};
use crate::target;
use crate::turns::Turns;
use crate::writers::{Written, write_batches};
use chatmrpt_db_core::LegacyZone;

/// How to backfill.
#[derive(Clone, Debug)]
pub struct BackfillOptions {
    /// The zone the legacy naive timestamps were written in. Default
    /// (`None`): the zone the file records (see the SQLite store's
    /// `sqlite.legacy_timezone`), else the machine's. A zone that
    /// contradicts the file's record is refused.
    pub source_timezone: Option<LegacyZone>,
    /// Most rows per batch (one transaction each). Default 5,000.
    pub batch_rows: usize,
    /// About how many bytes of values a batch may hold; batches of long
    /// rows (LLM responses) shrink to fit. Default 4 MiB: with 8 MiB the
    /// peak RSS reached 134-153 MB at scales 20-100, with 4 MiB 87-92 MB,
    /// no slower (BENCHMARKS.md).
    pub batch_bytes: usize,
    /// The name progress is recorded under; default the absolute path of
    /// the source. Resuming needs the same label, and the same file: a
    /// label is bound to the file it was first run on (several hosts keep
    /// their log at the same path), and another file under it is refused
    /// ([`Error::OtherSource`]) before anything is loaded.
    pub source_label: Option<String>,
    /// About the longest one read may hold the source file (default
    /// [`DEFAULT_READ_BUDGET`]). The file may be live: in rollback-journal
    /// mode a writer that wants to commit waits for a reader to finish.
    pub read_budget: Duration,
    /// Read every table from its first row again instead of resuming:
    /// brings sessions a live writer changed after an earlier run copied
    /// them up to date (they converge: `last_activity` touches, moves).
    /// Child rows are never overwritten (the legacy application never
    /// changes one after writing it); one that differs is counted as
    /// already present here and named by verify. Safe: loading is
    /// idempotent.
    pub rescan: bool,
    /// COPY a batch's rows straight into their table where their parents
    /// are there and their session was not synthesized (default): each is
    /// written once; the other rows of the batch are staged in the same
    /// transaction. A COPY that meets a key already there (or a parent gone
    /// since the check) rolls back to a savepoint and the whole batch is
    /// staged instead, so the result is the same either way. `false`
    /// stages every batch (the slower path, kept for comparison).
    pub straight_copy: bool,
    /// Connections loading a table's batches at once (default 2). They
    /// commit in read order, so progress stays a prefix of the table and a
    /// kill resumes exactly (README, "Two batches load at once"); 1 loads one
    /// batch at a time.
    pub writers: usize,
}

impl Default for BackfillOptions {
    fn default() -> Self {
        Self {
            source_timezone: None,
            batch_rows: 5_000,
            batch_bytes: 4 << 20,
            source_label: None,
            read_budget: DEFAULT_READ_BUDGET,
            rescan: false,
            straight_copy: true,
            writers: 2,
        }
    }
}

/// Copies the legacy file `source` into the PostgreSQL `target`.
///
/// The source is opened read-only and its schema introspected; the target's
/// migrations run if needed. Every row read ends up in its table or in
/// `backfill_quarantine`, and the summary's counts say so per table. Safe to
/// run again (it resumes after the last committed batch, and loads nothing
/// twice) and while dual write is live (existing rows are never overwritten;
/// sessions converge).
///
/// # Errors
///
/// [`Error::NotALegacyLog`] or [`Error::SourceUnavailable`] for a bad
/// source (the target is not touched); [`Error::Store`] when the target is
/// unreachable; [`Error::Source`] / [`Error::Target`] when a query fails
/// (committed batches stay: run again to resume); [`Error::Unaccounted`]
/// should rows ever not balance; [`Error::Report`] when the sink fails.
pub fn backfill(
    source: &Path,
    target: &PostgresConfig,
    options: &BackfillOptions,
    progress: &mut dyn ProgressSink,
) -> Result<BackfillSummary> {
    let started = Instant::now();
    if options.batch_rows == 0 || options.batch_bytes == 0 {
        return Err(Error::Options("batch sizes must be at least 1".into()));
    }
    if !(1..=MAX_WRITERS).contains(&options.writers) {
        return Err(Error::Options(format!(
            "writers must be between 1 and {MAX_WRITERS}"
        )));
    }
    let mut src = Source::open(source, options.read_budget)?;
    let schema = src.introspect()?;
    // Before the target is touched: a zone that contradicts the file's
    // record is refused.
    let zone = src.clock(&schema, options.source_timezone)?;
    let mut conn = target::connect(target, true)?;
    target::check_encoding(&mut conn)?;
    target::prepare_for_load(&mut conn)?;
    let label = options.source_label.clone().unwrap_or_else(|| {
        std::path::absolute(source)
            .unwrap_or_else(|_| source.to_path_buf())
            .display()
            .to_string()
    });
    // One label, one file: never resume (nor clear the quarantine of)
    // another file's run. Where each table resumes is decided for every
    // table before anything is written: a file refused at its last table
    // leaves no row, and no change to the label's record, behind.
    let claim = crate::sources::check(&mut conn, (&mut src, &schema), &label, zone)?;
    target::mark_origin(&mut conn, &label)?;
    let resumes = schema
        .tables
        .iter()
        .map(|t| resume::plan(&mut conn, &mut src, t, &label, options.rescan))
        .collect::<Result<Vec<_>>>()?;
    crate::sources::record(&mut conn, &label, &claim)?;
    let identity = claim.identity;
    let mut conns = vec![conn];
    for _ in 1..options.writers {
        let mut more = target::connect(target, false)?;
        target::prepare_for_load(&mut more)?;
        target::mark_origin(&mut more, &label)?;
        conns.push(more);
    }
    let snapshot = src.snapshot(&schema.tables)?;
    tracing::debug!(
        elapsed_ms = millis(started.elapsed()),
        "source checked, target ready, every table planned"
    );
    let mut tables = Vec::new();
    for table in Table::ALL {
        let found = schema
            .tables
            .iter()
            .zip(&snapshot)
            .zip(&resumes)
            .find(|((t, _), _)| t.table == table);
        let summary = match found {
            Some(((t, last), resume)) => {
                // Sessions are parents only, and `INSERT OR REPLACE` moves
                // a session to a new rowid on every request: they are read
                // to the end, so a session that existed at the snapshot is
                // seen wherever it moved.
                let upto = if table == Table::Sessions {
                    i64::MAX
                } else {
                    last.unwrap_or(i64::MIN)
                };
                load_table(
                    &mut conns,
                    &mut src,
                    (t, upto, *resume, zone),
                    &label,
                    options,
                    progress,
                )?
            }
            None => absent(table),
        };
        check_balance(&summary)?;
        progress.table_finished(&summary);
        tables.push(summary);
    }
    if let Some(conn) = conns.first_mut() {
        target::make_durable(conn)?;
    }
    let mut summary = summary(label, zone, tables, &schema, &src, started);
    summary.file_id = identity.file_id;
    Ok(summary)
}

fn summary(
    source: String,
    zone: LegacyZone,
    tables: Vec<TableSummary>,
    schema: &SourceSchema,
    src: &Source,
    started: Instant,
) -> BackfillSummary {
    BackfillSummary {
        source,
        file_id: None,
        source_timezone: zone.to_string(),
        tables,
        unknown_tables: schema.unknown_tables.clone(),
        elapsed_ms: millis(started.elapsed()),
        longest_source_read_ms: millis(src.longest_read()),
    }
}

fn absent(table: Table) -> TableSummary {
    TableSummary {
        table,
        in_source: false,
        rows_after_snapshot: 0,
        missing_columns: Vec::new(),
        unknown_columns: Vec::new(),
        this_run: Counts::default(),
        copied_straight: 0,
        total: Counts::default(),
    }
}

fn check_balance(summary: &TableSummary) -> Result<()> {
    for counts in [&summary.this_run, &summary.total] {
        if !counts.is_balanced() {
            return Err(Error::Unaccounted {
                table: summary.table.name(),
                read: counts.read,
                loaded: counts.loaded(),
                quarantined: counts.quarantined,
            });
        }
    }
    Ok(())
}

/// Loads `t` from where the last run stopped up to rowid `upto` (its
/// snapshot), then counts the rows written after it (left for the next run
/// or for dual write). One reader thread feeds a writer thread per
/// connection; the writers commit in read order ([`Turns`]), and hand
/// their results back in that order.
fn load_table(
    conns: &mut [PgConnection],
    src: &mut Source,
    (t, upto, resume, zone): (&SourceTable, i64, Resume, LegacyZone),
    label: &str,
    options: &BackfillOptions,
    sink: &mut dyn ProgressSink,
) -> Result<TableSummary> {
    let Some(conn) = conns.first_mut() else {
        return Err(Error::Options("writers must be at least 1".into()));
    };
    let start = resume::start(conn, t, label, resume)?;
    let scan = Instant::now();
    let (duplicates, to_read) = src.duplicate_keys(t, start)?;
    tracing::debug!(
        table = t.table.name(),
        keys_scanned_ms = millis(scan.elapsed()),
        duplicates = duplicates.len(),
        "keys checked"
    );
    sink.table_started(t.table, to_read);
    let plan = TablePlan::new(label, t, options.straight_copy, zone);
    let turns = Turns::default();
    let mut this_run = Counts::default();
    let mut straight = 0_u64;
    let mut failed = None;
    let reader = &mut *src;
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(1);
        let duplicates = &duplicates;
        scope.spawn(move || read_table(reader, t, (start, upto), options, duplicates, zone, &tx));
        let batches = Arc::new(Mutex::new((rx, 0_u64)));
        let (done_tx, done) = channel();
        let alongside = conns.len() > 1;
        for conn in conns.iter_mut() {
            let (plan, turns, batches, done_tx) =
                (&plan, &turns, Arc::clone(&batches), done_tx.clone());
            scope.spawn(move || write_batches(conn, (plan, alongside), turns, &batches, &done_tx));
        }
        // Only the writers hold the batches now: when the last one stops,
        // the reader's next send fails and it stops too.
        drop((batches, done_tx));
        for result in done {
            let step = result.and_then(|(counts, events, rows): Written| {
                straight += rows;
                this_run.add(&counts);
                sink.batch_committed(t.table, counts.read, &events)
                    .map_err(Error::Report)
            });
            if let Err(e) = step {
                turns.stop();
                failed.get_or_insert(e);
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if turns.yields() > 0 {
        tracing::debug!(
            table = t.table.name(),
            yields = turns.yields(),
            "batches loaded again after yielding"
        );
    }
    let conn = &mut conns[0];
    let total = bookkeeping::progress(conn, label, t.table.name())
        .map_err(Error::Target)?
        .map(|p| p.counts())
        .unwrap_or_default();
    let rows_after_snapshot = if upto == i64::MAX {
        0
    } else {
        src.count_after(t, upto.max(start))?.rows
    };
    Ok(TableSummary {
        table: t.table,
        in_source: true,
        rows_after_snapshot,
        missing_columns: t.missing_columns.clone(),
        unknown_columns: t.unknown_columns.clone(),
        this_run,
        copied_straight: straight,
        total,
    })
}

/// The reader thread: reads, converts and encodes batches of the rows in
/// `(after, upto]` until there are none left, the loader hangs up, or
/// reading fails (the error is sent on).
fn read_table(
    src: &mut Source,
    t: &SourceTable,
    (start, upto): (i64, i64),
    options: &BackfillOptions,
    duplicates: &HashSet<Vec<u8>>,
    zone: LegacyZone,
    tx: &SyncSender<Result<Batch>>,
) {
    let mut after = start;
    // A batch (one PostgreSQL transaction) is sized by rows and bytes; it
    // is read in as many statements as the read budget needs. Reads start
    // small and take only a few of the heaviest rows seen: rows can be
    // megabytes (LLM responses).
    let mut pace = src.pace(FIRST_READ_ROWS, options.batch_rows);
    let mut heaviest = 0_usize;
    let mut limit = options.batch_rows.min(FIRST_BATCH_ROWS);
    loop {
        let mut rows = Vec::new();
        let mut end = false;
        while rows.len() < limit {
            let want = (limit - rows.len())
                .min(pace.limit())
                .min(rows_within_bytes(heaviest));
            let (mut part, took) = match src.read_batch(t, (after, upto), want) {
                Ok(read) => read,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            pace.observe(part.len(), took);
            heaviest = part.iter().map(row_weight).fold(heaviest, usize::max);
            end = part.len() < want;
            after = part.last().map_or(after, rowid);
            rows.append(&mut part);
            if end {
                break;
            }
        }
        if rows.is_empty() {
            return;
        }
        let weight: usize = rows.iter().map(row_weight).sum();
        limit = next_limit(limit, weight, options);
        let batch = prepare(t, rows, duplicates, zone, options.straight_copy);
        if tx.send(Ok(batch)).is_err() || end {
            return;
        }
    }
}

/// The most writers `BackfillOptions::writers` may ask for.
const MAX_WRITERS: usize = 8;

/// Rows in the first batch of a table, before its row size is known.
const FIRST_BATCH_ROWS: usize = 200;

fn row_weight(row: &crate::value::SourceRow) -> usize {
    row.0.iter().map(crate::value::LegacyValue::weight).sum()
}

/// Shrinks the next batch when this one outgrew the byte budget, grows it
/// back (up to `batch_rows`) when it was well under.
fn next_limit(limit: usize, weight: usize, options: &BackfillOptions) -> usize {
    let per_row = (weight / limit.max(1)).max(1);
    let fit = (options.batch_bytes / per_row).max(1);
    fit.min(options.batch_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_shrink_for_long_rows_and_grow_back() {
        let options = BackfillOptions {
            batch_rows: 5_000,
            batch_bytes: 1_000_000,
            ..Default::default()
        };
        assert_eq!(next_limit(5_000, 50_000_000, &options), 100);
        assert_eq!(next_limit(100, 10_000, &options), 5_000);
        assert_eq!(next_limit(1, usize::MAX, &options), 1);
    }
}
