//! The error of a transaction body, and a write's failure named for its
//! row: the same on both backends (compiled into each backend's `error`
//! module; see README.md).

use chatmrpt_db_core::Error;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::query_error;

/// A diesel error met while writing `entity` `key`: a unique violation is
/// [`Error::Conflict`] on that row, anything else as [`query_error`].
pub(crate) fn write_error(entity: &'static str, key: &str, err: DieselError) -> Error {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::Conflict {
            entity,
            key: key.to_owned(),
        },
        other => query_error(other),
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
