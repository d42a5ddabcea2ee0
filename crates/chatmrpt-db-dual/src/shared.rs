//! One stage for every host: the stage is stored in the target store
//! (PostgreSQL), which every process of every host shares; each host keeps
//! its last known copy in its own file for when PostgreSQL is unreachable,
//! and says so. Every process records a heartbeat there (host, file, the
//! stage it follows and where it read it, what its file still owes
//! PostgreSQL), so an operator sees who has not followed a change.

use std::sync::atomic::Ordering;
use std::time::Duration;

use chatmrpt_db_core::{Heartbeat, Stage, StageChange, StageSource, Timestamp};

use crate::inner::Inner;
use crate::routing::Side;
use crate::store::Member;

/// How often a process records its heartbeat.
pub(crate) const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// Heartbeats not renewed for this long are pruned.
const HEARTBEAT_KEPT_MS: i64 = 24 * 3_600 * 1_000;

/// Who the host's copy of the shared stage is recorded as changed by.
const CACHED_BY: &str = "the shared stage (this host's copy)";

/// The atomic's code of a source: its position in [`StageSource::ALL`].
pub(crate) fn source_code(source: StageSource) -> u8 {
    let at = StageSource::ALL.iter().position(|s| *s == source);
    at.and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX)
}

impl<L: Member, T: Member> Inner<L, T> {
    /// Where the stage in force was read.
    pub(crate) fn stage_source(&self) -> StageSource {
        let code = usize::from(self.stage_source.load(Ordering::Acquire));
        StageSource::ALL
            .get(code)
            .copied()
            .unwrap_or(StageSource::Default)
    }

    /// Re-reads the shared stage (PostgreSQL) and follows it, keeping this
    /// host's copy up to date; while PostgreSQL cannot be read (known down,
    /// or failing now), follows this host's last known copy and says so
    /// once per outage. A stage never stored in PostgreSQL (a deployment of
    /// an older release, which kept it per file) is this host's stored one,
    /// or the configured default.
    pub(crate) fn refresh_stage(&self) -> Stage {
        let shared = if self.breakers[Side::Target.index()].is_closed() {
            Some(self.target.stored_stage())
        } else {
            None
        };
        match shared {
            Some(Ok(Some(stage))) => {
                if !self.stage_readable.swap(true, Ordering::AcqRel) {
                    tracing::info!(stage = %stage, "following the shared stage again");
                }
                self.keep_local_copy(stage);
                self.set_cached_stage(stage, StageSource::Shared);
            }
            Some(Ok(None)) => {
                self.stage_readable.store(true, Ordering::Release);
                self.follow_local();
            }
            Some(Err(e)) => {
                if e.is_transient() {
                    self.breakers[Side::Target.index()].failed();
                }
                if self.stage_readable.swap(false, Ordering::AcqRel) {
                    tracing::warn!(error = %e,
                        "the shared stage is not readable in PostgreSQL; following this host's last known stage");
                }
                self.follow_local();
            }
            None => {
                if self.stage_readable.swap(false, Ordering::AcqRel) {
                    tracing::warn!("PostgreSQL is down; following this host's last known stage");
                }
                self.follow_local();
            }
        }
        self.stage()
    }

    /// Follows the stage this host's file keeps, or the default.
    fn follow_local(&self) {
        match self.legacy.stored_stage() {
            Ok(Some(stage)) => self.set_cached_stage(stage, StageSource::Local),
            Ok(None) => self.set_cached_stage(self.options.default_stage, StageSource::Default),
            Err(e) => {
                tracing::debug!(error = %e, "this host's stage not readable either; keeping it")
            }
        }
    }

    /// Stores `stage` as this host's last known copy unless the file
    /// already holds it (read from the file each time, a cheap local read,
    /// so a copy another process changed is put right too).
    pub(crate) fn keep_local_copy(&self, stage: Stage) {
        let held = match self.legacy.stored_stage() {
            Ok(held) => held,
            Err(e) => {
                tracing::debug!(error = %e, "this host's copy of the stage not readable");
                None
            }
        };
        if held == Some(stage) {
            return;
        }
        let change = StageChange {
            from: held.unwrap_or(stage),
            to: stage,
            changed_by: CACHED_BY.to_owned(),
            changed_at: Timestamp::now(),
            forced: false,
        };
        if let Err(e) = self.legacy.cache_stage(&change) {
            tracing::debug!(error = %e, "this host's copy of the stage not written; retried");
        }
    }

    /// Records this process's heartbeat in the shared store (and, now and
    /// then, prunes heartbeats nobody renews). Best effort: a store that is
    /// down is skipped.
    pub(crate) fn heartbeat(&self, prune: bool) {
        if !self.breakers[Side::Target.index()].is_closed() {
            return;
        }
        // A beat that cannot say what the file owes is not recorded: the
        // stage rule must not read "nothing owed" into it.
        let owed = match self.legacy.outbox_stats() {
            Ok(owed) => owed,
            Err(e) => {
                tracing::debug!(error = %e, "heartbeat skipped: the file's outbox is not readable");
                return;
            }
        };
        let beat = Heartbeat {
            process: self.holder.clone(),
            host: chatmrpt_db_core::holder::this_host(),
            file_id: self.legacy.outbox_identity().ok().flatten(),
            stage: self.stage(),
            stage_source: self.stage_source(),
            outbox_depth: owed.pending,
            outbox_dead: owed.dead,
            outbox_oldest: owed.oldest_pending,
            release: env!("CARGO_PKG_VERSION").to_owned(),
            last_seen: Timestamp::now(),
        };
        if let Err(e) = self.target.record_heartbeat(&beat) {
            tracing::debug!(error = %e, "heartbeat not recorded");
            return;
        }
        if prune {
            let before = Timestamp::now().add_millis(-HEARTBEAT_KEPT_MS);
            if let Err(e) = self.target.prune_heartbeats(before) {
                tracing::debug!(error = %e, "old heartbeats not pruned");
            }
        }
    }
}
