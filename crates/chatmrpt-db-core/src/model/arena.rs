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
    #[serde(default, with = "crate::number::opt_f64")]
    pub latency_a: Option<f64>,
    /// Right latency, milliseconds.
    #[serde(default, with = "crate::number::opt_f64")]
    pub latency_b: Option<f64>,
    /// Left tokens.
    pub tokens_a: Option<i64>,
    /// Right tokens.
    pub tokens_b: Option<i64>,
    /// `left`, `right`, `tie` or `both_bad`.
    pub user_preference: Option<String>,
    /// Left Elo before.
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_before_a: Option<f64>,
    /// Right Elo before.
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_before_b: Option<f64>,
    /// Left Elo after.
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_after_a: Option<f64>,
    /// Right Elo after.
    #[serde(default, with = "crate::number::opt_f64")]
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
            validate::number(field, value)?;
        }
        validate::non_negative("arena_battles.tokens_a", self.tokens_a)?;
        validate::non_negative("arena_battles.tokens_b", self.tokens_b)
    }
}

/// A later call for a stored battle (the legacy `log_arena_battle` is an
/// upsert keyed by the caller's id): every field that is `Some` replaces
/// the stored one, every `None` leaves it as it is. The id, session and
/// timestamp of the first call stay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArenaBattleUpdate {
    /// The battle to change.
    pub battle_id: BattleId,
    /// The battle's session as the caller names it: orders this write with
    /// the session's other writes in the dual store; never written.
    pub session_id: Option<SessionId>,
    /// See [`ArenaBattle::user_message`].
    pub user_message: Option<String>,
    /// See [`ArenaBattle::model_a`].
    pub model_a: Option<String>,
    /// See [`ArenaBattle::model_b`].
    pub model_b: Option<String>,
    /// See [`ArenaBattle::response_a`].
    pub response_a: Option<String>,
    /// See [`ArenaBattle::response_b`].
    pub response_b: Option<String>,
    /// See [`ArenaBattle::latency_a`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub latency_a: Option<f64>,
    /// See [`ArenaBattle::latency_b`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub latency_b: Option<f64>,
    /// See [`ArenaBattle::tokens_a`].
    pub tokens_a: Option<i64>,
    /// See [`ArenaBattle::tokens_b`].
    pub tokens_b: Option<i64>,
    /// See [`ArenaBattle::user_preference`].
    pub user_preference: Option<String>,
    /// See [`ArenaBattle::elo_before_a`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_before_a: Option<f64>,
    /// See [`ArenaBattle::elo_before_b`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_before_b: Option<f64>,
    /// See [`ArenaBattle::elo_after_a`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_after_a: Option<f64>,
    /// See [`ArenaBattle::elo_after_b`].
    #[serde(default, with = "crate::number::opt_f64")]
    pub elo_after_b: Option<f64>,
    /// See [`ArenaBattle::view_index`].
    pub view_index: Option<i64>,
}

impl ArenaBattleUpdate {
    /// The update that gives every field of `battle` that is `Some`.
    pub fn from_battle(battle: &ArenaBattle) -> Self {
        let b = battle.clone();
        Self {
            battle_id: b.battle_id,
            session_id: b.session_id,
            user_message: b.user_message,
            model_a: b.model_a,
            model_b: b.model_b,
            response_a: b.response_a,
            response_b: b.response_b,
            latency_a: b.latency_a,
            latency_b: b.latency_b,
            tokens_a: b.tokens_a,
            tokens_b: b.tokens_b,
            user_preference: b.user_preference,
            elo_before_a: b.elo_before_a,
            elo_before_b: b.elo_before_b,
            elo_after_a: b.elo_after_a,
            elo_after_b: b.elo_after_b,
            view_index: b.view_index,
        }
    }

    /// The stored battle `stored` with this update applied (what every
    /// backend stores, so the dual store's two sides agree).
    pub fn apply_to(&self, stored: &ArenaBattle) -> ArenaBattle {
        fn or<T: Clone>(given: &Option<T>, old: &Option<T>) -> Option<T> {
            given.clone().or_else(|| old.clone())
        }
        ArenaBattle {
            battle_id: stored.battle_id.clone(),
            session_id: stored.session_id.clone(),
            timestamp: stored.timestamp,
            user_message: or(&self.user_message, &stored.user_message),
            model_a: or(&self.model_a, &stored.model_a),
            model_b: or(&self.model_b, &stored.model_b),
            response_a: or(&self.response_a, &stored.response_a),
            response_b: or(&self.response_b, &stored.response_b),
            latency_a: or(&self.latency_a, &stored.latency_a),
            latency_b: or(&self.latency_b, &stored.latency_b),
            tokens_a: or(&self.tokens_a, &stored.tokens_a),
            tokens_b: or(&self.tokens_b, &stored.tokens_b),
            user_preference: or(&self.user_preference, &stored.user_preference),
            elo_before_a: or(&self.elo_before_a, &stored.elo_before_a),
            elo_before_b: or(&self.elo_before_b, &stored.elo_before_b),
            elo_after_a: or(&self.elo_after_a, &stored.elo_after_a),
            elo_after_b: or(&self.elo_after_b, &stored.elo_after_b),
            view_index: or(&self.view_index, &stored.view_index),
        }
    }

    /// Checks the values as [`ArenaBattle::validate`] does.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let blank = ArenaBattle {
            battle_id: self.battle_id.clone(),
            session_id: self.session_id.clone(),
            timestamp: None,
            user_message: None,
            model_a: None,
            model_b: None,
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
        };
        self.apply_to(&blank).validate()
    }

    /// Whether the update gives no field at all.
    pub fn is_empty(&self) -> bool {
        let texts = [
            &self.user_message,
            &self.model_a,
            &self.model_b,
            &self.response_a,
            &self.response_b,
            &self.user_preference,
        ];
        let numbers = [
            self.latency_a,
            self.latency_b,
            self.elo_before_a,
            self.elo_before_b,
            self.elo_after_a,
            self.elo_after_b,
        ];
        let counts = [self.tokens_a, self.tokens_b, self.view_index];
        texts.iter().all(|t| t.is_none())
            && numbers.iter().all(Option::is_none)
            && counts.iter().all(Option::is_none)
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
