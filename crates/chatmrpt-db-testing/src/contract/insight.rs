//! Anomalies, variable relationships, ward rankings, visualizations and
//! explanations; numbers kept exactly (ward rankings carry most of them).

use chatmrpt_db_core::{
    Anomaly, AnomalyId, Explanation, ExplanationFilter, FileUpload, InteractionId,
    InteractionStore, LlmInteraction, RankingId, SessionId, Table, VariableRelationship,
    VisualizationFilter, VisualizationMetadata, VizId, WardRanking,
};

use super::{at, fresh, new_session, not_found_key};

/// Anomalies and variable relationships are stored whole and listed oldest
/// first, ties by id.
pub fn anomalies_and_relationships_round_trip_in_order(store: &dyn InteractionStore) {
    let s = new_session();
    let p = fresh("anomaly");
    let mut outlier = Anomaly::new(s.clone());
    outlier.anomaly_id = AnomalyId::new(format!("{p}-b"));
    outlier.timestamp = Some(at("2025-07-28 10:00:00"));
    outlier.entity_name = Some("Gwale".into());
    outlier.anomaly_type = Some("outlier".into());
    outlier.expected_value = Some("0.31".into());
    outlier.actual_value = Some("0.92".into());
    outlier.significance = Some("high".into());
    outlier.context = Some("TPR far above neighbours".into());
    let mut twin = Anomaly::new(s.clone());
    twin.anomaly_id = AnomalyId::new(format!("{p}-a"));
    twin.timestamp = outlier.timestamp;
    store.log_anomaly(&outlier).unwrap();
    store.log_anomaly(&twin).unwrap();
    assert_eq!(store.list_anomalies(&s).unwrap(), vec![twin, outlier]);

    let mut rainfall = VariableRelationship::new(s.clone());
    rainfall.timestamp = Some(at("2025-07-28 10:05:00"));
    rainfall.variable_name = Some("rainfall".into());
    rainfall.relationship_type = Some("positive".into());
    rainfall.evidence = Some("r = 0.73, p < 0.001".into());
    rainfall.confidence_score = Some(0.730_000_000_000_000_1);
    let mut elevation = VariableRelationship::new(s.clone());
    elevation.timestamp = Some(at("2025-07-28 10:04:59"));
    elevation.variable_name = Some("elevation".into());
    elevation.confidence_score = Some(-0.41);
    store.log_variable_relationship(&rainfall).unwrap();
    store.log_variable_relationship(&elevation).unwrap();
    assert_eq!(
        store.list_variable_relationships(&s).unwrap(),
        vec![elevation, rainfall]
    );
    assert_eq!(store.list_anomalies(&new_session()).unwrap(), vec![]);
}

fn ranking(s: &SessionId, id: &str, ward: &str, rank: Option<i64>, when: &str) -> WardRanking {
    WardRanking {
        ranking_id: RankingId::new(id),
        ward_name: Some(ward.into()),
        overall_rank: rank,
        median_score: rank.map(|n| 1.0 / (n as f64 + 1.0)),
        vulnerability_category: rank.map(|n| String::from(if n < 3 { "High" } else { "Low" })),
        timestamp: Some(at(when)),
        ..WardRanking::new(s.clone())
    }
}

/// Rankings list by `overall_rank` as a number (12 after 3), ties by id,
/// the unranked last (by id too); another session's rankings never appear.
pub fn ward_rankings_order_by_rank_unranked_last_then_id(store: &dyn InteractionStore) {
    let s = new_session();
    let p = fresh("rank");
    let id = |suffix: &str| format!("{p}-{suffix}");
    let when = "2025-07-28 10:00:00";
    let third = ranking(&s, &id("c"), "Fagge", Some(3), when);
    let first = ranking(&s, &id("z"), "Dala", Some(1), "2025-07-28 11:00:00");
    let unranked_b = ranking(&s, &id("b"), "Tarauni", None, when);
    let unranked_a = ranking(&s, &id("a"), "Nassarawa", None, "2025-07-28 12:00:00");
    let second_y = ranking(&s, &id("y"), "Gwale", Some(2), when);
    let second_x = ranking(&s, &id("x"), "Kumbotso", Some(2), when);
    let twelfth = ranking(&s, &id("d"), "Ungogo", Some(12), when);
    let all = [
        &third,
        &unranked_b,
        &first,
        &second_y,
        &twelfth,
        &unranked_a,
        &second_x,
    ];
    for r in all {
        store.log_ward_ranking(r).unwrap();
    }
    let other = new_session();
    store
        .log_ward_ranking(&ranking(&other, &id("o"), "Dala", Some(0), when))
        .unwrap();
    assert_eq!(
        store.list_ward_rankings(&s).unwrap(),
        vec![
            first, second_x, second_y, third, twelfth, unranked_a, unranked_b
        ]
    );
}

