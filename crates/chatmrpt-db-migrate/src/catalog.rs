//! The target columns of each table, in PostgreSQL column order, with the
//! kind of value each holds. Mirrors `migrations_postgres` (a test checks it
//! against the migrated schema); the first column is the primary key.

use chatmrpt_db_core::Table;

/// What a target column holds, which decides how a legacy value converts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `text`: UTF-8 without NUL, byte for byte.
    Text,
    /// `timestamptz`, microseconds.
    Timestamp,
    /// `boolean`.
    Bool,
    /// `bigint`.
    BigInt,
    /// `double precision`, bit for bit.
    Double,
}

/// A target column.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    /// Its name (a legacy column name: `[a-z_]+`).
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
}

const fn c(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

use Kind::{BigInt as I, Bool as B, Double as D, Text as T, Timestamp as S};

const SESSIONS: &[Column] = &[
    c("session_id", T),
    c("start_time", S),
    c("last_activity", S),
    c("user_language", T),
    c("browser_info", T),
    c("ip_address", T),
    c("analysis_complete", B),
    c("files_uploaded", B),
];
const MESSAGES: &[Column] = &[
    c("message_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("sender", T),
    c("content", T),
    c("intent", T),
    c("entities", T),
];
const FILE_UPLOADS: &[Column] = &[
    c("upload_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("file_type", T),
    c("file_name", T),
    c("file_size", I),
    c("metadata", T),
];
const ANALYSIS_EVENTS: &[Column] = &[
    c("event_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("event_type", T),
    c("details", T),
    c("success", B),
];
const ERRORS: &[Column] = &[
    c("error_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("error_type", T),
    c("error_message", T),
    c("stack_trace", T),
];
const LLM_INTERACTIONS: &[Column] = &[
    c("interaction_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("prompt_type", T),
    c("prompt", T),
    c("prompt_context", T),
    c("response", T),
    c("tokens_used", I),
    c("latency", D),
    c("enhanced_timing", T),
];
const ANALYSIS_STEPS: &[Column] = &[
    c("step_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("step_name", T),
    c("input_summary", T),
    c("output_summary", T),
    c("algorithm", T),
    c("parameters", T),
    c("execution_time", D),
    c("error", T),
];
const ALGORITHM_DECISIONS: &[Column] = &[
    c("decision_id", T),
    c("step_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("decision_type", T),
    c("options", T),
    c("criteria", T),
    c("selected_option", T),
    c("confidence", D),
];
const CALCULATIONS: &[Column] = &[
    c("calculation_id", T),
    c("step_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("variable", T),
    c("operation", T),
    c("input_values", T),
    c("output_value", T),
    c("context", T),
];
const ANOMALIES: &[Column] = &[
    c("anomaly_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("entity_name", T),
    c("anomaly_type", T),
    c("expected_value", T),
    c("actual_value", T),
    c("significance", T),
    c("context", T),
];
const VARIABLE_RELATIONSHIPS: &[Column] = &[
    c("relationship_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("variable_name", T),
    c("relationship_type", T),
    c("evidence", T),
    c("confidence_score", D),
];
const WARD_RANKINGS: &[Column] = &[
    c("ranking_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("ward_name", T),
    c("overall_rank", I),
    c("median_score", D),
    c("vulnerability_category", T),
    c("contributing_factors", T),
    c("anomaly_flags", T),
];
const VISUALIZATION_METADATA: &[Column] = &[
    c("viz_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("viz_type", T),
    c("variables_used", T),
    c("data_summary", T),
    c("visual_elements", T),
    c("patterns_detected", T),
];
const EXPLANATIONS: &[Column] = &[
    c("explanation_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("entity_type", T),
    c("entity_name", T),
    c("question_type", T),
    c("question", T),
    c("explanation", T),
    c("context_used", T),
    c("llm_interaction_id", T),
];
const ROUTING_DECISIONS: &[Column] = &[
    c("routing_id", T),
    c("message_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("user_message", T),
    c("routing_decision", T),
    c("routing_method", T),
    c("keywords_matched", T),
    c("confidence", D),
    c("ollama_reasoning", T),
    c("session_context", T),
];
const ARENA_BATTLES: &[Column] = &[
    c("battle_id", T),
    c("session_id", T),
    c("timestamp", S),
    c("user_message", T),
    c("model_a", T),
    c("model_b", T),
    c("response_a", T),
    c("response_b", T),
    c("latency_a", D),
    c("latency_b", D),
    c("tokens_a", I),
    c("tokens_b", I),
    c("user_preference", T),
    c("elo_before_a", D),
    c("elo_before_b", D),
    c("elo_after_a", D),
    c("elo_after_b", D),
    c("view_index", I),
];
const ARENA_TRAINING_EXPORTS: &[Column] = &[
    c("export_id", T),
    c("export_timestamp", S),
    c("export_type", T),
    c("format", T),
    c("file_path", T),
    c("metadata", T),
    c("battles_included", I),
];

/// The most columns any table has (`arena_battles`): the width of the
/// staging table.
pub(crate) const MAX_COLUMNS: usize = 18;

/// The target columns of `table`, primary key first.
pub(crate) fn columns(table: Table) -> &'static [Column] {
    match table {
        Table::Sessions => SESSIONS,
        Table::Messages => MESSAGES,
        Table::FileUploads => FILE_UPLOADS,
        Table::AnalysisEvents => ANALYSIS_EVENTS,
        Table::Errors => ERRORS,
        Table::LlmInteractions => LLM_INTERACTIONS,
        Table::AnalysisSteps => ANALYSIS_STEPS,
        Table::AlgorithmDecisions => ALGORITHM_DECISIONS,
        Table::Calculations => CALCULATIONS,
        Table::Anomalies => ANOMALIES,
        Table::VariableRelationships => VARIABLE_RELATIONSHIPS,
        Table::WardRankings => WARD_RANKINGS,
        Table::VisualizationMetadata => VISUALIZATION_METADATA,
        Table::Explanations => EXPLANATIONS,
        Table::RoutingDecisions => ROUTING_DECISIONS,
        Table::ArenaBattles => ARENA_BATTLES,
        Table::ArenaTrainingExports => ARENA_TRAINING_EXPORTS,
    }
}

/// The target columns of `table` with their PostgreSQL type names, as
/// `information_schema` spells them (for the schema-drift test).
pub fn catalog_columns(table: Table) -> Vec<(&'static str, &'static str)> {
    columns(table)
        .iter()
        .map(|c| {
            let kind = match c.kind {
                Kind::Text => "text",
                Kind::Timestamp => "timestamp with time zone",
                Kind::Bool => "boolean",
                Kind::BigInt => "bigint",
                Kind::Double => "double precision",
            };
            (c.name, kind)
        })
        .collect()
}

/// The foreign keys of `table` other than `session_id`: (column, parent).
/// A row whose parent is missing cannot be loaded (the key is enforced).
pub(crate) fn parents(table: Table) -> &'static [(&'static str, Table)] {
    match table {
        Table::AlgorithmDecisions | Table::Calculations => &[("step_id", Table::AnalysisSteps)],
        Table::Explanations => &[("llm_interaction_id", Table::LlmInteractions)],
        Table::RoutingDecisions => &[("message_id", Table::Messages)],
        _ => &[],
    }
}

/// The position of `name` among the target columns of `table`.
pub(crate) fn position(table: Table, name: &str) -> Option<usize> {
    columns(table).iter().position(|c| c.name == name)
}

/// Quotes an identifier for PostgreSQL or SQLite (both use `"`), doubling
/// any quote inside. Every identifier put in SQL text goes through here.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_starts_with_its_primary_key_and_fits_the_stage() {
        for table in Table::ALL {
            let cols = columns(table);
            assert_eq!(cols[0].name, table.primary_key());
            assert_eq!(cols[0].kind, Kind::Text);
            assert!(cols.len() <= MAX_COLUMNS, "{table}");
        }
        assert_eq!(columns(Table::ArenaBattles).len(), MAX_COLUMNS);
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
