//! Analysis steps with their decisions and calculations.

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, AnalysisStepDetail, Calculation, InteractionStore, JsonText,
    StepId, Table,
};

use super::{at, fresh, new_session, not_found_key};

/// Each step comes back whole with its own decisions and calculations,
/// oldest first; the flat listings hold every decision and calculation of
/// the session, including one whose step is not given; another session's
/// steps never appear; a step moves `last_activity`.
pub fn steps_nest_their_decisions_and_calculations(store: &dyn InteractionStore) {
    let s = new_session();
    let mut clean = AnalysisStep::new(s.clone(), "data_cleaning");
    clean.timestamp = Some(at("2025-07-28 10:00:00"));
    clean.input_summary = Some("484 wards, 12 variables".into());
    clean.output_summary = Some("484 wards, 9 variables".into());
    clean.parameters = Some(JsonText::new("{'impute': 'median', 'drop_na': True}"));
    clean.execution_time = Some(0.125);
    let mut score = AnalysisStep::new(s.clone(), "composite_score");
    score.timestamp = Some(at("2025-07-28 10:01:00"));
    score.algorithm = Some("composite".into());
    score.error = Some("ZeroDivisionError in ward 17".into());
    store.log_analysis_step(&score).unwrap();
    store.log_analysis_step(&clean).unwrap();

    let mut decision = AlgorithmDecision::new(s.clone(), score.step_id.clone(), "normalisation");
    decision.timestamp = Some(at("2025-07-28 10:01:01"));
    decision.options = Some(r#"["min-max", "z-score"]"#.into());
    decision.criteria = Some("skewness > 1".into());
    decision.selected_option = Some("min-max".into());
    decision.confidence = Some(0.87);
    let mut loose = AlgorithmDecision::new(s.clone(), score.step_id.clone(), "fallback");
    loose.step_id = None;
    loose.timestamp = Some(at("2025-07-28 10:00:30"));
    store.log_algorithm_decision(&decision).unwrap();
    store.log_algorithm_decision(&loose).unwrap();

    let mut tpr = Calculation::new(s.clone(), clean.step_id.clone(), "tpr");
    tpr.timestamp = Some(at("2025-07-28 10:00:02"));
    tpr.operation = Some("positive / tested".into());
    tpr.input_values = Some("{'positive': 42, 'tested': 100}".into());
    tpr.output_value = Some("0.42".into());
    tpr.context = Some("ward Dala".into());
    let mut evi = Calculation::new(s.clone(), clean.step_id.clone(), "evi");
    evi.timestamp = Some(at("2025-07-28 10:00:01"));
    store.log_calculation(&tpr).unwrap();
    store.log_calculation(&evi).unwrap();

    let other = new_session();
    let mut elsewhere = AnalysisStep::new(other.clone(), "data_cleaning");
    elsewhere.timestamp = Some(at("2025-07-28 09:00:00"));
    store.log_analysis_step(&elsewhere).unwrap();

    let expected = vec![
        AnalysisStepDetail {
            step: clean,
            algorithm_decisions: vec![],
            calculations: vec![evi.clone(), tpr.clone()],
        },
        AnalysisStepDetail {
            step: score,
            algorithm_decisions: vec![decision.clone()],
            calculations: vec![],
        },
    ];
    assert_eq!(store.list_analysis_steps(&s).unwrap(), expected);
    assert_eq!(
        store.list_algorithm_decisions(&s).unwrap(),
        vec![loose, decision]
    );
    assert_eq!(store.list_calculations(&s).unwrap(), vec![evi, tpr]);
    let last = store.get_session(&s).unwrap().unwrap().last_activity;
    assert_eq!(last, Some(at("2025-07-28 10:01:00")));
    let other_steps = store.list_analysis_steps(&other).unwrap();
    assert_eq!(
        other_steps,
        vec![AnalysisStepDetail {
            step: elsewhere,
            algorithm_decisions: vec![],
            calculations: vec![],
        }]
    );
    assert_eq!(store.list_analysis_steps(&new_session()).unwrap(), vec![]);
}

/// A decision or calculation naming an unknown step is `NotFound` naming the
/// step; nothing is stored, not even the unknown session it named. Step ids
/// are case-sensitive: a stored step does not vouch for its upper-case twin.
pub fn unknown_step_is_not_found_and_nothing_is_stored(store: &dyn InteractionStore) {
    let known = new_session();
    let step = AnalysisStep {
        step_id: StepId::new(fresh("step")),
        ..AnalysisStep::new(known.clone(), "ranking")
    };
    store.log_analysis_step(&step).unwrap();
    let ghost = StepId::new(step.step_id.as_str().to_uppercase());
    let s = new_session();
    let decision = AlgorithmDecision::new(s.clone(), ghost.clone(), "method");
    let calculation = Calculation::new(s.clone(), ghost.clone(), "score");
    assert_eq!(
        not_found_key(store.log_algorithm_decision(&decision)),
        ghost.as_str()
    );
    assert_eq!(
        not_found_key(store.log_calculation(&calculation)),
        ghost.as_str()
    );
    assert_eq!(store.count_rows(Table::AlgorithmDecisions).unwrap(), 0);
    assert_eq!(store.count_rows(Table::Calculations).unwrap(), 0);
    assert_eq!(store.get_session(&s).unwrap(), None);
    assert_eq!(store.list_algorithm_decisions(&s).unwrap(), vec![]);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 1);
    // The same rows under the real step are accepted.
    let decision = AlgorithmDecision {
        step_id: Some(step.step_id.clone()),
        ..decision
    };
    store.log_algorithm_decision(&decision).unwrap();
    assert_eq!(store.list_algorithm_decisions(&s).unwrap(), vec![decision]);
}
