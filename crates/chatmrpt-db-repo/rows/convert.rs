//! Timestamp columns between the domain and the backend's column type
//! (`crate::backend::SqlTime`), with the row named when a stored value is
//! not a time.

use chatmrpt_db_core::{Error, Result, Timestamp};

use crate::backend::{self, SqlTime};

/// A timestamp in the backend's column type.
pub(crate) fn ts_to_sql(at: Option<Timestamp>) -> Option<SqlTime> {
    at.map(backend::time_to_sql)
}

/// A stored timestamp as a domain value.
///
/// # Errors
///
/// [`Error::Corrupt`] naming the table, row and column when the stored value
/// is not a time the domain allows.
pub(crate) fn ts_from_sql(
    table: &'static str,
    key: &str,
    column: &'static str,
    stored: Option<SqlTime>,
) -> Result<Option<Timestamp>> {
    stored
        .map(|value| {
            backend::time_from_sql(value).map_err(|e| Error::Corrupt {
                table,
                key: key.to_owned(),
                column,
                reason: e.to_string(),
            })
        })
        .transpose()
}
