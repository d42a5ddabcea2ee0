//! `sqlite.synchronous`: how the SQLite store makes a commit durable.

use serde::Deserialize;

use crate::error::{Error, Result};

/// How the SQLite store makes a commit durable (`PRAGMA synchronous`; the
/// store always runs in WAL mode).
///
/// What each loses when the machine itself dies (power loss, kernel
/// crash) while SQLite is deciding; an application crash or a killed
/// worker loses nothing with either:
/// - `Normal` (the default): the WAL is synced at checkpoints, not at every
///   commit, so the last commits acknowledged since the last sync can be
///   lost, whole (never half a transaction, never a corrupt file). In a
///   dual pair the stores can then differ: a row SQLite lost may already be
///   mirrored to PostgreSQL, or (PostgreSQL deciding) a mirrored row may be
///   gone from SQLite after its outbox entry was deleted; `verify` shows
///   them.
/// - `Full`: the WAL is synced before every commit returns: an
///   acknowledged commit survives (what the legacy file, in rollback-journal
///   mode with SQLite's default `FULL`, gave). Each commit waits for the
///   disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Synchronous {
    /// `PRAGMA synchronous = NORMAL`.
    #[default]
    Normal,
    /// `PRAGMA synchronous = FULL`.
    Full,
}

impl Synchronous {
    /// The PRAGMA's value.
    pub fn pragma(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

impl std::str::FromStr for Synchronous {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "normal" => Ok(Synchronous::Normal),
            "full" => Ok(Synchronous::Full),
            other => Err(Error::Config(format!(
                "sqlite.synchronous = `{other}`: expected normal or full"
            ))),
        }
    }
}
