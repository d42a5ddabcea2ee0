//! The backfill's own tables in the target (migrations 000003 and 000006):
//! progress per (source, table), quarantined rows, synthesized sessions,
//! and which file each source is.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::summary::Counts;

diesel::table! {
    /// Resume point and running totals per (source, table).
    backfill_progress (source, table_name) {
        source -> Text,
        table_name -> Text,
        last_rowid -> Int8,
        last_key -> Nullable<Text>,
        rows_read -> Int8,
        rows_inserted -> Int8,
        rows_present -> Int8,
        rows_quarantined -> Int8,
        sessions_synthesized -> Int8,
        values_converted -> Int8,
        updated_at -> Timestamptz,
        sessions_merged -> Int8,
    }
}

diesel::table! {
    /// Rows that could not be loaded faithfully, with their original bytes.
    backfill_quarantine (id) {
        id -> Int8,
        source -> Text,
        table_name -> Text,
        source_rowid -> Int8,
        row_key -> Nullable<Text>,
        column_name -> Nullable<Text>,
        reason -> Text,
        original -> Jsonb,
        quarantined_at -> Timestamptz,
    }
}

diesel::table! {
    /// Sessions rows created for orphan child rows.
    backfill_synthesized (session_id) {
        session_id -> Text,
        source -> Text,
        first_table -> Text,
        synthesized_at -> Timestamptz,
    }
}

diesel::table! {
    /// Which file each source label was first run on.
    backfill_sources (source) {
        source -> Text,
        file_id -> Nullable<Text>,
        fingerprint_table -> Nullable<Text>,
        fingerprint_rows -> Nullable<Int8>,
        fingerprint -> Nullable<Text>,
        first_run_at -> Timestamptz,
        last_run_at -> Timestamptz,
        legacy_timezone -> Nullable<Text>,
    }
}

/// A source label's recorded file.
#[derive(Clone, Debug, Queryable)]
pub(crate) struct RecordedSource {
    pub file_id: Option<String>,
    pub fingerprint_table: Option<String>,
    pub fingerprint_rows: Option<i64>,
    pub fingerprint: Option<String>,
    /// The zone the file's timestamps were read in.
    pub legacy_timezone: Option<String>,
}

/// The file recorded for `source`, if a run recorded one.
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn recorded_source(
    conn: &mut PgConnection,
    source: &str,
) -> QueryResult<Option<RecordedSource>> {
    use backfill_sources::dsl as s;
    s::backfill_sources
        .find(source)
        .select((
            s::file_id,
            s::fingerprint_table,
            s::fingerprint_rows,
            s::fingerprint,
            s::legacy_timezone,
        ))
        .first(conn)
        .optional()
}

/// Every label's recorded file, in label order.
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn recorded_sources(
    conn: &mut PgConnection,
) -> QueryResult<Vec<(String, RecordedSource)>> {
    use backfill_sources::dsl as s;
    s::backfill_sources
        .select((
            s::source,
            (
                s::file_id,
                s::fingerprint_table,
                s::fingerprint_rows,
                s::fingerprint,
                s::legacy_timezone,
            ),
        ))
        .order(s::source)
        .load(conn)
}

/// Records the file `source` names (replacing what was recorded), and the
/// time of this run.
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn record_source(
    conn: &mut PgConnection,
    source: &str,
    file_id: Option<&str>,
    fingerprint: Option<&crate::source::Fingerprint>,
    zone: &str,
) -> QueryResult<()> {
    use backfill_sources::dsl as s;
    let values = (
        s::legacy_timezone.eq(zone),
        s::file_id.eq(file_id),
        s::fingerprint_table.eq(fingerprint.map(|f| f.table.name())),
        s::fingerprint_rows.eq(fingerprint.map(|f| f.rows)),
        s::fingerprint.eq(fingerprint.map(|f| f.digest.as_str())),
    );
    diesel::insert_into(s::backfill_sources)
        .values((s::source.eq(source), values))
        .on_conflict(s::source)
        .do_update()
        .set((values, s::last_run_at.eq(diesel::dsl::now)))
        .execute(conn)
        .map(drop)
}

/// Where a table's load stands.
#[derive(Clone, Debug, Default, Queryable)]
pub(crate) struct Progress {
    pub last_rowid: i64,
    pub last_key: Option<String>,
    pub rows_read: i64,
    pub rows_inserted: i64,
    pub rows_present: i64,
    pub rows_quarantined: i64,
    pub sessions_synthesized: i64,
    pub values_converted: i64,
    pub sessions_merged: i64,
}

