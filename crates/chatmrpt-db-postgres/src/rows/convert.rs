//! Value conversions between domain types and PostgreSQL columns.

use chatmrpt_db_core::{Error, Result, Timestamp};
use chrono::{DateTime, Utc};

/// A timestamp as `timestamptz`.
pub(crate) fn ts_to_sql(at: Option<Timestamp>) -> Option<DateTime<Utc>> {
    at.map(|t| t.as_datetime())
}

/// A stored `timestamptz` as a domain value.
///
/// # Errors
///
/// [`Error::Corrupt`] when the year is outside what the domain allows.
pub(crate) fn ts_from_sql(
    table: &'static str,
    key: &str,
    column: &'static str,
    stored: Option<DateTime<Utc>>,
) -> Result<Option<Timestamp>> {
    stored
        .map(|at| {
            Timestamp::from_datetime(at).map_err(|e| Error::Corrupt {
                table,
                key: key.to_owned(),
                column,
                reason: e.to_string(),
            })
        })
        .transpose()
}
