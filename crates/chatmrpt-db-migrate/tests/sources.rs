//! Sources are files, not paths: several hosts keep their log at the same
//! path, and a label's progress and quarantine belong to the file it was
//! first run on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::path::Path;

use chatmrpt_db_core::{Message, MessageId, MessageRepository, SessionId, Table};
use chatmrpt_db_migrate::verify::{StoreRef, VerifyOptions, VerifyReport, verify_with};
use chatmrpt_db_migrate::{
    Action, BackfillOptions, Error, NoProgress, ProgressSink, ReportEvent, backfill,
};
use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

/// Appends a session, `n` messages of it with fresh keys, one message whose
/// content is not UTF-8 (quarantined by the backfill) and the session
/// `shared-cookie` as this host saw it to the legacy file at `path`.
fn append_rows(path: &Path, tag: &str, n: usize) {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    // One session both hosts served (the same cookie), seen last by each
    // at another time and address.
    let (shared_at, shared_ip) = if tag.ends_with('a') {
        ("2025-08-01 11:00:05", "10.0.0.1")
    } else {
        ("2025-08-01 11:00:09", "10.0.0.2")
    };
    let mut sql = format!(
        "BEGIN; INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity) \
         VALUES ('session-{tag}', '2025-08-01 10:00:00', '2025-08-01 10:00:09');\
         INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity, ip_address, \
         analysis_complete, files_uploaded) VALUES ('shared-cookie', '{shared_at}', '{shared_at}', \
         '{shared_ip}', 0, 0);"
    );
    for i in 0..n {
        sql.push_str(&format!(
            "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
             VALUES ('{tag}-{i}', 'session-{tag}', '2025-08-01 10:00:0{}', 'user', 'hello');",
            i % 10
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
         VALUES ('{tag}-bad', 'session-{tag}', '2025-08-01 10:00:00', 'user', CAST(X'FF41' AS TEXT));\
         COMMIT;"
    ));
    conn.batch_execute(&sql).unwrap();
}

fn labelled(
    source: &Path,
    target: &chatmrpt_db_core::PostgresConfig,
    label: Option<&str>,
) -> chatmrpt_db_migrate::Result<chatmrpt_db_migrate::BackfillSummary> {
    let options = BackfillOptions {
        batch_rows: 400,
        source_label: label.map(str::to_owned),
        ..BackfillOptions::default()
    };
    backfill(source, target, &options, &mut NoProgress)
}

/// (source, table) -> rows of progress and of quarantine, per source.
fn bookkeeping(conn: &mut PgConnection, source: &str) -> (u64, u64) {
    let quoted = source.replace('\'', "''");
    (
        count(
            conn,
            &format!("SELECT count(*) AS n FROM backfill_progress WHERE source = '{quoted}'"),
        ),
        count(
            conn,
            &format!("SELECT count(*) AS n FROM backfill_quarantine WHERE source = '{quoted}'"),
        ),
    )
}

/// The report events a run sends.
#[derive(Default)]
struct Events(Vec<ReportEvent>);

impl ProgressSink for Events {
    fn batch_committed(
        &mut self,
        _table: Table,
        _rows: u64,
        events: &[ReportEvent],
    ) -> std::io::Result<()> {
        self.0.extend_from_slice(events);
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Shared {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    ip_address: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    last_activity: String,
}

/// The converged `shared-cookie` session in PostgreSQL: address, activity.
fn shared_cookie(conn: &mut PgConnection) -> (Option<String>, String) {
    diesel::sql_query("SET TIME ZONE 'UTC'")
        .execute(conn)
        .unwrap();
    let row: Shared = diesel::sql_query(
        "SELECT ip_address, last_activity::text AS last_activity FROM sessions WHERE session_id = 'shared-cookie'",
    )
    .get_result(conn)
    .unwrap();
    (row.ip_address, row.last_activity)
}

fn total_rows(conn: &mut PgConnection) -> u64 {
    Table::ALL.iter().map(|t| rows(conn, *t)).sum()
}

#[test]
fn a_second_file_at_the_same_path_is_refused_then_loads_under_its_own_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    let first = write_legacy_file(&path, Release::Routing, 0.02, 7).unwrap();
    append_rows(&path, "host-a", 5);
    let schema = TestSchema::new();
    let target = config(&schema);
    let a = labelled(&path, &target, None).unwrap();
    assert!(a.is_complete());
    let label = a.source.clone();
    let mut conn = conn(&schema);
    let (progress_a, quarantine_a) = bookkeeping(&mut conn, &label);
    assert!(quarantine_a >= 1, "host A's bad row is quarantined");
    let rows_after_a = total_rows(&mut conn);

    // Host B's file, at the same absolute path (copied here to backfill it).
    let b_dir = tempfile::tempdir().unwrap();
    let b_path = b_dir.path().join("interactions.db");
    let second = write_legacy_file(&b_path, Release::Routing, 0.02, 8).unwrap();
    append_rows(&b_path, "host-b", 5);
    std::fs::rename(&b_path, &path).unwrap();

    let refused = labelled(&path, &target, None).unwrap_err();
    assert!(matches!(refused, Error::OtherSource { .. }), "{refused:?}");
    let message = refused.to_string();
    assert!(message.contains("--source-label"), "{message}");
    // Nothing loaded, nothing of A's run touched.
    assert_eq!(total_rows(&mut conn), rows_after_a);
    assert_eq!(bookkeeping(&mut conn, &label), (progress_a, quarantine_a));

    // Under a label of its own, every row of B is accounted for; A's
    // progress and quarantine stay as they were; the session both hosts
    // served is merged by the rule, and reported.
    let mut events = Events::default();
    let b = backfill(
        &path,
        &target,
        &BackfillOptions {
            batch_rows: 400,
            source_label: Some("host-b".into()),
            ..BackfillOptions::default()
        },
        &mut events,
    )
    .unwrap();
    let merged: Vec<&ReportEvent> = events
        .0
        .iter()
        .filter(|e| e.action == Action::Merged)
        .collect();
    let sessions = b
        .tables
        .iter()
        .find(|t| t.table == Table::Sessions)
        .unwrap();
    assert_eq!(sessions.total.sessions_merged, merged.len() as u64);
    assert!(
        merged
            .iter()
            .any(|e| e.key.as_deref() == Some("shared-cookie")),
        "{merged:?}"
    );
    let (ip, la) = shared_cookie(&mut conn);
    assert_eq!(
        ip.as_deref(),
        Some("10.0.0.2"),
        "the details of the later activity"
    );
    assert_eq!(la, "2025-08-01 11:00:09+00");
    assert!(b.is_complete());
    for t in &b.tables {
        let appended = match t.table {
            Table::Messages => 6,
            Table::Sessions => 2,
            _ => 0,
        };
        let expected = second.rows(t.table.name()) + appended;
        assert_eq!(t.total.read, expected, "{}", t.table);
    }
    let (_, quarantine_b) = bookkeeping(&mut conn, "host-b");
    assert!(quarantine_b >= 1, "host B's bad row is quarantined");
    assert_eq!(bookkeeping(&mut conn, &label), (progress_a, quarantine_a));
    assert!(first.rows("messages") > 0);

    // A rerun of either label on its own file resumes (nothing new).
    let again = labelled(&path, &target, Some("host-b")).unwrap();
    assert_eq!(again.rows_read(), 0);
}

#[test]
fn a_session_the_application_wrote_first_is_merged_once_a_second_source_brings_it() {
    // The application (dual write) wrote `shared-cookie` first: its row's
    // origin names no source. Host A's file brings it too: nothing to
    // report (no other source), but A is recorded as having brought it.
    // Hosts B and C then report the merge, which only that record can
    // tell: B on the straight path (the lookup of the keys already there
    // finds the session, which alone is staged), C with every batch
    // staged.
    let schema = TestSchema::new();
    let target = migrated(&schema);
    let mut conn = conn(&schema);
    conn.batch_execute(
        "INSERT INTO sessions (session_id, start_time, last_activity, chatmrpt_origin) \
         VALUES ('shared-cookie', '2025-08-01 11:00:00+00', '2025-08-01 11:00:01+00', 'app')",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reported = Vec::new();
    for (tag, seed, straight) in [
        ("host-a", 7, true),
        ("host-b", 8, true),
        ("host-c", 9, false),
    ] {
        let path = dir.path().join(format!("{tag}.db"));
        write_legacy_file(&path, Release::Routing, 0.02, seed).unwrap();
        append_rows(&path, tag, 3);
        let mut events = Events::default();
        let run = backfill(
            &path,
            &target,
            &BackfillOptions {
                batch_rows: 400,
                source_label: Some(tag.into()),
                straight_copy: straight,
                ..BackfillOptions::default()
            },
            &mut events,
        )
        .unwrap();
        assert!(run.is_complete());
        let mut merged: Vec<String> = events
            .0
            .iter()
            .filter(|e| e.action == Action::Merged)
            .filter_map(|e| e.key.clone())
            .collect();
        let sessions = run
            .tables
            .iter()
            .find(|t| t.table == Table::Sessions)
            .unwrap();
        assert_eq!(sessions.total.sessions_merged, merged.len() as u64, "{tag}");
        merged.sort();
        reported.push(merged);
    }
    // A's run merges nothing (the fixture's fixed sessions, `KANO-DEMO`
    // and the like, are A's own); B and C report the same merges, the
    // application's session among them.
    assert_eq!(reported[0], Vec::<String>::new());
    assert!(
        reported[1].contains(&"shared-cookie".to_owned()),
        "{reported:?}"
    );
    assert_eq!(reported[1], reported[2]);
    let sources = count(
        &mut conn,
        "SELECT count(*) AS n FROM backfill_session_sources WHERE session_id = 'shared-cookie'",
    );
    assert_eq!(sources, 3, "every host that brought it is recorded");
    // The application's row kept its origin, converged by the rule: the
    // latest activity (host B's) and its address.
    let kept = count(
        &mut conn,
        "SELECT count(*) AS n FROM sessions \
         WHERE session_id = 'shared-cookie' AND chatmrpt_origin = 'app'",
    );
    assert_eq!(kept, 1, "the application's origin was replaced");
    let (ip, la) = shared_cookie(&mut conn);
    assert_eq!(ip.as_deref(), Some("10.0.0.2"));
    assert_eq!(la, "2025-08-01 11:00:09+00");
}

#[test]
fn two_files_grown_from_one_copy_are_told_apart_by_what_was_copied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    write_legacy_file(&path, Release::Routing, 0.1, 7).unwrap();
    // Both hosts started from the same image (more messages than the
    // fingerprint covers), then each wrote its own rows: their earliest
    // rows, the fingerprint, are the same.
    let b_dir = tempfile::tempdir().unwrap();
    let b_path = b_dir.path().join("interactions.db");
    std::fs::copy(&path, &b_path).unwrap();
    append_rows(&path, "host-a", 20);
    append_rows(&b_path, "host-b", 20);
    let schema = TestSchema::new();
    let target = config(&schema);
    labelled(&path, &target, Some("host")).unwrap();
    let mut conn = conn(&schema);
    let before = (total_rows(&mut conn), bookkeeping(&mut conn, "host"));
    let refused = labelled(&b_path, &target, Some("host")).unwrap_err();
    assert!(matches!(refused, Error::OtherSource { .. }), "{refused:?}");
    assert!(
        refused.to_string().contains("not in this file"),
        "{refused}"
    );
    assert_eq!(
        (total_rows(&mut conn), bookkeeping(&mut conn, "host")),
        before
    );
}

#[test]
fn the_same_file_adopted_between_two_runs_resumes_under_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    write_legacy_file(&path, Release::Routing, 0.02, 7).unwrap();
    let schema = TestSchema::new();
    let target = config(&schema);
    let first = labelled(&path, &target, Some("host-a")).unwrap();
    assert!(first.file_id.is_none());
    chatmrpt_db_sqlite::adopt::adopt(
        &path,
        &chatmrpt_db_sqlite::adopt::AdoptOptions::default()
            .with_backup_dir(dir.path().join("backup")),
    )
    .unwrap();
    append_rows(&path, "after-adoption", 3);
    let second = labelled(&path, &target, Some("host-a")).unwrap();
    assert!(second.is_complete());
    let file_id = second
        .file_id
        .clone()
        .expect("an adopted file has an identity");
    assert!(file_id.starts_with("sqlite-"), "{file_id}");
    let messages = second
        .tables
        .iter()
        .find(|t| t.table == Table::Messages)
        .unwrap();
    assert_eq!(messages.this_run.read, 4, "only the rows written since");
    let mut conn = conn(&schema);
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM backfill_sources WHERE source = 'host-a' AND file_id = '{file_id}' AND fingerprint IS NOT NULL"
            )
        ),
        1,
        "the label now records the file's identity too"
    );
}

