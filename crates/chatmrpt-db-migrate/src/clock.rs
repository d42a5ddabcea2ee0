//! Changing a file's clock: the explicit, reported step that moves every log
//! timestamp of a managed SQLite file from the zone it records to another
//! (a file the store wrote in UTC before the clock was recorded, on a host
//! whose legacy application writes local time).
//!
//! One transaction: every text timestamp is read in the recorded zone and
//! rewritten as the wall clock of the new zone, and the new zone recorded,
//! or nothing changes. Epoch numbers are instants already and stay; text
//! that is not a time stays and is counted. A time that lands in an hour
//! the new zone repeats (clocks going back) would read back as the first
//! occurrence: such keys are listed, never passed over in silence.

use std::path::Path;

use chatmrpt_db_core::{LegacyZone, Table};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use crate::catalog::{Kind, columns, quote};
use crate::error::{Error, Result};

/// At most this many keys are listed per column.
const LISTED: usize = 100;

/// What a clock conversion did (or, without `apply`, would do).
#[derive(Clone, Debug, Serialize)]
pub struct ClockConversion {
    /// The zone the file recorded.
    pub from: String,
    /// The zone it records now (or would).
    pub to: String,
    /// Whether the file was changed (false: a dry run, nothing written).
    pub applied: bool,
    /// One entry per timestamp column of the log.
    pub columns: Vec<ClockColumn>,
}

/// One timestamp column's conversion.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClockColumn {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// Text values rewritten.
    pub converted: u64,
    /// Values left as they were: NULL, epoch numbers, text that is no time.
    pub kept: u64,
    /// How many converted values fall in an hour the new zone repeats, so
    /// would read back an hour early; `repeated_keys` lists the first.
    pub repeated: u64,
    /// The primary keys of the first of those rows.
    pub repeated_keys: Vec<String>,
}

impl ClockConversion {
    /// Values rewritten in all.
    pub fn converted(&self) -> u64 {
        self.columns.iter().map(|c| c.converted).sum()
    }

    /// Values that would read back an hour early, in all.
    pub fn repeated(&self) -> u64 {
        self.columns.iter().map(|c| c.repeated).sum()
    }
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = BigInt)]
    rowid: i64,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// The zone the managed file at `path` records (`None`: none yet; the
/// store's first write records one). Opens the file read-only.
///
/// # Errors
///
/// [`Error::SourceUnavailable`]; [`Error::Options`] for a file that is not
/// under management, or whose migrations are behind.
pub fn recorded_clock(path: &Path) -> Result<Option<LegacyZone>> {
    let mut conn = open(path, false)?;
    read_clock(&mut conn)
}

/// Moves the log timestamps of the managed file at `path` to `to` (see
/// the module docs). Without `apply`, a dry run: the file is opened
/// read-only and nothing is written. Stop every process writing the file
/// first: a running store keeps the clock it read at start.
///
/// # Errors
///
/// [`Error::SourceUnavailable`]; [`Error::Options`] for a file that is not
/// under management or records no clock; [`Error::Source`] when a statement
/// fails (nothing was changed).
pub fn convert_clock(path: &Path, to: LegacyZone, apply: bool) -> Result<ClockConversion> {
    let mut conn = open(path, apply)?;
    let work = |conn: &mut SqliteConnection| -> Result<ClockConversion> {
        let from = read_clock(conn)?.ok_or_else(|| {
            Error::Options(format!(
                "{} records no clock yet: nothing was written in one; set \
                 sqlite.legacy_timezone and the store's first write records it",
                path.display()
            ))
        })?;
        let mut converted = Vec::new();
        for table in Table::ALL {
            if !has_table(conn, table.name())? {
                continue;
            }
            for column in columns(table).iter().filter(|c| c.kind == Kind::Timestamp) {
                converted.push(convert_column(conn, table, column.name, (from, to), apply)?);
            }
        }
        if apply {
            diesel::sql_query(
                "UPDATE chatmrpt_file_identity SET legacy_timezone = ?1 WHERE id = 1",
            )
            .bind::<Text, _>(to.to_string())
            .execute(conn)
            .map_err(Error::Source)?;
        }
        Ok(ClockConversion {
            from: from.to_string(),
            to: to.to_string(),
            applied: apply,
            columns: converted,
        })
    };
    if apply {
        // The write lock first: the file is read and rewritten as one.
        conn.immediate_transaction(|conn| work(conn).map_err(Failed::Ours))
            .map_err(|failed| match failed {
                Failed::Ours(err) => err,
                Failed::Transaction(err) => Error::Source(err),
            })
    } else {
        work(&mut conn)
    }
}

