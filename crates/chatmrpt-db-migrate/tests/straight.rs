//! Rows COPYed straight into their table leave exactly what the staged path
//! leaves: the same rows, the same quarantine, the same synthesized
//! sessions, the same records, whether the target is empty or already holds
//! some of the rows (newer ones, which are never overwritten).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test: a panic is the failure report"
)]

mod common;

use std::path::Path;

use chatmrpt_db_core::Table;
use chatmrpt_db_migrate::{BackfillOptions, BackfillSummary, NoProgress, TableSummary, backfill};
use chatmrpt_db_testing::legacy::{Release, write_corrupted_file};
use chatmrpt_db_testing::pg::TestSchema;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Everything a backfill leaves, as sorted JSON lines per table, without
/// the columns that hold the time of writing or a generated id.
/// (`backfill_session_sources` differs by design: a session COPYed
/// straight in is known by its `chatmrpt_origin` alone; the merges it
/// serves are compared through the summaries' counts.)
fn contents(schema: &TestSchema) -> Vec<(String, Vec<String>)> {
    let mut conn = conn(schema);
    let mut out: Vec<(String, Vec<String>)> = Table::ALL
        .iter()
        .map(|t| {
            let sql = format!(
                "SELECT to_jsonb(t)::text AS line FROM \"{}\" t ORDER BY 1",
                t.name()
            );
            (t.name().to_owned(), lines(&mut conn, &sql))
        })
        .collect();
    for (table, volatile) in [
        ("backfill_quarantine", "- 'id' - 'quarantined_at'"),
        ("backfill_synthesized", "- 'synthesized_at'"),
        ("backfill_progress", "- 'updated_at'"),
    ] {
        let sql =
            format!("SELECT (to_jsonb(t) {volatile})::text AS line FROM {table} t ORDER BY 1");
        out.push((table.to_owned(), lines(&mut conn, &sql)));
    }
    out
}

fn load(source: &Path, schema: &TestSchema, straight: bool, rescan: bool) -> BackfillSummary {
    let writers = BackfillOptions::default().writers;
    load_with(source, schema, (straight, rescan), (writers, 40))
}

fn load_with(
    source: &Path,
    schema: &TestSchema,
    (straight, rescan): (bool, bool),
    (writers, batch_rows): (usize, usize),
) -> BackfillSummary {
    let options = BackfillOptions {
        batch_rows,
        source_label: Some("one-host".into()),
        straight_copy: straight,
        rescan,
        writers,
        ..BackfillOptions::default()
    };
    backfill(source, &config(schema), &options, &mut NoProgress).unwrap()
}

/// Migrates `schema` and runs `sql` there (the triggers a test plants on
/// the bookkeeping).
fn with_triggers(schema: &TestSchema, sql: &str) {
    migrated(schema);
    conn(schema).batch_execute(sql).unwrap();
}

fn assert_same(straight: &TestSchema, staged: &TestSchema, what: &str) {
    let (a, b) = (contents(straight), contents(staged));
    for ((table, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x.len(), y.len(), "{what}: {table} row count");
        for (row_x, row_y) in x.iter().zip(y) {
            assert_eq!(row_x, row_y, "{what}: {table}");
        }
    }
}

fn messages_of(summary: &BackfillSummary) -> &TableSummary {
    summary
        .tables
        .iter()
        .find(|t| t.table == Table::Messages)
        .unwrap()
}

fn counts(summary: &BackfillSummary) -> Vec<String> {
    summary
        .tables
        .iter()
        .map(|t| format!("{} {:?} {:?}", t.table, t.this_run, t.total))
        .collect()
}

/// A fixture with orphan rows spread through every child table (sessions
/// synthesized, then widened by later batches) and a file with planted bad
/// rows (quarantined): both paths leave the same database and report the
/// same counts; the straight run really copied most rows straight in.
#[test]
fn straight_and_staged_loads_leave_the_same_database() {
    let fx = fixture(Release::AllReleases, 0.05);
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.db");
    write_corrupted_file(&corrupt, 11).unwrap();
    let mut synthesized = 0;
    for source in [fx.path.as_path(), corrupt.as_path()] {
        let (a, b) = (TestSchema::new(), TestSchema::new());
        let straight = load(source, &a, true, false);
        let staged = load(source, &b, false, false);
        assert_eq!(counts(&straight), counts(&staged), "{}", source.display());
        assert_same(&a, &b, &source.display().to_string());
        let copied: u64 = straight.tables.iter().map(|t| t.copied_straight).sum();
        let inserted: u64 = straight.tables.iter().map(|t| t.this_run.inserted).sum();
        assert!(
            copied * 10 >= inserted * 8,
            "{}: only {copied} of {inserted} rows went straight in",
            source.display()
        );
        assert!(staged.tables.iter().all(|t| t.copied_straight == 0));
        synthesized += straight
            .tables
            .iter()
            .map(|t| t.total.sessions_synthesized)
            .sum::<u64>();
    }
    assert!(synthesized > 0, "the fixture has orphans to synthesize for");
}

