//! What this backend gives the shared repository layer
//! (`crates/chatmrpt-db-repo`, compiled into this crate as `repo` and
//! `rows`): the store, the connection, diesel's backend marker, and how a
//! timestamp column is held.

use chatmrpt_db_core::{Result, Timestamp};
use chrono::{DateTime, Utc};

/// The store the repository traits are implemented for.
pub(crate) type Store = crate::PgStore;
/// The connection every query runs on.
pub(crate) type Conn = diesel::pg::PgConnection;
/// The Rust type of a small integer key (`chatmrpt_stage.id`, the stage
/// history's ids): SQLite's INTEGER columns here, PostgreSQL's bigint.
pub(crate) type RowId = i64;
/// diesel's backend marker (`check_for_backend`, boxed queries).
pub(crate) type Db = diesel::pg::Pg;
/// A timestamp column's Rust type: `timestamptz`.
pub(crate) type SqlTime = DateTime<Utc>;

/// A timestamp as `timestamptz`.
pub(crate) fn time_to_sql(at: Timestamp) -> SqlTime {
    at.as_datetime()
}

/// A stored `timestamptz`.
///
/// # Errors
///
/// The year is outside what the domain allows (1 to 9999).
pub(crate) fn time_from_sql(stored: SqlTime) -> Result<Timestamp> {
    Timestamp::from_datetime(stored)
}

/// The store's own bookkeeping time: an instant like every other here.
pub(crate) fn utc_to_sql(at: Timestamp) -> SqlTime {
    time_to_sql(at)
}

/// Reads a bookkeeping time.
///
/// # Errors
///
/// As [`time_from_sql`].
pub(crate) fn utc_from_sql(stored: SqlTime) -> Result<Timestamp> {
    time_from_sql(stored)
}

/// What a row built outside `read`/`write` needs to know of its store's
/// clock: nothing here (`timestamptz` holds instants).
pub(crate) struct ClockScope;

/// [`ClockScope`]: one signature with SQLite's, whose can fail.
///
/// # Errors
///
/// None on this backend.
pub(crate) fn clock_scope(_store: &Store) -> Result<ClockScope> {
    Ok(ClockScope)
}

/// PostgreSQL keeps its own house (its checkpointer and autovacuum).
#[allow(
    clippy::unnecessary_wraps,
    reason = "the SQLite backend's upkeep can fail"
)]
pub(crate) fn housekeep(_store: &Store) -> chatmrpt_db_core::Result<()> {
    Ok(())
}
