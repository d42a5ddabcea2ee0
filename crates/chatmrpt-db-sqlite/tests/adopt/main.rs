//! Adoption of real legacy files written by the fixture generator: every
//! release, the corrupted file, idempotence, refusals, and the store at work
//! on an adopted file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod refusals;
mod store_use;
mod support;

use std::path::PathBuf;

use chatmrpt_db_sqlite::adopt::{AdoptOptions, AdoptReport, adopt};
use chatmrpt_db_testing::legacy::{
    Defect, FixtureSummary, Release, write_corrupted_file, write_legacy_file,
};
use support::{count, dump_rows, dump_schema, index_names, open, orphan_rows, store_file, strings};

const BASELINE: &str = "20251125000001";

fn legacy(dir: &tempfile::TempDir, release: Release) -> (PathBuf, FixtureSummary) {
    let path = dir.path().join(format!("{release}.db"));
    let summary = write_legacy_file(&path, release, 0.02, 5).unwrap();
    (path, summary)
}

fn options(dir: &tempfile::TempDir) -> AdoptOptions {
    AdoptOptions::default().with_backup_dir(dir.path().join("backups"))
}

#[test]
fn each_release_adopts_to_the_stores_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_file(dir.path());
    let store_tables = support::tables(&mut open(&store));
    let store_migrations = strings(
        &mut open(&store),
        "SELECT version AS v FROM __diesel_schema_migrations ORDER BY 1",
    );
    for release in Release::ALL {
        let (path, summary) = legacy(&dir, release);
        let report = adopt(&path, &options(&dir)).unwrap();
        let missing: Vec<&str> = chatmrpt_db_core::Table::ALL
            .iter()
            .map(|t| t.name())
            .filter(|t| !release.tables().contains(t))
            .collect();
        let mut created = report.tables_created.clone();
        created.sort_unstable();
        let mut want = missing.clone();
        want.sort_unstable();
        assert_eq!(created, want, "{release}");
        let added: Vec<String> = report
            .columns_added
            .iter()
            .map(|c| format!("{}.{}", c.table, c.column))
            .collect();
        let want_added: &[&str] = if release.has_enhanced_timing() {
            &[]
        } else {
            &["llm_interactions.enhanced_timing"]
        };
        assert_eq!(added, want_added, "{release}");
        assert_eq!(
            report.baseline_recorded.as_deref(),
            Some(BASELINE),
            "{release}"
        );
        assert_eq!(report.journal_mode_before, "delete");
        assert!(
            report.unknown_tables.is_empty() && report.unknown_columns.is_empty(),
            "{release}"
        );
        // INTEGER vs BIGINT, REAL vs DOUBLE: reported, same affinity.
        assert!(
            report
                .type_differences
                .iter()
                .any(|d| d.column == "file_size"
                    && d.file_type == "INTEGER"
                    && d.store_type == "BIGINT")
        );
        assert!(
            report.type_differences.iter().all(|d| d.same_affinity),
            "{release}: {:?}",
            report.type_differences
        );
        // Same tables, indexes and bookkeeping as a file the store created.
        assert_eq!(support::tables(&mut open(&path)), store_tables, "{release}");
        assert_eq!(index_names(&path), index_names(&store), "{release}");
        // Adoption creates the first migration's indexes; later migrations
        // (the dual store's outbox) create their own when they run after it.
        let first_migration: Vec<String> = index_names(&store)
            .into_iter()
            .filter(|name| !name.starts_with("idx_chatmrpt_"))
            .collect();
        assert_eq!(
            report.indexes_created, first_migration,
            "{release}: every index was missing"
        );
        let migrations = strings(
            &mut open(&path),
            "SELECT version AS v FROM __diesel_schema_migrations ORDER BY 1",
        );
        assert_eq!(migrations, store_migrations, "{release}");
        // Orphans repaired: one synthesized session per orphan id, none left.
        let ids: std::collections::BTreeSet<String> = report
            .sessions_synthesized
            .iter()
            .map(|s| s.session_id.clone())
            .collect();
        assert_eq!(ids, summary.orphan_session_ids, "{release}");
        assert_eq!(orphan_rows(&path), 0, "{release}");
        assert!(
            strings(
                &mut open(&path),
                "SELECT \"table\" AS v FROM pragma_foreign_key_check()"
            )
            .is_empty(),
            "{release}"
        );
        assert_eq!(
            strings(
                &mut open(&path),
                "SELECT journal_mode AS v FROM pragma_journal_mode()"
            ),
            ["wal"],
            "{release}"
        );
    }
}

/// Rows of `after` with the rowids `before` has, per table.
fn existing_rows(
    before: &std::collections::BTreeMap<String, Vec<String>>,
    after: &std::collections::BTreeMap<String, Vec<String>>,
) -> std::collections::BTreeMap<String, Vec<String>> {
    before
        .iter()
        .map(|(table, rows)| {
            let kept: std::collections::BTreeSet<&str> =
                rows.iter().map(|r| r.split('|').next().unwrap()).collect();
            let same = after[table]
                .iter()
                .filter(|r| kept.contains(r.split('|').next().unwrap()))
                .cloned()
                .collect();
            (table.clone(), same)
        })
        .collect()
}

#[test]
fn the_corrupted_file_adopts_without_altering_any_existing_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupted.db");
    let summary = write_corrupted_file(&path, 9).unwrap();
    let before = dump_rows(&path);
    let report = adopt(&path, &options(&dir)).unwrap();
    let after = dump_rows(&path);
    assert_eq!(
        existing_rows(&before, &after),
        before,
        "an existing row changed"
    );
    for (table, rows) in &before {
        let added = after[table].len() - rows.len();
        let want = if table == "sessions" {
            summary.fixture.orphan_session_ids.len()
        } else {
            0
        };
        assert_eq!(added, want, "{table}");
    }
    assert_eq!(
        report.sessions_synthesized.len(),
        summary.fixture.orphan_session_ids.len()
    );
    assert_eq!(orphan_rows(&path), 0);
    // The NULL session_id stays NULL.
    let null = summary.of(Defect::NullSessionId)[0];
    let sql = format!(
        "SELECT typeof(session_id) AS v FROM {} WHERE rowid = {}",
        null.table, null.rowid
    );
    assert_eq!(strings(&mut open(&path), &sql), ["null"]);
}

