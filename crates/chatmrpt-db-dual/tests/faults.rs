//! Fault tests on a PostgreSQL cluster each test starts (and stops) itself:
//! stores going down under load, a process killed between the two writes,
//! stage flips under load. Nothing acknowledged may be lost.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatmrpt_db_core::{
    MessageRepository, OutboxStore, PostgresConfig, SessionRepository, Stage, StoreInfo, Table,
};
use chatmrpt_db_dual::{DualStore, Side, StageRequest};
use chatmrpt_db_testing::pg::OwnedCluster;
use diesel::connection::SimpleConnection;

use common::{
    Dual, Load, OwnedPair, assert_has_messages, assert_same_rows, options, pg, pg_config, sqlite,
    sqlite_at, verify_equal,
};

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn postgres_stopped_mid_load_in_dual_write_loses_nothing() {
    let OwnedPair {
        store,
        config,
        dir,
        cluster,
    } = OwnedPair::start(Stage::DualWrite, true);
    let store = Arc::new(store);
    let load = Load::start(Arc::clone(&store), 4);
    load.wait_for_more_acks(100);
    cluster.stop();
    // Deferred, not just pending: pending also counts entries already
    // delivered whose deletion is batched.
    wait_for(
        "writes to queue in the outbox",
        Duration::from_secs(20),
        || store.counters().deferred >= 50,
    );
    cluster.start_again();
    // Writes after the outage, acknowledged while the outbox drains.
    load.wait_for_more_acks(50);
    let result = load.finish();
    assert!(result.failures.is_empty(), "{:?}", result.failures.first());
    assert!(
        result.acked.len() > 100,
        "load too small: {}",
        result.acked.len()
    );
    assert!(store.drain(Duration::from_secs(60)), "outbox not drained");
    assert!(store.counters().deferred > 0, "no write was deferred");
    assert_eq!(store.outbox_stats(Side::Legacy).unwrap().dead, 0);
    assert_has_messages(store.legacy(), &result.acked);
    assert_has_messages(store.target(), &result.acked);
    assert_same_rows(store.legacy(), store.target());
    verify_equal(&dir.path().join("interactions.db"), &config);
}

#[test]
fn sqlite_locked_in_live_loses_nothing() {
    let cluster = OwnedCluster::start();
    let config = pg_config(&cluster.url("postgres"), "public");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    let store = Arc::new(DualStore::new(
        sqlite_at(&path, 100),
        pg(&config),
        options(Stage::Live, true),
    ));
    let load = Load::start(Arc::clone(&store), 4);
    load.wait_for_more_acks(50);
    // Another process takes the write lock of the file and keeps it: every
    // SQLite write now fails ("database is locked"), as with a read-only
    // file (root ignores file modes, so the lock stands in for it here).
    let mut blocker = chatmrpt_db_sqlite::connect(path.to_str().unwrap()).unwrap();
    blocker.batch_execute("BEGIN EXCLUSIVE").unwrap();
    // Deferred, not just pending: pending also counts entries already
    // delivered whose deletion is batched.
    wait_for(
        "writes to queue in the outbox",
        Duration::from_secs(20),
        || store.counters().deferred >= 50,
    );
    blocker.batch_execute("COMMIT").unwrap();
    drop(blocker);
    load.wait_for_more_acks(50);
    let result = load.finish();
    assert!(result.failures.is_empty(), "{:?}", result.failures.first());
    assert!(store.drain(Duration::from_secs(60)), "outbox not drained");
    assert!(store.counters().deferred > 0, "no write was deferred");
    assert_has_messages(store.legacy(), &result.acked);
    assert_has_messages(store.target(), &result.acked);
    assert_same_rows(store.legacy(), store.target());
    verify_equal(&path, &config);
}

#[test]
fn stage_flips_under_load_lose_no_acknowledged_write() {
    let OwnedPair {
        store: app,
        config,
        dir,
        cluster: _cluster,
    } = OwnedPair::start(Stage::DualWrite, true);
    let app = Arc::new(app);
    // The operator's process: its own handles on the same two stores.
    let operator = DualStore::new(
        sqlite(dir.path()),
        pg(&config),
        options(Stage::DualWrite, false),
    );
    let load = Load::start(Arc::clone(&app), 4);
    let walk = [
        Stage::Shadow,
        Stage::Live,
        Stage::Shadow,
        Stage::Live,
        Stage::Rampdown,
        Stage::Live,
        Stage::Shadow,
        Stage::DualWrite,
        Stage::Shadow,
        Stage::Live,
    ];
    for stage in walk {
        // Some writes in each stage.
        load.wait_for_more_acks(20);
        let request = StageRequest {
            to: stage,
            changed_by: "fault test".into(),
            force: true,
        };
        operator.set_stage(&request).unwrap();
        wait_for("the application to follow", Duration::from_secs(2), || {
            app.stage() == stage
        });
    }
    load.wait_for_more_acks(20);
    let result = load.finish();
    assert!(result.failures.is_empty(), "{:?}", result.failures.first());
    assert!(app.drain(Duration::from_secs(60)), "outbox not drained");
    for side in [Side::Legacy, Side::Target] {
        assert_eq!(app.outbox_stats(side).unwrap().dead, 0);
    }
    assert_has_messages(app.legacy(), &result.acked);
    assert_has_messages(app.target(), &result.acked);
    assert_same_rows(app.legacy(), app.target());
    assert_eq!(operator.stage_history(100).unwrap().len(), walk.len());
    verify_equal(&dir.path().join("interactions.db"), &config);
}

