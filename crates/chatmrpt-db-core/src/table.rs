//! The seventeen tables of the interaction log.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A table of the interaction log, by its legacy name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Deliberately exhaustive: a new table must be handled by every backend, so
// adding one should break their `match`es at compile time.
pub enum Table {
    /// `sessions`
    Sessions,
    /// `messages`
    Messages,
    /// `file_uploads`
    FileUploads,
    /// `analysis_events`
    AnalysisEvents,
    /// `errors`
    Errors,
    /// `llm_interactions`
    LlmInteractions,
    /// `analysis_steps`
    AnalysisSteps,
    /// `algorithm_decisions`
    AlgorithmDecisions,
    /// `calculations`
    Calculations,
    /// `anomalies`
    Anomalies,
    /// `variable_relationships`
    VariableRelationships,
    /// `ward_rankings`
    WardRankings,
    /// `visualization_metadata`
    VisualizationMetadata,
    /// `explanations`
    Explanations,
    /// `routing_decisions`
    RoutingDecisions,
    /// `arena_battles`
    ArenaBattles,
    /// `arena_training_exports`
    ArenaTrainingExports,
}

impl Table {
    /// Every table, parents before children (a safe load order).
    pub const ALL: [Table; 17] = [
        Table::Sessions,
        Table::Messages,
        Table::FileUploads,
        Table::AnalysisEvents,
        Table::Errors,
        Table::LlmInteractions,
        Table::AnalysisSteps,
        Table::AlgorithmDecisions,
        Table::Calculations,
        Table::Anomalies,
        Table::VariableRelationships,
        Table::WardRankings,
        Table::VisualizationMetadata,
        Table::Explanations,
        Table::RoutingDecisions,
        Table::ArenaBattles,
        Table::ArenaTrainingExports,
    ];

    /// The legacy table name.
    pub const fn name(self) -> &'static str {
        match self {
            Table::Sessions => "sessions",
            Table::Messages => "messages",
            Table::FileUploads => "file_uploads",
            Table::AnalysisEvents => "analysis_events",
            Table::Errors => "errors",
            Table::LlmInteractions => "llm_interactions",
            Table::AnalysisSteps => "analysis_steps",
            Table::AlgorithmDecisions => "algorithm_decisions",
            Table::Calculations => "calculations",
            Table::Anomalies => "anomalies",
            Table::VariableRelationships => "variable_relationships",
            Table::WardRankings => "ward_rankings",
            Table::VisualizationMetadata => "visualization_metadata",
            Table::Explanations => "explanations",
            Table::RoutingDecisions => "routing_decisions",
            Table::ArenaBattles => "arena_battles",
            Table::ArenaTrainingExports => "arena_training_exports",
        }
    }

    /// The primary key column.
    pub const fn primary_key(self) -> &'static str {
        match self {
            Table::Sessions => "session_id",
            Table::Messages => "message_id",
            Table::FileUploads => "upload_id",
            Table::AnalysisEvents => "event_id",
            Table::Errors => "error_id",
            Table::LlmInteractions => "interaction_id",
            Table::AnalysisSteps => "step_id",
            Table::AlgorithmDecisions => "decision_id",
            Table::Calculations => "calculation_id",
            Table::Anomalies => "anomaly_id",
            Table::VariableRelationships => "relationship_id",
            Table::WardRankings => "ranking_id",
            Table::VisualizationMetadata => "viz_id",
            Table::Explanations => "explanation_id",
            Table::RoutingDecisions => "routing_id",
            Table::ArenaBattles => "battle_id",
            Table::ArenaTrainingExports => "export_id",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Table {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                Error::invalid(
                    "table",
                    format!("`{name}` is not a table of the interaction log"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        let mut names: Vec<_> = Table::ALL.iter().map(|t| t.name()).collect();
        for t in Table::ALL {
            assert_eq!(t.name().parse::<Table>().unwrap(), t);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 17);
    }
}
