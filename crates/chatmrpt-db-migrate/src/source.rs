//! The legacy file, opened read-only, and what its schema really is.
//!
//! Nothing about the file is assumed: tables and columns are read from
//! `sqlite_master` and `pragma_table_info`. A known table may lack columns
//! (they load as NULL) or have extra ones (reported, not loaded); unknown
//! tables are reported and left alone. Each batch is its own short read
//! transaction: a long one would block the legacy application's writers
//! (rollback journal), whose writes it silently drops when locked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chatmrpt_db_core::Table;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

use crate::catalog::{self, quote};
use crate::error::{Error, Result};
use crate::value::{LegacyValue, SourceRow};

/// A read-only connection to the legacy file.
pub(crate) struct Source {
    conn: SqliteConnection,
    path: PathBuf,
}

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

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Source {
    /// Opens `path` read-only (`mode=ro`): the file is never written.
    ///
    /// # Errors
    ///
    /// [`Error::SourceUnavailable`] when it cannot be opened.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let uri = format!("file:{}?mode=ro", uri_escape(&absolute.to_string_lossy()));
        let mut conn =
            SqliteConnection::establish(&uri).map_err(|source| Error::SourceUnavailable {
                path: path.to_path_buf(),
                source,
            })?;
        // Wait for the application's writers rather than fail on their lock.
        diesel::sql_query("PRAGMA busy_timeout = 5000")
            .execute(&mut conn)
            .map_err(Error::Source)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Reads the schema; refuses a file that is not a ChatMRPT log.
    ///
    /// # Errors
    ///
    /// [`Error::NotALegacyLog`], or [`Error::Source`] when reading fails.
    pub(crate) fn introspect(&mut self) -> Result<SourceSchema> {
        let names: Vec<Name> = diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .load(&mut self.conn)
        .map_err(|e| self.not_a_log_or(e))?;
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
        let columns: Vec<String> =
            diesel::sql_query("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                .bind::<Text, _>(name)
                .load::<Name>(&mut self.conn)
                .map_err(Error::Source)?
                .into_iter()
                .map(|n| n.name)
                .collect();
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
        let sql: Vec<Name> = diesel::sql_query("SELECT coalesce(sql, '') AS name FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .bind::<Text, _>(name)
            .load(&mut self.conn)
            .map_err(Error::Source)?;
        Ok(sql.iter().any(|s| {
            s.name
                .to_ascii_uppercase()
                .replace(char::is_whitespace, "")
                .contains("WITHOUTROWID")
        }))
    }

    /// Up to `limit` rows after `after_rowid`, in rowid order: the rowid,
    /// then every column of the file's table.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn read_batch(
        &mut self,
        t: &SourceTable,
        after_rowid: i64,
        limit: usize,
    ) -> Result<Vec<SourceRow>> {
        let rowid = quote(t.rowid);
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let sql = format!(
            "SELECT {rowid}, {} FROM {} WHERE {rowid} > ?1 ORDER BY {rowid} LIMIT ?2",
            cols.join(", "),
            quote(&t.name)
        );
        diesel::sql_query(sql)
            .bind::<BigInt, _>(after_rowid)
            .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
            .load(&mut self.conn)
            .map_err(Error::Source)
    }

    /// Rows after `after_rowid` (for progress display).
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn count_after(&mut self, t: &SourceTable, after_rowid: i64) -> Result<u64> {
        let rowid = quote(t.rowid);
        let sql = format!(
            "SELECT count(*) AS n FROM {} WHERE {rowid} > ?1",
            quote(&t.name)
        );
        let count: Count = diesel::sql_query(sql)
            .bind::<BigInt, _>(after_rowid)
            .get_result(&mut self.conn)
            .map_err(Error::Source)?;
        Ok(u64::try_from(count.n).unwrap_or(0))
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
        let rows: Vec<SourceRow> = diesel::sql_query(sql)
            .bind::<BigInt, _>(rowid)
            .load(&mut self.conn)
            .map_err(Error::Source)?;
        Ok(rows.into_iter().next().and_then(|r| r.0.into_iter().next()))
    }

    /// The bytes of every key held by more than one row. Keys compare as
    /// bytes whatever their storage class (a TEXT key and a BLOB key of the
    /// same bytes are one key once in PostgreSQL), so every holder of such
    /// a key is quarantined: nothing says which one is right. Checked on
    /// every table, whatever its indexes claim: a damaged unique index can
    /// hold a duplicate while still declaring itself unique. Memory is
    /// bounded by the number of duplicated keys.
    ///
    /// # Errors
    ///
    /// [`Error::Source`].
    pub(crate) fn duplicate_keys(&mut self, t: &SourceTable) -> Result<HashSet<Vec<u8>>> {
        let key = quote(t.table.primary_key());
        let table = quote(&t.name);
        // Same value held twice (walks the key's index when there is one;
        // a damaged unique index still lists both entries).
        let same = format!(
            "SELECT {key} FROM {table} WHERE {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1"
        );
        // A number or BLOB key whose bytes equal a text key. Numbers sort
        // before text and BLOBs after it, so both are index ranges.
        let cross = format!(
            "SELECT CAST(b.{key} AS BLOB) FROM {table} b WHERE (b.{key} < '' OR b.{key} >= x'') \
             AND EXISTS (SELECT 1 FROM {table} a WHERE a.{key} = CAST(b.{key} AS TEXT))"
        );
        let mut out = HashSet::new();
        for sql in [same, cross] {
            let rows: Vec<SourceRow> = diesel::sql_query(sql)
                .load(&mut self.conn)
                .map_err(Error::Source)?;
            out.extend(
                rows.into_iter()
                    .filter_map(|r| r.0.first().and_then(key_bytes)),
            );
        }
        Ok(out)
    }

    /// The underlying connection (verify reads through it too).
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
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
