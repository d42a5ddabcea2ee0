//! The configuration of one process of the Python application: the
//! library's, with the application's own defaults.

use std::path::{Path, PathBuf};

use super::Config;
use crate::error::{Error, Result};

impl Config {
    /// The configuration of one process of the Python application
    /// (`chatmrpt_db.InteractionLogger`): as [`Config::load`], with the
    /// application's own defaults where neither `file` nor the environment
    /// sets a value:
    ///
    /// - the SQLite file is `sqlite_path` when given (the legacy
    ///   constructor's `db_path`; it wins over file and environment), else
    ///   [`APP_SQLITE_PATH`];
    /// - both pools hold [`APP_POOL_SIZE`] connections: a sync worker serves
    ///   one request at a time, and the dual store's background thread needs
    ///   one more, so workers x hosts x 2 bounds the PostgreSQL connections.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the file, key or variable at fault.
    pub fn load_for_app(file: Option<&Path>, sqlite_path: Option<&Path>) -> Result<Self> {
        Self::load_for_app_with(file, sqlite_path, |name| std::env::var(name).ok())
    }

    /// As [`Config::load_for_app`], with the environment given as a lookup
    /// function.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the file, key or variable at fault.
    pub fn load_for_app_with(
        file: Option<&Path>,
        sqlite_path: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let explicit = match file {
            Some(path) => ExplicitKeys::of_file(path)?,
            None => ExplicitKeys::default(),
        };
        let mut config = Self::load_with(file, &env)?;
        if let Some(path) = sqlite_path {
            config.sqlite.path = path.to_path_buf();
        } else if !explicit.sqlite_path && env("CHATMRPT_DB_SQLITE_PATH").is_none() {
            config.sqlite.path = PathBuf::from(APP_SQLITE_PATH);
        }
        if !explicit.sqlite_pool && env("CHATMRPT_DB_SQLITE_POOL_SIZE").is_none() {
            config.sqlite.pool_size = APP_POOL_SIZE;
        }
        let pg_pool_given =
            explicit.postgres_pool || env("CHATMRPT_DB_POSTGRES_POOL_SIZE").is_some();
        if let Some(pg) = config.postgres.as_mut().filter(|_| !pg_pool_given) {
            pg.pool_size = APP_POOL_SIZE;
        }
        config.validate()?;
        Ok(config)
    }
}

/// The legacy application's default file (`InteractionLogger(db_path=None)`).
pub const APP_SQLITE_PATH: &str = "instance/interactions.db";

/// Connections per pool in a process of the Python application.
pub const APP_POOL_SIZE: u32 = 2;

/// Which of the settings [`Config::load_for_app`] defaults a TOML file sets.
#[derive(Debug, Default)]
struct ExplicitKeys {
    sqlite_path: bool,
    sqlite_pool: bool,
    postgres_pool: bool,
}

impl ExplicitKeys {
    fn of_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message())))?;
        let has = |section: &str, key: &str| {
            table
                .get(section)
                .and_then(toml::Value::as_table)
                .is_some_and(|t| t.contains_key(key))
        };
        Ok(Self {
            sqlite_path: has("sqlite", "path"),
            sqlite_pool: has("sqlite", "pool_size"),
            postgres_pool: has("postgres", "pool_size"),
        })
    }
}
