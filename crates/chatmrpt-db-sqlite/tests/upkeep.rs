//! The store's upkeep: a passive WAL checkpoint off the write path, on a
//! connection of its own, that never changes what the file holds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use chatmrpt_db_core::{Message, MessageRepository, SessionId, SqliteConfig, StoreInfo, Table};
use chatmrpt_db_sqlite::{SqliteStore, migrate_file};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Messages in the main database file alone, as a copy of it without its
/// WAL shows them: what a checkpoint has copied into the file.
fn messages_in_the_file_alone(path: &std::path::Path, scratch: &std::path::Path) -> i64 {
    let _ = std::fs::remove_file(scratch);
    std::fs::copy(path, scratch).unwrap();
    let mut conn = SqliteConnection::establish(&scratch.to_string_lossy()).unwrap();
    diesel::sql_query("SELECT count(*) AS n FROM messages")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

#[test]
fn a_checkpoint_off_the_write_path_copies_every_committed_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    let scratch = dir.path().join("file-alone.db");
    migrate_file(&path, 5_000).unwrap();
    // Writers that never checkpoint in this test: the WAL only grows.
    let store = SqliteStore::open(&SqliteConfig {
        path: path.clone(),
        wal_autocheckpoint: 1_000_000,
        ..SqliteConfig::default()
    })
    .unwrap();
    for i in 0..200 {
        store
            .log_message(&Message::new("s-upkeep", "user", format!("hello {i}")))
            .unwrap();
    }
    assert_eq!(
        messages_in_the_file_alone(&path, &scratch),
        0,
        "the writes wait in the WAL"
    );
    store.housekeep().unwrap();
    assert_eq!(
        messages_in_the_file_alone(&path, &scratch),
        200,
        "every committed write copied into the file"
    );
    // Upkeep changes nothing the store holds.
    assert_eq!(store.count_rows(Table::Messages).unwrap(), 200);
    let listed = store.list_messages(&SessionId::from("s-upkeep")).unwrap();
    assert_eq!(listed.len(), 200);
    assert_eq!(listed[199].content.as_deref(), Some("hello 199"));
    // Again, with nothing new: still fine.
    store.housekeep().unwrap();
}
