//! The file's identity (`chatmrpt_file_identity`, migration 000005): minted
//! once, when the store creates or adopts the file. PostgreSQL's outbox
//! names it on every entry owed to this file, so a host replays only what
//! is owed to its own file.

use chatmrpt_db_core::{Error, LegacyZone, Result};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

use crate::error::TxError;

use crate::schema::chatmrpt_file_identity;
use crate::{STORE, SqliteStore};

impl SqliteStore {
    /// The identity minted for this file (`sqlite-` and 32 hex digits).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when the file has none (a migration is pending:
    /// run `chatmrpt-db migrate`); the store's failure.
    pub fn file_id(&self) -> Result<String> {
        if let Some(id) = self.file_id.get() {
            return Ok(id.clone());
        }
        let pending = || Error::Migration {
            store: STORE,
            source: format!(
                "{} has no file identity yet (migration 2026-12-02-000005 pending): \
                 run `chatmrpt-db migrate`",
                self.path()
            )
            .into(),
        };
        let applied = self.applied_migrations()?;
        if !applied.iter().any(|v| v.starts_with("20261202000005")) {
            return Err(pending());
        }
        let id: Option<String> = self.read_unzoned(|conn| {
            Ok(chatmrpt_file_identity::table
                .find(1)
                .select(chatmrpt_file_identity::file_id)
                .first(conn)
                .optional()?)
        })?;
        let id = id.ok_or_else(|| missing_identity("file_id"))?;
        Ok(self.file_id.get_or_init(|| id).clone())
    }
}

impl SqliteStore {
    /// The clock of the file's legacy timestamps (see
    /// [`chatmrpt_db_core::LegacyZone`]): the zone the file records; a file
    /// that records none yet gets `sqlite.legacy_timezone` (default: the
    /// machine's zone) recorded now, once, by whichever process is first
    /// (writes call this; reads use the zone without recording it).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the configured zone differs from the file's
    /// (a file has one clock) or the machine's zone cannot be named;
    /// [`Error::Migration`] when migration 2026-12-03-000008 is pending;
    /// [`Error::Corrupt`] for a recorded zone this library cannot read; the
    /// store's failure.
    pub fn legacy_zone(&self) -> Result<LegacyZone> {
        self.clock(Clock::Record)
    }

    /// The file's clock for a read: as [`SqliteStore::legacy_zone`], but a
    /// file that records none yet is read in the zone a write would record,
    /// and left unwritten (a look never writes).
    pub(crate) fn clock(&self, use_: Clock) -> Result<LegacyZone> {
        if let Some(zone) = self.zone.get() {
            return Ok(*zone);
        }
        let applied = self.applied_migrations()?;
        if !applied.iter().any(|v| v.starts_with(CLOCK_MIGRATION)) {
            return Err(Error::Migration {
                store: STORE,
                source: format!(
                    "{} does not record its clock yet (migration 2026-12-03-000008 pending): \
                     run `chatmrpt-db migrate`",
                    self.path()
                )
                .into(),
            });
        }
        // Read first: a file that records its clock is never written here.
        let recorded = self.read_unzoned(recorded_zone)?;
        let zone = match (recorded, use_) {
            (Some(zone), _) => zone,
            (None, Clock::Read) => {
                let zone = self.configured_zone.map_or_else(LegacyZone::local, Ok)?;
                // Not kept: the first write records the file's clock.
                return Ok(zone);
            }
            (None, Clock::Record) => {
                let wanted = self.configured_zone.map_or_else(LegacyZone::local, Ok)?;
                self.write_unzoned("file_identity", "legacy_timezone", |conn| {
                    record_zone(conn, wanted, false)
                })?
            }
        };
        check_configured(self.path(), zone, self.configured_zone)?;
        Ok(*self.zone.get_or_init(|| zone))
    }
}

/// Whether a call that needs the file's clock may record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// A read: never writes.
    Read,
    /// A write: records the clock when the file has none yet.
    Record,
}

/// The version prefix of migration `2026-12-03-000008_legacy_clock`.
const CLOCK_MIGRATION: &str = "20261203000008";

/// Settles the clock of the file at `path` on one connection of its own (no
/// pool: it may run before a `fork()`): the recorded zone, else `configured`
/// (else the machine's zone) recorded now; with `adopted`, the file was
/// just adopted from the legacy application, whose clock `configured` (else
/// the machine's) is, and that is recorded whatever the upgrade assumed.
///
/// # Errors
///
/// As [`SqliteStore::legacy_zone`].
pub fn settle_legacy_zone(
    path: &std::path::Path,
    configured: Option<LegacyZone>,
    adopted: bool,
) -> Result<LegacyZone> {
    let mut conn = crate::store::connect(&path.to_string_lossy())?;
    let zone = conn
        .immediate_transaction(|conn| {
            if !adopted {
                if let Some(zone) = recorded_zone(conn)? {
                    return Ok(zone);
                }
            }
            let wanted = match configured {
                Some(zone) => zone,
                None => LegacyZone::local().map_err(TxError::Domain)?,
            };
            record_zone(conn, wanted, adopted)
        })
        .map_err(|e| match e {
            TxError::Domain(e) => e,
            TxError::Diesel(e) => crate::error::query_error(e),
        })?;
    check_configured(&path.display().to_string(), zone, configured)?;
    Ok(zone)
}

fn check_configured(path: &str, zone: LegacyZone, configured: Option<LegacyZone>) -> Result<()> {
    match configured {
        Some(configured) if configured != zone => Err(Error::Config(format!(
            "{path}: its legacy timestamps are written in {zone}, but \
             sqlite.legacy_timezone is {configured}: a file has one clock (leave the setting \
             unset to follow the file)"
        ))),
        _ => Ok(()),
    }
}

/// The zone the file records, if any.
fn recorded_zone(conn: &mut SqliteConnection) -> Result<Option<LegacyZone>, TxError> {
    let recorded: Option<Option<String>> = chatmrpt_file_identity::table
        .find(1)
        .select(chatmrpt_file_identity::legacy_timezone)
        .first(conn)
        .optional()?;
    let recorded = recorded.ok_or_else(|| TxError::Domain(missing_identity("legacy_timezone")))?;
    recorded
        .map(|text| {
            text.parse().map_err(|e: Error| {
                TxError::Domain(Error::Corrupt {
                    table: "chatmrpt_file_identity",
                    key: "1".into(),
                    column: "legacy_timezone",
                    reason: e.to_string(),
                })
            })
        })
        .transpose()
}

/// Records `zone` unless the file records one already (or `overwrite`);
/// returns what the file then records (another process may have been
/// first).
pub(crate) fn record_zone(
    conn: &mut SqliteConnection,
    zone: LegacyZone,
    overwrite: bool,
) -> Result<LegacyZone, TxError> {
    let row = chatmrpt_file_identity::table.find(1);
    let set = chatmrpt_file_identity::legacy_timezone.eq(zone.to_string());
    if overwrite {
        diesel::update(row).set(set).execute(conn)?;
    } else {
        diesel::update(row.filter(chatmrpt_file_identity::legacy_timezone.is_null()))
            .set(set)
            .execute(conn)?;
    }
    Ok(recorded_zone(conn)?.unwrap_or(zone))
}

fn missing_identity(column: &'static str) -> Error {
    Error::Corrupt {
        table: "chatmrpt_file_identity",
        key: "1".into(),
        column,
        reason: "the identity row is missing".into(),
    }
}