impl Progress {
    /// The running totals as counts.
    pub(crate) fn counts(&self) -> Counts {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Counts {
            read: n(self.rows_read),
            inserted: n(self.rows_inserted),
            already_present: n(self.rows_present),
            quarantined: n(self.rows_quarantined),
            sessions_synthesized: n(self.sessions_synthesized),
            values_converted: n(self.values_converted),
            sessions_merged: n(self.sessions_merged),
        }
    }
}

/// The progress of `table` from `source`, if any batch committed.
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn progress(
    conn: &mut PgConnection,
    source: &str,
    table: &str,
) -> QueryResult<Option<Progress>> {
    use backfill_progress::dsl as p;
    p::backfill_progress
        .filter(p::source.eq(source).and(p::table_name.eq(table)))
        .select((
            p::last_rowid,
            p::last_key,
            p::rows_read,
            p::rows_inserted,
            p::rows_present,
            p::rows_quarantined,
            p::sessions_synthesized,
            p::values_converted,
            p::sessions_merged,
        ))
        .first(conn)
        .optional()
}

/// Forgets `table`'s progress and quarantine for `source`: it loads again
/// from the start (idempotently).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn restart(conn: &mut PgConnection, source: &str, table: &str) -> QueryResult<()> {
    use backfill_progress::dsl as p;
    use backfill_quarantine::dsl as q;
    conn.transaction(|conn| {
        diesel::delete(
            p::backfill_progress.filter(p::source.eq(source).and(p::table_name.eq(table))),
        )
        .execute(conn)?;
        diesel::delete(
            q::backfill_quarantine.filter(q::source.eq(source).and(q::table_name.eq(table))),
        )
        .execute(conn)?;
        Ok(())
    })
}

/// Adds a committed batch to the table's progress (same transaction as the batch).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn record(
    conn: &mut PgConnection,
    source: &str,
    table: &str,
    at: (i64, Option<&str>),
    delta: &Counts,
) -> QueryResult<()> {
    use backfill_progress::dsl as p;
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    diesel::insert_into(p::backfill_progress)
        .values((
            p::source.eq(source),
            p::table_name.eq(table),
            p::last_rowid.eq(at.0),
            p::last_key.eq(at.1),
            p::rows_read.eq(n(delta.read)),
            p::rows_inserted.eq(n(delta.inserted)),
            p::rows_present.eq(n(delta.already_present)),
            p::rows_quarantined.eq(n(delta.quarantined)),
            p::sessions_synthesized.eq(n(delta.sessions_synthesized)),
            p::values_converted.eq(n(delta.values_converted)),
            p::sessions_merged.eq(n(delta.sessions_merged)),
        ))
        .on_conflict((p::source, p::table_name))
        .do_update()
        .set((
            p::last_rowid.eq(excluded(p::last_rowid)),
            p::last_key.eq(excluded(p::last_key)),
            p::rows_read.eq(p::rows_read + excluded(p::rows_read)),
            p::rows_inserted.eq(p::rows_inserted + excluded(p::rows_inserted)),
            p::rows_present.eq(p::rows_present + excluded(p::rows_present)),
            p::rows_quarantined.eq(p::rows_quarantined + excluded(p::rows_quarantined)),
            p::sessions_synthesized.eq(p::sessions_synthesized + excluded(p::sessions_synthesized)),
            p::values_converted.eq(p::values_converted + excluded(p::values_converted)),
            p::sessions_merged.eq(p::sessions_merged + excluded(p::sessions_merged)),
            p::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(drop)
}

/// A row bound for quarantine.
#[derive(Debug, Insertable)]
#[diesel(table_name = backfill_quarantine)]
pub(crate) struct NewQuarantine {
    pub source: String,
    pub table_name: String,
    pub source_rowid: i64,
    pub row_key: Option<String>,
    pub column_name: Option<String>,
    pub reason: String,
    pub original: serde_json::Value,
}

/// Stores quarantined rows (a row already stored for the same rowid is kept).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn quarantine(conn: &mut PgConnection, rows: &[NewQuarantine]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(backfill_quarantine::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
}

/// The keys of `table` in quarantine (any source).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn quarantined_keys(conn: &mut PgConnection, table: &str) -> QueryResult<Vec<String>> {
    use backfill_quarantine::dsl as q;
    q::backfill_quarantine
        .filter(q::table_name.eq(table))
        .filter(q::row_key.is_not_null())
        .select(q::row_key.assume_not_null())
        .load(conn)
}

/// Every synthesized session id.
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn synthesized_sessions(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    backfill_synthesized::table
        .select(backfill_synthesized::session_id)
        .load(conn)
}
