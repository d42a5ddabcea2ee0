//! The stage rules, dead outbox entries and shadow comparison.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::time::{Duration, Instant};

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, AnalysisStepRepository, Error, Message, MessageRepository,
    SessionId, SessionRepository, SessionStart, Stage,
};
use chatmrpt_db_dual::{DualStore, Side, StageRequest};

use common::{OwnedPair, Pair, assert_same_rows, options, pg, sqlite};

fn request(to: Stage, force: bool) -> StageRequest {
    StageRequest {
        to,
        changed_by: "tester".into(),
        force,
    }
}

#[test]
fn stage_moves_one_step_at_a_time_unless_forced_and_back_is_allowed() {
    let pair = Pair::new(options(Stage::Off, false));
    let store = &pair.store;
    let err = store.set_stage(&request(Stage::Shadow, false)).unwrap_err();
    assert!(matches!(&err, Error::StageRule(_)), "{err}");
    assert_eq!(store.stage(), Stage::Off);
    for stage in [Stage::DualWrite, Stage::Shadow, Stage::Live] {
        let change = store.set_stage(&request(stage, false)).unwrap().unwrap();
        assert_eq!((change.to, change.forced), (stage, false));
        assert_eq!(store.stage(), stage);
    }
    let back = store
        .set_stage(&request(Stage::Shadow, false))
        .unwrap()
        .unwrap();
    assert_eq!((back.from, back.to), (Stage::Live, Stage::Shadow));
    assert!(store.set_stage(&request(Stage::Off, false)).is_err());
    let forced = store
        .set_stage(&request(Stage::Off, true))
        .unwrap()
        .unwrap();
    assert!(forced.forced);
    assert_eq!(store.set_stage(&request(Stage::Off, false)).unwrap(), None);
    let history = store.stage_history(10).unwrap();
    let moves: Vec<(Stage, Stage)> = history.iter().map(|c| (c.from, c.to)).collect();
    assert_eq!(
        moves,
        vec![
            (Stage::Shadow, Stage::Off),
            (Stage::Live, Stage::Shadow),
            (Stage::Shadow, Stage::Live),
            (Stage::DualWrite, Stage::Shadow),
            (Stage::Off, Stage::DualWrite),
        ]
    );
    assert!(history.iter().all(|c| c.changed_by == "tester"));
    assert!(history[0].changed_at >= history[4].changed_at);
}

#[test]
fn another_process_sees_a_stage_change_within_two_seconds() {
    let pair = Pair::new(options(Stage::DualWrite, true));
    let other = DualStore::new(
        sqlite(pair.dir.path()),
        pg(&pair.pg_config),
        options(Stage::DualWrite, false),
    );
    other.set_stage(&request(Stage::Shadow, false)).unwrap();
    let changed = Instant::now();
    while pair.store.stage() != Stage::Shadow {
        assert!(changed.elapsed() < Duration::from_secs(2), "not followed");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A process opened later starts in the stored stage, not the default.
    let late = DualStore::new(
        sqlite(pair.dir.path()),
        pg(&pair.pg_config),
        options(Stage::Off, false),
    );
    assert_eq!(late.stage(), Stage::Shadow);
}

fn step_and_decision(session: &SessionId) -> (AnalysisStep, AlgorithmDecision) {
    let step = AnalysisStep::new(session.clone(), "composite_score");
    let decision = AlgorithmDecision::new(session.clone(), step.step_id.clone(), "method");
    (step, decision)
}

#[test]
fn a_write_that_cannot_succeed_is_parked_dead_and_blocks_nothing() {
    let pair = Pair::new(options(Stage::DualWrite, false));
    let store = &pair.store;
    let session = SessionId::from("dead-letter");
    store
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    // The step reaches SQLite only (as if written before dual write began),
    // so PostgreSQL refuses the decision that names it: NotFound, forever.
    let (step, decision) = step_and_decision(&session);
    store.legacy().log_analysis_step(&step).unwrap();
    store.log_algorithm_decision(&decision).unwrap();
    let later = Message::new(session.clone(), "user", "after the bad write");
    store.log_message(&later).unwrap();
    assert!(store.drain(Duration::from_secs(20)));
    let dead = store.outbox(Side::Legacy).outbox_dead(10).unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].kind, "algorithm_decision");
    assert_eq!(dead[0].row_key, decision.decision_id.as_str());
    assert_eq!(dead[0].attempts, 3);
    assert!(
        dead[0].last_error.as_deref().unwrap().contains("not found"),
        "{dead:?}"
    );
    // The later write of the same session was delivered all the same.
    assert_eq!(store.target().list_messages(&session).unwrap(), vec![later]);
    // Fix the cause, retry the dead entry: both stores agree.
    store.target().log_analysis_step(&step).unwrap();
    assert_eq!(
        store.outbox(Side::Legacy).outbox_retry_dead(None).unwrap(),
        1
    );
    assert!(store.drain(Duration::from_secs(20)));
    assert_eq!(store.outbox_stats(Side::Legacy).unwrap().dead, 0);
    assert_same_rows(store.legacy(), store.target());
}

