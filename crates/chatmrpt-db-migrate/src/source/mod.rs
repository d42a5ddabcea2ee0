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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chatmrpt_db_sqlite::Look;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel::sqlite::SqliteConnection;

use crate::catalog::quote;
use crate::error::{Error, Result};
use crate::pace::Pace;
use crate::value::SourceRow;

mod clock;
pub(crate) use clock::parse_recorded;
mod identity;
mod keys;
mod schema;

pub(crate) use identity::{Fingerprint, SourceIdentity};
pub(crate) use keys::key_bytes;
pub(crate) use schema::{SourceSchema, SourceTable};

/// A read-only connection to the legacy file.
pub(crate) struct Source {
    conn: Look,
    path: PathBuf,
    budget: Duration,
    longest: Duration,
}

/// Rows a table walk (counts, the key scan) takes in its first statement.
pub(crate) const FIRST_WALK_ROWS: usize = 2_000;

/// Most rows a table walk takes in one statement.
pub(crate) const MAX_WALK_ROWS: usize = 200_000;

impl Source {
    /// Opens `path` read-only (`mode=ro`): the file is never written. Each
    /// table walk aims to hold the file at most `budget` per statement.
    ///
    /// # Errors
    ///
    /// [`Error::SourceUnavailable`] when it cannot be opened.
    pub(crate) fn open(path: &Path, budget: Duration) -> Result<Self> {
        // Said plainly, before SQLite's "unable to open database file".
        let unlike = |reason: &str| Error::NotALegacyLog {
            path: path.to_path_buf(),
            reason: reason.into(),
        };
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if path
                    .parent()
                    .is_some_and(|p| !p.as_os_str().is_empty() && !p.exists())
                {
                    let folder = path.parent().unwrap_or(path).to_path_buf();
                    return Err(Error::Obstacle {
                        path: path.to_path_buf(),
                        obstacle: chatmrpt_db_core::sqlite_file::Obstacle::MissingFolder(folder),
                    });
                }
                return Err(unlike("no such file"));
            }
            Ok(meta) if meta.is_file() && meta.len() == 0 => {
                return Err(unlike("the file is empty"));
            }
            Ok(meta) if !meta.is_file() => return Err(unlike("not a file")),
            _ => {}
        }
        let mut conn = Look::open(path).map_err(|source| {
            Error::obstacle_or(path, &source.to_string(), || Error::SourceUnavailable {
                path: path.to_path_buf(),
                source,
            })
        })?;
        // No busy handler: a statement that meets a writer's lock fails at
        // once and [`Source::timed`] retries it, so that the time measured
        // is the time the statement held the file, not the time it waited.
        diesel::sql_query("PRAGMA busy_timeout = 0")
            .execute(&mut *conn)
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
    #[track_caller]
    pub(crate) fn timed<T>(
        &mut self,
        statement: impl FnMut(&mut SqliteConnection) -> QueryResult<T>,
    ) -> Result<(T, Duration)> {
        let at = std::panic::Location::caller();
        let (out, took) = self.retrying(statement)?;
        if took > self.budget * 2 {
            // Which read overran shows where pacing is missing (`-vv`).
            tracing::debug!(%at, held_ms = took.as_millis(), "a read of the source held it past twice its budget");
        }
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
                Err(e) => return Err(self.read_error(e)),
            }
        }
    }

    /// A failed read: what is in the way named as such (a hot journal, a
    /// read-only folder), else the driver's error.
    fn read_error(&self, e: diesel::result::Error) -> Error {
        Error::obstacle_or(&self.path, &e.to_string(), || Error::Source(e))
    }

    /// The longest any statement held the file so far.
    pub(crate) fn longest_read(&self) -> Duration {
        self.longest
    }

    /// A pacer for reads of this file starting at `first` rows.
    pub(crate) fn pace(&self, first: usize, max: usize) -> Pace {
        Pace::new(first, max, self.budget)
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

/// How long a read keeps retrying while writers hold the file.
const WAIT_FOR_WRITERS: Duration = Duration::from_secs(30);

/// Whether SQLite refused because another connection holds the file.
fn is_locked(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(_, info)
        if info.message().contains("database is locked"))
}

/// A row count as SQLite's `LIMIT` takes it.
pub(crate) fn as_limit(rows: usize) -> i64 {
    i64::try_from(rows).unwrap_or(i64::MAX)
}
