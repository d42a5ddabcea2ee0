//! Bad input gets the same typed refusal on every store; good input of every
//! shape comes back byte for byte.

use chatmrpt_db_core::{
    Error, FileUpload, InteractionStore, JsonText, LlmInteraction, Message, MessageId, SessionId,
    SessionStart, Table, Timestamp,
};

use super::{at, new_session};

fn refused_field(result: Result<(), Error>) -> &'static str {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// A NUL byte (PostgreSQL cannot store it) is refused, naming the field; nothing is stored.
pub fn nul_bytes_are_refused_naming_the_field(store: &dyn InteractionStore) {
    let s = new_session();
    assert_eq!(
        refused_field(store.log_message(&Message::new(s.clone(), "user", "a\0b"))),
        "messages.content"
    );
    let mut llm = LlmInteraction::new(s.clone(), "p", "r");
    llm.prompt_context = Some(JsonText::new("{\"x\": \"\0\"}"));
    assert_eq!(
        refused_field(store.log_llm_interaction(&llm)),
        "llm_interactions.prompt_context"
    );
    let mut start = SessionStart::new(s.clone());
    start.browser_info = Some("UA\0".into());
    assert!(matches!(
        store.start_session(&start),
        Err(Error::InvalidInput {
            field: "sessions.browser_info",
            ..
        })
    ));
    assert_eq!(store.count_rows(Table::Messages).unwrap(), 0);
    assert_eq!(store.get_session(&s).unwrap(), None);
}

/// Empty, over-long and control-character ids are refused, naming the field.
pub fn malformed_ids_are_refused(store: &dyn InteractionStore) {
    let long = "x".repeat(256);
    assert_eq!(
        refused_field(store.log_message(&Message::new(long.as_str(), "user", "hi"))),
        "messages.session_id"
    );
    let mut m = Message::new(new_session(), "user", "hi");
    m.message_id = MessageId::new("");
    assert_eq!(refused_field(store.log_message(&m)), "messages.message_id");
    m.message_id = MessageId::new("bad\nid");
    assert_eq!(refused_field(store.log_message(&m)), "messages.message_id");
    let ok = "y".repeat(255);
    store
        .log_message(&Message::new(ok.as_str(), "user", "hi"))
        .unwrap();
    assert_eq!(store.list_messages(&SessionId::new(ok)).unwrap().len(), 1);
}

/// Negative sizes and NaN/infinite numbers are refused alike everywhere.
pub fn negative_sizes_and_non_finite_numbers_are_refused(store: &dyn InteractionStore) {
    let s = new_session();
    assert_eq!(
        refused_field(store.log_file_upload(&FileUpload::new(s.clone(), "csv", "a.csv", -1))),
        "file_uploads.file_size"
    );
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut llm = LlmInteraction::new(s.clone(), "p", "r");
        llm.latency = Some(bad);
        assert_eq!(
            refused_field(store.log_llm_interaction(&llm)),
            "llm_interactions.latency"
        );
    }
    assert_eq!(
        store.count_rows(Table::FileUploads).unwrap()
            + store.count_rows(Table::LlmInteractions).unwrap(),
        0
    );
}

/// Emoji (ZWJ sequences, flags), Yoruba with combining marks, Arabic, Hausa come back unchanged.
pub fn unicode_round_trips_byte_for_byte(store: &dyn InteractionStore) {
    let s = SessionId::new("séssion-👩🏽‍⚕️-١٢٣");
    let texts = [
        "👩🏽‍⚕️🦟🇳🇬 — malaria 🧪",
        "Ẹ kú àárọ̀, ṣé àlàáfíà ni?",
        "ما هي المناطق الأكثر عرضة لخطر الملاريا؟",
        "Ina kwana? Yaya aiki?",
        "e\u{301} vs é, \u{200f}RTL mark, tab\tand\r\nCRLF",
    ];
    for (i, text) in texts.iter().enumerate() {
        let mut m = Message::new(s.clone(), "user", *text);
        m.timestamp = Some(at(&format!("2025-07-28 10:00:0{i}")));
        store.log_message(&m).unwrap();
    }
    let back: Vec<String> = store
        .list_messages(&s)
        .unwrap()
        .into_iter()
        .filter_map(|m| m.content)
        .collect();
    assert_eq!(back, texts);
    assert!(store.get_session(&s).unwrap().is_some());
}

/// A 2 MB LLM response is stored and read back whole.
pub fn two_megabyte_llm_response_round_trips(store: &dyn InteractionStore) {
    let s = new_session();
    let response: String = "Ward Dala ranks first because its test positivity rate is high. ñ🦟\n"
        .chars()
        .cycle()
        .take(2 * 1024 * 1024)
        .collect();
    let llm = LlmInteraction::new(s.clone(), "explain everything", response.clone());
    store.log_llm_interaction(&llm).unwrap();
    let back = store.list_llm_interactions(&s).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(
        back[0].response.as_deref().map(str::len),
        Some(response.len())
    );
    assert_eq!(back[0], llm);
}

/// JSON-ish text is kept exactly: Python reprs, NaN, string literals, whitespace.
pub fn json_ish_text_is_kept_byte_for_byte(store: &dyn InteractionStore) {
    let s = new_session();
    let texts = [
        "{'a': 1, 'b': True, 'c': None}",
        r#"{"score": NaN}"#,
        r#""You are ChatMRPT.""#,
        "  [1,2 ,\n 3]  ",
        "not json at all {",
    ];
    for (i, text) in texts.iter().enumerate() {
        let mut m = Message::new(s.clone(), "user", "x");
        m.timestamp = Some(at(&format!("2025-07-28 10:00:0{i}")));
        m.entities = Some(JsonText::new(*text));
        store.log_message(&m).unwrap();
    }
    let back: Vec<String> = store
        .list_messages(&s)
        .unwrap()
        .into_iter()
        .filter_map(|m| m.entities.map(JsonText::into_string))
        .collect();
    assert_eq!(back, texts);
}

/// Timestamps with zero and non-zero microseconds come back exactly.
pub fn timestamps_keep_microseconds_exactly(store: &dyn InteractionStore) {
    let s = new_session();
    let times = [
        "2025-07-28 10:00:00",
        "2025-07-28 10:00:00.000001",
        "2025-07-28 10:00:00.999999",
        "1999-12-31 23:59:59.5",
    ];
    for (i, t) in times.iter().enumerate() {
        let mut m = Message::new(s.clone(), "user", "x");
        m.message_id = MessageId::new(format!("m{i}"));
        m.timestamp = Some(at(t));
        store.log_message(&m).unwrap();
    }
    let mut back: Vec<Timestamp> = store
        .list_messages(&s)
        .unwrap()
        .into_iter()
        .filter_map(|m| m.timestamp)
        .collect();
    back.sort();
    let mut expected: Vec<Timestamp> = times.iter().map(|t| at(t)).collect();
    expected.sort();
    assert_eq!(back, expected);
}
