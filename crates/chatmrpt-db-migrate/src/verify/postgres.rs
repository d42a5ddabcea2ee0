//! A PostgreSQL store as one side of verify: chunk digests are computed by
//! the server (`sha256`), so an equal chunk costs 32 bytes on the wire.
//! Everything is read in one repeatable-read, read-only transaction: one
//! consistent snapshot, without blocking writers.

use std::collections::{HashMap, HashSet};

use chatmrpt_db_core::{PostgresConfig, Session, SessionId, Table, Timestamp};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text, Timestamptz};

use super::canon::{Hash, pg_row_expression};
use super::compared::{Chunk, ComparedStore, Range};
use crate::bookkeeping;
use crate::catalog::quote;
use crate::error::{Error, Result};
use crate::target;

/// The PostgreSQL side.
pub(crate) struct PgReader {
    conn: PgConnection,
    /// Whether synthesized sessions are left out (they are known differences).
    skip_synthesized: bool,
    /// Whether the log tables record where each row came from (migration
    /// 000009).
    has_origins: bool,
}

#[derive(QueryableByName)]
struct KeyOrigin {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Nullable<Text>)]
    origin: Option<String>,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    key: String,
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Binary)]
    digest: Vec<u8>,
}

#[derive(QueryableByName)]
struct KeyDigest {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Binary)]
    digest: Vec<u8>,
}

impl PgReader {
    /// Connects (never migrates) and opens the snapshot.
    ///
    /// # Errors
    ///
    /// [`Error::Store`] when unreachable, [`Error::Target`].
    pub(crate) fn open(config: &PostgresConfig, is_target: bool) -> Result<Self> {
        let mut conn = target::connect(config, false)?;
        diesel::sql_query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut conn)
            .map_err(Error::Target)?;
        let mut side = Self {
            conn,
            skip_synthesized: false,
            has_origins: false,
        };
        side.skip_synthesized = is_target && side.exists("backfill_synthesized")?;
        let found: Flag = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = \
             current_schema() AND table_name = 'messages' AND column_name = 'chatmrpt_origin') AS flag",
        )
        .get_result(&mut side.conn)
        .map_err(Error::Target)?;
        side.has_origins = found.flag;
        Ok(side)
    }

    /// Every backfill label and the file it recorded, when the bookkeeping
    /// exists.
    ///
    /// # Errors
    ///
    /// [`Error::Target`].
    pub(crate) fn recorded_sources(
        &mut self,
    ) -> Result<Vec<(String, bookkeeping::RecordedSource)>> {
        if !self.exists("backfill_sources")? {
            return Ok(Vec::new());
        }
        bookkeeping::recorded_sources(&mut self.conn).map_err(Error::Target)
    }

    fn exists(&mut self, relation: &str) -> Result<bool> {
        let found: Flag = diesel::sql_query("SELECT to_regclass($1) IS NOT NULL AS flag")
            .bind::<Text, _>(relation)
            .get_result(&mut self.conn)
            .map_err(Error::Target)?;
        Ok(found.flag)
    }

    /// Keys of `table` in quarantine, when the bookkeeping exists.
    ///
    /// # Errors
    ///
    /// [`Error::Target`].
    pub(crate) fn quarantined(&mut self, table: Table) -> Result<HashSet<String>> {
        if !self.exists("backfill_quarantine")? {
            return Ok(HashSet::new());
        }
        Ok(bookkeeping::quarantined_keys(&mut self.conn, table.name())
            .map_err(Error::Target)?
            .into_iter()
            .collect())
    }

    /// Synthesized session ids, when the bookkeeping exists.
    ///
    /// # Errors
    ///
    /// [`Error::Target`].
    pub(crate) fn synthesized(&mut self) -> Result<HashSet<String>> {
        if !self.exists("backfill_synthesized")? {
            return Ok(HashSet::new());
        }
        Ok(bookkeeping::synthesized_sessions(&mut self.conn)
            .map_err(Error::Target)?
            .into_iter()
            .collect())
    }

    /// `FROM ... WHERE ...` of a range, parameters `$1`, `$2` as present.
    fn range_clause(&self, table: Table, range: &Range) -> String {
        let bounds = |key: &str| {
            let mut bounds = Vec::new();
            if range.after.is_some() {
                bounds.push(format!("{key} > $1"));
            }
            if range.upto.is_some() {
                let n = if range.after.is_some() { 2 } else { 1 };
                bounds.push(format!("{key} <= ${n}"));
            }
            bounds
        };
        let mut conditions = vec!["true".to_owned()];
        conditions.extend(bounds(&format!("t.{}", quote(table.primary_key()))));
        if self.skip_synthesized && table == Table::Sessions {
            // Bounded by the range too: unbounded, the server hashes every
            // synthesized session for every chunk (chunks x synthesized
            // sessions: the one term of verify that grew faster than the
            // file, 27x from scale 20 to 100).
            let mut synthesized = vec!["b.session_id = t.session_id".to_owned()];
            synthesized.extend(bounds("b.session_id"));
            conditions.push(format!(
                "NOT EXISTS (SELECT 1 FROM backfill_synthesized b WHERE {})",
                synthesized.join(" AND ")
            ));
        }
        format!(
            "FROM {} t WHERE {}",
            quote(table.name()),
            conditions.join(" AND ")
        )
    }

    fn query<T: QueryableByName<diesel::pg::Pg> + 'static>(
        &mut self,
        sql: String,
        range: &Range,
    ) -> Result<Vec<T>> {
        let conn = &mut self.conn;
        let rows = match (&range.after, &range.upto) {
            (None, None) => diesel::sql_query(sql).load(conn),
            (Some(a), None) | (None, Some(a)) => {
                diesel::sql_query(sql).bind::<Text, _>(a).load(conn)
            }
            (Some(a), Some(b)) => diesel::sql_query(sql)
                .bind::<Text, _>(a)
                .bind::<Text, _>(b)
                .load(conn),
        };
        rows.map_err(Error::Target)
    }
}

