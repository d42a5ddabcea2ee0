//! Session exports, row counts, whole-table scans and the CSV export.

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, Calculation, Error,
    ErrorEntry, Explanation, FileUpload, InteractionStore, LlmInteraction, Message, MessageId,
    Record, RoutingDecision, Session, SessionExport, SessionId, SessionStart, Table, TimeRange,
    VariableRelationship, VisualizationMetadata, WardRanking, export_table_csv,
};

use super::{at, fresh, log_row, new_session, scan_all};

/// Writes a session on `day` (`YYYY-MM-DD`) with rows in every child table
/// and returns the export expected for it.
fn write_full_session(store: &dyn InteractionStore, s: &SessionId, day: &str) -> SessionExport {
    let t = |clock: &str| Some(at(&format!("{day} {clock}")));
    let start = SessionStart {
        at: t("10:00:00").unwrap(),
        user_language: Some("en".into()),
        browser_info: Some("Mozilla/5.0".into()),
        ip_address: Some("127.0.0.1".into()),
        ..SessionStart::new(s.clone())
    };
    store.start_session(&start).unwrap();
    store.set_analysis_complete(s, true).unwrap();
    let sid = || s.clone();
    let hello = Message {
        timestamp: t("10:00:02"),
        ..Message::new(sid(), "user", "hello")
    };
    let reply = Message {
        timestamp: t("10:00:01"),
        ..Message::new(sid(), "assistant", "hi")
    };
    let upload = FileUpload {
        timestamp: t("10:00:03"),
        ..FileUpload::new(sid(), "csv", "w.csv", 12)
    };
    let event = AnalysisEvent {
        timestamp: t("10:00:04"),
        ..AnalysisEvent::new(Some(sid()), "go", true)
    };
    let error = ErrorEntry {
        timestamp: t("10:00:05"),
        ..ErrorEntry::new(sid(), "E", "boom")
    };
    let llm = LlmInteraction {
        timestamp: t("10:00:06"),
        ..LlmInteraction::new(sid(), "p", "r")
    };
    let step = AnalysisStep {
        timestamp: t("10:00:07"),
        ..AnalysisStep::new(sid(), "rank")
    };
    let decision = AlgorithmDecision {
        timestamp: t("10:00:08"),
        ..AlgorithmDecision::new(sid(), step.step_id.clone(), "method")
    };
    let calculation = Calculation {
        timestamp: t("10:00:09"),
        ..Calculation::new(sid(), step.step_id.clone(), "score")
    };
    let anomaly = Anomaly {
        timestamp: t("10:00:10"),
        ..Anomaly::new(sid())
    };
    let relationship = VariableRelationship {
        timestamp: t("10:00:11"),
        ..VariableRelationship::new(sid())
    };
    let rank_2 = WardRanking {
        overall_rank: Some(2),
        timestamp: t("10:00:12"),
        ..WardRanking::new(sid())
    };
    let rank_1 = WardRanking {
        overall_rank: Some(1),
        timestamp: t("10:00:13"),
        ..WardRanking::new(sid())
    };
    let viz = VisualizationMetadata {
        timestamp: t("10:00:14"),
        ..VisualizationMetadata::new(sid())
    };
    let explanation = Explanation {
        timestamp: t("10:00:15"),
        llm_interaction_id: Some(llm.interaction_id.clone()),
        ..Explanation::new(sid())
    };
    let routing = RoutingDecision {
        timestamp: t("10:00:16"),
        message_id: Some(hello.message_id.clone()),
        ..RoutingDecision::new(sid(), "tools")
    };
    let battle = ArenaBattle {
        timestamp: t("10:00:17"),
        ..ArenaBattle::new(sid(), "a", "b")
    };
    store.log_message(&hello).unwrap();
    store.log_message(&reply).unwrap();
    store.log_file_upload(&upload).unwrap();
    store.log_analysis_event(&event).unwrap();
    store.log_error(&error).unwrap();
    store.log_llm_interaction(&llm).unwrap();
    store.log_analysis_step(&step).unwrap();
    store.log_algorithm_decision(&decision).unwrap();
    store.log_calculation(&calculation).unwrap();
    store.log_anomaly(&anomaly).unwrap();
    store.log_variable_relationship(&relationship).unwrap();
    store.log_ward_ranking(&rank_2).unwrap();
    store.log_ward_ranking(&rank_1).unwrap();
    store.log_visualization(&viz).unwrap();
    store.log_explanation(&explanation).unwrap();
    store.log_routing_decision(&routing).unwrap();
    store.log_arena_battle(&battle).unwrap();
    SessionExport {
        session: Session {
            last_activity: t("10:00:07"),
            analysis_complete: Some(true),
            files_uploaded: Some(true),
            ..start.to_new_session()
        },
        messages: vec![reply, hello],
        file_uploads: vec![upload],
        analysis_events: vec![event],
        errors: vec![error],
        llm_interactions: vec![llm],
        analysis_steps: vec![step],
        algorithm_decisions: vec![decision],
        calculations: vec![calculation],
        anomalies: vec![anomaly],
        variable_relationships: vec![relationship],
        ward_rankings: vec![rank_1, rank_2],
        visualization_metadata: vec![viz],
        explanations: vec![explanation],
        routing_decisions: vec![routing],
        arena_battles: vec![battle],
    }
}

