//! A legacy (or SQLite store) file as one side of verify: rows are read and
//! converted exactly as the backfill converts them, then digested in Rust.

use std::path::Path;
use std::time::Duration;

use chatmrpt_db_core::{Session, Table};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::canon::{Hash, row_digest};
use super::compared::{Chunk, ComparedStore, Range, ReadStat, Unloadable};
use crate::catalog::{self, quote};
use crate::convert::{Cell, convert};
use crate::error::Result;
use crate::prepare::storable_key;
use crate::source::{Source, SourceSchema, SourceTable};
use crate::value::{LegacyValue, SourceRow};
use chatmrpt_db_core::LegacyZone;

/// A chunk's rows, kept until the next chunk.
pub(crate) type CachedChunk = (Table, Range, Vec<(String, Hash)>);

/// The legacy side.
pub(crate) struct LegacyReader {
    source: Source,
    schema: SourceSchema,
    zone: LegacyZone,
    /// The rows of the last chunk read, reused when that chunk differs.
    cached: Option<CachedChunk>,
    unloadable: Vec<Unloadable>,
    /// The last chunk's read of the file, and the heaviest row of the table.
    last_read: ReadStat,
}

impl LegacyReader {
    /// Opens `path` read-only and reads its schema and clock (`zone`, else
    /// the one it records: see [`Source::clock`]); each read aims to hold
    /// the file at most `budget`.
    ///
    /// # Errors
    ///
    /// As [`Source::open`] and [`Source::introspect`].
    pub(crate) fn open(path: &Path, zone: Option<LegacyZone>, budget: Duration) -> Result<Self> {
        let mut source = Source::open(path, budget)?;
        let schema = source.introspect()?;
        let zone = source.clock(&schema, zone)?;
        Ok(Self {
            source,
            schema,
            zone,
            cached: None,
            unloadable: Vec::new(),
            last_read: ReadStat::default(),
        })
    }

    fn table(&self, table: Table) -> Option<SourceTable> {
        self.schema
            .tables
            .iter()
            .find(|t| t.table == table)
            .cloned()
    }

    /// The `WHERE` clause of a range: text keys only, bytewise bounds.
    fn filter(key: &str, range: &Range) -> String {
        let mut sql = format!("typeof({key}) = 'text'");
        if range.after.is_some() {
            sql.push_str(&format!(" AND {key} > ?1 COLLATE BINARY"));
        }
        if range.upto.is_some() {
            let n = if range.after.is_some() { 2 } else { 1 };
            sql.push_str(&format!(" AND {key} <= ?{n} COLLATE BINARY"));
        }
        sql
    }

    fn load(&mut self, sql: String, range: &Range) -> Result<Vec<SourceRow>> {
        let (rows, took) = self
            .source
            .timed(|conn| match (&range.after, &range.upto) {
                (None, None) => diesel::sql_query(&sql).load(conn),
                (Some(a), None) | (None, Some(a)) => {
                    diesel::sql_query(&sql).bind::<Text, _>(a).load(conn)
                }
                (Some(a), Some(b)) => diesel::sql_query(&sql)
                    .bind::<Text, _>(a)
                    .bind::<Text, _>(b)
                    .load(conn),
            })?;
        self.last_read.took = took;
        self.last_read.rows = rows.len();
        self.last_read.heaviest = rows
            .iter()
            .map(|r: &SourceRow| r.0.iter().map(LegacyValue::weight).sum::<usize>())
            .fold(self.last_read.heaviest, usize::max);
        Ok(rows)
    }

    /// Every column of the rows of `range`, in key order (then rowid).
    fn range_sql(t: &SourceTable, range: &Range) -> String {
        let key = quote(t.table.primary_key());
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        format!(
            "SELECT {rowid}, {} FROM {} WHERE {} ORDER BY {key} COLLATE BINARY, {rowid}",
            cols.join(", "),
            quote(&t.name),
            Self::filter(&key, range),
            rowid = quote(t.rowid),
        )
    }

    fn read_range(&mut self, t: &SourceTable, range: &Range) -> Result<Vec<(String, Hash)>> {
        let rows = self.load(Self::range_sql(t, range), range)?;
        let mut out: Vec<(String, Hash)> = Vec::with_capacity(rows.len());
        let mut buffer = Vec::new();
        for row in &rows {
            let key = t.layout[0].and_then(|i| row.0.get(i));
            let text = key.and_then(storable_key);
            match (text, self.digest(t, row, &mut buffer)) {
                (Some(k), Ok(_)) if out.last().is_some_and(|(last, _)| *last == k) => {
                    // Every holder of a duplicated key was quarantined.
                    out.pop();
                    for _ in 0..2 {
                        self.unloadable.push(Unloadable {
                            key: Some(k.clone()),
                            reason: "duplicate primary key".into(),
                        });
                    }
                }
                (Some(k), Ok(digest)) => out.push((k, digest)),
                (k, Err(reason)) => self.unloadable.push(Unloadable { key: k, reason }),
                (None, Ok(_)) => self.unloadable.push(Unloadable {
                    key: None,
                    reason: "primary key is not storable text".into(),
                }),
            }
        }
        Ok(out)
    }

