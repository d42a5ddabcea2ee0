//! The SQLite store at work on adopted files: legacy rows read, new rows
//! written with foreign keys enforced, for every release.

use chatmrpt_db_core::{
    LlmInteraction, LlmInteractionRepository, Message, MessageRepository, Page, RoutingDecision,
    RoutingDecisionRepository, SessionId, SessionRepository, SessionStart, StoreInfo, Table,
};
use chatmrpt_db_sqlite::SqliteStore;
use chatmrpt_db_sqlite::adopt::{AdoptOptions, adopt};
use chatmrpt_db_testing::legacy::{Release, write_corrupted_file, write_legacy_file};

use crate::support::{count, open, strings};

/// A legacy session that has messages, and its message count.
fn session_with_messages(path: &std::path::Path) -> (SessionId, usize) {
    let sql = "SELECT m.session_id AS v FROM messages m JOIN sessions s USING (session_id) GROUP BY m.session_id ORDER BY count(*) DESC, m.session_id LIMIT 1";
    let id = strings(&mut open(path), sql).remove(0);
    let n = count(
        &mut open(path),
        &format!("SELECT count(*) AS n FROM messages WHERE session_id = '{id}'"),
    );
    (SessionId::new(id), usize::try_from(n).unwrap())
}

#[test]
fn the_store_reads_and_writes_an_adopted_file_of_each_release() {
    let dir = tempfile::tempdir().unwrap();
    for release in Release::ALL {
        let path = dir.path().join(format!("{release}.db"));
        let summary = write_legacy_file(&path, release, 0.02, 21).unwrap();
        adopt(
            &path,
            &AdoptOptions::default().with_backup_dir(dir.path().join("b")),
        )
        .unwrap();
        let store = SqliteStore::open_path(&path).unwrap();
        // Legacy rows read back.
        let (legacy, n) = session_with_messages(&path);
        let session = store.get_session(&legacy).unwrap().unwrap();
        assert!(session.last_activity.is_some(), "{release}");
        assert_eq!(store.list_messages(&legacy).unwrap().len(), n, "{release}");
        assert_eq!(
            store.list_sessions(Page::first(50)).unwrap().len(),
            50,
            "{release}"
        );
        // New rows for a legacy session, a new session, a synthesized one.
        store
            .log_message(&Message::new(
                legacy.clone(),
                "user",
                "Sannu! Wane unguwa ne mafi haɗari?",
            ))
            .unwrap();
        assert_eq!(
            store.list_messages(&legacy).unwrap().len(),
            n + 1,
            "{release}"
        );
        let fresh = store
            .start_session(&SessionStart::new("session_20251125_101500"))
            .unwrap();
        store
            .log_llm_interaction(&LlmInteraction::new(
                fresh.session_id.clone(),
                "rank wards",
                "Dala first",
            ))
            .unwrap();
        assert_eq!(
            store
                .list_llm_interactions(&fresh.session_id)
                .unwrap()
                .len(),
            1,
            "{release}"
        );
        let orphan = SessionId::new(summary.orphan_session_ids.iter().next().unwrap().clone());
        store
            .log_routing_decision(&RoutingDecision::new(orphan.clone(), "needs_tools"))
            .unwrap();
        assert_eq!(
            store.list_routing_decisions(&orphan).unwrap().len(),
            1,
            "{release}"
        );
        let rows = store.count_rows(Table::Sessions).unwrap();
        assert_eq!(
            rows,
            summary.rows("sessions") + summary.orphan_session_ids.len() as u64 + 1,
            "{release}"
        );
        drop(store);
        assert!(
            strings(
                &mut open(&path),
                "SELECT \"table\" AS v FROM pragma_foreign_key_check()"
            )
            .is_empty(),
            "{release}"
        );
    }
}

#[test]
fn foreign_keys_are_enforced_on_an_adopted_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupted.db");
    let summary = write_corrupted_file(&path, 4).unwrap();
    adopt(&path, &AdoptOptions::default()).unwrap();
    let store = SqliteStore::open_path(&path).unwrap();
    // A routing decision naming a message that does not exist is refused by
    // the declared (legacy) foreign key, now enforced.
    let mut decision = RoutingDecision::new(summary.host_session_id.clone(), "needs_tools");
    decision.message_id = Some(chatmrpt_db_core::MessageId::new("no-such-message"));
    assert!(store.log_routing_decision(&decision).is_err());
    decision.message_id = None;
    store.log_routing_decision(&decision).unwrap();
    // The host session's legacy messages include unreadable values; new
    // writes to it still succeed.
    let host = SessionId::new(summary.host_session_id.clone());
    store
        .log_message(&Message::new(host.clone(), "user", "after adoption"))
        .unwrap();
    let after = count(
        &mut open(&path),
        &format!(
            "SELECT count(*) AS n FROM messages WHERE session_id = '{}' AND content = 'after adoption'",
            summary.host_session_id
        ),
    );
    assert_eq!(after, 1);
}
