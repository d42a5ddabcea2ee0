//! Turns `--config` and `--database` into the configuration to use.

use chatmrpt_db::{BackendKind, Config, DatabaseUrl, Error, Result};

/// The stores named on the command line, overriding the configuration.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides<'a> {
    /// `--database`: one store.
    pub database: Option<&'a str>,
    /// `--sqlite PATH`.
    pub sqlite: Option<&'a std::path::Path>,
    /// `--postgres URL`.
    pub postgres: Option<&'a str>,
}

/// Loads the configuration, then lets `--database`, or `--sqlite` and
/// `--postgres` (both: the dual store), pick the stores.
///
/// # Errors
///
/// [`Error::Config`] for a bad file, variable or URL.
pub fn resolve(config: Option<&std::path::Path>, overrides: Overrides<'_>) -> Result<Config> {
    let mut config = Config::load(config)?;
    if let Some(url) = overrides.database {
        apply_database(&mut config, url)?;
    }
    apply_pair(&mut config, overrides.sqlite, overrides.postgres)?;
    config.validate()?;
    Ok(config)
}

/// `--sqlite PATH` and/or `--postgres URL`: one alone selects that store,
/// both select the dual store.
fn apply_pair(
    config: &mut Config,
    sqlite: Option<&std::path::Path>,
    postgres: Option<&str>,
) -> Result<()> {
    if let Some(path) = sqlite {
        config.sqlite.path = path.to_path_buf();
        config.backend = BackendKind::Sqlite;
    }
    if let Some(url) = postgres {
        apply_database(config, url)?;
        if sqlite.is_some() {
            config.backend = BackendKind::Dual;
        }
    }
    Ok(())
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
        config.set_postgres_url(DatabaseUrl::new(url))?;
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
    fn sqlite_and_postgres_flags_select_the_dual_store() {
        let mut config = Config::default();
        let path = std::path::Path::new("/tmp/app.db");
        apply_pair(&mut config, Some(path), Some("postgres://app@db/chat")).unwrap();
        assert_eq!(config.backend, BackendKind::Dual);
        assert_eq!(config.sqlite.path, path);
        assert_eq!(
            config.postgres.unwrap().url.expose(),
            "postgres://app@db/chat"
        );
    }

    #[test]
    fn other_schemes_are_refused_without_echoing_the_password() {
        let err = apply_database(&mut Config::default(), "mysql://u:hunter2@h/d").unwrap_err();
        assert!(err.to_string().contains("expected sqlite://"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
