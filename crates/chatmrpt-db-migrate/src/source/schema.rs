//! What the legacy file's schema really is: its tables, their columns and
//! keys, read from `sqlite_master` and `pragma_table_info`.

use chatmrpt_db_core::Table;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::Source;
use crate::catalog::{self};
use crate::error::{Error, Result};

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

impl Source {
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
}