/// A session with no rows of its own exports with every list empty.
fn bare_export(session: Session) -> SessionExport {
    SessionExport {
        session,
        messages: vec![],
        file_uploads: vec![],
        analysis_events: vec![],
        errors: vec![],
        llm_interactions: vec![],
        analysis_steps: vec![],
        algorithm_decisions: vec![],
        calculations: vec![],
        anomalies: vec![],
        variable_relationships: vec![],
        ward_rankings: vec![],
        visualization_metadata: vec![],
        explanations: vec![],
        routing_decisions: vec![],
        arena_battles: vec![],
    }
}

/// The export holds the session and every one of its child rows, each list
/// in its listing order, and nothing of another session; it serialises.
pub fn export_session_holds_every_child_row_and_no_other(store: &dyn InteractionStore) {
    let s = new_session();
    let expected = write_full_session(store, &s, "2025-07-28");
    let other = new_session();
    let other_expected = write_full_session(store, &other, "2025-07-28");
    assert_eq!(store.export_session(&s).unwrap(), Some(expected.clone()));
    assert_eq!(store.export_session(&other).unwrap(), Some(other_expected));
    let json = serde_json::to_value(&expected).unwrap();
    assert_eq!(json["session"]["session_id"], s.as_str());
    assert_eq!(json["messages"][1]["content"], "hello");
}

/// Exporting an unknown session is `None`; a session without rows exports
/// with every list empty.
pub fn export_of_unknown_session_is_none(store: &dyn InteractionStore) {
    assert_eq!(store.export_session(&new_session()).unwrap(), None);
    let s = new_session();
    let session = store.start_session(&SessionStart::new(s.clone())).unwrap();
    assert_eq!(
        store.export_session(&s).unwrap(),
        Some(bare_export(session))
    );
}

/// Every session is exported once, whole, ordered by start time; an error
/// from the sink stops the walk and is returned.
pub fn for_each_session_export_visits_all_in_start_order(store: &dyn InteractionStore) {
    let late = write_full_session(store, &new_session(), "2025-07-29");
    let early = write_full_session(store, &new_session(), "2025-07-27");
    let bare = SessionStart {
        at: at("2025-07-28 00:00:00"),
        ..SessionStart::new(new_session())
    };
    let mid = bare_export(store.start_session(&bare).unwrap());
    let mut seen = Vec::new();
    store
        .for_each_session_export(&mut |export| {
            seen.push(export);
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, vec![early, mid, late]);
    let mut visits = 0;
    let stopped = store.for_each_session_export(&mut |_| {
        visits += 1;
        Err(Error::invalid("sink", "full"))
    });
    assert!(
        matches!(stopped, Err(Error::InvalidInput { field: "sink", .. })),
        "{stopped:?}"
    );
    assert_eq!(visits, 1);
}

/// Row counts per table match what was written (a different count in each
/// table); the backend has a short, credential-free name.
pub fn count_rows_matches_what_was_written(store: &dyn InteractionStore) {
    let s = new_session();
    let when = at("2025-07-28 10:00:00");
    for key in [s.as_str().to_owned(), fresh("s"), fresh("s")] {
        log_row(store, Table::Sessions, &s, &key, when).unwrap();
    }
    for (n, table) in Table::ALL.into_iter().enumerate().skip(1) {
        for _ in 0..=n {
            log_row(store, table, &s, &fresh("row"), when).unwrap();
        }
    }
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 3);
    for (n, table) in Table::ALL.into_iter().enumerate().skip(1) {
        assert_eq!(store.count_rows(table).unwrap(), n as u64 + 1, "{table}");
    }
    let name = store.backend_name();
    assert!(
        !name.is_empty() && !name.contains(['@', '/', ':']),
        "{name}"
    );
}

