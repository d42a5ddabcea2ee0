//! The background threads of a dual store, stopped when the store drops:
//! one re-reads the shared stage (never held up by replay, so every process
//! follows a change within `stage_refresh`) and records the process's
//! heartbeat, one deletes delivered outbox entries, replays both outboxes
//! and reports their depth.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::inner::Inner;
use crate::metrics as m;
use crate::routing::Side;
use crate::store::Member;

/// How often the outbox depth gauges are refreshed.
const STATS_EVERY: Duration = Duration::from_secs(5);

pub(crate) fn spawn<L: Member, T: Member>(inner: &Arc<Inner<L, T>>) -> Vec<JoinHandle<()>> {
    let stage = Arc::clone(inner);
    let replay = Arc::clone(inner);
    let upkeep = Arc::clone(inner);
    let checkpoints = inner.options.checkpoint_interval;
    [
        (
            "chatmrpt-db-stage",
            Box::new(move || refresh_stage(&stage)) as Box<dyn FnOnce() + Send>,
        ),
        (
            "chatmrpt-db-replay",
            Box::new(move || replay_outboxes(&replay)),
        ),
        (
            "chatmrpt-db-upkeep",
            Box::new(move || {
                if let Some(every) = checkpoints {
                    housekeep(&upkeep, every);
                }
            }),
        ),
    ]
    .into_iter()
    .filter_map(|(name, body)| {
        std::thread::Builder::new()
            .name(name.into())
            .spawn(body)
            .map_err(|e| {
                // Without it writes still land in the outbox and stay there
                // until `chatmrpt-db outbox replay`; say so loudly.
                tracing::error!(thread = name, error = %e, "dual store thread not started");
            })
            .ok()
    })
    .collect()
}

fn refresh_stage<L: Member, T: Member>(inner: &Inner<L, T>) {
    // `new` read this host's copy; the shared stage is read at once.
    let mut next_beat = Instant::now();
    let mut beats = 0_u32;
    while !inner.shutdown.load(Ordering::Acquire) {
        inner.refresh_stage();
        if Instant::now() >= next_beat {
            // Old heartbeats are pruned at start, then every few hundred beats.
            inner.heartbeat(beats % PRUNE_EVERY_BEATS == 0);
            beats = beats.wrapping_add(1);
            next_beat = Instant::now() + crate::shared::HEARTBEAT_EVERY;
        }
        std::thread::park_timeout(inner.options.stage_refresh);
    }
}

/// Keeps the legacy store's house every `every` (SQLite: a passive WAL
/// checkpoint off the write path), until the store is dropped. A failure
/// is said once, then again only after the upkeep worked in between.
fn housekeep<L: Member, T: Member>(inner: &Inner<L, T>, every: Duration) {
    let mut failing = false;
    while !inner.shutdown.load(Ordering::Acquire) {
        match inner.legacy.housekeep() {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "upkeep of the legacy store failed; writers checkpoint themselves meanwhile");
            }
            Err(_) => {}
        }
        std::thread::park_timeout(every);
    }
}

/// Heartbeats between two prunes of the old ones (about 10 minutes).
const PRUNE_EVERY_BEATS: u32 = 300;

fn replay_outboxes<L: Member, T: Member>(inner: &Inner<L, T>) {
    // `new` learned which sessions wait in the authoritative outbox; the
    // other one may hold writes a stage change must not let others overtake.
    let authoritative = crate::routing::Routing::of(inner.stage()).authoritative;
    inner.seed_deferred(authoritative.other());
    let mut next_stats = Instant::now();
    while !inner.shutdown.load(Ordering::Acquire) {
        for side in [Side::Legacy, Side::Target] {
            // A store found down is asked again here even when another
            // process holds the replay lease: writes PostgreSQL decides
            // are spooled in SQLite until it answers.
            let breaker = &inner.breakers[side.index()];
            if !breaker.is_closed() && breaker.may_probe() {
                inner.probe(side);
            }
            inner.replay_outbox(side, false);
        }
        if Instant::now() >= next_stats {
            report_stats(inner);
            next_stats = Instant::now() + STATS_EVERY;
        }
        std::thread::park_timeout(inner.options.replay_interval);
    }
}

fn report_stats<L: Member, T: Member>(inner: &Inner<L, T>) {
    for side in [Side::Legacy, Side::Target] {
        if !inner.breakers[side.index()].is_closed() {
            continue;
        }
        if let Ok(stats) = inner.outbox(side).outbox_stats() {
            m::outbox(inner.name(side), &stats);
        }
    }
}
