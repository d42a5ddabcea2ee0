use chatmrpt_db_core::{AnalysisStep, JsonText, Result, SessionId, StepId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::analysis_steps;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = analysis_steps, check_for_backend(crate::backend::Db))]
pub(crate) struct AnalysisStepRow {
    pub step_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub step_name: Option<String>,
    pub input_summary: Option<String>,
    pub output_summary: Option<String>,
    pub algorithm: Option<String>,
    pub parameters: Option<String>,
    pub execution_time: Option<f64>,
    pub error: Option<String>,
}

impl From<&AnalysisStep> for AnalysisStepRow {
    fn from(r: &AnalysisStep) -> Self {
        Self {
            step_id: r.step_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            step_name: r.step_name.clone(),
            input_summary: r.input_summary.clone(),
            output_summary: r.output_summary.clone(),
            algorithm: r.algorithm.clone(),
            parameters: r.parameters.as_ref().map(|j| j.as_str().to_owned()),
            execution_time: positive_zero(r.execution_time),
            error: r.error.clone(),
        }
    }
}

impl AnalysisStepRow {
    pub(crate) fn into_domain(self) -> Result<AnalysisStep> {
        Ok(AnalysisStep {
            timestamp: ts_from_sql("analysis_steps", &self.step_id, "timestamp", self.timestamp)?,
            step_id: StepId::new(self.step_id),
            session_id: self.session_id.map(SessionId::new),
            step_name: self.step_name,
            input_summary: self.input_summary,
            output_summary: self.output_summary,
            algorithm: self.algorithm,
            parameters: self.parameters.map(JsonText::new),
            execution_time: self.execution_time,
            error: self.error,
        })
    }
}
