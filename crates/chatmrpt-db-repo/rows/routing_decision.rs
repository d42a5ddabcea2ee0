use chatmrpt_db_core::{JsonText, MessageId, Result, RoutingDecision, RoutingId, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::routing_decisions;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = routing_decisions, check_for_backend(crate::backend::Db))]
pub(crate) struct RoutingDecisionRow {
    pub routing_id: String,
    pub message_id: Option<String>,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub user_message: Option<String>,
    pub routing_decision: Option<String>,
    pub routing_method: Option<String>,
    pub keywords_matched: Option<String>,
    pub confidence: Option<f64>,
    pub ollama_reasoning: Option<String>,
    pub session_context: Option<String>,
}

impl From<&RoutingDecision> for RoutingDecisionRow {
    fn from(r: &RoutingDecision) -> Self {
        Self {
            routing_id: r.routing_id.as_str().to_owned(),
            message_id: r.message_id.as_ref().map(|id| id.as_str().to_owned()),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            user_message: r.user_message.clone(),
            routing_decision: r.routing_decision.clone(),
            routing_method: r.routing_method.clone(),
            keywords_matched: r.keywords_matched.as_ref().map(|j| j.as_str().to_owned()),
            confidence: positive_zero(r.confidence),
            ollama_reasoning: r.ollama_reasoning.clone(),
            session_context: r.session_context.as_ref().map(|j| j.as_str().to_owned()),
        }
    }
}

impl RoutingDecisionRow {
    pub(crate) fn into_domain(self) -> Result<RoutingDecision> {
        Ok(RoutingDecision {
            timestamp: ts_from_sql(
                "routing_decisions",
                &self.routing_id,
                "timestamp",
                self.timestamp,
            )?,
            routing_id: RoutingId::new(self.routing_id),
            message_id: self.message_id.map(MessageId::new),
            session_id: self.session_id.map(SessionId::new),
            user_message: self.user_message,
            routing_decision: self.routing_decision,
            routing_method: self.routing_method,
            keywords_matched: self.keywords_matched.map(JsonText::new),
            confidence: self.confidence,
            ollama_reasoning: self.ollama_reasoning,
            session_context: self.session_context.map(JsonText::new),
        })
    }
}