#[test]
fn moving_reads_onto_a_store_that_owes_writes_is_refused_unless_forced() {
    let pair = Pair::new(options(Stage::Shadow, false));
    let store = &pair.store;
    let session = SessionId::from("owing");
    let (step, decision) = step_and_decision(&session);
    store.legacy().log_analysis_step(&step).unwrap();
    store.log_algorithm_decision(&decision).unwrap();
    assert!(store.drain(Duration::from_secs(20)));
    let err = store.set_stage(&request(Stage::Live, false)).unwrap_err();
    assert!(err.to_string().contains("owes"), "{err}");
    assert_eq!(store.stage(), Stage::Shadow);
    assert_eq!(
        store
            .outbox(Side::Legacy)
            .outbox_discard_dead(None)
            .unwrap(),
        1
    );
    store.set_stage(&request(Stage::Live, false)).unwrap();
    assert_eq!(store.stage(), Stage::Live);
}

#[test]
fn shadow_reads_count_mismatches_and_return_the_authoritative_answer() {
    let pair = Pair::new(options(Stage::Shadow, false));
    let store = &pair.store;
    let session = SessionId::from("shadowed");
    store
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    let shared = Message::new(session.clone(), "user", "in both");
    store.log_message(&shared).unwrap();
    assert_eq!(store.list_messages(&session).unwrap(), vec![shared.clone()]);
    assert_eq!(store.counters().mismatches, 0);
    // A row only PostgreSQL has: the comparison notices, the caller gets SQLite's answer.
    let stray = Message::new(session.clone(), "user", "only in postgres");
    store.target().log_message(&stray).unwrap();
    assert_eq!(store.list_messages(&session).unwrap(), vec![shared]);
    assert_eq!(store.counters().mismatches, 1);
    // In live the roles swap: PostgreSQL answers, SQLite is compared.
    store.set_stage(&request(Stage::Live, true)).unwrap();
    assert_eq!(store.list_messages(&session).unwrap().len(), 2);
    assert_eq!(store.counters().mismatches, 2);
}

#[test]
fn a_failing_comparison_read_never_fails_the_call() {
    let OwnedPair { store, cluster, .. } = OwnedPair::start(Stage::Shadow, false);
    let session = SessionId::from("compare-down");
    store
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    cluster.stop();
    let got = store.get_session(&session).unwrap();
    assert_eq!(got.unwrap().session_id, session);
    assert_eq!(store.counters().shadow_failures, 1);
    // Writes keep succeeding; PostgreSQL's share waits in the outbox.
    store
        .log_message(&Message::new(session.clone(), "user", "while down"))
        .unwrap();
    assert!(store.outbox_stats(Side::Legacy).unwrap().pending >= 1);
    cluster.start_again();
    assert!(store.drain(Duration::from_secs(30)));
    assert_same_rows(store.legacy(), store.target());
}

#[test]
fn reads_never_move_back_to_sqlite_after_complete_unless_forced() {
    let pair = common::Pair::new(common::options(Stage::Live, false));
    let step = |to: Stage, force: bool| {
        pair.store.set_stage(&StageRequest {
            to,
            changed_by: "test".into(),
            force,
        })
    };
    step(Stage::Rampdown, false).unwrap();
    step(Stage::Complete, false).unwrap();
    // Back to where PostgreSQL still decides: fine.
    step(Stage::Rampdown, false).unwrap();
    step(Stage::Live, false).unwrap();
    // Reads onto SQLite, which missed everything written in complete: refused.
    let refused = step(Stage::Shadow, false).unwrap_err();
    assert!(
        matches!(refused, chatmrpt_db_core::Error::StageRule(_)),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("stage was complete"),
        "{refused}"
    );
    assert_eq!(pair.store.stage(), Stage::Live);
    step(Stage::Shadow, true).unwrap();
    assert_eq!(pair.store.stage(), Stage::Shadow);
}

/// Messages in the SQLite file alone, as a copy of it without its WAL shows
/// them: what a checkpoint has copied into the file.
fn messages_in_the_file_alone(path: &std::path::Path, scratch: &std::path::Path) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let _ = std::fs::remove_file(scratch);
    std::fs::copy(path, scratch).unwrap();
    let mut conn = SqliteConnection::establish(&scratch.to_string_lossy()).unwrap();
    // Not even the schema yet when nothing was checkpointed.
    diesel::sql_query("SELECT count(*) AS n FROM messages")
        .get_result::<Count>(&mut conn)
        .map_or(0, |c| c.n)
}

#[test]
fn the_worker_checkpoints_the_sqlite_file_off_the_write_path() {
    let pair = Pair::new(options(Stage::Off, false));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    // Writers that never checkpoint themselves: only the worker can.
    let legacy = chatmrpt_db_sqlite::SqliteStore::open(&chatmrpt_db_core::SqliteConfig {
        path: path.clone(),
        wal_autocheckpoint: 1_000_000,
        ..chatmrpt_db_core::SqliteConfig::default()
    })
    .unwrap();
    legacy.run_migrations().unwrap();
    let store = DualStore::new(
        legacy,
        pg(&pair.pg_config),
        chatmrpt_db_dual::DualOptions {
            checkpoint_interval: Some(Duration::from_millis(20)),
            ..options(Stage::Off, true)
        },
    );
    for i in 0..200 {
        store
            .log_message(&Message::new("s-upkeep", "user", format!("hello {i}")))
            .unwrap();
    }
    let scratch = dir.path().join("file-alone.db");
    let started = Instant::now();
    while messages_in_the_file_alone(&path, &scratch) < 200 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the worker never checkpointed the file"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let listed = store
        .legacy()
        .list_messages(&SessionId::from("s-upkeep"))
        .unwrap();
    assert_eq!(listed.len(), 200);
}
