//! Reading rows for Python: ids and times from Python's text, and the rows
//! of one table for a session.

use chatmrpt_db::{
    ExplanationFilter, LegacyZone, Record, SessionId, Store, Table, Timestamp, VisualizationFilter,
};
use pyo3::prelude::*;

use crate::errors::InvalidInput;

pub(crate) fn session_id(id: &str) -> SessionId {
    SessionId::new(id)
}

pub(crate) fn parse_time(value: Option<&str>, zone: LegacyZone) -> PyResult<Option<Timestamp>> {
    value
        .map(|v| {
            zone.parse_legacy(v)
                .map_err(|e| InvalidInput::new_err(e.to_string()))
        })
        .transpose()
}

/// Every row of `table` for `session` (training exports: all of them).
pub(crate) fn list_table(
    s: &Store,
    table: Table,
    id: &SessionId,
) -> chatmrpt_db::Result<Vec<Record>> {
    Ok(match table {
        Table::Sessions => s
            .get_session(id)?
            .map(Record::Session)
            .into_iter()
            .collect(),
        Table::Messages => s
            .list_messages(id)?
            .into_iter()
            .map(Record::Message)
            .collect(),
        Table::FileUploads => wrap(s.list_file_uploads(id)?, Record::FileUpload),
        Table::AnalysisEvents => wrap(s.list_analysis_events(id)?, Record::AnalysisEvent),
        Table::Errors => wrap(s.list_errors(id)?, Record::ErrorEntry),
        Table::LlmInteractions => wrap(s.list_llm_interactions(id)?, Record::LlmInteraction),
        Table::AnalysisSteps => s
            .list_analysis_steps(id)?
            .into_iter()
            .map(|d| Record::AnalysisStep(d.step))
            .collect(),
        Table::AlgorithmDecisions => {
            wrap(s.list_algorithm_decisions(id)?, Record::AlgorithmDecision)
        }
        Table::Calculations => wrap(s.list_calculations(id)?, Record::Calculation),
        Table::Anomalies => wrap(s.list_anomalies(id)?, Record::Anomaly),
        Table::VariableRelationships => wrap(
            s.list_variable_relationships(id)?,
            Record::VariableRelationship,
        ),
        Table::WardRankings => wrap(s.list_ward_rankings(id)?, Record::WardRanking),
        Table::VisualizationMetadata => wrap(
            s.list_visualizations(id, &VisualizationFilter::default())?,
            Record::VisualizationMetadata,
        ),
        Table::Explanations => wrap(
            s.list_explanations(id, &ExplanationFilter::default())?,
            Record::Explanation,
        ),
        Table::RoutingDecisions => wrap(s.list_routing_decisions(id)?, Record::RoutingDecision),
        Table::ArenaBattles => wrap(s.list_arena_battles(id)?, Record::ArenaBattle),
        Table::ArenaTrainingExports => {
            wrap(s.list_training_exports()?, Record::ArenaTrainingExport)
        }
    })
}

fn wrap<T>(rows: Vec<T>, f: impl Fn(T) -> Record) -> Vec<Record> {
    rows.into_iter().map(f).collect()
}
