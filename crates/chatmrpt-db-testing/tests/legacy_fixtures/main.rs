//! The legacy fixture generator: each release's schema read back from the
//! file, row counts against the summary, values stored as Python stores them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod corrupted;
mod sql;

use std::collections::BTreeSet;
use std::path::Path;

use chatmrpt_db_testing::legacy::{FixtureSummary, Release, write_legacy_file};
use sql::{columns, count, open, strings, tables};

fn write(
    dir: &tempfile::TempDir,
    release: Release,
    scale: f64,
) -> (std::path::PathBuf, FixtureSummary) {
    let path = dir.path().join(format!("{release}.db"));
    let summary = write_legacy_file(&path, release, scale, 7).unwrap();
    (path, summary)
}

#[test]
fn each_release_has_exactly_its_tables_and_legacy_columns() {
    let dir = tempfile::tempdir().unwrap();
    let expected_tables = [14, 14, 16, 15, 17];
    for (release, n) in Release::ALL.into_iter().zip(expected_tables) {
        let (path, _) = write(&dir, release, 0.01);
        let mut conn = open(&path);
        let found = tables(&mut conn);
        assert_eq!(found.len(), n, "{release}: {found:?}");
        assert_eq!(found, release.tables(), "{release}: creation order");
        for table in &found {
            let info = columns(&mut conn, table);
            let names: Vec<(String, String)> = info
                .iter()
                .map(|c| (c.name.clone(), c.col_type.clone()))
                .collect();
            let want: Vec<(String, String)> = release
                .columns(table)
                .unwrap()
                .into_iter()
                .map(|(n, t)| (n.into(), t.into()))
                .collect();
            assert_eq!(names, want, "{release}.{table}");
            // TEXT PRIMARY KEY without NOT NULL on the first column; nothing else NOT NULL.
            assert_eq!(info[0].pk, 1, "{release}.{table}");
            assert!(info.iter().all(|c| c.notnull == 0), "{release}.{table}");
        }
        let has_timing = columns(&mut conn, "llm_interactions")
            .iter()
            .any(|c| c.name == "enhanced_timing");
        assert_eq!(has_timing, release.has_enhanced_timing(), "{release}");
    }
}

#[test]
fn files_use_the_legacy_ddl_rollback_journal_and_no_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write(&dir, Release::AllReleases, 0.01);
    let mut conn = open(&path);
    let ddl = strings(
        &mut conn,
        "SELECT sql AS v FROM sqlite_master WHERE name = 'messages'",
    );
    assert_eq!(
        ddl[0],
        "CREATE TABLE messages (\n                message_id TEXT PRIMARY KEY,\n                session_id TEXT,\n                timestamp TIMESTAMP,\n                sender TEXT,\n                content TEXT,\n                intent TEXT,\n                entities TEXT,\n                FOREIGN KEY (session_id) REFERENCES sessions (session_id)\n            )"
    );
    // Upgraded files carry the column where ALTER TABLE put it.
    let llm = strings(
        &mut conn,
        "SELECT sql AS v FROM sqlite_master WHERE name = 'llm_interactions'",
    );
    assert!(
        llm[0].contains("latency REAL, enhanced_timing TEXT,\n"),
        "{}",
        llm[0]
    );
    let indexes = strings(
        &mut conn,
        "SELECT name AS v FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    );
    assert!(
        indexes.is_empty(),
        "the legacy app creates no index: {indexes:?}"
    );
    assert_eq!(
        strings(
            &mut conn,
            "SELECT journal_mode AS v FROM pragma_journal_mode()"
        ),
        ["delete"]
    );
    assert_eq!(
        strings(
            &mut conn,
            "SELECT foreign_keys AS v FROM pragma_foreign_keys()"
        ),
        ["0"]
    );
    let header = std::fs::read(&path).unwrap();
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!(
        (header[18], header[19]),
        (1, 1),
        "rollback journal, not WAL"
    );
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
}

#[test]
fn row_counts_orphans_and_null_sessions_match_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    for release in Release::ALL {
        let (path, summary) = write(&dir, release, 0.05);
        let mut conn = open(&path);
        let mut orphan_ids = BTreeSet::new();
        for (table, want) in &summary.tables {
            assert_eq!(
                count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")),
                want.rows,
                "{release}.{table}"
            );
            if *table == "sessions" || *table == "arena_training_exports" {
                continue;
            }
            let orphans = format!(
                "FROM {table} c WHERE c.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = c.session_id)"
            );
            assert_eq!(
                count(&mut conn, &format!("SELECT count(*) AS n {orphans}")),
                want.orphan_rows,
                "{release}.{table}"
            );
            orphan_ids.extend(strings(
                &mut conn,
                &format!("SELECT c.session_id AS v {orphans}"),
            ));
            let nulls = count(
                &mut conn,
                &format!("SELECT count(*) AS n FROM {table} WHERE session_id IS NULL"),
            );
            assert_eq!(nulls, want.null_session_rows, "{release}.{table}");
        }
        assert_eq!(orphan_ids, summary.orphan_session_ids, "{release}");
        assert!(
            summary.tables["analysis_events"].null_session_rows > 0,
            "{release}"
        );
        assert!(!summary.orphan_session_ids.is_empty(), "{release}");
    }
}