#[derive(QueryableByName)]
struct SessionValues {
    #[diesel(sql_type = Text)]
    session_id: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_activity: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    user_language: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    browser_info: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ip_address: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    analysis_complete: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    files_uploaded: Option<bool>,
}

impl SessionValues {
    /// `None` for a time outside the years the domain keeps (never stored).
    fn into_session(self) -> Option<Session> {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
            Some(at) => Timestamp::from_datetime(at).ok().map(Some),
            None => Some(None),
        };
        Some(Session {
            session_id: SessionId::from(self.session_id),
            start_time: time(self.start_time)?,
            last_activity: time(self.last_activity)?,
            user_language: self.user_language,
            browser_info: self.browser_info,
            ip_address: self.ip_address,
            analysis_complete: self.analysis_complete,
            files_uploaded: self.files_uploaded,
        })
    }
}

fn hash(bytes: &[u8]) -> Hash {
    let mut out = [0; 32];
    if bytes.len() == 32 {
        out.copy_from_slice(bytes);
    }
    out
}

impl ComparedStore for PgReader {
    fn origins(
        &mut self,
        table: Table,
        keys: &[String],
    ) -> Result<HashMap<String, Option<String>>> {
        if !self.has_origins || keys.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT {key}::text AS key, chatmrpt_origin AS origin FROM {table} WHERE {key} = ANY($1)",
            key = quote(table.primary_key()),
            table = quote(table.name()),
        );
        let rows: Vec<KeyOrigin> = diesel::sql_query(sql)
            .bind::<diesel::sql_types::Array<Text>, _>(keys)
            .load(&mut self.conn)
            .map_err(Error::Target)?;
        Ok(rows.into_iter().map(|r| (r.key, r.origin)).collect())
    }

    fn has(&mut self, table: Table) -> Result<bool> {
        self.exists(table.name())
    }

    fn boundary(&mut self, table: Table, after: Option<&str>, n: usize) -> Result<Option<String>> {
        let range = Range {
            after: after.map(str::to_owned),
            upto: None,
        };
        let key = format!("t.{}", quote(table.primary_key()));
        let sql = format!(
            "SELECT {key} AS key {} ORDER BY {key} OFFSET {} LIMIT 1",
            self.range_clause(table, &range),
            n.saturating_sub(1)
        );
        Ok(self
            .query::<Key>(sql, &range)?
            .into_iter()
            .next()
            .map(|k| k.key))
    }

    fn chunk(&mut self, table: Table, range: &Range) -> Result<Chunk> {
        let key = format!("t.{}", quote(table.primary_key()));
        let sql = format!(
            "SELECT count(*) AS n, coalesce(sha256(string_agg(sha256({}), ''::bytea ORDER BY {key})), sha256(''::bytea)) AS digest {}",
            pg_row_expression(table),
            self.range_clause(table, range)
        );
        let row = self.query::<Digest>(sql, range)?.into_iter().next();
        let row = row.ok_or(Error::Target(diesel::result::Error::NotFound))?;
        Ok(Chunk {
            rows: u64::try_from(row.n).unwrap_or(0),
            digest: hash(&row.digest),
        })
    }

    fn sessions(&mut self, range: &Range) -> Result<Vec<Session>> {
        let sql = format!(
            "SELECT t.session_id, t.start_time, t.last_activity, t.user_language, t.browser_info, \
             t.ip_address, t.analysis_complete, t.files_uploaded {} ORDER BY t.session_id",
            self.range_clause(Table::Sessions, range)
        );
        Ok(self
            .query::<SessionValues>(sql, range)?
            .into_iter()
            .filter_map(SessionValues::into_session)
            .collect())
    }

    fn rows(&mut self, table: Table, range: &Range) -> Result<Vec<(String, Hash)>> {
        let key = format!("t.{}", quote(table.primary_key()));
        let sql = format!(
            "SELECT {key} AS key, sha256({}) AS digest {} ORDER BY {key}",
            pg_row_expression(table),
            self.range_clause(table, range)
        );
        Ok(self
            .query::<KeyDigest>(sql, range)?
            .into_iter()
            .map(|r| (r.key, hash(&r.digest)))
            .collect())
    }
}
