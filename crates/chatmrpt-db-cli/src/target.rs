//! Turns `--config` and `--database` into the configuration to use.

use chatmrpt_db::{BackendKind, Config, DatabaseUrl, Error, PostgresConfig, Result};

/// Loads the configuration, then lets `--database` pick one store.
///
/// # Errors
///
/// [`Error::Config`] for a bad file, variable or URL.
pub fn resolve(config: Option<&std::path::Path>, database: Option<&str>) -> Result<Config> {
    let mut config = Config::load(config)?;
    if let Some(url) = database {
        apply_database(&mut config, url)?;
    }
    config.validate()?;
    Ok(config)
}

/// `sqlite://PATH` selects the SQLite file; `postgres://` or `postgresql://`
/// selects PostgreSQL with that connection string, other settings kept.
fn apply_database(config: &mut Config, url: &str) -> Result<()> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(Error::Config(
                "--database sqlite:// needs a path, e.g. sqlite://interactions.db".into(),
            ));
        }
        config.backend = BackendKind::Sqlite;
        config.sqlite.path = path.into();
        return Ok(());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        config.backend = BackendKind::Postgres;
        let url = DatabaseUrl::new(url);
        match &mut config.postgres {
            Some(pg) => pg.url = url,
            None => config.postgres = Some(PostgresConfig::new(url)),
        }
        return Ok(());
    }
    Err(Error::Config(format!(
        "--database `{}`: expected sqlite://PATH or postgres://...",
        chatmrpt_db::secret::redact(url)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_selects_the_file() {
        let mut config = Config::default();
        apply_database(&mut config, "sqlite:///tmp/x.db").unwrap();
        assert_eq!(config.backend, BackendKind::Sqlite);
        assert_eq!(config.sqlite.path, std::path::PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn postgres_url_keeps_libpq_options() {
        let mut config = Config::default();
        let url = "postgresql://app:pw@db/chat?sslmode=verify-full&sslrootcert=/etc/ca.pem";
        apply_database(&mut config, url).unwrap();
        assert_eq!(config.backend, BackendKind::Postgres);
        assert_eq!(config.postgres.unwrap().url.expose(), url);
    }

    #[test]
    fn other_schemes_are_refused_without_echoing_the_password() {
        let err = apply_database(&mut Config::default(), "mysql://u:hunter2@h/d").unwrap_err();
        assert!(err.to_string().contains("expected sqlite://"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
