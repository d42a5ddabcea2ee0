//! Checks every write passes before it reaches a backend, so that SQLite and
//! PostgreSQL always agree about what was accepted.

use crate::error::{Error, Result};
use crate::ids::validate_id;

/// Refuses text PostgreSQL cannot store: a NUL byte.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn text(field: &'static str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) if v.contains('\0') => Err(Error::invalid(field, "text contains a NUL byte")),
        _ => Ok(()),
    }
}

/// Refuses a malformed id (see [`validate_id`]).
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn id(field: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| validate_id(field, v))
}

/// Refuses NaN and infinities: SQLite stores NaN as NULL, so the two stores
/// would disagree.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn finite(field: &'static str, value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() => {
            Err(Error::invalid(field, format!("{v} is not a finite number")))
        }
        _ => Ok(()),
    }
}

/// Refuses a negative count or size.
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn non_negative(field: &'static str, value: Option<i64>) -> Result<()> {
    match value {
        Some(v) if v < 0 => Err(Error::invalid(field, format!("{v} is negative"))),
        _ => Ok(()),
    }
}

/// The documented normalisation of floats: `-0.0` is stored as `0.0`.
///
/// SQLite stores an integral REAL as an integer and so loses the sign of
/// negative zero; PostgreSQL keeps it. Both stores write `-0.0` as `0.0`
/// so they agree. Every other value is unchanged (`x + 0.0 == x`).
pub fn positive_zero(value: Option<f64>) -> Option<f64> {
    value.map(|v| v + 0.0)
}
