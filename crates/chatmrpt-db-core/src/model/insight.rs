//! What the analysis found: anomalies, variable relationships, ward rankings,
//! visualizations and the explanations given for them.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{
    AnomalyId, ExplanationId, InteractionId, RankingId, RelationshipId, SessionId, VizId,
};
use crate::time::Timestamp;
use crate::validate;

/// An `anomalies` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Primary key.
    pub anomaly_id: AnomalyId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was found.
    pub timestamp: Option<Timestamp>,
    /// The ward or entity concerned.
    pub entity_name: Option<String>,
    /// The kind of anomaly.
    pub anomaly_type: Option<String>,
    /// The expected value, as text.
    pub expected_value: Option<String>,
    /// The observed value, as text.
    pub actual_value: Option<String>,
    /// How significant it is.
    pub significance: Option<String>,
    /// Context.
    pub context: Option<String>,
}

/// A `variable_relationships` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableRelationship {
    /// Primary key.
    pub relationship_id: RelationshipId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was found.
    pub timestamp: Option<Timestamp>,
    /// The variable.
    pub variable_name: Option<String>,
    /// The kind of relationship.
    pub relationship_type: Option<String>,
    /// The evidence.
    pub evidence: Option<String>,
    /// Confidence score.
    #[serde(default, with = "crate::number::opt_f64")]
    pub confidence_score: Option<f64>,
}

/// A `ward_rankings` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WardRanking {
    /// Primary key.
    pub ranking_id: RankingId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was ranked.
    pub timestamp: Option<Timestamp>,
    /// The ward.
    pub ward_name: Option<String>,
    /// Its rank, 1 = highest risk.
    pub overall_rank: Option<i64>,
    /// Median composite score.
    #[serde(default, with = "crate::number::opt_f64")]
    pub median_score: Option<f64>,
    /// Vulnerability category.
    pub vulnerability_category: Option<String>,
    /// Contributing factors.
    pub contributing_factors: Option<String>,
    /// Anomaly flags.
    pub anomaly_flags: Option<String>,
}

/// A `visualization_metadata` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisualizationMetadata {
    /// Primary key.
    pub viz_id: VizId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was drawn.
    pub timestamp: Option<Timestamp>,
    /// The kind of chart or map.
    pub viz_type: Option<String>,
    /// Variables shown.
    pub variables_used: Option<String>,
    /// Summary of the data.
    pub data_summary: Option<String>,
    /// Visual elements.
    pub visual_elements: Option<String>,
    /// Patterns detected.
    pub patterns_detected: Option<String>,
}

/// An `explanations` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Primary key.
    pub explanation_id: ExplanationId,
    /// The session.
    pub session_id: Option<SessionId>,
    /// When it was given.
    pub timestamp: Option<Timestamp>,
    /// What kind of thing is explained.
    pub entity_type: Option<String>,
    /// Which one.
    pub entity_name: Option<String>,
    /// The kind of question.
    pub question_type: Option<String>,
    /// The question.
    pub question: Option<String>,
    /// The answer.
    pub explanation: Option<String>,
    /// Context used.
    pub context_used: Option<String>,
    /// The LLM call that produced it; must exist when given.
    pub llm_interaction_id: Option<InteractionId>,
}

/// Optional filters of [`crate::VisualizationRepository::list_visualizations`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisualizationFilter {
    /// Only this visualization.
    pub viz_id: Option<VizId>,
    /// Only this kind.
    pub viz_type: Option<String>,
}

/// Optional filters of [`crate::ExplanationRepository::list_explanations`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplanationFilter {
    /// Only this kind of entity.
    pub entity_type: Option<String>,
    /// Only this entity.
    pub entity_name: Option<String>,
}

macro_rules! blank_constructor {
    ($ty:ident, $id:ident, $idty:ident { $($field:ident),* }) => {
        impl $ty {
            /// A new row for `session_id`, with a fresh id, stamped now, other columns empty.
            pub fn new(session_id: impl Into<SessionId>) -> Self {
                Self {
                    $id: $idty::generate(),
                    session_id: Some(session_id.into()),
                    timestamp: Some(Timestamp::now()),
                    $($field: None,)*
                }
            }
        }
    };
}

