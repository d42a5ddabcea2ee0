//! Messages, file uploads, analysis events, errors and LLM calls: the six
//! tables the migration note found populated.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::insert::{Batch, Value};
use super::py::{Py, dict, s, strs};
use super::text;
use super::world::{ChildOf, World, jitter};

/// A user message, for the routing decisions that point at it.
pub(crate) struct MessageRef {
    pub id: String,
    pub child: ChildOf,
    pub text: String,
}

/// Writes `messages`: user turns, each mostly answered by the assistant a
/// few seconds later in the same session, a few system notices.
pub(crate) fn messages(
    world: &mut World,
    conn: &mut SqliteConnection,
) -> Result<Vec<MessageRef>, FixtureError> {
    let columns = vec![
        "message_id",
        "session_id",
        "timestamp",
        "sender",
        "content",
        "intent",
        "entities",
    ];
    let mut batch = Batch::new("messages", columns);
    let (n, mut written, mut users) = (world.count("messages"), 0, Vec::new());
    while written < n {
        let child = world.child(None);
        let rng = &mut world.rng;
        let (id, content) = (rng.uuid4(), text::user_message(rng));
        let sender = if rng.chance(0.04) { "system" } else { "user" };
        let intent = (sender == "user" && rng.chance(0.7)).then(|| text::intent(rng).to_owned());
        let entities = entities(world);
        batch.push(
            conn,
            message_row(&id, &child, sender, &content, intent, entities),
        )?;
        world.record("messages", &child);
        written += 1;
        if sender == "user" {
            users.push(MessageRef {
                id,
                child: child.clone(),
                text: content,
            });
        }
        if written < n && world.rng.chance(0.9) {
            let reply = ChildOf {
                at: jitter(&mut world.rng, child.at + Duration::seconds(2), 40),
                ..child
            };
            let answer = text::assistant_answer(&mut world.rng);
            let id = world.rng.uuid4();
            batch.push(
                conn,
                message_row(&id, &reply, "assistant", &answer, None, None),
            )?;
            world.record("messages", &reply);
            written += 1;
        }
    }
    batch.finish(conn)?;
    Ok(users)
}

fn message_row(
    id: &str,
    child: &ChildOf,
    sender: &str,
    content: &str,
    intent: Option<String>,
    entities: Option<String>,
) -> Vec<Value> {
    vec![
        Value::from(id),
        Value::opt(child.session_id.clone()),
        Value::time(child.at),
        Value::from(sender),
        Value::from(content),
        Value::opt(intent),
        Value::opt(entities),
    ]
}

/// `json.dumps(entities)` for dicts, `str(entities)` for the lists some
/// code paths passed.
fn entities(world: &mut World) -> Option<String> {
    let rng = &mut world.rng;
    match rng.below(10) {
        0..=3 => Some(
            dict([
                ("wards", strs(&[rng.word(text::WARDS)])),
                ("variables", strs(&[rng.word(text::VARIABLES)])),
                ("lga", Py::None),
            ])
            .dumps(),
        ),
        4 => Some(strs(&[rng.word(text::WARDS), rng.word(text::WARDS)]).repr()),
        _ => None,
    }
}

