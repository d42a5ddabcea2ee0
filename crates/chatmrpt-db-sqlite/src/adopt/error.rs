//! Why a file was not adopted. Every variant but `Store` and `Database`
//! is decided before anything is written: the file is left untouched.

use std::path::PathBuf;

use chatmrpt_db_core::error::BoxError;
use diesel::result::Error as DieselError;

/// Why [`super::adopt`] refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdoptError {
    /// There is no file at the path (adoption never creates one).
    #[error("{}: no such file", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file is not a SQLite database (wrong header, or SQLite says so).
    #[error("{}: not a SQLite database", path.display())]
    NotSqlite {
        /// The path given.
        path: PathBuf,
    },
    /// SQLite's `PRAGMA quick_check` found damage.
    #[error("{}: the database is corrupt: {details}", path.display())]
    Corrupt {
        /// The path given.
        path: PathBuf,
        /// The first problems `quick_check` reported.
        details: String,
    },
    /// A SQLite file, but not a ChatMRPT interaction log.
    #[error("{}: not a ChatMRPT interaction log: {reason}", path.display())]
    NotALog {
        /// The path given.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A log table the store cannot work with (a key column missing, a
    /// referenced key without a unique index).
    #[error("{}: table `{table}` cannot be adopted: {reason}", path.display())]
    Incompatible {
        /// The path given.
        path: PathBuf,
        /// The table.
        table: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Something beside the file keeps SQLite from opening it: a hot
    /// rollback journal (only a read-write open rolls it back), a folder
    /// that is missing or not writable.
    #[error("{}", obstacle.advice(path))]
    Obstacle {
        /// The path given.
        path: PathBuf,
        /// What is in the way.
        obstacle: chatmrpt_db_core::sqlite_file::Obstacle,
    },
    /// Another connection holds a lock (a writer, or an exclusive reader)
    /// for longer than the busy timeout.
    #[error("{}: locked by another connection (waited {waited_ms} ms); retry when the application is idle", path.display())]
    Locked {
        /// The path given.
        path: PathBuf,
        /// How long adoption waited for the lock.
        waited_ms: u32,
    },
    /// The safety copy could not be written; nothing else was done.
    #[error("{}: cannot write the safety copy {}", path.display(), backup.display())]
    Backup {
        /// The path given.
        path: PathBuf,
        /// Where the copy was to go.
        backup: PathBuf,
        /// The failure.
        #[source]
        source: BoxError,
    },
    /// A statement failed; the adoption transaction was rolled back.
    #[error("{}: {step} failed", path.display())]
    Database {
        /// The path given.
        path: PathBuf,
        /// What adoption was doing.
        step: &'static str,
        /// The failure.
        #[source]
        source: BoxError,
    },
    /// The zone of the legacy timestamps cannot be named (nothing changed).
    #[error("{}: left unchanged: the zone of its timestamps cannot be named", path.display())]
    Clock {
        /// The path given.
        path: PathBuf,
        /// Why.
        #[source]
        source: chatmrpt_db_core::Error,
    },
    /// The adoption committed, but the store's later migrations failed.
    #[error("{}: adopted, but the store's migrations failed", path.display())]
    Store {
        /// The path given.
        path: PathBuf,
        /// The store's error.
        #[source]
        source: chatmrpt_db_core::Error,
    },
}

/// Maps a diesel error met during `step` onto the variant a caller can act on.
pub(crate) fn classify(
    path: &std::path::Path,
    step: &'static str,
    waited_ms: u32,
    err: DieselError,
) -> AdoptError {
    let path = path.to_path_buf();
    let message = match &err {
        DieselError::DatabaseError(_, info) => info.message().to_owned(),
        other => other.to_string(),
    };
    if message.contains("database is locked") || message.contains("database table is locked") {
        AdoptError::Locked { path, waited_ms }
    } else if message.contains("file is not a database") {
        AdoptError::NotSqlite { path }
    } else if let Some(obstacle) = chatmrpt_db_core::sqlite_file::Obstacle::find(&path, &message) {
        AdoptError::Obstacle { path, obstacle }
    } else if message.contains("malformed") || message.contains("corrupt") {
        AdoptError::Corrupt {
            path,
            details: message,
        }
    } else {
        AdoptError::Database {
            path,
            step,
            source: Box::new(err),
        }
    }
}
