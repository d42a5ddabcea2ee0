//! What dual write adds on the SQLite side, per call:
//!
//! - `log_message/sqlite` vs `log_message/sqlite+outbox`: the outbox entry
//!   appended in the write's transaction (no PostgreSQL involved);
//! - `get_session/sqlite` vs `get_session/dual_off`: the stage check on the
//!   read path (an atomic load; the PostgreSQL side is never touched).
//!
//! `cargo bench -p chatmrpt-db-dual --bench write_path`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmark set-up: a panic is the failure report"
)]

use std::sync::Arc;

use chatmrpt_db_core::{
    DatabaseUrl, Message, MessageRepository, OutboxDraft, OutboxStore, PostgresConfig, SessionId,
    SessionRepository, SessionStart, Stage, WriteOp,
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
            let m = message(&session);
            let draft = OutboxDraft::new(WriteOp::Message(m.clone())).unwrap();
            with_outbox
                .recording(Arc::clone(&draft))
                .log_message(&m)
                .unwrap();
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

criterion_group!(benches, log_message, get_session);
criterion_main!(benches);
