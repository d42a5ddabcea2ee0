//! Loads one prepared batch in one transaction: COPY into the stage, set
//! aside rows whose parent is missing, synthesize sessions for orphans, move
//! the rest into the table, quarantine the refused rows, record progress.
//! Either all of it commits or none of it does, so a kill loses nothing and
//! duplicates nothing.

use chatmrpt_db_core::Table;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::bookkeeping::{self, NewQuarantine};
use crate::catalog;
use crate::prepare::{Batch, Rejection, original, rowid, storable_key};
use crate::source::SourceTable;
use crate::sql;
use crate::stage;
use crate::summary::{Action, Counts, ReportEvent};

/// The statements of one table, built once.
pub(crate) struct TablePlan<'a> {
    pub source: &'a str,
    pub table: &'a SourceTable,
    insert: String,
    orphans: Vec<(&'static str, String)>,
    synthesize: Option<String>,
}

impl<'a> TablePlan<'a> {
    pub(crate) fn new(source: &'a str, table: &'a SourceTable) -> Self {
        let t = table.table;
        Self {
            source,
            table,
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

/// Loads `batch`; returns its counts and events (valid once committed).
///
/// # Errors
///
/// The server's refusal; the transaction is rolled back.
pub(crate) fn load_batch(
    conn: &mut PgConnection,
    plan: &TablePlan<'_>,
    batch: Batch,
) -> QueryResult<(Counts, Vec<ReportEvent>)> {
    conn.transaction(|conn| {
        let mut rejected = batch.rejected;
        let mut synthesized = Vec::new();
        let mut inserted = 0;
        if batch.good > 0 {
            stage::copy_in(conn, &batch.copy)?;
            rejected.extend(parent_orphans(conn, plan)?);
            if let Some(sql) = &plan.synthesize {
                synthesized = diesel::sql_query(sql)
                    .bind::<Text, _>(plan.source)
                    .bind::<Text, _>(plan.name())
                    .load::<Name>(conn)?
                    .into_iter()
                    .map(|n| n.name)
                    .collect();
            }
            inserted = diesel::sql_query(&plan.insert).get_result::<N>(conn)?.n;
        }
        let orphans = rejected.len() - (batch.rows.len() - batch.good);
        let inserted = u64::try_from(inserted).unwrap_or(0);
        let counts = Counts {
            read: batch.rows.len() as u64,
            inserted,
            already_present: (batch.good - orphans) as u64 - inserted,
            quarantined: rejected.len() as u64,
            sessions_synthesized: synthesized.len() as u64,
            values_converted: batch.notes.len() as u64,
        };
        let quarantine: Vec<NewQuarantine> = rejected
            .iter()
            .map(|r| quarantine_row(plan, &batch.rows, r))
            .collect();
        bookkeeping::quarantine(conn, &quarantine)?;
        bookkeeping::record(
            conn,
            plan.source,
            plan.name(),
            (batch.last_rowid, batch.last_key.as_deref()),
            &counts,
        )?;
        let mut events: Vec<ReportEvent> = quarantine.into_iter().map(rejected_event).collect();
        events.extend(
            synthesized
                .into_iter()
                .map(|id| synthesized_event(plan.name(), id)),
        );
        events.extend(batch.notes);
        Ok((counts, events))
    })
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
