//! Loads one prepared batch in one transaction: straight into its table when
//! nothing stands in the way ([`crate::direct`]), else COPY into the
//! staging table, set aside rows whose parent is missing, synthesize
//! sessions for orphans, move the rest into the table; then quarantine the
//! refused rows and record progress. Either all of it commits or none of it
//! does, so a kill loses nothing and duplicates nothing.

use chatmrpt_db_core::{LegacyZone, Table};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::bookkeeping::{self, NewQuarantine};
use crate::catalog;
use crate::direct;
use crate::prepare::{Batch, Rejection, original, rowid, storable_key};
use crate::source::SourceTable;
use crate::sql;
use crate::staging;
use crate::summary::{Action, Counts, ReportEvent};
use crate::turns::TurnError;

/// The statements of one table, built once.
pub(crate) struct TablePlan<'a> {
    pub source: &'a str,
    pub table: &'a SourceTable,
    /// Try each batch straight in first.
    straight: bool,
    /// The zone naive legacy timestamps are read in (to convert a row
    /// again for the stage).
    pub zone: LegacyZone,
    /// The straight path's checks ([`direct::checks`]).
    pub checks: Vec<(usize, String)>,
    /// The straight path's lookup of the keys already in the table
    /// ([`direct::Present`]), on from the first batch whose COPY met one.
    pub present: direct::Present,
    insert: String,
    orphans: Vec<(&'static str, String)>,
    synthesize: Option<String>,
}

impl<'a> TablePlan<'a> {
    pub(crate) fn new(
        source: &'a str,
        table: &'a SourceTable,
        straight: bool,
        zone: LegacyZone,
    ) -> Self {
        let t = table.table;
        Self {
            source,
            table,
            straight,
            zone,
            checks: direct::checks(t),
            present: direct::Present::new(t),
            insert: sql::insert_from_stage(t),
            orphans: catalog::parents(t)
                .iter()
                .filter_map(|(col, parent)| {
                    sql::delete_parent_orphans(t, col, *parent).map(|s| (*col, s))
                })
                .collect(),
            synthesize: sql::synthesize_sessions(t),
        }
    }

    fn name(&self) -> &'static str {
        self.table.table.name()
    }
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What loading the good rows of a batch did.
#[derive(Default)]
struct Loaded {
    /// Rows new in the table.
    inserted: u64,
    /// Good rows set aside because a parent is missing.
    orphans: Vec<Rejection>,
    synthesized: Vec<String>,
    merged: Vec<String>,
}

/// Loads `batch`; returns its counts and events (valid once committed) and
/// how many of its rows were COPYed straight in.
///
/// `turn` runs once inside the transaction: where batches load
/// concurrently it waits for the batches before to commit
/// ([`crate::turns`]). It runs before anything that must see their rows
/// (sessions synthesized for orphans, and widened by later batches) and
/// before progress is recorded; what a batch does first (its straight
/// COPY, its stage) depends only on rows committed before the load began.
///
/// # Errors
///
/// The server's refusal, or `turn`'s error; the transaction is rolled back.
pub(crate) fn load_batch(
    conn: &mut PgConnection,
    plan: &TablePlan<'_>,
    batch: &Batch,
    turn: impl FnOnce(&mut PgConnection) -> Result<(), TurnError>,
) -> Result<(Counts, Vec<ReportEvent>, u64), TurnError> {
    let mut turn = Some(turn);
    conn.transaction(|conn| {
        let good = batch.seqs.len();
        let mut straight = 0;
        let mut loaded = Loaded::default();
        if good > 0 {
            let done = if plan.straight {
                direct::try_load(conn, plan, batch)?
            } else {
                None
            };
            match done {
                Some(done) => {
                    straight = done.rows;
                    if !done.rest.is_empty() {
                        loaded = staged(conn, plan, batch, Some(&done.rest), &mut turn)?;
                    }
                    loaded.inserted += done.rows;
                }
                None => loaded = staged(conn, plan, batch, None, &mut turn)?,
            }
        }
        let rows = &batch.rows;
        let mut rejected = batch.rejected.clone();
        let orphans = loaded.orphans.len();
        rejected.extend(loaded.orphans);
        let counts = Counts {
            read: rows.len() as u64,
            inserted: loaded.inserted,
            already_present: (good - orphans) as u64 - loaded.inserted,
            quarantined: rejected.len() as u64,
            sessions_synthesized: loaded.synthesized.len() as u64,
            values_converted: batch.notes.len() as u64,
            sessions_merged: loaded.merged.len() as u64,
        };
        let quarantine: Vec<NewQuarantine> = rejected
            .iter()
            .map(|r| quarantine_row(plan, rows, r))
            .collect();
        bookkeeping::quarantine(conn, &quarantine)?;
        take_turn(conn, &mut turn)?;
        bookkeeping::record(
            conn,
            plan.source,
            plan.name(),
            (batch.last_rowid, batch.last_key.as_deref()),
            &counts,
        )?;
        let mut events: Vec<ReportEvent> = quarantine.into_iter().map(rejected_event).collect();
        events.extend(
            loaded
                .synthesized
                .into_iter()
                .map(|id| synthesized_event(plan.name(), id)),
        );
        events.extend(loaded.merged.into_iter().map(merged_event));
        events.extend(batch.notes.iter().cloned());
        Ok((counts, events, straight))
    })
}

