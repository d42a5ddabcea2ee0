//! Domain values out, Python values in: a row as the legacy logger's
//! readers saw it (`dict(sqlite3.Row)`): keyed by column in table order,
//! times as the legacy text, flags as 0/1, numbers as `int`/`float`, and
//! JSON-ish text left as text, parsed, or normalised as the caller asks.

use chatmrpt_db::{JsonText, Record, Timestamp};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One stored value in the legacy storage form.
enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    /// A time, as the legacy text.
    Time(String),
    Json(&'a str),
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
    v.map_or(Cell::Null, |t| Cell::Time(t.to_legacy_string()))
}

/// The columns of `record`, in table order.
fn cells(record: &Record) -> Vec<(&'static str, Cell<'_>)> {
    let t = time;
    fn c(cell: Cell<'_>) -> Cell<'_> {
        cell
    }
    match record {
        Record::Session(r) => vec![
            ("session_id", c(key(r.session_id.as_str()))),
            ("start_time", t(r.start_time)),
            ("last_activity", t(r.last_activity)),
            ("user_language", c(text(&r.user_language))),
            ("browser_info", c(text(&r.browser_info))),
            ("ip_address", c(text(&r.ip_address))),
            ("analysis_complete", c(flag(r.analysis_complete))),
            ("files_uploaded", c(flag(r.files_uploaded))),
        ],
        Record::Message(r) => vec![
            ("message_id", c(key(r.message_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("sender", c(text(&r.sender))),
            ("content", c(text(&r.content))),
            ("intent", c(text(&r.intent))),
            ("entities", c(json(&r.entities))),
        ],
        Record::FileUpload(r) => vec![
            ("upload_id", c(key(r.upload_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("file_type", c(text(&r.file_type))),
            ("file_name", c(text(&r.file_name))),
            ("file_size", c(int(r.file_size))),
            ("metadata", c(json(&r.metadata))),
        ],
        Record::AnalysisEvent(r) => vec![
            ("event_id", c(key(r.event_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("event_type", c(text(&r.event_type))),
            ("details", c(json(&r.details))),
            ("success", c(flag(r.success))),
        ],
        Record::ErrorEntry(r) => vec![
            ("error_id", c(key(r.error_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("error_type", c(text(&r.error_type))),
            ("error_message", c(text(&r.error_message))),
            ("stack_trace", c(text(&r.stack_trace))),
        ],
        Record::LlmInteraction(r) => vec![
            ("interaction_id", c(key(r.interaction_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("prompt_type", c(text(&r.prompt_type))),
            ("prompt", c(text(&r.prompt))),
            ("prompt_context", c(json(&r.prompt_context))),
            ("response", c(text(&r.response))),
            ("tokens_used", c(int(r.tokens_used))),
            ("latency", c(real(r.latency))),
            ("enhanced_timing", c(json(&r.enhanced_timing))),
        ],
        Record::AnalysisStep(r) => vec![
            ("step_id", c(key(r.step_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("step_name", c(text(&r.step_name))),
            ("input_summary", c(text(&r.input_summary))),
            ("output_summary", c(text(&r.output_summary))),
            ("algorithm", c(text(&r.algorithm))),
            ("parameters", c(json(&r.parameters))),
            ("execution_time", c(real(r.execution_time))),
            ("error", c(text(&r.error))),
        ],
        Record::AlgorithmDecision(r) => vec![
            ("decision_id", c(key(r.decision_id.as_str()))),
            (
                "step_id",
                c(opt_key(r.step_id.as_ref().map(|s| s.as_str()))),
            ),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("decision_type", c(text(&r.decision_type))),
            ("options", c(text(&r.options))),
            ("criteria", c(text(&r.criteria))),
            ("selected_option", c(text(&r.selected_option))),
            ("confidence", c(real(r.confidence))),
        ],
        Record::Calculation(r) => vec![
            ("calculation_id", c(key(r.calculation_id.as_str()))),
            (
                "step_id",
                c(opt_key(r.step_id.as_ref().map(|s| s.as_str()))),
            ),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("variable", c(text(&r.variable))),
            ("operation", c(text(&r.operation))),
            ("input_values", c(text(&r.input_values))),
            ("output_value", c(text(&r.output_value))),
            ("context", c(text(&r.context))),
        ],
        Record::Anomaly(r) => vec![
            ("anomaly_id", c(key(r.anomaly_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("entity_name", c(text(&r.entity_name))),
            ("anomaly_type", c(text(&r.anomaly_type))),
            ("expected_value", c(text(&r.expected_value))),
            ("actual_value", c(text(&r.actual_value))),
            ("significance", c(text(&r.significance))),
            ("context", c(text(&r.context))),
        ],
        Record::VariableRelationship(r) => vec![
            ("relationship_id", c(key(r.relationship_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("variable_name", c(text(&r.variable_name))),
            ("relationship_type", c(text(&r.relationship_type))),
            ("evidence", c(text(&r.evidence))),
            ("confidence_score", c(real(r.confidence_score))),
        ],
        Record::WardRanking(r) => vec![
            ("ranking_id", c(key(r.ranking_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("ward_name", c(text(&r.ward_name))),
            ("overall_rank", c(int(r.overall_rank))),
            ("median_score", c(real(r.median_score))),
            ("vulnerability_category", c(text(&r.vulnerability_category))),
            ("contributing_factors", c(text(&r.contributing_factors))),
            ("anomaly_flags", c(text(&r.anomaly_flags))),
        ],
        Record::VisualizationMetadata(r) => vec![
            ("viz_id", c(key(r.viz_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("viz_type", c(text(&r.viz_type))),
            ("variables_used", c(text(&r.variables_used))),
            ("data_summary", c(text(&r.data_summary))),
            ("visual_elements", c(text(&r.visual_elements))),
            ("patterns_detected", c(text(&r.patterns_detected))),
        ],
        Record::Explanation(r) => vec![
            ("explanation_id", c(key(r.explanation_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("entity_type", c(text(&r.entity_type))),
            ("entity_name", c(text(&r.entity_name))),
            ("question_type", c(text(&r.question_type))),
            ("question", c(text(&r.question))),
            ("explanation", c(text(&r.explanation))),
            ("context_used", c(text(&r.context_used))),
            (
                "llm_interaction_id",
                c(opt_key(r.llm_interaction_id.as_ref().map(|s| s.as_str()))),
            ),
        ],
        Record::RoutingDecision(r) => vec![
            ("routing_id", c(key(r.routing_id.as_str()))),
            (
                "message_id",
                c(opt_key(r.message_id.as_ref().map(|s| s.as_str()))),
            ),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("user_message", c(text(&r.user_message))),
            ("routing_decision", c(text(&r.routing_decision))),
            ("routing_method", c(text(&r.routing_method))),
            ("keywords_matched", c(json(&r.keywords_matched))),
            ("confidence", c(real(r.confidence))),
            ("ollama_reasoning", c(text(&r.ollama_reasoning))),
            ("session_context", c(json(&r.session_context))),
        ],
        Record::ArenaBattle(r) => vec![
            ("battle_id", c(key(r.battle_id.as_str()))),
            (
                "session_id",
                c(opt_key(r.session_id.as_ref().map(|s| s.as_str()))),
            ),
            ("timestamp", t(r.timestamp)),
            ("user_message", c(text(&r.user_message))),
            ("model_a", c(text(&r.model_a))),
            ("model_b", c(text(&r.model_b))),
            ("response_a", c(text(&r.response_a))),
            ("response_b", c(text(&r.response_b))),
            ("latency_a", c(real(r.latency_a))),
            ("latency_b", c(real(r.latency_b))),
            ("tokens_a", c(int(r.tokens_a))),
            ("tokens_b", c(int(r.tokens_b))),
            ("user_preference", c(text(&r.user_preference))),
            ("elo_before_a", c(real(r.elo_before_a))),
            ("elo_before_b", c(real(r.elo_before_b))),
            ("elo_after_a", c(real(r.elo_after_a))),
            ("elo_after_b", c(real(r.elo_after_b))),
            ("view_index", c(int(r.view_index))),
        ],
        Record::ArenaTrainingExport(r) => vec![
            ("export_id", c(key(r.export_id.as_str()))),
            ("export_timestamp", t(r.export_timestamp)),
            ("export_type", c(text(&r.export_type))),
            ("format", c(text(&r.format))),
            ("file_path", c(text(&r.file_path))),
            ("metadata", c(json(&r.metadata))),
            ("battles_included", c(int(r.battles_included))),
        ],
    }
}

/// `record` as a dict, JSON-ish columns handled as `mode` says.
pub(crate) fn to_dict<'py>(
    py: Python<'py>,
    record: &Record,
    mode: JsonMode,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (column, cell) in cells(record) {
        match cell {
            Cell::Null => dict.set_item(column, py.None())?,
            Cell::Int(v) => dict.set_item(column, v)?,
            Cell::Real(v) => dict.set_item(column, v)?,
            Cell::Text(v) => dict.set_item(column, v)?,
            Cell::Time(v) => dict.set_item(column, v)?,
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
    mode: JsonMode,
) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let list = pyo3::types::PyList::empty(py);
    for record in records {
        list.append(to_dict(py, &record, mode)?)?;
    }
    Ok(list)
}
