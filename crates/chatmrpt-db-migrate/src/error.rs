//! The errors of backfill and verify.

use std::path::PathBuf;

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
    /// Reading the source failed (a corrupt or locked file).
    #[error("reading the source failed")]
    Source(#[source] diesel::result::Error),
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
