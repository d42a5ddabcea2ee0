//! The r2d2 pool and the per-connection session settings.

use std::time::Duration;

use chatmrpt_db_core::{Error, PostgresConfig, Result};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::Text;

/// The pool type of the PostgreSQL store.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Points every pooled connection at the configured schema, and marks the
/// rows it inserts as the application's (`chatmrpt.origin = app`, which the
/// log tables' `chatmrpt_origin` default reads: migration 000009).
///
/// `search_path` is set with `set_config($1, ...)`, a bound parameter, so the
/// schema name never becomes SQL text. Tables are unqualified in `schema.rs`.
#[derive(Debug, Clone)]
pub struct SchemaSearchPath {
    /// The schema holding the tables.
    pub schema: String,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SchemaSearchPath {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        diesel::sql_query(
            "SELECT set_config('search_path', $1, false), set_config('chatmrpt.origin', 'app', false)",
        )
            .bind::<Text, _>(&self.schema)
            .execute(conn)
            .map(drop)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds a pool that connects lazily: no connection is opened until first
/// use, so an application can start while PostgreSQL is down.
pub fn build_pool(config: &PostgresConfig) -> PgPool {
    // Each connection attempt gives up within the connect timeout too (an
    // unreachable host otherwise holds a pool thread for the TCP timeout).
    let manager = ConnectionManager::<PgConnection>::new(with_connect_timeout(
        config.url.expose(),
        config.connect_timeout_s.max(1),
    ));
    Pool::builder()
        .thread_pool(crate::pool::worker_threads())
        .max_size(config.pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(u64::from(
            config.connect_timeout_s.max(1),
        )))
        .error_handler(Box::new(QuietErrors))
        .connection_customizer(Box::new(SchemaSearchPath {
            schema: config.schema.clone(),
        }))
        .build_unchecked(manager)
}

/// Checks a connection can be had now.
///
/// # Errors
///
/// [`Error::Unavailable`] with the driver's reason (never the password).
pub fn check(pool: &PgPool) -> Result<()> {
    pool.get().map(drop).map_err(crate::error::pool_error)
}

/// Refuses a schema name that would need quoting.
///
/// # Errors
///
/// [`Error::Config`].
pub fn validate_schema(schema: &str) -> Result<(), Error> {
    chatmrpt_db_core::config::validate_schema_name(schema)
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

/// `url` with libpq's `connect_timeout` set, unless it already sets one.
pub(crate) fn with_connect_timeout(url: &str, seconds: u32) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    if url.contains("://") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}connect_timeout={seconds}")
    } else {
        format!("{url} connect_timeout={seconds}")
    }
}
