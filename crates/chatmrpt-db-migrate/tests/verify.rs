//! Verify catches every kind of difference, by key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use chatmrpt_db_core::Table;
use chatmrpt_db_migrate::records;
use chatmrpt_db_migrate::verify::{KnownKind, StoreRef, VerifyOptions, VerifyReport, verify_with};
use chatmrpt_db_testing::legacy::Release;
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

fn nth_key(conn: &mut PgConnection, table: Table, n: i64) -> String {
    let sql = format!(
        "SELECT {} AS id FROM {} ORDER BY 1 OFFSET {n} LIMIT 1",
        table.primary_key(),
        table.name()
    );
    diesel::sql_query(sql).get_result::<Id>(conn).unwrap().id
}

/// Verify of the legacy file at `path` against `schema`, in chunks of
/// `chunk_rows` keys.
fn file_against(path: &std::path::Path, schema: &TestSchema, chunk_rows: usize) -> VerifyReport {
    let options = VerifyOptions {
        chunk_rows,
        ..VerifyOptions::default()
    };
    verify_with(
        &StoreRef::Sqlite(path.to_path_buf()),
        &StoreRef::Postgres(config(schema)),
        &options,
    )
    .unwrap()
}

#[test]
fn an_altered_a_deleted_and_an_added_row_are_named_by_key() {
    let fx = fixture(Release::AllReleases, 0.05);
    let schema = TestSchema::new();
    run(&fx.path, &config(&schema), 1_000);
    let mut conn = conn(&schema);
    let altered = nth_key(&mut conn, Table::Messages, 3);
    let deleted = nth_key(&mut conn, Table::LlmInteractions, 5);
    let session = nth_key(&mut conn, Table::Sessions, 100);
    let latency = nth_key(&mut conn, Table::LlmInteractions, 7);
    diesel::sql_query("UPDATE messages SET content = content || ' ' WHERE message_id = $1")
        .bind::<Text, _>(&altered)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("DELETE FROM explanations WHERE llm_interaction_id = $1")
        .bind::<Text, _>(&deleted)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("DELETE FROM llm_interactions WHERE interaction_id = $1")
        .bind::<Text, _>(&deleted)
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO messages (message_id, session_id) VALUES ('zz-added', $1)")
        .bind::<Text, _>(&session)
        .execute(&mut conn)
        .unwrap();
    // One ulp on a double is a difference too.
    diesel::sql_query("UPDATE llm_interactions SET latency = latency + latency * 1e-16 WHERE interaction_id = $1 AND latency > 1").bind::<Text, _>(&latency).execute(&mut conn).unwrap();
    let report = file_against(&fx.path, &schema, 50);
    assert!(!report.is_equal());
    let table = |t: Table| report.tables.iter().find(|r| r.table == t).unwrap();
    assert_eq!(table(Table::Messages).differing.keys, vec![altered.clone()]);
    assert_eq!(
        table(Table::Messages).extra.keys,
        vec!["zz-added".to_owned()]
    );
    assert!(table(Table::Messages).missing.keys.is_empty());
    assert_eq!(
        table(Table::LlmInteractions).missing.keys,
        vec![deleted.clone()]
    );
    let sessions = table(Table::Sessions);
    assert!(sessions.is_equal() && sessions.chunks > 10 && sessions.chunks_differing == 0);
    assert!(table(Table::LlmInteractions).differing.count <= 1);
    for t in &report.tables {
        assert!(
            t.chunks_differing <= 2,
            "{}: only the chunks with a change are read",
            t.table
        );
    }

    // Recorded for the status page: the figures, never the keys.
    records::record_verify_run(&mut conn, "postgres://u:pa?ss@h/db", &report).unwrap();
    let run = records::last_verify_run(&mut conn).unwrap().unwrap();
    assert!(!run.equal);
    assert_eq!(run.source, "postgres://u:***@h/db");
    let messages = run.tables.iter().find(|t| t.table == "messages").unwrap();
    assert_eq!(
        (messages.differing, messages.extra, messages.missing),
        (1, 1, 0)
    );
    let stored: Id = diesel::sql_query("SELECT tables::text AS id FROM verify_runs")
        .get_result(&mut conn)
        .unwrap();
    for key in [&altered, &deleted, &"zz-added".to_owned()] {
        assert!(!stored.id.contains(key.as_str()), "{key} was recorded");
    }
}

