//! The legacy DDL, statement for statement as the Python application runs
//! it at start-up (`app/interaction/core.py`, `DatabaseManager.init_database`):
//! `CREATE TABLE IF NOT EXISTS`, legacy declared types, `TEXT PRIMARY KEY`
//! without NOT NULL, foreign keys as table constraints, no index, and the
//! `ALTER TABLE ... ADD COLUMN enhanced_timing` of July 2025. SQLite stores
//! the text from `CREATE TABLE` on, so `sqlite_master.sql` of a generated
//! file reads exactly like a production file's.

/// A legacy table: name, columns `(name, declared type)` in order, foreign
/// keys `(column, parent table, parent column)` in the order declared.
pub(crate) struct LegacyTable {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    pub foreign_keys: &'static [(&'static str, &'static str, &'static str)],
}

const SESSION_FK: (&str, &str, &str) = ("session_id", "sessions", "session_id");
const STEP_FK: (&str, &str, &str) = ("step_id", "analysis_steps", "step_id");

macro_rules! table {
    ($name:literal, [$(($c:literal, $t:literal)),* $(,)?], [$($fk:expr),* $(,)?]) => {
        LegacyTable { name: $name, columns: &[$(($c, $t)),*], foreign_keys: &[$($fk),*] }
    };
}

