//! The state both handles and the background threads share: the stage in
//! force, the mirror of a write, shadow reads' comparison, delivered
//! entries.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use chatmrpt_db_core::{
    Error, InteractionStore, OutboxKey, OutboxStore, Result, Stage, StageSource, WriteOp,
};

use crate::deferred::Deferred;
use crate::health::Breaker;
use crate::metrics as m;
use crate::options::{DualCounters, DualOptions};
use crate::routing::Side;
use crate::store::Member;

pub(crate) struct Inner<L, T> {
    pub(crate) legacy: L,
    pub(crate) target: T,
    pub(crate) options: DualOptions,
    pub(crate) stage: AtomicU8,
    pub(crate) breakers: [Breaker; 2],
    /// Outbox ids delivered by the write path, deleted by the worker in
    /// batches; index = the side whose outbox holds them.
    pub(crate) delivered: [Mutex<HashSet<OutboxKey>>; 2],
    /// Rows whose writes wait in this side's outbox: the write path must
    /// not overtake them.
    pub(crate) deferred: [Deferred; 2],
    pub(crate) counters: DualCounters,
    pub(crate) holder: String,
    /// Whether this process took each outbox's replay lease (released on drop).
    pub(crate) leased: [AtomicBool; 2],
    /// Whether each side's outbox is bound to the other side's identity
    /// (PostgreSQL's to this host's SQLite file): until it is, that outbox
    /// is not replayed, and entries written to it name no destination.
    pub(crate) bound: [AtomicBool; 2],
    /// When an unbound outbox may try to bind again.
    pub(crate) bind_retry_at: [Mutex<Option<Instant>>; 2],
    /// Whether the write path said its entries are unplaced (once per
    /// spell of being unbound).
    pub(crate) unplaced_warned: AtomicBool,
    pub(crate) shutdown: AtomicBool,
    /// Whether the shared stage was readable at the last refresh (a change
    /// is logged once).
    pub(crate) stage_readable: AtomicBool,
    /// Where the stage in force was read ([`crate::shared`]).
    pub(crate) stage_source: AtomicU8,
    /// Serialises the dual writes of one ordering key (striped), and the
    /// replay of an entry with the write path of its session.
    pub(crate) stripes: Vec<Mutex<()>>,
    /// One replay at a time in this process (the worker, `drain`, tools):
    /// deleting delivered entries and replaying never interleave.
    pub(crate) replaying: Mutex<()>,
}

/// Locks striping the ordering keys of concurrent dual writes. Two
/// sessions on one stripe wait for each other's whole dual write: with 64
/// stripes and 6 workers about one write in thirteen did (5/64), which
/// showed in the p99 (12.6 ms against 10.9 ms with 4096, medians of six
/// alternating runs; BENCHMARKS.md). 4096 cost 32 KB.
pub(crate) const STRIPES: usize = 4096;

/// How often an unbound outbox tries to bind again.
const BIND_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Outbox entries read at open to know which rows are behind.
const SEED_LIMIT: u32 = 100_000;

pub(crate) fn stage_code(stage: Stage) -> u8 {
    u8::try_from(stage.ordinal()).unwrap_or(0)
}

impl<L: Member, T: Member> Inner<L, T> {
    pub(crate) fn stage(&self) -> Stage {
        let code = usize::from(self.stage.load(Ordering::Acquire));
        Stage::ALL
            .get(code)
            .copied()
            .unwrap_or(self.options.default_stage)
    }

    pub(crate) fn set_cached_stage(&self, stage: Stage, source: StageSource) {
        self.stage.store(stage_code(stage), Ordering::Release);
        self.stage_source
            .store(crate::shared::source_code(source), Ordering::Release);
        m::stage(stage);
    }

    /// The rows with writes already waiting in `authoritative`'s outbox
    /// (left by an outage, a restart or another process): their next writes
    /// queue behind them. `new` reads the authoritative side; the replay
    /// thread reads the other when it starts (it may be down).
    pub(crate) fn seed_deferred(&self, authoritative: Side) {
        match self.outbox(authoritative).outbox_batch(SEED_LIMIT) {
            Ok(entries) => self.deferred[authoritative.index()]
                .extend(entries.into_iter().map(|e| e.order_key)),
            Err(e) => tracing::debug!(error = %e, "outbox not readable at open"),
        }
    }

    /// Binds `side`'s outbox to the other store's identity unless done:
    /// `true` once bound. Entries PostgreSQL records for this host then
    /// name this host's file, and its replay delivers only those.
    pub(crate) fn outbox_bound(&self, side: Side) -> bool {
        if self.bound[side.index()].load(Ordering::Acquire) {
            return true;
        }
        // Not bound yet (a file not migrated): asked again at most once a
        // second, so the write path does not read the file's migrations on
        // every write meanwhile.
        {
            let mut next = lock(&self.bind_retry_at[side.index()]);
            if next.is_some_and(|at| Instant::now() < at) {
                return false;
            }
            *next = Some(Instant::now() + BIND_RETRY);
        }
        let identity = match side.other() {
            Side::Legacy => self.legacy.outbox_identity(),
            Side::Target => self.target.outbox_identity(),
        };
        match identity {
            Ok(None) => {}
            Ok(Some(id)) => {
                if !self.outbox(side).bind_outbox(&id) {
                    tracing::error!(store = self.name(side), destination = %id,
                        "outbox already bound to another file; not replayed");
                    return false;
                }
            }
            Err(e) => {
                tracing::debug!(store = self.name(side.other()), error = %e,
                    "identity not readable; the outbox owed to it waits");
                return false;
            }
        }
        self.bound[side.index()].store(true, Ordering::Release);
        true
    }

