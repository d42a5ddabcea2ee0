//! The figures the dual store reports through the `metrics` facade. Install
//! any `metrics` recorder (Prometheus exporter, statsd, ...) to collect them;
//! without one they cost an atomic load.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `chatmrpt_db_writes_total` | counter | `store`, `outcome` (`ok`, `rejected`, `failed`) |
//! | `chatmrpt_db_write_seconds` | histogram | `store` |
//! | `chatmrpt_db_outbox_depth` | gauge | `outbox` (the store holding it) |
//! | `chatmrpt_db_outbox_oldest_age_seconds` | gauge | `outbox` |
//! | `chatmrpt_db_outbox_dead` | gauge | `outbox` |
//! | `chatmrpt_db_outbox_replayed_total` | counter | `outbox`, `outcome` (`delivered`, `retry`, `dead`) |
//! | `chatmrpt_db_shadow_mismatches_total` | counter | `table` |
//! | `chatmrpt_db_shadow_failures_total` | counter | `table` |
//! | `chatmrpt_db_stage` | gauge | none (the stage's position, `off` = 0) |
//! | `chatmrpt_db_spooled_total` | counter | none (writes PostgreSQL was down for, taken by SQLite) |

use std::time::Duration;

use chatmrpt_db_core::{Error, OutboxStats, Stage};

pub(crate) fn write(store: &'static str, elapsed: Duration, error: Option<&Error>) {
    let outcome = match error {
        None => "ok",
        Some(Error::Unavailable { .. } | Error::Database { .. } | Error::Corrupt { .. }) => {
            "failed"
        }
        Some(_) => "rejected",
    };
    metrics::counter!("chatmrpt_db_writes_total", "store" => store, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("chatmrpt_db_write_seconds", "store" => store).record(elapsed);
}

pub(crate) fn outbox(outbox: &'static str, stats: &OutboxStats) {
    let age = stats.oldest_age().unwrap_or_default().as_secs_f64();
    metrics::gauge!("chatmrpt_db_outbox_depth", "outbox" => outbox).set(stats.pending as f64);
    metrics::gauge!("chatmrpt_db_outbox_oldest_age_seconds", "outbox" => outbox).set(age);
    metrics::gauge!("chatmrpt_db_outbox_dead", "outbox" => outbox).set(stats.dead as f64);
}

pub(crate) fn replayed(outbox: &'static str, outcome: &'static str, n: u64) {
    if n > 0 {
        metrics::counter!("chatmrpt_db_outbox_replayed_total", "outbox" => outbox, "outcome" => outcome)
            .increment(n);
    }
}

pub(crate) fn mismatch(table: &'static str) {
    metrics::counter!("chatmrpt_db_shadow_mismatches_total", "table" => table).increment(1);
}

pub(crate) fn shadow_failure(table: &'static str) {
    metrics::counter!("chatmrpt_db_shadow_failures_total", "table" => table).increment(1);
}

pub(crate) fn stage(stage: Stage) {
    metrics::gauge!("chatmrpt_db_stage").set(stage.ordinal() as f64);
}

pub(crate) fn spooled() {
    metrics::counter!("chatmrpt_db_spooled_total").increment(1);
}
