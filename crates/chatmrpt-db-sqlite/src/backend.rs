//! What this backend gives the shared repository layer
//! (`crates/chatmrpt-db-repo`, compiled into this crate as `repo` and
//! `rows`): the store, the connection, diesel's backend marker, and how a
//! timestamp column is held.

use chatmrpt_db_core::{Result, Timestamp};

/// The store the repository traits are implemented for.
pub(crate) type Store = crate::SqliteStore;
/// The connection every query runs on.
pub(crate) type Conn = diesel::sqlite::SqliteConnection;
/// The Rust type of a small integer key (`chatmrpt_stage.id`, the stage
/// history's ids): SQLite's INTEGER columns here, PostgreSQL's bigint.
pub(crate) type RowId = i32;
/// diesel's backend marker (`check_for_backend`, boxed queries).
pub(crate) type Db = diesel::sqlite::Sqlite;
/// A timestamp column's Rust type: the legacy text, so that every tool that
/// reads the file keeps reading it.
pub(crate) type SqlTime = String;

/// A timestamp as the legacy text: fixed width and zero-padded, so text
/// comparison (`<`, `>=`) is time order.
pub(crate) fn time_to_sql(at: Timestamp) -> SqlTime {
    at.to_legacy_string()
}

/// A stored timestamp: the legacy text, or the epoch number some legacy rows
/// hold.
///
/// # Errors
///
/// The value is neither.
pub(crate) fn time_from_sql(stored: SqlTime) -> Result<Timestamp> {
    Timestamp::parse_stored(&stored)
}
