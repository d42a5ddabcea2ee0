//! Routing decisions (they point at a message) and the model arena: battles
//! and the training exports that belong to no session.

use chatmrpt_db_core::{
    ArenaBattle, ArenaBattleUpdate, ArenaTrainingExport, BattleId, Error, ExportId,
    InteractionStore, JsonText, Message, MessageId, RoutingDecision, SessionId, Table,
};

use super::{at, fresh, new_session, not_found_key};

/// Routing decisions are stored whole, with or without their message, and
/// listed oldest first; another session's never appear.
pub fn routing_decisions_round_trip_with_and_without_message(store: &dyn InteractionStore) {
    let s = new_session();
    let message = Message::new(s.clone(), "user", "rank the wards by risk");
    store.log_message(&message).unwrap();
    let mut routed = RoutingDecision::new(s.clone(), "tools");
    routed.message_id = Some(message.message_id.clone());
    routed.timestamp = Some(at("2025-07-28 10:00:01"));
    routed.user_message = message.content.clone();
    routed.routing_method = Some("keyword".into());
    routed.keywords_matched = Some(JsonText::new(r#"["rank", "ward"]"#));
    routed.confidence = Some(0.9);
    routed.ollama_reasoning = Some("The user asks for an analysis tool.".into());
    routed.session_context = Some(JsonText::new("{'has_data': True, 'stage': None}"));
    let mut unlinked = RoutingDecision::new(s.clone(), "conversational");
    unlinked.timestamp = Some(at("2025-07-28 10:00:00"));
    unlinked.routing_method = Some("ollama".into());
    store.log_routing_decision(&routed).unwrap();
    store.log_routing_decision(&unlinked).unwrap();
    let elsewhere = RoutingDecision::new(new_session(), "tools");
    store.log_routing_decision(&elsewhere).unwrap();
    assert_eq!(
        store.list_routing_decisions(&s).unwrap(),
        vec![unlinked, routed]
    );
    assert_eq!(
        store.list_routing_decisions(&new_session()).unwrap(),
        vec![]
    );
}

/// A routing decision naming an unknown message (ids are case-sensitive) is
/// `NotFound` naming it; nothing is stored, not even the unknown session.
pub fn routing_decision_with_unknown_message_is_not_found_and_nothing_is_stored(
    store: &dyn InteractionStore,
) {
    let owner = new_session();
    let message = Message {
        message_id: MessageId::new(fresh("msg")),
        ..Message::new(owner, "user", "hello")
    };
    store.log_message(&message).unwrap();
    let ghost = MessageId::new(message.message_id.as_str().to_uppercase());
    let s = new_session();
    let mut dangling = RoutingDecision::new(s.clone(), "conversational");
    dangling.message_id = Some(ghost.clone());
    assert_eq!(
        not_found_key(store.log_routing_decision(&dangling)),
        ghost.as_str()
    );
    assert_eq!(store.count_rows(Table::RoutingDecisions).unwrap(), 0);
    assert_eq!(store.get_session(&s).unwrap(), None);
    dangling.message_id = Some(message.message_id.clone());
    store.log_routing_decision(&dangling).unwrap();
    assert_eq!(store.list_routing_decisions(&s).unwrap(), vec![dangling]);
}

/// Arena battles are stored with every column intact and listed oldest first.
pub fn arena_battles_round_trip_every_column_in_order(store: &dyn InteractionStore) {
    let s = new_session();
    let full = ArenaBattle {
        timestamp: Some(at("2025-09-15 14:30:00.654321")),
        user_message: Some("What is TPR?".into()),
        response_a: Some("Test positivity rate: positive tests / tests.".into()),
        response_b: Some("TPR means…".into()),
        latency_a: Some(812.25),
        latency_b: Some(1_204.000_001),
        tokens_a: Some(0),
        tokens_b: Some(143),
        user_preference: Some("both_bad".into()),
        elo_before_a: Some(1_500.0),
        elo_before_b: Some(1_487.5),
        elo_after_a: Some(1_503.123_456_789),
        elo_after_b: Some(1_484.376_543_211),
        view_index: Some(2),
        ..ArenaBattle::new(s.clone(), "llama3.1:8b", "qwen2.5:7b")
    };
    let mut earlier = ArenaBattle::new(s.clone(), "mistral:7b", "phi3:mini");
    earlier.timestamp = Some(at("2025-09-15 14:29:59"));
    earlier.user_preference = Some("tie".into());
    earlier.view_index = Some(0);
    store.log_arena_battle(&full).unwrap();
    store.log_arena_battle(&earlier).unwrap();
    assert_eq!(store.list_arena_battles(&s).unwrap(), vec![earlier, full]);
    assert_eq!(store.list_arena_battles(&new_session()).unwrap(), vec![]);
}

/// The second half of the legacy upsert: an update replaces exactly the
/// fields it gives (the vote and the ratings after it), keeps the others,
/// the session and the timestamp; an empty update changes nothing; an
/// unknown battle is `NotFound` and nothing is stored.
pub fn arena_battle_update_sets_only_the_fields_given(store: &dyn InteractionStore) {
    let s = new_session();
    let mut battle = ArenaBattle::new(s.clone(), "llama3.1:8b", "qwen2.5:7b");
    battle.timestamp = Some(at("2025-09-15 14:30:00.5"));
    battle.response_a = Some("left".into());
    battle.elo_before_a = Some(1_500.0);
    store.log_arena_battle(&battle).unwrap();
    let vote = ArenaBattleUpdate {
        user_preference: Some("left".into()),
        elo_after_a: Some(1_516.25),
        tokens_b: Some(0),
        ..ArenaBattleUpdate::from_battle(&ArenaBattle {
            battle_id: battle.battle_id.clone(),
            ..blank_battle(&s)
        })
    };
    store.update_arena_battle(&vote).unwrap();
    let expected = ArenaBattle {
        user_preference: Some("left".into()),
        elo_after_a: Some(1_516.25),
        tokens_b: Some(0),
        ..battle.clone()
    };
    assert_eq!(
        store.list_arena_battles(&s).unwrap(),
        vec![expected.clone()]
    );
    let nothing = ArenaBattleUpdate::from_battle(&ArenaBattle {
        battle_id: battle.battle_id.clone(),
        ..blank_battle(&s)
    });
    assert!(nothing.is_empty());
    store.update_arena_battle(&nothing).unwrap();
    assert_eq!(store.list_arena_battles(&s).unwrap(), vec![expected]);
    let unknown = ArenaBattleUpdate {
        battle_id: BattleId::new(fresh("battle")),
        ..vote
    };
    assert!(matches!(
        store.update_arena_battle(&unknown),
        Err(Error::NotFound {
            entity: "arena battle",
            ..
        })
    ));
    let bad = ArenaBattleUpdate {
        user_message: Some("a\0b".into()),
        ..nothing
    };
    assert!(matches!(
        store.update_arena_battle(&bad),
        Err(Error::InvalidInput {
            field: "arena_battles.user_message",
            ..
        })
    ));
    assert_eq!(store.list_arena_battles(&s).unwrap()[0].user_message, None);
}

fn blank_battle(s: &SessionId) -> ArenaBattle {
    ArenaBattle {
        model_a: None,
        model_b: None,
        timestamp: None,
        ..ArenaBattle::new(s.clone(), "", "")
    }
}

/// Training exports belong to no session: they create none, and all of them
/// are listed oldest first (an undated one first), ties by id.
pub fn training_exports_list_oldest_first_without_a_session(store: &dyn InteractionStore) {
    let p = fresh("export");
    let export = |suffix: &str, when: Option<&str>| ArenaTrainingExport {
        export_id: ExportId::new(format!("{p}-{suffix}")),
        export_timestamp: when.map(at),
        ..ArenaTrainingExport::new("dpo", "jsonl", format!("/exports/{suffix}.jsonl"))
    };
    let mut older = export("b", Some("2025-09-01 00:00:00"));
    older.battles_included = Some(120);
    older.metadata = Some(JsonText::new(r#"{"min_votes": 3, "models": ["a", "b"]}"#));
    let mut tie = export("a", Some("2025-09-01 00:00:00"));
    tie.export_type = Some("sft".into());
    tie.format = Some("csv".into());
    let mut newer = export("c", Some("2025-10-01 00:00:00.5"));
    newer.metadata = Some(JsonText::new("None"));
    newer.battles_included = Some(0);
    let undated = export("d", None);
    for e in [&newer, &undated, &older, &tie] {
        store.log_training_export(e).unwrap();
    }
    assert_eq!(
        store.list_training_exports().unwrap(),
        vec![undated, tie, older, newer]
    );
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 0);
}
