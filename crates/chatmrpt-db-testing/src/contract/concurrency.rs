//! Six workers writing at once into the same sessions, as the six gunicorn
//! workers of the application do.

use std::collections::{BTreeMap, BTreeSet};

use chatmrpt_db_core::{
    AnalysisEvent, FileUpload, InteractionStore, LlmInteraction, Message, SessionId, SessionStart,
    Table, Timestamp,
};

use super::{at, fresh};

const THREADS: usize = 6;
const WRITES_PER_THREAD: usize = 500;
const SESSIONS: usize = 10;

/// The kinds of write a worker cycles through, one block per session visit.
#[derive(Clone, Copy, Debug)]
enum Write {
    Start,
    Message,
    Upload,
    Event,
    Llm,
    Touch,
}

/// Even workers start the session first; odd workers log children first, so
/// child-before-session creation races with `start_session`. A worker only
/// touches a session it has just written to, so the touch never misses.
const STARTS_FIRST: [Write; 6] = [
    Write::Start,
    Write::Message,
    Write::Upload,
    Write::Event,
    Write::Llm,
    Write::Touch,
];
const CHILDREN_FIRST: [Write; 6] = [
    Write::Message,
    Write::Upload,
    Write::Event,
    Write::Llm,
    Write::Start,
    Write::Touch,
];

/// What one worker wrote, per session index.
#[derive(Default)]
struct Written {
    messages: BTreeMap<usize, Vec<Message>>,
    uploads: BTreeMap<usize, Vec<FileUpload>>,
    events: u64,
    llm_calls: u64,
    /// Times of writes that move `last_activity`.
    touches: BTreeMap<usize, Vec<Timestamp>>,
    /// Times of every write (any of them may have created the session).
    all: BTreeMap<usize, Vec<Timestamp>>,
}

/// THE CONCURRENCY TEST. 6 threads x 500 mixed writes (start_session,
/// log_message, log_file_upload, log_analysis_event, log_llm_interaction,
/// touch_session) on one shared store, all threads writing into the same 10
/// sessions: every call returns `Ok` (no "database is locked" surfaces), and
/// afterwards every row is there, whole, and every session's
/// `last_activity` is the latest time written to it.
pub fn six_threads_of_mixed_writes_all_land(store: &dyn InteractionStore) {
    let prefix = fresh("mix");
    let sessions: Vec<SessionId> = (0..SESSIONS)
        .map(|k| SessionId::new(format!("{prefix}-s{k}")))
        .collect();
    let written: Vec<Written> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|w| {
                let sessions = &sessions;
                scope.spawn(move || worker(store, sessions, w))
            })
            .collect();
        workers
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    assert_counts(store, &written);
    for (k, s) in sessions.iter().enumerate() {
        assert_session(store, s, k, &written);
    }
}

fn worker(store: &dyn InteractionStore, sessions: &[SessionId], w: usize) -> Written {
    let order = if w % 2 == 0 {
        STARTS_FIRST
    } else {
        CHILDREN_FIRST
    };
    let mut out = Written::default();
    for n in 0..WRITES_PER_THREAD {
        let k = (n / order.len() + w) % SESSIONS;
        let s = sessions[k].clone();
        // Unique per write; worker w writes in second w, so times interleave.
        let when = at(&format!("2025-07-28 10:00:0{w}.{n:06}"));
        let kind = order[n % order.len()];
        let result = match kind {
            Write::Start => {
                let request = SessionStart {
                    at: when,
                    ..SessionStart::new(s.clone())
                };
                store.start_session(&request).map(drop)
            }
            Write::Message => {
                let m = Message {
                    timestamp: Some(when),
                    ..Message::new(s.clone(), "user", format!("w{w} n{n}"))
                };
                out.messages.entry(k).or_default().push(m.clone());
                store.log_message(&m)
            }
            Write::Upload => {
                let u = FileUpload {
                    timestamp: Some(when),
                    ..FileUpload::new(s.clone(), "csv", format!("w{w}.csv"), n as i64)
                };
                out.uploads.entry(k).or_default().push(u.clone());
                store.log_file_upload(&u)
            }
            Write::Event => {
                out.events += 1;
                let e = AnalysisEvent {
                    timestamp: Some(when),
                    ..AnalysisEvent::new(Some(s.clone()), "step", true)
                };
                store.log_analysis_event(&e)
            }
            Write::Llm => {
                out.llm_calls += 1;
                let l = LlmInteraction {
                    timestamp: Some(when),
                    ..LlmInteraction::new(s.clone(), "p", "r")
                };
                store.log_llm_interaction(&l)
            }
            Write::Touch => store.touch_session(&s, when),
        };
        if let Err(e) = result {
            panic!("worker {w} write {n} ({kind:?} on {s}) failed: {e} ({e:?})");
        }
        out.all.entry(k).or_default().push(when);
        if !matches!(kind, Write::Llm) {
            out.touches.entry(k).or_default().push(when);
        }
    }
    out
}

fn assert_counts(store: &dyn InteractionStore, written: &[Written]) {
    let total = |f: &dyn Fn(&Written) -> u64| written.iter().map(f).sum::<u64>();
    let messages = total(&|w| rows(&w.messages));
    let uploads = total(&|w| rows(&w.uploads));
    let all = total(&|w| rows(&w.all));
    assert_eq!(all, (THREADS * WRITES_PER_THREAD) as u64);
    assert_eq!(store.count_rows(Table::Messages).unwrap(), messages);
    assert_eq!(store.count_rows(Table::FileUploads).unwrap(), uploads);
    let events = total(&|w| w.events);
    assert_eq!(store.count_rows(Table::AnalysisEvents).unwrap(), events);
    let llm_calls = total(&|w| w.llm_calls);
    assert_eq!(store.count_rows(Table::LlmInteractions).unwrap(), llm_calls);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), SESSIONS as u64);
}

fn rows<T>(per_session: &BTreeMap<usize, Vec<T>>) -> u64 {
    per_session.values().map(Vec::len).sum::<usize>() as u64
}

fn assert_session(store: &dyn InteractionStore, s: &SessionId, k: usize, written: &[Written]) {
    let mut messages: Vec<Message> = written
        .iter()
        .flat_map(|w| w.messages.get(&k).into_iter().flatten().cloned())
        .collect();
    messages.sort_by(|a, b| (a.timestamp, &a.message_id).cmp(&(b.timestamp, &b.message_id)));
    assert_eq!(store.list_messages(s).unwrap(), messages, "session {k}");
    let mut uploads: Vec<FileUpload> = written
        .iter()
        .flat_map(|w| w.uploads.get(&k).into_iter().flatten().cloned())
        .collect();
    uploads.sort_by(|a, b| (a.timestamp, &a.upload_id).cmp(&(b.timestamp, &b.upload_id)));
    assert_eq!(store.list_file_uploads(s).unwrap(), uploads, "session {k}");

    let latest = written
        .iter()
        .filter_map(|w| w.touches.get(&k)?.iter().max())
        .max()
        .copied();
    let times: BTreeSet<Timestamp> = written
        .iter()
        .flat_map(|w| w.all.get(&k).into_iter().flatten().copied())
        .collect();
    let session = store.get_session(s).unwrap().expect("the session exists");
    assert_eq!(session.last_activity, latest, "session {k}");
    let started = session.start_time.expect("a start time");
    assert!(times.contains(&started), "session {k}: start {started}");
    assert!(Some(started) <= latest, "session {k}");
    let flags = (session.analysis_complete, session.files_uploaded);
    assert_eq!(
        flags,
        (Some(false), Some(!uploads.is_empty())),
        "session {k}"
    );
}
