//! `chatmrpt-db backfill` and `verify` as a user runs them: exit codes,
//! one-line errors, and a SIGKILL in the middle of a load.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use chatmrpt_db_testing::pg::TestDatabase;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chatmrpt-db"));
    cmd.env_remove("CHATMRPT_DB_POSTGRES_SCHEMA")
        .env_remove("DATABASE_URL");
    cmd
}

fn run(args: &[&str]) -> Output {
    cli().args(args).output().unwrap()
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(url: &str, sql: &str) -> i64 {
    let mut conn = PgConnection::establish(url).unwrap();
    diesel::sql_query(sql)
        .get_result::<N>(&mut conn)
        .map(|n| n.n)
        .unwrap_or(0)
}

#[test]
fn killed_mid_load_the_rerun_finishes_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("interactions.db");
    let fixture = write_legacy_file(&source, Release::AllReleases, 0.2, 3).unwrap();
    let db = TestDatabase::new();
    let src = source.to_str().unwrap();
    let mut child = cli()
        .args([
            "backfill",
            "--source",
            src,
            "--target",
            db.url(),
            "--batch-rows",
            "1000",
        ])
        .env("CHATMRPT_DB_BACKFILL_PAUSE_MS", "400")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(
        db.url(),
        "SELECT coalesce(sum(rows_read), 0)::bigint AS n FROM backfill_progress",
    ) < 3000
    {
        assert!(Instant::now() < deadline, "no batch committed in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sessions = fixture.rows("sessions") as i64;
    let loaded = count(db.url(), "SELECT count(*) AS n FROM sessions");
    assert!(
        loaded > 0 && loaded < sessions,
        "killed mid-load: {loaded} of {sessions}"
    );

    let rerun = run(&["backfill", "--source", src, "--target", db.url(), "--json"]);
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&rerun.stdout).unwrap();
    let first = &summary["tables"][0];
    assert_eq!(first["table"], "sessions");
    assert_eq!(first["total"]["read"], sessions);
    assert!(
        first["this_run"]["read"].as_i64().unwrap() < sessions,
        "finished batches are not redone"
    );
    let orphans = fixture.orphan_session_ids.len() as i64;
    assert_eq!(
        count(db.url(), "SELECT count(*) AS n FROM sessions"),
        sessions + orphans
    );
    assert_eq!(
        count(db.url(), "SELECT count(*) AS n FROM messages"),
        fixture.rows("messages") as i64
    );

    let verify = run(&["verify", "--source", src, "--target", db.url()]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let again = run(&["backfill", "--source", src, "--target", db.url(), "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let read: i64 = again["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["this_run"]["read"].as_i64().unwrap())
        .sum();
    assert_eq!(read, 0, "a third run loads nothing");
}

#[test]
fn verify_exits_one_naming_the_key_when_a_row_differs() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("interactions.db");
    write_legacy_file(&source, Release::NoteEra, 0.01, 5).unwrap();
    let db = TestDatabase::new();
    let src = source.to_str().unwrap();
    let report = dir.path().join("report.jsonl");
    let out = run(&[
        "backfill",
        "--source",
        src,
        "--target",
        db.url(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(&report).unwrap();
    assert!(
        lines
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(lines.contains("\"action\":\"synthesized\""));
    let mut conn = PgConnection::establish(db.url()).unwrap();
    diesel::sql_query(
        "UPDATE errors SET error_message = 'x' WHERE error_id = (SELECT min(error_id) FROM errors)",
    )
    .execute(&mut conn)
    .unwrap();
    let verify = run(&["verify", "--source", src, "--target", db.url()]);
    assert_eq!(verify.status.code(), Some(1));
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(text.contains("errors differs: "), "{text}");
    assert!(!text.contains("'x'"));
}

#[test]
fn bad_source_and_unreachable_target_exit_two_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    let db = TestDatabase::new();
    let out = run(&[
        "backfill",
        "--source",
        junk.to_str().unwrap(),
        "--target",
        db.url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a ChatMRPT interaction log"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let source = dir.path().join("interactions.db");
    write_legacy_file(&source, Release::NoteEra, 0.01, 5).unwrap();
    let out = run(&[
        "backfill",
        "--source",
        source.to_str().unwrap(),
        "--target",
        "postgres://app:hunter2@127.0.0.1:1/x?connect_timeout=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.trim().lines().count() == 1,
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let verify = run(&[
        "verify",
        "--source",
        source.to_str().unwrap(),
        "--target",
        "postgres://app:hunter2@127.0.0.1:1/x?connect_timeout=1",
    ]);
    assert_eq!(verify.status.code(), Some(2));
}
