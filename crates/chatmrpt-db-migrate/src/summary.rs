//! What a backfill reports: per-table counts, report events, the progress sink.

use chatmrpt_db_core::Table;
use serde::Serialize;

/// Row counts of one table.
///
/// Always `read == inserted + already_present + quarantined`: every row read
/// is either in PostgreSQL (new, or already there from dual write or an
/// earlier run) or in quarantine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Rows read from the source.
    pub read: u64,
    /// Rows inserted into PostgreSQL.
    pub inserted: u64,
    /// Rows whose key PostgreSQL already had (kept; sessions converged).
    pub already_present: u64,
    /// Rows put in quarantine.
    pub quarantined: u64,
    /// Sessions rows synthesized for this table's orphan rows.
    pub sessions_synthesized: u64,
    /// Values loaded from an unusual but exact representation.
    pub values_converted: u64,
    /// Sessions another source had brought too (the same session seen by
    /// two hosts), merged by the sessions' convergence rule.
    pub sessions_merged: u64,
}

impl Counts {
    /// Rows present in PostgreSQL: inserted or already there.
    pub fn loaded(&self) -> u64 {
        self.inserted + self.already_present
    }

    /// Whether every row read is loaded or quarantined.
    pub fn is_balanced(&self) -> bool {
        self.read == self.loaded() + self.quarantined
    }

    pub(crate) fn add(&mut self, other: &Counts) {
        self.read += other.read;
        self.inserted += other.inserted;
        self.already_present += other.already_present;
        self.quarantined += other.quarantined;
        self.sessions_synthesized += other.sessions_synthesized;
        self.values_converted += other.values_converted;
        self.sessions_merged += other.sessions_merged;
    }
}

/// One table's outcome.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct TableSummary {
    /// The table.
    pub table: Table,
    /// Whether the source has it.
    pub in_source: bool,
    /// Rows written to the source after this run took its snapshot (the
    /// source is live): not read by this run, left for the next run or for
    /// dual write. Always 0 for sessions, which are read to the end.
    pub rows_after_snapshot: u64,
    /// Target columns the source lacks (loaded as NULL).
    pub missing_columns: Vec<&'static str>,
    /// Source columns the target does not have (not loaded).
    pub unknown_columns: Vec<String>,
    /// What this run did.
    pub this_run: Counts,
    /// How many of this run's inserted rows were COPYed straight into the
    /// table (written once); the others went through the staging table
    /// (orphans, keys already there, sessions to converge).
    pub copied_straight: u64,
    /// Totals over every run for this source (resumed runs included).
    pub total: Counts,
}

/// The outcome of a backfill.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct BackfillSummary {
    /// The source's label (its absolute path unless one was given).
    pub source: String,
    /// The identity the source file carries, if it is managed (adopted or
    /// created by the store): the label is bound to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    /// The source timezone used for naive timestamps.
    pub source_timezone: String,
    /// Every table of the interaction log, in load order.
    pub tables: Vec<TableSummary>,
    /// Tables of the source that are not part of the log (left alone).
    pub unknown_tables: Vec<String>,
    /// Wall time of this run, in milliseconds.
    pub elapsed_ms: u64,
    /// The longest any one read held the source file, in milliseconds (a
    /// writer of a rollback-journal file waits at most about this long).
    pub longest_source_read_ms: u64,
}

impl BackfillSummary {
    /// Rows read by this run, all tables.
    pub fn rows_read(&self) -> u64 {
        self.tables.iter().map(|t| t.this_run.read).sum()
    }

    /// Whether every table's totals balance.
    pub fn is_complete(&self) -> bool {
        self.tables
            .iter()
            .all(|t| t.total.is_balanced() && t.this_run.is_balanced())
    }
}

/// What happened to a row or a value, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The row went to quarantine.
    Rejected,
    /// A sessions row was created for orphan rows.
    Synthesized,
    /// A value was loaded from an unusual but exact representation.
    Converted,
    /// A session another source had brought too was merged with it.
    Merged,
}

/// One line of the report (`--report FILE`, JSON lines).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportEvent {
    /// The table.
    pub table: String,
    /// The row's primary key (NULL when it has no readable one).
    pub key: Option<String>,
    /// What happened.
    pub action: Action,
    /// The column concerned, if one.
    pub column: Option<String>,
    /// Why (never the value itself).
    pub reason: String,
}

/// Receives the progress of a backfill as it goes.
///
/// Events arrive only once their batch has committed, so a report built from
/// them lists exactly what PostgreSQL holds, across a kill and a rerun.
pub trait ProgressSink {
    /// A table starts; `rows_to_read` rows remain in the source.
    fn table_started(&mut self, _table: Table, _rows_to_read: u64) {}

    /// A batch of `rows` rows committed, with its events.
    ///
    /// # Errors
    ///
    /// An I/O error stops the backfill (the committed batch stays).
    fn batch_committed(
        &mut self,
        _table: Table,
        _rows: u64,
        _events: &[ReportEvent],
    ) -> std::io::Result<()> {
        Ok(())
    }

    /// A table is done.
    fn table_finished(&mut self, _summary: &TableSummary) {}
}

/// A sink that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl ProgressSink for NoProgress {}