/// Batches loaded on several connections at once commit in read order and
/// leave exactly what one connection leaves: the same rows, quarantine,
/// synthesized sessions and their times, progress, on both paths. Batches
/// of 7 rows: an orphan's session is wanted by several batches in flight
/// at once, each widening its times.
#[test]
fn one_writer_or_three_leave_the_same_database() {
    let fx = fixture(Release::AllReleases, 0.05);
    // Orphan sessions of 8 messages each, 1 s apart: each spans two
    // batches, the first creating the session, the second widening it.
    let mut legacy = diesel::SqliteConnection::establish(fx.path.to_str().unwrap()).unwrap();
    for i in 0..160 {
        diesel::sql_query(
            "INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
             VALUES (?1, ?2, ?3, 'user', 'hello')",
        )
        .bind::<Text, _>(format!("widening-{i:03}"))
        .bind::<Text, _>(format!("orphan-of-two-batches-{:02}", i / 8))
        .bind::<Text, _>(format!("2025-03-04 05:{:02}:{:02}.25", i / 60, i % 60))
        .execute(&mut legacy)
        .unwrap();
    }
    drop(legacy);
    for straight in [true, false] {
        let (one, three) = (TestSchema::new(), TestSchema::new());
        // Each batch of a child table lingers 20 ms between loading its
        // rows and committing, so the next batch, in flight meanwhile,
        // would meet its sessions uncommitted were it not to wait.
        with_triggers(
            &three,
            "CREATE TABLE linger_log (began timestamptz, recorded timestamptz); \
                 CREATE FUNCTION linger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                   INSERT INTO linger_log VALUES (now(), clock_timestamp()); \
                   PERFORM pg_sleep(0.02); RETURN NEW; END $$; \
                 CREATE TRIGGER linger BEFORE INSERT OR UPDATE ON backfill_progress \
                 FOR EACH ROW WHEN (NEW.table_name <> 'sessions') EXECUTE FUNCTION linger()",
        );
        let a = load_with(&fx.path, &one, (straight, false), (1, 7));
        let b = load_with(&fx.path, &three, (straight, false), (3, 7));
        assert_eq!(counts(&a), counts(&b), "straight: {straight}");
        assert_same(&one, &three, &format!("straight: {straight}"));
        let widened = lines(
            &mut conn(&three),
            "SELECT (last_activity - start_time)::text AS line FROM sessions \
             WHERE session_id LIKE 'orphan-of-two-batches-%'",
        );
        assert_eq!(
            widened,
            vec!["00:00:07"; 20],
            "every batch widened the synthesized session"
        );
        let synthesized: u64 = b.tables.iter().map(|t| t.total.sessions_synthesized).sum();
        assert!(synthesized > 0, "the fixture has orphans to synthesize for");
        // The batches did overlap: one began before another committed.
        let overlapped = lines(
            &mut conn(&three),
            "SELECT count(*)::text AS line FROM linger_log a JOIN linger_log b \
             ON b.recorded > a.recorded AND b.began < a.recorded",
        );
        assert_ne!(
            overlapped,
            ["0"],
            "straight: {straight}: no two batches overlapped"
        );
    }
}

/// With several writers, a batch PostgreSQL aborts once (a deadlock, as two
/// batches holding the same moved sessions in opposite orders meet; raised
/// here by a trigger) is loaded again once the batches before it have
/// committed: the run ends with what one writer leaves. With one writer
/// nothing else was in flight, so the same refusal is the batch's own and
/// is reported.
#[test]
fn a_batch_aborted_beside_another_loads_again() {
    let fx = fixture(Release::AllReleases, 0.05);
    let abort_once = "CREATE SEQUENCE aborted; \
         CREATE FUNCTION abort_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           IF nextval('aborted') = 3 THEN \
             RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; \
           END IF; RETURN NEW; END $$; \
         CREATE TRIGGER abort_once BEFORE INSERT OR UPDATE ON backfill_progress \
         FOR EACH ROW WHEN (NEW.table_name = 'messages') EXECUTE FUNCTION abort_once()";
    let (one, two, alone) = (TestSchema::new(), TestSchema::new(), TestSchema::new());
    for schema in [&two, &alone] {
        with_triggers(schema, abort_once);
    }
    let a = load_with(&fx.path, &one, (true, false), (1, 7));
    let b = load_with(&fx.path, &two, (true, false), (2, 7));
    assert_eq!(counts(&a), counts(&b));
    assert_same(&one, &two, "a batch loaded again");

    let options = BackfillOptions {
        batch_rows: 7,
        source_label: Some("one-host".into()),
        writers: 1,
        ..BackfillOptions::default()
    };
    let err = backfill(&fx.path, &config(&alone), &options, &mut NoProgress).unwrap_err();
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("deadlock detected"), "{err}");
}

