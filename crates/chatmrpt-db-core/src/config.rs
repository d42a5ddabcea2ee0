//! Typed configuration: a TOML file, then environment overrides.
//!
//! | environment variable | TOML key | default |
//! |---|---|---|
//! | `CHATMRPT_DB_BACKEND` | `backend` | `sqlite` (`sqlite`, `postgres` or `dual`) |
//! | `CHATMRPT_DB_SQLITE_PATH` | `sqlite.path` | `interactions.db` |
//! | `CHATMRPT_DB_SQLITE_BUSY_TIMEOUT_MS` | `sqlite.busy_timeout_ms` | `5000` |
//! | `CHATMRPT_DB_SQLITE_POOL_SIZE` | `sqlite.pool_size` | `8` |
//! | `CHATMRPT_DB_SQLITE_SYNCHRONOUS` | `sqlite.synchronous` | `normal` (`normal` or `full`, see [`Synchronous`]) |
//! | `CHATMRPT_DB_SQLITE_WAL_AUTOCHECKPOINT` | `sqlite.wal_autocheckpoint` | `1000` (pages of WAL after which a committing writer checkpoints; in a dual store with its background worker, which checkpoints off the write path every 100 ms, writers only do so past 4 times this) |
//! | `CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE` | `sqlite.legacy_timezone` | none: the zone the file records, else the machine's (`local`, `UTC`, `+01:00`, or an IANA name; see [`crate::LegacyZone`]) |
//! | `CHATMRPT_DB_POSTGRES_URL`, else `DATABASE_URL` | `postgres.url` | none (required for `postgres` and `dual`) |
//! | `CHATMRPT_DB_POSTGRES_SCHEMA` | `postgres.schema` | `public` |
//! | `CHATMRPT_DB_POSTGRES_POOL_SIZE` | `postgres.pool_size` | `10` |
//! | `CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S` | `postgres.connect_timeout_s` | `5` |
//! | `CHATMRPT_DB_STAGE` | `dual.stage` | `off` |
//! | `CHATMRPT_DB_DUAL_CHECKPOINT_INTERVAL_MS` | `dual.checkpoint_interval_ms` | `100` (the dual store's worker checkpoints the SQLite WAL this often, off the write path; `0`: writers checkpoint as they commit) |
//!
//! With no file and no variable, the store is the embedded SQLite file
//! `interactions.db` in the working directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::secret::DatabaseUrl;
use crate::stage::Stage;
use crate::zone::LegacyZone;

mod app;
mod synchronous;
pub use app::{APP_POOL_SIZE, APP_SQLITE_PATH};
pub use synchronous::Synchronous;

/// Which store the application uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// The embedded SQLite file.
    #[default]
    Sqlite,
    /// PostgreSQL only.
    Postgres,
    /// Both, through the dual-write store.
    Dual,
}

/// The largest `sqlite.wal_autocheckpoint`: four times it (what a dual
/// store's writers use) must stay an `i32` for SQLite.
pub const MAX_WAL_PAGES: u32 = (i32::MAX / 4) as u32;

/// The SQLite store's settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SqliteConfig {
    /// The database file.
    pub path: PathBuf,
    /// How long a writer waits for the lock, in milliseconds.
    pub busy_timeout_ms: u32,
    /// Connections in the pool.
    pub pool_size: u32,
    /// How a commit is made durable.
    pub synchronous: Synchronous,
    /// Pages of WAL after which a committing writer checkpoints the file
    /// (`PRAGMA wal_autocheckpoint`; SQLite's default, 1000, about 4 MB).
    /// It bounds the WAL. A dual store's background worker checkpoints off
    /// the write path and raises the writers' bound to four times this.
    pub wal_autocheckpoint: u32,
    /// The zone of the legacy timestamps the store writes into the file
    /// (the legacy application's `datetime.now()`). `None`: the zone the
    /// file records, and for a file that records none yet, the machine's.
    /// A value that differs from the file's record is refused when the
    /// store first touches the file: a file has one clock.
    pub legacy_timezone: Option<LegacyZone>,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("interactions.db"),
            busy_timeout_ms: 5_000,
            pool_size: 8,
            synchronous: Synchronous::default(),
            wal_autocheckpoint: 1_000,
            legacy_timezone: None,
        }
    }
}

