//! The replayer: delivers the outbox of one store to the other, in order
//! per row, idempotently, parking what can never succeed.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chatmrpt_db_core::error::error_chain;
use chatmrpt_db_core::secret::redact;
use chatmrpt_db_core::{Error, OutboxEntry, Timestamp, WriteOp};

use crate::inner::{Inner, lock};
use crate::metrics as m;
use crate::routing::Side;
use crate::store::{DualStore, Member};

/// What one replay of an outbox did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Entries applied to the other store (or found already there).
    pub delivered: u64,
    /// Entries that failed and will be retried.
    pub retried: u64,
    /// Entries parked as dead by this replay.
    pub parked: u64,
    /// Entries left for later (not due yet, or behind a retried entry of the same row).
    pub waiting: u64,
    /// The other store was down: replay stopped early.
    pub store_down: bool,
    /// Another process holds the replay lease; nothing was done.
    pub lease_held_elsewhere: bool,
    /// An outbox is not bound to its destination yet (the SQLite file has
    /// no identity: not migrated); it was not replayed.
    pub unbound: bool,
}

impl ReplayReport {
    fn add(&mut self, other: ReplayReport) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.parked += other.parked;
        self.waiting += other.waiting;
        self.store_down |= other.store_down;
        self.lease_held_elsewhere |= other.lease_held_elsewhere;
        self.unbound |= other.unbound;
    }
}

/// How one entry went.
enum Outcome {
    Delivered,
    Retry,
    Dead,
    Down,
}

impl<L: Member, T: Member> DualStore<L, T> {
    /// Replays both outboxes once, including entries younger than the grace
    /// period, until each is empty or stuck. Returns what was done.
    ///
    /// Entries that are not due yet (backing off after a failure) wait.
    pub fn replay_now(&self) -> ReplayReport {
        let mut report = ReplayReport::default();
        for side in [Side::Legacy, Side::Target] {
            report.add(self.inner.replay_outbox(side, true));
        }
        report
    }

