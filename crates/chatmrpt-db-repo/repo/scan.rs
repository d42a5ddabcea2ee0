//! Whole-table reads in primary-key order, for exports and tools.

use chatmrpt_db_core::{Record, Result, Table, TableScan, TimeRange};
use diesel::prelude::*;

use crate::backend::{Conn, Store};
use crate::error::TxError;
use crate::rows::*;
use crate::schema::*;

/// One page of one table: the same query shape for every table, so written
/// once. `$time` is the column `TimeRange` bounds.
macro_rules! page {
    ($conn:ident, $range:ident, $after:ident, $limit:ident, $table:ident, $row:ident, $pk:ident, $time:ident, $variant:ident) => {{
        let mut query = $table::table.into_boxed();
        if let Some(from) = $range.from {
            query = query.filter($table::$time.ge(crate::backend::time_to_sql(from)));
        }
        if let Some(until) = $range.until {
            query = query.filter($table::$time.lt(crate::backend::time_to_sql(until)));
        }
        if let Some(after) = $after {
            query = query.filter($table::$pk.gt(after));
        }
        let rows = query
            .order($table::$pk.asc())
            .limit(i64::from($limit))
            .select($row::as_select())
            .load($conn)?;
        rows.into_iter()
            .map(|r| r.into_domain().map(Record::$variant))
            .collect::<Result<Vec<_>>>()?
    }};
}

fn scan(
    conn: &mut Conn,
    table: Table,
    range: &TimeRange,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Record>, TxError> {
    Ok(match table {
        Table::Sessions => page!(
            conn, range, after, limit, sessions, SessionRow, session_id, start_time, Session
        ),
        Table::Messages => page!(
            conn, range, after, limit, messages, MessageRow, message_id, timestamp, Message
        ),
        Table::FileUploads => page!(
            conn,
            range,
            after,
            limit,
            file_uploads,
            FileUploadRow,
            upload_id,
            timestamp,
            FileUpload
        ),
        Table::AnalysisEvents => page!(
            conn,
            range,
            after,
            limit,
            analysis_events,
            AnalysisEventRow,
            event_id,
            timestamp,
            AnalysisEvent
        ),
        Table::Errors => page!(
            conn,
            range,
            after,
            limit,
            errors,
            ErrorEntryRow,
            error_id,
            timestamp,
            ErrorEntry
        ),
        Table::LlmInteractions => {
            page!(
                conn,
                range,
                after,
                limit,
                llm_interactions,
                LlmInteractionRow,
                interaction_id,
                timestamp,
                LlmInteraction
            )
        }
        Table::AnalysisSteps => page!(
            conn,
            range,
            after,
            limit,
            analysis_steps,
            AnalysisStepRow,
            step_id,
            timestamp,
            AnalysisStep
        ),
        Table::AlgorithmDecisions => {
            page!(
                conn,
                range,
                after,
                limit,
                algorithm_decisions,
                AlgorithmDecisionRow,
                decision_id,
                timestamp,
                AlgorithmDecision
            )
        }
        Table::Calculations => page!(
            conn,
            range,
            after,
            limit,
            calculations,
            CalculationRow,
            calculation_id,
            timestamp,
            Calculation
        ),
        Table::Anomalies => page!(
            conn, range, after, limit, anomalies, AnomalyRow, anomaly_id, timestamp, Anomaly
        ),
        Table::VariableRelationships => page!(
            conn,
            range,
            after,
            limit,
            variable_relationships,
            VariableRelationshipRow,
            relationship_id,
            timestamp,
            VariableRelationship
        ),
        Table::WardRankings => page!(
            conn,
            range,
            after,
            limit,
            ward_rankings,
            WardRankingRow,
            ranking_id,
            timestamp,
            WardRanking
        ),
        Table::VisualizationMetadata => page!(
            conn,
            range,
            after,
            limit,
            visualization_metadata,
            VisualizationMetadataRow,
            viz_id,
            timestamp,
            VisualizationMetadata
        ),
        Table::Explanations => page!(
            conn,
            range,
            after,
            limit,
            explanations,
            ExplanationRow,
            explanation_id,
            timestamp,
            Explanation
        ),
        Table::RoutingDecisions => {
            page!(
                conn,
                range,
                after,
                limit,
                routing_decisions,
                RoutingDecisionRow,
                routing_id,
                timestamp,
                RoutingDecision
            )
        }
        Table::ArenaBattles => page!(
            conn,
            range,
            after,
            limit,
            arena_battles,
            ArenaBattleRow,
            battle_id,
            timestamp,
            ArenaBattle
        ),
        Table::ArenaTrainingExports => page!(
            conn,
            range,
            after,
            limit,
            arena_training_exports,
            ArenaTrainingExportRow,
            export_id,
            export_timestamp,
            ArenaTrainingExport
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
        self.read(|conn| scan(conn, table, range, after, limit))
    }
}
