//! Backfill of real legacy fixtures into a real PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use chatmrpt_db_core::Table;
use chatmrpt_db_migrate::verify::{StoreRef, VerifyOptions, verify_with};
use chatmrpt_db_testing::legacy::{Release, write_corrupted_file};
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

fn verify_equal(
    source: &std::path::Path,
    schema: &TestSchema,
) -> chatmrpt_db_migrate::VerifyReport {
    let options = VerifyOptions {
        chunk_rows: 300,
        ..VerifyOptions::default()
    };
    let report = verify_with(
        &StoreRef::Sqlite(source.to_path_buf()),
        &StoreRef::Postgres(config(schema)),
        &options,
    )
    .unwrap();
    assert!(report.is_equal(), "{report:#?}");
    report
}

#[test]
fn every_release_loads_every_row_unchanged_and_verifies_equal() {
    for release in Release::ALL {
        let fx = fixture(release, 0.05);
        let before = file_hash(&fx.path);
        let schema = TestSchema::new();
        let summary = run(&fx.path, &config(&schema), 700);
        assert!(summary.is_complete());
        let mut conn = conn(&schema);
        for t in &summary.tables {
            let expected = fx.summary.rows(t.table.name());
            assert_eq!(t.total.read, expected, "{release:?} {}", t.table);
            assert_eq!(t.total.quarantined, 0, "{release:?} {}", t.table);
            assert_eq!(t.total.inserted, expected, "{release:?} {}", t.table);
            let synthesized = if t.table == Table::Sessions {
                fx.summary.orphan_session_ids.len() as u64
            } else {
                0
            };
            assert_eq!(
                rows(&mut conn, t.table),
                expected + synthesized,
                "{release:?} {}",
                t.table
            );
        }
        let synthesized: u64 = summary
            .tables
            .iter()
            .map(|t| t.total.sessions_synthesized)
            .sum();
        assert_eq!(
            synthesized,
            fx.summary.orphan_session_ids.len() as u64,
            "{release:?}"
        );
        let report = verify_equal(&fx.path, &schema);
        assert!(
            report.tables.iter().any(|t| t.chunks > 1),
            "chunks were exercised"
        );
        assert_eq!(
            file_hash(&fx.path),
            before,
            "{release:?}: the source changed"
        );
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Quarantined {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = BigInt)]
    source_rowid: i64,
}

#[test]
fn corrupted_file_quarantines_exactly_the_bad_rows_and_loads_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.db");
    let planted = write_corrupted_file(&path, 11).unwrap();
    let before = file_hash(&path);
    let schema = TestSchema::new();
    let summary = run(&path, &config(&schema), 5_000);
    let mut conn = conn(&schema);
    let mut found: Vec<Quarantined> =
        diesel::sql_query("SELECT table_name, source_rowid FROM backfill_quarantine")
            .load(&mut conn)
            .unwrap();
    found.sort();
    let mut expected = Vec::new();
    for table in Table::ALL {
        for rowid in planted.rejected_rowids(table.name()) {
            expected.push(Quarantined {
                table_name: table.name().to_owned(),
                source_rowid: rowid,
            });
        }
    }
    expected.sort();
    assert_eq!(found, expected);
    for t in &summary.tables {
        assert!(t.total.is_balanced(), "{}", t.table);
        assert_eq!(
            t.total.read,
            planted.fixture.rows(t.table.name()),
            "{}",
            t.table
        );
        assert_eq!(
            t.total.quarantined,
            planted.rejected_rowids(t.table.name()).len() as u64,
            "{}",
            t.table
        );
    }
    let originals = count(
        &mut conn,
        "SELECT count(*) AS n FROM backfill_quarantine WHERE jsonb_typeof(original) = 'array' AND jsonb_array_length(original) > 2",
    );
    assert_eq!(
        originals,
        expected.len() as u64,
        "every quarantined row keeps every column"
    );
    let converted: u64 = summary
        .tables
        .iter()
        .map(|t| t.total.values_converted)
        .sum();
    assert!(
        converted >= 4,
        "epoch timestamps and text booleans are converted"
    );
    verify_equal(&path, &schema);
    assert_eq!(file_hash(&path), before);
}

#[test]
fn second_run_loads_nothing_new() {
    let fx = fixture(Release::AllReleases, 0.02);
    let schema = TestSchema::new();
    let first = run(&fx.path, &config(&schema), 400);
    let mut conn = conn(&schema);
    let counts: Vec<u64> = Table::ALL.iter().map(|t| rows(&mut conn, *t)).collect();
    let second = run(&fx.path, &config(&schema), 400);
    assert_eq!(second.rows_read(), 0);
    for (a, b) in first.tables.iter().zip(&second.tables) {
        assert_eq!(a.total, b.total, "{}", a.table);
    }
    assert_eq!(
        Table::ALL
            .iter()
            .map(|t| rows(&mut conn, *t))
            .collect::<Vec<_>>(),
        counts
    );
}

