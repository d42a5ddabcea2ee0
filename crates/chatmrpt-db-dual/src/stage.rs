//! Changing the stage at run time: one step at a time unless forced, never
//! onto a store that still owes writes (on any host) unless forced, always
//! recorded in the stage every host shares (PostgreSQL).

use chatmrpt_db_core::{Error, Heartbeat, OutboxStats, Result, Stage, StageChange, Timestamp};

use crate::routing::{Routing, Side};
use crate::store::{DualStore, Member};

/// Stage changes looked through for a past `complete`.
const HISTORY_CHECKED: u32 = 10_000;

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
    /// Changes the stage every process of every host follows: it is
    /// stored in the target store (PostgreSQL), which they all share; this
    /// process follows at once, the others at their next refresh (within
    /// [`crate::DualOptions::stage_refresh`]), and this host's file keeps a
    /// copy. Returns the recorded change, or `None` when the stage already
    /// is `request.to`.
    ///
    /// # Errors
    ///
    /// [`Error::StageRule`] for a move of more than one step, or when reads
    /// would move to a store that still owes writes on any host (an outbox
    /// with entries older than a few seconds, or dead ones, here or in
    /// another host's last heartbeat), unless `force`; the target store's
    /// failure (the stage cannot change while PostgreSQL is unreachable:
    /// writes it decides are spooled meanwhile).
    pub fn set_stage(&self, request: &StageRequest) -> Result<Option<StageChange>> {
        let from = self.inner.refresh_stage();
        let to = request.to;
        if from == to {
            return Ok(None);
        }
        if !request.force {
            check_step(from, to)?;
            let beats = self.heartbeats()?;
            check_every_host_steps_once(&beats, to)?;
            self.check_caught_up(from, to, &beats)?;
        }
        let change = StageChange {
            from,
            to,
            changed_by: request.changed_by.clone(),
            changed_at: Timestamp::now(),
            forced: request.force,
        };
        self.inner.target.record_stage(&change)?;
        self.inner.keep_local_copy(to);
        self.inner
            .set_cached_stage(to, chatmrpt_db_core::StageSource::Shared);
        tracing::info!(from = %from, to = %to, by = %change.changed_by, forced = change.forced, "stage changed");
        Ok(Some(change))
    }

    /// The shared stage's changes, newest first.
    ///
    /// # Errors
    ///
    /// The target store's failure.
    pub fn stage_history(&self, limit: u32) -> Result<Vec<StageChange>> {
        self.inner.target.stage_history(limit)
    }

    /// The shared stage stored in the target store, if any (this host's
    /// copy, or the default, applies otherwise).
    ///
    /// # Errors
    ///
    /// The target store's failure.
    pub fn stored_stage(&self) -> Result<Option<Stage>> {
        self.inner.target.stored_stage()
    }

    /// The stage this host's file keeps as its copy of the shared one.
    ///
    /// # Errors
    ///
    /// The legacy store's failure.
    pub fn local_stage(&self) -> Result<Option<Stage>> {
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
    fn check_caught_up(&self, from: Stage, to: Stage, beats: &[Heartbeat]) -> Result<()> {
        let (before, after) = (Routing::of(from), Routing::of(to));
        let mut owing = Vec::new();
        if before.authoritative != after.authoritative || !after.mirrored {
            // Reads move to `after.authoritative`: its writes are in the other outbox.
            owing.push(after.authoritative.other());
        }
        if before.authoritative == Side::Target && after.authoritative == Side::Legacy {
            self.check_never_complete()?;
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
            let others_behind = stats
                .other_oldest
                .is_some_and(|at| at < Timestamp::now().add_millis(-BEHIND_AFTER_MS));
            if others_behind {
                return Err(Error::StageRule(format!(
                    "other hosts' files are still owed {} writes in the {} outbox; \
                     let their replayers deliver them first (`chatmrpt-db outbox` on each host), or force",
                    stats.other_destinations,
                    self.inner.name(side),
                )));
            }
            if side == Side::Legacy {
                self.check_other_hosts(beats)?;
            }
        }
        Ok(())
    }

    /// Refuses to serve reads from SQLite again once the deployment has
    /// been `complete`: the files missed every write made then (nothing
    /// copies PostgreSQL back into them), so reads would silently lack rows.
    fn check_never_complete(&self) -> Result<()> {
        let history = self.stage_history(HISTORY_CHECKED)?;
        match history.iter().find(|c| c.to == Stage::Complete) {
            Some(change) => Err(Error::StageRule(format!(
                "the stage was complete (since {}): the SQLite files lack every write made then, \
                 so reads cannot move back to them; stay in live or rampdown, or force",
                change.changed_at
            ))),
            None => Ok(()),
        }
    }

    /// Refuses while another host's file may still owe PostgreSQL writes
    /// that are not just in flight, by the newest heartbeat of each file:
    /// dead entries or a pending one older than a few seconds, or a stale
    /// heartbeat ([`Heartbeat::STALE_AFTER`]: a process cut off from
    /// PostgreSQL stops beating just when it spools; a host that stopped
    /// may still hold writes). Heartbeats are kept a day.
    fn check_other_hosts(&self, beats: &[Heartbeat]) -> Result<()> {
        let mine = self.inner.legacy.outbox_identity().ok().flatten();
        let now = Timestamp::now();
        let mut newest = std::collections::BTreeMap::new();
        for beat in beats {
            match &beat.file_id {
                // Newest first: the first of each file says what it owes now.
                Some(file) if Some(file) != mine.as_ref() => {
                    newest.entry(file).or_insert(beat);
                }
                _ => {}
            }
        }
        let owing: Vec<String> = newest
            .values()
            .filter_map(|beat| {
                if beat.is_stale(now) {
                    Some(format!(
                        "{}: no heartbeat for {} s",
                        beat.host,
                        beat.silent_for(now).as_secs()
                    ))
                } else {
                    beat.owes_writes(BEHIND_AFTER_MS).then(|| {
                        format!(
                            "{}: {} writes",
                            beat.host,
                            beat.outbox_depth + beat.outbox_dead
                        )
                    })
                }
            })
            .collect();
        if owing.is_empty() {
            return Ok(());
        }
        Err(Error::StageRule(format!(
            "other hosts' files may still owe PostgreSQL writes ({}); let them replay first \
             (`chatmrpt-db outbox` on each host), or force",
            owing.join(", ")
        )))
    }
}

/// Refuses to move a host that follows another stage (an older release's
/// per-file stage, or one that has not followed a change yet) by more than
/// one step, by the fresh heartbeats.
fn check_every_host_steps_once(beats: &[Heartbeat], to: Stage) -> Result<()> {
    let now = Timestamp::now();
    match beats
        .iter()
        .find(|b| !b.is_stale(now) && b.stage.ordinal().abs_diff(to.ordinal()) > 1)
    {
        Some(beat) => Err(Error::StageRule(format!(
            "{} follows {} ({}): {} -> {to} skips a stage there; move one step at a time, \
             or force",
            beat.host,
            beat.stage,
            beat.stage_source.name(),
            beat.stage
        ))),
        None => Ok(()),
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
