//! The background worker of a dual store: re-reads the stored stage,
//! deletes delivered outbox entries, replays both outboxes and reports
//! their depth. One thread per dual store, stopped when the store drops.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::metrics as m;
use crate::store::{Inner, Member, Side};

/// How often the outbox depth gauges are refreshed.
const STATS_EVERY: Duration = Duration::from_secs(5);

pub(crate) fn spawn<L: Member, T: Member>(inner: Arc<Inner<L, T>>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("chatmrpt-db-dual".into())
        .spawn(move || run(&inner))
        .unwrap_or_else(|e| {
            // Without the worker, writes still land in the outbox and stay
            // there until `chatmrpt-db outbox replay`; say so loudly.
            tracing::error!(error = %e, "dual store worker not started; replay with `chatmrpt-db outbox replay`");
            std::thread::spawn(|| {})
        })
}

fn run<L: Member, T: Member>(inner: &Inner<L, T>) {
    // `new` has just read the stage.
    let mut next_stage = Instant::now() + inner.options.stage_refresh;
    let mut next_stats = Instant::now();
    while !inner.shutdown.load(Ordering::Acquire) {
        let now = Instant::now();
        if now >= next_stage {
            inner.refresh_stage();
            next_stage = now + inner.options.stage_refresh;
        }
        for side in [Side::Legacy, Side::Target] {
            inner.replay_outbox(side, false);
        }
        if now >= next_stats {
            report_stats(inner);
            next_stats = now + STATS_EVERY;
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
