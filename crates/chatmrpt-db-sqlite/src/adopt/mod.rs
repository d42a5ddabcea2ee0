//! Adoption: bringing the legacy application's `interactions.db` of any
//! release (14 to 17 tables, `enhanced_timing` present or not) under the
//! SQLite store's management, without removing or altering a row.
//!
//! [`adopt`] does, in order:
//! 1. **Checks, read-only.** The file must exist, start with the SQLite
//!    header, not be locked by another writer (a short busy timeout, then
//!    [`AdoptError::Locked`]), pass `PRAGMA quick_check`, have a `sessions`
//!    table with `session_id` and `last_activity`, and have the key columns
//!    the store's foreign keys reference unique. Any refusal leaves the file
//!    byte for byte as it was.
//! 2. **A safety copy** with `VACUUM INTO` (path bound as a parameter) next
//!    to the file or in [`AdoptOptions::backup_dir`]; its path is in the
//!    report. `VACUUM INTO` copies one consistent snapshot even while the
//!    legacy app writes. SQLite's online-backup C API is not reachable
//!    through diesel without `unsafe` code, which this workspace forbids;
//!    the cost is that the copy holds a read lock for its whole duration
//!    (legacy writers wait, up to their 5 s busy timeout).
//! 3. **One immediate transaction**, with the schema re-read under the write
//!    lock: the missing tables (the store's DDL), missing columns
//!    (`llm_interactions.enhanced_timing`), the store's indexes (the names of
//!    migration `2025-11-25-000001_create_interaction_log`, `IF NOT
//!    EXISTS`), a synthesized `sessions` row for every orphan child
//!    `session_id` (start and last activity: its children's earliest and
//!    latest readable timestamps; the id copied as stored; NULL ids stay
//!    NULL; the only rows adoption writes, each reported), and diesel's
//!    bookkeeping so that migration counts as applied.
//! 4. **The store's later migrations**, on one connection ([`crate::migrate_file`])
//!    (which also switches the file to WAL, as every store connection does).
//!
//! Unknown tables and columns are reported and left alone; declared types
//! that differ from the store's (legacy INTEGER/REAL against BIGINT/DOUBLE:
//! same affinity) are reported for information. A second run changes
//! nothing but writes a new backup. Legacy keys stay nullable (no table is
//! rebuilt): the store's writes and its reads of well-formed rows never rely
//! on a declared NOT NULL. A read that meets a legacy row the domain cannot
//! represent (a NULL key, text that is not UTF-8) fails with an error; those
//! rows are the backfill's quarantine cases.

mod apply;
mod backup;
mod error;
mod inspect;
mod open;
mod orphans;
mod plan;
mod report;
mod schema;
mod state;

use std::path::{Path, PathBuf};

use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

pub use error::AdoptError;
pub use inspect::{Inspection, inspect};
pub use report::{AdoptReport, ColumnRef, SynthesizedSession, TypeDifference};
pub use state::{FileState, file_state};

use error::classify;
use plan::Plan;
use schema::{Baseline, Schema};

/// How to adopt.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AdoptOptions {
    /// Where the safety copy goes; the file's directory when `None`.
    pub backup_dir: Option<PathBuf>,
    /// How long to wait for another connection's lock before giving up.
    pub busy_timeout_ms: u32,
    /// The zone the legacy application wrote the file's timestamps in (its
    /// `datetime.now()`): recorded as the file's clock. `None`: the
    /// machine's zone.
    pub legacy_timezone: Option<chatmrpt_db_core::LegacyZone>,
}

impl Default for AdoptOptions {
    fn default() -> Self {
        Self {
            backup_dir: None,
            busy_timeout_ms: 2_000,
            legacy_timezone: None,
        }
    }
}

impl AdoptOptions {
    /// The safety copy goes to `dir` (created when missing).
    pub fn with_backup_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.backup_dir = Some(dir.into());
        self
    }

    /// The legacy application wrote the file in `zone`.
    pub fn with_legacy_timezone(mut self, zone: Option<chatmrpt_db_core::LegacyZone>) -> Self {
        self.legacy_timezone = zone;
        self
    }

    /// Waits `ms` milliseconds for another connection's lock.
    pub fn with_busy_timeout_ms(mut self, ms: u32) -> Self {
        self.busy_timeout_ms = ms;
        self
    }
}

