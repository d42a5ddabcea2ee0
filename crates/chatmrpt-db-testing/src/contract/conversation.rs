//! Messages, uploads, analysis events, errors and LLM calls; which child rows
//! move the session's activity; duplicate keys of every table; exact
//! timestamps.

use chatmrpt_db_core::{
    AnalysisEvent, ErrorEntry, FileUpload, InteractionStore, JsonText, LlmInteraction, Message,
    MessageId, Record, Session, SessionId, SessionStart, Table, Timestamp,
};

use super::{at, conflict_key, fresh, log_row, new_session, scan_all};

fn message(session: &SessionId, id: &str, when: Option<&str>, text: &str) -> Message {
    Message {
        message_id: MessageId::new(id),
        timestamp: when.map(at),
        ..Message::new(session.clone(), "user", text)
    }
}

fn start(store: &dyn InteractionStore, s: &SessionId, when: &str) -> Session {
    let request = SessionStart {
        at: at(when),
        ..SessionStart::new(s.clone())
    };
    store.start_session(&request).unwrap()
}

/// Messages come back whole, oldest first, ties broken by id (bytewise, so
/// `Z` < `a` < `é`); a message without a time comes first. Another
/// session's messages never appear, and an unknown session has none.
pub fn messages_round_trip_in_timestamp_then_id_order(store: &dyn InteractionStore) {
    let s = new_session();
    let p = fresh("m");
    let id = |suffix: &str| format!("{p}-{suffix}");
    let mut late = message(&s, &id("3"), Some("2025-07-28 10:00:02"), "third");
    late.sender = Some("assistant".into());
    late.intent = Some("risk_ranking".into());
    late.entities = Some(JsonText::new(r#"{"wards": ["Dala"]}"#));
    let tie_b = message(&s, &id("2b"), Some("2025-07-28 10:00:01"), "second b");
    let tie_e = message(&s, &id("2é"), Some("2025-07-28 10:00:01"), "second é");
    let tie_a = message(&s, &id("2a"), Some("2025-07-28 10:00:01"), "second a");
    let tie_z = message(&s, &id("2Z"), Some("2025-07-28 10:00:01"), "second Z");
    let first = message(&s, &id("1"), Some("2025-07-28 10:00:00.5"), "first");
    let untimed = message(&s, &id("9"), None, "when?");
    for m in [&late, &tie_b, &tie_e, &untimed, &tie_a, &tie_z, &first] {
        store.log_message(m).unwrap();
    }
    let other = new_session();
    let elsewhere = message(&other, &id("0"), Some("2025-07-28 09:00:00"), "elsewhere");
    store.log_message(&elsewhere).unwrap();
    assert_eq!(
        store.list_messages(&s).unwrap(),
        vec![untimed, first, tie_z, tie_a, tie_b, tie_e, late]
    );
    assert_eq!(store.list_messages(&other).unwrap(), vec![elsewhere]);
    assert_eq!(store.list_messages(&new_session()).unwrap(), vec![]);
}

/// An upload is stored whole, moves `last_activity` to its time and sets
/// `files_uploaded`; uploads list oldest first.
pub fn upload_sets_files_uploaded_and_touches(store: &dyn InteractionStore) {
    let s = new_session();
    let created = start(store, &s, "2025-07-28 10:00:00");
    let mut shapefile = FileUpload::new(s.clone(), "shapefile", "kano_wards.zip", 3_481_922_311);
    shapefile.timestamp = Some(at("2025-07-28 10:01:00.000007"));
    shapefile.metadata = Some(JsonText::new("{'crs': 'EPSG:4326', 'layers': 2}"));
    let mut csv = FileUpload::new(s.clone(), "csv", "tpr kano (1).csv", 0);
    csv.timestamp = Some(at("2025-07-28 10:00:30"));
    store.log_file_upload(&shapefile).unwrap();
    store.log_file_upload(&csv).unwrap();
    assert_eq!(store.list_file_uploads(&s).unwrap(), vec![csv, shapefile]);
    let expected = Session {
        last_activity: Some(at("2025-07-28 10:01:00.000007")),
        files_uploaded: Some(true),
        ..created
    };
    assert_eq!(store.get_session(&s).unwrap(), Some(expected));
}

/// A request-timing event has no session: it is stored with `None`, and no
/// session row appears. An event of a session is listed whole and touches it.
pub fn event_without_session_stays_without_one(store: &dyn InteractionStore) {
    let mut timing = AnalysisEvent::new(None, "endpoint_response_timing", true);
    timing.timestamp = Some(at("2025-07-28 10:00:00.25"));
    timing.details = Some(JsonText::new(
        r#"{"endpoint": "/send_message", "ms": 812.4}"#,
    ));
    store.log_analysis_event(&timing).unwrap();
    assert_eq!(
        scan_all(store, Table::AnalysisEvents),
        vec![Record::AnalysisEvent(timing.clone())]
    );
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 0);

    let s = new_session();
    let created = start(store, &s, "2025-07-28 10:01:00");
    let mut event = AnalysisEvent::new(Some(s.clone()), "analysis_complete", false);
    event.timestamp = Some(at("2025-07-28 10:02:00"));
    event.success = None;
    let mut failed = AnalysisEvent::new(Some(s.clone()), "analysis_failed", false);
    failed.timestamp = Some(at("2025-07-28 10:01:30"));
    store.log_analysis_event(&event).unwrap();
    store.log_analysis_event(&failed).unwrap();
    assert_eq!(store.list_analysis_events(&s).unwrap(), vec![failed, event]);
    let expected = Session {
        last_activity: Some(at("2025-07-28 10:02:00")),
        ..created
    };
    assert_eq!(store.get_session(&s).unwrap(), Some(expected));
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 1);
}