/// The PostgreSQL store's settings.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresConfig {
    /// The connection string; any libpq option is passed through.
    pub url: DatabaseUrl,
    /// The schema holding the tables.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// Connections in the pool.
    #[serde(default = "default_pg_pool")]
    pub pool_size: u32,
    /// How long to wait for a connection, in seconds.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_s: u32,
}

fn default_schema() -> String {
    "public".to_owned()
}

fn default_pg_pool() -> u32 {
    10
}

fn default_connect_timeout() -> u32 {
    5
}

impl PostgresConfig {
    /// Settings for `url` (given on a command line), the others from the
    /// `CHATMRPT_DB_POSTGRES_*` variables or their defaults.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a malformed variable.
    pub fn with_env(url: DatabaseUrl) -> Result<Self> {
        let mut pg = PostgresConfig::new(url);
        pg.apply_env(&|name: &str| std::env::var(name).ok())?;
        Ok(pg)
    }

    /// Applies the `CHATMRPT_DB_POSTGRES_*` settings other than the URL.
    fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = env("CHATMRPT_DB_POSTGRES_SCHEMA") {
            self.schema = v;
        }
        if let Some(v) = env("CHATMRPT_DB_POSTGRES_POOL_SIZE") {
            self.pool_size = parse_number("CHATMRPT_DB_POSTGRES_POOL_SIZE", &v)?;
        }
        if let Some(v) = env("CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S") {
            self.connect_timeout_s = parse_number("CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S", &v)?;
        }
        Ok(())
    }

    /// Settings for `url` with every default.
    pub fn new(url: DatabaseUrl) -> Self {
        Self {
            url,
            schema: default_schema(),
            pool_size: default_pg_pool(),
            connect_timeout_s: default_connect_timeout(),
        }
    }
}

/// The dual-write store's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DualConfig {
    /// The stage used until one is stored in the database.
    pub stage: Stage,
    /// How often, in milliseconds, the dual store's background worker
    /// checkpoints the SQLite file off the write path; `0`: writers
    /// checkpoint as they commit (SQLite's own way). `None`: the default,
    /// 100 ms.
    pub checkpoint_interval_ms: Option<u32>,
}

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Which store to open.
    pub backend: BackendKind,
    /// SQLite settings.
    pub sqlite: SqliteConfig,
    /// PostgreSQL settings, required for `postgres` and `dual`.
    pub postgres: Option<PostgresConfig>,
    /// Dual-write settings.
    pub dual: DualConfig,
}

