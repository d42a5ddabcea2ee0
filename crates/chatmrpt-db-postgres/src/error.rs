//! Maps diesel's errors onto the core error, keeping the source.

use chatmrpt_db_core::Error;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::STORE;

/// A diesel error met while writing `entity` `key`.
pub(crate) fn write_error(entity: &'static str, key: &str, err: DieselError) -> Error {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::Conflict {
            entity,
            key: key.to_owned(),
        },
        other => query_error(other),
    }
}

/// Any other diesel error: a lost connection, a shutting-down or read-only
/// server is "unavailable" (retrying later may work); the rest is a
/// database failure.
pub(crate) fn query_error(err: DieselError) -> Error {
    let unavailable = match &err {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        DieselError::DatabaseError(_, info) => is_unavailable_message(info.message()),
        DieselError::BrokenTransactionManager => true,
        _ => false,
    };
    if unavailable {
        Error::Unavailable {
            store: STORE,
            source: Box::new(err),
        }
    } else {
        Error::Database {
            store: STORE,
            source: Box::new(err),
        }
    }
}

fn is_unavailable_message(message: &str) -> bool {
    [
        "server closed the connection",
        "terminating connection",
        "connection to server",
        "could not connect",
        "no connection to the server",
        "the database system is",
        "read-only transaction",
        "SSL SYSCALL",
        "EOF detected",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// A pool that could not hand out a connection.
pub(crate) fn pool_error(err: r2d2::Error) -> Error {
    Error::Unavailable {
        store: STORE,
        source: Box::new(err),
    }
}

/// The error of a transaction body: either a domain error decided inside it
/// (`NotFound`, `Conflict`) or diesel's.
#[derive(Debug)]
pub(crate) enum TxError {
    Domain(Error),
    Diesel(DieselError),
}

impl From<DieselError> for TxError {
    fn from(err: DieselError) -> Self {
        TxError::Diesel(err)
    }
}

impl From<Error> for TxError {
    fn from(err: Error) -> Self {
        TxError::Domain(err)
    }
}