    pub(crate) fn stripe(&self, order_key: &str) -> &Mutex<()> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        order_key.hash(&mut hasher);
        let index = usize::try_from(hasher.finish() % STRIPES as u64).unwrap_or(0);
        &self.stripes[index]
    }

    pub(crate) fn store(&self, side: Side) -> &dyn InteractionStore {
        match side {
            Side::Legacy => &self.legacy,
            Side::Target => &self.target,
        }
    }

    pub(crate) fn outbox(&self, side: Side) -> &dyn OutboxStore {
        match side {
            Side::Legacy => &self.legacy,
            Side::Target => &self.target,
        }
    }

    pub(crate) fn name(&self, side: Side) -> &'static str {
        self.store(side).backend_name()
    }

    pub(crate) fn timed_write<R>(&self, side: Side, f: impl FnOnce() -> Result<R>) -> Result<R> {
        let store = self.name(side);
        let span = tracing::debug_span!("chatmrpt_db.write", store);
        let _entered = span.enter();
        let started = Instant::now();
        let out = f();
        m::write(store, started.elapsed(), out.as_ref().err());
        out
    }

    /// Writes `op` to the store that did not decide the write, unless that
    /// store is known to be down or behind; either way the outbox entry
    /// `id` (in `auth`'s outbox) guarantees delivery.
    pub(crate) fn mirror_now(&self, auth: Side, key: OutboxKey, op: &WriteOp, order_key: String) {
        let at = key.created_at;
        let other = auth.other();
        let deferred = &self.deferred[auth.index()];
        if !self.breakers[other.index()].is_closed() || deferred.contains(&order_key) {
            deferred.defer(order_key);
            self.counters.deferred.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match self.timed_write(other, || self.store(other).apply(op, at)) {
            Ok(_) | Err(Error::Conflict { .. }) => {
                self.breakers[other.index()].succeeded();
                self.counters.mirrored_now.fetch_add(1, Ordering::Relaxed);
                lock(&self.delivered[auth.index()]).insert(key);
            }
            Err(e) => {
                self.counters.deferred.fetch_add(1, Ordering::Relaxed);
                if e.is_transient() {
                    self.breakers[other.index()].failed();
                }
                // Later writes of this row queue behind this one until the
                // replayer has delivered it, so the row's writes stay in order.
                deferred.defer(order_key);
                tracing::warn!(store = self.name(other), kind = op.kind(), key = op.key(), error = %e,
                    "mirrored write failed; left in the outbox for replay");
            }
        }
    }

    /// Counts a write spooled in SQLite for PostgreSQL; `cause` is the
    /// failure that showed PostgreSQL down (none: it was known down).
    pub(crate) fn spooled(&self, op: &WriteOp, cause: Option<&Error>) {
        self.counters.spooled.fetch_add(1, Ordering::Relaxed);
        m::spooled();
        match cause {
            Some(e) => {
                tracing::warn!(store = self.name(Side::Target), kind = op.kind(), key = op.key(),
                error = %e, "PostgreSQL is down; the write is spooled in SQLite for it")
            }
            None => tracing::debug!(kind = op.kind(), key = op.key(), "spooled in SQLite"),
        }
    }

    pub(crate) fn compare<R: PartialEq>(
        &self,
        other: Side,
        table: &'static str,
        key: &str,
        served: &R,
        shadow: Result<R>,
    ) {
        match shadow {
            Ok(value) if value == *served => {}
            Ok(_) => {
                self.counters.mismatches.fetch_add(1, Ordering::Relaxed);
                m::mismatch(table);
                tracing::warn!(table, key, shadow = self.name(other), "shadow read differs");
            }
            Err(e) => {
                self.counters
                    .shadow_failures
                    .fetch_add(1, Ordering::Relaxed);
                if e.is_transient() {
                    self.breakers[other.index()].failed();
                }
                m::shadow_failure(table);
                tracing::debug!(table, key, shadow = self.name(other), error = %e, "shadow read failed");
            }
        }
    }

    /// Deletes the outbox entries the write path delivered.
    pub(crate) fn flush_delivered(&self) {
        for side in [Side::Legacy, Side::Target] {
            let ids: Vec<OutboxKey> = std::mem::take(&mut *lock(&self.delivered[side.index()]))
                .into_iter()
                .collect();
            if ids.is_empty() {
                continue;
            }
            if let Err(e) = self.outbox(side).outbox_delivered(&ids) {
                // Kept for the next flush; meanwhile a replay may deliver
                // them again, which is idempotent.
                tracing::debug!(store = self.name(side), error = %e, "delivered entries not yet deleted");
                lock(&self.delivered[side.index()]).extend(ids);
            }
        }
    }
}

pub(crate) fn lock<V>(m: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
