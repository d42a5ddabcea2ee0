//! The dual store: two stores, the stage that decides which one answers,
//! and the write and read paths every repository method takes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chatmrpt_db_core::time::with_write_time;
use chatmrpt_db_core::{
    Error, InteractionStore, OutboxDraft, OutboxKey, OutboxStore, Result, Stage, StageStore,
    WriteOp,
};

use crate::deferred::Deferred;
use crate::health::Breaker;
use crate::metrics as m;
use crate::worker;

/// What the dual store needs of each of its two stores.
pub trait Member: InteractionStore + OutboxStore + StageStore + Clone + 'static {}

impl<T> Member for T where T: InteractionStore + OutboxStore + StageStore + Clone + 'static {}

/// One of the two stores of the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The store the application starts on (SQLite).
    Legacy,
    /// The store it moves to (PostgreSQL).
    Target,
}

impl Side {
    /// The other store.
    pub fn other(self) -> Side {
        match self {
            Side::Legacy => Side::Target,
            Side::Target => Side::Legacy,
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Side::Legacy => 0,
            Side::Target => 1,
        }
    }
}

/// Where a stage sends writes and reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routing {
    /// The store whose write decides success and whose reads are served.
    pub authoritative: Side,
    /// Whether the other store is written too (through the outbox).
    pub mirrored: bool,
    /// Whether reads are repeated on the other store and compared.
    pub compared: bool,
}

impl Routing {
    /// The routing of `stage` (the table of [`Stage`]).
    pub fn of(stage: Stage) -> Routing {
        let (authoritative, mirrored, compared) = match stage {
            Stage::Off => (Side::Legacy, false, false),
            Stage::DualWrite => (Side::Legacy, true, false),
            Stage::Shadow => (Side::Legacy, true, true),
            Stage::Live => (Side::Target, true, true),
            Stage::Rampdown => (Side::Target, true, false),
            Stage::Complete => (Side::Target, false, false),
        };
        Routing {
            authoritative,
            mirrored,
            compared,
        }
    }
}

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
}

pub(crate) struct Inner<L, T> {
    pub(crate) legacy: L,
    pub(crate) target: T,
    pub(crate) options: DualOptions,
    stage: AtomicU8,
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
    pub(crate) shutdown: AtomicBool,
    stage_readable: AtomicBool,
    /// Serialises the dual writes of one ordering key (striped), and the
    /// replay of an entry with the write path of its session.
    stripes: Vec<Mutex<()>>,
    /// One replay at a time in this process (the worker, `drain`, tools):
    /// deleting delivered entries and replaying never interleave.
    pub(crate) replaying: Mutex<()>,
}

/// Locks striping the ordering keys of concurrent dual writes.
const STRIPES: usize = 64;

/// Outbox entries read at open to know which rows are behind.
const SEED_LIMIT: u32 = 100_000;

/// The interaction log in two stores at once, routed by the migration
/// [`Stage`]. See the crate documentation.
pub struct DualStore<L: Member, T: Member> {
    pub(crate) inner: Arc<Inner<L, T>>,
    workers: Vec<JoinHandle<()>>,
}

impl<L: Member, T: Member> std::fmt::Debug for DualStore<L, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DualStore")
            .field("legacy", &self.inner.legacy.backend_name())
            .field("target", &self.inner.target.backend_name())
            .field("stage", &self.stage())
            .finish_non_exhaustive()
    }
}

impl<L: Member, T: Member> DualStore<L, T> {
    /// Pairs `legacy` (the store the application starts on, which also
    /// keeps the stored stage) with `target`. Reads the stored stage once
    /// (falling back to `options.default_stage` when none is stored or the
    /// legacy store cannot be read) and starts the background worker.
    pub fn new(legacy: L, target: T, options: DualOptions) -> Self {
        let initial = options.default_stage;
        let inner = Arc::new(Inner {
            legacy,
            target,
            stage: AtomicU8::new(stage_code(initial)),
            breakers: [
                Breaker::new(options.max_backoff),
                Breaker::new(options.max_backoff),
            ],
            delivered: [Mutex::new(HashSet::new()), Mutex::new(HashSet::new())],
            deferred: [Deferred::default(), Deferred::default()],
            counters: DualCounters::default(),
            holder: format!("{}:{}", std::process::id(), uuid::Uuid::new_v4()),
            leased: [AtomicBool::new(false), AtomicBool::new(false)],
            shutdown: AtomicBool::new(false),
            stage_readable: AtomicBool::new(true),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            replaying: Mutex::new(()),
            options,
        });
        // Before `migrate` the stage table is missing: the default applies.
        let stage = match inner.legacy.stored_stage() {
            Ok(stored) => stored.unwrap_or(inner.options.default_stage),
            Err(e) => {
                tracing::debug!(error = %e, "no stored stage readable at open");
                inner.options.default_stage
            }
        };
        inner.set_cached_stage(stage);
        if inner.options.background {
            inner.seed_deferred(Routing::of(stage).authoritative);
        }
        let workers = if inner.options.background {
            worker::spawn(&inner)
        } else {
            Vec::new()
        };
        Self { inner, workers }
    }

    /// The stage in force in this process (no database round trip).
    pub fn stage(&self) -> Stage {
        self.inner.stage()
    }

