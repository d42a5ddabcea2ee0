//! The errors of backfill and verify.

use std::path::{Path, PathBuf};

/// The result of every function of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a backfill or a verify could not finish.
///
/// Messages never carry a password (connection strings are redacted by the
/// store crates) nor row content: keys and counts only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source opened but is not a ChatMRPT interaction log.
    #[error("{}: not a ChatMRPT interaction log: {reason}", path.display())]
    NotALegacyLog {
        /// The file given.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// The source file cannot be opened read-only.
    #[error("cannot open {} read-only", path.display())]
    SourceUnavailable {
        /// The file given.
        path: PathBuf,
        /// The driver's reason.
        #[source]
        source: diesel::ConnectionError,
    },
    /// Something beside the source keeps SQLite from reading it: a hot
    /// rollback journal (a read-only reader cannot roll it back), a folder
    /// that is missing or not writable.
    #[error("{}", obstacle.advice(path))]
    Obstacle {
        /// The file.
        path: PathBuf,
        /// What is in the way.
        obstacle: chatmrpt_db_core::sqlite_file::Obstacle,
    },
    /// Reading the source failed (a corrupt file, say).
    #[error("reading the source failed")]
    Source(#[source] diesel::result::Error),
    /// Writers kept the source file locked for longer than a read waits
    /// (a read steps aside for a committing writer and tries again).
    #[error("{}: still locked by its writers after {waited_s} s", path.display())]
    SourceLocked {
        /// The file.
        path: PathBuf,
        /// How long the read waited, in seconds.
        waited_s: u64,
    },
    /// The source label's progress belongs to another file (several hosts
    /// keep their log at the same path): nothing was loaded.
    #[error(
        "source label `{label}` belongs to another file: {reason}; backfill this file under a label of its own (`--source-label NAME`, e.g. the host's name)"
    )]
    OtherSource {
        /// The label.
        label: String,
        /// How the files differ.
        reason: String,
    },
    /// The target store refused: unreachable, migrations failed, ...
    #[error(transparent)]
    Store(#[from] chatmrpt_db_core::Error),
    /// A query on the PostgreSQL target failed.
    #[error("target query failed")]
    Target(#[source] diesel::result::Error),
    /// A table's rows were not all accounted for (a bug: never expected).
    #[error(
        "{table}: {read} rows read but {loaded} loaded + {quarantined} quarantined; refusing to report success"
    )]
    Unaccounted {
        /// The table.
        table: &'static str,
        /// Rows read from the source.
        read: u64,
        /// Rows present in the target.
        loaded: u64,
        /// Rows put in quarantine.
        quarantined: u64,
    },
    /// The target's server encoding cannot hold every text value.
    #[error("target database encoding is {0}, expected UTF8")]
    TargetEncoding(String),
    /// An option is out of range.
    #[error("invalid option: {0}")]
    Options(String),
    /// A recorded verify run's figures cannot be read back or written.
    #[error("verify run figures: {0}")]
    Figures(String),
    /// A progress sink (report file, terminal) failed.
    #[error("cannot write the report")]
    Report(#[source] std::io::Error),
}

impl Error {
    /// What keeps SQLite out of the file at `path` when its `message` says
    /// so (a hot journal, a missing or read-only folder), else `otherwise`.
    pub(crate) fn obstacle_or(
        path: &Path,
        message: &str,
        otherwise: impl FnOnce() -> Self,
    ) -> Self {
        match chatmrpt_db_core::sqlite_file::Obstacle::find(path, message) {
            Some(obstacle) => Self::Obstacle {
                path: path.to_path_buf(),
                obstacle,
            },
            None => otherwise(),
        }
    }
}
