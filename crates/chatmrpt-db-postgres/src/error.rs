//! Maps diesel's errors onto the core error, keeping the source.

use chatmrpt_db_core::Error;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::STORE;

#[path = "../../chatmrpt-db-repo/tx_error.rs"]
mod tx_error;
pub(crate) use tx_error::{TxError, write_error};

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

/// Whether a driver message says the database cannot be reached now
/// (diesel gives these no [`diesel::result::DatabaseErrorKind`]): retrying
/// later may work.
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

#[cfg(test)]
mod tests {
    use super::is_unavailable_message;

    #[test]
    fn lost_connections_and_read_only_servers_are_unavailable() {
        for message in [
            "server closed the connection unexpectedly",
            "terminating connection due to administrator command",
            "connection to server at \"127.0.0.1\", port 5432 failed",
            "could not connect to server: Connection refused",
            "no connection to the server",
            "the database system is shutting down",
            "cannot execute INSERT in a read-only transaction",
            "SSL SYSCALL error: EOF detected",
        ] {
            assert!(is_unavailable_message(message), "{message}");
        }
        for message in [
            "duplicate key value violates unique constraint \"messages_pkey\"",
            "insert or update on table \"messages\" violates foreign key constraint",
            "permission denied for table messages",
            "relation \"chatmrpt_stage\" does not exist",
        ] {
            assert!(!is_unavailable_message(message), "{message}");
        }
    }
}
