//! What this backend gives the shared repository layer
//! (`crates/chatmrpt-db-repo`, compiled into this crate as `repo` and
//! `rows`): the store, the connection, diesel's backend marker, and how a
//! timestamp column is held.

use std::cell::Cell;

use chatmrpt_db_core::{LegacyZone, Result, Timestamp};

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

thread_local! {
    /// The clock of the file the current store call works on: set by
    /// [`ClockScope`] around each of `SqliteStore::read`/`write`, which is
    /// where every repository call on this backend runs.
    static CLOCK: Cell<Option<LegacyZone>> = const { Cell::new(None) };
}

/// Sets the file's clock for the calls made while it lives.
pub(crate) struct ClockScope(Option<LegacyZone>);

impl ClockScope {
    pub(crate) fn enter(zone: LegacyZone) -> Self {
        Self(CLOCK.replace(Some(zone)))
    }
}

impl Drop for ClockScope {
    fn drop(&mut self) {
        CLOCK.set(self.0);
    }
}

fn clock() -> LegacyZone {
    let zone = CLOCK.get();
    debug_assert!(
        zone.is_some(),
        "a legacy timestamp outside SqliteStore::read/write"
    );
    zone.unwrap_or(LegacyZone::UTC)
}

/// A log row's timestamp as the legacy text on the file's clock (the legacy
/// application's `datetime.now()`): fixed width and zero-padded, so text
/// comparison (`<`, `>=`) is time order (but for the hour a zone with
/// daylight saving repeats).
pub(crate) fn time_to_sql(at: Timestamp) -> SqlTime {
    clock().to_legacy_string(at)
}

/// A log row's stored timestamp: the legacy text on the file's clock, or
/// the epoch number some legacy rows hold.
///
/// # Errors
///
/// The value is neither.
pub(crate) fn time_from_sql(stored: SqlTime) -> Result<Timestamp> {
    clock().parse_stored(&stored)
}

/// The store's own bookkeeping time (stage history, heartbeats): UTC
/// whatever the file's clock, so hosts in different zones compare.
pub(crate) fn utc_to_sql(at: Timestamp) -> SqlTime {
    at.to_legacy_string()
}

/// Reads [`utc_to_sql`]'s text.
///
/// # Errors
///
/// The value is not a time.
pub(crate) fn utc_from_sql(stored: SqlTime) -> Result<Timestamp> {
    Timestamp::parse_stored(&stored)
}

/// Sets the store's clock for a row built outside `read`/`write` (a write's
/// row is built before its transaction).
///
/// # Errors
///
/// As `SqliteStore::legacy_zone`.
pub(crate) fn clock_scope(store: &Store) -> Result<ClockScope> {
    Ok(ClockScope::enter(store.legacy_zone()?))
}

/// A passive WAL checkpoint on the store's own upkeep connection (never a
/// pooled one: a request never waits for it). It copies committed pages
/// into the file without waiting for, or blocking, readers and writers.
pub(crate) fn housekeep(store: &Store) -> chatmrpt_db_core::Result<()> {
    store.checkpoint()
}
