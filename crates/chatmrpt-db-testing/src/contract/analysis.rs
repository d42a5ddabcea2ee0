//! Analysis steps with their decisions and calculations.

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, AnalysisStepDetail, Calculation, Error, InteractionStore,
    JsonText, StepId, Table,
};

use super::{at, new_session};

/// Each step comes back with its own decisions and calculations, oldest first.
pub fn steps_nest_their_decisions_and_calculations(store: &dyn InteractionStore) {
    let s = new_session();
    let mut clean = AnalysisStep::new(s.clone(), "data_cleaning");
    clean.timestamp = Some(at("2025-07-28 10:00:00"));
    clean.parameters = Some(JsonText::new("{'impute': 'median'}"));
    clean.execution_time = Some(0.125);
    let mut score = AnalysisStep::new(s.clone(), "composite_score");
    score.timestamp = Some(at("2025-07-28 10:01:00"));
    score.algorithm = Some("composite".into());
    score.error = Some("none".into());
    store.log_analysis_step(&score).unwrap();
    store.log_analysis_step(&clean).unwrap();
    let mut decision = AlgorithmDecision::new(s.clone(), score.step_id.clone(), "normalisation");
    decision.timestamp = Some(at("2025-07-28 10:01:01"));
    decision.options = Some(r#"["min-max", "z-score"]"#.into());
    decision.selected_option = Some("min-max".into());
    decision.confidence = Some(0.87);
    store.log_algorithm_decision(&decision).unwrap();
    let mut calc_b = Calculation::new(s.clone(), clean.step_id.clone(), "tpr");
    calc_b.timestamp = Some(at("2025-07-28 10:00:02"));
    calc_b.output_value = Some("0.42".into());
    let mut calc_a = Calculation::new(s.clone(), clean.step_id.clone(), "evi");
    calc_a.timestamp = Some(at("2025-07-28 10:00:01"));
    store.log_calculation(&calc_b).unwrap();
    store.log_calculation(&calc_a).unwrap();
    let expected = vec![
        AnalysisStepDetail {
            step: clean,
            algorithm_decisions: vec![],
            calculations: vec![calc_a.clone(), calc_b.clone()],
        },
        AnalysisStepDetail {
            step: score.clone(),
            algorithm_decisions: vec![decision.clone()],
            calculations: vec![],
        },
    ];
    assert_eq!(store.list_analysis_steps(&s).unwrap(), expected);
    assert_eq!(store.list_algorithm_decisions(&s).unwrap(), vec![decision]);
    assert_eq!(store.list_calculations(&s).unwrap(), vec![calc_a, calc_b]);
    assert_eq!(
        store.get_session(&s).unwrap().unwrap().last_activity,
        Some(at("2025-07-28 10:01:00"))
    );
}

/// A decision or calculation of an unknown step is refused and nothing is stored.
pub fn unknown_parents_are_not_found_and_nothing_is_stored(store: &dyn InteractionStore) {
    let s = new_session();
    let ghost = StepId::new("no-such-step");
    let err = store
        .log_algorithm_decision(&AlgorithmDecision::new(s.clone(), ghost.clone(), "k"))
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { ref key, .. } if key == "no-such-step"),
        "{err:?}"
    );
    let err = store
        .log_calculation(&Calculation::new(s.clone(), ghost, "v"))
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(store.count_rows(Table::AlgorithmDecisions).unwrap(), 0);
    assert_eq!(store.count_rows(Table::Calculations).unwrap(), 0);
    // The whole write was refused: not even the session was created.
    assert_eq!(store.get_session(&s).unwrap(), None);
}
