//! The corrupted file: every planted case is in the file, stored with the
//! storage class and bytes the summary claims.

use std::collections::BTreeSet;

use chatmrpt_db_core::Timestamp;
use chatmrpt_db_testing::legacy::{
    CorruptionSummary, Defect, Disposition, PlantedRow, write_corrupted_file,
};
use diesel::sqlite::SqliteConnection;

use crate::sql::{count, open, stored, strings};

fn corrupted() -> (tempfile::TempDir, std::path::PathBuf, CorruptionSummary) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupted.db");
    let summary = write_corrupted_file(&path, 3).unwrap();
    (dir, path, summary)
}

const EVERY_DEFECT: [Defect; 20] = [
    Defect::NulInText,
    Defect::InvalidUtf8,
    Defect::BlobInText,
    Defect::NullPrimaryKey,
    Defect::DuplicatePrimaryKey,
    Defect::UnparseableTimestamp,
    Defect::NonNumericInteger,
    Defect::FractionalInteger,
    Defect::EpochTimestamp,
    Defect::TextBoolean,
    Defect::OrphanSession,
    Defect::NullSessionId,
    Defect::PythonReprJson,
    Defect::NanInJson,
    Defect::JsonStringLiteral,
    Defect::TimestampWithoutFraction,
    Defect::TimestampWithFraction,
    Defect::Unicode,
    Defect::VeryLongText,
    Defect::CaseVariantKey,
];

#[test]
fn every_case_of_the_issue_is_planted() {
    let (_dir, _, summary) = corrupted();
    for defect in EVERY_DEFECT {
        assert!(!summary.of(defect).is_empty(), "{defect:?} not planted");
    }
    let orphan_tables: BTreeSet<&str> = summary
        .of(Defect::OrphanSession)
        .iter()
        .map(|p| p.table)
        .collect();
    assert_eq!(
        orphan_tables.len(),
        15,
        "an orphan in every child table: {orphan_tables:?}"
    );
    assert_eq!(summary.fixture.tables.len(), 17);
    assert_eq!(Defect::FractionalInteger.disposition(), Disposition::Reject);
    assert_eq!(Defect::EpochTimestamp.disposition(), Disposition::Convert);
}

#[test]
fn each_planted_value_is_stored_as_claimed() {
    let (_dir, path, summary) = corrupted();
    let mut conn = open(&path);
    for planted in &summary.planted {
        check(&mut conn, planted);
    }
}

