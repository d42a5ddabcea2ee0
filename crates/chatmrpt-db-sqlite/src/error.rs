//! Maps diesel's errors onto the core error, keeping the source.

use chatmrpt_db_core::Error;
use diesel::result::Error as DieselError;

use crate::STORE;

#[path = "../../chatmrpt-db-repo/tx_error.rs"]
mod tx_error;
pub(crate) use tx_error::{TxError, write_error};

/// Any other diesel error: a locked or unopenable file is "unavailable",
/// everything else a database failure.
pub(crate) fn query_error(err: DieselError) -> Error {
    let busy = matches!(&err, DieselError::DatabaseError(_, info)
        if is_unavailable_message(info.message()));
    if busy {
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

/// Whether a driver message says the database cannot be reached now
/// (diesel gives these no [`diesel::result::DatabaseErrorKind`]): retrying
/// later may work.
fn is_unavailable_message(message: &str) -> bool {
    [
        "database is locked",
        "unable to open",
        "disk I/O error",
        "readonly database",
        "database table is locked",
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

#[cfg(test)]
mod tests {
    use super::is_unavailable_message;

    #[test]
    fn busy_locked_and_unopenable_files_are_unavailable() {
        for message in [
            "database is locked",
            "database table is locked: messages",
            "unable to open database file",
            "disk I/O error",
            "attempt to write a readonly database",
        ] {
            assert!(is_unavailable_message(message), "{message}");
        }
        for message in [
            "UNIQUE constraint failed: messages.message_id",
            "FOREIGN KEY constraint failed",
            "no such table: chatmrpt_stage",
            "file is not a database",
        ] {
            assert!(!is_unavailable_message(message), "{message}");
        }
    }
}
