//! The SQLite store: a pool, the migrations, and the transaction helpers the
//! repository implementations share.

use std::path::Path;
use std::sync::Arc;

use chatmrpt_db_core::{Error, Result, SqliteConfig, Synchronous};
use diesel::connection::{Connection, SimpleConnection};
use diesel::result::QueryResult;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::STORE;
use crate::error::{TxError, pool_error, query_error, write_error};
use crate::pool::{SqlitePool, build_pool};

/// The SQLite migrations, embedded at build time from `migrations_sqlite/`.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations_sqlite");

/// The interaction log in a SQLite file.
///
/// Opening never changes the schema: call [`SqliteStore::run_migrations`]
/// (or `chatmrpt-db migrate`) explicitly.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: Arc<str>,
    /// Queues this process's writers before SQLite's lock: SQLite makes a
    /// writer that finds the lock taken sleep (1, 2, 5, 10 ms ...) before it
    /// tries again, so under concurrent writes a mutex hands the lock over
    /// sooner. Other processes still wait through `busy_timeout`.
    write_gate: Arc<std::sync::Mutex<()>>,
    /// The configured `PRAGMA synchronous` of the pooled connections.
    synchronous: Synchronous,
    /// The file's identity once read (`chatmrpt_file_identity`): it never
    /// changes while the file is open.
    pub(crate) file_id: Arc<std::sync::OnceLock<String>>,
    /// `sqlite.legacy_timezone` as configured (`None`: follow the file).
    pub(crate) configured_zone: Option<chatmrpt_db_core::LegacyZone>,
    /// The file's clock once read or recorded (`crate::clock`).
    pub(crate) zone: Arc<std::sync::OnceLock<chatmrpt_db_core::LegacyZone>>,
    /// The connection of [`SqliteStore::checkpoint`], opened on first use.
    upkeep: Arc<std::sync::Mutex<Option<SqliteConnection>>>,
    /// The file, made absolute at open (the upkeep connection opens later,
    /// perhaps after the process changed directory).
    file: Arc<std::path::PathBuf>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating when missing) the configured file.
    ///
    /// An existing file must already be under management (migrated by the
    /// store, or adopted): a legacy `interactions.db` or another
    /// application's SQLite file is refused before anything touches it, so
    /// its bytes stay as they are. Only adoption ([`crate::adopt`]) turns a
    /// legacy file into a managed one.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a file not under management,
    /// [`Error::Unavailable`] when the file cannot be opened.
    pub fn open(config: &SqliteConfig) -> Result<Self> {
        refuse_unmanaged(&config.path)?;
        Ok(Self {
            pool: build_pool(config)?,
            path: Arc::from(config.path.display().to_string()),
            write_gate: Arc::new(std::sync::Mutex::new(())),
            synchronous: config.synchronous,
            file_id: Arc::default(),
            configured_zone: config.legacy_timezone,
            zone: Arc::default(),
            upkeep: Arc::default(),
            file: Arc::new(
                std::path::absolute(&config.path).unwrap_or_else(|_| config.path.clone()),
            ),
        })
    }

    /// Checkpoints the WAL now, passively: committed pages are copied into
    /// the file as far as no reader still needs them, without waiting for
    /// or blocking anyone. Run off the write path (a dual store's worker
    /// does, every 100 ms), it leaves committing writers little to
    /// checkpoint themselves. Uses a connection of its own, not the pool's.
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] when the file cannot be opened,
    /// [`Error::Database`] when the checkpoint fails.
    pub fn checkpoint(&self) -> Result<()> {
        let mut upkeep = self
            .upkeep
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if upkeep.is_none() {
            let uri = crate::look::file_uri(&self.file, "rw");
            let mut conn = SqliteConnection::establish(&uri).map_err(|e| Error::Unavailable {
                store: STORE,
                source: Box::new(e),
            })?;
            // A passive checkpoint never calls the busy handler; the
            // statement setting up the connection may wait briefly.
            conn.batch_execute("PRAGMA busy_timeout = 100;")
                .map_err(query_error)?;
            *upkeep = Some(conn);
        }
        let Some(conn) = upkeep.as_mut() else {
            return Ok(());
        };
        let done = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);");
        if let Err(e) = done {
            // A fresh connection next time.
            *upkeep = None;
            return Err(query_error(e));
        }
        Ok(())
    }

    /// Opens `path` with every other setting at its default.
    ///
    /// # Errors
    ///
    /// As [`SqliteStore::open`].
    pub fn open_path(path: impl AsRef<Path>) -> Result<Self> {
        Self::open(&SqliteConfig {
            path: path.as_ref().to_path_buf(),
            ..SqliteConfig::default()
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Applies every pending migration; returns the versions applied.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when a migration fails (it is rolled back).
    pub fn run_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        // Migrations are synced whatever `sqlite.synchronous` says (see
        // `migrate_adopted`); the pooled connection gets its setting back.
        let sync = |conn: &mut SqliteConnection, mode: Synchronous| {
            conn.batch_execute(&format!("PRAGMA synchronous = {};", mode.pragma()))
                .map_err(|e| Error::Unavailable {
                    store: STORE,
                    source: Box::new(e),
                })
        };
        sync(&mut conn, Synchronous::Full)?;
        let applied: Result<Vec<String>> = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(migration_error);
        sync(&mut conn, self.synchronous)?;
        applied
    }

    /// The versions of the migrations applied to this file, oldest first.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when the bookkeeping cannot be read.
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        let mut applied: Vec<String> = conn
            .applied_migrations()
            .map_err(migration_error)?
            .iter()
            .map(ToString::to_string)
            .collect();
        applied.sort();
        Ok(applied)
    }

    /// Reverts every applied migration, newest first (tests and tooling).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when a revert fails.
    pub fn revert_all_migrations(&self) -> Result<()> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        conn.revert_all_migrations(MIGRATIONS)
            .map_err(migration_error)?;
        Ok(())
    }

    /// Runs a read on a pooled connection, legacy timestamps on the file's
    /// clock.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut SqliteConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        let zone = self.clock(crate::identity::Clock::Read)?;
        let _clock = crate::backend::ClockScope::enter(zone);
        self.read_unzoned(f)
    }

    /// [`SqliteStore::read`] before the file's clock is known (the
    /// identity row itself).
    pub(crate) fn read_unzoned<T>(
        &self,
        f: impl FnOnce(&mut SqliteConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        f(&mut conn).map_err(|e| match e {
            TxError::Domain(e) => e,
            TxError::Diesel(e) => query_error(e),
        })
    }

    /// Runs a write in an immediate transaction (takes the write lock up
    /// front, so the busy timeout applies instead of a failed lock upgrade),
    /// legacy timestamps on the file's clock. A unique violation becomes
    /// `Conflict` on `entity` `key`.
    pub(crate) fn write<T>(
        &self,
        entity: &'static str,
        key: &str,
        f: impl FnOnce(&mut SqliteConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        let _clock = crate::backend::ClockScope::enter(self.legacy_zone()?);
        self.write_unzoned(entity, key, f)
    }

    /// [`SqliteStore::write`] before the file's clock is known (recording
    /// it).
    pub(crate) fn write_unzoned<T>(
        &self,
        entity: &'static str,
        key: &str,
        f: impl FnOnce(&mut SqliteConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        // The gate first: writers waiting for it hold no pooled connection.
        let _gate = self
            .write_gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut conn = self.pool.get().map_err(pool_error)?;
        conn.immediate_transaction(|conn| f(conn))
            .map_err(|e| match e {
                TxError::Domain(e) => e,
                TxError::Diesel(e) => write_error(entity, key, e),
            })
    }
}

/// Applies the pending migrations to the file at `path` (creating it when
/// missing) on one connection of its own, with the store's PRAGMAs: no
/// pool, so no thread outlives the call (it may run before a `fork()`).
/// Returns the versions applied.
///
/// # Errors
///
/// [`Error::Config`] for a file not under management (as
/// [`SqliteStore::open`]), [`Error::Unavailable`], [`Error::Migration`].
pub fn migrate_file(path: &Path, busy_timeout_ms: u32) -> Result<Vec<String>> {
    refuse_unmanaged(path)?;
    migrate_adopted(path, busy_timeout_ms, None)
}

/// [`migrate_file`] without the check: adoption's last step, once the file
/// holds the bookkeeping. With `clock` (a file the legacy application
/// wrote), the migrations and the record of the file's clock commit as one
/// transaction: a failure leaves neither, so adopting again decides the
/// clock again.
pub(crate) fn migrate_adopted(
    path: &Path,
    busy_timeout_ms: u32,
    clock: Option<chatmrpt_db_core::LegacyZone>,
) -> Result<Vec<String>> {
    let unavailable = |source: Box<dyn std::error::Error + Send + Sync>| Error::Unavailable {
        store: STORE,
        source,
    };
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| unavailable(Box::new(e)))?;
    // Migrations are synced before they count as applied, whatever the
    // store's own setting: a lost migration would be rerun on a file that
    // already has part of it.
    crate::pool::ConnectionOptions {
        busy_timeout_ms,
        synchronous: chatmrpt_db_core::Synchronous::Full,
        wal_autocheckpoint: SqliteConfig::default().wal_autocheckpoint,
    }
    .apply(&mut conn)
    .map_err(|e| unavailable(Box::new(e)))?;
    let Some(zone) = clock else {
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(migration_error)?;
        return Ok(applied.iter().map(ToString::to_string).collect());
    };
    // Each migration's own transaction nests as a savepoint.
    conn.immediate_transaction(|conn| {
        let applied: Vec<String> = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| TxError::Domain(migration_error(e)))?
            .iter()
            .map(ToString::to_string)
            .collect();
        crate::identity::record_zone(conn, zone, true)?;
        Ok(applied)
    })
    .map_err(|e| match e {
        TxError::Domain(e) => e,
        TxError::Diesel(e) => query_error(e),
    })
}

