//! Whole-table reads: every row of one table, in primary-key order, in
//! pages, optionally limited to a time range. They back the per-table CSV
//! export of the application and any tool that walks a table.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, ArenaTrainingExport,
    Calculation, ErrorEntry, Explanation, FileUpload, LlmInteraction, Message, RoutingDecision,
    Session, VariableRelationship, VisualizationMetadata, WardRanking,
};
use crate::table::Table;
use crate::time::Timestamp;

/// One row of any table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(
    missing_docs,
    reason = "each variant is the record of the table it names"
)]
pub enum Record {
    Session(Session),
    Message(Message),
    FileUpload(FileUpload),
    AnalysisEvent(AnalysisEvent),
    ErrorEntry(ErrorEntry),
    LlmInteraction(LlmInteraction),
    AnalysisStep(AnalysisStep),
    AlgorithmDecision(AlgorithmDecision),
    Calculation(Calculation),
    Anomaly(Anomaly),
    VariableRelationship(VariableRelationship),
    WardRanking(WardRanking),
    VisualizationMetadata(VisualizationMetadata),
    Explanation(Explanation),
    RoutingDecision(RoutingDecision),
    ArenaBattle(ArenaBattle),
    ArenaTrainingExport(ArenaTrainingExport),
}

/// Each record type into its [`Record`] (`Record::from(message)`).
macro_rules! record_from {
    ($($variant:ident),* $(,)?) => {
        $(impl From<$variant> for Record {
            fn from(row: $variant) -> Self {
                Record::$variant(row)
            }
        })*
    };
}

record_from!(
    Session,
    Message,
    FileUpload,
    AnalysisEvent,
    ErrorEntry,
    LlmInteraction,
    AnalysisStep,
    AlgorithmDecision,
    Calculation,
    Anomaly,
    VariableRelationship,
    WardRanking,
    VisualizationMetadata,
    Explanation,
    RoutingDecision,
    ArenaBattle,
    ArenaTrainingExport,
);

/// A half-open time window `[from, until)` on a table's time column
/// (`timestamp`; `start_time` for sessions; `export_timestamp` for training
/// exports). Rows without a time are outside any bounded window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Inclusive lower bound.
    pub from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub until: Option<Timestamp>,
}

/// Reads whole tables page by page.
pub trait TableScan {
    /// Up to `limit` rows of `table` inside `range`, in primary-key order
    /// (bytewise), starting after the key `after`.
    ///
    /// # Errors
    ///
    /// The store's failure, or `Corrupt` for an unreadable stored value.
    fn scan_table(
        &self,
        table: Table,
        range: &TimeRange,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Record>>;
}

/// Rows per page of [`export_table_csv`].
const CSV_PAGE: u32 = 1_000;

/// Writes one table as CSV (a header row, then one row per record in
/// primary-key order), in bounded memory. Timestamps are RFC 3339 UTC;
/// JSON-ish columns are their exact stored text. Returns the rows written.
///
/// # Errors
///
/// The store's failure, or [`Error::Database`] when `out` fails.
pub fn export_table_csv(
    store: &dyn TableScan,
    table: Table,
    range: &TimeRange,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut writer = csv::WriterBuilder::new().has_headers(true).from_writer(out);
    let mut after: Option<String> = None;
    let mut written = 0;
    loop {
        let page = store.scan_table(table, range, after.as_deref(), CSV_PAGE)?;
        for record in &page {
            writer.serialize(record).map_err(csv_error)?;
        }
        written += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == CSV_PAGE as usize => after = Some(last.key().to_owned()),
            _ => break,
        }
    }
    if written == 0 {
        writer
            .write_record(table_columns(table))
            .map_err(csv_error)?;
    }
    writer.flush().map_err(|e| csv_error(e.into()))?;
    Ok(written)
}

fn csv_error(err: csv::Error) -> Error {
    let what = format!("writing the CSV export failed: {err}");
    let source = match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::Io { what, source }
}

/// The header of an empty export: the primary key alone is enough to say
/// which table it is; a non-empty export names every column.
fn table_columns(table: Table) -> [&'static str; 1] {
    [table.primary_key()]
}

impl Record {
    /// The table the row belongs to.
    pub fn table(&self) -> Table {
        match self {
            Record::Session(_) => Table::Sessions,
            Record::Message(_) => Table::Messages,
            Record::FileUpload(_) => Table::FileUploads,
            Record::AnalysisEvent(_) => Table::AnalysisEvents,
            Record::ErrorEntry(_) => Table::Errors,
            Record::LlmInteraction(_) => Table::LlmInteractions,
            Record::AnalysisStep(_) => Table::AnalysisSteps,
            Record::AlgorithmDecision(_) => Table::AlgorithmDecisions,
            Record::Calculation(_) => Table::Calculations,
            Record::Anomaly(_) => Table::Anomalies,
            Record::VariableRelationship(_) => Table::VariableRelationships,
            Record::WardRanking(_) => Table::WardRankings,
            Record::VisualizationMetadata(_) => Table::VisualizationMetadata,
            Record::Explanation(_) => Table::Explanations,
            Record::RoutingDecision(_) => Table::RoutingDecisions,
            Record::ArenaBattle(_) => Table::ArenaBattles,
            Record::ArenaTrainingExport(_) => Table::ArenaTrainingExports,
        }
    }

    /// The row's primary key.
    pub fn key(&self) -> &str {
        match self {
            Record::Session(r) => r.session_id.as_str(),
            Record::Message(r) => r.message_id.as_str(),
            Record::FileUpload(r) => r.upload_id.as_str(),
            Record::AnalysisEvent(r) => r.event_id.as_str(),
            Record::ErrorEntry(r) => r.error_id.as_str(),
            Record::LlmInteraction(r) => r.interaction_id.as_str(),
            Record::AnalysisStep(r) => r.step_id.as_str(),
            Record::AlgorithmDecision(r) => r.decision_id.as_str(),
            Record::Calculation(r) => r.calculation_id.as_str(),
            Record::Anomaly(r) => r.anomaly_id.as_str(),
            Record::VariableRelationship(r) => r.relationship_id.as_str(),
            Record::WardRanking(r) => r.ranking_id.as_str(),
            Record::VisualizationMetadata(r) => r.viz_id.as_str(),
            Record::Explanation(r) => r.explanation_id.as_str(),
            Record::RoutingDecision(r) => r.routing_id.as_str(),
            Record::ArenaBattle(r) => r.battle_id.as_str(),
            Record::ArenaTrainingExport(r) => r.export_id.as_str(),
        }
    }
}