    /// The sessions of `range` as values; rows with a duplicate or
    /// unstorable key or an unconvertible value are left out.
    fn read_sessions(&mut self, t: &SourceTable, range: &Range) -> Result<Vec<Session>> {
        let rows = self.load(Self::range_sql(t, range), range)?;
        let mut out: Vec<Session> = Vec::with_capacity(rows.len());
        for row in &rows {
            let cells = self.cells(t, row).ok();
            if let Some(session) = cells.as_deref().and_then(super::sessions::from_cells) {
                out.push(session);
            }
        }
        out.dedup_by(|a, b| a.session_id == b.session_id);
        Ok(out)
    }

    fn digest(
        &self,
        t: &SourceTable,
        row: &SourceRow,
        buffer: &mut Vec<u8>,
    ) -> Result<Hash, String> {
        Ok(row_digest(&self.cells(t, row)?, buffer))
    }

    /// The row's canonical values, converted as the backfill converts them
    /// (a column the file lacks is NULL); the first column that cannot be
    /// converted, with why.
    fn cells<'r>(&self, t: &SourceTable, row: &'r SourceRow) -> Result<Vec<Cell<'r>>, String> {
        catalog::columns(t.table)
            .iter()
            .zip(&t.layout)
            .map(|(c, p)| {
                let value = p.and_then(|p| row.0.get(p)).unwrap_or(&LegacyValue::Null);
                convert(value, c.kind, self.zone)
                    .map(|(cell, _)| cell)
                    .map_err(|r| format!("{}: {r}", c.name))
            })
            .collect()
    }

    /// Rows whose key is not text at all (NULL, a number, a BLOB): known
    /// differences, listed once per table. Counted in paced rowid ranges.
    fn non_text_keys(&mut self, t: &SourceTable) -> Result<()> {
        let counts = self.source.count_after(t, 0)?;
        for _ in 0..counts.non_text_keys {
            self.unloadable.push(Unloadable {
                key: None,
                reason: "primary key is NULL or not text".into(),
            });
        }
        Ok(())
    }
}

impl ComparedStore for LegacyReader {
    fn has(&mut self, table: Table) -> Result<bool> {
        let Some(t) = self.table(table) else {
            return Ok(false);
        };
        self.last_read = ReadStat::default();
        self.non_text_keys(&t)?;
        Ok(true)
    }

    fn boundary(&mut self, table: Table, after: Option<&str>, n: usize) -> Result<Option<String>> {
        let Some(t) = self.table(table) else {
            return Ok(None);
        };
        let key = quote(table.primary_key());
        let range = Range {
            after: after.map(str::to_owned),
            upto: None,
        };
        let mut offset = n.saturating_sub(1);
        // A key PostgreSQL could not hold cannot be a bound: take the next.
        for _ in 0..64 {
            let sql = format!(
                "SELECT {key} FROM {} WHERE {} ORDER BY {key} COLLATE BINARY LIMIT 1 OFFSET {offset}",
                quote(&t.name),
                Self::filter(&key, &range)
            );
            match self.load(sql, &range)?.into_iter().next() {
                None => return Ok(None),
                Some(row) => match row.0.first().and_then(storable_key) {
                    Some(k) => return Ok(Some(k)),
                    None => offset += 1,
                },
            }
        }
        Ok(None)
    }

    fn chunk(&mut self, table: Table, range: &Range) -> Result<Chunk> {
        let Some(t) = self.table(table) else {
            return Ok(Chunk::of(&[]));
        };
        let rows = self.read_range(&t, range)?;
        let chunk = Chunk::of(&rows);
        self.cached = Some((table, range.clone(), rows));
        Ok(chunk)
    }

    fn rows(&mut self, table: Table, range: &Range) -> Result<Vec<(String, Hash)>> {
        match self.cached.take() {
            Some((t, r, rows)) if t == table && r == *range => Ok(rows),
            _ => match self.table(table) {
                Some(t) => {
                    let before = self.unloadable.len();
                    let rows = self.read_range(&t, range)?;
                    self.unloadable.truncate(before);
                    Ok(rows)
                }
                None => Ok(Vec::new()),
            },
        }
    }

    fn sessions(&mut self, range: &Range) -> Result<Vec<Session>> {
        match self.table(Table::Sessions) {
            Some(t) => self.read_sessions(&t, range),
            None => Ok(Vec::new()),
        }
    }

    fn take_unloadable(&mut self) -> Vec<Unloadable> {
        std::mem::take(&mut self.unloadable)
    }

    fn last_read(&self) -> Option<ReadStat> {
        Some(self.last_read)
    }

    fn longest_read(&self) -> Option<Duration> {
        Some(self.source.longest_read())
    }
}