/// One batch that fails every time, with three writers: the run fails and
/// the batches after it, which the server would take, are not committed
/// either. The progress ends exactly at the batch before it, every row up
/// to there loaded and none after; the run resumed once the cause is gone
/// leaves what one writer leaves.
#[test]
fn a_failing_batch_leaves_a_prefix_and_the_resume_completes_it() {
    let fx = fixture(Release::AllReleases, 0.05);
    // Batches of 40 sessions: the rowids where batches 17 and 18 end.
    let mut legacy = diesel::SqliteConnection::establish(fx.path.to_str().unwrap()).unwrap();
    let mut end_of = |batch: i64| -> i64 {
        diesel::sql_query(
            "SELECT CAST(rowid AS TEXT) AS line FROM sessions ORDER BY rowid LIMIT 1 OFFSET ?1",
        )
        .bind::<diesel::sql_types::BigInt, _>(batch * 40 - 1)
        .get_result::<Line>(&mut legacy)
        .unwrap()
        .line
        .parse()
        .unwrap()
    };
    let (kept, refused) = (end_of(17), end_of(18));
    drop(legacy);
    let (one, three) = (TestSchema::new(), TestSchema::new());
    with_triggers(
        &three,
        &format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               RAISE EXCEPTION 'refused at rowid %', NEW.last_rowid; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON backfill_progress \
             FOR EACH ROW WHEN (NEW.table_name = 'sessions' AND NEW.last_rowid = {refused}) \
             EXECUTE FUNCTION refuse()"
        ),
    );
    let options = BackfillOptions {
        batch_rows: 40,
        source_label: Some("one-host".into()),
        writers: 3,
        ..BackfillOptions::default()
    };
    let err = backfill(&fx.path, &config(&three), &options, &mut NoProgress).unwrap_err();
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(
        cause.as_deref(),
        Some(format!("refused at rowid {refused}").as_str()),
        "{err}"
    );
    let mut c = conn(&three);
    let at = lines(
        &mut c,
        "SELECT last_rowid::text AS line FROM backfill_progress WHERE table_name = 'sessions'",
    );
    let loaded = lines(&mut c, "SELECT count(*)::text AS line FROM sessions");
    assert_eq!(
        at,
        [kept.to_string()],
        "the progress ends at the batch before"
    );
    assert_eq!(
        loaded,
        [(17 * 40).to_string()],
        "every session up to it, none after"
    );
    c.batch_execute("DROP TRIGGER refuse ON backfill_progress")
        .unwrap();
    let resumed = backfill(&fx.path, &config(&three), &options, &mut NoProgress).unwrap();
    let a = load_with(&fx.path, &one, (true, false), (1, 40));
    let totals = |s: &BackfillSummary| -> Vec<String> {
        s.tables
            .iter()
            .map(|t| format!("{} {:?}", t.table, t.total))
            .collect()
    };
    assert_eq!(totals(&a), totals(&resumed));
    assert_same(&one, &three, "resumed after a failing batch");
}

