//! Sessions converge by one written rule (`chatmrpt_db_core::convergence`):
//! the backfill's SQL merge gives exactly what the Rust rule gives, for
//! every pair of copies; verify then finds the stores equal, and still names
//! a session that truly differs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use chatmrpt_db_core::{Session, SessionId, SessionRepository, Timestamp};
use chatmrpt_db_migrate::verify::{StoreRef, verify};
use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz};
use diesel::sqlite::SqliteConnection;

fn at(second: u32) -> Option<Timestamp> {
    Some(Timestamp::parse_legacy(&format!("2025-08-01 10:00:{second:02}.250000")).unwrap())
}

fn copy(
    start: Option<Timestamp>,
    last: Option<Timestamp>,
    client: Option<(&str, &str)>,
    flags: (Option<bool>, Option<bool>),
) -> Session {
    Session {
        session_id: SessionId::from(""),
        start_time: start,
        last_activity: last,
        user_language: client.map(|(l, _)| l.to_owned()),
        browser_info: client.map(|_| "Mozilla/5.0".to_owned()),
        ip_address: client.map(|(_, ip)| ip.to_owned()),
        analysis_complete: flags.0,
        files_uploaded: flags.1,
    }
}

/// Copies covering the rule's ties and NULLs.
fn copies() -> Vec<Session> {
    vec![
        copy(
            at(1),
            at(5),
            Some(("en", "10.0.0.1")),
            (Some(false), Some(false)),
        ),
        copy(
            at(3),
            at(9),
            Some(("fr", "10.0.0.2")),
            (Some(true), Some(false)),
        ),
        copy(at(9), at(9), Some(("en", "10.0.0.3")), (Some(false), None)),
        copy(at(2), at(9), None, (None, Some(true))),
        copy(None, at(12), None, (Some(false), Some(false))),
        copy(at(0), None, Some(("ha", "10.0.0.4")), (None, None)),
        copy(None, None, None, (None, None)),
        copy(
            at(4),
            at(7),
            Some(("en", "10.0.0.9")),
            (Some(false), Some(true)),
        ),
    ]
}

fn text_time(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.as_datetime().format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

/// Puts `session` in the PostgreSQL target as it is.
fn store_pg(conn: &mut PgConnection, s: &Session) {
    diesel::sql_query(
        "INSERT INTO sessions (session_id, start_time, last_activity, user_language, browser_info, ip_address, analysis_complete, files_uploaded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind::<Text, _>(s.session_id.as_str())
    .bind::<Nullable<Timestamptz>, _>(s.start_time.map(|t| t.as_datetime()))
    .bind::<Nullable<Timestamptz>, _>(s.last_activity.map(|t| t.as_datetime()))
    .bind::<Nullable<Text>, _>(s.user_language.as_deref())
    .bind::<Nullable<Text>, _>(s.browser_info.as_deref())
    .bind::<Nullable<Text>, _>(s.ip_address.as_deref())
    .bind::<Nullable<Bool>, _>(s.analysis_complete)
    .bind::<Nullable<Bool>, _>(s.files_uploaded)
    .execute(conn)
    .unwrap();
}

/// Puts `session` in the legacy file, as the legacy application stores it.
fn store_file(conn: &mut SqliteConnection, s: &Session) {
    diesel::sql_query(
        "INSERT INTO sessions (session_id, start_time, last_activity, user_language, browser_info, ip_address, analysis_complete, files_uploaded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Text, _>(s.session_id.as_str())
    .bind::<Nullable<Text>, _>(text_time(s.start_time))
    .bind::<Nullable<Text>, _>(text_time(s.last_activity))
    .bind::<Nullable<Text>, _>(s.user_language.as_deref())
    .bind::<Nullable<Text>, _>(s.browser_info.as_deref())
    .bind::<Nullable<Text>, _>(s.ip_address.as_deref())
    .bind::<Nullable<Bool>, _>(s.analysis_complete)
    .bind::<Nullable<Bool>, _>(s.files_uploaded)
    .execute(conn)
    .unwrap();
}

fn named(s: &Session, id: String) -> Session {
    Session {
        session_id: SessionId::from(id),
        ..s.clone()
    }
}

#[test]
fn the_backfill_merges_every_pair_of_copies_as_the_rule_says_and_verify_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    write_legacy_file(&path, Release::Routing, 0.001, 7).unwrap();
    let schema = TestSchema::new();
    // Migrated, so the copies can be stored before the backfill.
    let target = migrated(&schema);
    let mut pg = conn(&schema);
    let mut file = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let all = copies();
    let mut expected = Vec::new();
    for (i, stored) in all.iter().enumerate() {
        for (j, copied) in all.iter().enumerate() {
            let id = format!("pair-{i}-{j}");
            store_pg(&mut pg, &named(stored, id.clone()));
            store_file(&mut file, &named(copied, id.clone()));
            expected.push(named(&stored.converge(copied), id));
        }
    }
    drop(file);
    let summary = run(&path, &target, 13);
    assert!(summary.is_complete());
    // Read back through the store's own reader.
    let store = chatmrpt_db_postgres::PgStore::open(&target).unwrap();
    for e in &expected {
        let merged = store.get_session(&e.session_id).unwrap();
        assert_eq!(
            merged.as_ref(),
            Some(e),
            "SQL merge and the rule differ for {}",
            e.session_id
        );
    }

    // Every target session absorbs the file's copy: verify agrees, and
    // counts the sessions whose rows differ yet converge.
    let file_side = StoreRef::Sqlite(path.clone());
    let report = verify(&file_side, &StoreRef::Postgres(target.clone())).unwrap();
    assert!(report.is_equal(), "{report:#?}");
    let sessions = report
        .tables
        .iter()
        .find(|t| t.table == chatmrpt_db_core::Table::Sessions)
        .unwrap();
    assert!(sessions.converged > 0, "{sessions:#?}");

    // A session that truly differs (the target lost the file's later
    // activity) is still named.
    diesel::sql_query(
        "UPDATE sessions SET last_activity = last_activity - interval '1 hour' WHERE session_id = 'pair-1-1'",
    )
    .execute(&mut pg)
    .unwrap();
    let report = verify(&file_side, &StoreRef::Postgres(target)).unwrap();
    let sessions = report
        .tables
        .iter()
        .find(|t| t.table == chatmrpt_db_core::Table::Sessions)
        .unwrap();
    assert_eq!(sessions.differing.keys, vec!["pair-1-1".to_owned()]);
}
