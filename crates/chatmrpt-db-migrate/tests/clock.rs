//! One clock per file: a file the SQLite store and a legacy-style writer
//! both wrote in a zone that is not UTC is backfilled and verified in the
//! zone the file records, so the rows of both writers land at the instants
//! they stand for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use chatmrpt_db_core::{
    LegacyZone, Message, MessageId, MessageRepository, SessionId, SqliteConfig, Table, Timestamp,
};
use chatmrpt_db_migrate::verify::{StoreRef, VerifyOptions, verify_with};
use chatmrpt_db_migrate::{BackfillOptions, Error, NoProgress, backfill};
use chatmrpt_db_sqlite::{SqliteStore, connect, migrate_file};
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).unwrap()
}

#[derive(QueryableByName)]
struct Utc {
    #[diesel(sql_type = Text)]
    v: String,
}

/// The target's value of `column` for `key`, as UTC text.
fn utc(conn: &mut PgConnection, table: &str, column: &str, key: (&str, &str)) -> String {
    diesel::sql_query(format!(
        "SELECT to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v \
         FROM {table} WHERE {} = $1",
        key.0
    ))
    .bind::<Text, _>(key.1)
    .get_result::<Utc>(conn)
    .unwrap()
    .v
}

#[test]
fn rows_of_the_store_and_of_the_legacy_writer_land_at_their_instants() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    migrate_file(&path, 5_000).unwrap();
    let paris: LegacyZone = "Europe/Paris".parse().unwrap();
    let store = SqliteStore::open(&SqliteConfig {
        path: path.clone(),
        legacy_timezone: Some(paris),
        ..SqliteConfig::default()
    })
    .unwrap();
    // The store: a message at 08:00:00.125 UTC in summer (10:00 in Paris).
    let mut m = Message::new(SessionId::new("s-store"), "user", "Sannu");
    m.message_id = MessageId::new("m-store");
    m.timestamp = Some(at("2025-07-15 08:00:00.125000"));
    store.log_message(&m).unwrap();
    drop(store);
    // The legacy application: a new connection per write, naive local
    // time, its session rewritten on every request; one message in the
    // hour Paris repeats when the clocks go back.
    for sql in [
        "INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity) \
         VALUES ('s-legacy', '2025-01-15 10:00:00', '2025-01-15 10:00:00')",
        "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
         VALUES ('m-winter', 's-legacy', '2025-01-15 10:00:00', 'user', 'winter')",
        "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
         VALUES ('m-repeated', 's-legacy', '2025-10-26 02:30:00', 'user', 'twice')",
        "INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity) \
         VALUES ('s-legacy', '2025-01-15 10:00:00', '2025-10-26 02:30:00')",
    ] {
        connect(path.to_str().unwrap())
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }

    let schema = TestSchema::new();
    let target = config(&schema);
    // An explicit zone that contradicts the file is refused before the
    // target is touched.
    let wrong = BackfillOptions {
        source_timezone: Some(LegacyZone::UTC),
        ..BackfillOptions::default()
    };
    let err = backfill(&path, &target, &wrong, &mut NoProgress).unwrap_err();
    assert!(matches!(err, Error::Options(_)), "{err:?}");
    assert!(err.to_string().contains("Europe/Paris"), "{err}");
    let mut pg = conn(&schema);

    let summary = backfill(&path, &target, &BackfillOptions::default(), &mut NoProgress).unwrap();
    assert!(summary.is_complete());
    assert_eq!(summary.source_timezone, "Europe/Paris");
    assert_eq!(rows(&mut pg, Table::Messages), 3);
    let message =
        |pg: &mut PgConnection, id: &str| utc(pg, "messages", "timestamp", ("message_id", id));
    assert_eq!(message(&mut pg, "m-store"), "2025-07-15 08:00:00.125000");
    assert_eq!(message(&mut pg, "m-winter"), "2025-01-15 09:00:00.000000");
    // 02:30 happened at 00:30 and 01:30 UTC: read as the first, and said.
    assert_eq!(message(&mut pg, "m-repeated"), "2025-10-26 00:30:00.000000");
    let messages = summary
        .tables
        .iter()
        .find(|t| t.table == Table::Messages)
        .unwrap();
    assert_eq!(
        messages.total.values_converted, 1,
        "the repeated hour is reported"
    );
    let session = |pg: &mut PgConnection, column: &str| {
        utc(pg, "sessions", column, ("session_id", "s-store"))
    };
    assert_eq!(session(&mut pg, "start_time"), "2025-07-15 08:00:00.125000");

    // Verify reads the file on the same clock: equal.
    let report = verify_with(
        &StoreRef::Sqlite(path.clone()),
        &StoreRef::Postgres(target.clone()),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert!(report.is_equal(), "{report:?}");
    let wrong = VerifyOptions {
        source_timezone: Some("+01:00".parse().unwrap()),
        ..VerifyOptions::default()
    };
    let err = verify_with(
        &StoreRef::Sqlite(path.clone()),
        &StoreRef::Postgres(target),
        &wrong,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Options(_)), "{err:?}");
}

#[test]
fn a_label_resumes_only_in_the_zone_it_was_copied_in() {
    let fx = fixture(chatmrpt_db_testing::legacy::Release::Routing, 0.01);
    let schema = TestSchema::new();
    let target = config(&schema);
    let in_zone = |zone: &str| BackfillOptions {
        source_timezone: Some(zone.parse().unwrap()),
        source_label: Some("host-a".into()),
        ..BackfillOptions::default()
    };
    let first = backfill(&fx.path, &target, &in_zone("+05:30"), &mut NoProgress).unwrap();
    assert!(first.is_complete());
    let before = rows(&mut conn(&schema), Table::Messages);
    let err = backfill(&fx.path, &target, &in_zone("UTC"), &mut NoProgress).unwrap_err();
    assert!(matches!(err, Error::Options(_)), "{err:?}");
    assert!(err.to_string().contains("+05:30"), "{err}");
    assert_eq!(rows(&mut conn(&schema), Table::Messages), before);
    let again = backfill(&fx.path, &target, &in_zone("+05:30"), &mut NoProgress).unwrap();
    assert_eq!(again.rows_read(), 0);
}