    /// Re-reads the stored stage now and returns the stage in force.
    pub fn refresh_stage(&self) -> Stage {
        self.inner.refresh_stage()
    }

    /// The legacy store.
    pub fn legacy(&self) -> &L {
        &self.inner.legacy
    }

    /// The target store.
    pub fn target(&self) -> &T {
        &self.inner.target
    }

    /// What the store did since it was opened.
    pub fn counters(&self) -> CounterSnapshot {
        let c = &self.inner.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CounterSnapshot {
            mirrored_now: get(&c.mirrored_now),
            deferred: get(&c.deferred),
            replayed: get(&c.replayed),
            dead: get(&c.dead),
            mismatches: get(&c.mismatches),
            shadow_failures: get(&c.shadow_failures),
        }
    }

    pub(crate) fn write<R>(
        &self,
        f: impl Fn(&dyn InteractionStore) -> Result<R>,
        op: impl FnOnce() -> WriteOp,
    ) -> Result<R> {
        let routing = Routing::of(self.stage());
        if !routing.mirrored {
            let auth = routing.authoritative;
            return self.inner.timed_write(auth, || f(self.inner.store(auth)));
        }
        let draft = OutboxDraft::new(op())?;
        // Writes of one session reach the other store in the order they
        // committed in the authoritative one (within this process).
        let order_key = draft.op.order_key();
        let _in_order = lock(self.inner.stripe(&order_key));
        // A session whose earlier writes still wait in the other store's
        // outbox (an outage, then a stage change) is written there first,
        // so its new write queues behind them instead of overtaking them.
        let preferred = routing.authoritative;
        let auth = if self.inner.deferred[preferred.other().index()].contains(&order_key) {
            preferred.other()
        } else {
            preferred
        };
        with_write_time(draft.at, || {
            let out = match auth {
                Side::Legacy => {
                    let handle = self.inner.legacy.recording(Arc::clone(&draft));
                    self.inner.timed_write(auth, || f(&handle))?
                }
                Side::Target => {
                    let handle = self.inner.target.recording(Arc::clone(&draft));
                    self.inner.timed_write(auth, || f(&handle))?
                }
            };
            if let Some(key) = draft.recorded() {
                self.inner.mirror_now(auth, key, &draft.op, order_key);
            }
            Ok(out)
        })
    }

    pub(crate) fn read<R: PartialEq>(
        &self,
        table: &'static str,
        key: &str,
        f: impl Fn(&dyn InteractionStore) -> Result<R>,
    ) -> Result<R> {
        let routing = Routing::of(self.stage());
        let auth = routing.authoritative;
        let span = tracing::debug_span!("chatmrpt_db.read", table, store = self.inner.name(auth));
        let _entered = span.enter();
        let out = f(self.inner.store(auth))?;
        let other = auth.other();
        if routing.compared && self.inner.breakers[other.index()].is_closed() {
            self.inner
                .compare(other, table, key, &out, f(self.inner.store(other)));
        }
        Ok(out)
    }

    /// The store that serves reads in the current stage.
    pub(crate) fn reader(&self) -> &dyn InteractionStore {
        self.inner.store(Routing::of(self.stage()).authoritative)
    }
}

impl<L: Member, T: Member> Drop for DualStore<L, T> {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::Release);
        for worker in &self.workers {
            worker.thread().unpark();
        }
        for worker in self.workers.drain(..) {
            if worker.join().is_err() {
                tracing::error!("a dual store thread panicked");
            }
        }
        self.inner.flush_delivered();
        for side in [Side::Legacy, Side::Target] {
            // Only a lease this process took (so a tool never waits on a
            // store that is down to exit); best effort: it also expires.
            if self.inner.leased[side.index()].load(Ordering::Acquire) {
                let _released = self.inner.outbox(side).outbox_release(&self.inner.holder);
            }
        }
    }
}

fn stage_code(stage: Stage) -> u8 {
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

    pub(crate) fn set_cached_stage(&self, stage: Stage) {
        self.stage.store(stage_code(stage), Ordering::Release);
        m::stage(stage);
    }

    pub(crate) fn refresh_stage(&self) -> Stage {
        match self.legacy.stored_stage() {
            Ok(stored) => {
                self.stage_readable.store(true, Ordering::Release);
                self.set_cached_stage(stored.unwrap_or(self.options.default_stage));
            }
            // Said once per outage, not every refresh.
            Err(e) if self.stage_readable.swap(false, Ordering::AcqRel) => {
                tracing::warn!(error = %e, "stage not re-read; keeping the last known stage");
            }
            Err(e) => tracing::debug!(error = %e, "stage still not readable"),
        }
        self.stage()
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

    fn timed_write<R>(&self, side: Side, f: impl FnOnce() -> Result<R>) -> Result<R> {
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
    fn mirror_now(&self, auth: Side, key: OutboxKey, op: &WriteOp, order_key: String) {
        let other = auth.other();
        let deferred = &self.deferred[auth.index()];
        if !self.breakers[other.index()].is_closed() || deferred.contains(&order_key) {
            deferred.defer(order_key);
            self.counters.deferred.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match self.timed_write(other, || op.apply(self.store(other))) {
            Ok(()) | Err(Error::Conflict { .. }) => {
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

    fn compare<R: PartialEq>(
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
