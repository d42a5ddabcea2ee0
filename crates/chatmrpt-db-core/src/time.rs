//! UTC timestamps with the precision both backends store: microseconds.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An instant in UTC, truncated to whole microseconds.
///
/// PostgreSQL's `timestamptz` keeps microseconds and the legacy SQLite text
/// keeps six fraction digits, so finer precision would be stored differently
/// by the two stores. Truncation happens at construction, once, so both see
/// the same value. Years are limited to 1..=9999 (the legacy text format has
/// four digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateTime<Utc>", into = "DateTime<Utc>")]
pub struct Timestamp(DateTime<Utc>);

/// The legacy text format without the fraction.
const LEGACY_SECONDS: &str = "%Y-%m-%d %H:%M:%S";

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Self(Utc::now().trunc_subsecs(6))
    }

    /// Wraps a UTC instant, truncating it to microseconds.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the year is outside 1..=9999.
    pub fn from_datetime(at: DateTime<Utc>) -> Result<Self> {
        if !(1..=9999).contains(&at.year()) {
            return Err(Error::invalid(
                "timestamp",
                format!("year {} is outside 1..=9999", at.year()),
            ));
        }
        Ok(Self(at.trunc_subsecs(6)))
    }

    /// Reads a naive legacy timestamp as UTC (see [`Timestamp::from_datetime`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the year is outside 1..=9999.
    pub fn from_naive_utc(at: NaiveDateTime) -> Result<Self> {
        Self::from_datetime(at.and_utc())
    }

    /// This instant moved by `millis` (negative: earlier), saturating at
    /// the ends of the supported range.
    #[must_use]
    pub fn add_millis(self, millis: i64) -> Self {
        self.0
            .checked_add_signed(chrono::TimeDelta::milliseconds(millis))
            .and_then(|at| Self::from_datetime(at).ok())
            .unwrap_or(self)
    }

    /// The instant as a chrono value.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// The legacy storage text: `YYYY-MM-DD HH:MM:SS`, plus `.ffffff` when
    /// the microsecond is not zero (exactly what Python's `str(datetime)` writes).
    pub fn to_legacy_string(&self) -> String {
        let seconds = self.0.format(LEGACY_SECONDS);
        match self.0.nanosecond() / 1_000 {
            0 => seconds.to_string(),
            micros => format!("{seconds}.{micros:06}"),
        }
    }

    /// Parses the legacy storage text: `YYYY-MM-DD HH:MM:SS` with an optional
    /// fraction of 1 to 6 digits, read as UTC. A `T` separator is accepted.
    /// Anything else (a zone suffix, 7+ fraction digits that would lose
    /// precision, trailing text) is refused rather than guessed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] on any other text.
    pub fn parse_legacy(text: &str) -> Result<Self> {
        let (seconds, fraction) = match text.split_once('.') {
            Some((s, f)) => (s, Some(f)),
            None => (text, None),
        };
        let refuse = |why: &str| Error::invalid("timestamp", format!("`{text}`: {why}"));
        let naive = NaiveDateTime::parse_from_str(seconds, LEGACY_SECONDS)
            .or_else(|_| NaiveDateTime::parse_from_str(seconds, "%Y-%m-%dT%H:%M:%S"))
            .map_err(|_| refuse("not YYYY-MM-DD HH:MM:SS[.ffffff]"))?;
        let micros = match fraction {
            None => 0,
            Some(f) if (1..=6).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
                let padded = format!("{f:0<6}");
                padded.parse::<u32>().map_err(|_| refuse("bad fraction"))?
            }
            Some(_) => return Err(refuse("fraction must be 1 to 6 digits")),
        };
        let naive = naive
            .with_nanosecond(micros * 1_000)
            .ok_or_else(|| refuse("bad fraction"))?;
        Self::from_naive_utc(naive)
    }
}

impl Timestamp {
    /// Reads a value found in a legacy timestamp column: the legacy text
    /// (see [`Timestamp::parse_legacy`]) or a number of seconds since the
    /// Unix epoch (the column has NUMERIC affinity, so some writers left
    /// numbers), with up to microsecond precision.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when it is neither.
    pub fn parse_stored(text: &str) -> Result<Self> {
        Self::parse_legacy(text).or_else(|err| Self::parse_epoch(text.trim()).ok_or(err))
    }

    fn parse_epoch(text: &str) -> Option<Self> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let unsigned = whole.strip_prefix('-').unwrap_or(whole);
        if unsigned.is_empty() || !digits(unsigned) || !digits(fraction) || fraction.len() > 6 {
            return None;
        }
        let seconds: i64 = whole.parse().ok()?;
        let micros: i64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<6}").parse().ok()?
        };
        let micros = if seconds < 0 || whole.starts_with('-') {
            -micros
        } else {
            micros
        };
        let at =
            DateTime::from_timestamp_micros(seconds.checked_mul(1_000_000)?.checked_add(micros)?)?;
        Self::from_datetime(at).ok()
    }
}

impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = Error;

    fn try_from(at: DateTime<Utc>) -> Result<Self> {
        Self::from_datetime(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> Self {
        at.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_legacy_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_text_round_trips_with_and_without_fraction() {
        for text in [
            "2025-07-28 10:15:00",
            "2025-07-28 10:15:00.000001",
            "1999-12-31 23:59:59.999999",
        ] {
            assert_eq!(
                Timestamp::parse_legacy(text).unwrap().to_legacy_string(),
                text
            );
        }
    }

    #[test]
    fn short_fractions_are_scaled_not_misread() {
        let at = Timestamp::parse_legacy("2025-07-28 10:15:00.5").unwrap();
        assert_eq!(at.to_legacy_string(), "2025-07-28 10:15:00.500000");
    }

    #[test]
    fn nanoseconds_are_truncated_to_micros() {
        let dt = DateTime::parse_from_rfc3339("2025-01-01T00:00:00.123456789Z").unwrap();
        let at = Timestamp::from_datetime(dt.with_timezone(&Utc)).unwrap();
        assert_eq!(at.to_legacy_string(), "2025-01-01 00:00:00.123456");
    }

    #[test]
    fn garbage_and_zone_suffixes_are_refused() {
        for text in [
            "",
            "yesterday",
            "2025-07-28",
            "2025-07-28 10:15:00+02:00",
            "2025-07-28 10:15:00.1234567",
            "2025-13-01 00:00:00",
        ] {
            assert!(Timestamp::parse_legacy(text).is_err(), "{text}");
        }
    }

    #[test]
    fn stored_epoch_numbers_are_read_exactly() {
        assert_eq!(
            Timestamp::parse_stored("1722160500")
                .unwrap()
                .to_legacy_string(),
            "2024-07-28 09:55:00"
        );
        assert_eq!(
            Timestamp::parse_stored("1722160500.25")
                .unwrap()
                .to_legacy_string(),
            "2024-07-28 09:55:00.250000"
        );
        assert_eq!(
            Timestamp::parse_stored("2025-07-28 10:15:00")
                .unwrap()
                .to_legacy_string(),
            "2025-07-28 10:15:00"
        );
        assert!(Timestamp::parse_stored("12kb").is_err());
        assert!(Timestamp::parse_stored("1.1234567").is_err());
    }

    #[test]
    fn serde_round_trips() {
        let at = Timestamp::parse_legacy("2025-07-28 10:15:00.25").unwrap();
        let json = serde_json::to_string(&at).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), at);
    }
}