/// Child mode of `killed_between_the_two_writes_loses_nothing`.
const CHILD_ENV: &str = "CHATMRPT_DUAL_TEST_CHILD";

fn child_writes(spec: &str) {
    let mut parts = spec.splitn(2, '|');
    let (path, url) = (parts.next().unwrap(), parts.next().unwrap());
    let store = DualStore::new(
        sqlite_at(std::path::Path::new(path), 5_000),
        chatmrpt_db_postgres::PgStore::open_lazy(&pg_config(url, "public")).unwrap(),
        options(Stage::DualWrite, false),
    );
    store
        .start_session(&chatmrpt_db_core::SessionStart::new("killed-session"))
        .unwrap();
    let message = chatmrpt_db_core::Message::new("killed-session", "user", "last words");
    // Blocks in the PostgreSQL write (the parent holds a lock) until killed.
    store.log_message(&message).unwrap();
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn killed_between_the_two_writes_loses_nothing() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child_writes(&spec);
        return;
    }
    let cluster = OwnedCluster::start();
    let url = cluster.url("postgres");
    let config: PostgresConfig = pg_config(&url, "public");
    pg(&config);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("interactions.db");
    let legacy = sqlite(dir.path());
    // Hold a lock the PostgreSQL write of a message has to wait for.
    let mut locker =
        chatmrpt_db_postgres::connect(&chatmrpt_db_core::DatabaseUrl::new(url.as_str())).unwrap();
    locker
        .batch_execute("BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "killed_between_the_two_writes_loses_nothing"])
        .env(CHILD_ENV, format!("{}|{url}", path.display()))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let session = chatmrpt_db_core::SessionId::from("killed-session");
    wait_for(
        "the SQLite write to commit",
        Duration::from_secs(30),
        || legacy.list_messages(&session).is_ok_and(|m| m.len() == 1),
    );
    std::thread::sleep(Duration::from_millis(200));
    // SIGKILL: no destructor, no flush, no second write.
    child.kill().unwrap();
    child.wait().unwrap();
    locker.batch_execute("ROLLBACK").unwrap();
    let outbox = legacy.outbox_batch(10).unwrap();
    assert!(
        outbox.iter().any(|e| e.kind == "message"),
        "the message's outbox entry must have committed with it: {outbox:?}"
    );
    let target = pg(&config);
    assert!(target.list_messages(&session).unwrap().is_empty());
    let store: Dual = DualStore::new(legacy, target, options(Stage::DualWrite, false));
    assert!(store.drain(Duration::from_secs(30)));
    assert_eq!(store.target().list_messages(&session).unwrap().len(), 1);
    assert_same_rows(store.legacy(), store.target());
    verify_equal(&path, &config);
}

#[test]
fn a_session_behind_in_the_outbox_keeps_its_order_across_a_stage_change() {
    let OwnedPair { store, cluster, .. } = OwnedPair::start(Stage::Shadow, false);
    let behind = chatmrpt_db_core::SessionId::from("behind");
    let fresh = chatmrpt_db_core::SessionId::from("fresh");
    store
        .start_session(&chatmrpt_db_core::SessionStart::new(behind.clone()))
        .unwrap();
    cluster.stop();
    let early = chatmrpt_db_core::Message::new(behind.clone(), "user", "while postgres is down");
    store.log_message(&early).unwrap();
    let to_live = StageRequest {
        to: Stage::Live,
        changed_by: "fault test".into(),
        force: true,
    };
    // The stage every host shares is kept in PostgreSQL: it cannot move
    // while PostgreSQL is down.
    let refused = store.set_stage(&to_live);
    assert!(
        matches!(refused, Err(chatmrpt_db_core::Error::Unavailable { .. })),
        "{refused:?}"
    );
    assert_eq!(store.stage(), Stage::Shadow);
    cluster.start_again();
    store.set_stage(&to_live).unwrap();
    // The session with writes still queued for PostgreSQL goes to SQLite
    // first and queues behind them, so it keeps working, in order...
    let late = chatmrpt_db_core::Message::new(behind.clone(), "user", "after the stage change");
    store.log_message(&late).unwrap();
    // ...and while PostgreSQL, deciding in live, is down again, a new
    // session is spooled in SQLite for it (acknowledged, not lost).
    cluster.stop();
    store
        .start_session(&chatmrpt_db_core::SessionStart::new(fresh.clone()))
        .unwrap();
    assert!(store.counters().spooled >= 1);
    cluster.start_again();
    assert!(store.drain(Duration::from_secs(30)));
    let in_pg = store.target().list_messages(&behind).unwrap();
    assert_eq!(in_pg, vec![early, late]);
    assert!(store.target().get_session(&fresh).unwrap().is_some());
    assert_same_rows(store.legacy(), store.target());
}

