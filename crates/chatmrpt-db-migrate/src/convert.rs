//! Exact conversion of a legacy value into the value of its target column.
//!
//! Every conversion is lossless or refused: a refused value sends its row to
//! quarantine. A lossless conversion from an unusual representation (an
//! epoch number in a timestamp column, `'true'` in a boolean column, an
//! integral REAL in an integer column) is accepted and noted, so the report
//! can say so.

use std::borrow::Cow;

use chatmrpt_db_core::{LegacyZone, Timestamp};
use chrono::DateTime;

use crate::catalog::Kind;
use crate::value::LegacyValue;

/// A value ready for its target column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    /// NULL.
    Null,
    /// Text, UTF-8 without NUL.
    Text(Cow<'a, str>),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    BigInt(i64),
    /// A double, bit for bit.
    Double(f64),
}

/// A converted value and, when its representation was unusual, a note.
pub(crate) type Converted<'a> = Result<(Cell<'a>, Option<&'static str>), String>;

/// Converts `value` for a column of `kind`.
///
/// # Errors
///
/// The reason the value cannot be stored faithfully (never the value itself:
/// it may be user text).
pub(crate) fn convert(value: &LegacyValue, kind: Kind, zone: LegacyZone) -> Converted<'_> {
    match (value, kind) {
        (LegacyValue::Null, _) => Ok((Cell::Null, None)),
        (LegacyValue::Bytes(_), _) => Err("text is not valid UTF-8".into()),
        (LegacyValue::Blob(_), _) => Err(format!("BLOB in a {} column", kind_name(kind))),
        (_, Kind::Text) => text(value),
        (_, Kind::Timestamp) => timestamp(value, zone),
        (_, Kind::Bool) => boolean(value),
        (_, Kind::BigInt) => bigint(value),
        (_, Kind::Double) => double(value),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "text",
        Kind::Timestamp => "timestamp",
        Kind::Bool => "boolean",
        Kind::BigInt => "integer",
        Kind::Double => "real",
    }
}

fn text(value: &LegacyValue) -> Converted<'_> {
    match value {
        LegacyValue::Text(s) if s.contains('\0') => Err("NUL byte in text".into()),
        LegacyValue::Text(s) => Ok((Cell::Text(Cow::Borrowed(s)), None)),
        LegacyValue::Integer(i) => Ok((
            Cell::Text(Cow::Owned(i.to_string())),
            Some("integer stored in a text column, kept as its decimal text"),
        )),
        _ => Err("REAL in a text column (its text form is ambiguous)".into()),
    }
}

fn timestamp(value: &LegacyValue, zone: LegacyZone) -> Converted<'_> {
    const EPOCH_NOTE: &str = "epoch seconds in a timestamp column";
    let micros = match value {
        LegacyValue::Text(s) => match Timestamp::parse_legacy(s) {
            // The text is the wall clock of the file's zone; the hour a
            // zone repeats is read as its first occurrence, and noted.
            Ok(local) => {
                return match zone.instant(local.as_datetime().naive_utc()) {
                    Ok((at, reading)) => Ok((
                        Cell::Timestamp(at.as_datetime().timestamp_micros()),
                        reading.note(),
                    )),
                    Err(_) => Err("timestamp outside years 1 to 9999".to_owned()),
                };
            }
            Err(_) => match Timestamp::parse_stored(s) {
                Ok(at) => {
                    return Ok((
                        Cell::Timestamp(at.as_datetime().timestamp_micros()),
                        Some(EPOCH_NOTE),
                    ));
                }
                Err(_) => return Err("unparseable timestamp".into()),
            },
        },
        LegacyValue::Integer(seconds) => seconds.checked_mul(1_000_000),
        LegacyValue::Real(seconds) if seconds.is_finite() && seconds.abs() < 1e12 => {
            // Rounded to the microsecond: timestamptz holds no finer value.
            #[expect(clippy::cast_possible_truncation, reason = "bounded above")]
            Some((seconds * 1e6).round() as i64)
        }
        _ => None,
    };
    let micros =
        micros.ok_or_else(|| "epoch number out of range in a timestamp column".to_owned())?;
    in_range(micros).map(|m| (Cell::Timestamp(m), Some(EPOCH_NOTE)))
}

/// Checks the instant is within years 1..=9999 (the legacy text's range).
fn in_range(micros: i64) -> Result<i64, String> {
    DateTime::from_timestamp_micros(micros)
        .and_then(|at| Timestamp::from_datetime(at).ok())
        .map(|_| micros)
        .ok_or_else(|| "timestamp outside years 1 to 9999".to_owned())
}

fn boolean(value: &LegacyValue) -> Converted<'_> {
    const NOTE: &str = "boolean stored as text or real";
    match value {
        LegacyValue::Integer(0) => Ok((Cell::Bool(false), None)),
        LegacyValue::Integer(1) => Ok((Cell::Bool(true), None)),
        LegacyValue::Real(r) if *r == 0.0 => Ok((Cell::Bool(false), Some(NOTE))),
        LegacyValue::Real(r) if *r == 1.0 => Ok((Cell::Bool(true), Some(NOTE))),
        LegacyValue::Text(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok((Cell::Bool(true), Some(NOTE))),
            "false" | "0" => Ok((Cell::Bool(false), Some(NOTE))),
            _ => Err("text that is not a boolean in a boolean column".into()),
        },
        _ => Err("number other than 0 or 1 in a boolean column".into()),
    }
}

/// 2^63 as a double: the first value above `i64::MAX`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

fn bigint(value: &LegacyValue) -> Converted<'_> {
    match value {
        LegacyValue::Integer(i) => Ok((Cell::BigInt(*i), None)),
        LegacyValue::Real(r) if r.fract() == 0.0 && *r >= -TWO_POW_63 && *r < TWO_POW_63 =>
        {
            #[expect(clippy::cast_possible_truncation, reason = "integral and in range")]
            Ok((
                Cell::BigInt(*r as i64),
                Some("integral REAL in an integer column"),
            ))
        }
        LegacyValue::Real(_) => Err("non-integral number in an integer column".into()),
        LegacyValue::Text(s) => parse_integer(s)
            .map(|i| (Cell::BigInt(i), Some("integer stored as text")))
            .ok_or_else(|| "text that is not an integer in an integer column".into()),
        _ => Err("unexpected value in an integer column".into()),
    }
}

/// A strict decimal integer: optional sign, digits only.
fn parse_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn double(value: &LegacyValue) -> Converted<'_> {
    match value {
        LegacyValue::Real(r) => Ok((Cell::Double(*r), None)),
        LegacyValue::Integer(i) => {
            #[expect(clippy::cast_precision_loss, reason = "checked exact just below")]
            let d = *i as f64;
            #[expect(clippy::cast_possible_truncation, reason = "round-trip check")]
            let exact = d.abs() < TWO_POW_63 && d as i64 == *i;
            if exact {
                Ok((Cell::Double(d), Some("integer in a real column")))
            } else {
                Err("integer too large for an exact double".into())
            }
        }
        LegacyValue::Text(s) => match s.parse::<f64>() {
            Ok(d) if d.is_finite() && !s.trim().is_empty() && s.trim() == s => Ok((
                Cell::Double(d),
                Some("number stored as text in a real column"),
            )),
            _ => Err("text that is not a number in a real column".into()),
        },
        _ => Err("unexpected value in a real column".into()),
    }
}

#[cfg(test)]
mod tests;
