//! Domain values out, Python values in: a row as the legacy logger's
//! readers saw it (`dict(sqlite3.Row)`): keyed by column in table order,
//! times as the legacy text, flags as 0/1, numbers as `int`/`float`, and
//! JSON-ish text left as text, parsed, or normalised as the caller asks.

use chatmrpt_db::{JsonText, LegacyZone, Record, Timestamp};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One stored value in the legacy storage form.
enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    /// A time, shown as the legacy text on the file's clock.
    Time(Timestamp),
    Json(&'a str),
}

/// How rows are shown: JSON-ish columns as `json` says, times as the legacy
/// text on `zone` (the clock of the SQLite file, so what the legacy readers
/// showed).
#[derive(Clone, Copy, Debug)]
pub(crate) struct View {
    pub json: JsonMode,
    pub zone: LegacyZone,
}

/// What to do with JSON-ish columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonMode {
    /// The stored text.
    Raw,
    /// `json.loads(text)` when that succeeds, else the text (the readers).
    Parse,
    /// `json.dumps(json.loads(text))` when that succeeds, else the text
    /// (the CSV export).
    Normalise,
}

impl JsonMode {
    pub(crate) fn from_name(name: &str) -> PyResult<Self> {
        match name {
            "raw" => Ok(Self::Raw),
            "parse" => Ok(Self::Parse),
            "normalise" => Ok(Self::Normalise),
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "json mode `{other}`: expected raw, parse or normalise"
            ))),
        }
    }
}

fn text(v: &Option<String>) -> Cell<'_> {
    v.as_deref().map_or(Cell::Null, Cell::Text)
}

fn key(v: &str) -> Cell<'_> {
    Cell::Text(v)
}

fn opt_key<'a>(v: Option<&'a str>) -> Cell<'a> {
    v.map_or(Cell::Null, Cell::Text)
}

fn json(v: &Option<JsonText>) -> Cell<'_> {
    v.as_ref().map_or(Cell::Null, |j| Cell::Json(j.as_str()))
}

fn int(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Int)
}

fn real(v: Option<f64>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Real)
}

fn flag(v: Option<bool>) -> Cell<'static> {
    v.map_or(Cell::Null, |b| Cell::Int(i64::from(b)))
}

fn time(v: Option<Timestamp>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Time)
}

