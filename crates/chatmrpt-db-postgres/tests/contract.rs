//! The contract suite on the PostgreSQL store, each test in its own schema
//! of a real server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use chatmrpt_db_core::{DatabaseUrl, PostgresConfig};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_testing::contract::StoreUnderTest;
use chatmrpt_db_testing::pg::TestSchema;

fn pg_store() -> StoreUnderTest {
    let schema = TestSchema::new();
    let mut config = PostgresConfig::new(DatabaseUrl::new(schema.url()));
    config.schema = schema.schema().to_owned();
    config.pool_size = 8;
    let store = PgStore::open(&config).unwrap();
    store.run_migrations().unwrap();
    StoreUnderTest::new(store).with_guard(schema)
}

chatmrpt_db_testing::contract_tests!(pg_store());
