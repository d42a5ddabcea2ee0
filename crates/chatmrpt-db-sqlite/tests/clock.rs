//! One clock per file: the store writes a log row's time as the wall clock
//! of the file's zone (the legacy application's `datetime.now()`), reads
//! the legacy application's rows in the same zone, records the zone in the
//! file, and refuses a setting that contradicts it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::path::Path;

use chatmrpt_db_core::{
    Error, LegacyZone, Message, MessageRepository, SessionId, SqliteConfig, Stage, StageChange,
    StageStore, Timestamp,
};
use chatmrpt_db_sqlite::{MIGRATIONS, SqliteStore, connect, migrate_file, settle_legacy_zone};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_migrations::MigrationHarness;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).unwrap()
}

fn zone(text: &str) -> LegacyZone {
    text.parse().unwrap()
}

fn open(path: &Path, legacy_timezone: Option<LegacyZone>) -> SqliteStore {
    SqliteStore::open(&SqliteConfig {
        path: path.to_path_buf(),
        legacy_timezone,
        ..SqliteConfig::default()
    })
    .unwrap()
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn text(path: &Path, sql: &str) -> Option<String> {
    let mut conn = connect(path.to_str().unwrap()).unwrap();
    diesel::sql_query(sql)
        .get_result::<Value>(&mut conn)
        .unwrap()
        .v
}

fn message(id: &str, when: Timestamp) -> Message {
    let mut m = Message::new(SessionId::new("s-1"), "user", "Ina kwana?");
    m.message_id = chatmrpt_db_core::MessageId::new(id);
    m.timestamp = Some(when);
    m
}

#[test]
fn the_store_and_the_legacy_writer_share_the_file_s_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    migrate_file(&path, 5_000).unwrap();
    let store = open(&path, Some(zone("Europe/Paris")));
    // Summer in Paris is UTC+2: the store writes the wall clock.
    store
        .log_message(&message("m-store", at("2025-07-15 08:00:00.125000")))
        .unwrap();
    assert_eq!(
        text(
            &path,
            "SELECT timestamp AS v FROM messages WHERE message_id = 'm-store'"
        )
        .as_deref(),
        Some("2025-07-15 10:00:00.125000")
    );
    assert_eq!(
        text(
            &path,
            "SELECT legacy_timezone AS v FROM chatmrpt_file_identity"
        )
        .as_deref(),
        Some("Europe/Paris")
    );
    // The legacy application's row, written as `str(datetime.now())` in
    // winter (UTC+1), is read as the instant it stands for.
    connect(path.to_str().unwrap())
        .unwrap()
        .batch_execute(
            "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
             VALUES ('m-legacy', 's-1', '2025-01-15 10:00:00', 'user', 'legacy')",
        )
        .unwrap();
    let read = store.list_messages(&SessionId::new("s-1")).unwrap();
    let find = |id: &str| {
        read.iter()
            .find(|m| m.message_id.as_str() == id)
            .and_then(|m| m.timestamp)
            .unwrap()
    };
    assert_eq!(find("m-legacy"), at("2025-01-15 09:00:00"));
    assert_eq!(find("m-store"), at("2025-07-15 08:00:00.125000"));
    // The session the message created carries the same clock.
    assert_eq!(
        text(
            &path,
            "SELECT start_time AS v FROM sessions WHERE session_id = 's-1'"
        )
        .as_deref(),
        Some("2025-07-15 10:00:00.125000")
    );
    // The store's own bookkeeping stays UTC, whatever the file's clock.
    store
        .record_stage(&StageChange {
            from: Stage::Off,
            to: Stage::DualWrite,
            changed_by: "clock test".into(),
            changed_at: at("2025-07-15 08:00:00"),
            forced: false,
        })
        .unwrap();
    assert_eq!(
        text(
            &path,
            "SELECT changed_at AS v FROM chatmrpt_stage_history ORDER BY id DESC LIMIT 1"
        )
        .as_deref(),
        Some("2025-07-15 08:00:00")
    );
}

#[test]
fn a_setting_that_contradicts_the_file_is_refused_and_none_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    migrate_file(&path, 5_000).unwrap();
    assert_eq!(
        settle_legacy_zone(&path, Some(zone("Africa/Lagos")), false).unwrap(),
        zone("Africa/Lagos")
    );
    // A store configured for another zone writes nothing into the file.
    let wrong = open(&path, Some(LegacyZone::UTC));
    let err = wrong
        .log_message(&message("m-1", at("2025-07-15 08:00:00")))
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("Africa/Lagos") && shown.contains("one clock"),
        "{shown}"
    );
    assert_eq!(
        text(&path, "SELECT CAST(count(*) AS TEXT) AS v FROM messages").as_deref(),
        Some("0")
    );
    let err = settle_legacy_zone(&path, Some(zone("+01:00")), false).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    // Unset: the file's clock.
    assert_eq!(
        open(&path, None).legacy_zone().unwrap(),
        zone("Africa/Lagos")
    );
}

#[test]
fn a_file_the_store_wrote_before_the_clock_existed_keeps_utc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    migrate_file(&path, 5_000).unwrap();
    // The file as the previous release left it: rows written in UTC, no
    // clock recorded.
    let mut conn = connect(path.to_str().unwrap()).unwrap();
    // Back to before 000008 (and what came after it).
    while conn
        .applied_migrations()
        .unwrap()
        .iter()
        .any(|v| v.to_string().starts_with("20261203000008"))
    {
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
    conn.batch_execute(
        "INSERT INTO sessions (session_id, start_time) VALUES ('s-1', '2025-07-15 08:00:00')",
    )
    .unwrap();
    drop(conn);
    let applied = migrate_file(&path, 5_000).unwrap();
    assert!(applied[0].starts_with("20261203000008"), "{applied:?}");
    let store = open(&path, None);
    assert_eq!(store.legacy_zone().unwrap(), LegacyZone::UTC);
    store
        .log_message(&message("m-1", at("2025-07-15 08:00:00")))
        .unwrap();
    assert_eq!(
        text(&path, "SELECT timestamp AS v FROM messages").as_deref(),
        Some("2025-07-15 08:00:00")
    );
    // Asking for another zone is refused, not a silent change of clock.
    assert!(settle_legacy_zone(&path, Some(zone("Europe/Paris")), false).is_err());
}

#[test]
fn a_read_never_records_the_clock_the_first_write_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    migrate_file(&path, 5_000).unwrap();
    let clock = || {
        text(
            &path,
            "SELECT legacy_timezone AS v FROM chatmrpt_file_identity",
        )
    };
    let store = open(&path, Some(zone("-03:00")));
    assert!(
        store
            .list_messages(&SessionId::new("s-1"))
            .unwrap()
            .is_empty()
    );
    // The stage copy a look may refresh, a heartbeat: bookkeeping, in UTC,
    // never the moment a file's clock is decided.
    store
        .cache_stage(&StageChange {
            from: Stage::Off,
            to: Stage::DualWrite,
            changed_by: "status".into(),
            changed_at: at("2025-07-15 08:00:00"),
            forced: false,
        })
        .unwrap();
    assert_eq!(clock(), None, "a look leaves the clock undecided");
    store
        .log_message(&message("m-1", at("2025-07-15 08:00:00")))
        .unwrap();
    assert_eq!(clock().as_deref(), Some("-03:00"));
    assert_eq!(
        text(&path, "SELECT timestamp AS v FROM messages").as_deref(),
        Some("2025-07-15 05:00:00")
    );
}
