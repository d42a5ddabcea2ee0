//! Messages, uploads, events, errors and LLM calls; the orphan fix.

use chatmrpt_db_core::{
    AnalysisEvent, Error, ErrorEntry, FileUpload, InteractionStore, JsonText, LlmInteraction,
    Message, MessageId, SessionId, SessionStart, Table,
};

use super::{at, new_session};

fn message(session: &SessionId, id: &str, when: &str, text: &str) -> Message {
    let mut m = Message::new(session.clone(), "user", text);
    m.message_id = MessageId::new(id);
    m.timestamp = Some(at(when));
    m
}

/// Messages come back whole, oldest first, ties broken by id.
pub fn messages_round_trip_in_timestamp_order(store: &dyn InteractionStore) {
    let s = new_session();
    let mut late = message(&s, "m-3", "2025-07-28 10:00:02", "third");
    late.sender = Some("assistant".into());
    late.intent = Some("risk_ranking".into());
    late.entities = Some(JsonText::new(r#"{"wards": ["Dala"]}"#));
    let tie_b = message(&s, "m-2b", "2025-07-28 10:00:01", "second b");
    let tie_a = message(&s, "m-2a", "2025-07-28 10:00:01", "second a");
    let first = message(&s, "m-1", "2025-07-28 10:00:00.5", "first");
    for m in [&late, &tie_b, &tie_a, &first] {
        store.log_message(m).unwrap();
    }
    let other = new_session();
    store
        .log_message(&message(&other, "m-x", "2025-07-28 09:00:00", "elsewhere"))
        .unwrap();
    assert_eq!(
        store.list_messages(&s).unwrap(),
        vec![first, tie_a, tie_b, late]
    );
    assert_eq!(
        store.list_messages(&SessionId::new("nobody")).unwrap(),
        vec![]
    );
}

/// A child row for an unknown session creates it at the child's time, flags off.
pub fn child_before_session_creates_the_session(store: &dyn InteractionStore) {
    let s = new_session();
    store
        .log_message(&message(&s, "m-1", "2025-07-28 10:00:00", "hello"))
        .unwrap();
    let created = store
        .get_session(&s)
        .unwrap()
        .expect("the session was created");
    assert_eq!(created.start_time, Some(at("2025-07-28 10:00:00")));
    assert_eq!(created.last_activity, Some(at("2025-07-28 10:00:00")));
    assert_eq!(
        (created.analysis_complete, created.files_uploaded),
        (Some(false), Some(false))
    );
    // Then the real start keeps the earlier start time.
    let mut start = SessionStart::new(s.clone());
    start.at = at("2025-07-28 10:05:00");
    let after = store.start_session(&start).unwrap();
    assert_eq!(after.start_time, Some(at("2025-07-28 10:00:00")));
    assert_eq!(after.last_activity, Some(at("2025-07-28 10:05:00")));
    // Every child kind creates its session.
    let e = new_session();
    store
        .log_error(&ErrorEntry::new(e.clone(), "KeyError", "'ward'"))
        .unwrap();
    assert!(store.get_session(&e).unwrap().is_some());
}

/// An upload creates or touches its session and sets `files_uploaded`.
pub fn upload_sets_files_uploaded_and_touches(store: &dyn InteractionStore) {
    let s = new_session();
    let mut start = SessionStart::new(s.clone());
    start.at = at("2025-07-28 10:00:00");
    store.start_session(&start).unwrap();
    let mut upload = FileUpload::new(s.clone(), "shapefile", "kano_wards.zip", 3_481_922_311);
    upload.timestamp = Some(at("2025-07-28 10:01:00"));
    upload.metadata = Some(JsonText::new("{'crs': 'EPSG:4326'}"));
    store.log_file_upload(&upload).unwrap();
    assert_eq!(store.list_file_uploads(&s).unwrap(), vec![upload]);
    let session = store.get_session(&s).unwrap().unwrap();
    assert_eq!(session.files_uploaded, Some(true));
    assert_eq!(session.last_activity, Some(at("2025-07-28 10:01:00")));
    let orphan = new_session();
    store
        .log_file_upload(&FileUpload::new(orphan.clone(), "csv", "a.csv", 10))
        .unwrap();
    assert_eq!(
        store.get_session(&orphan).unwrap().unwrap().files_uploaded,
        Some(true)
    );
}

/// A request-timing event has no session and creates none.
pub fn event_without_session_stays_without_one(store: &dyn InteractionStore) {
    let mut timing = AnalysisEvent::new(None, "endpoint_response_timing", true);
    timing.details = Some(JsonText::new(
        r#"{"endpoint": "/send_message", "ms": 812.4}"#,
    ));
    store.log_analysis_event(&timing).unwrap();
    assert_eq!(store.count_rows(Table::AnalysisEvents).unwrap(), 1);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 0);
    let s = new_session();
    let mut event = AnalysisEvent::new(Some(s.clone()), "analysis_complete", false);
    event.timestamp = Some(at("2025-07-28 10:02:00"));
    event.success = None;
    store.log_analysis_event(&event).unwrap();
    assert_eq!(store.list_analysis_events(&s).unwrap(), vec![event]);
    assert_eq!(
        store.get_session(&s).unwrap().unwrap().last_activity,
        Some(at("2025-07-28 10:02:00"))
    );
}

/// Errors and LLM calls are stored whole; they do not move the session's activity.
pub fn errors_and_llm_calls_round_trip_without_touching(store: &dyn InteractionStore) {
    let s = new_session();
    let mut start = SessionStart::new(s.clone());
    start.at = at("2025-07-28 10:00:00");
    store.start_session(&start).unwrap();
    let mut error = ErrorEntry::new(
        s.clone(),
        "ValueError",
        "could not convert string to float: 'n/a'",
    );
    error.timestamp = Some(at("2025-07-28 10:10:00"));
    error.stack_trace =
        Some("Traceback (most recent call last):\n  File \"app.py\", line 1".into());
    store.log_error(&error).unwrap();
    let mut llm = LlmInteraction::new(s.clone(), "Summarise the ranking", "Dala ranks first.");
    llm.timestamp = Some(at("2025-07-28 10:11:00"));
    llm.prompt_type = Some("summary".into());
    llm.prompt_context = Some(JsonText::new(
        r#""You are ChatMRPT, a malaria risk assistant.""#,
    ));
    llm.tokens_used = None;
    llm.latency = Some(1.234_567_890_123_456_7);
    llm.enhanced_timing = Some(JsonText::new(r#"{"ttft": 0.21, "total": NaN}"#));
    store.log_llm_interaction(&llm).unwrap();
    assert_eq!(store.list_errors(&s).unwrap(), vec![error]);
    assert_eq!(store.list_llm_interactions(&s).unwrap(), vec![llm]);
    assert_eq!(
        store.get_session(&s).unwrap().unwrap().last_activity,
        Some(at("2025-07-28 10:00:00"))
    );
}

/// Writing a stored primary key again is a conflict and leaves the row as it was.
pub fn duplicate_primary_key_is_a_conflict_and_keeps_the_row(store: &dyn InteractionStore) {
    let s = new_session();
    let original = message(&s, "dup", "2025-07-28 10:00:00", "original");
    store.log_message(&original).unwrap();
    let copy = message(&s, "dup", "2025-07-28 11:00:00", "replacement");
    let err = store.log_message(&copy).unwrap_err();
    assert!(
        matches!(err, Error::Conflict { ref key, .. } if key == "dup"),
        "{err:?}"
    );
    assert_eq!(store.list_messages(&s).unwrap(), vec![original]);
    assert_eq!(
        store.get_session(&s).unwrap().unwrap().last_activity,
        Some(at("2025-07-28 10:00:00"))
    );
}