/// Adopts the legacy file at `path` (see the module docs for the steps).
///
/// # Errors
///
/// Before any change: [`AdoptError::Missing`], [`AdoptError::NotSqlite`],
/// [`AdoptError::Corrupt`], [`AdoptError::NotALog`],
/// [`AdoptError::Incompatible`], [`AdoptError::Locked`],
/// [`AdoptError::Backup`]. [`AdoptError::Database`] when a statement fails
/// (the transaction is rolled back; only the backup remains), and
/// [`AdoptError::Store`] when the store's later migrations fail after the
/// adoption committed.
pub fn adopt(path: &Path, options: &AdoptOptions) -> Result<AdoptReport, AdoptError> {
    let busy = options.busy_timeout_ms;
    // Named before any change: a zone that cannot be named refuses here.
    let zone = match options.legacy_timezone {
        Some(zone) => zone,
        None => chatmrpt_db_core::LegacyZone::local().map_err(|source| AdoptError::Clock {
            path: path.to_path_buf(),
            source,
        })?,
    };
    let baseline = Baseline::load().map_err(|source| AdoptError::Database {
        path: path.to_path_buf(),
        step: "loading the store's baseline schema",
        source,
    })?;
    let mut conn = open::open_checked(path, busy)?;
    let journal_mode_before = journal_mode(&mut conn, path, busy)?;
    let file =
        Schema::read(&mut conn).map_err(|e| classify(path, "reading the schema", busy, e))?;
    Plan::new(&baseline, &file, path)?;
    plan::require_unique_parents(&mut conn, &baseline, &file, path, busy)?;
    let backup = backup::safety_copy(&mut conn, path, options.backup_dir.as_deref(), busy)?;
    let applied = conn
        .immediate_transaction(|conn| {
            let file = Schema::read(conn).map_err(Failure::Sql)?;
            let plan = Plan::new(&baseline, &file, path).map_err(Failure::Refused)?;
            apply::apply(conn, &baseline, plan).map_err(Failure::Sql)
        })
        .map_err(|failure| match failure {
            Failure::Refused(err) => err,
            Failure::Sql(err) => classify(path, "the adoption transaction", busy, err),
        })?;
    drop(conn);
    // One connection, no pool: adoption may run before a fork (the Python
    // drop-in adopts at start-up, in gunicorn's master).
    // A file adopted from the legacy application gets its clock with its
    // migrations, in one transaction; one the store managed before keeps
    // the clock it records.
    let from_legacy = applied.recorded.is_some();
    let store_failed = |source| AdoptError::Store {
        path: path.to_path_buf(),
        source,
    };
    let migrations_applied = crate::store::migrate_adopted(path, busy, from_legacy.then_some(zone))
        .map_err(store_failed)?;
    let legacy_timezone = crate::settle_legacy_zone(path, Some(zone), false)
        .or_else(|err| match err {
            // Already managed, in another zone: adoption changes nothing.
            chatmrpt_db_core::Error::Config(_) if !from_legacy => {
                crate::settle_legacy_zone(path, None, false)
            }
            other => Err(other),
        })
        .map_err(store_failed)?;
    Ok(report(
        path,
        backup,
        applied,
        migrations_applied,
        journal_mode_before,
        legacy_timezone,
    ))
}

/// Why the transaction closure stopped.
enum Failure {
    Refused(AdoptError),
    Sql(diesel::result::Error),
}

impl From<diesel::result::Error> for Failure {
    fn from(err: diesel::result::Error) -> Self {
        Failure::Sql(err)
    }
}

fn report(
    path: &Path,
    backup: PathBuf,
    applied: apply::Applied,
    migrations_applied: Vec<String>,
    journal_mode_before: String,
    legacy_timezone: chatmrpt_db_core::LegacyZone,
) -> AdoptReport {
    let apply::Applied {
        plan,
        sessions,
        recorded,
    } = applied;
    AdoptReport {
        path: path.to_path_buf(),
        backup,
        tables_found: plan.found,
        tables_created: plan.tables.into_iter().map(|(name, _)| name).collect(),
        columns_added: plan.columns.into_iter().map(|(column, _)| column).collect(),
        indexes_created: plan.indexes.into_iter().map(|(name, _)| name).collect(),
        sessions_synthesized: sessions,
        baseline_recorded: recorded,
        migrations_applied,
        unknown_tables: plan.unknown_tables,
        unknown_columns: plan.unknown_columns,
        type_differences: plan.type_differences,
        journal_mode_before,
        legacy_timezone: legacy_timezone.to_string(),
    }
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

fn journal_mode(conn: &mut SqliteConnection, path: &Path, busy: u32) -> Result<String, AdoptError> {
    let mode: JournalMode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(conn)
        .map_err(|e| classify(path, "reading the journal mode", busy, e))?;
    Ok(mode.journal_mode)
}