/// Messages, uploads, analysis events and analysis steps move the session's
/// `last_activity` to their time; every other child row is inserted only,
/// as in the legacy application.
pub fn only_messages_uploads_events_and_steps_touch_the_session(store: &dyn InteractionStore) {
    let s = new_session();
    let mut expected = start(store, &s, "2025-07-28 10:00:00");
    let later = at("2025-07-28 23:00:00");
    let inert = [
        Table::Errors,
        Table::LlmInteractions,
        Table::AlgorithmDecisions,
        Table::Calculations,
        Table::Anomalies,
        Table::VariableRelationships,
        Table::WardRankings,
        Table::VisualizationMetadata,
        Table::Explanations,
        Table::RoutingDecisions,
        Table::ArenaBattles,
    ];
    for table in inert {
        log_row(store, table, &s, &fresh("inert"), later).unwrap();
        assert_eq!(
            store.get_session(&s).unwrap().as_ref(),
            Some(&expected),
            "{table}"
        );
    }
    let touching = [
        (Table::Messages, "2025-07-28 10:01:00"),
        (Table::AnalysisEvents, "2025-07-28 10:02:00"),
        (Table::AnalysisSteps, "2025-07-28 10:03:00"),
        (Table::FileUploads, "2025-07-28 10:04:00"),
    ];
    for (table, when) in touching {
        log_row(store, table, &s, &fresh("touch"), at(when)).unwrap();
        expected.last_activity = Some(at(when));
        expected.files_uploaded = Some(table == Table::FileUploads);
        assert_eq!(
            store.get_session(&s).unwrap().as_ref(),
            Some(&expected),
            "{table}"
        );
    }
}

