//! Opaque, case-sensitive text identifiers, one newtype per table.
//!
//! Legacy ids are mostly `str(uuid4())`, but session ids also take the forms
//! `session_YYYYMMDD_HHMMSS`, `<uuid>__<conversation_id>` and whatever a client
//! sent. So ids are never parsed: they are compared byte for byte. Construction
//! does not validate (stored legacy ids must always be readable); every write
//! validates through [`validate_id`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest id a write accepts, in bytes.
pub const MAX_ID_LEN: usize = 255;

/// Checks that an id can be stored alike by every backend: 1 to
/// [`MAX_ID_LEN`] bytes, no control characters (NUL included).
///
/// # Errors
///
/// [`Error::InvalidInput`] naming `field`.
pub fn validate_id(field: &'static str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid(field, "id is empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(Error::invalid(
            field,
            format!("id is {} bytes, longer than {MAX_ID_LEN}", id.len()),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid(field, "id contains a control character"));
    }
    Ok(())
}

macro_rules! define_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as given; validation happens when it is written.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// A fresh UUIDv4 id, the format the legacy application mints.
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, by value.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }
    )*};
}

define_id! {
    /// `sessions.session_id`.
    SessionId;
    /// `messages.message_id`.
    MessageId;
    /// `file_uploads.upload_id`.
    UploadId;
    /// `analysis_events.event_id`.
    EventId;
    /// `errors.error_id`.
    ErrorId;
    /// `llm_interactions.interaction_id`.
    InteractionId;
    /// `analysis_steps.step_id`.
    StepId;
    /// `algorithm_decisions.decision_id`.
    DecisionId;
    /// `calculations.calculation_id`.
    CalculationId;
    /// `anomalies.anomaly_id`.
    AnomalyId;
    /// `variable_relationships.relationship_id`.
    RelationshipId;
    /// `ward_rankings.ranking_id`.
    RankingId;
    /// `visualization_metadata.viz_id`.
    VizId;
    /// `explanations.explanation_id`.
    ExplanationId;
    /// `routing_decisions.routing_id`.
    RoutingId;
    /// `arena_battles.battle_id`.
    BattleId;
    /// `arena_training_exports.export_id`.
    ExportId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_case_sensitively() {
        assert_ne!(SessionId::new("ABC"), SessionId::new("abc"));
    }

    #[test]
    fn generated_ids_are_lowercase_uuids() {
        let id = MessageId::generate();
        assert_eq!(id.as_str().len(), 36);
        assert_eq!(id.as_str(), id.as_str().to_lowercase());
    }

    #[test]
    fn validation_refuses_empty_long_and_control_ids() {
        assert!(validate_id("x", "session_20250728_101500").is_ok());
        assert!(matches!(
            validate_id("x", ""),
            Err(Error::InvalidInput { field: "x", .. })
        ));
        assert!(validate_id("x", &"a".repeat(256)).is_err());
        assert!(validate_id("x", &"a".repeat(255)).is_ok());
        assert!(validate_id("x", "a\0b").is_err());
        assert!(validate_id("x", "a\nb").is_err());
    }
}
