//! The r2d2 pool and the PRAGMAs every pooled connection gets.

use std::time::Duration;

use chatmrpt_db_core::{Error, Result, SqliteConfig, Synchronous};
use diesel::connection::{Connection, SimpleConnection};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;

/// The pool type of the SQLite store.
pub type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

/// Sets the per-connection PRAGMAs the legacy application never set.
///
/// - `journal_mode = WAL`: readers never block the writer, and the file stays
///   readable by every SQLite tool (WAL is persistent in the file header).
/// - `busy_timeout`: a writer waits for the lock instead of failing with
///   "database is locked" (the legacy app silently dropped such writes).
/// - `foreign_keys = ON`: declared keys are enforced, per connection.
/// - `synchronous`: as configured ([`Synchronous`]: `NORMAL` by default,
///   durable across application crashes; `FULL` also across power loss).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionOptions {
    /// Busy timeout in milliseconds.
    pub busy_timeout_ms: u32,
    /// `PRAGMA synchronous`.
    pub synchronous: Synchronous,
    /// `PRAGMA wal_autocheckpoint` (pages).
    pub wal_autocheckpoint: u32,
}

impl ConnectionOptions {
    /// Sets the PRAGMAs on `conn`.
    ///
    /// # Errors
    ///
    /// The statement's failure.
    pub fn apply(&self, conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
        // busy_timeout first: switching to WAL itself needs the lock.
        let pragmas = format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = {}; PRAGMA wal_autocheckpoint = {};",
            self.busy_timeout_ms,
            self.synchronous.pragma(),
            self.wal_autocheckpoint
        );
        conn.batch_execute(&pragmas)
    }
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for ConnectionOptions {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        self.apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens a pool on the configured file, creating the file when missing.
///
/// # Errors
///
/// [`Error::Unavailable`] when no connection can be opened.
pub fn build_pool(config: &SqliteConfig) -> Result<SqlitePool> {
    let options = ConnectionOptions {
        busy_timeout_ms: config.busy_timeout_ms,
        synchronous: config.synchronous,
        wal_autocheckpoint: config.wal_autocheckpoint,
    };
    // One connection made here first: a file SQLite cannot open fails now,
    // with its cause named, not after the pool's connection timeout.
    let opened = SqliteConnection::establish(&config.path.to_string_lossy())
        .map_err(|e| e.to_string())
        .and_then(|mut conn| options.apply(&mut conn).map_err(|e| e.to_string()));
    if let Err(message) = opened {
        let source: Box<dyn std::error::Error + Send + Sync> =
            match chatmrpt_db_core::sqlite_file::Obstacle::find(&config.path, &message) {
                Some(obstacle) => obstacle.advice(&config.path).into(),
                None => format!("{}: {message}", config.path.display()).into(),
            };
        return Err(Error::Unavailable {
            store: crate::STORE,
            source,
        });
    }
    let manager = ConnectionManager::<SqliteConnection>::new(config.path.to_string_lossy());
    Pool::builder()
        .thread_pool(crate::pool::worker_threads())
        .max_size(config.pool_size)
        // A connection to a local file does not go stale: r2d2's default
        // `SELECT 1` before every checkout would cost each write a statement.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_millis(
            u64::from(config.busy_timeout_ms) + 5_000,
        ))
        .error_handler(Box::new(QuietErrors))
        .connection_customizer(Box::new(options))
        .build(manager)
        .map_err(|e| Error::Unavailable {
            store: crate::STORE,
            source: Box::new(e),
        })
}

/// Sends the pool's connection errors to `tracing` at debug level instead of
/// r2d2's default `log::error!` per attempt: the caller receives the error
/// as [`Error::Unavailable`] and decides whether it is worth reporting.
#[derive(Debug, Clone, Copy)]
struct QuietErrors;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for QuietErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::debug!(store = crate::STORE, error = %chatmrpt_db_core::secret::redact(&error.to_string()), "pool connection attempt failed");
    }
}

/// The pool's helper threads (r2d2 uses them to open connections and reap
/// idle ones). r2d2's default keeps them alive after the pool is dropped
/// until its next scheduled reap (up to 30 s); these exit as soon as the
/// pool is gone, so a process can drop its store and `fork()` without
/// leaving parked threads behind (the Python drop-in does, before a fork).
pub fn worker_threads() -> std::sync::Arc<scheduled_thread_pool::ScheduledThreadPool> {
    std::sync::Arc::new(
        scheduled_thread_pool::ScheduledThreadPool::builder()
            .num_threads(3)
            .thread_name_pattern("r2d2-worker-{}")
            .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
            .build(),
    )
}
