//! The analysis tables: steps with their decisions and calculations,
//! anomalies, variable relationships, ward rankings, visualizations and
//! explanations. Empty in the note's era; small in the newer releases.

use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::insert::{Batch, Value};
use super::py::{Py, dict, s, strs};
use super::text::{self, VARIABLES, WARDS};
use super::world::{ChildOf, World, jitter};

/// Writes `count(table)` rows whose first three columns are the key, the
/// session and the time; `rest` fills the other columns.
pub(crate) fn child_table(
    world: &mut World,
    conn: &mut SqliteConnection,
    table: &'static str,
    columns: &[&'static str],
    mut owner: impl FnMut(&mut World) -> ChildOf,
    mut rest: impl FnMut(&mut World) -> Vec<Value>,
) -> Result<Vec<(String, ChildOf)>, FixtureError> {
    let mut batch = Batch::new(table, columns.to_vec());
    let mut keys = Vec::new();
    for _ in 0..world.count(table) {
        let child = owner(world);
        let key = world.rng.uuid4();
        let mut row = vec![
            Value::from(key.clone()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
        ];
        row.extend(rest(world));
        batch.push(conn, row)?;
        world.record(table, &child);
        keys.push((key, child));
    }
    batch.finish(conn)?;
    Ok(keys)
}

pub(crate) fn json_or_repr(world: &mut World, value: Py) -> Value {
    Value::Text(if world.rng.chance(0.1) {
        value.repr()
    } else {
        value.dumps()
    })
}

/// Writes `analysis_steps`; returns `(step_id, session)` for their children.
pub(crate) fn steps(
    world: &mut World,
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, ChildOf)>, FixtureError> {
    let columns = [
        "step_id",
        "session_id",
        "timestamp",
        "step_name",
        "input_summary",
        "output_summary",
        "algorithm",
        "parameters",
        "execution_time",
        "error",
    ];
    child_table(
        world,
        conn,
        "analysis_steps",
        &columns,
        |w| w.child(None),
        |w| {
            let rng = &mut w.rng;
            let name = rng.word(&[
                "data_loading",
                "variable_selection",
                "normalization",
                "composite_scoring",
                "pca_analysis",
                "vulnerability_classification",
            ]);
            // NaN reaches the log through pandas statistics of empty columns.
            let threshold = if rng.chance(0.1) {
                f64::NAN
            } else {
                rng.float(0.1, 0.9)
            };
            let params = dict([
                (
                    "variables",
                    strs(&[rng.word(VARIABLES), rng.word(VARIABLES)]),
                ),
                ("threshold", Py::Float(threshold)),
                ("n_components", Py::Int(rng.range(2, 5))),
            ]);
            let input = dict([
                ("rows", Py::Int(rng.range(50, 484))),
                ("columns", Py::Int(rng.range(5, 40))),
            ]);
            let output = dict([
                ("wards_ranked", Py::Int(rng.range(50, 484))),
                ("explained_variance", Py::Float(rng.float(0.4, 0.95))),
            ]);
            let error = rng.chance(0.05).then(|| "ValueError: Input contains NaN, infinity or a value too large for dtype('float64').".to_owned());
            let algorithm = rng.word(&["composite_score", "pca", "min_max_normalization"]);
            let time = rng.float(0.01, 40.0);
            vec![
                Value::from(name),
                Value::from(input.dumps()),
                Value::from(output.dumps()),
                Value::from(algorithm),
                Value::from(params.dumps()),
                Value::Real(time),
                Value::opt(error),
            ]
        },
    )
}

/// The owner of a step's child row: the step's session, a little later.
fn after_step(world: &mut World, steps: &[(String, ChildOf)]) -> (Option<String>, ChildOf) {
    if steps.is_empty() || world.rng.chance(0.05) {
        return (None, world.child(None));
    }
    let (id, child) = world.rng.pick(steps).clone();
    let at = jitter(&mut world.rng, child.at, 30);
    (Some(id), ChildOf { at, ..child })
}

/// Writes `algorithm_decisions` and `calculations` for the steps.
pub(crate) fn step_children(
    world: &mut World,
    conn: &mut SqliteConnection,
    steps: &[(String, ChildOf)],
) -> Result<(), FixtureError> {
    let columns = vec![
        "decision_id",
        "step_id",
        "session_id",
        "timestamp",
        "decision_type",
        "options",
        "criteria",
        "selected_option",
        "confidence",
    ];
    let mut batch = Batch::new("algorithm_decisions", columns);
    for _ in 0..world.count("algorithm_decisions") {
        let (step, child) = after_step(world, steps);
        let rng = &mut world.rng;
        let options = strs(&["composite", "pca"]);
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(step),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(rng.word(&["method_selection", "variable_inclusion", "outlier_handling"])),
            Value::from(options.dumps()),
            Value::from("highest explained variance; data completeness above 80%"),
            Value::from(rng.word(&["composite", "pca", "\"both\""])),
            Value::Real(rng.float(0.5, 0.99)),
        ];
        batch.push(conn, row)?;
        world.record("algorithm_decisions", &child);
    }
    batch.finish(conn)?;
    let columns = vec![
        "calculation_id",
        "step_id",
        "session_id",
        "timestamp",
        "variable",
        "operation",
        "input_values",
        "output_value",
        "context",
    ];
    let mut batch = Batch::new("calculations", columns);
    for _ in 0..world.count("calculations") {
        let (step, child) = after_step(world, steps);
        let rng = &mut world.rng;
        let inputs = Py::List(
            (0..rng.range(2, 6))
                .map(|_| Py::Float(rng.float(0.0, 100.0)))
                .collect(),
        );
        let context = dict([("ward", s(rng.word(WARDS)))]);
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(step),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from(rng.word(VARIABLES)),
            Value::from(rng.word(&["normalize", "weighted_sum", "z_score", "inverse"])),
            Value::from(inputs.dumps()),
            Value::from(super::py::float_repr(rng.float(0.0, 1.0))),
            Value::from(context.dumps()),
        ];
        batch.push(conn, row)?;
        world.record("calculations", &child);
    }
    batch.finish(conn)?;
    Ok(())
}

