//! Checks every write passes before it reaches a backend, so that SQLite and
//! PostgreSQL always agree about what was accepted.

use crate::error::{Error, Result};
use crate::ids::validate_id;

/// Refuses text PostgreSQL cannot store: a NUL byte. Callers that must
/// store the row whatever its text (the Python drop-in, whose legacy
/// original kept NUL bytes in SQLite) normalise first with [`replace_nul`].
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

/// Refuses NaN: SQLite stores NaN as NULL, so the two stores would
/// disagree. Infinities are kept: both stores hold them, and so does the
/// legacy file (see [`crate::number`]).
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn number(field: &'static str, value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if v.is_nan() => Err(Error::invalid(
            field,
            "NaN is not a number either store keeps",
        )),
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

/// What [`replace_nul`] puts in place of each NUL byte: U+FFFD, the
/// Unicode replacement character (also what a lossy UTF-8 decode leaves).
pub const NUL_REPLACEMENT: char = '\u{FFFD}';

/// The one documented normalisation of text that PostgreSQL cannot hold:
/// every NUL byte becomes [`NUL_REPLACEMENT`], so both stores keep the same
/// text. Returns whether anything was replaced (callers log and count it).
/// Strict callers do not normalise: the write is then refused by [`text`].
pub fn replace_nul(value: &mut String) -> bool {
    if !value.contains('\0') {
        return false;
    }
    *value = value.replace('\0', &NUL_REPLACEMENT.to_string());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_become_the_replacement_character_and_are_reported() {
        let mut text = String::from("a\0b\0");
        assert!(replace_nul(&mut text));
        assert_eq!(text, "a\u{FFFD}b\u{FFFD}");
        assert!(text_ok(&text));
        let mut clean = String::from("plain");
        assert!(!replace_nul(&mut clean));
        assert_eq!(clean, "plain");
    }

    fn text_ok(value: &str) -> bool {
        text("t.c", Some(value)).is_ok()
    }

    #[test]
    fn nan_is_refused_and_infinities_are_kept() {
        assert!(number("t.c", Some(f64::NAN)).is_err());
        assert!(number("t.c", Some(f64::INFINITY)).is_ok());
        assert!(number("t.c", Some(f64::NEG_INFINITY)).is_ok());
        assert!(number("t.c", None).is_ok());
    }
}
