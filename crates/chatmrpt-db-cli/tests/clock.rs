//! `chatmrpt-db clock`: the explicit, reported step that changes a file's
//! clock. A look and a dry run leave the file byte for byte; --apply
//! rewrites every log timestamp in one transaction and lists the times
//! that land in an hour the new zone repeats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::path::Path;

mod common;

use chatmrpt_db::{
    LegacyZone, Message, MessageId, MessageRepository, SessionId, SqliteConfig, SqliteStore,
    Timestamp,
};
use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use common::{chatmrpt_db, text};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

fn at(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).unwrap()
}

fn bytes(path: &Path) -> Vec<Option<Vec<u8>>> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| std::fs::read(format!("{}{s}", path.display())).ok())
        .collect()
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn value(path: &Path, sql: &str) -> Option<String> {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query(sql).get_result::<V>(&mut conn).unwrap().v
}

/// A file the store wrote in UTC: three messages, one an epoch number.
fn utc_file(path: &Path) {
    chatmrpt_db_sqlite::migrate_file(path, 5_000).unwrap();
    let store = SqliteStore::open(&SqliteConfig {
        path: path.to_path_buf(),
        legacy_timezone: Some(LegacyZone::UTC),
        ..SqliteConfig::default()
    })
    .unwrap();
    for (id, when) in [
        ("m-summer", "2025-07-15 08:00:00.250000"),
        // Both are 02:30 in Paris on 2025-10-26 (clocks go back at 03:00):
        // the first reads back as itself, the second an hour early.
        ("m-first", "2025-10-26 00:30:00"),
        ("m-second", "2025-10-26 01:30:00"),
    ] {
        let mut m = Message::new(SessionId::new("s-1"), "user", "hi");
        m.message_id = MessageId::new(id);
        m.timestamp = Some(at(when));
        store.log_message(&m).unwrap();
    }
    drop(store);
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute(
        "INSERT INTO messages (message_id, session_id, timestamp) VALUES ('m-epoch', 's-1', 1752566400)",
    )
    .unwrap();
}

#[test]
fn a_dry_run_changes_nothing_and_apply_moves_every_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.db");
    utc_file(&path);
    let look = chatmrpt_db(&["clock", "i.db"], dir.path());
    assert_eq!(look.status.code(), Some(0), "{}", text(&look.stderr));
    assert!(
        text(&look.stdout).contains("written in UTC"),
        "{}",
        text(&look.stdout)
    );

    // The file and its neighbours as the look left them (nothing beside a
    // closed WAL file: see chatmrpt_db_sqlite::Look).
    let before = bytes(&path);
    let dry = chatmrpt_db(
        &["clock", "i.db", "--convert-to", "Europe/Paris"],
        dir.path(),
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    let shown = text(&dry.stdout);
    assert!(
        shown.contains("would convert") && shown.contains("m-second"),
        "{shown}"
    );
    assert_eq!(bytes(&path), before, "a dry run writes nothing");

    let out = chatmrpt_db(
        &[
            "clock",
            "i.db",
            "--convert-to",
            "Europe/Paris",
            "--apply",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["from"], "UTC");
    assert_eq!(report["to"], "Europe/Paris");
    assert_eq!(report["applied"], true);
    let messages = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == "messages")
        .unwrap();
    assert_eq!(messages["converted"], 3);
    assert_eq!(
        messages["kept"], 1,
        "the epoch number is an instant already"
    );
    assert_eq!(messages["repeated"], 1);
    assert_eq!(messages["repeated_keys"], serde_json::json!(["m-second"]));

    let stored = |id: &str| {
        value(
            &path,
            &format!("SELECT CAST(timestamp AS TEXT) AS v FROM messages WHERE message_id = '{id}'"),
        )
    };
    assert_eq!(
        stored("m-summer").as_deref(),
        Some("2025-07-15 10:00:00.250000")
    );
    assert_eq!(stored("m-first").as_deref(), Some("2025-10-26 02:30:00"));
    assert_eq!(stored("m-second").as_deref(), Some("2025-10-26 02:30:00"));
    assert_eq!(stored("m-epoch").as_deref(), Some("1752566400"));
    assert_eq!(
        value(&path, "SELECT start_time AS v FROM sessions").as_deref(),
        Some("2025-07-15 10:00:00.250000")
    );
    assert_eq!(
        value(
            &path,
            "SELECT legacy_timezone AS v FROM chatmrpt_file_identity"
        )
        .as_deref(),
        Some("Europe/Paris")
    );
    // The store follows the file's new clock: the same instants.
    let store = SqliteStore::open_path(&path).unwrap();
    let read = store.list_messages(&SessionId::new("s-1")).unwrap();
    let summer = read
        .iter()
        .find(|m| m.message_id.as_str() == "m-summer")
        .unwrap();
    assert_eq!(summer.timestamp, Some(at("2025-07-15 08:00:00.250000")));
}

#[test]
fn clock_refuses_what_is_not_a_managed_log_and_leaves_it_unchanged() {
    for kind in ["missing", "legacy", "text"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.db");
        match kind {
            "legacy" => {
                write_legacy_file(&path, Release::NoteEra, 0.01, 7).unwrap();
            }
            "text" => std::fs::write(&path, b"session_id,start_time\n").unwrap(),
            _ => {}
        }
        let before = bytes(&path);
        for args in [
            vec!["clock", "input.db"],
            vec!["clock", "input.db", "--convert-to", "UTC", "--apply"],
        ] {
            let out = chatmrpt_db(&args, dir.path());
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{kind} {args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{kind} {args:?}: {stderr}");
            assert_eq!(bytes(&path), before, "{kind} {args:?}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = chatmrpt_db(
        &["clock", "i.db", "--convert-to", "Mars/Olympus"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("IANA"), "{}", text(&out.stderr));
}