/// The latest ranking of a ward is the one with the newest timestamp (not
/// the newest write, not the best rank, not an undated one), within the
/// session; ward names match exactly; an unknown ward has none.
pub fn latest_ward_ranking_picks_the_newest_timestamp(store: &dyn InteractionStore) {
    let s = new_session();
    let p = fresh("latest");
    let id = |suffix: &str| format!("{p}-{suffix}");
    let newest = ranking(
        &s,
        &id("a"),
        "Gwale",
        Some(12),
        "2025-07-28 11:00:00.000001",
    );
    let older = ranking(&s, &id("z"), "Gwale", Some(2), "2025-07-28 11:00:00");
    let mut undated = ranking(&s, &id("y"), "Gwale", Some(1), "2025-07-28 00:00:00");
    undated.timestamp = None;
    let other_ward = ranking(&s, &id("x"), "Dala", Some(1), "2025-07-29 00:00:00");
    let other = new_session();
    let other_session = ranking(&other, &id("w"), "Gwale", Some(3), "2025-07-30 00:00:00");
    for r in [&newest, &older, &undated, &other_ward, &other_session] {
        store.log_ward_ranking(r).unwrap();
    }
    assert_eq!(
        store.latest_ward_ranking(&s, "Gwale").unwrap(),
        Some(newest)
    );
    assert_eq!(
        store.latest_ward_ranking(&s, "Dala").unwrap(),
        Some(other_ward)
    );
    assert_eq!(store.latest_ward_ranking(&s, "gwale").unwrap(), None);
    assert_eq!(store.latest_ward_ranking(&s, "Gwale ").unwrap(), None);
    assert_eq!(store.latest_ward_ranking(&s, "Fagge").unwrap(), None);
    assert_eq!(
        store.latest_ward_ranking(&other, "Gwale").unwrap(),
        Some(other_session)
    );
}

fn viz(s: &SessionId, kind: &str, when: &str) -> VisualizationMetadata {
    VisualizationMetadata {
        viz_type: Some(kind.into()),
        timestamp: Some(at(when)),
        ..VisualizationMetadata::new(s.clone())
    }
}

/// Visualizations filter by id, by type, or both, matching exactly (case
/// and wildcard characters included); without a filter every one of the
/// session is listed oldest first, and never another session's.
pub fn visualizations_filter_by_id_and_type(store: &dyn InteractionStore) {
    let s = new_session();
    let mut map = viz(&s, "choropleth", "2025-07-28 10:00:00");
    map.variables_used = Some("['evi', 'tpr']".into());
    map.data_summary = Some("484 wards".into());
    map.visual_elements = Some("legend, scale bar".into());
    map.patterns_detected = Some("north-south gradient".into());
    let bar = viz(&s, "bar", "2025-07-28 10:01:00");
    let upper_bar = viz(&s, "Bar", "2025-07-28 10:02:00");
    let percent = viz(&s, "b%", "2025-07-28 10:03:00");
    for v in [&percent, &bar, &map, &upper_bar] {
        store.log_visualization(v).unwrap();
    }
    let foreign = viz(&new_session(), "bar", "2025-07-28 09:00:00");
    store.log_visualization(&foreign).unwrap();
    let list = |viz_id: Option<&VizId>, viz_type: Option<&str>| {
        let filter = VisualizationFilter {
            viz_id: viz_id.cloned(),
            viz_type: viz_type.map(str::to_owned),
        };
        store.list_visualizations(&s, &filter).unwrap()
    };
    let everything = vec![map.clone(), bar.clone(), upper_bar, percent.clone()];
    assert_eq!(list(None, None), everything);
    assert_eq!(list(None, Some("bar")), vec![bar.clone()]);
    assert_eq!(list(None, Some("b%")), vec![percent]);
    assert_eq!(list(None, Some("b_r")), vec![]);
    assert_eq!(list(Some(&map.viz_id), None), vec![map.clone()]);
    assert_eq!(list(Some(&bar.viz_id), Some("bar")), vec![bar]);
    assert_eq!(list(Some(&map.viz_id), Some("bar")), vec![]);
    assert_eq!(list(Some(&foreign.viz_id), None), vec![]);
    assert_eq!(list(Some(&VizId::new("nope")), None), vec![]);
}

fn explanation(s: &SessionId, kind: &str, name: &str, when: &str) -> Explanation {
    Explanation {
        entity_type: Some(kind.into()),
        entity_name: Some(name.into()),
        timestamp: Some(at(when)),
        ..Explanation::new(s.clone())
    }
}

