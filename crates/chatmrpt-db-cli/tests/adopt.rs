//! `chatmrpt-db adopt`, run as a user would, on generated legacy files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::path::Path;

mod common;

use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use common::{chatmrpt_db, text};

#[test]
fn adopt_prints_the_backup_and_exits_0_then_finds_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    write_legacy_file(
        dir.path().join("interactions.db"),
        Release::NoteEra,
        0.01,
        1,
    )
    .unwrap();
    let out = chatmrpt_db(
        &["adopt", "interactions.db", "--backup-dir", "backups"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let backup = stdout
        .lines()
        .next()
        .unwrap()
        .strip_prefix("backup: ")
        .unwrap();
    assert!(Path::new(backup).exists(), "{stdout}");
    assert!(
        stdout.contains("tables created: routing_decisions, arena_battles, arena_training_exports"),
        "{stdout}"
    );
    assert!(
        stdout.contains("columns added: llm_interactions.enhanced_timing"),
        "{stdout}"
    );
    assert!(
        stdout.contains("baseline migration recorded: 20251125000001"),
        "{stdout}"
    );

    let out = chatmrpt_db(
        &[
            "adopt",
            "interactions.db",
            "--backup-dir",
            "backups",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["tables_created"], serde_json::json!([]));
    assert_eq!(report["sessions_synthesized"], serde_json::json!([]));
    assert!(Path::new(report["backup"].as_str().unwrap()).exists());
    let out = chatmrpt_db(
        &["adopt", "interactions.db", "--backup-dir", "backups"],
        dir.path(),
    );
    assert!(
        text(&out.stdout)
            .contains("already adopted, its schema left as it was (a safety copy written, above)"),
        "{}",
        text(&out.stdout)
    );
}

/// Runs `adopt FILE`, expects exit 2 with one line naming `cause`, and the
/// file unchanged.
fn refused(dir: &Path, file: &str, cause: &str) {
    let before = std::fs::read(dir.join(file)).ok();
    let out = chatmrpt_db(&["adopt", file], dir);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot adopt: "), "{stderr}");
    assert!(stderr.contains(cause), "{stderr}");
    assert_eq!(std::fs::read(dir.join(file)).ok(), before);
}

#[test]
fn adopt_refuses_with_exit_2_and_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a database\n").unwrap();
    refused(dir.path(), "notes.txt", "not a SQLite database");
    refused(dir.path(), "missing.db", "no such file");
    let other = dir.path().join("other.db");
    let mut conn =
        <diesel::SqliteConnection as diesel::Connection>::establish(other.to_str().unwrap())
            .unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "CREATE TABLE users (id INTEGER PRIMARY KEY);",
    )
    .unwrap();
    drop(conn);
    refused(
        dir.path(),
        "other.db",
        "not a ChatMRPT interaction log: it has no `sessions` table",
    );
    assert!(!dir.path().join("missing.db").exists());
}

#[test]
fn adopt_explains_itself_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatmrpt_db(&["adopt", "--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("Examples:") && help.contains("--backup-dir"),
        "{help}"
    );
}
