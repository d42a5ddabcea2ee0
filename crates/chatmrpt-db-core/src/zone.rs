//! The clock of a file's legacy timestamps.
//!
//! The legacy application writes `datetime.now()`: naive *local* time, with
//! no zone in the text. A file's timestamps are therefore only instants once
//! the zone they were written in is known. [`LegacyZone`] is that zone, and
//! every reader and writer of the legacy text in one file uses the same one
//! (the SQLite store's `sqlite.legacy_timezone`, recorded in the file's
//! identity; backfill and verify read it from there).
//!
//! A zone with daylight saving repeats an hour when the clocks go back and
//! skips one when they go forward. The legacy text cannot tell the two
//! occurrences of a repeated hour apart: it is read as the earlier one (what
//! Python's `fold=0` gives), and reported where a report exists. A skipped
//! time (no legacy writer produces one) is read with the offset in force
//! before the change, as Python does.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// The zone a file's naive legacy timestamps are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct LegacyZone(Zone);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    Utc,
    Fixed(FixedOffset),
    Named(Tz),
}

/// How a naive local time became an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalReading {
    /// The time exists once in the zone.
    Exact,
    /// The clocks went back: the time exists twice, read as the earlier.
    Ambiguous,
    /// The clocks went forward: the time never existed, read with the
    /// offset in force before the change.
    Skipped,
}

impl LocalReading {
    /// What a report says of a reading that was not exact.
    pub fn note(self) -> Option<&'static str> {
        match self {
            LocalReading::Exact => None,
            LocalReading::Ambiguous => {
                Some("local time repeated when the clocks went back: read as the earlier")
            }
            LocalReading::Skipped => Some(
                "local time skipped when the clocks went forward: read with the earlier offset",
            ),
        }
    }
}

impl LegacyZone {
    /// UTC: what the store wrote before the setting existed.
    pub const UTC: Self = Self(Zone::Utc);

    /// The machine's zone, as Python's `datetime.now()` sees it: `TZ` when
    /// set (an IANA name, `UTC` or an offset), else the system's zone
    /// (`/etc/localtime`), else UTC when the machine has none.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the zone cannot be named (a POSIX rule in
    /// `TZ`, an unknown system zone): set `sqlite.legacy_timezone`.
    pub fn local() -> Result<Self> {
        if let Ok(tz) = std::env::var("TZ") {
            let name = tz.strip_prefix(':').unwrap_or(&tz);
            if name.is_empty() {
                return Ok(Self::UTC);
            }
            return Self::parse_zone(name).map_err(|_| {
                Error::Config(format!(
                    "TZ=`{tz}` does not name a zone this library knows: set \
                     sqlite.legacy_timezone (an IANA name like Africa/Lagos, UTC or +01:00)"
                ))
            });
        }
        if !std::path::Path::new("/etc/localtime").exists() {
            return Ok(Self::UTC);
        }
        let name = iana_time_zone::get_timezone().map_err(|e| {
            Error::Config(format!(
                "the machine's time zone cannot be named ({e}): set sqlite.legacy_timezone"
            ))
        })?;
        Self::parse_zone(&name)
    }

    /// `UTC`, an offset (`+01:00`, `-0530`) or an IANA name; not `local`.
    fn parse_zone(text: &str) -> Result<Self> {
        // Names of UTC itself (no offset, no daylight saving ever): one
        // clock, whatever it is called.
        const UTC_NAMES: [&str; 18] = [
            "UTC",
            "utc",
            "Z",
            "z",
            "UTC0",
            "Etc/UTC",
            "UCT",
            "Etc/UCT",
            "GMT",
            "Etc/GMT",
            "GMT0",
            "Etc/GMT0",
            "Universal",
            "Etc/Universal",
            "Zulu",
            "Etc/Zulu",
            "Greenwich",
            "Etc/Greenwich",
        ];
        if UTC_NAMES.contains(&text) {
            return Ok(Self::UTC);
        }
        if let Some(offset) = parse_offset(text) {
            return Ok(if offset.local_minus_utc() == 0 {
                Self::UTC
            } else {
                Self(Zone::Fixed(offset))
            });
        }
        text.parse::<Tz>()
            .map(|tz| Self(Zone::Named(tz)))
            .map_err(|_| {
                Error::Config(format!(
                    "time zone `{text}`: expected local, UTC, an offset like +01:00, or an IANA \
                 name like Africa/Lagos"
                ))
            })
    }

