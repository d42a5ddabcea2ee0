//! The conversation log: messages, uploads, analysis events, errors, LLM calls.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{ErrorId, EventId, InteractionId, MessageId, SessionId, UploadId};
use crate::json::JsonText;
use crate::time::Timestamp;
use crate::validate;

/// A `messages` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Primary key.
    pub message_id: MessageId,
    /// The session; legacy rows may have none.
    pub session_id: Option<SessionId>,
    /// When it was said.
    pub timestamp: Option<Timestamp>,
    /// `user`, `assistant` or `system`.
    pub sender: Option<String>,
    /// The text.
    pub content: Option<String>,
    /// The detected intent.
    pub intent: Option<String>,
    /// Extracted entities (JSON-ish).
    pub entities: Option<JsonText>,
}

impl Message {
    /// A new message, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        sender: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        Self {
            message_id: MessageId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            sender: Some(sender.into()),
            content: Some(content.into()),
            intent: None,
            entities: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("messages.message_id", Some(self.message_id.as_str()))?;
        validate::id(
            "messages.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("messages.sender", self.sender.as_deref())?;
        validate::text("messages.content", self.content.as_deref())?;
        validate::text("messages.intent", self.intent.as_deref())?;
        validate::text(
            "messages.entities",
            self.entities.as_ref().map(JsonText::as_str),
        )
    }
}

/// A `file_uploads` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileUpload {
    /// Primary key.
    pub upload_id: UploadId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was uploaded.
    pub timestamp: Option<Timestamp>,
    /// `csv`, `shapefile` or `tpr_excel`.
    pub file_type: Option<String>,
    /// The client's file name.
    pub file_name: Option<String>,
    /// Size in bytes, never negative.
    pub file_size: Option<i64>,
    /// Upload details (JSON-ish).
    pub metadata: Option<JsonText>,
}

impl FileUpload {
    /// A new upload record, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        file_type: impl Into<String>,
        file_name: impl Into<String>,
        file_size: i64,
    ) -> Self {
        Self {
            upload_id: UploadId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            file_type: Some(file_type.into()),
            file_name: Some(file_name.into()),
            file_size: Some(file_size),
            metadata: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("file_uploads.upload_id", Some(self.upload_id.as_str()))?;
        validate::id(
            "file_uploads.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("file_uploads.file_type", self.file_type.as_deref())?;
        validate::text("file_uploads.file_name", self.file_name.as_deref())?;
        validate::non_negative("file_uploads.file_size", self.file_size)?;
        validate::text(
            "file_uploads.metadata",
            self.metadata.as_ref().map(JsonText::as_str),
        )
    }
}

/// An `analysis_events` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisEvent {
    /// Primary key.
    pub event_id: EventId,
    /// The session; `None` for request-timing events.
    pub session_id: Option<SessionId>,
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// What happened, e.g. `analysis_started`.
    pub event_type: Option<String>,
    /// Details (JSON-ish).
    pub details: Option<JsonText>,
    /// Whether it succeeded.
    pub success: Option<bool>,
}

impl AnalysisEvent {
    /// A new event, with a fresh id, stamped now.
    pub fn new(
        session_id: Option<SessionId>,
        event_type: impl Into<String>,
        success: bool,
    ) -> Self {
        Self {
            event_id: EventId::generate(),
            session_id,
            timestamp: Some(Timestamp::now()),
            event_type: Some(event_type.into()),
            details: None,
            success: Some(success),
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("analysis_events.event_id", Some(self.event_id.as_str()))?;
        validate::id(
            "analysis_events.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("analysis_events.event_type", self.event_type.as_deref())?;
        validate::text(
            "analysis_events.details",
            self.details.as_ref().map(JsonText::as_str),
        )
    }
}

/// An `errors` row: an application error the chatbot logged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorEntry {
    /// Primary key.
    pub error_id: ErrorId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it happened.
    pub timestamp: Option<Timestamp>,
    /// The exception class.
    pub error_type: Option<String>,
    /// The message.
    pub error_message: Option<String>,
    /// The traceback.
    pub stack_trace: Option<String>,
}

impl ErrorEntry {
    /// A new error record, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        error_type: impl Into<String>,
        error_message: impl Into<String>,
    ) -> Self {
        Self {
            error_id: ErrorId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            error_type: Some(error_type.into()),
            error_message: Some(error_message.into()),
            stack_trace: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("errors.error_id", Some(self.error_id.as_str()))?;
        validate::id(
            "errors.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("errors.error_type", self.error_type.as_deref())?;
        validate::text("errors.error_message", self.error_message.as_deref())?;
        validate::text("errors.stack_trace", self.stack_trace.as_deref())
    }
}

/// An `llm_interactions` row: one call to a language model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmInteraction {
    /// Primary key.
    pub interaction_id: InteractionId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When the call was made.
    pub timestamp: Option<Timestamp>,
    /// The kind of prompt.
    pub prompt_type: Option<String>,
    /// The prompt text.
    pub prompt: Option<String>,
    /// The context sent (JSON-ish; usually a JSON string literal).
    pub prompt_context: Option<JsonText>,
    /// The model's answer; can be megabytes.
    pub response: Option<String>,
    /// Tokens used, when reported.
    pub tokens_used: Option<i64>,
    /// Latency in seconds.
    #[serde(default, with = "crate::number::opt_f64")]
    pub latency: Option<f64>,
    /// Detailed timings (JSON-ish); absent in files older than July 2025.
    pub enhanced_timing: Option<JsonText>,
}

impl LlmInteraction {
    /// A new LLM call record, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        prompt: impl Into<String>,
        response: impl Into<String>,
    ) -> Self {
        Self {
            interaction_id: InteractionId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            prompt_type: None,
            prompt: Some(prompt.into()),
            prompt_context: None,
            response: Some(response.into()),
            tokens_used: None,
            latency: None,
            enhanced_timing: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "llm_interactions.interaction_id",
            Some(self.interaction_id.as_str()),
        )?;
        validate::id(
            "llm_interactions.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("llm_interactions.prompt_type", self.prompt_type.as_deref())?;
        validate::text("llm_interactions.prompt", self.prompt.as_deref())?;
        validate::text(
            "llm_interactions.prompt_context",
            self.prompt_context.as_ref().map(JsonText::as_str),
        )?;
        validate::text("llm_interactions.response", self.response.as_deref())?;
        validate::non_negative("llm_interactions.tokens_used", self.tokens_used)?;
        validate::number("llm_interactions.latency", self.latency)?;
        validate::text(
            "llm_interactions.enhanced_timing",
            self.enhanced_timing.as_ref().map(JsonText::as_str),
        )
    }
}