#[test]
fn scale_one_has_the_notes_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (path, summary) = write(&dir, Release::NoteEra, 1.0);
    let elapsed = started.elapsed();
    let mut conn = open(&path);
    let note = [
        ("sessions", 43_871),
        ("messages", 630),
        ("file_uploads", 248),
        ("analysis_events", 1_089),
        ("errors", 2),
        ("llm_interactions", 740),
        ("analysis_steps", 0),
        ("ward_rankings", 0),
        ("explanations", 0),
    ];
    for (table, rows) in note {
        assert_eq!(summary.rows(table), rows, "{table}");
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")),
            rows,
            "{table}"
        );
    }
    assert!(elapsed.as_secs() < 60, "scale 1 took {elapsed:?}");
    // All three session id forms, and the case-only variants of a client id.
    let forms = |pattern: &str| {
        count(
            &mut open(&path),
            &format!("SELECT count(*) AS n FROM sessions WHERE session_id GLOB '{pattern}'"),
        )
    };
    assert!(forms("session_2025[01][0-9][0-3][0-9]_[0-2][0-9][0-5][0-9][0-5][0-9]") > 10_000);
    assert!(forms("????????-????-4???-????-????????????") > 10_000);
    let clients = strings(
        &mut conn,
        "SELECT session_id AS v FROM sessions WHERE lower(session_id) = 'kano-demo' ORDER BY 1",
    );
    assert_eq!(clients, ["KANO-DEMO", "Kano-Demo", "kano-demo"]);
    let whole = count(
        &mut conn,
        "SELECT count(*) AS n FROM sessions WHERE start_time NOT LIKE '%.%'",
    );
    assert!(
        whole > 0 && whole < 1_000,
        "whole-second timestamps: {whole}"
    );
}

#[test]
fn values_are_stored_with_pythons_storage_classes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write(&dir, Release::AllReleases, 0.2);
    let mut conn = open(&path);
    let kinds = |conn: &mut _, sql: &str| {
        let (value, from) = sql.split_once(" FROM ").unwrap();
        strings(
            conn,
            &format!("SELECT DISTINCT {value} AS v FROM {from} ORDER BY 1"),
        )
    };
    assert_eq!(
        kinds(&mut conn, "typeof(start_time) FROM sessions"),
        ["text"]
    );
    assert_eq!(
        kinds(&mut conn, "typeof(timestamp) FROM messages"),
        ["text"]
    );
    assert_eq!(
        kinds(
            &mut conn,
            "analysis_complete || files_uploaded FROM sessions"
        ),
        ["00", "01", "10", "11"]
    );
    assert_eq!(
        kinds(&mut conn, "coalesce(success, 'NULL') FROM analysis_events"),
        ["0", "1", "NULL"]
    );
    assert_eq!(
        kinds(&mut conn, "typeof(file_size) FROM file_uploads"),
        ["integer"]
    );
    assert_eq!(
        kinds(&mut conn, "typeof(latency) FROM llm_interactions"),
        ["real"]
    );
    assert_eq!(
        kinds(&mut conn, "typeof(tokens_used) FROM llm_interactions"),
        ["integer", "null"]
    );
    assert_eq!(kinds(&mut conn, "length(message_id) FROM messages"), ["36"]);
    assert_eq!(
        kinds(
            &mut conn,
            "substr(prompt_context, 1, 1) FROM llm_interactions WHERE prompt_context LIKE '\"%'"
        ),
        ["\""]
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM analysis_steps WHERE parameters LIKE '%NaN%'"
        ) > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM analysis_events WHERE details LIKE '{''%'"
        ) > 0,
        "Python reprs"
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM messages WHERE entities LIKE '%\\u%'"
        ) > 0,
        "ensure_ascii escapes"
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM llm_interactions WHERE length(response) > 30000"
        ) > 0
    );
    // enhanced_timing: only after the July 2025 upgrade.
    let early = "SELECT count(*) AS n FROM llm_interactions WHERE timestamp < '2025-07-21' AND enhanced_timing IS NOT NULL";
    assert_eq!(count(&mut conn, early), 0);
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM llm_interactions WHERE enhanced_timing IS NOT NULL"
        ) > 0
    );
    // Arena rows only in the arena months; routing rows point at user messages.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM arena_battles WHERE timestamp < '2025-09-01'"
        ),
        0
    );
    let linked = "SELECT count(*) AS n FROM routing_decisions r JOIN messages m USING (message_id) WHERE m.sender = 'user'";
    assert!(count(&mut conn, linked) > 0);
}

#[test]
fn the_same_seed_writes_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    let c = dir.path().join("c.db");
    write_legacy_file(&a, Release::Routing, 0.02, 11).unwrap();
    write_legacy_file(&b, Release::Routing, 0.02, 11).unwrap();
    write_legacy_file(&c, Release::Routing, 0.02, 12).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
}

#[test]
fn a_nonsensical_scale_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for scale in [0.0, -1.0, f64::NAN] {
        let err =
            write_legacy_file(dir.path().join("x.db"), Release::NoteEra, scale, 1).unwrap_err();
        assert!(err.to_string().contains("scale"), "{err}");
    }
}