    /// Replays until both outboxes are empty, or `timeout` passes. Returns
    /// `true` when they are empty (dead entries aside).
    pub fn drain(&self, timeout: Duration) -> bool {
        let started = std::time::Instant::now();
        loop {
            let report = self.replay_now();
            if report.delivered + report.retried + report.waiting == 0
                && !report.store_down
                && !report.unbound
            {
                let empty = [Side::Legacy, Side::Target].iter().all(|s| {
                    self.inner
                        .outbox(*s)
                        .outbox_stats()
                        .is_ok_and(|st| st.pending == 0)
                });
                if empty {
                    return true;
                }
            }
            if started.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl<L: Member, T: Member> Inner<L, T> {
    /// One replay of the outbox held by `side` into the other store.
    pub(crate) fn replay_outbox(&self, side: Side, eager: bool) -> ReplayReport {
        let _one_at_a_time = lock(&self.replaying);
        let mut report = ReplayReport::default();
        self.flush_delivered();
        let target = side.other();
        if !self.breakers[target.index()].may_probe() || !self.breakers[side.index()].may_probe() {
            report.store_down = true;
            return report;
        }
        if !self.outbox_bound(side) {
            // Its entries may be another host's: never replayed unbound.
            report.unbound = true;
            return report;
        }
        let outbox = self.outbox(side);
        let deferred = &self.deferred[side.index()];
        deferred.pass_started();
        // A read first: an empty outbox costs no lease write.
        match outbox.outbox_batch(1) {
            Ok(first) if first.is_empty() => {
                deferred.settle(&HashSet::new());
                self.breakers[side.index()].succeeded();
                return report;
            }
            Ok(_) => self.breakers[side.index()].succeeded(),
            Err(e) => {
                if e.is_transient() {
                    self.breakers[side.index()].failed();
                }
                tracing::debug!(store = self.name(side), error = %e, "outbox not readable");
                report.store_down = true;
                return report;
            }
        }
        if !self.take_lease(side) {
            // Another process replays; still learn which rows it delivered.
            report.lease_held_elsewhere = true;
            if let Ok(batch) = outbox.outbox_batch(self.options.replay_batch) {
                if batch.len() < self.options.replay_batch as usize {
                    deferred.settle(&batch.into_iter().map(|e| e.order_key).collect());
                }
            }
            return report;
        }
        if !self.breakers[target.index()].is_closed() && !self.probe(target) {
            report.store_down = true;
            return report;
        }
        // Bounded, so that delivered entries are deleted and the other
        // outbox is served regularly even while a large backlog drains.
        let until = std::time::Instant::now() + Duration::from_secs(1);
        loop {
            let batch = match outbox.outbox_batch(self.options.replay_batch) {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(store = self.name(side), error = %e, "outbox not readable");
                    report.store_down = true;
                    return report;
                }
            };
            let full = batch.len() >= self.options.replay_batch as usize;
            let (pass, still_there) = self.replay_batch(side, batch, eager);
            report.add(pass);
            if !pass.store_down && !full {
                // This batch was the whole outbox.
                deferred.settle(&still_there);
            }
            if pass.store_down || !full || pass.delivered == 0 {
                break;
            }
            if std::time::Instant::now() >= until {
                break;
            }
        }
        report
    }

    fn take_lease(&self, side: Side) -> bool {
        let lease_ms = u32::try_from(self.options.lease_ttl.as_millis()).unwrap_or(u32::MAX);
        let outbox = self.outbox(side);
        let taken = outbox
            .outbox_lease(&self.holder, lease_ms)
            .and_then(|held| {
                if held {
                    return Ok(true);
                }
                // A holder of this host that no longer runs (killed mid-replay)
                // gives its lease up now, not when it expires.
                let took = outbox.outbox_take_over(
                    &self.holder,
                    lease_ms,
                    &chatmrpt_db_core::holder::holder_is_dead,
                )?;
                if took {
                    tracing::info!(
                        store = self.name(side),
                        "took over the replay lease of a process that is gone"
                    );
                }
                Ok(took)
            });
        match taken {
            Ok(held) => {
                if held {
                    self.leased[side.index()].store(true, Ordering::Release);
                }
                held
            }
            Err(e) => {
                tracing::debug!(store = self.name(side), error = %e, "outbox lease not taken");
                false
            }
        }
    }

    /// Asks a store that was down a one-row question.
    pub(crate) fn probe(&self, side: Side) -> bool {
        let answer = match side {
            Side::Legacy => self.legacy.stored_stage().map(drop),
            Side::Target => self.target.stored_stage().map(drop),
        };
        match answer {
            Ok(()) => {
                self.breakers[side.index()].succeeded();
                true
            }
            Err(_) => {
                self.breakers[side.index()].failed();
                false
            }
        }
    }

    /// Replays `batch`; returns what happened and the ordering keys of the
    /// entries left in the outbox (dead ones aside).
    fn replay_batch(
        &self,
        side: Side,
        batch: Vec<OutboxEntry>,
        eager: bool,
    ) -> (ReplayReport, HashSet<String>) {
        let mut report = ReplayReport::default();
        let mut blocked: HashSet<String> = HashSet::new();
        let waiting = self.deferred[side.index()].snapshot();
        let mut delivered = Vec::new();
        let mut delivered_keys = Vec::new();
        // Stop well within the lease, so no other process can take it while
        // this batch is still being applied.
        let until = std::time::Instant::now() + self.options.lease_ttl / 3;
        let now = Timestamp::now();
        let grace = i64::try_from(self.options.replay_grace.as_millis()).unwrap_or(i64::MAX);
        let fresh_after = now.add_millis(-grace);
        for entry in batch {
            if std::time::Instant::now() >= until {
                blocked.insert(entry.order_key);
                report.waiting += 1;
                continue;
            }
            let not_due = entry.next_attempt_at.is_some_and(|at| at > now);
            let fresh = entry.attempts == 0
                && entry.next_attempt_at.is_none()
                && entry.created_at > fresh_after
                && !waiting.contains(&entry.order_key)
                && !eager;
            if blocked.contains(&entry.order_key) || not_due || fresh {
                blocked.insert(entry.order_key);
                report.waiting += 1;
                continue;
            }
            match self.replay_entry(side, &entry) {
                Outcome::Delivered => {
                    delivered.push(entry.key());
                    delivered_keys.push(entry.order_key);
                    report.delivered += 1;
                }
                Outcome::Retry => {
                    blocked.insert(entry.order_key);
                    report.retried += 1;
                }
                Outcome::Dead => report.parked += 1,
                Outcome::Down => {
                    blocked.insert(entry.order_key);
                    report.store_down = true;
                    break;
                }
            }
        }
        if let Err(e) = self.outbox(side).outbox_delivered(&delivered) {
            // Left in place and applied again next pass, in order: their
            // sessions keep waiting so no newer write overtakes them.
            tracing::warn!(store = self.name(side), error = %e, "delivered entries not deleted");
            blocked.extend(delivered_keys);
        }
        let name = self.name(side);
        m::replayed(name, "delivered", report.delivered);
        m::replayed(name, "retry", report.retried);
        m::replayed(name, "dead", report.parked);
        self.counters
            .replayed
            .fetch_add(report.delivered, Ordering::Relaxed);
        self.counters
            .dead
            .fetch_add(report.parked, Ordering::Relaxed);
        (report, blocked)
    }

    fn replay_entry(&self, side: Side, entry: &OutboxEntry) -> Outcome {
        let target = side.other();
        // Under the session's lock: the write path cannot mirror a newer
        // write of it meanwhile, and an entry it has already delivered
        // (awaiting deletion) is not applied again over a newer one.
        let _in_order = lock(self.stripe(&entry.order_key));
        if lock(&self.delivered[side.index()]).contains(&entry.key()) {
            return Outcome::Delivered;
        }
        let applied = WriteOp::from_payload(entry.id, &entry.payload)
            .and_then(|op| self.store(target).apply(&op, entry.created_at).map(drop));
        let error = match applied {
            Ok(()) | Err(Error::Conflict { .. }) => {
                self.breakers[target.index()].succeeded();
                return Outcome::Delivered;
            }
            Err(e) => e,
        };
        let reason = redact(&error_chain(&error));
        let transient = error.is_transient();
        let attempts = entry.attempts + i32::from(!transient);
        let dead = !transient
            && (attempts >= self.options.max_attempts || matches!(error, Error::Corrupt { .. }));
        let pause = backoff(attempts, self.options.max_backoff);
        let next = Timestamp::now().add_millis(pause);
        if let Err(e) =
            self.outbox(side)
                .outbox_failed(entry.key(), &reason, !transient, next, dead)
        {
            tracing::warn!(store = self.name(side), error = %e, "outbox failure not recorded");
        }
        if transient {
            self.breakers[target.index()].failed();
            return Outcome::Down;
        }
        tracing::warn!(store = self.name(target), kind = %entry.kind, key = %entry.row_key,
            attempts, dead, error = %reason, "replayed write failed");
        if dead { Outcome::Dead } else { Outcome::Retry }
    }
}

/// Milliseconds to wait after `attempts` failures: 0.5 s doubling, capped.
fn backoff(attempts: i32, max: Duration) -> i64 {
    let max = i64::try_from(max.as_millis()).unwrap_or(i64::MAX);
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(0);
    500_i64.saturating_mul(1_i64 << exp).min(max)
}
