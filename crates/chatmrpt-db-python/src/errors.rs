//! The exceptions of `chatmrpt_db`: one base class and one class per kind
//! of failure a caller can act on. Messages are the library's: keys and
//! field names, never row content or a credential.

use chatmrpt_db::Error as DbError;
use chatmrpt_db::error::error_chain;
use pyo3::PyErr;
use pyo3::create_exception;
use pyo3::exceptions::PyException;

create_exception!(
    _native,
    Error,
    PyException,
    "Base class of every chatmrpt_db error."
);
create_exception!(
    _native,
    InvalidInput,
    Error,
    "A value that cannot be stored faithfully (a NUL byte in strict mode, an empty id, a negative size, a wrong type)."
);
create_exception!(
    _native,
    Conflict,
    Error,
    "A row with this primary key is already stored."
);
create_exception!(
    _native,
    NotFound,
    Error,
    "The row the call needs (a session, a step, a battle) is not stored."
);
create_exception!(
    _native,
    Unavailable,
    Error,
    "The store cannot be reached (file locked, server down) or was not opened."
);

/// The Python exception for a library error, with its whole cause chain.
pub(crate) fn to_py(err: &DbError) -> PyErr {
    let message = error_chain(err);
    match err {
        // A refused stage move is the caller's request being wrong.
        DbError::InvalidInput { .. } | DbError::StageRule(_) => InvalidInput::new_err(message),
        DbError::Conflict { .. } => Conflict::new_err(message),
        DbError::NotFound { .. } => NotFound::new_err(message),
        DbError::Unavailable { .. } => Unavailable::new_err(message),
        _ => Error::new_err(message),
    }
}
