//! How each user message was routed (releases from October 2025).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{MessageId, RoutingId, SessionId};
use crate::json::JsonText;
use crate::time::Timestamp;
use crate::validate;

/// A `routing_decisions` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingDecision {
    /// Primary key.
    pub routing_id: RoutingId,
    /// The routed message; must exist when given.
    pub message_id: Option<MessageId>,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was routed.
    pub timestamp: Option<Timestamp>,
    /// The user's text.
    pub user_message: Option<String>,
    /// Where it was routed.
    pub routing_decision: Option<String>,
    /// How the route was chosen.
    pub routing_method: Option<String>,
    /// Keywords matched (a JSON list).
    pub keywords_matched: Option<JsonText>,
    /// Confidence, 0 to 1.
    #[serde(default, with = "crate::number::opt_f64")]
    pub confidence: Option<f64>,
    /// The local model's reasoning.
    pub ollama_reasoning: Option<String>,
    /// Session context (JSON-ish).
    pub session_context: Option<JsonText>,
}

impl RoutingDecision {
    /// A new routing decision, with a fresh id, stamped now.
    pub fn new(session_id: impl Into<SessionId>, routing_decision: impl Into<String>) -> Self {
        Self {
            routing_id: RoutingId::generate(),
            message_id: None,
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            user_message: None,
            routing_decision: Some(routing_decision.into()),
            routing_method: None,
            keywords_matched: None,
            confidence: None,
            ollama_reasoning: None,
            session_context: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "routing_decisions.routing_id",
            Some(self.routing_id.as_str()),
        )?;
        validate::id(
            "routing_decisions.message_id",
            self.message_id.as_ref().map(MessageId::as_str),
        )?;
        validate::id(
            "routing_decisions.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text(
            "routing_decisions.user_message",
            self.user_message.as_deref(),
        )?;
        validate::text(
            "routing_decisions.routing_decision",
            self.routing_decision.as_deref(),
        )?;
        validate::text(
            "routing_decisions.routing_method",
            self.routing_method.as_deref(),
        )?;
        validate::text(
            "routing_decisions.keywords_matched",
            self.keywords_matched.as_ref().map(JsonText::as_str),
        )?;
        validate::number("routing_decisions.confidence", self.confidence)?;
        validate::text(
            "routing_decisions.ollama_reasoning",
            self.ollama_reasoning.as_deref(),
        )?;
        validate::text(
            "routing_decisions.session_context",
            self.session_context.as_ref().map(JsonText::as_str),
        )
    }
}