/// The staged path: COPY into the stage, set aside rows whose parent is
/// missing, synthesize sessions for orphans, then one typed `INSERT ...
/// SELECT ... ON CONFLICT` (see [`sql::insert_from_stage`]).
/// `positions` are the good rows to stage (indexes into the batch's good
/// rows; every one when `None`).
fn staged<F>(
    conn: &mut PgConnection,
    plan: &TablePlan<'_>,
    batch: &Batch,
    positions: Option<&[usize]>,
    turn: &mut Option<F>,
) -> Result<Loaded, TurnError>
where
    F: FnOnce(&mut PgConnection) -> Result<(), TurnError>,
{
    let sessions = plan.table.table == Table::Sessions;
    let rows = staging::stage_rows(plan.table, plan.zone, batch, positions)
        .map_err(|e| diesel::result::Error::SerializationError(e.into()))?;
    staging::copy_in(conn, &rows)?;
    let mut loaded = Loaded {
        orphans: parent_orphans(conn, plan)?,
        ..Loaded::default()
    };
    if sessions {
        loaded.merged = diesel::sql_query(sql::MERGED_SESSIONS)
            .bind::<Text, _>(plan.source)
            .bind::<Text, _>(crate::target::origin_of(plan.source))
            .load::<Name>(conn)?
            .into_iter()
            .map(|n| n.name)
            .collect();
        diesel::sql_query(sql::TRACK_SESSIONS)
            .bind::<Text, _>(plan.source)
            .execute(conn)?;
    }
    if let Some(sql) = &plan.synthesize {
        // Sessions synthesized by the batches before must be seen: they
        // are widened, not created again.
        take_turn(conn, turn)?;
        loaded.synthesized = diesel::sql_query(sql)
            .bind::<Text, _>(plan.source)
            .bind::<Text, _>(plan.name())
            .load::<Name>(conn)?
            .into_iter()
            .map(|n| n.name)
            .collect();
    }
    let inserted = diesel::sql_query(&plan.insert).get_result::<N>(conn)?.n;
    loaded.inserted = u64::try_from(inserted).unwrap_or(0);
    if sessions {
        merge_staged_twice(conn, plan)?;
    }
    Ok(loaded)
}

/// Runs `turn` unless it has run.
fn take_turn<F>(conn: &mut PgConnection, turn: &mut Option<F>) -> Result<(), TurnError>
where
    F: FnOnce(&mut PgConnection) -> Result<(), TurnError>,
{
    turn.take().map_or(Ok(()), |turn| turn(conn))
}

/// Merges in, by further passes of the insert, the earlier copies of
/// sessions the batch holds twice (each pass loads the latest left of each
/// key; the copies converge by the rule whatever their order).
fn merge_staged_twice(conn: &mut PgConnection, plan: &TablePlan<'_>) -> QueryResult<()> {
    while diesel::sql_query(sql::STAGED_TWICE)
        .get_result::<N>(conn)?
        .n
        > 0
    {
        diesel::sql_query(sql::DROP_LOADED_SESSIONS).execute(conn)?;
        diesel::sql_query(&plan.insert).get_result::<N>(conn)?;
    }
    Ok(())
}

fn merged_event(id: String) -> ReportEvent {
    ReportEvent {
        table: Table::Sessions.name().to_owned(),
        key: Some(id),
        action: Action::Merged,
        column: None,
        reason: "another source (another host's file) brought this session too; \
                 merged by the sessions' convergence rule"
            .to_owned(),
    }
}

fn parent_orphans(conn: &mut PgConnection, plan: &TablePlan<'_>) -> QueryResult<Vec<Rejection>> {
    let mut out = Vec::new();
    for (column, sql) in &plan.orphans {
        let parent = catalog::parents(plan.table.table)
            .iter()
            .find(|(c, _)| c == column)
            .map_or("parent", |(_, p)| p.name());
        for seq in diesel::sql_query(sql).load::<N>(conn)? {
            out.push(Rejection {
                index: usize::try_from(seq.n).unwrap_or(usize::MAX),
                column: Some(column),
                reason: format!("`{column}` refers to a row missing from {parent}"),
            });
        }
    }
    Ok(out)
}