/// Writes `file_uploads`: CSVs, zipped shapefiles and TPR workbooks.
pub(crate) fn uploads(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = vec![
        "upload_id",
        "session_id",
        "timestamp",
        "file_type",
        "file_name",
        "file_size",
        "metadata",
    ];
    let mut batch = Batch::new("file_uploads", columns);
    for _ in 0..world.count("file_uploads") {
        let child = world.child(None);
        let rng = &mut world.rng;
        let (file_type, size) = match rng.below(3) {
            0 => ("csv", rng.range(8_000, 3_000_000)),
            1 => ("shapefile", rng.range(200_000, 25_000_000)),
            _ => ("tpr_excel", rng.range(40_000, 5_000_000)),
        };
        let metadata = rng.chance(0.8).then(|| {
            dict([
                ("rows", Py::Int(rng.range(50, 800))),
                (
                    "columns",
                    strs(&["WardName", "LGACode", rng.word(text::VARIABLES)]),
                ),
                ("encoding", s("utf-8")),
            ])
            .dumps()
        });
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(file_type),
            Value::from(text::file_name(rng, file_type)),
            Value::Int(size),
            Value::opt(metadata),
        ];
        batch.push(conn, row)?;
        world.record("file_uploads", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

/// Writes `analysis_events`; `endpoint_response_timing` rows have no session.
pub(crate) fn events(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = vec![
        "event_id",
        "session_id",
        "timestamp",
        "event_type",
        "details",
        "success",
    ];
    let mut batch = Batch::new("analysis_events", columns);
    for _ in 0..world.count("analysis_events") {
        let mut child = world.child(None);
        let rng = &mut world.rng;
        let (kind, details) = if rng.chance(0.15) {
            child.session_id = None;
            child.orphan = false;
            let timing = dict([
                (
                    "endpoint",
                    s(rng.word(&["/send_message", "/upload_both_files", "/run_analysis"])),
                ),
                ("duration_ms", Py::Float(rng.float(40.0, 60_000.0))),
                ("status", Py::Int(200)),
            ]);
            ("endpoint_response_timing", timing.dumps())
        } else {
            let kind = rng.word(&[
                "analysis_started",
                "analysis_complete",
                "visualization_generated",
                "file_validated",
                "tpr_workflow_started",
            ]);
            let details = dict([
                ("method", s(rng.word(&["composite", "pca", "both"]))),
                ("n_wards", Py::Int(rng.range(20, 484))),
            ]);
            (
                kind,
                if rng.chance(0.1) {
                    details.repr()
                } else {
                    details.dumps()
                },
            )
        };
        let success = match rng.below(10) {
            0 => Value::Null,
            1 => Value::bool(false),
            _ => Value::bool(true),
        };
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(kind),
            Value::from(details),
            success,
        ];
        batch.push(conn, row)?;
        world.record("analysis_events", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

/// Writes `errors`: Python tracebacks.
pub(crate) fn errors(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = vec![
        "error_id",
        "session_id",
        "timestamp",
        "error_type",
        "error_message",
        "stack_trace",
    ];
    let mut batch = Batch::new("errors", columns);
    for _ in 0..world.count("errors") {
        let child = world.child(None);
        let (kind, message, trace) = text::traceback(&mut world.rng);
        let row = vec![
            Value::from(world.rng.uuid4()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(kind),
            Value::from(message),
            Value::from(trace),
        ];
        batch.push(conn, row)?;
        world.record("errors", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

/// When the upgraded app first wrote `enhanced_timing`.
fn enhanced_timing_from() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 7, 21)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Writes `llm_interactions`; returns `(interaction_id, row's session)`.
pub(crate) fn llm_calls(
    world: &mut World,
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, ChildOf)>, FixtureError> {
    let mut columns = vec![
        "interaction_id",
        "session_id",
        "timestamp",
        "prompt_type",
        "prompt",
        "prompt_context",
        "response",
        "tokens_used",
        "latency",
    ];
    let timed = world.release.has_enhanced_timing();
    if timed {
        columns.push("enhanced_timing");
    }
    let mut batch = Batch::new("llm_interactions", columns);
    let mut ids = Vec::new();
    for _ in 0..world.count("llm_interactions") {
        let child = world.child(None);
        let rng = &mut world.rng;
        let id = rng.uuid4();
        let response = text::assistant_answer(rng);
        let context = match rng.below(10) {
            0 => None,
            1 => Some(
                dict([
                    (
                        "session_id",
                        Py::Str(child.session_id.clone().unwrap_or_default()),
                    ),
                    ("has_data", Py::Bool(true)),
                ])
                .dumps(),
            ),
            // Usually the system prompt, quoted: a JSON string literal.
            _ => Some(s(text::system_prompt(rng)).dumps()),
        };
        let tokens = if rng.chance(0.15) {
            Value::Null
        } else {
            Value::Int((response.len() / 4) as i64 + rng.range(50, 900))
        };
        let mut row = vec![
            Value::from(id.clone()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(rng.word(&[
                "chat",
                "analysis_explanation",
                "ward_explanation",
                "tool_selection",
                "tpr_guidance",
            ])),
            Value::from(text::user_message(rng)),
            Value::opt(context),
            Value::from(response),
            tokens,
            Value::Real(rng.float(0.4, 45.0)),
        ];
        if timed {
            let written = child.at >= enhanced_timing_from() && rng.chance(0.9);
            row.push(Value::opt(written.then(|| timing(world))));
        }
        batch.push(conn, row)?;
        world.record("llm_interactions", &child);
        ids.push((id, child));
    }
    batch.finish(conn)?;
    Ok(ids)
}

fn timing(world: &mut World) -> String {
    let rng = &mut world.rng;
    let ttft = rng.float(0.2, 3.0);
    dict([
        ("time_to_first_token", Py::Float(ttft)),
        ("llm_time", Py::Float(ttft + rng.float(0.5, 30.0))),
        ("tool_time", Py::Float(rng.float(0.0, 12.0))),
        ("tools_called", strs(&["run_composite_analysis"])),
    ])
    .dumps()
}
