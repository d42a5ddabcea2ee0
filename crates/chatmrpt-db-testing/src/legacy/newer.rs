//! The tables of the newer releases: routing decisions (October 2025 on) and
//! the arena (September–October 2025).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::conversation::MessageRef;
use super::insert::{Batch, Value};
use super::py::{Py, dict, s, strs};
use super::text;
use super::world::{ChildOf, World, jitter, time_between};

fn day(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Writes `routing_decisions`, one per routed user message (mostly).
pub(crate) fn routing(
    world: &mut World,
    conn: &mut SqliteConnection,
    users: &[MessageRef],
) -> Result<(), FixtureError> {
    let columns = vec![
        "routing_id",
        "message_id",
        "session_id",
        "timestamp",
        "user_message",
        "routing_decision",
        "routing_method",
        "keywords_matched",
        "confidence",
        "ollama_reasoning",
        "session_context",
    ];
    let mut batch = Batch::new("routing_decisions", columns);
    let from = day(2025, 10, 13);
    let routed: Vec<&MessageRef> = users.iter().filter(|m| m.child.at >= from).collect();
    for _ in 0..world.count("routing_decisions") {
        let (message, child, said) = if routed.is_empty() || world.rng.chance(0.1) {
            let child = world.child(Some((from, world.last)));
            (None, child, text::user_message(&mut world.rng))
        } else {
            let m = *world.rng.pick(&routed);
            let at = jitter(&mut world.rng, m.child.at, 1);
            (
                Some(m.id.clone()),
                ChildOf {
                    at,
                    ..m.child.clone()
                },
                m.text.clone(),
            )
        };
        let rng = &mut world.rng;
        let method = rng.word(&["keyword", "ollama", "ollama", "fallback"]);
        let reasoning = (method == "ollama").then(|| {
            "The user asks for a ranked list of wards, which needs the analysis tools.".to_owned()
        });
        let context = dict([
            ("has_data", Py::Bool(rng.chance(0.6))),
            ("analysis_complete", Py::Bool(rng.chance(0.3))),
            ("language", s("en")),
        ]);
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(message),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(said),
            Value::from(rng.word(&["needs_tools", "can_answer", "needs_clarification"])),
            Value::from(method),
            Value::from(strs(&[rng.word(&["map", "ward", "rank", "risk"])]).dumps()),
            Value::Real(rng.float(0.5, 1.0)),
            Value::opt(reasoning),
            Value::from(context.dumps()),
        ];
        batch.push(conn, row)?;
        world.record("routing_decisions", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

const MODELS: &[&str] = &[
    "llama-3.1-8b-instant",
    "llama-3.3-70b-versatile",
    "qwen/qwen3-32b",
    "openai/gpt-oss-20b",
    "gpt-4o",
];

/// Writes `arena_battles`: one row per comparison a user voted on.
pub(crate) fn arena(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = vec![
        "battle_id",
        "session_id",
        "timestamp",
        "user_message",
        "model_a",
        "model_b",
        "response_a",
        "response_b",
        "latency_a",
        "latency_b",
        "tokens_a",
        "tokens_b",
        "user_preference",
        "elo_before_a",
        "elo_before_b",
        "elo_after_a",
        "elo_after_b",
        "view_index",
    ];
    let mut batch = Batch::new("arena_battles", columns);
    let window = Some((day(2025, 9, 1), day(2025, 10, 20)));
    for _ in 0..world.count("arena_battles") {
        let child = world.child(window);
        let rng = &mut world.rng;
        let (a, b) = (rng.word(MODELS), rng.word(MODELS));
        let preference = rng.word(&["left", "right", "tie", "both_bad"]);
        let (before_a, before_b) = (
            1500.0 + rng.float(-80.0, 80.0),
            1500.0 + rng.float(-80.0, 80.0),
        );
        let delta = 32.0 / (1.0 + 10f64.powf((before_b - before_a) / 400.0));
        let (after_a, after_b) = match preference {
            "left" => (before_a + 32.0 - delta, before_b - 32.0 + delta),
            "right" => (before_a - delta, before_b + delta),
            _ => (before_a, before_b),
        };
        let (response_a, response_b) = (text::assistant_answer(rng), text::assistant_answer(rng));
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(text::user_message(rng)),
            Value::from(a),
            Value::from(b),
            Value::from(response_a.clone()),
            Value::from(response_b.clone()),
            Value::Real(rng.float(250.0, 9_000.0)),
            Value::Real(rng.float(250.0, 9_000.0)),
            Value::Int(response_a.len() as i64 / 4 + rng.range(0, 40)),
            Value::Int(response_b.len() as i64 / 4 + rng.range(0, 40)),
            Value::from(preference),
            Value::Real(before_a),
            Value::Real(before_b),
            Value::Real(after_a),
            Value::Real(after_b),
            Value::Int(rng.range(0, 3)),
        ];
        batch.push(conn, row)?;
        world.record("arena_battles", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

/// Writes `arena_training_exports` (no session column).
pub(crate) fn exports(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = vec![
        "export_id",
        "export_timestamp",
        "export_type",
        "format",
        "file_path",
        "metadata",
        "battles_included",
    ];
    let mut batch = Batch::new("arena_training_exports", columns);
    for _ in 0..world.count("arena_training_exports") {
        let rng = &mut world.rng;
        let at = time_between(rng, day(2025, 9, 15), day(2025, 10, 20));
        let path = format!(
            "/home/ec2-user/ChatMRPT/instance/arena_exports/dpo_{}.jsonl",
            at.format("%Y%m%d_%H%M%S")
        );
        let battles = rng.range(10, 400);
        let metadata = dict([
            ("models", strs(&MODELS[..3])),
            ("min_votes", Py::Int(1)),
            ("include_ties", Py::Bool(false)),
        ]);
        let row = vec![
            Value::from(rng.uuid4()),
            Value::time(at),
            Value::from(rng.word(&["dpo_pairs", "full"])),
            Value::from("jsonl"),
            Value::from(path),
            Value::from(metadata.dumps()),
            Value::Int(battles),
        ];
        batch.push(conn, row)?;
        world.record_plain("arena_training_exports");
    }
    batch.finish(conn)?;
    Ok(())
}
