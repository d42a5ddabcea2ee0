//! The dual store: two stores, the stage that decides which one answers,
//! and the write and read paths every repository method takes.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use chatmrpt_db_core::{
    Applied, ApplyWrite, InteractionStore, OutboxKey, OutboxStore, Result, Stage, StageSource,
    StageStore, Timestamp, WriteOp,
};

use crate::deferred::Deferred;
use crate::health::Breaker;
use crate::inner::{Inner, STRIPES, lock, stage_code};
use crate::options::{CounterSnapshot, DualCounters, DualOptions};
use crate::routing::{Routing, Side};
use crate::worker;

/// What the dual store needs of each of its two stores.
pub trait Member: InteractionStore + OutboxStore + StageStore + Clone + 'static {}

impl<T> Member for T where T: InteractionStore + OutboxStore + StageStore + Clone + 'static {}

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
    ///
    /// Each store's outbox is bound to the other's identity (PostgreSQL's
    /// to this SQLite file, see [`OutboxStore::bind_outbox`]), so several
    /// hosts' pairs share one PostgreSQL and each delivers only its own
    /// writes. A file without an identity yet (not migrated) is bound once
    /// it has one.
    pub fn new(legacy: L, target: T, options: DualOptions) -> Self {
        let initial = options.default_stage;
        let inner = Arc::new(Inner {
            legacy: legacy.unbound(),
            target: target.unbound(),
            stage: AtomicU8::new(stage_code(initial)),
            breakers: [
                Breaker::new(options.max_backoff),
                Breaker::new(options.max_backoff),
            ],
            delivered: [Mutex::new(HashSet::new()), Mutex::new(HashSet::new())],
            deferred: [Deferred::default(), Deferred::default()],
            counters: DualCounters::default(),
            holder: chatmrpt_db_core::holder::holder_name(),
            leased: [AtomicBool::new(false), AtomicBool::new(false)],
            bound: [AtomicBool::new(false), AtomicBool::new(false)],
            bind_retry_at: [Mutex::new(None), Mutex::new(None)],
            unplaced_warned: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            stage_readable: AtomicBool::new(true),
            stage_source: AtomicU8::new(crate::shared::source_code(StageSource::Default)),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            replaying: Mutex::new(()),
            options,
        });
        for side in [Side::Legacy, Side::Target] {
            inner.outbox_bound(side);
        }
        // This host's last known copy of the shared stage, read locally so
        // that opening never waits on PostgreSQL; the stage thread reads
        // the shared one at once. Before `migrate` the stage table is
        // missing: the default applies.
        let stage = match inner.legacy.stored_stage() {
            Ok(Some(stored)) => {
                inner.set_cached_stage(stored, StageSource::Local);
                stored
            }
            Ok(None) => {
                inner.set_cached_stage(inner.options.default_stage, StageSource::Default);
                inner.options.default_stage
            }
            Err(e) => {
                tracing::debug!(error = %e, "no stored stage readable at open");
                inner.set_cached_stage(inner.options.default_stage, StageSource::Default);
                inner.options.default_stage
            }
        };
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

    /// Re-reads the shared stage now (PostgreSQL; this host's last known
    /// copy while it is unreachable) and returns the stage in force.
    pub fn refresh_stage(&self) -> Stage {
        self.inner.refresh_stage()
    }

    /// Where the stage in force was read: shared (PostgreSQL), this host's
    /// copy (PostgreSQL unreachable), or the configured default.
    pub fn stage_source(&self) -> StageSource {
        self.inner.stage_source()
    }

    /// Records this process's heartbeat now (the background worker does it
    /// every few seconds).
    pub fn heartbeat(&self) {
        self.inner.heartbeat(false);
    }

    /// Every process's last heartbeat (shared by every host), most recent
    /// first.
    ///
    /// # Errors
    ///
    /// The target store's failure.
    pub fn heartbeats(&self) -> Result<Vec<chatmrpt_db_core::Heartbeat>> {
        self.inner.target.heartbeats()
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
            spooled: get(&c.spooled),
        }
    }

    /// Performs `op` now, as the current stage routes it.
    pub(crate) fn write(&self, op: WriteOp) -> Result<Applied> {
        self.apply(&op, Timestamp::now())
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

impl<L: Member, T: Member> ApplyWrite for DualStore<L, T> {
    /// Applies `op` to the store that decides in the current stage; when
    /// the stage mirrors, records it in that store's outbox in the same
    /// transaction and writes it to the other store (or leaves it to the
    /// replayer). Both stores apply it under the same `at`.
    ///
    /// When PostgreSQL decides (`live`, `rampdown`, `complete`) and is
    /// down, the write is spooled: SQLite decides it instead, with an entry
    /// owed to PostgreSQL in its outbox, and the caller gets success. The
    /// replayer delivers the spool in order once PostgreSQL is back.
    fn apply(&self, op: &WriteOp, at: Timestamp) -> Result<Applied> {
        let routing = Routing::of(self.stage());
        let preferred = routing.authoritative;
        if preferred == Side::Legacy && !routing.mirrored {
            return self
                .inner
                .timed_write(preferred, || self.inner.store(preferred).apply(op, at));
        }
        // Writes of one session reach the other store in the order they
        // committed in the authoritative one (within this process).
        let order_key = op.order_key();
        let _in_order = lock(self.inner.stripe(&order_key));
        // A session whose earlier writes still wait in the other store's
        // outbox (an outage, then a stage change, or a spool) is written
        // there first, so its new write queues behind them instead of
        // overtaking them; so is every write while PostgreSQL, deciding,
        // is known to be down.
        let behind = self.inner.deferred[preferred.other().index()].contains(&order_key);
        let down =
            preferred == Side::Target && !self.inner.breakers[Side::Target.index()].is_closed();
        let spool = preferred == Side::Target && (behind || down);
        if !routing.mirrored && !spool {
            // `complete`: PostgreSQL alone, unless it is down.
            return match self
                .inner
                .timed_write(preferred, || self.inner.store(preferred).apply(op, at))
            {
                Err(e) if e.is_transient() => self.spool(op, at, order_key, &e),
                out => out,
            };
        }
        let auth = if behind || spool {
            preferred.other()
        } else {
            preferred
        };
        let (out, entry) = match self.recorded(auth, op, at) {
            // Only where PostgreSQL decides: a session written there first
            // because it is behind (SQLite deciding) fails as before.
            Err(e) if e.is_transient() && auth == Side::Target && preferred == Side::Target => {
                return self.spool(op, at, order_key, &e);
            }
            out => out?,
        };
        if down {
            self.inner.spooled(op, None);
        }
        self.inner.mirror_now(auth, entry, op, order_key);
        Ok(out)
    }
}

impl<L: Member, T: Member> DualStore<L, T> {
    /// Applies `op` to `auth` with its outbox entry for the other store.
    fn recorded(&self, auth: Side, op: &WriteOp, at: Timestamp) -> Result<(Applied, OutboxKey)> {
        if self.inner.outbox_bound(auth) {
            self.inner.unplaced_warned.store(false, Ordering::Relaxed);
        } else if !self.inner.unplaced_warned.swap(true, Ordering::Relaxed) {
            // Kept, naming no destination ("unplaced": counted in
            // `outbox_stats`, delivered once an operator places it), rather
            // than lost or owed to a file it may not belong to. Said once.
            tracing::warn!(
                store = self.inner.name(auth),
                kind = op.kind(),
                key = op.key(),
                "outbox not bound to this host's file yet (run `chatmrpt-db migrate`); \
                 its entries are unplaced until it is"
            );
        }
        self.inner
            .timed_write(auth, || self.inner.outbox(auth).apply_recorded(op, at))
    }

    /// PostgreSQL decides and just failed as down (`cause`): SQLite takes
    /// the write with an entry owed to PostgreSQL, and the session's next
    /// writes queue behind it.
    fn spool(
        &self,
        op: &WriteOp,
        at: Timestamp,
        order_key: String,
        cause: &chatmrpt_db_core::Error,
    ) -> Result<Applied> {
        self.inner.breakers[Side::Target.index()].failed();
        let (out, _entry) = self.recorded(Side::Legacy, op, at)?;
        self.inner.deferred[Side::Legacy.index()].defer(order_key);
        self.inner.spooled(op, Some(cause));
        Ok(out)
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