/// Writes `explanations`, most linked to an LLM call of the same session.
pub(crate) fn explanations(
    world: &mut World,
    conn: &mut SqliteConnection,
    llm: &[(String, ChildOf)],
) -> Result<(), FixtureError> {
    let columns = vec![
        "explanation_id",
        "session_id",
        "timestamp",
        "entity_type",
        "entity_name",
        "question_type",
        "question",
        "explanation",
        "context_used",
        "llm_interaction_id",
    ];
    let mut batch = Batch::new("explanations", columns);
    for _ in 0..world.count("explanations") {
        let (link, child) = match (llm.is_empty(), world.rng.chance(0.7)) {
            (false, true) => {
                let (id, child) = world.rng.pick(llm).clone();
                (
                    Some(id),
                    ChildOf {
                        at: jitter(&mut world.rng, child.at, 5),
                        ..child
                    },
                )
            }
            _ => (None, world.child(None)),
        };
        let rng = &mut world.rng;
        let ward = rng.word(WARDS);
        let context = dict([("ward", s(ward)), ("rank", Py::Int(rng.range(1, 484)))]);
        let row = vec![
            Value::from(rng.uuid4()),
            Value::opt(child.session_id.clone()),
            Value::time(child.at),
            Value::from("ward"),
            Value::from(ward),
            Value::from("why_high_risk"),
            Value::from(text::user_message(rng)),
            Value::from(text::assistant_answer(rng)),
            Value::from(context.dumps()),
            Value::opt(link),
        ];
        batch.push(conn, row)?;
        world.record("explanations", &child);
    }
    batch.finish(conn)?;
    Ok(())
}
