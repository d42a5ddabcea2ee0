//! The migration stage: which store is written, read and compared.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Where the move from SQLite to PostgreSQL stands.
///
/// | stage | writes | reads from | compared |
/// |---|---|---|---|
/// | `off` | SQLite | SQLite | no |
/// | `dual_write` | SQLite, then PostgreSQL | SQLite | no |
/// | `shadow` | SQLite, then PostgreSQL | SQLite | PostgreSQL read too |
/// | `live` | PostgreSQL, then SQLite | PostgreSQL | SQLite read too |
/// | `rampdown` | PostgreSQL, then SQLite | PostgreSQL | no |
/// | `complete` | PostgreSQL | PostgreSQL | no |
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// SQLite only.
    #[default]
    Off,
    /// SQLite authoritative, PostgreSQL written too.
    DualWrite,
    /// As `DualWrite`, and reads compared against PostgreSQL.
    Shadow,
    /// PostgreSQL authoritative, SQLite written and compared.
    Live,
    /// PostgreSQL authoritative, SQLite still written.
    Rampdown,
    /// PostgreSQL only.
    Complete,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] = [
        Stage::Off,
        Stage::DualWrite,
        Stage::Shadow,
        Stage::Live,
        Stage::Rampdown,
        Stage::Complete,
    ];

    /// The stage's name as configured and stored.
    pub const fn name(self) -> &'static str {
        match self {
            Stage::Off => "off",
            Stage::DualWrite => "dual_write",
            Stage::Shadow => "shadow",
            Stage::Live => "live",
            Stage::Rampdown => "rampdown",
            Stage::Complete => "complete",
        }
    }

    /// Position in [`Stage::ALL`].
    pub fn ordinal(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stage {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Stage::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                Error::invalid(
                    "stage",
                    format!(
                        "`{name}` is not one of off, dual_write, shadow, live, rampdown, complete"
                    ),
                )
            })
    }
}

/// One recorded change of the migration stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageChange {
    /// The stage before.
    pub from: Stage,
    /// The stage set.
    pub to: Stage,
    /// Who asked (user, host or tool name; free text).
    pub changed_by: String,
    /// When.
    pub changed_at: Timestamp,
    /// Whether a multi-step move or an undrained outbox was overridden.
    pub forced: bool,
}

/// Where the stage a process follows comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageSource {
    /// The stage shared by every host, read from PostgreSQL.
    Shared,
    /// This host's last known copy of it (PostgreSQL unreachable), or the
    /// stage an older release stored in this host's file.
    Local,
    /// Nothing stored anywhere: the configured default.
    Default,
}

impl StageSource {
    /// Every source, in a fixed order (its position is its code).
    pub const ALL: [StageSource; 3] = [
        StageSource::Shared,
        StageSource::Local,
        StageSource::Default,
    ];

    /// What it means, for people (`status`, `stage`, the status page).
    pub const fn describe(self) -> &'static str {
        match self {
            StageSource::Shared => "shared by every host, from PostgreSQL",
            StageSource::Local => {
                "this host's copy: PostgreSQL unreachable, or no shared stage set yet"
            }
            StageSource::Default => "the configured default: no stage stored",
        }
    }

    /// The name shown by `status` and stored in heartbeats.
    pub const fn name(self) -> &'static str {
        match self {
            StageSource::Shared => "shared",
            StageSource::Local => "local",
            StageSource::Default => "default",
        }
    }
}

impl FromStr for StageSource {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        StageSource::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                Error::invalid(
                    "stage_source",
                    format!("`{name}` is not shared, local or default"),
                )
            })
    }
}

/// What one process of the application last said about itself, so an
/// operator sees who has not followed a stage change (`chatmrpt-db status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heartbeat {
    /// The process's opened store, as `HOST/PID/START/UUID` (a holder name,
    /// see [`crate::holder`]): a process that reopens its store (after a
    /// fork) starts a new heartbeat; the old one goes stale.
    pub process: String,
    /// Its host.
    pub host: String,
    /// The identity of the SQLite file it writes, if any.
    pub file_id: Option<String>,
    /// The stage it follows.
    pub stage: Stage,
    /// Where that stage came from.
    pub stage_source: StageSource,
    /// Writes its SQLite file still owes PostgreSQL (pending entries of the
    /// file's outbox), as it last counted them.
    pub outbox_depth: u64,
    /// Entries of that outbox parked as dead (not counted in
    /// `outbox_depth`).
    pub outbox_dead: u64,
    /// When the oldest pending one was written.
    pub outbox_oldest: Option<Timestamp>,
    /// The library release it runs.
    pub release: String,
    /// When it said so.
    pub last_seen: Timestamp,
}

impl Heartbeat {
    /// A process beats every 2 s: one not heard from for this long may
    /// have stopped, or lost PostgreSQL (it stops beating then).
    pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

    /// How long since the heartbeat (zero for a clock that went back).
    pub fn silent_for(&self, now: Timestamp) -> std::time::Duration {
        (now.as_datetime() - self.last_seen.as_datetime())
            .to_std()
            .unwrap_or_default()
    }

    /// Whether the process has not beaten for [`Heartbeat::STALE_AFTER`].
    pub fn is_stale(&self, now: Timestamp) -> bool {
        self.silent_for(now) > Self::STALE_AFTER
    }

    /// Whether the file it writes still owed PostgreSQL writes that are not
    /// just in flight: dead entries, or a pending one older than
    /// `behind_ms` when the heartbeat was recorded.
    pub fn owes_writes(&self, behind_ms: i64) -> bool {
        self.outbox_dead > 0
            || self
                .outbox_oldest
                .is_some_and(|at| at < self.last_seen.add_millis(-behind_ms))
    }
}

/// A store that keeps the stage override and its history.
pub trait StageStore {
    /// The stored stage, or `None` when it was never set.
    ///
    /// # Errors
    ///
    /// The store's failure; [`Error::Corrupt`] for an unknown stage name.
    fn stored_stage(&self) -> Result<Option<Stage>>;

    /// Stores `change.to` as the stage and appends `change` to the history,
    /// in one transaction.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn record_stage(&self, change: &StageChange) -> Result<()>;

    /// The last `limit` changes, newest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn stage_history(&self, limit: u32) -> Result<Vec<StageChange>>;

    /// Stores `change.to` as the stage without adding to the history: a
    /// host's last known copy of a stage kept elsewhere (the shared one).
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn cache_stage(&self, change: &StageChange) -> Result<()>;

    /// Records (replaces) `beat` for its process.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn record_heartbeat(&self, beat: &Heartbeat) -> Result<()>;

    /// Every process's last heartbeat, most recent first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn heartbeats(&self) -> Result<Vec<Heartbeat>>;

    /// Deletes heartbeats last seen before `before`; returns how many.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn prune_heartbeats(&self, before: Timestamp) -> Result<u64>;
}