impl Config {
    /// Reads `file` (when given), applies the process environment, validates.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the file, key or variable at fault.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        Self::load_with(file, |name| std::env::var(name).ok())
    }

    /// As [`Config::load`], with the environment given as a lookup function.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the file, key or variable at fault.
    pub fn load_with(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut config = match file {
            Some(path) => Self::from_toml_file(path)?,
            None => Self::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] with the parser's message (which never quotes a value).
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Config(e.message().to_owned()))
    }

    fn from_toml_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = env("CHATMRPT_DB_BACKEND") {
            self.backend = match v.as_str() {
                "sqlite" => BackendKind::Sqlite,
                "postgres" => BackendKind::Postgres,
                "dual" => BackendKind::Dual,
                other => {
                    return Err(Error::Config(format!(
                        "CHATMRPT_DB_BACKEND=`{other}`: expected sqlite, postgres or dual"
                    )));
                }
            };
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_PATH") {
            self.sqlite.path = PathBuf::from(v);
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_BUSY_TIMEOUT_MS") {
            self.sqlite.busy_timeout_ms = parse_number("CHATMRPT_DB_SQLITE_BUSY_TIMEOUT_MS", &v)?;
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_POOL_SIZE") {
            self.sqlite.pool_size = parse_number("CHATMRPT_DB_SQLITE_POOL_SIZE", &v)?;
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_SYNCHRONOUS") {
            self.sqlite.synchronous = v.parse().map_err(|_| {
                Error::Config(format!(
                    "CHATMRPT_DB_SQLITE_SYNCHRONOUS=`{v}`: expected normal or full"
                ))
            })?;
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_WAL_AUTOCHECKPOINT") {
            self.sqlite.wal_autocheckpoint =
                parse_number("CHATMRPT_DB_SQLITE_WAL_AUTOCHECKPOINT", &v)?;
        }
        if let Some(v) = env("CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE") {
            self.sqlite.legacy_timezone = Some(v.parse().map_err(|e: Error| match e {
                Error::Config(why) => {
                    Error::Config(format!("CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE: {why}"))
                }
                other => other,
            })?);
        }
        if let Some(url) = env("CHATMRPT_DB_POSTGRES_URL").or_else(|| env("DATABASE_URL")) {
            match &mut self.postgres {
                Some(pg) => pg.url = DatabaseUrl::new(url),
                None => self.postgres = Some(PostgresConfig::new(DatabaseUrl::new(url))),
            }
        }
        if let Some(pg) = &mut self.postgres {
            pg.apply_env(&env)?;
        }
        if let Some(v) = env("CHATMRPT_DB_STAGE") {
            self.dual.stage = v
                .parse()
                .map_err(|e: Error| Error::Config(format!("CHATMRPT_DB_STAGE: {e}")))?;
        }
        if let Some(v) = env("CHATMRPT_DB_DUAL_CHECKPOINT_INTERVAL_MS") {
            self.dual.checkpoint_interval_ms =
                Some(parse_number("CHATMRPT_DB_DUAL_CHECKPOINT_INTERVAL_MS", &v)?);
        }
        Ok(())
    }

    /// Selects PostgreSQL at `url` (a command-line flag): the other
    /// PostgreSQL settings stay as configured, or come from the
    /// `CHATMRPT_DB_POSTGRES_*` variables when the configuration had none.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a malformed variable.
    pub fn set_postgres_url(&mut self, url: DatabaseUrl) -> Result<()> {
        match &mut self.postgres {
            Some(pg) => pg.url = url,
            None => self.postgres = Some(PostgresConfig::with_env(url)?),
        }
        Ok(())
    }

    /// Checks the settings are complete and sane.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the key at fault.
    pub fn validate(&self) -> Result<()> {
        if self.sqlite.path.as_os_str().is_empty() {
            return Err(Error::Config("sqlite.path is empty".into()));
        }
        if self.sqlite.path.as_os_str() == ":memory:" && self.sqlite.pool_size > 1 {
            return Err(Error::Config("sqlite.path `:memory:` needs pool_size = 1: each pooled connection would get its own empty database".into()));
        }
        if self.sqlite.pool_size == 0 {
            return Err(Error::Config("sqlite.pool_size must be at least 1".into()));
        }
        if self.sqlite.wal_autocheckpoint == 0 || self.sqlite.wal_autocheckpoint > MAX_WAL_PAGES {
            return Err(Error::Config(format!(
                "sqlite.wal_autocheckpoint must be between 1 and {MAX_WAL_PAGES} pages: it is what \
                 bounds the WAL (SQLite reads a larger value as 0, never)"
            )));
        }
        let needs_pg = matches!(self.backend, BackendKind::Postgres | BackendKind::Dual);
        match &self.postgres {
            None if needs_pg => Err(Error::Config(
                "backend needs PostgreSQL: set postgres.url, CHATMRPT_DB_POSTGRES_URL or DATABASE_URL".into(),
            )),
            Some(pg) => validate_postgres(pg),
            None => Ok(()),
        }
    }
}

fn validate_postgres(pg: &PostgresConfig) -> Result<()> {
    pg.url.check()?;
    if pg.pool_size == 0 {
        return Err(Error::Config(
            "postgres.pool_size must be at least 1".into(),
        ));
    }
    validate_schema_name(&pg.schema)
}

/// Refuses a schema name that would need quoting: `[a-z_][a-z0-9_]{0,62}`.
///
/// # Errors
///
/// [`Error::Config`].
pub fn validate_schema_name(schema: &str) -> Result<()> {
    let mut chars = schema.chars();
    let ok_first = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let ok_rest = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok_first && ok_rest && schema.len() <= 63 {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "postgres.schema `{schema}` must match [a-z_][a-z0-9_]* and be at most 63 bytes"
        )))
    }
}

fn parse_number(name: &str, value: &str) -> Result<u32> {
    value
        .trim()
        .parse()
        .map_err(|_| Error::Config(format!("{name}=`{value}`: expected a whole number")))
}

#[cfg(test)]
mod tests;
