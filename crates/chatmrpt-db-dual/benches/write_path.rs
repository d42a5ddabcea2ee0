//! What dual write adds on the SQLite side, per call:
//!
//! - `log_message/sqlite` vs `log_message/sqlite+outbox`: the outbox entry
//!   appended in the write's transaction (no PostgreSQL involved);
//! - `get_session/sqlite` vs `get_session/dual_off`: the stage check on the
//!   read path (an atomic load; the PostgreSQL side is never touched);
//! - `mirror/*`: one message written to PostgreSQL alone, to SQLite then
//!   PostgreSQL by hand, and through the dual store in `dual_write` (what
//!   the dual store adds over the two writes it cannot avoid). PostgreSQL is
//!   `CHATMRPT_TEST_DATABASE_URL`, or a throwaway cluster.
//!
//! `cargo bench -p chatmrpt-db-dual --bench write_path`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark set-up: a panic is the failure report"
)]

use chatmrpt_db_core::{
    DatabaseUrl, Message, MessageRepository, OutboxStore, PostgresConfig, SessionId,
    SessionRepository, SessionStart, Stage, Timestamp, WriteOp,
};
use chatmrpt_db_dual::{DualOptions, DualStore};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_sqlite::SqliteStore;
use criterion::{Criterion, criterion_group, criterion_main};

fn store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let store = SqliteStore::open_path(dir.path().join(name)).unwrap();
    store.run_migrations().unwrap();
    store
}

fn message(session: &SessionId) -> Message {
    Message::new(
        session.clone(),
        "user",
        "Which wards in Kano have the highest malaria risk after the rains?",
    )
}

fn log_message(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (plain, with_outbox) = (store(&dir, "plain.db"), store(&dir, "outbox.db"));
    let session = SessionId::from("bench");
    for s in [&plain, &with_outbox] {
        s.start_session(&SessionStart::new(session.clone()))
            .unwrap();
    }
    let mut group = c.benchmark_group("log_message");
    group.bench_function("sqlite", |b| {
        b.iter(|| plain.log_message(&message(&session)).unwrap());
    });
    group.bench_function("sqlite+outbox", |b| {
        b.iter(|| {
            let op = WriteOp::Message(message(&session));
            with_outbox.apply_recorded(&op, Timestamp::now()).unwrap();
        });
    });
    group.finish();
}

fn get_session(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let plain = store(&dir, "read.db");
    // Never connected in `off`: nothing listens on port 1.
    let unreachable = PgStore::open_lazy(&PostgresConfig::new(DatabaseUrl::new(
        "postgres://nobody@127.0.0.1:1/none",
    )))
    .unwrap();
    let dual = DualStore::new(
        plain.clone(),
        unreachable,
        DualOptions {
            default_stage: Stage::Off,
            background: false,
            ..DualOptions::default()
        },
    );
    let session = SessionId::from("reader");
    plain
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    let mut group = c.benchmark_group("get_session");
    group.bench_function("sqlite", |b| {
        b.iter(|| plain.get_session(&session).unwrap().unwrap());
    });
    group.bench_function("dual_off", |b| {
        b.iter(|| dual.get_session(&session).unwrap().unwrap());
    });
    group.finish();
}

fn mirror(c: &mut Criterion) {
    use chatmrpt_db_testing::pg::TestSchema;
    let dir = tempfile::tempdir().unwrap();
    let schemas = [TestSchema::new(), TestSchema::new()];
    let pg = |schema: &TestSchema| {
        let mut config = PostgresConfig::new(DatabaseUrl::new(schema.url()));
        config.schema = schema.schema().to_owned();
        let store = PgStore::open(&config).unwrap();
        store.run_migrations().unwrap();
        store
    };
    let (by_hand_sqlite, by_hand_pg) = (store(&dir, "by_hand.db"), pg(&schemas[0]));
    let dual = DualStore::new(
        store(&dir, "dual.db"),
        pg(&schemas[1]),
        DualOptions {
            default_stage: Stage::DualWrite,
            ..DualOptions::default()
        },
    );
    let session = SessionId::from("mirror");
    by_hand_sqlite
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    by_hand_pg
        .start_session(&SessionStart::new(session.clone()))
        .unwrap();
    dual.start_session(&SessionStart::new(session.clone()))
        .unwrap();
    let mut group = c.benchmark_group("mirror");
    group.bench_function("postgres", |b| {
        b.iter(|| by_hand_pg.log_message(&message(&session)).unwrap());
    });
    group.bench_function("sqlite_then_postgres_by_hand", |b| {
        b.iter(|| {
            let m = message(&session);
            by_hand_sqlite.log_message(&m).unwrap();
            by_hand_pg.log_message(&m).unwrap();
        });
    });
    group.bench_function("dual_write", |b| {
        b.iter(|| dual.log_message(&message(&session)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, log_message, get_session, mirror);
criterion_main!(benches);
