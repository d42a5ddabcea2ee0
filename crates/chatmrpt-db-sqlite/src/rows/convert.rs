//! Value conversions between domain types and the legacy storage format.

use chatmrpt_db_core::{Error, Result, Timestamp};

/// A timestamp as the legacy text.
pub(crate) fn ts_to_sql(at: Option<Timestamp>) -> Option<String> {
    at.map(|t| t.to_legacy_string())
}

/// A stored timestamp (legacy text or epoch number) as a domain value.
///
/// # Errors
///
/// [`Error::Corrupt`] naming the table, row and column.
pub(crate) fn ts_from_sql(
    table: &'static str,
    key: &str,
    column: &'static str,
    stored: Option<String>,
) -> Result<Option<Timestamp>> {
    stored
        .map(|text| {
            Timestamp::parse_stored(&text).map_err(|e| Error::Corrupt {
                table,
                key: key.to_owned(),
                column,
                reason: e.to_string(),
            })
        })
        .transpose()
}
