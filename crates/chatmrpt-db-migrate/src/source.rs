//! The legacy file, opened read-only, and what its schema really is.
//!
//! Nothing about the file is assumed: tables and columns are read from
//! `sqlite_master` and `pragma_table_info`. A known table may lack columns
//! (they load as NULL) or have extra ones (reported, not loaded); unknown
//! tables are reported and left alone.
//!
//! The file may be live: the legacy application (or the SQLite store) keeps
//! writing it. Every statement here is its own short read transaction, and
//! every statement that walks a table is sized by [`Pace`] to hold the file
//! for about the read budget: in rollback-journal mode a reader's shared
//! lock keeps a committing writer waiting, and the legacy application drops
//! a write it could not make within its busy timeout. No statement scans a
//! whole table. The longest any statement held the file is recorded
//! ([`Source::longest_read`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chatmrpt_db_core::Table;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::sqlite::SqliteConnection;

use crate::catalog::{self, quote};
use crate::error::{Error, Result};
use crate::pace::Pace;
use crate::value::{LegacyValue, SourceRow};

/// A read-only connection to the legacy file.
pub(crate) struct Source {
    conn: SqliteConnection,
    path: PathBuf,
    budget: Duration,
    longest: Duration,
}

/// Rows a table walk (counts, the key scan) takes in its first statement.
const FIRST_WALK_ROWS: usize = 2_000;

/// Most rows a table walk takes in one statement.
const MAX_WALK_ROWS: usize = 200_000;

/// How a known table is laid out in the file.
#[derive(Clone, Debug)]
pub(crate) struct SourceTable {
    /// Which table.
    pub table: Table,
    /// Its name in the file.
    pub name: String,
    /// For each target column: its position in a read row (0 is the rowid),
    /// or `None` when the file lacks the column (it loads as NULL).
    pub layout: Vec<Option<usize>>,
    /// Every column of the file's table, in its order (the read order).
    pub columns: Vec<String>,
    /// Columns the file has but the target does not (reported, not loaded).
    pub unknown_columns: Vec<String>,
    /// Target columns the file lacks.
    pub missing_columns: Vec<&'static str>,
    /// The name under which the rowid is selected.
    pub rowid: &'static str,
}

/// The file's schema as found.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceSchema {
    /// The known tables present, in load order.
    pub tables: Vec<SourceTable>,
    /// Known tables the file does not have.
    pub missing_tables: Vec<Table>,
    /// Tables that are not part of the interaction log.
    pub unknown_tables: Vec<String>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What one statement of a table walk saw.
#[derive(QueryableByName)]
struct Walked {
    /// Rows read.
    #[diesel(sql_type = BigInt)]
    n: i64,
    /// The last rowid read (NULL when none).
    #[diesel(sql_type = Nullable<BigInt>)]
    last: Option<i64>,
    /// Rows whose key is not text.
    #[diesel(sql_type = BigInt)]
    odd: i64,
}

/// Rows of a table after a rowid, and how many have a key that is not text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableCounts {
    /// Rows.
    pub rows: u64,
    /// Rows whose key is NULL, a number or a BLOB.
    pub non_text_keys: u64,
}

