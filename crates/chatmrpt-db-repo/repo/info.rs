use chatmrpt_db_core::{Result, StoreInfo, Table};
use diesel::prelude::*;

use crate::backend::{Conn, Store};
use crate::schema::*;

/// Rows in `table`, through the query builder (no SQL text is assembled).
pub(crate) fn count(conn: &mut Conn, table: Table) -> QueryResult<i64> {
    match table {
        Table::Sessions => sessions::table.count().get_result(conn),
        Table::Messages => messages::table.count().get_result(conn),
        Table::FileUploads => file_uploads::table.count().get_result(conn),
        Table::AnalysisEvents => analysis_events::table.count().get_result(conn),
        Table::Errors => errors::table.count().get_result(conn),
        Table::LlmInteractions => llm_interactions::table.count().get_result(conn),
        Table::AnalysisSteps => analysis_steps::table.count().get_result(conn),
        Table::AlgorithmDecisions => algorithm_decisions::table.count().get_result(conn),
        Table::Calculations => calculations::table.count().get_result(conn),
        Table::Anomalies => anomalies::table.count().get_result(conn),
        Table::VariableRelationships => variable_relationships::table.count().get_result(conn),
        Table::WardRankings => ward_rankings::table.count().get_result(conn),
        Table::VisualizationMetadata => visualization_metadata::table.count().get_result(conn),
        Table::Explanations => explanations::table.count().get_result(conn),
        Table::RoutingDecisions => routing_decisions::table.count().get_result(conn),
        Table::ArenaBattles => arena_battles::table.count().get_result(conn),
        Table::ArenaTrainingExports => arena_training_exports::table.count().get_result(conn),
    }
}

impl StoreInfo for Store {
    fn backend_name(&self) -> &'static str {
        crate::STORE
    }

    fn count_rows(&self, table: Table) -> Result<u64> {
        self.read(|conn| Ok(u64::try_from(count(conn, table)?).unwrap_or(0)))
    }

    fn housekeep(&self) -> Result<()> {
        crate::backend::housekeep(self)
    }
}
