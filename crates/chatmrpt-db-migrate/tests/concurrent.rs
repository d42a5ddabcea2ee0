//! Backfill while dual write is live: newer rows are never overwritten and
//! sessions converge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use chatmrpt_db_core::{
    Message, MessageId, MessageRepository, SessionId, SessionRepository, SessionStart, Table,
    Timestamp,
};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_testing::legacy::Release;
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    session_id: Option<String>,
}

fn legacy_keys(path: &std::path::Path, sql: &str) -> Vec<Key> {
    let mut sqlite = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query(sql).load(&mut sqlite).unwrap()
}

#[derive(QueryableByName, Debug)]
struct SessionRow {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_activity: Option<chrono::DateTime<chrono::Utc>>,
    #[diesel(sql_type = Nullable<Bool>)]
    files_uploaded: Option<bool>,
}

#[test]
fn concurrent_dual_writes_are_kept_and_sessions_converge() {
    let fx = fixture(Release::AllReleases, 0.1);
    let schema = TestSchema::new();
    let store = PgStore::open(&config(&schema)).unwrap();
    store.run_migrations().unwrap();
    // Messages the source has, re-written "newer" by dual write.
    let messages = legacy_keys(
        &fx.path,
        "SELECT message_id AS id, session_id FROM messages WHERE session_id IN (SELECT session_id FROM sessions) LIMIT 20",
    );
    let session = legacy_keys(&fx.path, "SELECT session_id AS id, session_id FROM sessions WHERE start_time > '2020' ORDER BY rowid LIMIT 1 OFFSET 3000").remove(0).id;
    let far_future = Timestamp::parse_legacy("2030-01-01 00:00:00").unwrap();
    // Dual write was live before the backfill: it already wrote newer
    // versions of 20 rows the file also has.
    for key in &messages {
        let sid = key.session_id.clone().unwrap();
        let mut m = Message::new(sid.as_str(), "assistant", "newer text from dual write");
        m.message_id = MessageId::new(key.id.as_str());
        store.log_message(&m).unwrap();
    }
    // And it keeps writing while the backfill runs.
    let writer = std::thread::spawn({
        let store = store.clone();
        let session = session.clone();
        move || {
            let id = SessionId::new(session.as_str());
            store
                .start_session(&SessionStart {
                    at: far_future,
                    ..SessionStart::new(session.as_str())
                })
                .unwrap();
            for _ in 0..30 {
                store
                    .log_message(&Message::new(
                        session.as_str(),
                        "user",
                        "written during the backfill",
                    ))
                    .unwrap();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            store.touch_session(&id, far_future).unwrap();
            store.set_files_uploaded(&id, true).unwrap();
        }
    });
    let summary = run(&fx.path, &config(&schema), 300);
    writer.join().unwrap();
    assert!(summary.is_complete());
    let mut conn = conn(&schema);
    let newer = count(
        &mut conn,
        "SELECT count(*) AS n FROM messages WHERE content = 'newer text from dual write'",
    );
    assert_eq!(newer, 20, "dual-write rows are never overwritten");
    assert_eq!(
        rows(&mut conn, Table::Messages),
        fx.summary.rows("messages") + 30
    );
    let present: u64 = summary
        .tables
        .iter()
        .filter(|t| t.table == Table::Messages)
        .map(|t| t.total.already_present)
        .sum();
    assert_eq!(
        present, 20,
        "the rows dual write had are counted as present"
    );
    let row: SessionRow = diesel::sql_query(
        "SELECT start_time, last_activity, files_uploaded FROM sessions WHERE session_id = $1",
    )
    .bind::<Text, _>(&session)
    .get_result(&mut conn)
    .unwrap();
    let legacy: Vec<Key> = legacy_keys(
        &fx.path,
        &format!(
            "SELECT start_time AS id, NULL AS session_id FROM sessions WHERE session_id = '{session}'"
        ),
    );
    let legacy_start = Timestamp::parse_legacy(&legacy[0].id)
        .unwrap()
        .as_datetime();
    assert_eq!(row.start_time, Some(legacy_start), "earliest start wins");
    assert_eq!(
        row.last_activity,
        Some(far_future.as_datetime()),
        "latest activity wins"
    );
    assert_eq!(row.files_uploaded, Some(true), "flags are OR-ed");
}