#[derive(QueryableByName)]
struct KeyBytes {
    #[diesel(sql_type = Binary)]
    k: Vec<u8>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Source {
    /// Opens `path` read-only (`mode=ro`): the file is never written. Each
    /// table walk aims to hold the file at most `budget` per statement.
    ///
    /// # Errors
    ///
    /// [`Error::SourceUnavailable`] when it cannot be opened.
    pub(crate) fn open(path: &Path, budget: Duration) -> Result<Self> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let uri = format!("file:{}?mode=ro", uri_escape(&absolute.to_string_lossy()));
        let mut conn =
            SqliteConnection::establish(&uri).map_err(|source| Error::SourceUnavailable {
                path: path.to_path_buf(),
                source,
            })?;
        // No busy handler: a statement that meets a writer's lock fails at
        // once and [`Source::timed`] retries it, so that the time measured
        // is the time the statement held the file, not the time it waited.
        diesel::sql_query("PRAGMA busy_timeout = 0")
            .execute(&mut conn)
            .map_err(Error::Source)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            budget,
            longest: Duration::ZERO,
        })
    }

    /// Runs one statement on the file, recording how long it held it.
    ///
    /// A statement that finds the file locked by a writer (committing, in
    /// rollback-journal mode) is run again after a short pause, for up to
    /// [`WAIT_FOR_WRITERS`]: the writer goes first, and reads never fail
    /// for a busy application. A read that failed changed nothing.
    ///
    /// # Errors
    ///
    /// [`Error::Source`]; [`Error::SourceLocked`] for a lock held past
    /// [`WAIT_FOR_WRITERS`].
    pub(crate) fn timed<T>(
        &mut self,
        statement: impl FnMut(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<(T, Duration)> {
        let (out, took) = self.retrying(statement)?;
        self.longest = self.longest.max(took);
        Ok((out, took))
    }

    /// As [`Source::timed`], for statements on this connection's private
    /// temporary tables only: they do not hold the file, so they are not
    /// counted.
    fn private<T>(
        &mut self,
        statement: impl FnMut(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<T> {
        self.retrying(statement).map(|(out, _)| out)
    }

    fn retrying<T>(
        &mut self,
        mut statement: impl FnMut(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<(T, Duration)> {
        let waiting_since = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let started = Instant::now();
            match statement(&mut self.conn) {
                Ok(out) => return Ok((out, started.elapsed())),
                Err(e) if is_locked(&e) => {
                    if waiting_since.elapsed() >= WAIT_FOR_WRITERS {
                        return Err(Error::SourceLocked {
                            path: self.path.clone(),
                            waited_s: waiting_since.elapsed().as_secs(),
                        });
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(16));
                }
                Err(e) => return Err(Error::Source(e)),
            }
        }
    }

    /// The longest any statement held the file so far.
    pub(crate) fn longest_read(&self) -> Duration {
        self.longest
    }

    /// A pacer for reads of this file starting at `first` rows.
    pub(crate) fn pace(&self, first: usize, max: usize) -> Pace {
        Pace::new(first, max, self.budget)
    }

    /// Reads the schema; refuses a file that is not a ChatMRPT log.
    ///
    /// # Errors
    ///
    /// [`Error::NotALegacyLog`], or [`Error::Source`] when reading fails.
    pub(crate) fn introspect(&mut self) -> Result<SourceSchema> {
        let names: Vec<Name> = match self.timed(|conn| {
            diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            )
            .load(conn)
        }) {
            Ok((names, _)) => names,
            Err(Error::Source(e)) => return Err(self.not_a_log_or(e)),
            Err(e) => return Err(e),
        };
        let find = |t: Table| names.iter().find(|n| n.name.eq_ignore_ascii_case(t.name()));
        if find(Table::Sessions).is_none() {
            return Err(self.not_a_log("it has no `sessions` table"));
        }
        let mut schema = SourceSchema::default();
        for table in Table::ALL {
            match find(table) {
                Some(n) => schema.tables.push(self.table(table, &n.name)?),
                None => schema.missing_tables.push(table),
            }
        }
        schema.unknown_tables = names
            .into_iter()
            .map(|n| n.name)
            .filter(|n| !Table::ALL.iter().any(|t| n.eq_ignore_ascii_case(t.name())))
            .collect();
        Ok(schema)
    }

    fn table(&mut self, table: Table, name: &str) -> Result<SourceTable> {
        if self.without_rowid(name)? {
            return Err(self.not_a_log(&format!("table `{name}` is WITHOUT ROWID")));
        }
        let (columns, _) = self.timed(|conn| {
            diesel::sql_query("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                .bind::<Text, _>(name)
                .load::<Name>(conn)
        })?;
        let columns: Vec<String> = columns.into_iter().map(|n| n.name).collect();
        let find = |c: &str| columns.iter().position(|n| n.eq_ignore_ascii_case(c));
        let layout: Vec<Option<usize>> = catalog::columns(table)
            .iter()
            .map(|c| find(c.name).map(|i| i + 1))
            .collect();
        if layout[0].is_none() {
            return Err(self.not_a_log(&format!(
                "table `{name}` has no `{}` column",
                table.primary_key()
            )));
        }
        let rowid = ["rowid", "_rowid_", "oid"]
            .into_iter()
            .find(|alias| find(alias).is_none())
            .ok_or_else(|| self.not_a_log(&format!("table `{name}` hides its rowid")))?;
        Ok(SourceTable {
            table,
            name: name.to_owned(),
            missing_columns: catalog::columns(table)
                .iter()
                .zip(&layout)
                .filter(|(_, l)| l.is_none())
                .map(|(c, _)| c.name)
                .collect(),
            unknown_columns: columns
                .iter()
                .filter(|n| {
                    catalog::columns(table)
                        .iter()
                        .all(|c| !n.eq_ignore_ascii_case(c.name))
                })
                .cloned()
                .collect(),
            layout,
            columns,
            rowid,
        })
    }

    fn without_rowid(&mut self, name: &str) -> Result<bool> {
        let (sql, _) = self.timed(|conn| {
            diesel::sql_query("SELECT coalesce(sql, '') AS name FROM sqlite_master WHERE type = 'table' AND name = ?1")
                .bind::<Text, _>(name)
                .load::<Name>(conn)
        })?;
        Ok(sql.iter().any(|s| {
            s.name
                .to_ascii_uppercase()
                .replace(char::is_whitespace, "")
                .contains("WITHOUTROWID")
        }))
    }

    /// Up to `limit` rows with a rowid in `(after_rowid, upto_rowid]`, in
    /// rowid order: the rowid, then every column of the file's table; and
    /// how long the read held the file.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn read_batch(
        &mut self,
        t: &SourceTable,
        (after_rowid, upto_rowid): (i64, i64),
        limit: usize,
    ) -> Result<(Vec<SourceRow>, Duration)> {
        let rowid = quote(t.rowid);
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let sql = format!(
            "SELECT {rowid}, {} FROM {} WHERE {rowid} > ?1 AND {rowid} <= ?2 ORDER BY {rowid} LIMIT ?3",
            cols.join(", "),
            quote(&t.name)
        );
        self.timed(|conn| {
            diesel::sql_query(&sql)
                .bind::<BigInt, _>(after_rowid)
                .bind::<BigInt, _>(upto_rowid)
                .bind::<BigInt, _>(as_limit(limit))
                .load(conn)
        })
    }

    /// The last rowid of each table, read in one statement: one instant of
    /// the file. A backfill copies each table up to its snapshot rowid, so
    /// a child row it copies was written before the snapshot, and so was
    /// its parent (the application writes the parent first), which is then
    /// copied too: no child is refused for a parent that came later. A
    /// table that was empty has `None`.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn snapshot(&mut self, tables: &[SourceTable]) -> Result<Vec<Option<i64>>> {
        #[derive(QueryableByName)]
        struct Last {
            #[diesel(sql_type = BigInt)]
            i: i64,
            #[diesel(sql_type = Nullable<BigInt>)]
            last: Option<i64>,
        }
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        let sql = tables
            .iter()
            .enumerate()
            .map(|(i, t)| {
                format!(
                    "SELECT {i} AS i, (SELECT max({}) FROM {}) AS last",
                    quote(t.rowid),
                    quote(&t.name)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let (rows, _) = self.timed(|conn| diesel::sql_query(&sql).load::<Last>(conn))?;
        let mut out = vec![None; tables.len()];
        for row in rows {
            if let Some(slot) = usize::try_from(row.i).ok().and_then(|i| out.get_mut(i)) {
                *slot = row.last;
            }
        }
        Ok(out)
    }

    /// The highest rowid at which `key` (text) is stored now, if any.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn rowid_of(&mut self, t: &SourceTable, key: &str) -> Result<Option<i64>> {
        #[derive(QueryableByName)]
        struct At {
            #[diesel(sql_type = Nullable<BigInt>)]
            at: Option<i64>,
        }
        let sql = format!(
            "SELECT max({}) AS at FROM {} WHERE {} = ?1",
            quote(t.rowid),
            quote(&t.name),
            quote(t.table.primary_key())
        );
        let (found, _) = self.timed(|conn| {
            diesel::sql_query(&sql)
                .bind::<Text, _>(key)
                .get_result::<At>(conn)
        })?;
        Ok(found.at)
    }

    /// Rows after `after_rowid`, and how many of them have a key that is not
    /// text, counted in paced rowid ranges (a table-wide `count(*)` would
    /// hold the file for the whole scan).
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn count_after(&mut self, t: &SourceTable, after_rowid: i64) -> Result<TableCounts> {
        let rowid = quote(t.rowid);
        let sql = format!(
            "SELECT count(*) AS n, max(r) AS last, coalesce(sum(typeof(k) != 'text'), 0) AS odd \
             FROM (SELECT {rowid} AS r, {} AS k FROM {} WHERE {rowid} > ?1 ORDER BY {rowid} LIMIT ?2)",
            quote(t.table.primary_key()),
            quote(&t.name)
        );
        let mut counts = TableCounts::default();
        self.walk(after_rowid, |conn, after, limit| {
            let w: Walked = diesel::sql_query(&sql)
                .bind::<BigInt, _>(after)
                .bind::<BigInt, _>(limit)
                .get_result(conn)?;
            counts.rows += u64::try_from(w.n).unwrap_or(0);
            counts.non_text_keys += u64::try_from(w.odd).unwrap_or(0);
            Ok(w)
        })?;
        Ok(counts)
    }

    /// Walks a table by rowid from `after_rowid`, one paced statement at a
    /// time, until a statement comes back short.
    fn walk(
        &mut self,
        after_rowid: i64,
        mut step: impl FnMut(&mut SqliteConnection, i64, i64) -> QueryResult<Walked>,
    ) -> Result<()> {
        let mut pace = self.pace(FIRST_WALK_ROWS, MAX_WALK_ROWS);
        let mut after = after_rowid;
        loop {
            let limit = pace.limit();
            let (w, took) = self.timed(|conn| step(conn, after, as_limit(limit)))?;
            let rows = usize::try_from(w.n).unwrap_or(0);
            pace.observe(rows, took);
            match w.last {
                Some(last) if rows >= limit => after = last,
                _ => return Ok(()),
            }
        }
    }

    /// The primary key stored at `rowid`, if that row exists.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn key_at(&mut self, t: &SourceTable, rowid: i64) -> Result<Option<LegacyValue>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = ?1",
            quote(t.table.primary_key()),
            quote(&t.name),
            quote(t.rowid)
        );
        let (rows, _) = self.timed(|conn| {
            diesel::sql_query(&sql)
                .bind::<BigInt, _>(rowid)
                .load::<SourceRow>(conn)
        })?;
        Ok(rows.into_iter().next().and_then(|r| r.0.into_iter().next()))
    }

    /// The bytes of every key held by more than one row. Keys compare as
    /// bytes whatever their storage class (a TEXT key and a BLOB key of the
    /// same bytes are one key once in PostgreSQL), so every holder of such
    /// a key is quarantined: nothing says which one is right. Checked on
    /// every table, whatever its indexes claim: a damaged unique index can
    /// hold a duplicate while still declaring itself unique.
    ///
    /// The file may be live, so no statement scans the table: the keys are
    /// copied, in paced rowid ranges, into a private temporary table (a
    /// temporary file, not memory), which is grouped. A key seen twice there
    /// may only have moved (`INSERT OR REPLACE` gives the row a new rowid
    /// while the walk runs), so each candidate is confirmed by looking up
    /// the rowids it was seen at, in one statement: one instant of the file.
    ///
    /// The same walk counts the rows after `after_rowid` (what is left to
    /// read, for progress), so the table is walked once.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn duplicate_keys(
        &mut self,
        t: &SourceTable,
        after_rowid: i64,
    ) -> Result<(HashSet<Vec<u8>>, u64)> {
        let key = quote(t.table.primary_key());
        let (table, rowid) = (quote(&t.name), quote(t.rowid));
        self.private(|conn| {
            diesel::sql_query("DROP TABLE IF EXISTS temp.chatmrpt_key_scan").execute(conn)?;
            diesel::sql_query("CREATE TEMP TABLE chatmrpt_key_scan (r INTEGER PRIMARY KEY, k BLOB)")
                .execute(conn)
        })?;
        let copy = format!(
            "INSERT OR IGNORE INTO temp.chatmrpt_key_scan (r, k) SELECT {rowid}, CAST({key} AS BLOB) \
             FROM main.{table} WHERE {rowid} > ?1 ORDER BY {rowid} LIMIT ?2"
        );
        let last = "SELECT count(*) AS n, max(r) AS last, 0 AS odd FROM \
                    (SELECT r FROM temp.chatmrpt_key_scan WHERE r > ?1)";
        self.walk(0, |conn, after, limit| {
            diesel::sql_query(&copy)
                .bind::<BigInt, _>(after)
                .bind::<BigInt, _>(limit)
                .execute(conn)?;
            diesel::sql_query(last)
                .bind::<BigInt, _>(after)
                .get_result(conn)
        })?;
        // Only the temporary table: the file is not locked by these.
        let candidates = self.private(|conn| {
            diesel::sql_query("CREATE INDEX IF NOT EXISTS temp.chatmrpt_key_scan_k ON chatmrpt_key_scan (k)")
                .execute(conn)?;
            diesel::sql_query(
                "SELECT k FROM temp.chatmrpt_key_scan WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1",
            )
            .load::<KeyBytes>(conn)
        })?;
        // A candidate is a duplicate when the rows it was seen at still
        // hold it at one instant: rowid lookups, whatever the key's index.
        let confirm = format!(
            "SELECT count(*) AS n FROM main.{table} WHERE {rowid} IN \
             (SELECT r FROM temp.chatmrpt_key_scan WHERE k = ?1) AND CAST({key} AS BLOB) = ?1"
        );
        let mut out = HashSet::new();
        for candidate in candidates {
            let (held, _) = self.timed(|conn| {
                diesel::sql_query(&confirm)
                    .bind::<Binary, _>(&candidate.k)
                    .get_result::<Count>(conn)
            })?;
            if held.n > 1 {
                out.insert(candidate.k);
            }
        }
        let left = self.private(|conn| {
            let left =
                diesel::sql_query("SELECT count(*) AS n FROM temp.chatmrpt_key_scan WHERE r > ?1")
                    .bind::<BigInt, _>(after_rowid)
                    .get_result::<Count>(conn)?;
            diesel::sql_query("DROP TABLE temp.chatmrpt_key_scan").execute(conn)?;
            Ok(left)
        })?;
        Ok((out, u64::try_from(left.n).unwrap_or(0)))
    }

    fn not_a_log(&self, reason: &str) -> Error {
        Error::NotALegacyLog {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }

    fn not_a_log_or(&self, err: diesel::result::Error) -> Error {
        let text = err.to_string();
        if text.contains("not a database") || text.contains("malformed") {
            self.not_a_log(&text)
        } else {
            Error::Source(err)
        }
    }
}

/// A key's bytes as SQLite's `CAST(key AS BLOB)` gives them (none for NULL
/// or a REAL): the identity it will have as PostgreSQL text.
pub(crate) fn key_bytes(value: &LegacyValue) -> Option<Vec<u8>> {
    match value {
        LegacyValue::Null | LegacyValue::Real(_) => None,
        other => Some(other.original_bytes()),
    }
}

/// How long a read keeps retrying while writers hold the file.
const WAIT_FOR_WRITERS: Duration = Duration::from_secs(30);

/// Whether SQLite refused because another connection holds the file.
fn is_locked(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info)
        if info.message().contains("database is locked"))
}

/// A row count as SQLite's `LIMIT` takes it.
fn as_limit(rows: usize) -> i64 {
    i64::try_from(rows).unwrap_or(i64::MAX)
}

/// Escapes what a SQLite URI path cannot hold literally.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}
