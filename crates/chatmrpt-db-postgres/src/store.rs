//! The PostgreSQL store: a pool, the migrations, and the transaction helpers
//! the repository implementations share.

use chatmrpt_db_core::{Error, PostgresConfig, Result};
use diesel::connection::Connection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, PooledConnection};
use diesel::result::QueryResult;
use diesel::sql_types::BigInt;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::STORE;
use crate::error::{TxError, pool_error, query_error, write_error};
use crate::pool::{PgPool, build_pool, validate_schema, with_connect_timeout};

/// The PostgreSQL migrations, embedded at build time from `migrations_postgres/`.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations_postgres");

/// Advisory lock key held while migrating, so that several processes
/// starting at once migrate one after the other ("chatmrpt" in ASCII).
const MIGRATION_LOCK: i64 = 0x6368_6174_6d72_7074;

/// The interaction log in a PostgreSQL schema.
///
/// Opening never changes the schema: call [`PgStore::run_migrations`] (or
/// `chatmrpt-db migrate`) explicitly, as the schema owner.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    schema: String,
    redacted_url: String,
    /// The SQLite file this store's outbox owes writes to, once bound
    /// (`OutboxStore::bind_outbox`); unbound, it sees the entries that name
    /// no destination.
    pub(crate) owed_to: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.redacted_url)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

type PooledPg = PooledConnection<ConnectionManager<PgConnection>>;

impl PgStore {
    /// Opens the configured database and checks that a connection can be had.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad schema name; [`Error::Unavailable`] when
    /// the server cannot be reached (the reason never shows the password).
    pub fn open(config: &PostgresConfig) -> Result<Self> {
        let store = Self::open_lazy(config)?;
        // One direct connection, not the pool's: a wrong host, database or
        // password fails now, within `connect_timeout_s`, with the server's
        // reason, instead of after the pool's wait with a timeout.
        connect_within(&config.url, config.connect_timeout_s)?;
        Ok(store)
    }

    /// Opens the configured database without connecting: the first operation
    /// connects. For applications that must start while PostgreSQL is down.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad schema name, or a connection string
    /// that is not PostgreSQL's or names no host or database
    /// ([`chatmrpt_db_core::DatabaseUrl::check`]).
    pub fn open_lazy(config: &PostgresConfig) -> Result<Self> {
        config.url.check()?;
        validate_schema(&config.schema)?;
        Ok(Self {
            pool: build_pool(config),
            schema: config.schema.clone(),
            redacted_url: config.url.redacted(),
            owed_to: std::sync::Arc::default(),
        })
    }

    /// The schema holding the tables.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The connection string with its password hidden.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// Creates the schema when missing and applies every pending migration,
    /// holding an advisory lock so concurrent callers take turns. Returns the
    /// versions applied.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when a migration fails (it is rolled back), or
    /// [`Error::Unavailable`].
    pub fn run_migrations(&self) -> Result<Vec<String>> {
        migrate_on(&mut *self.connection()?, &self.schema)
    }

