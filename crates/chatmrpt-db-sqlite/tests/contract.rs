//! The contract suite on the SQLite store, each test on its own temp file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use chatmrpt_db_sqlite::SqliteStore;
use chatmrpt_db_testing::contract::StoreUnderTest;

fn sqlite_store() -> StoreUnderTest {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_path(dir.path().join("interactions.db")).unwrap();
    store.run_migrations().unwrap();
    StoreUnderTest::new(store).with_guard(dir)
}

chatmrpt_db_testing::contract_tests!(sqlite_store());
