//! Rows COPYed straight into their table when nothing stands in their way:
//! each is then written once, by PostgreSQL's COPY into the table itself
//! (in its binary format, [`crate::binary`]),
//! instead of a COPY into the stage and an `INSERT ... SELECT ... ON
//! CONFLICT` that writes it again (three quarters of the server's work,
//! BENCHMARKS.md "Where the backfill's time goes").
//!
//! A row's way is clear when every parent it names is there and the session
//! it names was not synthesized by an earlier batch (those widen with their
//! children, which only the staged path does). Both are looked up first,
//! one bound array of the batch's distinct values per column; the rows
//! that fail go to the staged path, in the same transaction, which
//! quarantines or synthesizes for them exactly as before. Keys are left to
//! the table's primary key, which is exact under any concurrency: the COPY
//! runs under a savepoint, and a key already there (dual write, another
//! host's file, a session read twice) fails it at that row. From then on
//! the table's batches look their keys up first ([`Present`]) and COPY
//! only the new rows; a key that arrives between the lookup and the COPY
//! fails it again, and that batch takes the staged path, with the same
//! result as if it had gone there first. A row already in PostgreSQL is
//! never overwritten. A session
//! COPYed straight in is in no other source's load (had one brought it,
//! its row would be there): nothing merges, and its `chatmrpt_origin` alone
//! says which source brought it (`sql::MERGED_SESSIONS` reads it there).

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use chatmrpt_db_core::Table;
use diesel::pg::{CopyFormat, CopyTarget, Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Array, BigInt, Nullable, Text};

use crate::catalog::{self, quote};
use crate::load::TablePlan;
use crate::prepare::Batch;
use crate::staging::backfill_stage;

/// The position of every table's primary key (a text column).
const KEY: usize = 0;

/// The positions of the columns whose values a batch carries for the
/// straight path: the key ([`Present`]), then the columns of [`checks`]
/// (a child's `session_id` and its other parent columns).
pub(crate) fn checked_columns(table: Table) -> Vec<usize> {
    std::iter::once(KEY)
        .chain(checks(table).into_iter().map(|(at, _)| at))
        .collect()
}

/// The lookup of which keys of a batch its table already holds (dual
/// write's rows, a rescan's, another host's). It is off until a straight
/// COPY of the run meets such a key: loading an empty target costs nothing
/// more, and a live target's batches are split from then on, instead of
/// each being staged whole at its first such key.
pub(crate) struct Present {
    sql: String,
    on: AtomicBool,
}

impl Present {
    pub(crate) fn new(table: Table) -> Self {
        // One row back, whatever the batch: the 1-based positions of the
        // keys found (a row per key found cost more than the lookup). One
        // index probe per key, as in `checks`.
        Self {
            sql: format!(
                "SELECT coalesce(array_agg(x.at), '{{}}') AS at \
                 FROM unnest($1::text[]) WITH ORDINALITY AS x(key, at) \
                 CROSS JOIN LATERAL (SELECT 1 FROM {} p WHERE p.{} = x.key LIMIT 1) p",
                quote(table.name()),
                quote(table.primary_key())
            ),
            on: AtomicBool::new(false),
        }
    }

    /// Whether each good row's key is in the table.
    fn look_up(&self, conn: &mut PgConnection, batch: &Batch) -> QueryResult<Vec<bool>> {
        let mut present = vec![false; batch.seqs.len()];
        let Some((_, keys)) = batch.refs.iter().find(|(at, _)| *at == KEY) else {
            return Ok(present);
        };
        let found = diesel::sql_query(&self.sql)
            .bind::<Array<Nullable<Text>>, _>(keys)
            .get_result::<Found>(conn)?;
        for at in found.at {
            let slot = usize::try_from(at - 1)
                .ok()
                .and_then(|i| present.get_mut(i));
            *slot.ok_or_else(|| {
                DieselError::QueryBuilderError("a key position out of the batch".into())
            })? = true;
        }
        Ok(present)
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Array<BigInt>)]
    at: Vec<i64>,
}

