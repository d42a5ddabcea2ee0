//! Whole-table reads in primary-key order, for exports and tools.

use chatmrpt_db_core::{Record, Result, Table, TableScan, TimeRange};
use diesel::prelude::*;

use crate::backend::{Conn, Store};
use crate::error::TxError;
use crate::rows::*;
use crate::schema::*;

/// What one page asks for: the time window, the key to start after, how
/// many rows.
struct PageQuery<'a> {
    range: &'a TimeRange,
    after: Option<&'a str>,
    limit: u32,
}

/// One page of one table: the same query shape for every table, so written
/// once. `$time` is the column [`TimeRange`] bounds (`timestamp` unless
/// named).
macro_rules! page {
    ($conn:ident, $q:ident, $table:ident, $row:ident, $pk:ident) => {
        page!($conn, $q, $table, $row, $pk, timestamp)
    };
    ($conn:ident, $q:ident, $table:ident, $row:ident, $pk:ident, $time:ident) => {{
        let mut query = $table::table.into_boxed();
        if let Some(from) = $q.range.from {
            query = query.filter($table::$time.ge(crate::backend::time_to_sql(from)));
        }
        if let Some(until) = $q.range.until {
            query = query.filter($table::$time.lt(crate::backend::time_to_sql(until)));
        }
        if let Some(after) = $q.after {
            query = query.filter($table::$pk.gt(after));
        }
        let rows = query
            .order($table::$pk.asc())
            .limit(i64::from($q.limit))
            .select($row::as_select())
            .load($conn)?;
        rows.into_iter()
            .map(|r| r.into_domain().map(Record::from))
            .collect::<Result<Vec<_>>>()?
    }};
}

fn scan(conn: &mut Conn, table: Table, q: &PageQuery<'_>) -> Result<Vec<Record>, TxError> {
    Ok(match table {
        Table::Sessions => page!(conn, q, sessions, SessionRow, session_id, start_time),
        Table::Messages => page!(conn, q, messages, MessageRow, message_id),
        Table::FileUploads => page!(conn, q, file_uploads, FileUploadRow, upload_id),
        Table::AnalysisEvents => page!(conn, q, analysis_events, AnalysisEventRow, event_id),
        Table::Errors => page!(conn, q, errors, ErrorEntryRow, error_id),
        Table::LlmInteractions => {
            page!(conn, q, llm_interactions, LlmInteractionRow, interaction_id)
        }
        Table::AnalysisSteps => page!(conn, q, analysis_steps, AnalysisStepRow, step_id),
        Table::AlgorithmDecisions => page!(
            conn,
            q,
            algorithm_decisions,
            AlgorithmDecisionRow,
            decision_id
        ),
        Table::Calculations => page!(conn, q, calculations, CalculationRow, calculation_id),
        Table::Anomalies => page!(conn, q, anomalies, AnomalyRow, anomaly_id),
        Table::VariableRelationships => page!(
            conn,
            q,
            variable_relationships,
            VariableRelationshipRow,
            relationship_id
        ),
        Table::WardRankings => page!(conn, q, ward_rankings, WardRankingRow, ranking_id),
        Table::VisualizationMetadata => page!(
            conn,
            q,
            visualization_metadata,
            VisualizationMetadataRow,
            viz_id
        ),
        Table::Explanations => page!(conn, q, explanations, ExplanationRow, explanation_id),
        Table::RoutingDecisions => {
            page!(conn, q, routing_decisions, RoutingDecisionRow, routing_id)
        }
        Table::ArenaBattles => page!(conn, q, arena_battles, ArenaBattleRow, battle_id),
        Table::ArenaTrainingExports => page!(
            conn,
            q,
            arena_training_exports,
            ArenaTrainingExportRow,
            export_id,
            export_timestamp
        ),
    })
}

impl TableScan for Store {
    fn scan_table(
        &self,
        table: Table,
        range: &TimeRange,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>> {
        let q = PageQuery {
            range,
            after,
            limit,
        };
        self.read(|conn| scan(conn, table, &q))
    }
}
