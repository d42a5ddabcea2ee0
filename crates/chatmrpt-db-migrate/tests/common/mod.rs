//! Shared helpers of the migrate tests: fixtures, targets, hashes.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses a subset; a panic is the failure report"
)]

use std::path::{Path, PathBuf};

use chatmrpt_db_core::{DatabaseUrl, PostgresConfig, Table};
use chatmrpt_db_migrate::{BackfillOptions, BackfillSummary, NoProgress, backfill};
use chatmrpt_db_testing::legacy::{FixtureSummary, Release, write_legacy_file};
use chatmrpt_db_testing::pg::TestSchema;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use sha2::{Digest, Sha256};

/// A fixture file in its own temp dir.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub summary: FixtureSummary,
}

pub fn fixture(release: Release, scale: f64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    let summary = write_legacy_file(&path, release, scale, 7).unwrap();
    Fixture { dir, path, summary }
}

pub fn config(schema: &TestSchema) -> PostgresConfig {
    let mut config = PostgresConfig::new(DatabaseUrl::new(schema.url()));
    config.schema = schema.schema().to_owned();
    config.pool_size = 2;
    config
}

/// `schema`'s target, migrated: rows can be stored there before a backfill.
pub fn migrated(schema: &TestSchema) -> PostgresConfig {
    let target = config(schema);
    chatmrpt_db_postgres::PgStore::open(&target)
        .unwrap()
        .run_migrations()
        .unwrap();
    target
}

pub fn run(source: &Path, target: &PostgresConfig, batch_rows: usize) -> BackfillSummary {
    let options = BackfillOptions {
        batch_rows,
        ..BackfillOptions::default()
    };
    backfill(source, target, &options, &mut NoProgress).unwrap()
}

pub fn file_hash(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// A connection in the test schema.
pub fn conn(schema: &TestSchema) -> PgConnection {
    let mut conn = PgConnection::establish(schema.url()).unwrap();
    diesel::sql_query("SELECT set_config('search_path', $1, false)")
        .bind::<Text, _>(schema.schema())
        .execute(&mut conn)
        .unwrap();
    conn
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub fn count(conn: &mut PgConnection, sql: &str) -> u64 {
    diesel::sql_query(sql)
        .get_result::<N>(conn)
        .unwrap()
        .n
        .try_into()
        .unwrap()
}

pub fn rows(conn: &mut PgConnection, table: Table) -> u64 {
    count(conn, &format!("SELECT count(*) AS n FROM {}", table.name()))
}
