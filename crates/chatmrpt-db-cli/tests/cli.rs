//! The `chatmrpt-db` binary, run as a user would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::process::Command;

use common::{chatmrpt_db, text};

#[test]
fn migrate_then_status_on_the_default_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatmrpt_db(&["migrate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("applied 20251125000001"),
        "{}",
        text(&out.stdout)
    );
    assert!(dir.path().join("interactions.db").exists());

    let out = chatmrpt_db(&["status", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["backend"], "sqlite");
    assert_eq!(status["rows"].as_object().unwrap().len(), 17);
    assert_eq!(status["rows"]["sessions"], 0);
}

#[test]
fn database_flag_selects_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("other.db").display());
    let out = chatmrpt_db(&["--database", &url, "migrate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.path().join("other.db").exists());
    assert!(!dir.path().join("interactions.db").exists());
    let out = chatmrpt_db(&["--database", &url, "migrate"], dir.path());
    assert!(
        text(&out.stdout).contains("schema up to date"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn errors_exit_2_with_one_line_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let url = "postgres://app:hunter2@127.0.0.1:1/chatmrpt?connect_timeout=2";
    let out = chatmrpt_db(&["--database", url, "status"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: postgres store unavailable"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hunter2") && !text(&out.stdout).contains("hunter2"),
        "{stderr}"
    );
}

#[test]
fn bad_configuration_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.toml"), "backend = \"oracle\"\n").unwrap();
    let out = chatmrpt_db(&["--config", "db.toml", "status"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("db.toml"),
        "{}",
        text(&out.stderr)
    );
    let out = chatmrpt_db(&["--database", "mysql://x", "status"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected sqlite://PATH or postgres://"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_command_explains_itself_with_an_example() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        vec!["--help"],
        vec!["migrate", "--help"],
        vec!["status", "--help"],
    ] {
        let out = chatmrpt_db(&command, dir.path());
        assert_eq!(out.status.code(), Some(0));
        assert!(
            text(&out.stdout).contains("Examples:"),
            "{command:?}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn migrate_creates_all_tables_on_an_empty_postgres_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = chatmrpt_db_testing::pg::TestDatabase::new();
    let out = chatmrpt_db(&["--database", db.url(), "migrate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("postgres: applied 20251125000001"),
        "{}",
        text(&out.stdout)
    );
    let out = chatmrpt_db(&["--database", db.url(), "status", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["backend"], "postgres");
    let rows = status["rows"].as_object().unwrap();
    assert_eq!(rows.len(), 17);
    assert!(rows.values().all(|n| n == 0));
}

#[test]
fn commands_with_explicit_stores_ignore_a_broken_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chatmrpt-db"))
        .args(["adopt", "no-such.db"])
        .current_dir(dir.path())
        .env("CHATMRPT_DB_BACKEND", "oracle")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("CHATMRPT_DB_BACKEND"), "{stderr}");
    assert!(stderr.contains("no-such.db"), "{stderr}");
}