/// Every table scans whole, each row equal to what was written, in bytewise
/// primary-key order (`C` < `a` < `b`), page by page after a key.
pub fn scan_reads_every_table_whole_in_key_order(store: &dyn InteractionStore) {
    let p = fresh("scan");
    let s = SessionId::new(format!("{p}-s"));
    let when = at("2025-07-28 10:00:00");
    log_row(store, Table::Sessions, &s, s.as_str(), when).unwrap();
    for table in Table::ALL.into_iter().skip(1) {
        let mut written: Vec<Record> = ["b", "C", "a"]
            .iter()
            .map(|k| log_row(store, table, &s, &format!("{p}-{k}"), when).unwrap())
            .collect();
        written.sort_by(|x, y| x.key().cmp(y.key()));
        assert_eq!(scan_all(store, table), written, "{table}");
        let page = store
            .scan_table(table, &TimeRange::default(), Some(written[0].key()), 1)
            .unwrap();
        assert_eq!(page, written[1..2], "{table}");
        assert!(page.iter().all(|r| r.table() == table), "{table}");
    }
    let session = store.get_session(&s).unwrap().unwrap();
    assert_eq!(
        scan_all(store, Table::Sessions),
        vec![Record::Session(session)]
    );
}

/// A time range `[from, until)` bounds the table's time column; rows
/// without a time are outside any bounded range but inside the unbounded one.
pub fn scan_pages_within_a_time_range(store: &dyn InteractionStore) {
    let s = new_session();
    let p = fresh("range");
    for (k, when) in [
        ("b", Some("2025-07-28 10:00:01")),
        ("B", Some("2025-07-28 10:00:02")),
        ("a", Some("2025-07-28 10:00:03")),
        ("c", Some("2025-07-28 09:59:59.999999")),
        ("d", Some("2025-07-28 10:00:00")),
        ("e", None),
    ] {
        let m = Message {
            message_id: MessageId::new(format!("{p}-{k}")),
            timestamp: when.map(at),
            ..Message::new(s.clone(), "user", k)
        };
        store.log_message(&m).unwrap();
    }
    let keys = |from: Option<&str>, until: Option<&str>| {
        let range = TimeRange {
            from: from.map(at),
            until: until.map(at),
        };
        let page = store.scan_table(Table::Messages, &range, None, 10).unwrap();
        page.iter()
            .map(|r| r.key().rsplit('-').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(None, None), ["B", "a", "b", "c", "d", "e"]);
    let (ten, ten_03) = ("2025-07-28 10:00:00", "2025-07-28 10:00:03");
    assert_eq!(keys(Some(ten), Some(ten_03)), ["B", "b", "d"]);
    assert_eq!(keys(Some(ten), None), ["B", "a", "b", "d"]);
    assert_eq!(keys(None, Some(ten)), ["c"]);
    let sessions = TimeRange {
        from: Some(at("2025-07-28 10:00:00")),
        until: None,
    };
    let found = store
        .scan_table(Table::Sessions, &sessions, None, 10)
        .unwrap();
    let created = store.get_session(&s).unwrap().unwrap();
    assert_eq!(created.start_time, Some(at("2025-07-28 10:00:01")));
    assert_eq!(found, vec![Record::Session(created)]);
}

/// The CSV export has a header naming the columns and one quoted record per
/// row; an empty table exports its key column alone.
pub fn csv_export_writes_header_and_rows(store: &dyn InteractionStore) {
    let s = new_session();
    let id = fresh("csv");
    let m = Message {
        message_id: MessageId::new(id.as_str()),
        timestamp: Some(at("2025-07-28 10:00:00.5")),
        ..Message::new(s.clone(), "user", "comma, \"quote\"\nnewline")
    };
    store.log_message(&m).unwrap();
    let mut out = Vec::new();
    let rows = export_table_csv(store, Table::Messages, &TimeRange::default(), &mut out).unwrap();
    assert_eq!(rows, 1);
    let text = String::from_utf8(out).unwrap();
    let expected = format!(
        "message_id,session_id,timestamp,sender,content,intent,entities\n\
         {id},{s},2025-07-28T10:00:00.500Z,user,\"comma, \"\"quote\"\"\nnewline\",,\n"
    );
    assert_eq!(text, expected);
    let mut empty = Vec::new();
    let range = TimeRange::default();
    let none = export_table_csv(store, Table::ArenaTrainingExports, &range, &mut empty).unwrap();
    assert_eq!(
        (none, String::from_utf8(empty).unwrap()),
        (0, "export_id\n".to_owned())
    );
}
