use std::collections::HashMap;

use super::*;

fn load(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Config> {
    with_inputs(toml, env, |file, env| Config::load_with(file, env))
}

/// Writes `toml` (when given) to a file and calls `f` with it and `env`.
fn with_inputs(
    toml: Option<&str>,
    env: &[(&str, &str)],
    f: impl FnOnce(Option<&Path>, &dyn Fn(&str) -> Option<String>) -> Result<Config>,
) -> Result<Config> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let dir = tempfile_dir();
    let file = toml.map(|t| {
        let path = dir.join("chatmrpt-db.toml");
        std::fs::write(&path, t).unwrap();
        path
    });
    f(file.as_deref(), &|k| env.get(k).cloned())
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chatmrpt-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn no_configuration_means_embedded_sqlite_in_the_working_directory() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config.backend, BackendKind::Sqlite);
    assert_eq!(config.sqlite.path, PathBuf::from("interactions.db"));
    assert_eq!(config.sqlite.busy_timeout_ms, 5_000);
    assert_eq!(config.sqlite.synchronous, Synchronous::Normal);
    assert!(config.postgres.is_none());
}

#[test]
fn the_wal_bound_is_read_from_the_file_and_the_environment() {
    assert_eq!(load(None, &[]).unwrap().sqlite.wal_autocheckpoint, 1_000);
    let config = load(Some("[sqlite]\nwal_autocheckpoint = 250\n"), &[]).unwrap();
    assert_eq!(config.sqlite.wal_autocheckpoint, 250);
    let config = load(
        Some("[sqlite]\nwal_autocheckpoint = 250\n"),
        &[("CHATMRPT_DB_SQLITE_WAL_AUTOCHECKPOINT", "4000")],
    )
    .unwrap();
    assert_eq!(config.sqlite.wal_autocheckpoint, 4_000);
    let err = load(Some("[sqlite]\nwal_autocheckpoint = 0\n"), &[]).unwrap_err();
    assert!(err.to_string().contains("bounds the WAL"), "{err}");
    let err = load(Some("[sqlite]\nwal_autocheckpoint = 600000000\n"), &[]).unwrap_err();
    assert!(err.to_string().contains("bounds the WAL"), "{err}");
    // The dual store's checkpoint interval: unset (the default), or off.
    assert_eq!(load(None, &[]).unwrap().dual.checkpoint_interval_ms, None);
    let config = load(
        Some("[dual]\ncheckpoint_interval_ms = 250\n"),
        &[("CHATMRPT_DB_DUAL_CHECKPOINT_INTERVAL_MS", "0")],
    )
    .unwrap();
    assert_eq!(config.dual.checkpoint_interval_ms, Some(0));
}

#[test]
fn the_durability_setting_is_read_from_the_file_and_the_environment() {
    let config = load(Some("[sqlite]\nsynchronous = \"full\"\n"), &[]).unwrap();
    assert_eq!(config.sqlite.synchronous, Synchronous::Full);
    let config = load(
        Some("[sqlite]\nsynchronous = \"full\"\n"),
        &[("CHATMRPT_DB_SQLITE_SYNCHRONOUS", "normal")],
    )
    .unwrap();
    assert_eq!(config.sqlite.synchronous, Synchronous::Normal);
    let err = load(None, &[("CHATMRPT_DB_SQLITE_SYNCHRONOUS", "off")]).unwrap_err();
    assert!(err.to_string().contains("expected normal or full"), "{err}");
    let err = load(Some("[sqlite]\nsynchronous = \"off\"\n"), &[]).unwrap_err();
    assert!(err.to_string().contains("`normal` or `full`"), "{err}");
}

#[test]
fn file_values_are_read_and_env_overrides_them() {
    let toml = r#"
        backend = "postgres"
        [sqlite]
        path = "/var/lib/chat/interactions.db"
        [postgres]
        url = "postgres://app:pw@db/chat"
        schema = "chat"
    "#;
    let config = load(
        Some(toml),
        &[
            ("CHATMRPT_DB_POSTGRES_SCHEMA", "other"),
            ("CHATMRPT_DB_SQLITE_POOL_SIZE", "3"),
        ],
    )
    .unwrap();
    assert_eq!(config.backend, BackendKind::Postgres);
    assert_eq!(
        config.sqlite.path,
        PathBuf::from("/var/lib/chat/interactions.db")
    );
    assert_eq!(config.sqlite.pool_size, 3);
    let pg = config.postgres.unwrap();
    assert_eq!(pg.schema, "other");
    assert_eq!(pg.url.expose(), "postgres://app:pw@db/chat");
}

