//! What adoption must change in a file, decided from its schema alone:
//! tables, columns and indexes the baseline has and the file lacks, and
//! what is reported and left alone.

use std::path::Path;

use diesel::sqlite::SqliteConnection;

use super::error::{AdoptError, classify};
use super::report::{ColumnRef, TypeDifference};
use super::schema::{Baseline, DIESEL_TABLE, Schema, is_unique_key};

/// The changes and findings for one file.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Baseline tables the file lacks: `(name, CREATE TABLE text)`.
    pub tables: Vec<(String, String)>,
    /// Baseline columns the file's tables lack: `(column, declared type)`.
    pub columns: Vec<(ColumnRef, String)>,
    /// Baseline indexes the file lacks: `(name, CREATE INDEX text)`.
    pub indexes: Vec<(String, String)>,
    /// Log tables present in the file before adoption.
    pub found: Vec<String>,
    /// Tables that are not the log's (left alone).
    pub unknown_tables: Vec<String>,
    /// Columns of log tables the store does not know (left alone).
    pub unknown_columns: Vec<ColumnRef>,
    /// Columns whose declared type differs from the store's.
    pub type_differences: Vec<TypeDifference>,
}

impl Plan {
    /// Compares `file` with the baseline; refuses a file that is not a log
    /// or whose tables the store cannot use.
    pub(crate) fn new(baseline: &Baseline, file: &Schema, path: &Path) -> Result<Self, AdoptError> {
        require_log(file, path)?;
        let mut plan = Plan::default();
        for name in &baseline.schema.order {
            let want = &baseline.schema.tables[name];
            let Some(have) = file.table(name) else {
                plan.tables.push((name.clone(), want.sql.clone()));
                continue;
            };
            plan.found.push(name.clone());
            let key = want
                .columns
                .iter()
                .find(|c| c.pk > 0)
                .map(|c| c.name.as_str());
            if let Some(key) = key.filter(|k| have.column(k).is_none()) {
                return Err(incompatible(
                    path,
                    name,
                    format!("it has no `{key}` column"),
                ));
            }
            for column in &want.columns {
                match have.column(&column.name) {
                    None => plan
                        .columns
                        .push((ColumnRef::new(name, &column.name), column.decl_type.clone())),
                    Some(found) if !found.decl_type.eq_ignore_ascii_case(&column.decl_type) => {
                        plan.type_differences.push(TypeDifference::new(
                            name,
                            &column.name,
                            &found.decl_type,
                            &column.decl_type,
                        ));
                    }
                    Some(_) => {}
                }
            }
            let extra = have
                .columns
                .iter()
                .filter(|c| want.column(&c.name).is_none());
            plan.unknown_columns
                .extend(extra.map(|c| ColumnRef::new(name, &c.name)));
        }
        plan.unknown_tables = file
            .order
            .iter()
            .filter(|t| !baseline.schema.tables.contains_key(*t) && t.as_str() != DIESEL_TABLE)
            .cloned()
            .collect();
        for (name, sql) in &baseline.schema.indexes {
            if let (Some(sql), false) = (sql, file.indexes.contains_key(name)) {
                plan.indexes.push((name.clone(), sql.clone()));
            }
        }
        Ok(plan)
    }
}

/// A log has `sessions` with `session_id` and `last_activity`.
fn require_log(file: &Schema, path: &Path) -> Result<(), AdoptError> {
    let not_a_log = |reason: &str| AdoptError::NotALog {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let sessions = file
        .table("sessions")
        .ok_or_else(|| not_a_log("it has no `sessions` table"))?;
    for column in ["session_id", "last_activity"] {
        if sessions.column(column).is_none() {
            return Err(not_a_log(&format!("`sessions` has no `{column}` column")));
        }
    }
    Ok(())
}

/// Every key a foreign key of the store references must be unique in the
/// file, or enforced foreign keys would refuse every child insert.
pub(crate) fn require_unique_parents(
    conn: &mut SqliteConnection,
    baseline: &Baseline,
    file: &Schema,
    path: &Path,
    busy_ms: u32,
) -> Result<(), AdoptError> {
    for (table, column) in &baseline.parents {
        if file.table(table).is_none() {
            continue;
        }
        let unique = is_unique_key(conn, table, column)
            .map_err(|e| classify(path, "reading the indexes", busy_ms, e))?;
        if !unique {
            return Err(incompatible(
                path,
                table,
                format!(
                    "`{column}` is referenced by foreign keys but is neither its primary key nor unique"
                ),
            ));
        }
    }
    Ok(())
}

fn incompatible(path: &Path, table: &str, reason: String) -> AdoptError {
    AdoptError::Incompatible {
        path: path.to_path_buf(),
        table: table.to_owned(),
        reason,
    }
}
