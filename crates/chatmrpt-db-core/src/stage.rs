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
}
