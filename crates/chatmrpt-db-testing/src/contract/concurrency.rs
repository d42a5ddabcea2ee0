//! Six workers writing at once, as the six gunicorn workers do.

use chatmrpt_db_core::{
    AnalysisEvent, FileUpload, InteractionStore, LlmInteraction, Message, SessionId, SessionStart,
    Table, Timestamp,
};

const THREADS: usize = 6;
const WRITES_PER_THREAD: usize = 500;

/// 6 threads x 500 mixed writes: every call succeeds (no "database is
/// locked" surfaces) and every row is there afterwards.
pub fn six_threads_of_mixed_writes_all_land(store: &dyn InteractionStore) {
    std::thread::scope(|scope| {
        for worker in 0..THREADS {
            scope.spawn(move || {
                for n in 0..WRITES_PER_THREAD {
                    write_one(store, worker, n);
                }
            });
        }
    });
    let per_kind = (THREADS * WRITES_PER_THREAD / 5) as u64;
    assert_eq!(store.count_rows(Table::Messages).unwrap(), per_kind);
    assert_eq!(store.count_rows(Table::FileUploads).unwrap(), per_kind);
    assert_eq!(store.count_rows(Table::AnalysisEvents).unwrap(), per_kind);
    assert_eq!(store.count_rows(Table::LlmInteractions).unwrap(), per_kind);
    // Each worker touches 10 sessions in turn: 60 sessions in all.
    assert_eq!(
        store.count_rows(Table::Sessions).unwrap(),
        (THREADS * 10) as u64
    );
    for worker in 0..THREADS {
        for k in 0..10 {
            let messages = store.list_messages(&session(worker, k)).unwrap();
            assert_eq!(
                messages.len(),
                WRITES_PER_THREAD / 5 / 10,
                "worker {worker} session {k}"
            );
            assert!(
                messages
                    .iter()
                    .all(|m| m.content.as_deref() == Some(&format!("w{worker}")[..]))
            );
        }
    }
}

fn session(worker: usize, k: usize) -> SessionId {
    SessionId::new(format!("w{worker}-s{k}"))
}

fn write_one(store: &dyn InteractionStore, worker: usize, n: usize) {
    let s = session(worker, (n / 5) % 10);
    let result = match n % 5 {
        0 => store
            .start_session(&SessionStart::new(s.clone()))
            .map(drop)
            .and_then(|()| store.touch_session(&s, Timestamp::now())),
        1 => store.log_message(&Message::new(s, "user", format!("w{worker}"))),
        2 => store.log_file_upload(&FileUpload::new(s, "csv", "f.csv", n as i64)),
        3 => store.log_analysis_event(&AnalysisEvent::new(Some(s), "step", true)),
        _ => store.log_llm_interaction(&LlmInteraction::new(s, "p", "r")),
    };
    if let Err(e) = result {
        panic!("worker {worker} write {n} failed: {e:?}");
    }
}
