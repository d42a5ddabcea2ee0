//! Schema invariants of the PostgreSQL store, on a real server: migrations
//! round-trip, schema.rs matches them, exact column types, indexed foreign
//! keys, and a configurable schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::process::Command;

use chatmrpt_db_core::{DatabaseUrl, PostgresConfig, StoreInfo, Table};
use chatmrpt_db_postgres::{PgStore, connect};
use chatmrpt_db_testing::pg::{TestDatabase, TestSchema};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

fn store(url: &str, schema: &str) -> PgStore {
    let mut config = PostgresConfig::new(DatabaseUrl::new(url));
    config.schema = schema.to_owned();
    config.pool_size = 2;
    PgStore::open(&config).unwrap()
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

fn columns(url: &str, schema: &str) -> Vec<Column> {
    let mut conn = connect(&DatabaseUrl::new(url)).unwrap();
    diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = $1 AND table_name NOT LIKE '\\_\\_diesel%' ORDER BY 1, 2",
    )
    .bind::<Text, _>(schema)
    .load(&mut conn)
    .unwrap()
}

#[test]
fn migrations_run_up_down_and_up_again_to_the_same_schema() {
    let db = TestDatabase::new();
    let pg = store(db.url(), "public");
    assert!(!pg.run_migrations().unwrap().is_empty());
    let first = columns(db.url(), "public");
    assert!(
        first
            .iter()
            .any(|c| c.table_name == "sessions" && c.column_name == "last_activity")
    );
    pg.revert_all_migrations().unwrap();
    assert!(
        columns(db.url(), "public").is_empty(),
        "down.sql left tables behind"
    );
    pg.run_migrations().unwrap();
    assert_eq!(columns(db.url(), "public"), first);
    assert!(
        pg.run_migrations().unwrap().is_empty(),
        "a second migrate applies nothing"
    );
}

#[test]
fn column_types_hold_legacy_values_exactly() {
    let schema = TestSchema::new();
    store(schema.url(), schema.schema())
        .run_migrations()
        .unwrap();
    let cols = columns(schema.url(), schema.schema());
    assert!(!cols.is_empty());
    for c in &cols {
        assert_ne!(
            c.data_type, "real",
            "{}.{} is float4",
            c.table_name, c.column_name
        );
        assert_ne!(
            c.data_type, "integer",
            "{}.{} is int4",
            c.table_name, c.column_name
        );
        assert_ne!(
            c.data_type, "timestamp without time zone",
            "{}.{}",
            c.table_name, c.column_name
        );
    }
    let type_of = |t: &str, col: &str| {
        cols.iter()
            .find(|c| c.table_name == t && c.column_name == col)
            .map(|c| c.data_type.as_str())
    };
    assert_eq!(
        type_of("llm_interactions", "latency"),
        Some("double precision")
    );
    assert_eq!(type_of("file_uploads", "file_size"), Some("bigint"));
    assert_eq!(
        type_of("sessions", "start_time"),
        Some("timestamp with time zone")
    );
    assert_eq!(type_of("sessions", "analysis_complete"), Some("boolean"));
    assert_eq!(type_of("llm_interactions", "enhanced_timing"), Some("text"));
}

#[test]
fn tables_live_in_the_configured_schema_only() {
    let schema = TestSchema::new();
    let pg = store(schema.url(), schema.schema());
    pg.run_migrations().unwrap();
    let tables: std::collections::BTreeSet<String> = columns(schema.url(), schema.schema())
        .into_iter()
        .map(|c| c.table_name)
        .collect();
    for table in Table::ALL {
        assert!(
            tables.contains(table.name()),
            "{table} missing from {}",
            schema.schema()
        );
        assert_eq!(pg.count_rows(table).unwrap(), 0);
    }
    assert!(
        columns(schema.url(), "public")
            .iter()
            .all(|c| c.table_name != "messages" || schema.schema() == "public")
    );
}

#[derive(QueryableByName)]
struct Unindexed {
    #[diesel(sql_type = Text)]
    constraint: String,
}

#[test]
fn every_foreign_key_is_enforced_and_leads_an_index() {
    let schema = TestSchema::new();
    store(schema.url(), schema.schema())
        .run_migrations()
        .unwrap();
    let mut conn = connect(&DatabaseUrl::new(schema.url())).unwrap();
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let fks: N = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = $1 AND c.convalidated",
    )
    .bind::<Text, _>(schema.schema())
    .get_result(&mut conn)
    .unwrap();
    assert!(
        fks.n >= 18,
        "expected the declared foreign keys, found {}",
        fks.n
    );
    let unindexed: Vec<Unindexed> = diesel::sql_query(
        "SELECT c.conname::text AS constraint FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = $1 AND NOT EXISTS ( \
           SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
    )
    .bind::<Text, _>(schema.schema())
    .load(&mut conn)
    .unwrap();
    let names: Vec<_> = unindexed.into_iter().map(|u| u.constraint).collect();
    assert!(
        names.is_empty(),
        "foreign keys without a leading index: {names:?}"
    );
}

fn diesel_cli() -> std::path::PathBuf {
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    [std::path::PathBuf::from("diesel"), home.join(".cargo/bin/diesel")]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!("diesel_cli not found; install it with `cargo install diesel_cli --no-default-features --features postgres,sqlite` (scripts/install-prereqs does)")
        })
}

#[test]
fn schema_rs_matches_diesel_print_schema_of_the_migrations() {
    let db = TestDatabase::new();
    store(db.url(), "public").run_migrations().unwrap();
    let output = Command::new(diesel_cli())
        .args(["print-schema", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(
        printed == include_str!("../src/schema.rs"),
        "src/schema.rs drifted from migrations_postgres; regenerate it with diesel print-schema (see README)"
    );
}

#[test]
fn unreachable_server_is_unavailable_without_the_password() {
    let mut config = PostgresConfig::new(DatabaseUrl::new(
        "postgres://app:hunter2@127.0.0.1:1/x?connect_timeout=1",
    ));
    config.connect_timeout_s = 1;
    let err = PgStore::open(&config).unwrap_err();
    assert!(
        matches!(
            err,
            chatmrpt_db_core::Error::Unavailable {
                store: "postgres",
                ..
            }
        ),
        "{err:?}"
    );
    let shown = format!("{err:?} {}", chatmrpt_db_core::error::error_chain(&err));
    assert!(!shown.contains("hunter2"), "{shown}");
}