/// Explanations filter by entity type, by entity name, or both, matching
/// exactly; they are stored whole, with or without their LLM call.
pub fn explanations_filter_by_entity_type_and_name(store: &dyn InteractionStore) {
    let s = new_session();
    let llm = LlmInteraction::new(s.clone(), "why Dala?", "because of high TPR");
    store.log_llm_interaction(&llm).unwrap();
    let mut dala = explanation(&s, "ward", "Dala", "2025-07-28 10:00:00");
    dala.question_type = Some("why_high_risk".into());
    dala.question = Some("Why is Dala first?".into());
    dala.explanation = Some("Its TPR is the highest.".into());
    dala.context_used = Some("{'tpr': 0.42}".into());
    dala.llm_interaction_id = Some(llm.interaction_id.clone());
    let gwale = explanation(&s, "ward", "Gwale", "2025-07-28 10:01:00");
    let evi = explanation(&s, "variable", "evi", "2025-07-28 10:02:00");
    let dala_variable = explanation(&s, "variable", "Dala", "2025-07-28 10:03:00");
    for e in [&evi, &dala_variable, &gwale, &dala] {
        store.log_explanation(e).unwrap();
    }
    store
        .log_explanation(&explanation(
            &new_session(),
            "ward",
            "Dala",
            "2025-07-28 09:00:00",
        ))
        .unwrap();
    let list = |entity_type: Option<&str>, entity_name: Option<&str>| {
        let filter = ExplanationFilter {
            entity_type: entity_type.map(str::to_owned),
            entity_name: entity_name.map(str::to_owned),
        };
        store.list_explanations(&s, &filter).unwrap()
    };
    assert_eq!(
        list(None, None),
        vec![
            dala.clone(),
            gwale.clone(),
            evi.clone(),
            dala_variable.clone()
        ]
    );
    assert_eq!(list(Some("ward"), None), vec![dala.clone(), gwale]);
    assert_eq!(list(None, Some("Dala")), vec![dala.clone(), dala_variable]);
    assert_eq!(list(Some("ward"), Some("Dala")), vec![dala]);
    assert_eq!(list(Some("variable"), Some("evi")), vec![evi]);
    assert_eq!(list(Some("Ward"), None), vec![]);
    assert_eq!(list(None, Some("dala")), vec![]);
}

/// An explanation naming an unknown LLM call is `NotFound` naming it;
/// nothing is stored, not even the unknown session it named.
pub fn explanation_with_unknown_llm_call_is_not_found_and_nothing_is_stored(
    store: &dyn InteractionStore,
) {
    let s = new_session();
    let missing = InteractionId::new(fresh("missing-llm"));
    let dangling = Explanation {
        llm_interaction_id: Some(missing.clone()),
        ..explanation(&s, "ward", "Dala", "2025-07-28 10:00:00")
    };
    assert_eq!(
        not_found_key(store.log_explanation(&dangling)),
        missing.as_str()
    );
    assert_eq!(store.count_rows(Table::Explanations).unwrap(), 0);
    assert_eq!(store.get_session(&s).unwrap(), None);
    let llm = LlmInteraction {
        interaction_id: missing,
        ..LlmInteraction::new(new_session(), "p", "r")
    };
    store.log_llm_interaction(&llm).unwrap();
    store.log_explanation(&dangling).unwrap();
    let all = store
        .list_explanations(&s, &ExplanationFilter::default())
        .unwrap();
    assert_eq!(all, vec![dangling]);
}

/// Floats keep every bit (extremes and subnormals included; `-0.0` is
/// stored as `0.0`, the documented normalisation) and integers keep the
/// whole `i64` range, ordering by rank included.
pub fn numbers_round_trip_exactly(store: &dyn InteractionStore) {
    let s = new_session();
    let cases = [
        (i64::MIN, f64::MIN),
        (-1, -2.5),
        (0, 5e-324),
        (1, 0.1),
        (2, 1.0 / 3.0),
        (3, f64::MIN_POSITIVE),
        (4, 1e20),
        (5, 9_007_199_254_740_992.0),
        (6, 123.0),
        (i64::MAX, f64::MAX),
    ];
    let rankings: Vec<WardRanking> = cases
        .iter()
        .map(|&(rank, score)| WardRanking {
            overall_rank: Some(rank),
            median_score: Some(score),
            ..WardRanking::new(s.clone())
        })
        .collect();
    for r in rankings.iter().rev() {
        store.log_ward_ranking(r).unwrap();
    }
    let back = store.list_ward_rankings(&s).unwrap();
    assert_eq!(back, rankings);
    let bits = |v: &[WardRanking]| {
        v.iter()
            .map(|r| r.median_score.unwrap().to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&back), bits(&rankings));
    let mut negative_zero = LlmInteraction::new(s.clone(), "p", "r");
    negative_zero.latency = Some(-0.0);
    negative_zero.tokens_used = Some(i64::MAX);
    store.log_llm_interaction(&negative_zero).unwrap();
    let llm = store.list_llm_interactions(&s).unwrap().remove(0);
    assert_eq!(llm.latency.map(f64::to_bits), Some(0.0_f64.to_bits()));
    assert_eq!(llm.tokens_used, Some(i64::MAX));
    let big = FileUpload::new(s.clone(), "shapefile", "big.zip", i64::MAX);
    store.log_file_upload(&big).unwrap();
    assert_eq!(store.list_file_uploads(&s).unwrap(), vec![big]);
}
