//! Anomalies, relationships, rankings, visualizations, explanations,
//! routing decisions and the arena.

use chatmrpt_db_core::{
    Anomaly, ArenaBattle, ArenaTrainingExport, Error, Explanation, ExplanationFilter,
    InteractionId, InteractionStore, JsonText, LlmInteraction, Message, MessageId, RoutingDecision,
    Table, VariableRelationship, VisualizationFilter, VisualizationMetadata, VizId, WardRanking,
};

use super::{at, new_session};

/// Anomalies and variable relationships are stored whole.
pub fn anomalies_and_relationships_round_trip(store: &dyn InteractionStore) {
    let s = new_session();
    let mut anomaly = Anomaly::new(s.clone());
    anomaly.entity_name = Some("Gwale".into());
    anomaly.anomaly_type = Some("outlier".into());
    anomaly.expected_value = Some("0.31".into());
    anomaly.actual_value = Some("0.92".into());
    anomaly.significance = Some("high".into());
    store.log_anomaly(&anomaly).unwrap();
    let mut rel = VariableRelationship::new(s.clone());
    rel.variable_name = Some("rainfall".into());
    rel.relationship_type = Some("positive".into());
    rel.confidence_score = Some(0.730_000_000_000_000_1);
    store.log_variable_relationship(&rel).unwrap();
    assert_eq!(store.list_anomalies(&s).unwrap(), vec![anomaly]);
    assert_eq!(store.list_variable_relationships(&s).unwrap(), vec![rel]);
}

fn ranking(
    s: &chatmrpt_db_core::SessionId,
    ward: &str,
    rank: Option<i64>,
    when: &str,
) -> WardRanking {
    let mut r = WardRanking::new(s.clone());
    r.ward_name = Some(ward.into());
    r.overall_rank = rank;
    r.median_score = rank.map(|n| 1.0 / (n as f64 + 1.0));
    r.timestamp = Some(at(when));
    r
}

/// Rankings list by rank with the unranked last; the latest of a ward is the newest.
pub fn ward_rankings_order_by_rank_and_latest_is_newest(store: &dyn InteractionStore) {
    let s = new_session();
    let third = ranking(&s, "Fagge", Some(3), "2025-07-28 10:00:00");
    let first = ranking(&s, "Dala", Some(1), "2025-07-28 10:00:00");
    let unranked = ranking(&s, "Tarauni", None, "2025-07-28 10:00:00");
    let second_old = ranking(&s, "Gwale", Some(2), "2025-07-28 09:00:00");
    let gwale_new = ranking(&s, "Gwale", Some(12), "2025-07-28 11:00:00");
    for r in [&third, &unranked, &first, &second_old, &gwale_new] {
        store.log_ward_ranking(r).unwrap();
    }
    let order: Vec<_> = store.list_ward_rankings(&s).unwrap();
    assert_eq!(
        order,
        vec![first, second_old, third, gwale_new.clone(), unranked]
    );
    assert_eq!(
        store.latest_ward_ranking(&s, "Gwale").unwrap(),
        Some(gwale_new)
    );
    assert_eq!(store.latest_ward_ranking(&s, "gwale").unwrap(), None);
}

/// Visualizations filter by id and by type.
pub fn visualizations_filter_by_id_and_type(store: &dyn InteractionStore) {
    let s = new_session();
    let mut map = VisualizationMetadata::new(s.clone());
    map.viz_type = Some("choropleth".into());
    map.timestamp = Some(at("2025-07-28 10:00:00"));
    map.variables_used = Some("['evi', 'tpr']".into());
    let mut chart = VisualizationMetadata::new(s.clone());
    chart.viz_type = Some("bar".into());
    chart.timestamp = Some(at("2025-07-28 10:01:00"));
    store.log_visualization(&chart).unwrap();
    store.log_visualization(&map).unwrap();
    let all = store
        .list_visualizations(&s, &VisualizationFilter::default())
        .unwrap();
    assert_eq!(all, vec![map.clone(), chart.clone()]);
    let by_type = VisualizationFilter {
        viz_type: Some("bar".into()),
        ..Default::default()
    };
    assert_eq!(
        store.list_visualizations(&s, &by_type).unwrap(),
        vec![chart]
    );
    let by_id = VisualizationFilter {
        viz_id: Some(map.viz_id.clone()),
        ..Default::default()
    };
    assert_eq!(
        store.list_visualizations(&s, &by_id).unwrap(),
        vec![map.clone()]
    );
    let none = VisualizationFilter {
        viz_id: Some(VizId::new("nope")),
        viz_type: Some("bar".into()),
    };
    assert!(store.list_visualizations(&s, &none).unwrap().is_empty());
}

