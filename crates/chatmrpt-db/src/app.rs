//! Opening the log for the application: create or adopt, once per file.
//!
//! The legacy application created its tables itself at start-up. Its drop-in
//! (the `chatmrpt_db` Python package) keeps that promise through
//! [`prepare_for_app`], the one entry that may turn a legacy file into a
//! managed one without an operator:
//!
//! 1. **SQLite** (backends `sqlite` and `dual`), under an exclusive lock on
//!    `<file>.chatmrpt-lock` beside the file, so that processes starting at
//!    once (gunicorn workers, a second host process) take turns and the
//!    steps run once: no file (or a zero-byte one) is created and migrated
//!    (its folder too, as the legacy application's `instance/`); a managed
//!    file gets its pending migrations; any other file is adopted
//!    ([`crate::adopt`]: safety copy first) when [`AppOptions::adopt`] is on,
//!    and refused with the command to run otherwise. Another application's
//!    SQLite file is refused by adoption and left unchanged.
//! 2. **PostgreSQL** (backends `postgres` and `dual`): the schema is checked
//!    with plain `SELECT`s ([`chatmrpt_db_postgres::migrate_if_behind`]); only a schema
//!    that is behind is migrated, so a runtime role without DDL rights
//!    works whenever the schema is current. A server that is down, or a
//!    schema that is behind and that the role may not migrate, is a warning
//!    in [`AppStart::warnings`], never a failure: the dual store then keeps
//!    the writes in its outbox, and a PostgreSQL-only store fails its calls
//!    until the server is back.
//!
//! Nothing opened here outlives the call, and no pool is built (an r2d2
//! pool's worker threads outlive it by up to 30 s, and a `fork()` while
//! they are parked leaves the child's thread-parking state corrupt): every
//! step uses one connection of its own, closed before returning. The caller
//! opens its store afterwards, in the process that uses it.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use chatmrpt_db_core::error::error_chain;
use chatmrpt_db_core::{BackendKind, Config, Error, Result};
use chatmrpt_db_sqlite::adopt::{AdoptOptions, AdoptReport, FileState, adopt, file_state};
use chatmrpt_db_sqlite::migrate_file;

/// How [`prepare_for_app`] treats the SQLite file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AppOptions {
    /// Adopt a file that is not yet managed (a legacy `interactions.db`).
    /// Off: such a file is refused, and left as it is.
    pub adopt: bool,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self { adopt: true }
    }
}

impl AppOptions {
    /// Adopts an unmanaged file (`true`, the default) or refuses it.
    pub fn with_adopt(mut self, adopt: bool) -> Self {
        self.adopt = adopt;
        self
    }
}

/// What [`prepare_for_app`] did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AppStart {
    /// A new SQLite file was created.
    pub created: bool,
    /// The legacy file was adopted (the report names the safety copy).
    pub adopted: Option<AdoptReport>,
    /// Migrations applied now, on either store.
    pub migrations_applied: Vec<String>,
    /// What degrades the store without stopping it (PostgreSQL down or
    /// behind); never a credential.
    pub warnings: Vec<String>,
    /// The SQLite file's clock: the zone its legacy timestamps are written
    /// in (`None` without a SQLite file).
    pub legacy_zone: Option<chatmrpt_db_core::LegacyZone>,
}

/// Brings the configured stores to the state the application needs (see
/// the module docs).
///
/// # Errors
///
/// [`Error::Config`] when the SQLite file is not a log this process may
/// use (not adopted with [`AppOptions::adopt`] off, another application's
/// file, corrupt, locked past the busy timeout), [`Error::Migration`] or
/// [`Error::Unavailable`] when the SQLite file cannot be created or
/// migrated.
pub fn prepare_for_app(config: &Config, options: &AppOptions) -> Result<AppStart> {
    config.validate()?;
    let mut start = AppStart::default();
    if matches!(config.backend, BackendKind::Sqlite | BackendKind::Dual) {
        prepare_sqlite(config, options, &mut start)?;
    }
    if let (BackendKind::Postgres | BackendKind::Dual, Some(pg)) =
        (config.backend, &config.postgres)
    {
        match chatmrpt_db_postgres::migrate_if_behind(pg) {
            Ok(applied) => start.migrations_applied.extend(applied),
            Err(e) => start.warnings.push(postgres_warning(config.backend, &e)),
        }
    }
    Ok(start)
}

fn prepare_sqlite(config: &Config, options: &AppOptions, start: &mut AppStart) -> Result<()> {
    let path = config.sqlite.path.as_path();
    let _lock = lock_beside(path)?;
    let state = file_state(path).map_err(|e| Error::Config(error_chain(&e)))?;
    match state {
        FileState::Absent | FileState::Managed => {
            let busy = config.sqlite.busy_timeout_ms;
            start.migrations_applied.extend(migrate_file(path, busy)?);
            start.created = state == FileState::Absent;
            // The file's clock is settled before any worker writes: a
            // setting that contradicts the file fails the start, not every
            // later write.
            start.legacy_zone = Some(chatmrpt_db_sqlite::settle_legacy_zone(
                path,
                config.sqlite.legacy_timezone,
                false,
            )?);
        }
        FileState::Unmanaged if options.adopt => {
            let adopt_options = AdoptOptions::default()
                .with_busy_timeout_ms(config.sqlite.busy_timeout_ms)
                .with_legacy_timezone(config.sqlite.legacy_timezone);
            let report = adopt(path, &adopt_options).map_err(|e| Error::Config(error_chain(&e)))?;
            start
                .migrations_applied
                .extend(report.migrations_applied.clone());
            start.legacy_zone = Some(report.legacy_timezone.parse()?);
            start.adopted = Some(report);
        }
        FileState::Unmanaged => {
            return Err(Error::Config(format!(
                "{}: not under management and adoption is off: run `chatmrpt-db adopt {}` (or allow adoption)",
                path.display(),
                path.display()
            )));
        }
    }
    Ok(())
}

fn postgres_warning(backend: BackendKind, err: &Error) -> String {
    let consequence = match backend {
        BackendKind::Dual => "writes wait in the SQLite outbox until it is back",
        _ => "calls fail until it is back",
    };
    format!(
        "postgres not ready at start ({consequence}): {}",
        error_chain(err)
    )
}

/// Takes the exclusive lock on `<path>.chatmrpt-lock`, creating the folder
/// and the lock file when missing; released when the file is dropped.
fn lock_beside(path: &Path) -> Result<File> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(folder) = folder {
        std::fs::create_dir_all(folder).map_err(|e| lock_error(folder, e))?;
    }
    let lock_path = lock_path(path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| lock_error(&lock_path, e))?;
    file.lock().map_err(|e| lock_error(&lock_path, e))?;
    Ok(file)
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".chatmrpt-lock");
    PathBuf::from(name)
}

fn lock_error(path: &Path, err: std::io::Error) -> Error {
    Error::Unavailable {
        store: chatmrpt_db_sqlite::STORE,
        source: format!("{}: {err}", path.display()).into(),
    }
}
