use chatmrpt_db_core::{Explanation, ExplanationId, InteractionId, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::explanations;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = explanations, check_for_backend(crate::backend::Db))]
pub(crate) struct ExplanationRow {
    pub explanation_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub entity_type: Option<String>,
    pub entity_name: Option<String>,
    pub question_type: Option<String>,
    pub question: Option<String>,
    pub explanation: Option<String>,
    pub context_used: Option<String>,
    pub llm_interaction_id: Option<String>,
}

impl From<&Explanation> for ExplanationRow {
    fn from(r: &Explanation) -> Self {
        Self {
            explanation_id: r.explanation_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            entity_type: r.entity_type.clone(),
            entity_name: r.entity_name.clone(),
            question_type: r.question_type.clone(),
            question: r.question.clone(),
            explanation: r.explanation.clone(),
            context_used: r.context_used.clone(),
            llm_interaction_id: r
                .llm_interaction_id
                .as_ref()
                .map(|id| id.as_str().to_owned()),
        }
    }
}

impl ExplanationRow {
    pub(crate) fn into_domain(self) -> Result<Explanation> {
        Ok(Explanation {
            timestamp: ts_from_sql(
                "explanations",
                &self.explanation_id,
                "timestamp",
                self.timestamp,
            )?,
            explanation_id: ExplanationId::new(self.explanation_id),
            session_id: self.session_id.map(SessionId::new),
            entity_type: self.entity_type,
            entity_name: self.entity_name,
            question_type: self.question_type,
            question: self.question,
            explanation: self.explanation,
            context_used: self.context_used,
            llm_interaction_id: self.llm_interaction_id.map(InteractionId::new),
        })
    }
}
