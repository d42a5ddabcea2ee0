//! Session exports, counts, whole-table scans and the CSV export.

use chatmrpt_db_core::{
    AnalysisEvent, AnalysisStep, ErrorEntry, FileUpload, InteractionStore, LlmInteraction, Message,
    MessageId, Record, SessionId, SessionStart, Table, TimeRange, WardRanking, export_table_csv,
};

use super::{at, new_session};

/// Writes one row of most kinds for `s`; returns the message written.
fn populate(store: &dyn InteractionStore, s: &SessionId) -> Message {
    let mut start = SessionStart::new(s.clone());
    start.at = at("2025-07-28 10:00:00");
    store.start_session(&start).unwrap();
    let message = Message::new(s.clone(), "user", "hello");
    store.log_message(&message).unwrap();
    store
        .log_file_upload(&FileUpload::new(s.clone(), "csv", "w.csv", 12))
        .unwrap();
    store
        .log_analysis_event(&AnalysisEvent::new(Some(s.clone()), "started", true))
        .unwrap();
    store
        .log_error(&ErrorEntry::new(s.clone(), "E", "m"))
        .unwrap();
    store
        .log_llm_interaction(&LlmInteraction::new(s.clone(), "p", "r"))
        .unwrap();
    store
        .log_analysis_step(&AnalysisStep::new(s.clone(), "step"))
        .unwrap();
    store
        .log_ward_ranking(&WardRanking::new(s.clone()))
        .unwrap();
    message
}

/// The export holds the session and each of its child rows, nothing of another session.
pub fn export_session_holds_every_child_row_and_no_other(store: &dyn InteractionStore) {
    let s = new_session();
    let message = populate(store, &s);
    populate(store, &new_session());
    let export = store.export_session(&s).unwrap().expect("exported");
    assert_eq!(export.session, store.get_session(&s).unwrap().unwrap());
    assert_eq!(export.messages, vec![message]);
    assert_eq!(export.file_uploads, store.list_file_uploads(&s).unwrap());
    let counts = [
        export.file_uploads.len(),
        export.analysis_events.len(),
        export.errors.len(),
        export.llm_interactions.len(),
        export.analysis_steps.len(),
        export.ward_rankings.len(),
    ];
    assert_eq!(counts, [1; 6]);
    assert!(export.anomalies.is_empty() && export.arena_battles.is_empty());
    let json = serde_json::to_value(&export).unwrap();
    assert_eq!(json["session"]["session_id"], s.as_str());
    assert_eq!(json["messages"][0]["content"], "hello");
}

/// Exporting an unknown session says so.
pub fn export_of_unknown_session_is_none(store: &dyn InteractionStore) {
    assert_eq!(
        store.export_session(&SessionId::new("nobody")).unwrap(),
        None
    );
}

/// Every session is exported once, ordered by start time.
pub fn for_each_session_export_visits_all_in_start_order(store: &dyn InteractionStore) {
    for (id, when) in [
        ("late", "2025-07-29 00:00:00"),
        ("early", "2025-07-27 00:00:00"),
        ("mid", "2025-07-28 00:00:00"),
    ] {
        let mut start = SessionStart::new(id);
        start.at = at(when);
        store.start_session(&start).unwrap();
        store.log_message(&Message::new(id, "user", id)).unwrap();
    }
    let mut seen = Vec::new();
    store
        .for_each_session_export(&mut |export| {
            assert_eq!(export.messages.len(), 1);
            seen.push(export.session.session_id.into_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, ["early", "mid", "late"]);
}

/// Row counts per table match what was written.
pub fn count_rows_matches_what_was_written(store: &dyn InteractionStore) {
    populate(store, &new_session());
    populate(store, &new_session());
    let expected = [
        (Table::Sessions, 2),
        (Table::Messages, 2),
        (Table::FileUploads, 2),
        (Table::AnalysisEvents, 2),
        (Table::Errors, 2),
        (Table::LlmInteractions, 2),
        (Table::AnalysisSteps, 2),
        (Table::WardRankings, 2),
        (Table::Anomalies, 0),
        (Table::ArenaTrainingExports, 0),
    ];
    for (table, n) in expected {
        assert_eq!(store.count_rows(table).unwrap(), n, "{table}");
    }
}

/// Scans page through a table in bytewise key order, within a time range.
pub fn scan_pages_in_key_order_within_a_time_range(store: &dyn InteractionStore) {
    let s = new_session();
    for (id, when) in [
        ("b", "2025-07-28 10:00:01"),
        ("B", "2025-07-28 10:00:02"),
        ("a", "2025-07-28 10:00:03"),
        ("c", "2025-07-28 09:00:00"),
    ] {
        let mut m = Message::new(s.clone(), "user", id);
        m.message_id = MessageId::new(id);
        m.timestamp = Some(at(when));
        store.log_message(&m).unwrap();
    }
    let keys = |records: Vec<Record>| {
        records
            .iter()
            .map(|r| r.key().to_owned())
            .collect::<Vec<_>>()
    };
    let all = TimeRange::default();
    assert_eq!(
        keys(store.scan_table(Table::Messages, &all, None, 10).unwrap()),
        ["B", "a", "b", "c"]
    );
    assert_eq!(
        keys(
            store
                .scan_table(Table::Messages, &all, Some("a"), 2)
                .unwrap()
        ),
        ["b", "c"]
    );
    let window = TimeRange {
        from: Some(at("2025-07-28 10:00:00")),
        until: Some(at("2025-07-28 10:00:03")),
    };
    assert_eq!(
        keys(
            store
                .scan_table(Table::Messages, &window, None, 10)
                .unwrap()
        ),
        ["B", "b"]
    );
    let sessions = store.scan_table(Table::Sessions, &all, None, 10).unwrap();
    assert!(matches!(sessions.as_slice(), [Record::Session(x)] if x.session_id == s));
}

/// The CSV export has a header and one line per row.
pub fn csv_export_writes_header_and_rows(store: &dyn InteractionStore) {
    let s = new_session();
    let mut m = Message::new(s.clone(), "user", "comma, \"quote\"\nnewline");
    m.message_id = MessageId::new("m1");
    store.log_message(&m).unwrap();
    let mut out = Vec::new();
    let rows = export_table_csv(store, Table::Messages, &TimeRange::default(), &mut out).unwrap();
    assert_eq!(rows, 1);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("message_id,session_id,timestamp,sender,content,intent,entities\n"),
        "{text}"
    );
    assert!(text.contains("m1,"), "{text}");
    assert!(text.contains("\"comma, \"\"quote\"\"\nnewline\""), "{text}");
}
