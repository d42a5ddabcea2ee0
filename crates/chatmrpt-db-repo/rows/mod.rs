//! Private row structs, one per table: the legacy column names and order,
//! booleans as `bool` (0/1 in SQLite), timestamps in the backend's column
//! type (`crate::backend::SqlTime`).

mod algorithm_decision;
mod analysis_event;
mod analysis_step;
mod anomaly;
mod arena_battle;
mod calculation;
mod convert;
mod error_entry;
mod explanation;
mod file_upload;
mod llm_interaction;
mod message;
mod routing_decision;
mod session;
mod training_export;
mod variable_relationship;
mod visualization;
mod ward_ranking;

pub(crate) use algorithm_decision::AlgorithmDecisionRow;
pub(crate) use analysis_event::AnalysisEventRow;
pub(crate) use analysis_step::AnalysisStepRow;
pub(crate) use anomaly::AnomalyRow;
pub(crate) use arena_battle::{ArenaBattleChanges, ArenaBattleRow};
pub(crate) use calculation::CalculationRow;
pub(crate) use chatmrpt_db_core::validate::positive_zero;
pub(crate) use convert::{ts_from_sql, ts_to_sql};
pub(crate) use error_entry::ErrorEntryRow;
pub(crate) use explanation::ExplanationRow;
pub(crate) use file_upload::FileUploadRow;
pub(crate) use llm_interaction::LlmInteractionRow;
pub(crate) use message::MessageRow;
pub(crate) use routing_decision::RoutingDecisionRow;
pub(crate) use session::SessionRow;
pub(crate) use training_export::ArenaTrainingExportRow;
pub(crate) use variable_relationship::VariableRelationshipRow;
pub(crate) use visualization::VisualizationMetadataRow;
pub(crate) use ward_ranking::WardRankingRow;
