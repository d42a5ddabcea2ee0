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
//! runs under a savepoint, a key already there (dual write, another host's
//! file, a session read twice) fails it at that row, and then the whole
//! batch takes the staged path, with the same result as if it had gone
//! there first. A row already in PostgreSQL is never overwritten. A session
//! COPYed straight in is in no other source's load (had one brought it,
//! its row would be there): nothing merges, and its `chatmrpt_origin` alone
//! says which source brought it (`sql::MERGED_SESSIONS` reads it there).

use std::collections::{BTreeSet, HashSet};

use chatmrpt_db_core::Table;
use diesel::pg::{CopyFormat, CopyTarget, Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Array, Text};

use crate::catalog::{self, quote};
use crate::load::TablePlan;
use crate::prepare::Batch;
use crate::staging::backfill_stage;

/// The positions of the columns whose values a batch carries for the
/// straight path's checks ([`checks`]): a child's `session_id` and its
/// other parent columns (none for sessions).
pub(crate) fn checked_columns(table: Table) -> Vec<usize> {
    checks(table).into_iter().map(|(at, _)| at).collect()
}

/// For each checked column of a child table, the query returning the
/// values (of `$1`, an array) that keep a row off the straight path: a
/// parent row missing, or a session synthesized earlier.
pub(crate) fn checks(table: Table) -> Vec<(usize, String)> {
    if table == Table::Sessions {
        return Vec::new();
    }
    let session = catalog::position(table, "session_id").map(|at| {
        (
            at,
            "SELECT x.id AS name FROM unnest($1::text[]) AS x(id) \
             WHERE NOT EXISTS (SELECT 1 FROM sessions p WHERE p.session_id = x.id) \
             OR EXISTS (SELECT 1 FROM backfill_synthesized b WHERE b.session_id = x.id)"
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
                 WHERE NOT EXISTS (SELECT 1 FROM {} p WHERE p.{} = x.id)",
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
/// `None` when the whole batch must be staged: it was prepared for the
/// stage (text), a key was already there, or a parent checked a moment
/// before was not (the COPY was rolled back to its savepoint; nothing of it
/// stays).
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
    let mut blocked = vec![false; batch.seqs.len()];
    for (column, sql) in &plan.checks {
        let Some((_, values)) = batch.refs.iter().find(|(at, _)| at == column) else {
            continue;
        };
        let distinct: Vec<&str> = values
            .iter()
            .flatten()
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if distinct.is_empty() {
            continue;
        }
        let stopped: HashSet<String> = diesel::sql_query(sql)
            .bind::<Array<Text>, _>(&distinct)
            .load::<Name>(conn)?
            .into_iter()
            .map(|n| n.name)
            .collect();
        for (flag, value) in blocked.iter_mut().zip(values) {
            *flag |= value.as_ref().is_some_and(|v| stopped.contains(v));
        }
    }
    // The common case, nothing blocked, COPYs the batch's own bytes.
    let (clear, rest): (Option<Vec<usize>>, Vec<usize>) = if blocked.contains(&true) {
        let (clear, rest) = (0..blocked.len()).partition(|i| !blocked[*i]);
        (Some(clear), rest)
    } else {
        (None, Vec::new())
    };
    let rows = clear.as_ref().map_or(batch.seqs.len(), Vec::len);
    if rows == 0 {
        return Ok(Some(Straight { rows: 0, rest }));
    }
    let table = plan.table.table;
    let write = |out: &mut dyn std::io::Write| write_rows(out, batch, clear.as_deref());
    match conn.transaction(|conn| copy_into(conn, table, &write)) {
        Ok(_) => {}
        Err(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
            _,
        )) => return Ok(None),
        Err(e) => return Err(e),
    }
    Ok(Some(Straight {
        rows: rows as u64,
        rest,
    }))
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
        assert!(checked_columns(Table::Sessions).is_empty());
        let routing = checks(Table::RoutingDecisions);
        assert_eq!(routing.len(), 2);
        assert!(routing[0].1.contains("backfill_synthesized"));
        assert!(
            routing[1]
                .1
                .contains("FROM \"messages\" p WHERE p.\"message_id\" = x.id")
        );
        let session = catalog::position(Table::RoutingDecisions, "session_id").unwrap();
        let message = catalog::position(Table::RoutingDecisions, "message_id").unwrap();
        assert_eq!(
            checked_columns(Table::RoutingDecisions),
            vec![session, message]
        );
        assert!(checks(Table::ArenaTrainingExports).is_empty());
    }
}
