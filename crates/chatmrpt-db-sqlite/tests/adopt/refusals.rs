//! Files adoption must refuse, each left byte for byte as it was, with no
//! backup written.

use std::path::Path;

use chatmrpt_db_sqlite::adopt::{AdoptError, AdoptOptions, adopt};
use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use diesel::connection::SimpleConnection;

use crate::support::open;

fn options(dir: &tempfile::TempDir) -> AdoptOptions {
    AdoptOptions::default()
        .with_backup_dir(dir.path().join("backups"))
        .with_busy_timeout_ms(200)
}

/// Adopts `path`, expecting a refusal; checks the bytes and that no backup
/// was written; returns the error.
fn refused(dir: &tempfile::TempDir, path: &Path) -> AdoptError {
    let before = std::fs::read(path).ok();
    let err = adopt(path, &options(dir)).unwrap_err();
    assert_eq!(std::fs::read(path).ok(), before, "{err}: the file changed");
    assert!(
        !dir.path().join("backups").exists(),
        "{err}: a backup was written"
    );
    err
}

#[test]
fn a_sqlite_file_without_sessions_is_not_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    open(&path).batch_execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'a');").unwrap();
    let err = refused(&dir, &path);
    assert!(matches!(err, AdoptError::NotALog { .. }), "{err:?}");
    assert!(err.to_string().contains("no `sessions` table"), "{err}");
}

#[test]
fn sessions_without_last_activity_is_not_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flask_sessions.db");
    open(&path)
        .batch_execute(
            "CREATE TABLE sessions (session_id TEXT PRIMARY KEY, data BLOB, expiry TIMESTAMP);",
        )
        .unwrap();
    let err = refused(&dir, &path);
    assert!(
        err.to_string()
            .contains("`sessions` has no `last_activity` column"),
        "{err}"
    );
}

#[test]
fn garbage_and_empty_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"session_id,start_time\nabc,2025-07-28 10:15:00\n".repeat(200),
    )
    .unwrap();
    assert!(matches!(
        refused(&dir, &garbage),
        AdoptError::NotSqlite { .. }
    ));
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(refused(&dir, &empty), AdoptError::NotALog { .. }));
}

#[test]
fn a_missing_file_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.db");
    assert!(matches!(refused(&dir, &path), AdoptError::Missing { .. }));
    assert!(!path.exists());
}

#[test]
fn a_damaged_file_fails_quick_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    write_legacy_file(&path, Release::NoteEra, 0.02, 1).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    // Overwrite the middle of the file (b-tree pages, not the header).
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8192].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let err = refused(&dir, &path);
    assert!(matches!(err, AdoptError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_file_locked_by_another_connection_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    write_legacy_file(&path, Release::AllReleases, 0.01, 1).unwrap();
    for lock in [
        "BEGIN EXCLUSIVE;",
        "BEGIN IMMEDIATE; INSERT INTO errors (error_id) VALUES ('held');",
    ] {
        let mut holder = open(&path);
        holder.batch_execute(lock).unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = adopt(&path, &options(&dir)).unwrap_err();
        assert!(
            matches!(err, AdoptError::Locked { waited_ms: 200, .. }),
            "{lock}: {err:?}"
        );
        assert!(
            err.to_string().contains("locked by another connection"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "{lock}");
        holder.batch_execute("ROLLBACK;").unwrap();
        assert!(!dir.path().join("backups").exists(), "{lock}");
    }
}