#[test]
fn a_refused_file_leaves_the_label_as_it_was() {
    // Host A's file has no row a fingerprint covers yet (sessions only).
    let dir = tempfile::tempdir().unwrap();
    let a_path = dir.path().join("a.db");
    write_legacy_file(&a_path, Release::AllReleases, 0.02, 7).unwrap();
    let mut a = SqliteConnection::establish(a_path.to_str().unwrap()).unwrap();
    let mut wipe = String::from("BEGIN;");
    for t in Table::ALL.iter().filter(|t| **t != Table::Sessions) {
        wipe.push_str(&format!("DELETE FROM {};", t.name()));
    }
    a.batch_execute(&format!("{wipe} COMMIT;")).unwrap();
    drop(a);
    let b_path = dir.path().join("b.db");
    write_legacy_file(&b_path, Release::AllReleases, 0.02, 8).unwrap();
    let schema = TestSchema::new();
    let target = config(&schema);
    labelled(&a_path, &target, Some("host")).unwrap();
    // B under A's label: refused (A's last session is not in B)...
    let refused = labelled(&b_path, &target, Some("host")).unwrap_err();
    assert!(matches!(refused, Error::OtherSource { .. }), "{refused:?}");
    // ...and that refusal recorded nothing of B: A still resumes.
    let again = labelled(&a_path, &target, Some("host")).unwrap();
    assert!(again.is_complete());
    assert_eq!(again.rows_read(), 0);
}