#[test]
fn a_synthesized_session_spans_its_children_across_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupted.db");
    let summary = write_corrupted_file(&path, 9).unwrap();
    let report = adopt(&path, &options(&dir)).unwrap();
    let shared = summary
        .of(Defect::OrphanSession)
        .into_iter()
        .find(|p| p.table == "messages")
        .unwrap();
    let id: Vec<String> = strings(
        &mut open(&path),
        &format!(
            "SELECT session_id AS v FROM messages WHERE rowid = {}",
            shared.rowid
        ),
    );
    let session = report
        .sessions_synthesized
        .iter()
        .find(|s| s.session_id == id[0])
        .unwrap();
    assert_eq!(session.start_time.as_deref(), Some("2025-07-28 10:16:40"));
    assert_eq!(
        session.last_activity.as_deref(),
        Some("2025-07-28 10:26:40")
    );
    assert_eq!(
        session.children,
        [
            ("llm_interactions".to_owned(), 1),
            ("messages".to_owned(), 1)
        ]
    );
    let stored = format!(
        "SELECT start_time || ' / ' || last_activity || ' / ' || analysis_complete || files_uploaded AS v FROM sessions WHERE session_id = '{}'",
        id[0]
    );
    assert_eq!(
        strings(&mut open(&path), &stored),
        ["2025-07-28 10:16:40 / 2025-07-28 10:26:40 / 00"]
    );
    // An orphan upload's session is marked as having uploaded files.
    let upload = summary
        .of(Defect::OrphanSession)
        .into_iter()
        .find(|p| p.table == "file_uploads")
        .unwrap();
    let flag = format!(
        "SELECT files_uploaded AS v FROM sessions WHERE session_id = (SELECT session_id FROM file_uploads WHERE rowid = {})",
        upload.rowid
    );
    assert_eq!(strings(&mut open(&path), &flag), ["1"]);
}

#[test]
fn a_second_adoption_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy(&dir, Release::NoteEra);
    let first = adopt(&path, &options(&dir)).unwrap();
    assert!(first.changed());
    let (rows, schema) = (dump_rows(&path), dump_schema(&path));
    let second: AdoptReport = adopt(&path, &options(&dir)).unwrap();
    assert!(!second.changed(), "{second:?}");
    assert!(
        second.tables_created.is_empty()
            && second.indexes_created.is_empty()
            && second.sessions_synthesized.is_empty()
    );
    assert_eq!(second.baseline_recorded, None);
    assert_eq!(dump_rows(&path), rows);
    assert_eq!(dump_schema(&path), schema);
    assert_ne!(first.backup, second.backup);
    assert!(first.backup.exists() && second.backup.exists());
}

#[test]
fn the_backup_is_the_file_as_it_was_before_adoption() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy(&dir, Release::July2025);
    let (rows, schema) = (dump_rows(&path), dump_schema(&path));
    let report = adopt(&path, &options(&dir)).unwrap();
    assert!(report.backup.is_absolute());
    assert!(
        report.backup.starts_with(dir.path().join("backups")),
        "{}",
        report.backup.display()
    );
    assert!(
        report
            .backup
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("july-2025.db.backup-")
    );
    assert_eq!(dump_rows(&report.backup), rows);
    assert_eq!(dump_schema(&report.backup), schema);
    assert_eq!(
        strings(
            &mut open(&report.backup),
            "SELECT journal_mode AS v FROM pragma_journal_mode()"
        ),
        ["delete"]
    );
}

#[test]
fn the_backup_goes_next_to_the_file_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy(&dir, Release::Routing);
    let report = adopt(&path, &AdoptOptions::default()).unwrap();
    assert_eq!(
        report.backup.parent().unwrap(),
        std::path::absolute(dir.path()).unwrap()
    );
}

#[test]
fn unknown_tables_and_columns_are_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy(&dir, Release::NoteEra);
    let mut conn = open(&path);
    diesel::connection::SimpleConnection::batch_execute(&mut conn, "CREATE TABLE IF NOT EXISTS user_feedback (feedback_id TEXT PRIMARY KEY, rating INTEGER); INSERT INTO user_feedback VALUES ('f1', 5); ALTER TABLE messages ADD COLUMN rating INTEGER; UPDATE messages SET rating = 4 WHERE rowid = 1;").unwrap();
    drop(conn);
    let report = adopt(&path, &options(&dir)).unwrap();
    assert_eq!(report.unknown_tables, ["user_feedback"]);
    let columns: Vec<String> = report
        .unknown_columns
        .iter()
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    assert_eq!(columns, ["messages.rating"]);
    let mut conn = open(&path);
    assert_eq!(
        strings(
            &mut conn,
            "SELECT feedback_id || rating AS v FROM user_feedback"
        ),
        ["f15"]
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM messages WHERE rating = 4"
        ),
        1
    );
}

#[test]
fn a_file_the_store_created_adopts_as_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_file(dir.path());
    let schema = dump_schema(&path);
    let report = adopt(&path, &options(&dir)).unwrap();
    assert!(!report.changed(), "{report:?}");
    assert!(report.type_differences.is_empty());
    assert_eq!(report.tables_found.len(), 17);
    assert_eq!(dump_schema(&path), schema);
}
