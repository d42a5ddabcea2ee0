//! Several hosts, each with its own SQLite file, one PostgreSQL (issue 11):
//! the writes PostgreSQL owes a file reach that file and no other.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chatmrpt_db_core::{
    InteractionStore, Message, MessageRepository, OutboxStore, SessionStart, Stage, Table,
    Timestamp, WriteOp,
};
use chatmrpt_db_dual::{DualStore, Side, StageRequest};
use chatmrpt_db_testing::pg::TestSchema;
use diesel::connection::SimpleConnection;

use common::{Dual, Load, options, pg, pg_config, rows, sqlite_at};

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn message_ids(store: &dyn InteractionStore) -> HashSet<String> {
    rows(store, Table::Messages)
        .iter()
        .map(|r| r.key().to_owned())
        .collect()
}

/// One host: its own file under `dir`, the shared PostgreSQL schema.
fn host(dir: &std::path::Path, schema: &TestSchema, stage: Stage, background: bool) -> Arc<Dual> {
    let config = pg_config(schema.url(), schema.schema());
    Arc::new(DualStore::new(
        sqlite_at(&dir.join("interactions.db"), 100),
        pg(&config),
        options(stage, background),
    ))
}

#[test]
fn each_file_gets_its_own_writes_and_no_other_hosts() {
    let schema = TestSchema::new();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = host(dir_a.path(), &schema, Stage::Live, true);
    let b = host(dir_b.path(), &schema, Stage::Live, true);
    let (id_a, id_b) = (a.legacy().file_id().unwrap(), b.legacy().file_id().unwrap());
    assert_ne!(id_a, id_b, "two files minted one identity");
    assert!(id_a.starts_with("sqlite-") && id_a.len() == 39, "{id_a}");

    let load_a = Load::start_named(Arc::clone(&a), 3, "a");
    let load_b = Load::start_named(Arc::clone(&b), 3, "b");
    load_a.wait_for_more_acks(30);
    load_b.wait_for_more_acks(30);
    // Host A's file is locked (a legacy writer, a backup): A's writes are
    // decided by PostgreSQL and owed to A's file; B's replayer keeps running.
    let path_a = dir_a.path().join("interactions.db");
    let mut blocker = chatmrpt_db_sqlite::connect(path_a.to_str().unwrap()).unwrap();
    blocker.batch_execute("BEGIN EXCLUSIVE").unwrap();
    wait_for(
        "A's writes to wait in PostgreSQL's outbox",
        Duration::from_secs(30),
        || {
            b.outbox_stats(Side::Target)
                .is_ok_and(|s| s.other_destinations >= 50)
        },
    );
    // B sees them as another host's and has delivered none into its file.
    let b_seen = b.outbox_stats(Side::Target).unwrap();
    assert_eq!(b_seen.unplaced, 0);
    let before_unlock = message_ids(b.legacy());
    blocker.batch_execute("COMMIT").unwrap();
    drop(blocker);
    load_a.wait_for_more_acks(30);
    let (result_a, result_b) = (load_a.finish(), load_b.finish());
    assert!(
        result_a.failures.is_empty(),
        "{:?}",
        result_a.failures.first()
    );
    assert!(
        result_b.failures.is_empty(),
        "{:?}",
        result_b.failures.first()
    );
    assert!(b.drain(Duration::from_secs(60)), "B's outbox not drained");
    assert!(a.drain(Duration::from_secs(60)), "A's outbox not drained");
    assert!(a.counters().deferred > 0, "no write of A waited");

    let acked_a: HashSet<String> = result_a.acked.into_iter().collect();
    let acked_b: HashSet<String> = result_b.acked.into_iter().collect();
    assert!(before_unlock.is_disjoint(&acked_a), "B's file got A's rows");
    // Each file holds exactly its own host's messages; PostgreSQL all.
    assert_eq!(message_ids(a.legacy()), acked_a);
    assert_eq!(message_ids(b.legacy()), acked_b);
    let all: HashSet<String> = acked_a.union(&acked_b).cloned().collect();
    assert_eq!(message_ids(a.target()), all);
    for host in [&a, &b] {
        let stats = host.outbox_stats(Side::Target).unwrap();
        assert_eq!(
            (stats.pending, stats.dead, stats.other_destinations),
            (0, 0, 0)
        );
    }
}