    /// The versions of the migrations applied to this schema, oldest first.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when the bookkeeping cannot be read.
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        let mut conn = self.connection()?;
        let mut applied: Vec<String> = conn
            .applied_migrations()
            .map_err(|source| Error::Migration {
                store: STORE,
                source,
            })?
            .iter()
            .map(ToString::to_string)
            .collect();
        applied.sort();
        Ok(applied)
    }

    /// The embedded migrations not yet applied to this schema, oldest
    /// first, read with plain `SELECT`s: unlike diesel's harness (which
    /// creates its bookkeeping table first), this needs no DDL right, so a
    /// runtime role can ask whether the schema is current.
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`], or [`Error::Migration`] when the bookkeeping
    /// cannot be read (e.g. the role may not read it).
    pub fn pending_migrations(&self) -> Result<Vec<String>> {
        pending_on(&mut *self.connection()?)
    }

    /// Reverts every applied migration, newest first (tests and tooling).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when a revert fails.
    pub fn revert_all_migrations(&self) -> Result<()> {
        let mut conn = self.connection()?;
        conn.revert_all_migrations(MIGRATIONS)
            .map_err(|source| Error::Migration {
                store: STORE,
                source,
            })?;
        Ok(())
    }

    /// Runs a read on a pooled connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        let mut conn = self.connection()?;
        f(&mut conn).map_err(|e| match e {
            TxError::Domain(e) => e,
            TxError::Diesel(e) => query_error(e),
        })
    }

    /// Runs a write in a transaction; a unique violation becomes `Conflict`
    /// on `entity` `key`.
    pub(crate) fn write<T>(
        &self,
        entity: &'static str,
        key: &str,
        f: impl FnOnce(&mut PgConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        let mut conn = self.connection()?;
        PgConnection::transaction(&mut conn, |conn| f(conn)).map_err(|e| match e {
            TxError::Domain(e) => e,
            TxError::Diesel(e) => write_error(entity, key, e),
        })
    }

    /// [`PgStore::read`] for the store's own bookkeeping (stage,
    /// heartbeats): the same here; SQLite's reads it without the file's
    /// clock.
    pub(crate) fn read_unzoned<T>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        self.read(f)
    }

    /// [`PgStore::write`] for the store's own bookkeeping (see
    /// [`PgStore::read_unzoned`]).
    pub(crate) fn write_unzoned<T>(
        &self,
        entity: &'static str,
        key: &str,
        f: impl FnOnce(&mut PgConnection) -> Result<T, TxError>,
    ) -> Result<T> {
        self.write(entity, key, f)
    }

    /// A pooled connection.
    pub(crate) fn connection(&self) -> Result<PooledPg> {
        self.pool.get().map_err(pool_error)
    }
}

fn lock(conn: &mut PgConnection, function: &str) -> Result<()> {
    diesel::sql_query(format!("SELECT {function}($1)"))
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(conn)
        .map(drop)
        .map_err(migration_error_from)
}

/// Creates the schema when missing and applies every pending migration on
/// `conn`, holding an advisory lock so concurrent callers take turns.
fn migrate_on(conn: &mut PgConnection, schema: &str) -> Result<Vec<String>> {
    // The name passed validate_schema: [a-z_][a-z0-9_]*, so quoting is exact.
    diesel::sql_query(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .execute(conn)
        .map_err(migration_error_from)?;
    lock(conn, "pg_advisory_lock")?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|v| v.iter().map(ToString::to_string).collect());
    lock(conn, "pg_advisory_unlock")?;
    applied.map_err(|source| Error::Migration {
        store: STORE,
        source,
    })
}

fn pending_on(conn: &mut PgConnection) -> Result<Vec<String>> {
    use diesel::migration::MigrationSource;
    use diesel::sql_types::{Bool, Text};

    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let failed = |e: diesel::result::Error| Error::Migration {
        store: STORE,
        source: Box::new(e),
    };
    let table: Exists =
        diesel::sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS exists")
            .get_result(conn)
            .map_err(failed)?;
    let applied: Vec<String> = if table.exists {
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Version>(conn)
            .map_err(failed)?
            .into_iter()
            .map(|v| v.version)
            .collect()
    } else {
        Vec::new()
    };
    let embedded =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).map_err(|source| {
            Error::Migration {
                store: STORE,
                source,
            }
        })?;
    let mut pending: Vec<String> = embedded
        .iter()
        .map(|m| m.name().version().to_string())
        .filter(|v| !applied.contains(v))
        .collect();
    pending.sort();
    Ok(pending)
}

/// For an application starting up: on one connection of its own (no pool,
/// so no thread outlives the call: it may run before a `fork()`), checks
/// with plain `SELECT`s whether migrations are pending and applies them
/// only then. Returns the versions applied (none when current).
///
/// # Errors
///
/// [`Error::Config`] for a bad connection string or schema,
/// [`Error::Unavailable`] when the server cannot be reached within
/// `connect_timeout_s`, [`Error::Migration`] when migrations are pending
/// and cannot be applied (e.g. a role without DDL rights).
pub fn migrate_if_behind(config: &PostgresConfig) -> Result<Vec<String>> {
    config.url.check()?;
    validate_schema(&config.schema)?;
    let url = with_connect_timeout(config.url.expose(), config.connect_timeout_s.max(1));
    let mut conn = PgConnection::establish(&url).map_err(|e| Error::Unavailable {
        store: STORE,
        source: chatmrpt_db_core::secret::redact(&e.to_string()).into(),
    })?;
    use diesel::r2d2::CustomizeConnection;
    crate::pool::SchemaSearchPath {
        schema: config.schema.clone(),
    }
    .on_acquire(&mut conn)
    .map_err(|e| Error::Unavailable {
        store: STORE,
        source: Box::new(e),
    })?;
    let pending = pending_on(&mut conn)?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    migrate_on(&mut conn, &config.schema).map_err(|e| Error::Migration {
        store: STORE,
        source: format!(
            "{} migration(s) pending ({}) and they could not be applied (run `chatmrpt-db migrate` as the schema owner): {}",
            pending.len(),
            pending.join(", "),
            chatmrpt_db_core::error::error_chain(&e)
        )
        .into(),
    })
}

fn migration_error_from(err: diesel::result::Error) -> Error {
    Error::Migration {
        store: STORE,
        source: Box::new(err),
    }
}

/// Turns diesel's "no row" into `None`.
pub(crate) fn optional<T>(r: QueryResult<T>) -> Result<Option<T>, TxError> {
    use diesel::OptionalExtension;
    r.optional().map_err(TxError::from)
}

/// Establishes a single connection outside the pool (tools, tests),
/// giving up within the default connect timeout unless the string sets
/// libpq's `connect_timeout`.
///
/// # Errors
///
/// [`Error::Config`] for a string [`chatmrpt_db_core::DatabaseUrl::check`]
/// refuses; [`Error::Unavailable`] with the driver's reason (redacted).
pub fn connect(url: &chatmrpt_db_core::DatabaseUrl) -> Result<PgConnection> {
    connect_within(url, PostgresConfig::new(url.clone()).connect_timeout_s)
}

/// As [`connect`], giving up within `seconds` (at least one) unless the
/// string sets libpq's `connect_timeout`.
///
/// # Errors
///
/// As [`connect`].
pub fn connect_within(url: &chatmrpt_db_core::DatabaseUrl, seconds: u32) -> Result<PgConnection> {
    url.check()?;
    let url = with_connect_timeout(url.expose(), seconds.max(1));
    PgConnection::establish(&url).map_err(|e| Error::Unavailable {
        store: STORE,
        source: chatmrpt_db_core::secret::redact(&e.to_string()).into(),
    })
}