fn quarantine_row(
    plan: &TablePlan<'_>,
    rows: &[crate::value::SourceRow],
    r: &Rejection,
) -> NewQuarantine {
    let row = rows.get(r.index);
    let key = row.and_then(|row| plan.table.layout[0].and_then(|i| row.0.get(i)));
    NewQuarantine {
        source: plan.source.to_owned(),
        table_name: plan.name().to_owned(),
        source_rowid: row.map_or(0, rowid),
        row_key: key.and_then(storable_key),
        column_name: r.column.map(str::to_owned),
        reason: r.reason.clone(),
        original: row.map_or(serde_json::Value::Null, |row| original(plan.table, row)),
    }
}

fn rejected_event(q: NewQuarantine) -> ReportEvent {
    ReportEvent {
        table: q.table_name,
        key: q.row_key,
        action: Action::Rejected,
        column: q.column_name,
        reason: format!("{} (source rowid {})", q.reason, q.source_rowid),
    }
}

fn synthesized_event(table: &str, id: String) -> ReportEvent {
    ReportEvent {
        table: Table::Sessions.name().to_owned(),
        key: Some(id),
        action: Action::Synthesized,
        column: None,
        reason: format!(
            "no sessions row for orphan rows of {table}; created from their timestamps"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "test: a panic is the failure report"
    )]

    use std::collections::HashSet;
    use std::time::Duration;

    use chatmrpt_db_core::{DatabaseUrl, PostgresConfig};
    use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
    use chatmrpt_db_testing::pg::TestSchema;
    use diesel::sql_types::Timestamptz;

    use super::*;
    use crate::source::Source;
    use crate::value::{LegacyValue, SourceRow};
    use chatmrpt_db_core::LegacyZone;

    #[derive(QueryableByName)]
    struct Activity {
        #[diesel(sql_type = Timestamptz)]
        start_time: chrono::DateTime<chrono::Utc>,
        #[diesel(sql_type = Timestamptz)]
        last_activity: chrono::DateTime<chrono::Utc>,
    }

    /// A batch read from a live file in several statements can hold one
    /// session twice: `INSERT OR REPLACE` moved it to a later rowid between
    /// two reads (and, like the legacy application, reset its start). The
    /// batch loads (PostgreSQL's DO UPDATE may touch a row once per
    /// statement), and the two copies converge: the later activity, the
    /// earlier start.
    #[test]
    fn a_session_twice_in_one_batch_loads_its_later_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("interactions.db");
        write_legacy_file(&path, Release::NoteEra, 0.002, 7).unwrap();
        let mut src = Source::open(&path, Duration::from_millis(25)).unwrap();
        let schema = src.introspect().unwrap();
        let t = schema
            .tables
            .iter()
            .find(|t| t.table == Table::Sessions)
            .unwrap();
        let (mut rows, _) = src.read_batch(t, (0, i64::MAX), 100_000).unwrap();
        let mut moved: SourceRow = rows[0].clone();
        let key = match &moved.0[t.layout[0].unwrap()] {
            LegacyValue::Text(k) => k.clone(),
            other => panic!("unexpected key {other:?}"),
        };
        moved.0[0] = LegacyValue::Integer(rowid(rows.last().unwrap()) + 1);
        let activity = t.layout[2].unwrap();
        moved.0[activity] = LegacyValue::Text("2031-05-06 07:08:09.123456".into());
        let start = t.layout[1].unwrap();
        let first_start = moved.0[start].clone();
        moved.0[start] = LegacyValue::Text("2031-05-06 07:08:00".into());
        rows.push(moved);
        let read = rows.len() as u64;
        let batch = crate::prepare::prepare(t, rows, &HashSet::new(), LegacyZone::UTC, true);

        let pg = TestSchema::new();
        let mut config = PostgresConfig::new(DatabaseUrl::new(pg.url()));
        config.schema = pg.schema().to_owned();
        let mut conn = crate::target::connect(&config, true).unwrap();
        crate::target::prepare_for_load(&mut conn).unwrap();
        let plan = TablePlan::new("twice", t, true, LegacyZone::UTC);
        let (counts, _, straight) = load_batch(&mut conn, &plan, &batch, |_| Ok(())).unwrap();
        assert_eq!(
            straight, 0,
            "a key twice in the COPY sends the batch to the stage"
        );

        assert_eq!(counts.read, read);
        assert_eq!(counts.inserted, read - 1);
        assert_eq!(counts.already_present, 1);
        assert!(counts.is_balanced());
        let row: Activity = diesel::sql_query(
            "SELECT start_time, last_activity FROM sessions WHERE session_id = $1",
        )
        .bind::<Text, _>(&key)
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(
            row.last_activity.to_rfc3339(),
            "2031-05-06T07:08:09.123456+00:00"
        );
        let LegacyValue::Text(first) = first_start else {
            panic!("unexpected start {first_start:?}")
        };
        assert_eq!(
            row.start_time.naive_utc(),
            chrono::NaiveDateTime::parse_from_str(&first, "%Y-%m-%d %H:%M:%S%.f").unwrap(),
            "the earlier copy's start is kept"
        );
    }
}