/// The columns of `record`, in table order.
fn cells(record: &Record) -> Vec<(&'static str, Cell<'_>)> {
    match record {
        Record::Session(r) => vec![
            ("session_id", key(r.session_id.as_str())),
            ("start_time", time(r.start_time)),
            ("last_activity", time(r.last_activity)),
            ("user_language", text(&r.user_language)),
            ("browser_info", text(&r.browser_info)),
            ("ip_address", text(&r.ip_address)),
            ("analysis_complete", flag(r.analysis_complete)),
            ("files_uploaded", flag(r.files_uploaded)),
        ],
        Record::Message(r) => vec![
            ("message_id", key(r.message_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("sender", text(&r.sender)),
            ("content", text(&r.content)),
            ("intent", text(&r.intent)),
            ("entities", json(&r.entities)),
        ],
        Record::FileUpload(r) => vec![
            ("upload_id", key(r.upload_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("file_type", text(&r.file_type)),
            ("file_name", text(&r.file_name)),
            ("file_size", int(r.file_size)),
            ("metadata", json(&r.metadata)),
        ],
        Record::AnalysisEvent(r) => vec![
            ("event_id", key(r.event_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("event_type", text(&r.event_type)),
            ("details", json(&r.details)),
            ("success", flag(r.success)),
        ],
        Record::ErrorEntry(r) => vec![
            ("error_id", key(r.error_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("error_type", text(&r.error_type)),
            ("error_message", text(&r.error_message)),
            ("stack_trace", text(&r.stack_trace)),
        ],
        Record::LlmInteraction(r) => vec![
            ("interaction_id", key(r.interaction_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("prompt_type", text(&r.prompt_type)),
            ("prompt", text(&r.prompt)),
            ("prompt_context", json(&r.prompt_context)),
            ("response", text(&r.response)),
            ("tokens_used", int(r.tokens_used)),
            ("latency", real(r.latency)),
            ("enhanced_timing", json(&r.enhanced_timing)),
        ],
        Record::AnalysisStep(r) => vec![
            ("step_id", key(r.step_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("step_name", text(&r.step_name)),
            ("input_summary", text(&r.input_summary)),
            ("output_summary", text(&r.output_summary)),
            ("algorithm", text(&r.algorithm)),
            ("parameters", json(&r.parameters)),
            ("execution_time", real(r.execution_time)),
            ("error", text(&r.error)),
        ],
        Record::AlgorithmDecision(r) => vec![
            ("decision_id", key(r.decision_id.as_str())),
            ("step_id", opt_key(r.step_id.as_ref().map(|s| s.as_str()))),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("decision_type", text(&r.decision_type)),
            ("options", text(&r.options)),
            ("criteria", text(&r.criteria)),
            ("selected_option", text(&r.selected_option)),
            ("confidence", real(r.confidence)),
        ],
        Record::Calculation(r) => vec![
            ("calculation_id", key(r.calculation_id.as_str())),
            ("step_id", opt_key(r.step_id.as_ref().map(|s| s.as_str()))),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("variable", text(&r.variable)),
            ("operation", text(&r.operation)),
            ("input_values", text(&r.input_values)),
            ("output_value", text(&r.output_value)),
            ("context", text(&r.context)),
        ],
        Record::Anomaly(r) => vec![
            ("anomaly_id", key(r.anomaly_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("entity_name", text(&r.entity_name)),
            ("anomaly_type", text(&r.anomaly_type)),
            ("expected_value", text(&r.expected_value)),
            ("actual_value", text(&r.actual_value)),
            ("significance", text(&r.significance)),
            ("context", text(&r.context)),
        ],
        Record::VariableRelationship(r) => vec![
            ("relationship_id", key(r.relationship_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("variable_name", text(&r.variable_name)),
            ("relationship_type", text(&r.relationship_type)),
            ("evidence", text(&r.evidence)),
            ("confidence_score", real(r.confidence_score)),
        ],
        Record::WardRanking(r) => vec![
            ("ranking_id", key(r.ranking_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("ward_name", text(&r.ward_name)),
            ("overall_rank", int(r.overall_rank)),
            ("median_score", real(r.median_score)),
            ("vulnerability_category", text(&r.vulnerability_category)),
            ("contributing_factors", text(&r.contributing_factors)),
            ("anomaly_flags", text(&r.anomaly_flags)),
        ],
        Record::VisualizationMetadata(r) => vec![
            ("viz_id", key(r.viz_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("viz_type", text(&r.viz_type)),
            ("variables_used", text(&r.variables_used)),
            ("data_summary", text(&r.data_summary)),
            ("visual_elements", text(&r.visual_elements)),
            ("patterns_detected", text(&r.patterns_detected)),
        ],
        Record::Explanation(r) => vec![
            ("explanation_id", key(r.explanation_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("entity_type", text(&r.entity_type)),
            ("entity_name", text(&r.entity_name)),
            ("question_type", text(&r.question_type)),
            ("question", text(&r.question)),
            ("explanation", text(&r.explanation)),
            ("context_used", text(&r.context_used)),
            (
                "llm_interaction_id",
                opt_key(r.llm_interaction_id.as_ref().map(|s| s.as_str())),
            ),
        ],
        Record::RoutingDecision(r) => vec![
            ("routing_id", key(r.routing_id.as_str())),
            (
                "message_id",
                opt_key(r.message_id.as_ref().map(|s| s.as_str())),
            ),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("user_message", text(&r.user_message)),
            ("routing_decision", text(&r.routing_decision)),
            ("routing_method", text(&r.routing_method)),
            ("keywords_matched", json(&r.keywords_matched)),
            ("confidence", real(r.confidence)),
            ("ollama_reasoning", text(&r.ollama_reasoning)),
            ("session_context", json(&r.session_context)),
        ],
        Record::ArenaBattle(r) => vec![
            ("battle_id", key(r.battle_id.as_str())),
            (
                "session_id",
                opt_key(r.session_id.as_ref().map(|s| s.as_str())),
            ),
            ("timestamp", time(r.timestamp)),
            ("user_message", text(&r.user_message)),
            ("model_a", text(&r.model_a)),
            ("model_b", text(&r.model_b)),
            ("response_a", text(&r.response_a)),
            ("response_b", text(&r.response_b)),
            ("latency_a", real(r.latency_a)),
            ("latency_b", real(r.latency_b)),
            ("tokens_a", int(r.tokens_a)),
            ("tokens_b", int(r.tokens_b)),
            ("user_preference", text(&r.user_preference)),
            ("elo_before_a", real(r.elo_before_a)),
            ("elo_before_b", real(r.elo_before_b)),
            ("elo_after_a", real(r.elo_after_a)),
            ("elo_after_b", real(r.elo_after_b)),
            ("view_index", int(r.view_index)),
        ],
        Record::ArenaTrainingExport(r) => vec![
            ("export_id", key(r.export_id.as_str())),
            ("export_timestamp", time(r.export_timestamp)),
            ("export_type", text(&r.export_type)),
            ("format", text(&r.format)),
            ("file_path", text(&r.file_path)),
            ("metadata", json(&r.metadata)),
            ("battles_included", int(r.battles_included)),
        ],
    }
}

/// `record` as a dict, JSON-ish columns handled as `mode` says.
pub(crate) fn to_dict<'py>(
    py: Python<'py>,
    record: &Record,
    View { json: mode, zone }: View,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (column, cell) in cells(record) {
        match cell {
            Cell::Null => dict.set_item(column, py.None())?,
            Cell::Int(v) => dict.set_item(column, v)?,
            Cell::Real(v) => dict.set_item(column, v)?,
            Cell::Text(v) => dict.set_item(column, v)?,
            Cell::Time(at) => dict.set_item(column, zone.to_legacy_string(at))?,
            Cell::Json(v) => dict.set_item(column, json_value(py, v, mode)?)?,
        }
    }
    Ok(dict)
}

/// A JSON-ish text as `mode` wants it: Python's own `json` module decides
/// what parses (it accepts `NaN`, as the legacy readers did).
fn json_value<'py>(py: Python<'py>, text: &str, mode: JsonMode) -> PyResult<Bound<'py, PyAny>> {
    let raw = || Ok(pyo3::types::PyString::new(py, text).into_any());
    if mode == JsonMode::Raw {
        return raw();
    }
    let json = py.import("json")?;
    match json.call_method1("loads", (text,)) {
        Ok(parsed) if mode == JsonMode::Parse => Ok(parsed),
        Ok(parsed) => json.call_method1("dumps", (parsed,)),
        Err(_) => raw(),
    }
}

/// Every record of `records` as a list of dicts.
pub(crate) fn to_list<'py>(
    py: Python<'py>,
    records: impl IntoIterator<Item = Record>,
    view: View,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let list = pyo3::types::PyList::empty(py);
    for record in records {
        list.append(to_dict(py, &record, view)?)?;
    }
    Ok(list)
}
