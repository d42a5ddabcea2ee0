//! The one error type every repository method returns.

use std::error::Error as StdError;

/// A boxed error that keeps the source chain of a backend failure.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// The result of every repository method.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong in a store operation.
///
/// Backends map their own failures onto these variants so that callers can
/// match on the cause without knowing which database answered. Messages never
/// carry credentials or user content; keys are shown, values are not.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The row the operation needs does not exist.
    #[error("{entity} `{key}` not found")]
    NotFound {
        /// The kind of row, e.g. `session`.
        entity: &'static str,
        /// Its primary key.
        key: String,
    },
    /// A row with this primary key already exists, or a constraint refused the write.
    #[error("{entity} `{key}` conflicts with a stored row")]
    Conflict {
        /// The kind of row, e.g. `message`.
        entity: &'static str,
        /// Its primary key.
        key: String,
    },
    /// The caller's input cannot be stored faithfully by every backend.
    #[error("invalid input in `{field}`: {reason}")]
    InvalidInput {
        /// The offending field, as `record.column`.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A stored value cannot be represented as a domain value (legacy data).
    #[error("stored value in {table}.{column} of row `{key}` is unreadable: {reason}")]
    Corrupt {
        /// The table read.
        table: &'static str,
        /// The row's primary key.
        key: String,
        /// The column read.
        column: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// The store cannot be reached: connection refused, pool timeout, file locked.
    #[error("{store} store unavailable")]
    Unavailable {
        /// Which store, e.g. `sqlite` or `postgres`.
        store: &'static str,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// Running or checking the schema migrations failed.
    #[error("{store} migration failed")]
    Migration {
        /// Which store.
        store: &'static str,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// The configuration is incomplete or contradictory.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A move of the migration stage that its rules refuse (a skipped
    /// stage, reads onto a store that still owes writes).
    #[error("stage change refused: {0}")]
    StageRule(String),
    /// A file could not be read or written (an export, a report, a copy).
    #[error("{what}")]
    Io {
        /// What was being done, naming the file (never its content).
        what: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A store broke its own contract (a bug, never bad input): e.g. a
    /// session start applied without returning the session.
    #[error("internal error: {0}")]
    Internal(String),
    /// Any other failure the database reported.
    #[error("{store} query failed")]
    Database {
        /// Which store.
        store: &'static str,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// Whether retrying the same operation later may succeed (the store was
    /// unreachable), as opposed to a failure that retrying cannot fix.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// Renders an error with its whole source chain on one line, `a: b: c`.
pub fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}