#[test]
fn reals_arrive_bit_for_bit_and_naive_times_in_the_given_zone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doubles.db");
    let mut sqlite = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query("CREATE TABLE sessions (session_id TEXT PRIMARY KEY, start_time TIMESTAMP)")
        .execute(&mut sqlite)
        .unwrap();
    diesel::sql_query("CREATE TABLE llm_interactions (interaction_id TEXT PRIMARY KEY, session_id TEXT, timestamp TIMESTAMP, latency REAL)").execute(&mut sqlite).unwrap();
    diesel::sql_query("INSERT INTO sessions VALUES ('s', '2025-07-28 10:00:00')")
        .execute(&mut sqlite)
        .unwrap();
    let values = [
        0.1 + 0.2,
        5e-324,
        f64::MAX,
        1.0 / 3.0,
        -1.5e-300,
        123_456.789_012_345_68,
        f64::INFINITY,
    ];
    for (i, v) in values.iter().enumerate() {
        diesel::sql_query(
            "INSERT INTO llm_interactions VALUES (?1, 's', '2025-07-28 10:00:01.5', ?2)",
        )
        .bind::<Text, _>(format!("k{i}"))
        .bind::<diesel::sql_types::Double, _>(*v)
        .execute(&mut sqlite)
        .unwrap();
    }
    drop(sqlite);
    let schema = TestSchema::new();
    let options = chatmrpt_db_migrate::BackfillOptions {
        source_timezone: Some("+01:00".parse().unwrap()),
        ..Default::default()
    };
    chatmrpt_db_migrate::backfill(
        &path,
        &config(&schema),
        &options,
        &mut chatmrpt_db_migrate::NoProgress,
    )
    .unwrap();
    #[derive(QueryableByName)]
    struct L {
        #[diesel(sql_type = Text)]
        interaction_id: String,
        #[diesel(sql_type = diesel::sql_types::Double)]
        latency: f64,
        #[diesel(sql_type = Text)]
        at: String,
    }
    let loaded: Vec<L> = diesel::sql_query("SELECT interaction_id, latency, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM llm_interactions ORDER BY interaction_id")
        .load(&mut conn(&schema))
        .unwrap();
    assert_eq!(loaded.len(), values.len());
    for (l, v) in loaded.iter().zip(values) {
        assert_eq!(l.latency.to_bits(), v.to_bits(), "{}", l.interaction_id);
        assert_eq!(l.at, "2025-07-28 09:00:01.500000");
    }
    let options = VerifyOptions {
        source_timezone: Some("+01:00".parse().unwrap()),
        ..Default::default()
    };
    let report = verify_with(
        &StoreRef::Sqlite(path.clone()),
        &StoreRef::Postgres(config(&schema)),
        &options,
    )
    .unwrap();
    assert!(report.is_equal(), "{report:#?}");
}

#[test]
fn a_file_that_is_not_a_chatmrpt_log_is_refused_before_the_target_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough",
    )
    .unwrap();
    let other = dir.path().join("other.db");
    let mut sqlite = SqliteConnection::establish(other.to_str().unwrap()).unwrap();
    diesel::sql_query("CREATE TABLE users (id INTEGER)")
        .execute(&mut sqlite)
        .unwrap();
    let schema = TestSchema::new();
    for path in [&text, &other] {
        let err = chatmrpt_db_migrate::backfill(
            path,
            &config(&schema),
            &Default::default(),
            &mut chatmrpt_db_migrate::NoProgress,
        )
        .unwrap_err();
        assert!(
            matches!(err, chatmrpt_db_migrate::Error::NotALegacyLog { .. }),
            "{err:?}"
        );
    }
    let tables = count(
        &mut conn(&schema),
        &format!(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '{}'",
            schema.schema()
        ),
    );
    assert_eq!(tables, 0, "the target was not migrated");
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    method: Option<String>,
    #[diesel(sql_type = Text)]
    response: String,
}

/// Long values are stored compressed with lz4 where the server offers it
/// (the faster method), else with the server's default; either way they
/// read back byte for byte.
#[test]
fn long_values_are_compressed_with_lz4_and_read_back_unchanged() {
    let fx = fixture(Release::AllReleases, 0.02);
    let response = "The ward ranks high on every malaria risk factor. ".repeat(400);
    let mut legacy = diesel::SqliteConnection::establish(fx.path.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "INSERT INTO llm_interactions (interaction_id, session_id, timestamp, prompt_type, response) \
         VALUES ('long-response', 'long-response-session', '2025-03-04 05:06:07', 'chat', ?1)",
    )
    .bind::<Text, _>(&response)
    .execute(&mut legacy)
    .unwrap();
    drop(legacy);
    let schema = TestSchema::new();
    run(&fx.path, &config(&schema), 400);
    let mut conn = conn(&schema);
    let offers_lz4 = count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_settings \
         WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)",
    ) == 1;
    let stored: Stored = diesel::sql_query(
        "SELECT pg_column_compression(response) AS method, response FROM llm_interactions \
         WHERE interaction_id = 'long-response'",
    )
    .get_result(&mut conn)
    .unwrap();
    let expected = if offers_lz4 { "lz4" } else { "pglz" };
    assert_eq!(stored.method.as_deref(), Some(expected));
    assert_eq!(stored.response, response);
    verify_equal(&fx.path, &schema);
}
