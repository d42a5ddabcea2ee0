use chatmrpt_db_core::{InteractionId, JsonText, LlmInteraction, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::llm_interactions;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = llm_interactions, check_for_backend(crate::backend::Db))]
pub(crate) struct LlmInteractionRow {
    pub interaction_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub prompt_type: Option<String>,
    pub prompt: Option<String>,
    pub prompt_context: Option<String>,
    pub response: Option<String>,
    pub tokens_used: Option<i64>,
    pub latency: Option<f64>,
    pub enhanced_timing: Option<String>,
}

impl From<&LlmInteraction> for LlmInteractionRow {
    fn from(r: &LlmInteraction) -> Self {
        Self {
            interaction_id: r.interaction_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            prompt_type: r.prompt_type.clone(),
            prompt: r.prompt.clone(),
            prompt_context: r.prompt_context.as_ref().map(|j| j.as_str().to_owned()),
            response: r.response.clone(),
            tokens_used: r.tokens_used,
            latency: positive_zero(r.latency),
            enhanced_timing: r.enhanced_timing.as_ref().map(|j| j.as_str().to_owned()),
        }
    }
}

impl LlmInteractionRow {
    pub(crate) fn into_domain(self) -> Result<LlmInteraction> {
        Ok(LlmInteraction {
            timestamp: ts_from_sql(
                "llm_interactions",
                &self.interaction_id,
                "timestamp",
                self.timestamp,
            )?,
            interaction_id: InteractionId::new(self.interaction_id),
            session_id: self.session_id.map(SessionId::new),
            prompt_type: self.prompt_type,
            prompt: self.prompt,
            prompt_context: self.prompt_context.map(JsonText::new),
            response: self.response,
            tokens_used: self.tokens_used,
            latency: self.latency,
            enhanced_timing: self.enhanced_timing.map(JsonText::new),
        })
    }
}