/// Why the conversion's transaction ended without a commit.
enum Failed {
    Ours(Error),
    Transaction(diesel::result::Error),
}

impl From<diesel::result::Error> for Failed {
    fn from(err: diesel::result::Error) -> Self {
        Failed::Transaction(err)
    }
}

/// The file, opened to write (`--apply`) or only to look.
enum Opened {
    Write(SqliteConnection),
    Look(chatmrpt_db_sqlite::Look),
}

impl std::ops::Deref for Opened {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            Self::Write(conn) => conn,
            Self::Look(look) => look,
        }
    }
}

impl std::ops::DerefMut for Opened {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Self::Write(conn) => conn,
            Self::Look(look) => look,
        }
    }
}

fn open(path: &Path, write: bool) -> Result<Opened> {
    if !path.is_file() {
        return Err(Error::NotALegacyLog {
            path: path.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    let opened = if write {
        SqliteConnection::establish(&chatmrpt_db_sqlite::look::file_uri(path, "rw"))
            .map(Opened::Write)
    } else {
        chatmrpt_db_sqlite::Look::open(path).map(Opened::Look)
    };
    let mut conn = opened.map_err(|source| Error::SourceUnavailable {
        path: path.to_path_buf(),
        source,
    })?;
    // The first read names what keeps SQLite out (a hot journal, a
    // read-only folder) instead of failing somewhere later.
    conn.batch_execute("PRAGMA busy_timeout = 5000; SELECT count(*) FROM sqlite_master;")
        .map_err(|e| {
            let message = e.to_string();
            Error::obstacle_or(path, &message, || {
                if message.contains("file is not a database") {
                    Error::NotALegacyLog {
                        path: path.to_path_buf(),
                        reason: "not a SQLite database".into(),
                    }
                } else {
                    Error::Source(e)
                }
            })
        })?;
    Ok(conn)
}

fn has_table(conn: &mut SqliteConnection, name: &str) -> Result<bool> {
    let found: Vec<Name> =
        diesel::sql_query("SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .bind::<Text, _>(name)
            .load(conn)
            .map_err(Error::Source)?;
    Ok(!found.is_empty())
}

fn read_clock(conn: &mut SqliteConnection) -> Result<Option<LegacyZone>> {
    let unmanaged = || {
        Error::Options(
            "not a managed file with a recorded clock: adopt it, or run `chatmrpt-db migrate`"
                .into(),
        )
    };
    if !has_table(conn, "chatmrpt_file_identity")? {
        return Err(unmanaged());
    }
    let found: Vec<Name> =
        diesel::sql_query("SELECT legacy_timezone AS v FROM chatmrpt_file_identity WHERE id = 1")
            .load(conn)
            .map_err(|_| unmanaged())?;
    crate::source::parse_recorded(found.into_iter().next().and_then(|n| n.v))
}

fn convert_column(
    conn: &mut SqliteConnection,
    table: Table,
    column: &'static str,
    (from, to): (LegacyZone, LegacyZone),
    apply: bool,
) -> Result<ClockColumn> {
    let mut out = ClockColumn {
        table: table.name(),
        column,
        ..ClockColumn::default()
    };
    let rows: Vec<Stored> = diesel::sql_query(format!(
        "SELECT rowid, CAST({key} AS TEXT) AS key, \
         CASE WHEN typeof({col}) = 'text' THEN {col} END AS value FROM {table}",
        key = quote(table.primary_key()),
        col = quote(column),
        table = quote(table.name()),
    ))
    .load(conn)
    .map_err(Error::Source)?;
    let update = format!(
        "UPDATE {} SET {} = ?1 WHERE rowid = ?2",
        quote(table.name()),
        quote(column)
    );
    for row in rows {
        let Some(at) = row.value.as_deref().and_then(|v| from.parse_legacy(v).ok()) else {
            out.kept += 1;
            continue;
        };
        let text = to.to_legacy_string(at);
        // The new wall clock reads back as another instant only in an hour
        // the new zone repeats (a written time is never a skipped one).
        if to.parse_legacy(&text).ok() != Some(at) {
            out.repeated += 1;
            if out.repeated_keys.len() < LISTED {
                out.repeated_keys.push(row.key.clone().unwrap_or_default());
            }
        }
        out.converted += 1;
        if apply && row.value.as_deref() != Some(text.as_str()) {
            diesel::sql_query(&update)
                .bind::<Text, _>(&text)
                .bind::<BigInt, _>(row.rowid)
                .execute(conn)
                .map_err(Error::Source)?;
        }
    }
    Ok(out)
}
