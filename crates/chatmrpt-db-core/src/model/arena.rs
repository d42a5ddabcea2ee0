//! The model arena (September–October 2025 releases): battles and training exports.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{BattleId, ExportId, SessionId};
use crate::json::JsonText;
use crate::time::Timestamp;
use crate::validate;

/// An `arena_battles` row: two models answered, the user chose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArenaBattle {
    /// Primary key.
    pub battle_id: BattleId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was fought.
    pub timestamp: Option<Timestamp>,
    /// The user's text.
    pub user_message: Option<String>,
    /// Left model.
    pub model_a: Option<String>,
    /// Right model.
    pub model_b: Option<String>,
    /// Left answer.
    pub response_a: Option<String>,
    /// Right answer.
    pub response_b: Option<String>,
    /// Left latency, milliseconds.
    pub latency_a: Option<f64>,
    /// Right latency, milliseconds.
    pub latency_b: Option<f64>,
    /// Left tokens.
    pub tokens_a: Option<i64>,
    /// Right tokens.
    pub tokens_b: Option<i64>,
    /// `left`, `right`, `tie` or `both_bad`.
    pub user_preference: Option<String>,
    /// Left Elo before.
    pub elo_before_a: Option<f64>,
    /// Right Elo before.
    pub elo_before_b: Option<f64>,
    /// Left Elo after.
    pub elo_after_a: Option<f64>,
    /// Right Elo after.
    pub elo_after_b: Option<f64>,
    /// Which view showed it.
    pub view_index: Option<i64>,
}

impl ArenaBattle {
    /// A new battle between `model_a` and `model_b`, with a fresh id, stamped now.
    pub fn new(
        session_id: impl Into<SessionId>,
        model_a: impl Into<String>,
        model_b: impl Into<String>,
    ) -> Self {
        Self {
            battle_id: BattleId::generate(),
            session_id: Some(session_id.into()),
            timestamp: Some(Timestamp::now()),
            user_message: None,
            model_a: Some(model_a.into()),
            model_b: Some(model_b.into()),
            response_a: None,
            response_b: None,
            latency_a: None,
            latency_b: None,
            tokens_a: None,
            tokens_b: None,
            user_preference: None,
            elo_before_a: None,
            elo_before_b: None,
            elo_after_a: None,
            elo_after_b: None,
            view_index: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("arena_battles.battle_id", Some(self.battle_id.as_str()))?;
        validate::id(
            "arena_battles.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        for (field, value) in [
            ("arena_battles.user_message", &self.user_message),
            ("arena_battles.model_a", &self.model_a),
            ("arena_battles.model_b", &self.model_b),
            ("arena_battles.response_a", &self.response_a),
            ("arena_battles.response_b", &self.response_b),
            ("arena_battles.user_preference", &self.user_preference),
        ] {
            validate::text(field, value.as_deref())?;
        }
        for (field, value) in [
            ("arena_battles.latency_a", self.latency_a),
            ("arena_battles.latency_b", self.latency_b),
            ("arena_battles.elo_before_a", self.elo_before_a),
            ("arena_battles.elo_before_b", self.elo_before_b),
            ("arena_battles.elo_after_a", self.elo_after_a),
            ("arena_battles.elo_after_b", self.elo_after_b),
        ] {
            validate::finite(field, value)?;
        }
        validate::non_negative("arena_battles.tokens_a", self.tokens_a)?;
        validate::non_negative("arena_battles.tokens_b", self.tokens_b)
    }
}

/// An `arena_training_exports` row. It belongs to no session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArenaTrainingExport {
    /// Primary key.
    pub export_id: ExportId,
    /// When the export ran.
    pub export_timestamp: Option<Timestamp>,
    /// The kind of export.
    pub export_type: Option<String>,
    /// The file format.
    pub format: Option<String>,
    /// Where it was written.
    pub file_path: Option<String>,
    /// Export details (JSON-ish).
    pub metadata: Option<JsonText>,
    /// Battles included.
    pub battles_included: Option<i64>,
}

impl ArenaTrainingExport {
    /// A new export record, with a fresh id, stamped now.
    pub fn new(
        export_type: impl Into<String>,
        format: impl Into<String>,
        file_path: impl Into<String>,
    ) -> Self {
        Self {
            export_id: ExportId::generate(),
            export_timestamp: Some(Timestamp::now()),
            export_type: Some(export_type.into()),
            format: Some(format.into()),
            file_path: Some(file_path.into()),
            metadata: None,
            battles_included: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "arena_training_exports.export_id",
            Some(self.export_id.as_str()),
        )?;
        validate::text(
            "arena_training_exports.export_type",
            self.export_type.as_deref(),
        )?;
        validate::text("arena_training_exports.format", self.format.as_deref())?;
        validate::text(
            "arena_training_exports.file_path",
            self.file_path.as_deref(),
        )?;
        validate::text(
            "arena_training_exports.metadata",
            self.metadata.as_ref().map(JsonText::as_str),
        )?;
        validate::non_negative(
            "arena_training_exports.battles_included",
            self.battles_included,
        )
    }
}