#[test]
fn leases_are_per_file_so_hosts_replay_side_by_side() {
    let schema = TestSchema::new();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = host(dir_a.path(), &schema, Stage::Live, false);
    let b = host(dir_b.path(), &schema, Stage::Live, false);
    assert!(
        a.outbox(Side::Target)
            .outbox_lease("host-a", 60_000)
            .unwrap()
    );
    assert!(
        b.outbox(Side::Target)
            .outbox_lease("host-b", 60_000)
            .unwrap()
    );
    // A second replayer of the same file still waits for the first.
    let a2 = host(dir_a.path(), &schema, Stage::Live, false);
    assert!(
        !a2.outbox(Side::Target)
            .outbox_lease("host-a2", 60_000)
            .unwrap()
    );
    let dead = &chatmrpt_db_core::holder::holder_is_dead;
    let pg_a2 = a2.outbox(Side::Target);
    assert!(!pg_a2.outbox_take_over("host-a2", 60_000, dead).unwrap());
    // A holder of this host that is gone gives its lease up at once.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let gone = format!("{}/{}/1/killed", host.trim(), std::process::id());
    a.outbox(Side::Target).outbox_release("host-a").unwrap();
    assert!(a.outbox(Side::Target).outbox_lease(&gone, 60_000).unwrap());
    assert!(pg_a2.outbox_take_over("host-a2", 60_000, dead).unwrap());
    assert!(
        !a.outbox(Side::Target)
            .outbox_lease("host-a", 60_000)
            .unwrap()
    );
}

#[test]
fn an_entry_that_names_no_file_waits_until_claimed() {
    let schema = TestSchema::new();
    let dir = tempfile::tempdir().unwrap();
    let a = host(dir.path(), &schema, Stage::Live, false);
    // A PostgreSQL store paired with no file (as an older release wrote):
    // its entry names no destination.
    let loose = pg(&pg_config(schema.url(), schema.schema()));
    let start = SessionStart::new("unplaced");
    let message = Message::new("unplaced", "user", "written before the upgrade");
    for op in [
        WriteOp::StartSession(start),
        WriteOp::Message(message.clone()),
    ] {
        loose.apply_recorded(&op, Timestamp::now()).unwrap();
    }
    let stats = a.outbox_stats(Side::Target).unwrap();
    assert_eq!((stats.pending, stats.unplaced), (0, 2), "{stats:?}");
    assert!(a.drain(Duration::from_secs(5)));
    assert!(
        a.legacy()
            .list_messages(&"unplaced".into())
            .unwrap()
            .is_empty()
    );
    // Reads do not move onto the file while writes that may be its own wait.
    let back = StageRequest {
        to: Stage::Shadow,
        changed_by: "test".into(),
        force: false,
    };
    let refused = a.set_stage(&back).unwrap_err().to_string();
    assert!(refused.contains("claim-unplaced"), "{refused}");
    // The operator places them on the host they came from; replay delivers.
    assert_eq!(a.target().claim_unplaced().unwrap(), 2);
    assert!(a.drain(Duration::from_secs(20)));
    assert_eq!(
        a.legacy().list_messages(&"unplaced".into()).unwrap(),
        vec![message]
    );
    let stats = a.outbox_stats(Side::Target).unwrap();
    assert_eq!((stats.pending, stats.unplaced), (0, 0));
    assert_eq!(a.set_stage(&back).unwrap().unwrap().to, Stage::Shadow);
}

#[test]
fn an_older_replayer_never_gets_the_single_lease_again() {
    // Migration 000005 holds the one lease row of 000002 for ever: a
    // replayer of an older release (one lease, no destinations) that would
    // deliver every host's entries into its own file never replays.
    let schema = TestSchema::new();
    let _store = pg(&pg_config(schema.url(), schema.schema()));
    let mut conn =
        chatmrpt_db_postgres::connect(&chatmrpt_db_core::DatabaseUrl::new(schema.url())).unwrap();
    let held: Vec<(String, bool)> = {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "SELECT holder, expires_at > now() + interval '1000 years' AS far \
             FROM {}.chatmrpt_outbox_lease",
            schema.schema()
        ))
        .load::<LeaseRow>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.holder, r.far))
        .collect()
    };
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(held[0].0.contains("per-destination"), "{held:?}");
    assert!(held[0].1, "{held:?}");
}

#[derive(diesel::QueryableByName)]
struct LeaseRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    holder: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    far: bool,
}

#[test]
fn a_lease_left_by_a_process_of_this_host_that_is_gone_is_taken_at_once() {
    let pair = common::Pair::new(options(Stage::DualWrite, false));
    let store = &pair.store;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let pid = std::process::id();
    // This pid with another start time: the process that held it is gone
    // (a replayer SIGKILLed, its pid since reused).
    let gone = format!("{}/{pid}/1/killed", host.trim());
    // A live holder of another host: only its expiry frees its lease.
    let elsewhere = format!("another-host/{pid}/1/alive");
    let message = Message::new("lease", "user", "owed to PostgreSQL");
    store
        .legacy()
        .apply_recorded(
            &WriteOp::StartSession(SessionStart::new("lease")),
            Timestamp::now(),
        )
        .unwrap();
    store
        .legacy()
        .apply_recorded(&WriteOp::Message(message.clone()), Timestamp::now())
        .unwrap();

    assert!(store.legacy().outbox_lease(&elsewhere, 60_000).unwrap());
    let report = store.replay_now();
    assert!(report.lease_held_elsewhere, "{report:?}");
    assert_eq!(report.delivered, 0);
    store.legacy().outbox_release(&elsewhere).unwrap();

    assert!(store.legacy().outbox_lease(&gone, 60_000).unwrap());
    let report = store.replay_now();
    assert!(!report.lease_held_elsewhere, "{report:?}");
    assert_eq!(report.delivered, 2, "{report:?}");
    assert_eq!(
        store.target().list_messages(&"lease".into()).unwrap(),
        vec![message]
    );
}