/// Errors and LLM calls are stored whole and listed oldest first.
pub fn errors_and_llm_calls_round_trip_in_order(store: &dyn InteractionStore) {
    let s = new_session();
    let mut error = ErrorEntry::new(s.clone(), "ValueError", "could not convert 'n/a'");
    error.timestamp = Some(at("2025-07-28 10:10:00"));
    error.stack_trace = Some("Traceback (most recent call last):\n  File \"app.py\"".into());
    let mut earlier = ErrorEntry::new(s.clone(), "KeyError", "'ward'");
    earlier.timestamp = Some(at("2025-07-28 10:09:59.999999"));
    store.log_error(&error).unwrap();
    store.log_error(&earlier).unwrap();
    assert_eq!(store.list_errors(&s).unwrap(), vec![earlier, error]);

    let mut llm = LlmInteraction::new(s.clone(), "Summarise the ranking", "Dala ranks first.");
    llm.timestamp = Some(at("2025-07-28 10:11:00"));
    llm.prompt_type = Some("summary".into());
    llm.prompt_context = Some(JsonText::new(r#""You are ChatMRPT, a malaria assistant.""#));
    llm.tokens_used = Some(1_536);
    llm.latency = Some(1.234_567_890_123_456_7);
    llm.enhanced_timing = Some(JsonText::new(r#"{"ttft": 0.21, "total": NaN}"#));
    let mut bare = LlmInteraction::new(s.clone(), "ping", "");
    bare.timestamp = Some(at("2025-07-28 10:10:30"));
    store.log_llm_interaction(&llm).unwrap();
    store.log_llm_interaction(&bare).unwrap();
    assert_eq!(store.list_llm_interactions(&s).unwrap(), vec![bare, llm]);
}

/// Writing a stored primary key again, in any table, is a `Conflict` naming
/// the key: the stored row is unchanged, and the unknown session the
/// refused row named is not created.
pub fn duplicate_primary_key_is_a_conflict_and_keeps_the_row(store: &dyn InteractionStore) {
    let owner = new_session();
    let first = at("2025-07-28 10:00:00");
    let second = at("2025-07-28 11:00:00");
    for table in Table::ALL.into_iter().filter(|t| *t != Table::Sessions) {
        let key = fresh("dup");
        let original = log_row(store, table, &owner, &key, first).unwrap();
        let intruder = new_session();
        let refused = log_row(store, table, &intruder, &key, second);
        assert_eq!(conflict_key(refused), key, "{table}");
        assert_eq!(scan_all(store, table), vec![original], "{table}");
        assert_eq!(store.get_session(&intruder).unwrap(), None, "{table}");
    }
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 1);
}

/// Timestamps with zero and non-zero microseconds, at the ends of the
/// supported years, come back exactly and order correctly.
pub fn timestamps_keep_microseconds_exactly(store: &dyn InteractionStore) {
    let s = new_session();
    let in_order = [
        "0001-01-01 00:00:00",
        "1999-12-31 23:59:59.500000",
        "2025-07-28 10:00:00",
        "2025-07-28 10:00:00.000001",
        "2025-07-28 10:00:00.100000",
        "2025-07-28 10:00:00.999999",
        "2025-07-28 10:00:01",
        "9999-12-31 23:59:59.999999",
    ];
    let mut written: Vec<Message> = in_order
        .iter()
        .map(|t| Message {
            timestamp: Some(at(t)),
            ..Message::new(s.clone(), "user", *t)
        })
        .collect();
    written.reverse();
    for m in &written {
        store.log_message(m).unwrap();
    }
    written.reverse();
    let back = store.list_messages(&s).unwrap();
    assert_eq!(back, written);
    let texts: Vec<String> = back
        .iter()
        .map(|m| m.timestamp.unwrap().to_legacy_string())
        .collect();
    assert_eq!(texts, in_order);
    let session = store.get_session(&s).unwrap().unwrap();
    assert_eq!(session.start_time, Some(at("9999-12-31 23:59:59.999999")));
    assert_eq!(session.last_activity, session.start_time);
    let stamped = Timestamp::now();
    let start = SessionStart {
        at: stamped,
        ..SessionStart::new(new_session())
    };
    assert_eq!(
        store.start_session(&start).unwrap().start_time,
        Some(stamped)
    );
}