/// A target already holding some of the rows, changed since (as dual
/// write leaves newer rows): a rescan meets them in the middle of a batch.
/// The straight COPY of that batch fails at the first such key and rolls
/// back to its savepoint; from then on the keys are looked up first and
/// only the new rows are COPYed: the newer rows stay as they are, every
/// other row loads straight in, the same as through the staged path.
#[test]
fn rows_already_there_are_never_overwritten_by_the_straight_path() {
    let fx = fixture(Release::AllReleases, 0.3);
    let mut results = Vec::new();
    for straight in [true, false] {
        let schema = TestSchema::new();
        let first = load(&fx.path, &schema, true, false);
        // Rows staged by the first load: those whose session the file
        // lacks (synthesized) cannot go straight in, then or later.
        let first = messages_of(&first);
        let staged_first = first.this_run.inserted - first.copied_straight;
        assert!(staged_first > 0, "the fixture has orphan messages");
        let mut conn = conn(&schema);
        let newer = lines(
            &mut conn,
            "SELECT message_id AS line FROM messages WHERE session_id NOT IN \
             (SELECT session_id FROM backfill_synthesized) ORDER BY message_id OFFSET 10 LIMIT 3",
        );
        assert_eq!(newer.len(), 3);
        diesel::sql_query(
            "UPDATE messages SET content = 'newer: ' || coalesce(content, '') \
             WHERE message_id = ANY($1)",
        )
        .bind::<diesel::sql_types::Array<Text>, _>(&newer)
        .execute(&mut conn)
        .unwrap();
        diesel::sql_query("DELETE FROM routing_decisions")
            .execute(&mut conn)
            .unwrap();
        let gone = diesel::sql_query("DELETE FROM messages WHERE message_id <> ALL($1)")
            .bind::<diesel::sql_types::Array<Text>, _>(&newer)
            .execute(&mut conn)
            .unwrap();
        assert!(gone > 20, "{gone} messages");
        // A session whose stored copy fell behind the file's: met again,
        // it converges (the later activity wins), not skipped as present.
        let behind = "SELECT session_id || ' ' || last_activity::text AS line FROM sessions \
                      WHERE last_activity IS NOT NULL ORDER BY session_id LIMIT 1";
        let before = lines(&mut conn, behind);
        assert_eq!(before.len(), 1);
        diesel::sql_query(
            "UPDATE sessions SET last_activity = last_activity - interval '1 day' \
             WHERE session_id = split_part($1, ' ', 1)",
        )
        .bind::<Text, _>(&before[0])
        .execute(&mut conn)
        .unwrap();
        let summary = load(&fx.path, &schema, straight, true);
        assert_eq!(lines(&mut conn, behind), before, "the session converged");
        let messages = messages_of(&summary);
        assert_eq!(messages.this_run.already_present, 3);
        assert_eq!(messages.this_run.inserted, gone as u64);
        if straight {
            // Only the rows staged the first time are staged again: the
            // batches holding the three rows already there are not.
            let staged = messages.this_run.inserted - messages.copied_straight;
            assert_eq!(staged, staged_first, "every other new row straight in");
        }
        let kept = lines(
            &mut conn,
            "SELECT message_id AS line FROM messages WHERE content LIKE 'newer: %' ORDER BY 1",
        );
        assert_eq!(kept, newer, "the newer rows are kept");
        results.push(schema);
    }
    assert_same(&results[0], &results[1], "rescan over newer rows");
}

/// A key that arrives between a batch's lookup and its COPY (dual write
/// inserting the same message a moment before; here a trigger inserts it
/// just before the backfill's own row): the COPY fails at that row, the
/// lookup is turned on and the batch tried again, fails again, and the
/// whole batch is staged. The row that arrived first is kept, every other
/// row loads, and the result is the one the staged path leaves.
#[test]
fn a_key_arriving_after_the_lookup_sends_the_batch_to_the_stage() {
    let fx = fixture(Release::AllReleases, 0.3);
    let mut sqlite = diesel::SqliteConnection::establish(fx.path.to_str().unwrap()).unwrap();
    let key = diesel::sql_query(
        "SELECT message_id AS line FROM messages m WHERE typeof(message_id) = 'text' \
         AND EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = m.session_id) \
         ORDER BY m.rowid LIMIT 1 OFFSET 100",
    )
    .get_result::<Line>(&mut sqlite)
    .unwrap()
    .line;
    // DDL takes no bound parameter; the key is a UUID of the fixture's.
    assert!(
        key.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        "{key}"
    );
    let trigger = format!(
        "CREATE FUNCTION first_here() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           IF pg_trigger_depth() = 1 AND NEW.message_id = '{key}' THEN \
             INSERT INTO messages (message_id, session_id, timestamp, sender, content) \
             VALUES (NEW.message_id, NEW.session_id, NEW.timestamp, NEW.sender, 'dual write got here first'); \
           END IF; RETURN NEW; END $$; \
         CREATE TRIGGER first_here BEFORE INSERT ON messages \
         FOR EACH ROW EXECUTE FUNCTION first_here()"
    );
    let mut results = Vec::new();
    for straight in [true, false] {
        let schema = TestSchema::new();
        with_triggers(&schema, &trigger);
        let summary = load(&fx.path, &schema, straight, false);
        let messages = messages_of(&summary);
        assert_eq!(messages.this_run.already_present, 1, "straight: {straight}");
        assert_eq!(
            messages.this_run.read,
            messages.this_run.inserted + 1 + messages.this_run.quarantined
        );
        if straight {
            // The batch of 40 holding the key was staged whole.
            let staged = messages.this_run.inserted - messages.copied_straight;
            assert!(staged >= 39, "{staged} rows staged");
            assert!(messages.copied_straight > 0);
        }
        let content =
            diesel::sql_query("SELECT content AS line FROM messages WHERE message_id = $1")
                .bind::<Text, _>(&key)
                .load::<Line>(&mut conn(&schema))
                .unwrap();
        let content: Vec<String> = content.into_iter().map(|l| l.line).collect();
        assert_eq!(content, vec!["dual write got here first"]);
        results.push(schema);
    }
    assert_same(&results[0], &results[1], "a key arriving after the lookup");
}
