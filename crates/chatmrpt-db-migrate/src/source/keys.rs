//! Keys of the legacy file: rowids, counts after a point, a key's bytes,
//! and the duplicate keys a legacy table can hold.

use std::collections::HashSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};

use super::{FIRST_WALK_ROWS, MAX_WALK_ROWS, Source, SourceTable, as_limit};
use crate::catalog::quote;
use crate::error::Result;
use crate::value::{LegacyValue, SourceRow};

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
    /// The highest rowid at which `key` (text) is stored now, if any.
    ///
    /// # Errors
    ///
    /// [`Error::Source`](crate::Error::Source).
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
    /// [`Error::Source`](crate::Error::Source).
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
    /// [`Error::Source`](crate::Error::Source).
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
    /// [`Error::Source`](crate::Error::Source).
    pub(crate) fn duplicate_keys(
        &mut self,
        t: &SourceTable,
        after_rowid: i64,
    ) -> Result<(HashSet<Vec<u8>>, u64)> {
        match self.distinct_keys(t, after_rowid)? {
            Some(left) => Ok((HashSet::new(), left)),
            None => self.scan_duplicates(t, after_rowid),
        }
    }

    /// The common case first, without writing the keys anywhere: a 64-bit
    /// hash of every key, in memory, sorted. Equal keys hash alike, so when
    /// no hash repeats no key does: `Some(rows after after_rowid)`. `None`
    /// when a hash repeats (a duplicate, or a collision) or the table holds
    /// more than [`MAX_HASHED`] keys: then [`Self::scan_duplicates`] decides.
    /// Scale 20 (877,420 sessions): 0.4 s instead of 1.7 s, 7 MB for the
    /// time of the walk.
    fn distinct_keys(&mut self, t: &SourceTable, after_rowid: i64) -> Result<Option<u64>> {
        #[derive(QueryableByName)]
        struct Keyed {
            #[diesel(sql_type = BigInt)]
            r: i64,
            #[diesel(sql_type = Nullable<Binary>)]
            k: Option<Vec<u8>>,
        }
        let rowid = quote(t.rowid);
        let sql = format!(
            "SELECT {rowid} AS r, CAST({} AS BLOB) AS k FROM main.{} WHERE {rowid} > ?1 \
             ORDER BY {rowid} LIMIT ?2",
            quote(t.table.primary_key()),
            quote(&t.name)
        );
        let (mut hashes, mut left, mut too_many) = (Vec::new(), 0_u64, false);
        self.walk(0, |conn, after, limit| {
            let rows: Vec<Keyed> = diesel::sql_query(&sql)
                .bind::<BigInt, _>(after)
                .bind::<BigInt, _>(limit)
                .load(conn)?;
            // Too many keys to hash: stop here (a short walk ends), the
            // exact scan decides.
            too_many = hashes.len() + rows.len() > MAX_HASHED;
            if too_many {
                return Ok(Walked {
                    n: 0,
                    last: None,
                    odd: 0,
                });
            }
            for row in &rows {
                if row.r > after_rowid {
                    left += 1;
                }
                if let Some(k) = &row.k {
                    hashes.push(hash_of(k));
                }
            }
            let n = rows.len();
            Ok(Walked {
                n: i64::try_from(n).unwrap_or(i64::MAX),
                last: rows.last().map(|r| r.r),
                odd: 0,
            })
        })?;
        if too_many {
            return Ok(None);
        }
        hashes.sort_unstable();
        let repeated = hashes.windows(2).any(|w| w[0] == w[1]);
        Ok((!repeated).then_some(left))
    }

    /// The exact scan, for a table where a hash repeats.
    fn scan_duplicates(
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
}

/// The most keys hashed in memory (8 bytes each: 64 MB at most); a larger
/// table is scanned through a temporary table.
const MAX_HASHED: usize = 1 << 23;

fn hash_of(key: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// A key's bytes as SQLite's `CAST(key AS BLOB)` gives them (none for NULL
/// or a REAL): the identity it will have as PostgreSQL text.
pub(crate) fn key_bytes(value: &LegacyValue) -> Option<Vec<u8>> {
    match value {
        LegacyValue::Null | LegacyValue::Real(_) => None,
        other => Some(other.original_bytes()),
    }
}
