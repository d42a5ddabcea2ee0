//! What the backfill and verify leave in a PostgreSQL target for people to
//! read (`chatmrpt-db status`): the verify runs (migration
//! `2025-11-25-000004_verify_runs`) and the quarantined rows counted by
//! table and reason (`backfill_quarantine`, migration 000003).
//!
//! Counts only: never a key nor row content (user text), and the recorded
//! source has its password replaced by `***`.

use chatmrpt_db_core::PostgresConfig;
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::bookkeeping::backfill_quarantine;
use crate::error::{Error, Result};
use crate::verify::VerifyReport;

/// The table of migration 000004 (private: the functions below are the API).
mod schema {
    diesel::table! {
        /// One row per `verify` run against this target.
        verify_runs (id) {
            id -> Int8,
            finished_at -> Timestamptz,
            source -> Text,
            equal -> Bool,
            elapsed_ms -> Int8,
            tables -> Jsonb,
        }
    }
}

use schema::verify_runs;

/// One table's figures in a recorded verify run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyTableCounts {
    /// The table's name.
    pub table: String,
    /// Whether the table agreed (known differences aside).
    pub equal: bool,
    /// Rows compared on the source side.
    pub source_rows: u64,
    /// Rows compared on the target side.
    pub target_rows: u64,
    /// Keys in the source, not in the target.
    pub missing: u64,
    /// Keys in the target, not in the source.
    pub extra: u64,
    /// Keys in both, with different values.
    pub differing: u64,
    /// Expected differences (quarantined rows, synthesized sessions).
    pub known: u64,
}

/// A recorded verify run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyRun {
    /// The run's id (increasing).
    pub id: i64,
    /// When it was recorded.
    pub finished_at: DateTime<Utc>,
    /// What the target was compared with (password hidden).
    pub source: String,
    /// The verdict: the stores agreed (known differences aside).
    pub equal: bool,
    /// Wall time of the comparison, in milliseconds.
    pub elapsed_ms: u64,
    /// Per-table figures.
    pub tables: Vec<VerifyTableCounts>,
}

/// Quarantined rows of one table for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuarantineCount {
    /// The source table.
    pub table: String,
    /// Why the rows could not be loaded.
    pub reason: String,
    /// How many rows.
    pub rows: u64,
}

impl VerifyTableCounts {
    /// The figures of every table of `report`.
    pub fn of(report: &VerifyReport) -> Vec<Self> {
        report
            .tables
            .iter()
            .map(|t| Self {
                table: t.table.name().to_owned(),
                equal: t.is_equal(),
                source_rows: t.source_rows,
                target_rows: t.target_rows,
                missing: t.missing.count,
                extra: t.extra.count,
                differing: t.differing.count,
                known: t.known.len() as u64,
            })
            .collect()
    }
}

/// One connection to `config`'s database, in its schema (no migration).
/// Reaching the server is tried through the store first, so a server that
/// does not answer costs `connect_timeout_s`, not the system's TCP timeout.
///
/// # Errors
///
/// [`Error::Store`] when unreachable (never the password); [`Error::Target`].
pub fn connect(config: &PostgresConfig) -> Result<PgConnection> {
    let mut config = config.clone();
    config.pool_size = 1;
    crate::target::connect(&config, false)
}

/// Records `report`, the comparison of `source` with this target; returns
/// the run's id. `source` is stored with its password replaced by `***`.
///
/// # Errors
///
/// [`Error::Target`] (e.g. migration 000004 not applied: run `migrate`).
pub fn record_verify_run(
    conn: &mut PgConnection,
    source: &str,
    report: &VerifyReport,
) -> Result<i64> {
    use verify_runs::dsl as v;
    let tables = serde_json::to_value(VerifyTableCounts::of(report))
        .map_err(|e| Error::Figures(e.to_string()))?;
    diesel::insert_into(v::verify_runs)
        .values((
            v::source.eq(chatmrpt_db_core::secret::redact(source)),
            v::equal.eq(report.is_equal()),
            v::elapsed_ms.eq(i64::try_from(report.elapsed_ms).unwrap_or(i64::MAX)),
            v::tables.eq(tables),
        ))
        .returning(v::id)
        .get_result(conn)
        .map_err(Error::Target)
}

/// The most recent verify run, if any was recorded.
///
/// # Errors
///
/// [`Error::Target`] (e.g. no `verify_runs` table, or no right to read it).
pub fn last_verify_run(conn: &mut PgConnection) -> Result<Option<VerifyRun>> {
    use verify_runs::dsl as v;
    let row: Option<(i64, DateTime<Utc>, String, bool, i64, serde_json::Value)> = v::verify_runs
        .select((
            v::id,
            v::finished_at,
            v::source,
            v::equal,
            v::elapsed_ms,
            v::tables,
        ))
        .order(v::id.desc())
        .first(conn)
        .optional()
        .map_err(Error::Target)?;
    let Some((id, finished_at, source, equal, elapsed_ms, tables)) = row else {
        return Ok(None);
    };
    let tables: Vec<VerifyTableCounts> = serde_json::from_value(tables)
        .map_err(|e| Error::Figures(format!("verify_runs {id}: {e}")))?;
    Ok(Some(VerifyRun {
        id,
        finished_at,
        source,
        equal,
        elapsed_ms: u64::try_from(elapsed_ms).unwrap_or(0),
        tables,
    }))
}

/// Quarantined rows (any source) counted by table and reason, in table then
/// reason order.
///
/// # Errors
///
/// [`Error::Target`] (e.g. no right to read `backfill_quarantine`).
pub fn quarantine_counts(conn: &mut PgConnection) -> Result<Vec<QuarantineCount>> {
    use backfill_quarantine::dsl as q;
    let rows: Vec<(String, String, i64)> = q::backfill_quarantine
        .group_by((q::table_name, q::reason))
        .select((q::table_name, q::reason, diesel::dsl::count_star()))
        .order_by((q::table_name, q::reason))
        .load(conn)
        .map_err(Error::Target)?;
    Ok(rows
        .into_iter()
        .map(|(table, reason, rows)| QuarantineCount {
            table,
            reason,
            rows: u64::try_from(rows).unwrap_or(0),
        })
        .collect())
}
