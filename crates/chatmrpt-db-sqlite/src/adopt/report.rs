//! What an adoption did and found.

use std::path::PathBuf;

use serde::Serialize;

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ColumnRef {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
}

impl ColumnRef {
    pub(crate) fn new(table: &str, column: &str) -> Self {
        Self {
            table: table.to_owned(),
            column: column.to_owned(),
        }
    }
}

/// A column declared with another type than the store declares.
///
/// Legacy `INTEGER`/`REAL` against the store's `BIGINT`/`DOUBLE` is the
/// usual case: the same SQLite affinity, so the same stored values; it is
/// reported for information only. A different affinity is worth a look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeDifference {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The type the file declares.
    pub file_type: String,
    /// The type the store declares.
    pub store_type: String,
    /// Whether SQLite gives both the same affinity (values stored alike).
    pub same_affinity: bool,
}

impl TypeDifference {
    pub(crate) fn new(table: &str, column: &str, file_type: &str, store_type: &str) -> Self {
        Self {
            table: table.to_owned(),
            column: column.to_owned(),
            file_type: file_type.to_owned(),
            store_type: store_type.to_owned(),
            same_affinity: affinity(file_type) == affinity(store_type),
        }
    }
}

/// SQLite's column affinity of a declared type (datatype3.html, 3.1).
pub(crate) fn affinity(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "INTEGER"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "TEXT"
    } else if t.contains("BLOB") || t.is_empty() {
        "BLOB"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// A `sessions` row adoption wrote for child rows that had none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SynthesizedSession {
    /// The `session_id` the children use (lossy UTF-8 if its bytes are not).
    pub session_id: String,
    /// The earliest child timestamp, as legacy text (`None` when no child
    /// timestamp could be read).
    pub start_time: Option<String>,
    /// The latest child timestamp.
    pub last_activity: Option<String>,
    /// The child tables that reference it, with their row counts.
    pub children: Vec<(String, u64)>,
}

/// The outcome of [`super::adopt`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdoptReport {
    /// The adopted file.
    pub path: PathBuf,
    /// The safety copy taken before any change.
    pub backup: PathBuf,
    /// The log's tables the file had.
    pub tables_found: Vec<String>,
    /// Tables created (with the store's DDL).
    pub tables_created: Vec<String>,
    /// Columns added (`llm_interactions.enhanced_timing` on old files).
    pub columns_added: Vec<ColumnRef>,
    /// Indexes created (the store's read-path indexes).
    pub indexes_created: Vec<String>,
    /// Sessions synthesized for orphan child rows.
    pub sessions_synthesized: Vec<SynthesizedSession>,
    /// The baseline migration version recorded as applied, when it was not.
    pub baseline_recorded: Option<String>,
    /// The store's later migrations applied afterwards.
    pub migrations_applied: Vec<String>,
    /// Tables the store does not know, left alone.
    pub unknown_tables: Vec<String>,
    /// Columns the store does not know, left alone.
    pub unknown_columns: Vec<ColumnRef>,
    /// Declared types that differ from the store's (information).
    pub type_differences: Vec<TypeDifference>,
    /// The journal mode before adoption (`delete` for the legacy app).
    pub journal_mode_before: String,
    /// The zone the file's legacy timestamps are read and written in (its
    /// clock, recorded in the file).
    pub legacy_timezone: String,
}

impl AdoptReport {
    /// Whether adoption changed the file (beyond the backup copy).
    pub fn changed(&self) -> bool {
        !(self.tables_created.is_empty()
            && self.columns_added.is_empty()
            && self.indexes_created.is_empty()
            && self.sessions_synthesized.is_empty()
            && self.baseline_recorded.is_none()
            && self.migrations_applied.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_and_store_types_share_affinity() {
        assert!(TypeDifference::new("t", "c", "INTEGER", "BIGINT").same_affinity);
        assert!(TypeDifference::new("t", "c", "REAL", "DOUBLE").same_affinity);
        assert!(!TypeDifference::new("t", "c", "TEXT", "TIMESTAMP").same_affinity);
        assert_eq!(affinity("BOOLEAN"), "NUMERIC");
    }
}