fn set(store: &Dual, to: Stage) -> chatmrpt_db_core::Result<Option<chatmrpt_db_core::StageChange>> {
    store.set_stage(&StageRequest {
        to,
        changed_by: "many hosts test".into(),
        force: false,
    })
}

#[test]
fn one_stage_set_moves_every_host_and_their_heartbeats_show_it() {
    use chatmrpt_db_core::StageSource;
    let schema = TestSchema::new();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = host(dir_a.path(), &schema, Stage::DualWrite, true);
    let b = host(dir_b.path(), &schema, Stage::DualWrite, true);
    let load_a = Load::start_named(Arc::clone(&a), 2, "a");
    let load_b = Load::start_named(Arc::clone(&b), 2, "b");
    // The operator's tool, on host A's file: no worker, no heartbeat.
    let operator = host(dir_a.path(), &schema, Stage::DualWrite, false);
    for to in [Stage::Shadow, Stage::Live, Stage::Shadow] {
        set(&operator, to).unwrap();
        // Every host follows one command (the figure is a benchmark's; here
        // the test waits on the condition).
        wait_for("both hosts to follow", Duration::from_secs(30), || {
            a.stage() == to && b.stage() == to
        });
        assert_eq!(a.stage_source(), StageSource::Shared);
        assert_eq!(b.stage_source(), StageSource::Shared);
        wait_for(
            "both hosts' heartbeats to say so",
            Duration::from_secs(30),
            || {
                let beats = operator.heartbeats().unwrap();
                [a.legacy().file_id().unwrap(), b.legacy().file_id().unwrap()]
                    .iter()
                    .all(|file| {
                        beats.iter().any(|h| {
                            h.file_id.as_ref() == Some(file)
                                && h.stage == to
                                && h.stage_source == StageSource::Shared
                        })
                    })
            },
        );
    }
    // Each host's file keeps its copy of the shared stage.
    wait_for("each file's copy", Duration::from_secs(30), || {
        [&a, &b]
            .iter()
            .all(|h| h.local_stage().unwrap() == Some(Stage::Shadow))
    });
    let history = operator.stage_history(10).unwrap();
    assert_eq!(history.len(), 3, "one shared history: {history:?}");
    let (ra, rb) = (load_a.finish(), load_b.finish());
    assert!(ra.failures.is_empty() && rb.failures.is_empty());
    // Two processes' stores wrote heartbeats (the operator's tool none).
    let beats = operator.heartbeats().unwrap();
    assert_eq!(beats.len(), 2, "{beats:?}");
}

#[test]
fn the_stage_rule_counts_every_hosts_outbox() {
    let schema = TestSchema::new();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = host(dir_a.path(), &schema, Stage::Shadow, false);
    let b = host(dir_b.path(), &schema, Stage::Shadow, false);
    set(&a, Stage::Shadow).unwrap_or_default();
    // Host B's file owes PostgreSQL a write made a minute ago (its
    // replayer has not delivered it), and B's heartbeat says so.
    let at = Timestamp::now().add_millis(-60_000);
    let op = WriteOp::StartSession(SessionStart::new("b-owed"));
    b.legacy().apply_recorded(&op, at).unwrap();
    b.heartbeat();
    a.heartbeat();
    let refused = set(&a, Stage::Live).unwrap_err();
    let message = refused.to_string();
    assert!(
        matches!(refused, chatmrpt_db_core::Error::StageRule(_)),
        "{message}"
    );
    assert!(
        message.contains("may still owe PostgreSQL writes"),
        "{message}"
    );
    assert_eq!(a.refresh_stage(), Stage::Shadow);
    // B delivers it and says so.
    assert!(b.drain(Duration::from_secs(30)));
    b.heartbeat();
    // A third host went silent a minute ago: what its file owes is unknown.
    use chatmrpt_db_core::StageStore;
    let silent = chatmrpt_db_core::Heartbeat {
        process: "host-c/42/1/x".into(),
        host: "host-c".into(),
        file_id: Some("sqlite-host-c".into()),
        stage: Stage::Shadow,
        stage_source: chatmrpt_db_core::StageSource::Shared,
        outbox_depth: 0,
        outbox_dead: 0,
        outbox_oldest: None,
        release: "test".into(),
        last_seen: Timestamp::now().add_millis(-60_000),
    };
    a.target().record_heartbeat(&silent).unwrap();
    let refused = set(&a, Stage::Live).unwrap_err().to_string();
    assert!(refused.contains("host-c: no heartbeat for"), "{refused}");
    // Its heartbeat pruned (it was retired), the move is allowed.
    let pruned = a
        .target()
        .prune_heartbeats(Timestamp::now().add_millis(-30_000))
        .unwrap();
    assert_eq!(pruned, 1);
    set(&a, Stage::Live).unwrap();
    assert_eq!(b.refresh_stage(), Stage::Live);
}
