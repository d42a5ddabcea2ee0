//! The dual store's tuning and its counters.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use chatmrpt_db_core::Stage;

/// Tuning of the dual store. The defaults suit an application server.
#[derive(Clone, Debug)]
pub struct DualOptions {
    /// The stage used while none is stored (configuration's `dual.stage`).
    pub default_stage: Stage,
    /// Run the background worker (stage refresh, outbox replay) and learn
    /// at open which sessions have writes waiting. Tools that only inspect
    /// or change the stage turn it off (and then never wait on a store that
    /// is down to open).
    pub background: bool,
    /// How often the worker re-reads the stored stage.
    pub stage_refresh: Duration,
    /// How often the worker replays the outboxes.
    pub replay_interval: Duration,
    /// Entries younger than this are left to the write that made them.
    pub replay_grace: Duration,
    /// Entries read per replay batch.
    pub replay_batch: u32,
    /// Failed attempts (not counting a store that was down) before an entry
    /// is parked as dead.
    pub max_attempts: i32,
    /// Longest wait between two attempts of one entry, and between two
    /// probes of a store that is down.
    pub max_backoff: Duration,
    /// How long a replay lease lasts unless renewed.
    pub lease_ttl: Duration,
    /// How often the worker checkpoints the legacy store's WAL, off the
    /// write path (`None`: writers checkpoint as they commit, SQLite's
    /// way). A store with nothing to checkpoint ignores it.
    pub checkpoint_interval: Option<Duration>,
}

impl Default for DualOptions {
    fn default() -> Self {
        Self {
            default_stage: Stage::Off,
            background: true,
            stage_refresh: Duration::from_millis(500),
            replay_interval: Duration::from_millis(200),
            replay_grace: Duration::from_secs(2),
            replay_batch: 500,
            max_attempts: 5,
            max_backoff: Duration::from_secs(30),
            lease_ttl: Duration::from_secs(10),
            checkpoint_interval: Some(Duration::from_millis(100)),
        }
    }
}

/// Counters of what the dual store did since it was opened (the same
/// figures also go to the `metrics` facade).
#[derive(Debug, Default)]
pub struct DualCounters {
    /// Writes mirrored to the other store at once.
    pub mirrored_now: AtomicU64,
    /// Writes left in the outbox for the replayer (other store failing or behind).
    pub deferred: AtomicU64,
    /// Outbox entries the replayer delivered.
    pub replayed: AtomicU64,
    /// Outbox entries parked as dead.
    pub dead: AtomicU64,
    /// Shadow reads whose result differed.
    pub mismatches: AtomicU64,
    /// Shadow reads that failed (the caller still got its answer).
    pub shadow_failures: AtomicU64,
    /// Writes PostgreSQL was to decide but was down for (known down, or
    /// failing as down): SQLite took them with an entry owed to PostgreSQL
    /// (see [`crate::DualStore`]).
    pub spooled: AtomicU64,
}

/// A snapshot of [`DualCounters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// See [`DualCounters::mirrored_now`].
    pub mirrored_now: u64,
    /// See [`DualCounters::deferred`].
    pub deferred: u64,
    /// See [`DualCounters::replayed`].
    pub replayed: u64,
    /// See [`DualCounters::dead`].
    pub dead: u64,
    /// See [`DualCounters::mismatches`].
    pub mismatches: u64,
    /// See [`DualCounters::shadow_failures`].
    pub shadow_failures: u64,
    /// See [`DualCounters::spooled`].
    pub spooled: u64,
}