blank_constructor!(
    Anomaly,
    anomaly_id,
    AnomalyId {
        entity_name,
        anomaly_type,
        expected_value,
        actual_value,
        significance,
        context
    }
);
blank_constructor!(
    VariableRelationship,
    relationship_id,
    RelationshipId {
        variable_name,
        relationship_type,
        evidence,
        confidence_score
    }
);
blank_constructor!(
    WardRanking,
    ranking_id,
    RankingId {
        ward_name,
        overall_rank,
        median_score,
        vulnerability_category,
        contributing_factors,
        anomaly_flags
    }
);
blank_constructor!(
    VisualizationMetadata,
    viz_id,
    VizId {
        viz_type,
        variables_used,
        data_summary,
        visual_elements,
        patterns_detected
    }
);
blank_constructor!(
    Explanation,
    explanation_id,
    ExplanationId {
        entity_type,
        entity_name,
        question_type,
        question,
        explanation,
        context_used,
        llm_interaction_id
    }
);

impl Anomaly {
    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("anomalies.anomaly_id", Some(self.anomaly_id.as_str()))?;
        validate::id(
            "anomalies.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("anomalies.entity_name", self.entity_name.as_deref())?;
        validate::text("anomalies.anomaly_type", self.anomaly_type.as_deref())?;
        validate::text("anomalies.expected_value", self.expected_value.as_deref())?;
        validate::text("anomalies.actual_value", self.actual_value.as_deref())?;
        validate::text("anomalies.significance", self.significance.as_deref())?;
        validate::text("anomalies.context", self.context.as_deref())
    }
}

impl VariableRelationship {
    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "variable_relationships.relationship_id",
            Some(self.relationship_id.as_str()),
        )?;
        validate::id(
            "variable_relationships.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text(
            "variable_relationships.variable_name",
            self.variable_name.as_deref(),
        )?;
        validate::text(
            "variable_relationships.relationship_type",
            self.relationship_type.as_deref(),
        )?;
        validate::text("variable_relationships.evidence", self.evidence.as_deref())?;
        validate::number(
            "variable_relationships.confidence_score",
            self.confidence_score,
        )
    }
}

impl WardRanking {
    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("ward_rankings.ranking_id", Some(self.ranking_id.as_str()))?;
        validate::id(
            "ward_rankings.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("ward_rankings.ward_name", self.ward_name.as_deref())?;
        validate::number("ward_rankings.median_score", self.median_score)?;
        validate::text(
            "ward_rankings.vulnerability_category",
            self.vulnerability_category.as_deref(),
        )?;
        validate::text(
            "ward_rankings.contributing_factors",
            self.contributing_factors.as_deref(),
        )?;
        validate::text("ward_rankings.anomaly_flags", self.anomaly_flags.as_deref())
    }
}

impl VisualizationMetadata {
    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("visualization_metadata.viz_id", Some(self.viz_id.as_str()))?;
        validate::id(
            "visualization_metadata.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("visualization_metadata.viz_type", self.viz_type.as_deref())?;
        validate::text(
            "visualization_metadata.variables_used",
            self.variables_used.as_deref(),
        )?;
        validate::text(
            "visualization_metadata.data_summary",
            self.data_summary.as_deref(),
        )?;
        validate::text(
            "visualization_metadata.visual_elements",
            self.visual_elements.as_deref(),
        )?;
        validate::text(
            "visualization_metadata.patterns_detected",
            self.patterns_detected.as_deref(),
        )
    }
}

impl Explanation {
    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id(
            "explanations.explanation_id",
            Some(self.explanation_id.as_str()),
        )?;
        validate::id(
            "explanations.session_id",
            self.session_id.as_ref().map(SessionId::as_str),
        )?;
        validate::text("explanations.entity_type", self.entity_type.as_deref())?;
        validate::text("explanations.entity_name", self.entity_name.as_deref())?;
        validate::text("explanations.question_type", self.question_type.as_deref())?;
        validate::text("explanations.question", self.question.as_deref())?;
        validate::text("explanations.explanation", self.explanation.as_deref())?;
        validate::text("explanations.context_used", self.context_used.as_deref())?;
        validate::id(
            "explanations.llm_interaction_id",
            self.llm_interaction_id.as_ref().map(InteractionId::as_str),
        )
    }
}
