//! One session with every row that belongs to it.

use serde::{Deserialize, Serialize};

use super::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, Calculation, ErrorEntry,
    Explanation, FileUpload, LlmInteraction, Message, RoutingDecision, Session,
    VariableRelationship, VisualizationMetadata, WardRanking,
};

/// A session and all its child rows, the shape the application exports as JSON.
///
/// Child rows are listed flat, by `session_id`, each list oldest first (ward
/// rankings by rank), so a decision or calculation whose step is missing is
/// still exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionExport {
    /// The session row.
    pub session: Session,
    /// Its messages.
    pub messages: Vec<Message>,
    /// Its uploads.
    pub file_uploads: Vec<FileUpload>,
    /// Its analysis events.
    pub analysis_events: Vec<AnalysisEvent>,
    /// Its logged errors.
    pub errors: Vec<ErrorEntry>,
    /// Its LLM calls.
    pub llm_interactions: Vec<LlmInteraction>,
    /// Its analysis steps.
    pub analysis_steps: Vec<AnalysisStep>,
    /// Its algorithm decisions.
    pub algorithm_decisions: Vec<AlgorithmDecision>,
    /// Its calculations.
    pub calculations: Vec<Calculation>,
    /// Its anomalies.
    pub anomalies: Vec<Anomaly>,
    /// Its variable relationships.
    pub variable_relationships: Vec<VariableRelationship>,
    /// Its ward rankings, by rank.
    pub ward_rankings: Vec<WardRanking>,
    /// Its visualizations.
    pub visualization_metadata: Vec<VisualizationMetadata>,
    /// Its explanations.
    pub explanations: Vec<Explanation>,
    /// Its routing decisions.
    pub routing_decisions: Vec<RoutingDecision>,
    /// Its arena battles.
    pub arena_battles: Vec<ArenaBattle>,
}
