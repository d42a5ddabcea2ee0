//! Domain records, one per legacy table, with the columns the legacy file has.

mod analysis;
mod arena;
mod conversation;
mod export;
mod insight;
mod routing;
mod session;

pub use analysis::{AlgorithmDecision, AnalysisStep, AnalysisStepDetail, Calculation};
pub use arena::{ArenaBattle, ArenaBattleUpdate, ArenaTrainingExport};
pub use conversation::{AnalysisEvent, ErrorEntry, FileUpload, LlmInteraction, Message};
pub use export::SessionExport;
pub use insight::{
    Anomaly, Explanation, ExplanationFilter, VariableRelationship, VisualizationFilter,
    VisualizationMetadata, WardRanking,
};
pub use routing::RoutingDecision;
pub use session::{Page, Session, SessionStart, convergence};