/// How long PostgreSQL stays down in the failover tests (an RDS failover
/// takes 60-120 s; 30 s covers the same path: every write meets it down).
const OUTAGE: Duration = Duration::from_secs(30);

/// PostgreSQL stopped for [`OUTAGE`] under load while it decides: every
/// write is acknowledged (spooled in SQLite), and all of them are in
/// PostgreSQL once it is back and the spool is delivered.
fn postgres_failover_loses_nothing(stage: Stage) {
    let OwnedPair {
        store,
        config,
        dir,
        cluster,
    } = OwnedPair::start(stage, true);
    let store = Arc::new(store);
    // About the pace of a busy application (hundreds of writes a second),
    // so the spool of the outage drains in seconds in a debug build.
    let load = Load::start_paced(Arc::clone(&store), 4, "w", Duration::from_millis(25));
    wait_for("writes before the outage", Duration::from_secs(20), || {
        store.counters().mirrored_now > 20
            || store.target().count_rows(Table::Messages).unwrap_or(0) > 20
    });
    let down_at = Instant::now();
    cluster.stop();
    wait_for("writes to be spooled", Duration::from_secs(20), || {
        store.counters().spooled >= 50
    });
    std::thread::sleep(OUTAGE.saturating_sub(down_at.elapsed()));
    let spooled_while_down = store.counters().spooled;
    cluster.start_again();
    // Back to PostgreSQL: writes of sessions with nothing left in the spool
    // go to it directly again.
    wait_for("the spool to be delivered", Duration::from_secs(60), || {
        store
            .outbox_stats(Side::Legacy)
            .is_ok_and(|s| s.pending == 0)
    });
    let result = load.finish();
    assert!(result.failures.is_empty(), "{:?}", result.failures.first());
    assert!(spooled_while_down >= 50, "{spooled_while_down}");
    assert!(store.drain(Duration::from_secs(60)), "spool not drained");
    assert_eq!(store.outbox_stats(Side::Legacy).unwrap().dead, 0);
    assert_has_messages(store.target(), &result.acked);
    if stage == Stage::Live {
        assert_has_messages(store.legacy(), &result.acked);
        assert_same_rows(store.legacy(), store.target());
        verify_equal(&dir.path().join("interactions.db"), &config);
    }
}

#[test]
fn postgres_failover_in_live_loses_no_acknowledged_write() {
    postgres_failover_loses_nothing(Stage::Live);
}

#[test]
fn postgres_failover_in_complete_loses_no_acknowledged_write() {
    postgres_failover_loses_nothing(Stage::Complete);
}

#[test]
fn a_host_keeps_its_last_known_stage_while_postgres_is_down_and_says_so() {
    use chatmrpt_db_core::StageSource;
    let OwnedPair {
        store,
        config,
        dir,
        cluster,
    } = OwnedPair::start(Stage::DualWrite, true);
    store
        .set_stage(&StageRequest {
            to: Stage::Shadow,
            changed_by: "fault test".into(),
            force: false,
        })
        .unwrap();
    wait_for("the shared stage", Duration::from_secs(10), || {
        store.stage_source() == StageSource::Shared
            && store.local_stage().unwrap() == Some(Stage::Shadow)
    });
    cluster.stop();
    wait_for(
        "the host to fall back on its copy",
        Duration::from_secs(30),
        || store.stage_source() == StageSource::Local,
    );
    assert_eq!(store.stage(), Stage::Shadow);
    // A process started while PostgreSQL is down follows the same copy.
    let late = DualStore::new(
        sqlite(dir.path()),
        chatmrpt_db_postgres::PgStore::open_lazy(&config).unwrap(),
        options(Stage::Off, false),
    );
    assert_eq!(late.refresh_stage(), Stage::Shadow);
    assert_eq!(late.stage_source(), StageSource::Local);
    cluster.start_again();
    wait_for(
        "the host to follow the shared stage again",
        Duration::from_secs(60),
        || store.stage_source() == StageSource::Shared,
    );
    assert_eq!(store.stage(), Stage::Shadow);
}
