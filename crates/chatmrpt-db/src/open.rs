//! Configuration in, a store out.

use std::ops::Deref;
use std::sync::Arc;

use chatmrpt_db_core::{BackendKind, Config, Error, InteractionStore, PostgresConfig, Result};
use chatmrpt_db_dual::{DualOptions, DualStore};
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
    /// Both, routed by the migration stage (shared: one background worker).
    Dual(Arc<DualStore<SqliteStore, PgStore>>),
}

/// The dual store the application runs: SQLite is the legacy side (and
/// keeps the stage), PostgreSQL the target.
pub type AppDualStore = DualStore<SqliteStore, PgStore>;

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
            BackendKind::Postgres => Ok(Self::Postgres(PgStore::open(postgres(config)?)?)),
            BackendKind::Dual => Ok(Self::Dual(Arc::new(Self::open_dual(
                config,
                DualOptions::default(),
            )?))),
        }
    }

    /// Opens the dual store of `config` (any backend setting) with
    /// `options`; the configured `dual.stage` is the default stage. PostgreSQL
    /// is opened lazily, so the application starts while it is down (its
    /// writes then wait in the SQLite outbox).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] without PostgreSQL settings, or SQLite's failure.
    pub fn open_dual(config: &Config, options: DualOptions) -> Result<AppDualStore> {
        let options = match config.dual.checkpoint_interval_ms {
            Some(0) => DualOptions {
                checkpoint_interval: None,
                ..options
            },
            Some(ms) => DualOptions {
                checkpoint_interval: Some(std::time::Duration::from_millis(u64::from(ms))),
                ..options
            },
            None => options,
        };
        let mut sqlite = config.sqlite.clone();
        if options.background && options.checkpoint_interval.is_some() {
            // The worker checkpoints off the write path; the writers' own
            // checkpoint stays as the bound of the WAL, further out.
            sqlite.wal_autocheckpoint = sqlite.wal_autocheckpoint.saturating_mul(4);
        }
        let legacy = SqliteStore::open(&sqlite)?;
        let target = PgStore::open_lazy(postgres(config)?)?;
        let options = DualOptions {
            default_stage: config.dual.stage,
            ..options
        };
        Ok(DualStore::new(legacy, target, options))
    }

    /// The backend's short name.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => chatmrpt_db_sqlite::STORE,
            Self::Postgres(_) => chatmrpt_db_postgres::STORE,
            Self::Dual(_) => chatmrpt_db_dual::STORE,
        }
    }

    /// Where the data lives: the file path, or the connection string with
    /// its password hidden.
    pub fn location(&self) -> String {
        match self {
            Self::Sqlite(s) => s.path().to_owned(),
            Self::Postgres(p) => format!("{} (schema {})", p.redacted_url(), p.schema()),
            Self::Dual(d) => format!(
                "{} + {} (schema {})",
                d.legacy().path(),
                d.target().redacted_url(),
                d.target().schema()
            ),
        }
    }

    /// Applies every pending migration (on both stores of a dual store);
    /// returns the versions applied.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] or [`Error::Unavailable`].
    pub fn run_migrations(&self) -> Result<Vec<String>> {
        match self {
            Self::Sqlite(s) => s.run_migrations(),
            Self::Postgres(p) => p.run_migrations(),
            Self::Dual(d) => {
                let mut applied = d.legacy().run_migrations()?;
                applied.extend(d.target().run_migrations()?);
                Ok(applied)
            }
        }
    }

    /// The migrations applied so far, oldest first (of a dual store: those
    /// applied to both stores).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] or [`Error::Unavailable`].
    pub fn applied_migrations(&self) -> Result<Vec<String>> {
        match self {
            Self::Sqlite(s) => s.applied_migrations(),
            Self::Postgres(p) => p.applied_migrations(),
            Self::Dual(d) => {
                let target = d.target().applied_migrations()?;
                let mut both = d.legacy().applied_migrations()?;
                both.retain(|v| target.contains(v));
                Ok(both)
            }
        }
    }

    /// The store as a trait object.
    pub fn as_dyn(&self) -> &(dyn InteractionStore + 'static) {
        match self {
            Self::Sqlite(s) => s,
            Self::Postgres(p) => p,
            Self::Dual(d) => &**d,
        }
    }
}

fn postgres(config: &Config) -> Result<&PostgresConfig> {
    config
        .postgres
        .as_ref()
        .ok_or_else(|| Error::Config("postgres settings missing".into()))
}

impl Deref for Store {
    type Target = dyn InteractionStore + 'static;

    fn deref(&self) -> &Self::Target {
        self.as_dyn()
    }
}
