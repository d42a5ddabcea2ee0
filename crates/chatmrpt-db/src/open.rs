//! Configuration in, a store out.

use std::ops::Deref;

use chatmrpt_db_core::{BackendKind, Config, Error, InteractionStore, Result};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_sqlite::SqliteStore;

/// The store the configuration names.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Store {
    /// The embedded SQLite file.
    Sqlite(SqliteStore),
    /// PostgreSQL.
    Postgres(PgStore),
}

impl Store {
    /// Opens the configured backend.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the configuration is incomplete,
    /// [`Error::Unavailable`] when the store cannot be reached.
    pub fn open(config: &Config) -> Result<Self> {
        config.validate()?;
        match config.backend {
            BackendKind::Sqlite => Ok(Self::Sqlite(SqliteStore::open(&config.sqlite)?)),
            BackendKind::Postgres => {
                let pg = config
                    .postgres
                    .as_ref()
                    .ok_or_else(|| Error::Config("postgres settings missing".into()))?;
                Ok(Self::Postgres(PgStore::open(pg)?))
            }
            BackendKind::Dual => Err(Error::Config(
                "backend `dual` is not available in this build yet".into(),
            )),
        }
    }

    /// The backend's short name.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => chatmrpt_db_sqlite::STORE,
            Self::Postgres(_) => chatmrpt_db_postgres::STORE,
        }
    }

    /// Where the data lives: the file path, or the connection string with
    /// its password hidden.
    pub fn target(&self) -> String {
        match self {
            Self::Sqlite(s) => s.path().to_owned(),
            Self::Postgres(p) => format!("{} (schema {})", p.target(), p.schema()),
        }
    }

    /// Applies every pending migration; returns the versions applied.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] or [`Error::Unavailable`].
    pub fn run_migrations(&self) -> Result<Vec<String>> {
        match self {
            Self::Sqlite(s) => s.run_migrations(),
            Self::Postgres(p) => p.run_migrations(),
        }
    }

    /// The migrations applied so far, oldest first.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] or [`Error::Unavailable`].
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        match self {
            Self::Sqlite(s) => s.applied_migrations(),
            Self::Postgres(p) => p.applied_migrations(),
        }
    }

    /// The store as a trait object.
    pub fn as_dyn(&self) -> &(dyn InteractionStore + 'static) {
        match self {
            Self::Sqlite(s) => s,
            Self::Postgres(p) => p,
        }
    }
}

impl Deref for Store {
    type Target = dyn InteractionStore + 'static;

    fn deref(&self) -> &Self::Target {
        self.as_dyn()
    }
}