/// The fourteen tables of the note's era, in the order the app creates them.
/// `llm_interactions` is listed without `enhanced_timing` (see [`LLM_NEW`]).
#[rustfmt::skip]
pub(crate) const BASE: [LegacyTable; 14] = [
    table!("sessions", [("session_id", "TEXT PRIMARY KEY"), ("start_time", "TIMESTAMP"), ("last_activity", "TIMESTAMP"), ("user_language", "TEXT"), ("browser_info", "TEXT"), ("ip_address", "TEXT"), ("analysis_complete", "BOOLEAN DEFAULT 0"), ("files_uploaded", "BOOLEAN DEFAULT 0")], []),
    table!("messages", [("message_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("sender", "TEXT"), ("content", "TEXT"), ("intent", "TEXT"), ("entities", "TEXT")], [SESSION_FK]),
    table!("file_uploads", [("upload_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("file_type", "TEXT"), ("file_name", "TEXT"), ("file_size", "INTEGER"), ("metadata", "TEXT")], [SESSION_FK]),
    table!("analysis_events", [("event_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("event_type", "TEXT"), ("details", "TEXT"), ("success", "BOOLEAN")], [SESSION_FK]),
    table!("errors", [("error_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("error_type", "TEXT"), ("error_message", "TEXT"), ("stack_trace", "TEXT")], [SESSION_FK]),
    table!("analysis_steps", [("step_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("step_name", "TEXT"), ("input_summary", "TEXT"), ("output_summary", "TEXT"), ("algorithm", "TEXT"), ("parameters", "TEXT"), ("execution_time", "REAL"), ("error", "TEXT")], [SESSION_FK]),
    table!("algorithm_decisions", [("decision_id", "TEXT PRIMARY KEY"), ("step_id", "TEXT"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("decision_type", "TEXT"), ("options", "TEXT"), ("criteria", "TEXT"), ("selected_option", "TEXT"), ("confidence", "REAL")], [SESSION_FK, STEP_FK]),
    table!("calculations", [("calculation_id", "TEXT PRIMARY KEY"), ("step_id", "TEXT"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("variable", "TEXT"), ("operation", "TEXT"), ("input_values", "TEXT"), ("output_value", "TEXT"), ("context", "TEXT")], [SESSION_FK, STEP_FK]),
    table!("anomalies", [("anomaly_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("entity_name", "TEXT"), ("anomaly_type", "TEXT"), ("expected_value", "TEXT"), ("actual_value", "TEXT"), ("significance", "TEXT"), ("context", "TEXT")], [SESSION_FK]),
    table!("variable_relationships", [("relationship_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("variable_name", "TEXT"), ("relationship_type", "TEXT"), ("evidence", "TEXT"), ("confidence_score", "REAL")], [SESSION_FK]),
    table!("ward_rankings", [("ranking_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("ward_name", "TEXT"), ("overall_rank", "INTEGER"), ("median_score", "REAL"), ("vulnerability_category", "TEXT"), ("contributing_factors", "TEXT"), ("anomaly_flags", "TEXT")], [SESSION_FK]),
    table!("visualization_metadata", [("viz_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("viz_type", "TEXT"), ("variables_used", "TEXT"), ("data_summary", "TEXT"), ("visual_elements", "TEXT"), ("patterns_detected", "TEXT")], [SESSION_FK]),
    table!("llm_interactions", [("interaction_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("prompt_type", "TEXT"), ("prompt", "TEXT"), ("prompt_context", "TEXT"), ("response", "TEXT"), ("tokens_used", "INTEGER"), ("latency", "REAL")], [SESSION_FK]),
    table!("explanations", [("explanation_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("entity_type", "TEXT"), ("entity_name", "TEXT"), ("question_type", "TEXT"), ("question", "TEXT"), ("explanation", "TEXT"), ("context_used", "TEXT"), ("llm_interaction_id", "TEXT")], [SESSION_FK, ("llm_interaction_id", "llm_interactions", "interaction_id")]),
];

/// `llm_interactions` as created from July 2025 on, `enhanced_timing` included.
#[rustfmt::skip]
pub(crate) const LLM_NEW: LegacyTable = table!("llm_interactions", [("interaction_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("prompt_type", "TEXT"), ("prompt", "TEXT"), ("prompt_context", "TEXT"), ("response", "TEXT"), ("tokens_used", "INTEGER"), ("latency", "REAL"), ("enhanced_timing", "TEXT")], [SESSION_FK]);

/// The start-up migration of July 2025; fails harmlessly (and is ignored)
/// when the column exists.
pub(crate) const ADD_ENHANCED_TIMING: &str =
    "\n            ALTER TABLE llm_interactions ADD COLUMN enhanced_timing TEXT\n            ";

/// The arena tables of the September–October 2025 releases.
#[rustfmt::skip]
pub(crate) const ARENA: [LegacyTable; 2] = [
    table!("arena_battles", [("battle_id", "TEXT PRIMARY KEY"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("user_message", "TEXT"), ("model_a", "TEXT"), ("model_b", "TEXT"), ("response_a", "TEXT"), ("response_b", "TEXT"), ("latency_a", "REAL"), ("latency_b", "REAL"), ("tokens_a", "INTEGER"), ("tokens_b", "INTEGER"), ("user_preference", "TEXT"), ("elo_before_a", "REAL"), ("elo_before_b", "REAL"), ("elo_after_a", "REAL"), ("elo_after_b", "REAL"), ("view_index", "INTEGER")], [SESSION_FK]),
    table!("arena_training_exports", [("export_id", "TEXT PRIMARY KEY"), ("export_timestamp", "TIMESTAMP"), ("export_type", "TEXT"), ("format", "TEXT"), ("file_path", "TEXT"), ("metadata", "TEXT"), ("battles_included", "INTEGER")], []),
];

/// `routing_decisions`, from the October 2025 releases on.
#[rustfmt::skip]
pub(crate) const ROUTING: LegacyTable = table!("routing_decisions", [("routing_id", "TEXT PRIMARY KEY"), ("message_id", "TEXT"), ("session_id", "TEXT"), ("timestamp", "TIMESTAMP"), ("user_message", "TEXT"), ("routing_decision", "TEXT"), ("routing_method", "TEXT"), ("keywords_matched", "TEXT"), ("confidence", "REAL"), ("ollama_reasoning", "TEXT"), ("session_context", "TEXT")], [SESSION_FK, ("message_id", "messages", "message_id")]);

impl LegacyTable {
    /// The statement exactly as the Python source passes it to `execute`,
    /// indentation and surrounding newlines included.
    pub(crate) fn create_statement(&self) -> String {
        let mut lines: Vec<String> = self
            .columns
            .iter()
            .map(|(name, ty)| format!("                {name} {ty}"))
            .collect();
        lines.extend(self.foreign_keys.iter().map(|(col, parent, pcol)| {
            format!("                FOREIGN KEY ({col}) REFERENCES {parent} ({pcol})")
        }));
        format!(
            "\n            CREATE TABLE IF NOT EXISTS {} (\n{}\n            )\n            ",
            self.name,
            lines.join(",\n")
        )
    }
}