/// Explanations filter by entity; their LLM call must exist.
pub fn explanations_filter_and_require_their_llm_call(store: &dyn InteractionStore) {
    let s = new_session();
    let llm = LlmInteraction::new(s.clone(), "why Dala?", "because of high TPR");
    store.log_llm_interaction(&llm).unwrap();
    let mut ward = Explanation::new(s.clone());
    ward.entity_type = Some("ward".into());
    ward.entity_name = Some("Dala".into());
    ward.question = Some("Why is Dala first?".into());
    ward.llm_interaction_id = Some(llm.interaction_id.clone());
    ward.timestamp = Some(at("2025-07-28 10:00:00"));
    let mut var = Explanation::new(s.clone());
    var.entity_type = Some("variable".into());
    var.entity_name = Some("evi".into());
    var.timestamp = Some(at("2025-07-28 10:01:00"));
    store.log_explanation(&ward).unwrap();
    store.log_explanation(&var).unwrap();
    let wards = ExplanationFilter {
        entity_type: Some("ward".into()),
        ..Default::default()
    };
    assert_eq!(
        store.list_explanations(&s, &wards).unwrap(),
        vec![ward.clone()]
    );
    let evi = ExplanationFilter {
        entity_name: Some("evi".into()),
        ..Default::default()
    };
    assert_eq!(
        store.list_explanations(&s, &evi).unwrap(),
        vec![var.clone()]
    );
    assert_eq!(
        store
            .list_explanations(&s, &ExplanationFilter::default())
            .unwrap(),
        vec![ward, var]
    );
    let mut dangling = Explanation::new(s.clone());
    dangling.llm_interaction_id = Some(InteractionId::new("missing-llm"));
    assert!(matches!(
        store.log_explanation(&dangling),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.count_rows(Table::Explanations).unwrap(), 2);
}

/// Routing decisions are stored whole; their message must exist.
pub fn routing_decisions_require_their_message(store: &dyn InteractionStore) {
    let s = new_session();
    let message = Message::new(s.clone(), "user", "rank the wards");
    store.log_message(&message).unwrap();
    let mut decision = RoutingDecision::new(s.clone(), "tools");
    decision.message_id = Some(message.message_id.clone());
    decision.routing_method = Some("keyword".into());
    decision.keywords_matched = Some(JsonText::new(r#"["rank", "ward"]"#));
    decision.confidence = Some(0.9);
    decision.session_context = Some(JsonText::new("{'has_data': True}"));
    store.log_routing_decision(&decision).unwrap();
    assert_eq!(store.list_routing_decisions(&s).unwrap(), vec![decision]);
    let mut dangling = RoutingDecision::new(s.clone(), "conversational");
    dangling.message_id = Some(MessageId::new("missing-message"));
    let err = store.log_routing_decision(&dangling).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref key, .. } if key == "missing-message"),
        "{err:?}"
    );
}

/// Arena battles and training exports (which have no session) round-trip.
pub fn arena_battles_and_training_exports_round_trip(store: &dyn InteractionStore) {
    let s = new_session();
    let mut battle = ArenaBattle::new(s.clone(), "llama3.1:8b", "qwen2.5:7b");
    battle.user_message = Some("What is TPR?".into());
    battle.latency_a = Some(812.25);
    battle.tokens_b = Some(143);
    battle.user_preference = Some("both_bad".into());
    battle.elo_after_a = Some(1_503.123_456_789);
    battle.view_index = Some(2);
    store.log_arena_battle(&battle).unwrap();
    assert_eq!(store.list_arena_battles(&s).unwrap(), vec![battle]);
    let mut older = ArenaTrainingExport::new("dpo", "jsonl", "/exports/a.jsonl");
    older.export_timestamp = Some(at("2025-09-01 00:00:00"));
    older.battles_included = Some(120);
    let mut newer = ArenaTrainingExport::new("sft", "csv", "/exports/b.csv");
    newer.export_timestamp = Some(at("2025-10-01 00:00:00"));
    newer.metadata = Some(JsonText::new("None"));
    store.log_training_export(&newer).unwrap();
    store.log_training_export(&older).unwrap();
    assert_eq!(store.list_training_exports().unwrap(), vec![older, newer]);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 1);
}
