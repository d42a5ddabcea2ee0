//! The insight tables: anomalies, variable relationships, ward rankings and
//! visualization metadata (empty in the note's era).

use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::analysis::{child_table, json_or_repr};
use super::insert::Value;
use super::py::{Py, dict, s, strs};
use super::text::{VARIABLES, WARDS};
use super::world::World;

/// Writes anomalies, variable relationships, ward rankings and visualizations.
pub(crate) fn insights(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let columns = [
        "anomaly_id",
        "session_id",
        "timestamp",
        "entity_name",
        "anomaly_type",
        "expected_value",
        "actual_value",
        "significance",
        "context",
    ];
    child_table(
        world,
        conn,
        "anomalies",
        &columns,
        |w| w.child(None),
        |w| {
            let rng = &mut w.rng;
            let context = dict([
                ("variable", s(rng.word(VARIABLES))),
                ("z_score", Py::Float(rng.float(2.0, 6.0))),
            ]);
            vec![
                Value::from(rng.word(WARDS)),
                Value::from("outlier"),
                Value::from(format!("{:.2}", rng.float(0.0, 50.0))),
                Value::from(format!("{:.2}", rng.float(50.0, 100.0))),
                Value::from(rng.word(&["high", "medium"])),
                json_or_repr(w, context),
            ]
        },
    )?;
    let columns = [
        "relationship_id",
        "session_id",
        "timestamp",
        "variable_name",
        "relationship_type",
        "evidence",
        "confidence_score",
    ];
    child_table(
        world,
        conn,
        "variable_relationships",
        &columns,
        |w| w.child(None),
        |w| {
            let rng = &mut w.rng;
            let evidence = dict([
                ("pearson_r", Py::Float(rng.float(-0.9, 0.9))),
                ("p_value", Py::Float(rng.float(0.0001, 0.2))),
            ]);
            vec![
                Value::from(rng.word(VARIABLES)),
                Value::from(rng.word(&[
                    "positive_correlation",
                    "negative_correlation",
                    "no_relationship",
                ])),
                Value::from(evidence.dumps()),
                Value::Real(rng.float(0.3, 0.99)),
            ]
        },
    )?;
    let columns = [
        "ranking_id",
        "session_id",
        "timestamp",
        "ward_name",
        "overall_rank",
        "median_score",
        "vulnerability_category",
        "contributing_factors",
        "anomaly_flags",
    ];
    child_table(
        world,
        conn,
        "ward_rankings",
        &columns,
        |w| w.child(None),
        |w| {
            let rng = &mut w.rng;
            let rank = rng.range(1, 484);
            let category = if rank < 50 {
                "High Risk"
            } else if rank < 200 {
                "Medium Risk"
            } else {
                "Low Risk"
            };
            let flags = if rng.chance(0.8) {
                "[]".to_owned()
            } else {
                strs(&["missing_tpr"]).dumps()
            };
            vec![
                Value::from(rng.word(WARDS)),
                Value::Int(rank),
                Value::Real(rng.float(0.0, 1.0)),
                Value::from(category),
                Value::from(strs(&[rng.word(VARIABLES), rng.word(VARIABLES)]).dumps()),
                Value::from(flags),
            ]
        },
    )?;
    let columns = [
        "viz_id",
        "session_id",
        "timestamp",
        "viz_type",
        "variables_used",
        "data_summary",
        "visual_elements",
        "patterns_detected",
    ];
    child_table(
        world,
        conn,
        "visualization_metadata",
        &columns,
        |w| w.child(None),
        |w| {
            let rng = &mut w.rng;
            let summary = dict([
                ("min", Py::Float(rng.float(0.0, 0.2))),
                ("max", Py::Float(rng.float(0.8, 1.0))),
                ("mean", Py::Float(rng.float(0.3, 0.6))),
            ]);
            let elements = dict([("colorscale", s("YlOrRd")), ("legend", Py::Bool(true))]);
            vec![
                Value::from(rng.word(&["choropleth_map", "box_plot", "histogram", "pca_biplot"])),
                Value::from(strs(&[rng.word(VARIABLES)]).dumps()),
                Value::from(summary.dumps()),
                json_or_repr(w, elements),
                Value::from(strs(&["northern wards cluster high"]).dumps()),
            ]
        },
    )?;
    Ok(())
}