fn check(conn: &mut SqliteConnection, p: &PlantedRow) {
    let column = p.column.unwrap();
    let value = stored(conn, p.table, column, p.rowid);
    let what = format!("{p:?} stored as {value:?}");
    match p.defect {
        Defect::NulInText => assert!(value.kind == "text" && value.bytes().contains(&0), "{what}"),
        Defect::InvalidUtf8 => assert!(
            value.kind == "text" && std::str::from_utf8(&value.bytes()).is_err(),
            "{what}"
        ),
        Defect::BlobInText => assert_eq!(value.kind, "blob", "{what}"),
        Defect::NullPrimaryKey | Defect::NullSessionId => assert_eq!(value.kind, "null", "{what}"),
        Defect::DuplicatePrimaryKey => {
            let sql = format!(
                "SELECT count(*) AS n FROM {} WHERE CAST({column} AS BLOB) = x'{}'",
                p.table, value.hex
            );
            assert_eq!(count(conn, &sql), 2, "{what}");
        }
        Defect::UnparseableTimestamp => assert!(
            value.kind == "text" && Timestamp::parse_stored(&value.text()).is_err(),
            "{what}"
        ),
        Defect::NonNumericInteger => assert!(
            value.kind == "text" && value.text().parse::<i64>().is_err(),
            "{what}"
        ),
        Defect::FractionalInteger => assert!(
            value.kind == "real" && value.text().parse::<f64>().unwrap().fract() != 0.0,
            "{what}"
        ),
        Defect::EpochTimestamp => {
            assert!(value.kind == "integer" || value.kind == "real", "{what}");
            assert!(Timestamp::parse_stored(&value.text()).is_ok(), "{what}");
        }
        Defect::TextBoolean => assert!(
            value.kind == "text" && ["true", "false"].contains(&value.text().as_str()),
            "{what}"
        ),
        Defect::OrphanSession => {
            let sql = format!(
                "SELECT count(*) AS n FROM sessions WHERE session_id = (SELECT session_id FROM {} WHERE rowid = {})",
                p.table, p.rowid
            );
            assert_eq!(count(conn, &sql), 0, "{what}");
        }
        Defect::PythonReprJson | Defect::NanInJson => {
            assert!(
                serde_json::from_str::<serde_json::Value>(&value.text()).is_err(),
                "{what}"
            );
            assert_eq!(
                p.defect == Defect::NanInJson,
                value.text().contains("NaN"),
                "{what}"
            );
        }
        Defect::JsonStringLiteral => assert!(
            serde_json::from_str::<String>(&value.text()).is_ok(),
            "{what}"
        ),
        Defect::TimestampWithoutFraction | Defect::TimestampWithFraction => {
            let text = value.text();
            assert_eq!(
                text.contains('.'),
                p.defect == Defect::TimestampWithFraction,
                "{what}"
            );
            assert!(Timestamp::parse_legacy(&text).is_ok(), "{what}");
        }
        Defect::Unicode => assert!(!value.text().is_ascii(), "{what}"),
        Defect::VeryLongText => assert!(
            value.bytes().len() >= 2 * 1024 * 1024,
            "{}",
            value.bytes().len()
        ),
        Defect::CaseVariantKey => {
            let sql = format!(
                "SELECT count(*) AS n FROM {} WHERE lower({column}) = lower(x'{}')",
                p.table, value.hex
            );
            assert_eq!(count(conn, &sql), 2, "{what}");
        }
        other => panic!("no check for {other:?}"),
    }
}

#[test]
fn counts_include_the_planted_rows() {
    let (_dir, path, summary) = corrupted();
    let mut conn = open(&path);
    for (table, want) in &summary.fixture.tables {
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")),
            want.rows,
            "{table}"
        );
    }
    let host = format!(
        "SELECT count(*) AS n FROM sessions WHERE session_id = '{}'",
        summary.host_session_id
    );
    assert_eq!(count(&mut conn, &host), 1);
    assert!(summary.rejected_rowids("messages").len() >= 5);
}

#[test]
fn the_exact_duplicate_key_passes_quick_check_but_not_integrity_check() {
    let (_dir, path, summary) = corrupted();
    let mut conn = open(&path);
    assert_eq!(
        strings(
            &mut conn,
            "SELECT quick_check AS v FROM pragma_quick_check()"
        ),
        ["ok"]
    );
    let integrity = strings(
        &mut conn,
        "SELECT integrity_check AS v FROM pragma_integrity_check()",
    )
    .join("\n");
    assert!(
        integrity.contains("non-unique entry in index sqlite_autoindex_analysis_events_1"),
        "{integrity}"
    );
    // The DDL reads as the app wrote it, and a lookup by key sees one row.
    let ddl = strings(
        &mut conn,
        "SELECT sql AS v FROM sqlite_master WHERE name = 'analysis_events'",
    );
    assert!(ddl[0].contains("event_id TEXT PRIMARY KEY,"), "{}", ddl[0]);
    let twin = summary
        .of(Defect::DuplicatePrimaryKey)
        .into_iter()
        .find(|p| p.table == "analysis_events")
        .unwrap();
    let key = twin.key.clone().unwrap();
    let by_key = format!("SELECT count(*) AS n FROM analysis_events WHERE event_id = '{key}'");
    assert_eq!(count(&mut conn, &by_key), 1);
    let by_scan =
        format!("SELECT count(*) AS n FROM analysis_events NOT INDEXED WHERE event_id = '{key}'");
    assert_eq!(count(&mut conn, &by_scan), 2);
}
