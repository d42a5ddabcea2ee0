//! Schema invariants of the SQLite store: migrations round-trip, schema.rs
//! matches them, every foreign key is indexed, PRAGMAs hold per connection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::process::Command;

use chatmrpt_db_sqlite::{SqliteStore, connect};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

fn migrated(dir: &tempfile::TempDir) -> (SqliteStore, String) {
    let path = dir.path().join("interactions.db");
    let store = SqliteStore::open_path(&path).unwrap();
    store.run_migrations().unwrap();
    (store, path.display().to_string())
}

#[derive(QueryableByName, Debug, PartialEq)]
struct SqlText {
    #[diesel(sql_type = Text)]
    sql: String,
}

fn schema_sql(path: &str) -> Vec<String> {
    let mut conn = connect(path).unwrap();
    diesel::sql_query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '__diesel%' ORDER BY name")
        .load::<SqlText>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.sql)
        .collect()
}

#[test]
fn migrations_run_up_down_and_up_again_to_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = migrated(&dir);
    let first = schema_sql(&path);
    assert!(first.iter().any(|s| s.starts_with("CREATE TABLE sessions")));
    store.revert_all_migrations().unwrap();
    assert!(schema_sql(&path).is_empty(), "down.sql left objects behind");
    assert!(store.applied_migrations().unwrap().is_empty());
    store.run_migrations().unwrap();
    assert_eq!(schema_sql(&path), first);
}

#[test]
fn second_migrate_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = migrated(&dir);
    assert!(store.run_migrations().unwrap().is_empty());
    assert!(!store.applied_migrations().unwrap().is_empty());
}

#[test]
fn all_seventeen_tables_exist_after_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = migrated(&dir);
    for table in chatmrpt_db_core::Table::ALL {
        use chatmrpt_db_core::StoreInfo;
        assert_eq!(store.count_rows(table).unwrap(), 0, "{table}");
    }
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    from_col: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[test]
fn every_foreign_key_column_leads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = migrated(&dir);
    let mut conn = connect(&path).unwrap();
    let fks: Vec<ForeignKey> = diesel::sql_query(
        "SELECT m.name AS table_name, f.\"from\" AS from_col FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
    )
    .load(&mut conn)
    .unwrap();
    assert!(
        fks.len() >= 18,
        "expected the declared foreign keys, found {}",
        fks.len()
    );
    for fk in fks {
        let Count { n } = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pragma_index_list(?1) l, pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = ?2",
        )
        .bind::<Text, _>(&fk.table_name)
        .bind::<Text, _>(&fk.from_col)
        .get_result(&mut conn)
        .unwrap();
        assert!(
            n > 0,
            "{}.{} has no index led by it",
            fk.table_name,
            fk.from_col
        );
    }
}

#[derive(QueryableByName)]
struct Pragmas {
    #[diesel(sql_type = Text)]
    journal: String,
    #[diesel(sql_type = BigInt)]
    fk: i64,
    #[diesel(sql_type = BigInt)]
    sync: i64,
    #[diesel(sql_type = BigInt)]
    busy: i64,
}

#[test]
fn pooled_connections_run_wal_with_enforced_foreign_keys() {
    use chatmrpt_db_core::{Error, Message, MessageRepository};
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = migrated(&dir);
    // A write through the store proves the pool's connections work; the
    // file's journal mode is persistent, so a plain connection sees WAL.
    store
        .log_message(&Message::new("s1", "user", "hi"))
        .unwrap();
    let mut conn = connect(&path).unwrap();
    let journal: SqlText = diesel::sql_query("SELECT journal_mode AS sql FROM pragma_journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(journal.sql, "wal");
    // foreign_keys is per connection: the store's own connections enforce it,
    // so a child row pointing at no step is refused by the store...
    let orphan = chatmrpt_db_core::AlgorithmDecision::new(
        "s1",
        chatmrpt_db_core::StepId::new("no-such-step"),
        "k",
    );
    use chatmrpt_db_core::AnalysisStepRepository;
    assert!(matches!(
        store.log_algorithm_decision(&orphan),
        Err(Error::NotFound { .. })
    ));
    // ...and the settings themselves are as documented: the default...
    assert_eq!(
        pooled_pragmas(path.as_ref(), chatmrpt_db_core::Synchronous::Normal),
        ("wal".to_owned(), 1, 1, 5000)
    );
    // ...and `sqlite.synchronous = "full"` reaches every pooled connection (2 = FULL).
    assert_eq!(
        pooled_pragmas(path.as_ref(), chatmrpt_db_core::Synchronous::Full),
        ("wal".to_owned(), 1, 2, 5000)
    );
}

/// (journal_mode, foreign_keys, synchronous, busy_timeout) of a connection
/// from a fresh pool on `path` with `synchronous`.
fn pooled_pragmas(
    path: &std::path::Path,
    synchronous: chatmrpt_db_core::Synchronous,
) -> (String, i64, i64, i64) {
    let pool = chatmrpt_db_sqlite::pool::build_pool(&chatmrpt_db_core::SqliteConfig {
        path: path.to_path_buf(),
        synchronous,
        ..Default::default()
    })
    .unwrap();
    let mut pooled = pool.get().unwrap();
    let p: Pragmas = diesel::sql_query(
        "SELECT (SELECT journal_mode FROM pragma_journal_mode) AS journal, (SELECT foreign_keys FROM pragma_foreign_keys) AS fk, \
         (SELECT synchronous FROM pragma_synchronous) AS sync, (SELECT timeout FROM pragma_busy_timeout) AS busy",
    )
    .get_result(&mut *pooled)
    .unwrap();
    (p.journal, p.fk, p.sync, p.busy)
}

/// The `diesel` binary, or a failure that says how to install it.
fn diesel_cli() -> std::path::PathBuf {
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let candidates = [
        std::path::PathBuf::from("diesel"),
        home.join(".cargo/bin/diesel"),
    ];
    candidates
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!(
                "diesel_cli not found; install it with `cargo install diesel_cli --no-default-features --features postgres,sqlite` (scripts/install-prereqs does)"
            )
        })
}

#[test]
fn schema_rs_matches_diesel_print_schema_of_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) = migrated(&dir);
    let output = Command::new(diesel_cli())
        .args(["print-schema", "--database-url", &path])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed = include_str!("../src/schema.rs");
    assert!(
        printed == committed,
        "src/schema.rs drifted from the migrations; regenerate it with\n  diesel print-schema --database-url {path} > crates/chatmrpt-db-sqlite/src/schema.rs"
    );
}