#[test]
fn database_url_is_the_fallback_for_postgres() {
    let config = load(
        None,
        &[
            ("CHATMRPT_DB_BACKEND", "postgres"),
            ("DATABASE_URL", "postgres://x@h/d"),
        ],
    )
    .unwrap();
    assert_eq!(config.postgres.unwrap().url.expose(), "postgres://x@h/d");
    let config = load(
        None,
        &[
            ("DATABASE_URL", "postgres://x@h/d"),
            ("CHATMRPT_DB_POSTGRES_URL", "postgres://y@h/d"),
        ],
    )
    .unwrap();
    assert_eq!(config.postgres.unwrap().url.expose(), "postgres://y@h/d");
}

#[test]
fn postgres_without_url_is_a_clear_error() {
    let err = load(None, &[("CHATMRPT_DB_BACKEND", "postgres")]).unwrap_err();
    assert!(err.to_string().contains("DATABASE_URL"), "{err}");
}

#[test]
fn bad_values_name_their_source() {
    let err = load(None, &[("CHATMRPT_DB_BACKEND", "mysql")]).unwrap_err();
    assert!(err.to_string().contains("CHATMRPT_DB_BACKEND"), "{err}");
    let err = load(None, &[("CHATMRPT_DB_SQLITE_POOL_SIZE", "many")]).unwrap_err();
    assert!(
        err.to_string().contains("CHATMRPT_DB_SQLITE_POOL_SIZE"),
        "{err}"
    );
    let err = load(Some("backend = \"sqlite\"\nunknown_key = 1\n"), &[]).unwrap_err();
    assert!(err.to_string().contains("unknown_key"), "{err}");
    let err = load(
        None,
        &[
            ("DATABASE_URL", "postgres://h/d"),
            ("CHATMRPT_DB_POSTGRES_SCHEMA", "Robert'); drop"),
        ],
    )
    .unwrap_err();
    assert!(err.to_string().contains("postgres.schema"), "{err}");
}

#[test]
fn memory_sqlite_behind_a_pool_is_refused() {
    let err = load(None, &[("CHATMRPT_DB_SQLITE_PATH", ":memory:")]).unwrap_err();
    assert!(err.to_string().contains("pool_size"), "{err}");
}

#[test]
fn debug_output_hides_the_password() {
    let config = load(None, &[("DATABASE_URL", "postgres://app:hunter2@db/chat")]).unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("app:***@db"), "{shown}");
}

#[test]
fn toml_errors_do_not_echo_the_password() {
    let err = load(
        Some("[postgres]\nurl = \"postgres://a:hunter2@h/d\"\npool_size = \"x\"\n"),
        &[],
    )
    .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn dual_stage_defaults_to_off_and_reads_env() {
    assert_eq!(load(None, &[]).unwrap().dual.stage, Stage::Off);
    let config = load(None, &[("CHATMRPT_DB_STAGE", "shadow")]).unwrap();
    assert_eq!(config.dual.stage, Stage::Shadow);
}

fn load_app(toml: Option<&str>, db_path: Option<&str>, env: &[(&str, &str)]) -> Result<Config> {
    with_inputs(toml, env, |file, env| {
        Config::load_for_app_with(file, db_path.map(Path::new), env)
    })
}

#[test]
fn the_application_defaults_to_its_legacy_file_and_small_pools() {
    let config = load_app(None, None, &[("DATABASE_URL", "postgres://h/d")]).unwrap();
    assert_eq!(config.sqlite.path, PathBuf::from(APP_SQLITE_PATH));
    assert_eq!(config.sqlite.pool_size, APP_POOL_SIZE);
    assert_eq!(config.postgres.unwrap().pool_size, APP_POOL_SIZE);
}

#[test]
fn db_path_wins_and_explicit_settings_keep_their_values() {
    let toml = "[sqlite]\npath = \"/srv/file.db\"\npool_size = 5\n[postgres]\nurl = \"postgres://h/d\"\npool_size = 7\n";
    let config = load_app(Some(toml), None, &[]).unwrap();
    assert_eq!(config.sqlite.path, PathBuf::from("/srv/file.db"));
    assert_eq!(
        (config.sqlite.pool_size, config.postgres.unwrap().pool_size),
        (5, 7)
    );
    let config = load_app(Some(toml), Some("given.db"), &[]).unwrap();
    assert_eq!(config.sqlite.path, PathBuf::from("given.db"));
    let env = [
        ("CHATMRPT_DB_SQLITE_PATH", "env.db"),
        ("CHATMRPT_DB_SQLITE_POOL_SIZE", "3"),
    ];
    let config = load_app(None, None, &env).unwrap();
    assert_eq!(config.sqlite.path, PathBuf::from("env.db"));
    assert_eq!(config.sqlite.pool_size, 3);
}
