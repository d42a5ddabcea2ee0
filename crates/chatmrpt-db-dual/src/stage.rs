//! Changing the stage at run time: one step at a time unless forced, never
//! onto a store that still owes writes unless forced, always recorded.

use chatmrpt_db_core::{Error, OutboxStats, Result, Stage, StageChange, Timestamp};

use crate::routing::{Routing, Side};
use crate::store::{DualStore, Member};

/// Pending entries older than this mean the outbox is behind, not just busy.
const BEHIND_AFTER_MS: i64 = 5_000;

/// A request to change the stage.
#[derive(Clone, Debug)]
pub struct StageRequest {
    /// The stage wanted.
    pub to: Stage,
    /// Who asks: recorded in the history (a user or tool name, never a secret).
    pub changed_by: String,
    /// Allow a move of more than one step, or onto a store whose outbox
    /// still holds undelivered writes.
    pub force: bool,
}

impl<L: Member, T: Member> DualStore<L, T> {
    /// Changes the stage for every process sharing the legacy store: this
    /// process at once, the others at their next refresh (within
    /// [`crate::DualOptions::stage_refresh`]). Returns the recorded change,
    /// or `None` when the stage already is `request.to`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (field `stage`) for a move of more than one
    /// step, or when reads would move to a store that still owes writes
    /// (its outbox has entries older than a few seconds, or dead ones),
    /// unless `force`; the legacy store's failure.
    pub fn set_stage(&self, request: &StageRequest) -> Result<Option<StageChange>> {
        let from = self.inner.refresh_stage();
        let to = request.to;
        if from == to {
            return Ok(None);
        }
        if !request.force {
            check_step(from, to)?;
            self.check_caught_up(from, to)?;
        }
        let change = StageChange {
            from,
            to,
            changed_by: request.changed_by.clone(),
            changed_at: Timestamp::now(),
            forced: request.force,
        };
        self.inner.legacy.record_stage(&change)?;
        self.inner.set_cached_stage(to);
        tracing::info!(from = %from, to = %to, by = %change.changed_by, forced = change.forced, "stage changed");
        Ok(Some(change))
    }

    /// The stored stage changes, newest first.
    ///
    /// # Errors
    ///
    /// The legacy store's failure.
    pub fn stage_history(&self, limit: u32) -> Result<Vec<StageChange>> {
        self.inner.legacy.stage_history(limit)
    }

    /// The stage stored in the legacy store, if any (the default applies otherwise).
    ///
    /// # Errors
    ///
    /// The legacy store's failure.
    pub fn stored_stage(&self) -> Result<Option<Stage>> {
        self.inner.legacy.stored_stage()
    }

    /// Depth and age of the outbox each store holds (writes owed to the other).
    ///
    /// # Errors
    ///
    /// The failure of the store asked.
    pub fn outbox_stats(&self, side: Side) -> Result<OutboxStats> {
        self.inner.outbox(side).outbox_stats()
    }

    /// The outbox kept in `side`'s store (writes owed to the other store),
    /// for tools: dead entries, retry, discard.
    pub fn outbox(&self, side: Side) -> &dyn chatmrpt_db_core::OutboxStore {
        self.inner.outbox(side)
    }

    /// The backend name of `side`'s store, e.g. `sqlite`.
    pub fn side_name(&self, side: Side) -> &'static str {
        self.inner.name(side)
    }

    /// Refuses to serve reads from a store that still owes writes.
    fn check_caught_up(&self, from: Stage, to: Stage) -> Result<()> {
        let (before, after) = (Routing::of(from), Routing::of(to));
        let mut owing = Vec::new();
        if before.authoritative != after.authoritative || !after.mirrored {
            // Reads move to `after.authoritative`: its writes are in the other outbox.
            owing.push(after.authoritative.other());
        }
        for side in owing {
            let stats = self.outbox_stats(side)?;
            let behind = stats
                .oldest_pending
                .is_some_and(|at| at < Timestamp::now().add_millis(-BEHIND_AFTER_MS));
            if stats.unplaced > 0 {
                // Writes naming no file may be owed to this host's file.
                return Err(Error::StageRule(format!(
                    "the {} outbox holds {} writes that name no file (from an older release); \
                     place them with `chatmrpt-db outbox claim-unplaced` on the host they \
                     came from and replay them first, or force",
                    self.inner.name(side),
                    stats.unplaced,
                )));
            }
            if behind || stats.dead > 0 {
                return Err(Error::StageRule(format!(
                    "{} still owes {} writes ({} pending, {} dead in the {} outbox); \
                         replay or resolve them first (`chatmrpt-db outbox`), or force",
                    self.inner.name(side.other()),
                    stats.pending + stats.dead,
                    stats.pending,
                    stats.dead,
                    self.inner.name(side),
                )));
            }
        }
        Ok(())
    }
}

/// One step at a time, forward or back.
fn check_step(from: Stage, to: Stage) -> Result<()> {
    if from.ordinal().abs_diff(to.ordinal()) > 1 {
        return Err(Error::StageRule(format!(
            "{from} -> {to} skips a stage; move one step at a time, or force"
        )));
    }
    Ok(())
}
