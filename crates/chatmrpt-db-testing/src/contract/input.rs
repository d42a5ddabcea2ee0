//! Bad input gets the same typed refusal on every store and leaves nothing
//! behind; good input of every shape (unicode, megabytes, JSON-ish text,
//! numeric-looking text, ids differing only in case) comes back byte for
//! byte. Exact timestamps are checked in [`super::conversation`], exact
//! numbers in [`super::insight`].

use std::collections::BTreeMap;

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, ArenaBattle, ArenaTrainingExport, Explanation,
    ExportId, FileUpload, InteractionId, InteractionStore, JsonText, LlmInteraction, Message,
    MessageId, Record, RoutingDecision, Session, SessionId, SessionStart, StepId, Table,
    VariableRelationship, WardRanking,
};

use super::{at, fresh, invalid_field, new_session, scan_all, write_record};

/// Asserts that no row of any table was stored.
fn assert_nothing_stored(store: &dyn InteractionStore) {
    for table in Table::ALL {
        assert_eq!(store.count_rows(table).unwrap(), 0, "{table}");
    }
}

/// A NUL byte (PostgreSQL text cannot hold it) is refused in any text
/// column, naming the field, and nothing is stored, not even the session.
pub fn nul_bytes_are_refused_naming_the_field(store: &dyn InteractionStore) {
    let s = new_session();
    let nul = |text: &str| format!("{text}\0{text}");
    let message = Message::new(s.clone(), "user", nul("a"));
    assert_eq!(
        invalid_field(store.log_message(&message)),
        "messages.content"
    );
    let mut llm = LlmInteraction::new(s.clone(), "p", "r");
    llm.prompt_context = Some(JsonText::new(nul(r#"{"x": ""#)));
    let field = invalid_field(store.log_llm_interaction(&llm));
    assert_eq!(field, "llm_interactions.prompt_context");
    let upload = FileUpload::new(s.clone(), "csv", nul("w.csv"), 1);
    let field = invalid_field(store.log_file_upload(&upload));
    assert_eq!(field, "file_uploads.file_name");
    let mut explanation = Explanation::new(s.clone());
    explanation.question = Some(nul("why"));
    let field = invalid_field(store.log_explanation(&explanation));
    assert_eq!(field, "explanations.question");
    let battle = ArenaBattle::new(s.clone(), "a", nul("b"));
    let field = invalid_field(store.log_arena_battle(&battle));
    assert_eq!(field, "arena_battles.model_b");
    let mut start = SessionStart::new(s.clone());
    start.browser_info = Some(nul("UA"));
    let field = invalid_field(store.start_session(&start));
    assert_eq!(field, "sessions.browser_info");
    assert_nothing_stored(store);
}

/// Empty, over-long (256 bytes, even as 128 two-byte characters) and
/// control-character ids are refused naming the field, before any parent
/// lookup; nothing is stored. 255 bytes are accepted.
pub fn malformed_ids_are_refused_naming_the_field(store: &dyn InteractionStore) {
    let bad_ids = [
        String::new(),
        "x".repeat(256),
        "é".repeat(128),
        "bad\nid".into(),
        "tab\tid".into(),
        "del\u{7f}".into(),
        "nel\u{85}".into(),
        "nul\0".into(),
    ];
    for bad in &bad_ids {
        let message = Message {
            message_id: MessageId::new(bad.as_str()),
            ..Message::new(new_session(), "user", "hi")
        };
        assert_eq!(
            invalid_field(store.log_message(&message)),
            "messages.message_id"
        );
        let orphan = Message::new(bad.as_str(), "user", "hi");
        assert_eq!(
            invalid_field(store.log_message(&orphan)),
            "messages.session_id"
        );
        let start = SessionStart::new(bad.as_str());
        assert_eq!(
            invalid_field(store.start_session(&start)),
            "sessions.session_id"
        );
        let decision = AlgorithmDecision::new(new_session(), StepId::new(bad.as_str()), "k");
        let field = invalid_field(store.log_algorithm_decision(&decision));
        assert_eq!(field, "algorithm_decisions.step_id");
        let mut explanation = Explanation::new(new_session());
        explanation.llm_interaction_id = Some(InteractionId::new(bad.as_str()));
        let field = invalid_field(store.log_explanation(&explanation));
        assert_eq!(field, "explanations.llm_interaction_id");
        let mut routing = RoutingDecision::new(new_session(), "tools");
        routing.message_id = Some(MessageId::new(bad.as_str()));
        let field = invalid_field(store.log_routing_decision(&routing));
        assert_eq!(field, "routing_decisions.message_id");
        let export = ArenaTrainingExport {
            export_id: ExportId::new(bad.as_str()),
            ..ArenaTrainingExport::new("dpo", "jsonl", "/x")
        };
        let field = invalid_field(store.log_training_export(&export));
        assert_eq!(field, "arena_training_exports.export_id");
    }
    assert_nothing_stored(store);
    let longest = SessionId::new(format!("{}x", "é".repeat(127)));
    let message = Message::new(longest.clone(), "user", "hi");
    store.log_message(&message).unwrap();
    assert_eq!(store.list_messages(&longest).unwrap(), vec![message]);
}

/// Negative sizes and counts, and NaN, are refused naming the field; zero
/// is fine. Nothing refused is stored.
pub fn negative_sizes_and_nan_are_refused(store: &dyn InteractionStore) {
    let s = new_session();
    for size in [-1, i64::MIN] {
        let upload = FileUpload::new(s.clone(), "csv", "a.csv", size);
        let field = invalid_field(store.log_file_upload(&upload));
        assert_eq!(field, "file_uploads.file_size");
    }
    let mut llm = LlmInteraction::new(s.clone(), "p", "r");
    llm.tokens_used = Some(-1);
    let field = invalid_field(store.log_llm_interaction(&llm));
    assert_eq!(field, "llm_interactions.tokens_used");
    let mut battle = ArenaBattle::new(s.clone(), "a", "b");
    battle.tokens_a = Some(-5);
    assert_eq!(
        invalid_field(store.log_arena_battle(&battle)),
        "arena_battles.tokens_a"
    );
    for bad in [f64::NAN, -f64::NAN] {
        let mut llm = LlmInteraction::new(s.clone(), "p", "r");
        llm.latency = Some(bad);
        let field = invalid_field(store.log_llm_interaction(&llm));
        assert_eq!(field, "llm_interactions.latency");
        let mut step = AnalysisStep::new(s.clone(), "x");
        step.execution_time = Some(bad);
        let field = invalid_field(store.log_analysis_step(&step));
        assert_eq!(field, "analysis_steps.execution_time");
        let mut relationship = VariableRelationship::new(s.clone());
        relationship.confidence_score = Some(bad);
        let field = invalid_field(store.log_variable_relationship(&relationship));
        assert_eq!(field, "variable_relationships.confidence_score");
        let mut ranking = WardRanking::new(s.clone());
        ranking.median_score = Some(bad);
        let field = invalid_field(store.log_ward_ranking(&ranking));
        assert_eq!(field, "ward_rankings.median_score");
        let mut battle = ArenaBattle::new(s.clone(), "a", "b");
        battle.elo_after_b = Some(bad);
        let field = invalid_field(store.log_arena_battle(&battle));
        assert_eq!(field, "arena_battles.elo_after_b");
    }
    assert_nothing_stored(store);
    let zero = FileUpload::new(s.clone(), "csv", "empty.csv", 0);
    store.log_file_upload(&zero).unwrap();
    assert_eq!(store.list_file_uploads(&s).unwrap(), vec![zero]);
}

/// Infinities are stored as they are (both stores hold them, and so does
/// the legacy file) and read back with their sign.
pub fn infinities_round_trip(store: &dyn InteractionStore) {
    let s = new_session();
    let mut llm = LlmInteraction::new(s.clone(), "p", "r");
    llm.latency = Some(f64::INFINITY);
    store.log_llm_interaction(&llm).unwrap();
    let mut ranking = WardRanking::new(s.clone());
    ranking.median_score = Some(f64::NEG_INFINITY);
    store.log_ward_ranking(&ranking).unwrap();
    let mut battle = ArenaBattle::new(s.clone(), "a", "b");
    battle.elo_after_b = Some(f64::INFINITY);
    battle.latency_a = Some(f64::NEG_INFINITY);
    store.log_arena_battle(&battle).unwrap();
    let stored = store.list_llm_interactions(&s).unwrap();
    assert_eq!(stored[0].latency, Some(f64::INFINITY));
    let stored = store.list_ward_rankings(&s).unwrap();
    assert_eq!(stored[0].median_score, Some(f64::NEG_INFINITY));
    assert_eq!(store.list_arena_battles(&s).unwrap(), vec![battle]);
}

/// Emoji (skin tones, ZWJ sequences, flags), Yoruba with combining marks,
/// Arabic RTL text and mixed scripts come back unchanged, in ids too.
pub fn unicode_round_trips_byte_for_byte(store: &dyn InteractionStore) {
    let s = SessionId::new(format!("séssion-👩🏽‍⚕️-١٢٣-{}", new_session()));
    let texts = [
        "👩🏽‍⚕️🦟🇳🇬🏳️‍🌈 — malaria 🧪",
        "Ẹ kú àárọ̀, ṣé àlàáfíà ni?",
        "ما هي المناطق الأكثر عرضة لخطر الملاريا؟",
        "Ina kwana? Yaya aiki? 你好 Привет",
        "e\u{301} vs é, \u{200f}RTL mark\u{200e}, \u{feff}BOM, tab\tand\r\nCRLF",
        "\u{10ffff}\u{fffd}",
    ];
    let start = SessionStart {
        at: at("2025-07-28 09:59:59"),
        user_language: Some("yo-NG ẹ̀".into()),
        browser_info: Some("Mozilla/5.0 (iPhone; 🇳🇬)".into()),
        ip_address: Some("::ffff:102.89.34.7".into()),
        ..SessionStart::new(s.clone())
    };
    let session = store.start_session(&start).unwrap();
    let mut written = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let mut m = Message::new(s.clone(), "user", *text);
        let head: String = text.chars().take(8).collect();
        m.message_id = MessageId::new(format!("{}-{i}-{head}", fresh("ü")));
        m.timestamp = Some(at(&format!("2025-07-28 10:00:0{i}")));
        m.intent = Some(text.chars().rev().collect());
        m.entities = Some(JsonText::new(format!(r#"{{"text": "{text}"}}"#)));
        store.log_message(&m).unwrap();
        written.push(m);
    }
    assert_eq!(store.list_messages(&s).unwrap(), written);
    let expected = Session {
        last_activity: Some(at("2025-07-28 10:00:05")),
        ..session
    };
    assert_eq!(store.get_session(&s).unwrap(), Some(expected));
}

/// A 2 MB LLM response (and a 1 MB prompt) is stored and read back whole.
pub fn two_megabyte_llm_response_round_trips(store: &dyn InteractionStore) {
    let s = new_session();
    let line = "Ward Dala ranks first because its test positivity rate is high. ñ🦟\n";
    let response: String = line.repeat(2 * 1024 * 1024 / line.len() + 1);
    assert!(response.len() > 2 * 1024 * 1024);
    let prompt = "Explain. ".repeat(1024 * 1024 / 9);
    let llm = LlmInteraction::new(s.clone(), prompt, response);
    store.log_llm_interaction(&llm).unwrap();
    let back = store.list_llm_interactions(&s).unwrap();
    assert_eq!(back.len(), 1);
    assert!(back[0] == llm, "the long texts came back changed");
}

/// JSON-ish text is kept exactly in every JSON-ish column: Python reprs,
/// `NaN`, string literals, duplicate or unordered keys, escapes, whitespace.
pub fn json_ish_text_is_kept_byte_for_byte(store: &dyn InteractionStore) {
    let texts = [
        "{'a': 1, 'b': True}",
        "{'a': 1, 'b': True, 'c': None}",
        r#"{"score": NaN, "inf": Infinity}"#,
        r#""You are ChatMRPT.""#,
        "  [1,2 ,\n 3]  ",
        r#"{"b": 1, "a": 2, "a": 3}"#,
        r#"{"e": "\u00e9", "big": 1.00000000000000000001}"#,
        "not json at all {",
        "",
        "null",
    ];
    let mut written: BTreeMap<Table, Vec<Record>> = BTreeMap::new();
    for (i, text) in texts.iter().enumerate() {
        let s = new_session();
        let json = || Some(JsonText::new(*text));
        let when = Some(at(&format!("2025-07-28 10:00:{i:02}")));
        let records = [
            Record::Message(Message {
                entities: json(),
                timestamp: when,
                ..Message::new(s.clone(), "user", "x")
            }),
            Record::FileUpload(FileUpload {
                metadata: json(),
                ..FileUpload::new(s.clone(), "csv", "f", 1)
            }),
            Record::AnalysisEvent(AnalysisEvent {
                details: json(),
                ..AnalysisEvent::new(Some(s.clone()), "e", true)
            }),
            Record::LlmInteraction(LlmInteraction {
                prompt_context: json(),
                enhanced_timing: json(),
                ..LlmInteraction::new(s.clone(), "p", "r")
            }),
            Record::AnalysisStep(AnalysisStep {
                parameters: json(),
                ..AnalysisStep::new(s.clone(), "x")
            }),
            Record::RoutingDecision(RoutingDecision {
                keywords_matched: json(),
                session_context: json(),
                ..RoutingDecision::new(s.clone(), "tools")
            }),
            Record::ArenaTrainingExport(ArenaTrainingExport {
                metadata: json(),
                ..ArenaTrainingExport::new("dpo", "jsonl", "/x")
            }),
        ];
        for record in records {
            write_record(store, &record).unwrap();
            written.entry(record.table()).or_default().push(record);
        }
        let messages = store.list_messages(&s).unwrap();
        let entities = messages[0].entities.as_ref().map(JsonText::as_str);
        assert_eq!(entities, Some(*text));
    }
    for (table, mut rows) in written {
        rows.sort_by(|a, b| a.key().cmp(b.key()));
        assert_eq!(scan_all(store, table), rows, "{table}");
    }
}

/// Empty strings stay `Some("")` (never `None`), and text that looks like a
/// number (ids with leading zeros, `1e3`, `-0`) stays the exact text.
pub fn empty_and_numeric_looking_text_stays_text(store: &dyn InteractionStore) {
    let digits = uuid::Uuid::new_v4().as_u128().to_string();
    let s = SessionId::new(format!("000{}", &digits[..12]));
    let session = store.start_session(&SessionStart::new(s.clone())).unwrap();
    assert_eq!(session.session_id, s);
    let contents = [
        "", " ", "0", "007", "1e3", "-0", "1.10", "0x1F", "NaN", " 42 ",
    ];
    let mut written = Vec::new();
    for (i, text) in contents.iter().enumerate() {
        let m = Message {
            message_id: MessageId::new(format!("{digits}.{i:02}0")),
            timestamp: Some(at(&format!("2025-07-28 10:00:{i:02}"))),
            sender: Some(String::new()),
            intent: Some((*text).into()),
            entities: Some(JsonText::new(*text)),
            ..Message::new(s.clone(), "user", *text)
        };
        store.log_message(&m).unwrap();
        written.push(m);
    }
    assert_eq!(store.list_messages(&s).unwrap(), written);
    assert_eq!(
        store.get_session(&s).unwrap().map(|x| x.session_id),
        Some(s)
    );
}

/// Ids that differ only in case, in a trailing space, or in Unicode
/// normalisation are distinct rows, in sessions and in child tables alike.
pub fn ids_differing_only_in_case_are_distinct_rows(store: &dyn InteractionStore) {
    let u = new_session();
    let variants = [
        format!("ABC-{u}"),
        format!("abc-{u}"),
        format!("abc-{u} "),
        format!("\u{e9}-{u}"),
        format!("e\u{301}-{u}"),
    ];
    for (i, id) in variants.iter().enumerate() {
        let start = SessionStart {
            at: at(&format!("2025-07-28 10:00:0{i}")),
            user_language: Some(format!("lang-{i}")),
            ..SessionStart::new(id.as_str())
        };
        store.start_session(&start).unwrap();
        let message = Message {
            message_id: MessageId::new(id.as_str()),
            ..Message::new(id.as_str(), "user", format!("message {i}"))
        };
        store.log_message(&message).unwrap();
    }
    for (i, id) in variants.iter().enumerate() {
        let s = SessionId::new(id.as_str());
        let session = store
            .get_session(&s)
            .unwrap()
            .expect("each variant is stored");
        assert_eq!(session.user_language, Some(format!("lang-{i}")));
        let messages = store.list_messages(&s).unwrap();
        let contents: Vec<_> = messages.iter().map(|m| m.content.clone()).collect();
        assert_eq!(contents, vec![Some(format!("message {i}"))], "{id}");
        assert_eq!(messages[0].message_id.as_str(), id);
    }
    assert_eq!(
        store
            .get_session(&SessionId::new(format!("aBc-{u}")))
            .unwrap(),
        None
    );
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 5);
    assert_eq!(store.count_rows(Table::Messages).unwrap(), 5);
}