/// Refuses an existing file that the store does not manage (see
/// [`SqliteStore::open`]), naming the way out.
fn refuse_unmanaged(path: &Path) -> Result<()> {
    use crate::adopt::{FileState, file_state};
    let state = file_state(path).map_err(|e| Error::Unavailable {
        store: STORE,
        source: Box::new(e),
    })?;
    if state != FileState::Unmanaged {
        return Ok(());
    }
    let shown = path.display();
    Err(Error::Config(format!(
        "{shown}: not a ChatMRPT log under management, left unchanged: if it is the legacy \
         application's interactions.db, run `chatmrpt-db adopt {shown}` first"
    )))
}

fn migration_error(err: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Migration {
        store: STORE,
        source: err,
    }
}

/// Runs `f` and turns diesel's "no row" into `None`.
pub(crate) fn optional<T>(r: QueryResult<T>) -> Result<Option<T>, TxError> {
    use diesel::OptionalExtension;
    r.optional().map_err(TxError::from)
}

/// Establishes a single connection outside the pool (tools, tests), with
/// the default busy timeout so it waits for a lock instead of failing.
///
/// # Errors
///
/// [`Error::Unavailable`].
pub fn connect(path: &str) -> Result<SqliteConnection> {
    use diesel::connection::SimpleConnection;
    let unavailable = |source: Box<dyn std::error::Error + Send + Sync>| Error::Unavailable {
        store: STORE,
        source,
    };
    let mut conn = SqliteConnection::establish(path).map_err(|e| unavailable(Box::new(e)))?;
    let timeout = SqliteConfig::default().busy_timeout_ms;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {timeout};"))
        .map_err(|e| unavailable(Box::new(e)))?;
    Ok(conn)
}