    /// The offset east of UTC in force at `at`.
    pub fn offset_at(self, at: Timestamp) -> FixedOffset {
        let at = at.as_datetime();
        match self.0 {
            Zone::Utc => Utc.fix(),
            Zone::Fixed(offset) => offset,
            Zone::Named(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        }
    }

    /// The legacy text of `at` on this clock (`YYYY-MM-DD HH:MM:SS[.ffffff]`).
    pub fn to_legacy_string(self, at: Timestamp) -> String {
        let local = at.as_datetime().naive_utc() + self.offset_at(at);
        // The shifted value is formatted as the legacy text of a naive time.
        match Timestamp::from_naive_utc(local) {
            Ok(shifted) => shifted.to_legacy_string(),
            // Only near year 1 or 9999 can the shift leave the range.
            Err(_) => at.to_legacy_string(),
        }
    }

    /// The instant a naive local time on this clock stands for.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the instant is outside years 1..=9999.
    pub fn instant(self, local: NaiveDateTime) -> Result<(Timestamp, LocalReading)> {
        let (at, reading) = match self.0 {
            Zone::Utc => (local.and_utc(), LocalReading::Exact),
            Zone::Fixed(offset) => (fixed(local, offset)?, LocalReading::Exact),
            Zone::Named(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(at) => (at.with_timezone(&Utc), LocalReading::Exact),
                LocalResult::Ambiguous(earlier, _) => {
                    (earlier.with_timezone(&Utc), LocalReading::Ambiguous)
                }
                LocalResult::None => {
                    // The offset before the change: that of a moment safely
                    // before the gap (no zone skips more than a day).
                    let before = local - TimeDelta::days(1);
                    let offset = match tz.from_local_datetime(&before) {
                        LocalResult::Single(at) | LocalResult::Ambiguous(_, at) => {
                            at.offset().fix()
                        }
                        LocalResult::None => Utc.fix(),
                    };
                    (fixed(local, offset)?, LocalReading::Skipped)
                }
            },
        };
        Ok((Timestamp::from_datetime(at)?, reading))
    }

    /// Parses a value of a legacy timestamp column on this clock: the legacy
    /// text (local time) or an epoch number (an instant already).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when it is neither.
    pub fn parse_stored(self, text: &str) -> Result<Timestamp> {
        match Timestamp::parse_legacy(text) {
            Ok(naive) => Ok(self.instant(naive.as_datetime().naive_utc())?.0),
            Err(_) => Timestamp::parse_stored(text),
        }
    }

    /// Parses the legacy text on this clock (no epoch numbers).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] on any other text.
    pub fn parse_legacy(self, text: &str) -> Result<Timestamp> {
        let naive = Timestamp::parse_legacy(text)?;
        Ok(self.instant(naive.as_datetime().naive_utc())?.0)
    }
}

fn fixed(local: NaiveDateTime, offset: FixedOffset) -> Result<DateTime<Utc>> {
    local
        .checked_sub_offset(offset)
        .map(|utc| utc.and_utc())
        .ok_or_else(|| Error::invalid("timestamp", "outside the supported range"))
}

/// `+HH:MM`, `-HH:MM`, `+HHMM`, `-HHMM`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 23 || minutes >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

impl Default for LegacyZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl FromStr for LegacyZone {
    type Err = Error;

    /// `local` (the machine's zone, see [`LegacyZone::local`]), `UTC`, an
    /// offset like `+01:00`, or an IANA name like `Africa/Lagos`.
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("local") {
            return Self::local();
        }
        Self::parse_zone(text)
    }
}

impl TryFrom<String> for LegacyZone {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl fmt::Display for LegacyZone {
    /// The text [`LegacyZone::from_str`] reads back: `UTC`, `+01:00`, or the
    /// IANA name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(offset) => {
                let seconds = offset.local_minus_utc();
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.abs() / 60;
                write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
            }
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

#[cfg(test)]
mod tests;
