use chatmrpt_db_core::{AlgorithmDecision, DecisionId, Result, SessionId, StepId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::algorithm_decisions;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = algorithm_decisions, check_for_backend(crate::backend::Db))]
pub(crate) struct AlgorithmDecisionRow {
    pub decision_id: String,
    pub step_id: Option<String>,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub decision_type: Option<String>,
    pub options: Option<String>,
    pub criteria: Option<String>,
    pub selected_option: Option<String>,
    pub confidence: Option<f64>,
}

impl From<&AlgorithmDecision> for AlgorithmDecisionRow {
    fn from(r: &AlgorithmDecision) -> Self {
        Self {
            decision_id: r.decision_id.as_str().to_owned(),
            step_id: r.step_id.as_ref().map(|id| id.as_str().to_owned()),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            decision_type: r.decision_type.clone(),
            options: r.options.clone(),
            criteria: r.criteria.clone(),
            selected_option: r.selected_option.clone(),
            confidence: positive_zero(r.confidence),
        }
    }
}

impl AlgorithmDecisionRow {
    pub(crate) fn into_domain(self) -> Result<AlgorithmDecision> {
        Ok(AlgorithmDecision {
            timestamp: ts_from_sql(
                "algorithm_decisions",
                &self.decision_id,
                "timestamp",
                self.timestamp,
            )?,
            decision_id: DecisionId::new(self.decision_id),
            step_id: self.step_id.map(StepId::new),
            session_id: self.session_id.map(SessionId::new),
            decision_type: self.decision_type,
            options: self.options,
            criteria: self.criteria,
            selected_option: self.selected_option,
            confidence: self.confidence,
        })
    }
}