/// Verify of one host's file while the target holds another's, and of both.
fn check(source: StoreRef, target: &chatmrpt_db_core::PostgresConfig) -> VerifyReport {
    let options = VerifyOptions {
        chunk_rows: 97,
        ..VerifyOptions::default()
    };
    verify_with(&source, &StoreRef::Postgres(target.clone()), &options).unwrap()
}

fn table(report: &VerifyReport, table: Table) -> &chatmrpt_db_migrate::verify::TableReport {
    report.tables.iter().find(|t| t.table == table).unwrap()
}

#[test]
fn each_host_s_file_and_their_union_verify_equal_in_one_target() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    write_legacy_file(&a, Release::Routing, 0.02, 7).unwrap();
    write_legacy_file(&b, Release::Routing, 0.02, 8).unwrap();
    append_rows(&a, "host-a", 5);
    append_rows(&b, "host-b", 5);
    let schema = TestSchema::new();
    let target = config(&schema);
    assert!(labelled(&a, &target, Some("host-a")).unwrap().is_complete());
    assert!(labelled(&b, &target, Some("host-b")).unwrap().is_complete());
    let b_messages = count(
        &mut conn(&schema),
        "SELECT count(*) AS n FROM messages WHERE chatmrpt_origin = 'source:host-b'",
    );
    assert!(
        b_messages > 5,
        "the target records where B's rows came from"
    );

    // Each file alone: the other host's rows are not extra.
    for (file, other_rows) in [(&a, b_messages), (&b, 0)] {
        let report = check(StoreRef::Sqlite(file.clone()), &target);
        assert!(report.is_equal(), "{}: {report:?}", file.display());
        let messages = table(&report, Table::Messages);
        assert_eq!(messages.extra.count, 0);
        if other_rows > 0 {
            assert_eq!(messages.from_other_sources.count, other_rows);
        }
        assert!(
            !table(&report, Table::Messages).known.is_empty(),
            "this file's quarantined row is a known difference"
        );
    }
    // Both: the union, the session both served compared as its convergence.
    let union = check(StoreRef::Files(vec![a.clone(), b.clone()]), &target);
    assert!(union.is_equal(), "{union:?}");
    let messages = table(&union, Table::Messages);
    assert_eq!(messages.from_other_sources.count, 0);
    assert_eq!(messages.source_rows, messages.target_rows);
    assert!(
        table(&union, Table::Sessions).converged >= 1,
        "shared-cookie"
    );

    // A row the application wrote is reported as such, and does not fail;
    // a row nobody owns is extra.
    let store = chatmrpt_db_postgres::PgStore::open(&target).unwrap();
    let mut by_app = Message::new(SessionId::new("session-host-a"), "user", "dual write");
    by_app.message_id = MessageId::new("zz-by-app");
    store.log_message(&by_app).unwrap();
    conn(&schema)
        .batch_execute(
            "INSERT INTO messages (message_id, session_id, content) VALUES ('zz-by-hand', 'session-host-a', 'stray')",
        )
        .unwrap();
    let report = check(StoreRef::Sqlite(a.clone()), &target);
    let messages = table(&report, Table::Messages);
    assert_eq!(
        messages.written_by_application.keys,
        vec!["zz-by-app".to_owned()]
    );
    assert_eq!(messages.extra.keys, vec!["zz-by-hand".to_owned()]);
    assert!(!report.is_equal());
}