/// For each checked column of a child table, the query returning the
/// values (of `$1`, an array) that keep a row off the straight path: a
/// parent row missing, or a session synthesized earlier.
pub(crate) fn checks(table: Table) -> Vec<(usize, String)> {
    if table == Table::Sessions {
        return Vec::new();
    }
    // Every lookup is one index probe per value, a `LIMIT`ed lateral
    // subquery: told the array's length, the planner otherwise hashes the
    // whole parent table (`NOT EXISTS`, `= ANY`) for every batch, 20-70 ms
    // at scale 20 and growing with the table.
    let session = catalog::position(table, "session_id").map(|at| {
        (
            at,
            "SELECT x.id AS name FROM unnest($1::text[]) AS x(id) \
             LEFT JOIN LATERAL (SELECT 1 AS hit FROM sessions p WHERE p.session_id = x.id LIMIT 1) p ON true \
             LEFT JOIN LATERAL (SELECT 1 AS hit FROM backfill_synthesized b WHERE b.session_id = x.id LIMIT 1) b ON true \
             WHERE p.hit IS NULL OR b.hit IS NOT NULL"
                .to_owned(),
        )
    });
    let parents = catalog::parents(table)
        .iter()
        .filter_map(|(column, parent)| {
            let at = catalog::position(table, column)?;
            Some((
                at,
                format!(
                    "SELECT x.id AS name FROM unnest($1::text[]) AS x(id) \
                     LEFT JOIN LATERAL (SELECT 1 AS hit FROM {} p WHERE p.{} = x.id LIMIT 1) p ON true \
                     WHERE p.hit IS NULL",
                    quote(parent.name()),
                    quote(parent.primary_key())
                ),
            ))
        });
    session.into_iter().chain(parents).collect()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What the straight path loaded.
#[derive(Debug)]
pub(crate) struct Straight {
    /// Rows COPYed in (every one new).
    pub rows: u64,
    /// The good rows left for the staged path (indexes into the batch's
    /// good rows).
    pub rest: Vec<usize>,
}

/// Loads the good rows of `batch` whose way is clear straight into its
/// table, inside the caller's transaction, and returns them with the rest.
/// Rows whose key is already in the table ([`Present`]) are not written
/// again: a child row is left as it is (what the staged path's `ON
/// CONFLICT DO NOTHING` does), a session goes to the staged path, which
/// merges it. `None` when the whole batch must be staged: it was prepared
/// for the stage (text), a key arrived between the lookup and the COPY, or
/// a parent checked a moment before was not there (the COPY was rolled back
/// to its savepoint; nothing of it stays).
///
/// # Errors
///
/// Any other refusal of the server.
pub(crate) fn try_load(
    conn: &mut PgConnection,
    plan: &TablePlan<'_>,
    batch: &Batch,
) -> QueryResult<Option<Straight>> {
    if !batch.binary {
        return Ok(None);
    }
    let good = batch.seqs.len();
    let mut blocked = vec![false; good];
    for (column, sql) in &plan.checks {
        mark(conn, sql, batch, *column, &mut blocked)?;
    }
    let sessions = plan.table.table == Table::Sessions;
    loop {
        let looked = plan.present.on.load(Ordering::Relaxed);
        let present = if looked {
            plan.present.look_up(conn, batch)?
        } else {
            vec![false; good]
        };
        let mut clear = Vec::with_capacity(good);
        let mut rest = Vec::new();
        for (i, (&blocked, &present)) in blocked.iter().zip(&present).enumerate() {
            if blocked || (present && sessions) {
                rest.push(i);
            } else if !present {
                clear.push(i);
            }
        }
        if clear.is_empty() {
            return Ok(Some(Straight { rows: 0, rest }));
        }
        // The common case, every row clear, COPYs the batch's own bytes.
        let positions = (clear.len() < good).then_some(clear.as_slice());
        let write = |out: &mut dyn std::io::Write| write_rows(out, batch, positions);
        match conn.transaction(|conn| copy_into(conn, plan.table.table, &write)) {
            Ok(_) => {
                return Ok(Some(Straight {
                    rows: clear.len() as u64,
                    rest,
                }));
            }
            // The first key met: from now on every batch of the table
            // looks its keys up first, this one included.
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) if !looked => {
                plan.present.on.store(true, Ordering::Relaxed);
            }
            Err(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
                _,
            )) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// Flags the rows whose value in `column` is one `sql` returns for the
/// batch's distinct values of that column (bound as one array).
fn mark(
    conn: &mut PgConnection,
    sql: &str,
    batch: &Batch,
    column: usize,
    flags: &mut [bool],
) -> QueryResult<()> {
    let Some((_, values)) = batch.refs.iter().find(|(at, _)| *at == column) else {
        return Ok(());
    };
    let distinct: Vec<&str> = values
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if distinct.is_empty() {
        return Ok(());
    }
    let found: HashSet<String> = diesel::sql_query(sql)
        .bind::<Array<Text>, _>(&distinct)
        .load::<Name>(conn)?
        .into_iter()
        .map(|n| n.name)
        .collect();
    for (flag, value) in flags.iter_mut().zip(values) {
        *flag |= value.as_ref().is_some_and(|v| found.contains(v));
    }
    Ok(())
}

/// Writes the binary COPY data of the good rows at `positions` (every one
/// when `None`).
fn write_rows(
    out: &mut dyn std::io::Write,
    batch: &Batch,
    positions: Option<&[usize]>,
) -> std::io::Result<()> {
    out.write_all(crate::binary::HEADER)?;
    match positions {
        None => out.write_all(&batch.copy)?,
        Some(positions) => {
            for &i in positions {
                out.write_all(batch.row(i))?;
            }
        }
    }
    out.write_all(crate::binary::TRAILER)
}

/// COPYs, in binary, what `write` writes into `table`'s catalog columns
/// (the others, `chatmrpt_origin`, take their defaults).
fn copy_into(
    conn: &mut PgConnection,
    table: Table,
    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> QueryResult<usize> {
    fn run<const I: usize>(
        conn: &mut PgConnection,
        write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> QueryResult<usize> {
        diesel::copy_from(backfill_stage::table)
            .from_raw_data(Columns::<I>, |out| {
                write(out).map_err(|e| DieselError::SerializationError(Box::new(e)))
            })
            .with_format(CopyFormat::Binary)
            .execute(conn)
    }
    macro_rules! by_index {
        ($($n:literal)*) => {
            match Table::ALL.iter().position(|t| *t == table) {
                $(Some($n) => run::<$n>(conn, write),)*
                _ => Err(unknown_table()),
            }
        };
    }
    by_index!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

fn unknown_table() -> DieselError {
    DieselError::QueryBuilderError("no such table in the catalog".into())
}

/// The COPY target `"table" ("column", ...)` of `Table::ALL[I]`, its
/// catalog columns in order, every name quoted by diesel. (diesel's own
/// targets are a `table!` or a tuple of its columns; the catalog is the
/// one source of the column order the lines are encoded in.)
struct Columns<const I: usize>;

impl<const I: usize> CopyTarget for Columns<I> {
    // Only ties the target to `copy_from`'s table type; never rendered.
    type Table = backfill_stage::table;
    type SqlType = Text;

    fn walk_target(mut pass: AstPass<'_, '_, Pg>) -> QueryResult<()> {
        let table = Table::ALL.get(I).ok_or_else(unknown_table)?;
        pass.push_identifier(table.name())?;
        pass.push_sql(" (");
        for (i, column) in catalog::columns(*table).iter().enumerate() {
            if i > 0 {
                pass.push_sql(", ");
            }
            pass.push_identifier(column.name)?;
        }
        pass.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_check_their_sessions_and_parents_and_sessions_check_nothing() {
        assert!(checks(Table::Sessions).is_empty());
        assert_eq!(checked_columns(Table::Sessions), vec![KEY]);
        let routing = checks(Table::RoutingDecisions);
        assert_eq!(routing.len(), 2);
        assert!(routing[0].1.contains("backfill_synthesized"));
        assert!(
            routing[1]
                .1
                .contains("FROM \"messages\" p WHERE p.\"message_id\" = x.id LIMIT 1")
        );
        let session = catalog::position(Table::RoutingDecisions, "session_id").unwrap();
        let message = catalog::position(Table::RoutingDecisions, "message_id").unwrap();
        assert_eq!(
            checked_columns(Table::RoutingDecisions),
            vec![KEY, session, message]
        );
        assert!(checks(Table::ArenaTrainingExports).is_empty());
    }
}
