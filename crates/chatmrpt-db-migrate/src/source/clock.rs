//! Which zone a source file's naive timestamps are read in: the clock the
//! file records (`chatmrpt_file_identity.legacy_timezone`, written by the
//! SQLite store and by adoption), so backfill and verify read the file as
//! its writers wrote it.

use chatmrpt_db_core::LegacyZone;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{Source, SourceSchema};
use crate::error::{Error, Result};

impl Source {
    /// The zone to read this file in: the one it records; `given` (an
    /// explicit `--source-timezone`) for a file that records none, else the
    /// machine's zone (the legacy application's `datetime.now()`). A
    /// managed file of a release before the clock was recorded was written
    /// in UTC.
    ///
    /// # Errors
    ///
    /// [`Error::Options`] when `given` contradicts the file's record or
    /// the record is not a zone; [`Error::Store`] when the machine's zone
    /// cannot be named; [`Error::Source`].
    pub(crate) fn clock(
        &mut self,
        schema: &SourceSchema,
        given: Option<LegacyZone>,
    ) -> Result<LegacyZone> {
        let recorded = self.recorded_clock(schema)?;
        match (given, recorded) {
            (Some(given), Some(recorded)) if given != recorded => Err(Error::Options(format!(
                "--source-timezone {given}: the file records that its timestamps are written \
                 in {recorded} (leave --source-timezone out to read it so)"
            ))),
            (_, Some(recorded)) => Ok(recorded),
            (Some(given), None) => Ok(given),
            (None, None) => Ok(LegacyZone::local()?),
        }
    }

    fn recorded_clock(&mut self, schema: &SourceSchema) -> Result<Option<LegacyZone>> {
        #[derive(QueryableByName)]
        struct Found {
            #[diesel(sql_type = BigInt)]
            columns: i64,
        }
        #[derive(QueryableByName)]
        struct Clock {
            #[diesel(sql_type = Nullable<Text>)]
            legacy_timezone: Option<String>,
        }
        let managed = schema
            .unknown_tables
            .iter()
            .any(|n| n == "chatmrpt_file_identity");
        if !managed {
            return Ok(None);
        }
        let (found, _) = self.timed(|conn| {
            diesel::sql_query(
                "SELECT count(*) AS columns FROM pragma_table_info('chatmrpt_file_identity') \
                 WHERE name = 'legacy_timezone'",
            )
            .get_result::<Found>(conn)
        })?;
        if found.columns == 0 {
            return Ok(Some(LegacyZone::UTC));
        }
        let (clock, _) = self.timed(|conn| {
            diesel::sql_query("SELECT legacy_timezone FROM chatmrpt_file_identity WHERE id = 1")
                .load::<Clock>(conn)
        })?;
        parse_recorded(clock.into_iter().next().and_then(|c| c.legacy_timezone))
    }
}

/// The zone a file records, read from `chatmrpt_file_identity.legacy_timezone`.
///
/// # Errors
///
/// [`Error::Options`] for a record that is not a zone.
pub(crate) fn parse_recorded(recorded: Option<String>) -> Result<Option<LegacyZone>> {
    recorded
        .map(|text| {
            text.parse().map_err(|e: chatmrpt_db_core::Error| {
                Error::Options(format!("the file's recorded clock: {e}"))
            })
        })
        .transpose()
}