#[test]
fn two_postgres_stores_compare_too() {
    let fx = fixture(Release::Routing, 0.02);
    let (a, b) = (TestSchema::new(), TestSchema::new());
    run(&fx.path, &config(&a), 5_000);
    run(&fx.path, &config(&b), 5_000);
    let report = verify_with(
        &StoreRef::Postgres(config(&a)),
        &StoreRef::Postgres(config(&b)),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert!(report.is_equal(), "{report:#?}");
    assert!(report.tables.iter().any(|t| t.source_rows > 0));
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[test]
fn the_catalog_matches_the_migrated_schema() {
    let schema = TestSchema::new();
    migrated(&schema);
    let mut conn = conn(&schema);
    for table in Table::ALL {
        let cols: Vec<Column> = diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS kind FROM information_schema.columns \
             WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(schema.schema())
        .bind::<Text, _>(table.name())
        .load(&mut conn)
        .unwrap();
        // Where each row came from (migration 000009): the target's own
        // column, last, never compared.
        let (origin, cols) = cols.split_last().unwrap();
        assert_eq!(
            (origin.name.as_str(), origin.kind.as_str()),
            ("chatmrpt_origin", "text"),
            "{table}"
        );
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            chatmrpt_db_migrate::catalog_columns(table)
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>(),
            "{table}"
        );
        for (c, (_, kind)) in cols.iter().zip(chatmrpt_db_migrate::catalog_columns(table)) {
            assert_eq!(c.kind, kind, "{table}.{}", c.name);
        }
    }
}

/// Sessions the backfill synthesized are known differences in whichever
/// chunk they fall, each chunk leaving out only the synthesized sessions
/// of its own key range, down to one key per chunk and past the file's
/// last session.
#[test]
fn synthesized_sessions_at_chunk_edges_are_known_differences() {
    let fx = fixture(Release::Routing, 0.02);
    // Orphans whose sessions sort after every session of the file, one
    // message each: the last chunks hold nothing but synthesized sessions.
    let mut legacy = diesel::SqliteConnection::establish(fx.path.to_str().unwrap()).unwrap();
    let orphans: Vec<String> = (0..4).map(|i| format!("zz-orphan-{i}")).collect();
    for (i, session) in orphans.iter().enumerate() {
        diesel::sql_query(
            "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
             VALUES (?1, ?2, '2025-03-04 05:06:07', 'user', 'hello')",
        )
        .bind::<Text, _>(format!("orphan-message-{i}"))
        .bind::<Text, _>(session)
        .execute(&mut legacy)
        .unwrap();
    }
    drop(legacy);
    let schema = TestSchema::new();
    run(&fx.path, &config(&schema), 1_000);
    for chunk_rows in [1, 2, 3, 2_000] {
        let report = file_against(&fx.path, &schema, chunk_rows);
        let sessions = report
            .tables
            .iter()
            .find(|r| r.table == Table::Sessions)
            .unwrap();
        assert!(
            sessions.is_equal(),
            "chunks of {chunk_rows}: extra {:?}, missing {:?}",
            sessions.extra.keys,
            sessions.missing.keys
        );
        assert_eq!(sessions.source_rows, sessions.target_rows);
        let mut synthesized: Vec<String> = sessions
            .known
            .iter()
            .filter(|k| k.kind == KnownKind::Synthesized)
            .filter_map(|k| k.key.clone())
            .filter(|k| k.starts_with("zz-orphan-"))
            .collect();
        synthesized.sort();
        assert_eq!(synthesized, orphans, "chunks of {chunk_rows}");
        assert!(report.is_equal(), "chunks of {chunk_rows}");
    }
}
