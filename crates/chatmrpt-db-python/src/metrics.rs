//! `metrics()`: this process's figures as a plain dict.

use chatmrpt_db::{CounterSnapshot, OutboxStats, Side, Store};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What one call of `metrics()` reports, read without the GIL.
pub(crate) struct Figures {
    stage: String,
    pid: u32,
    dual: Option<CounterSnapshot>,
    /// Per outbox (`sqlite`, `postgres`): its figures, or why they are unknown.
    outboxes: Vec<(&'static str, Result<OutboxStats, String>)>,
}

pub(crate) fn collect(store: &Store) -> Figures {
    let (stage, dual, outboxes) = match store {
        Store::Dual(d) => {
            let outboxes = [Side::Legacy, Side::Target]
                .into_iter()
                .map(|side| {
                    let stats = d
                        .outbox_stats(side)
                        .map_err(|e| chatmrpt_db::error::error_chain(&e));
                    (d.side_name(side), stats)
                })
                .collect();
            (d.stage().to_string(), Some(d.counters()), outboxes)
        }
        Store::Postgres(_) => ("complete".to_owned(), None, Vec::new()),
        _ => ("off".to_owned(), None, Vec::new()),
    };
    Figures {
        stage,
        pid: std::process::id(),
        dual,
        outboxes,
    }
}

pub(crate) fn to_dict<'py>(py: Python<'py>, f: &Figures) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("stage", &f.stage)?;
    dict.set_item("pid", f.pid)?;
    match &f.dual {
        Some(c) => {
            let counters = PyDict::new(py);
            counters.set_item("mirrored_now", c.mirrored_now)?;
            counters.set_item("deferred", c.deferred)?;
            counters.set_item("replayed", c.replayed)?;
            counters.set_item("dead", c.dead)?;
            counters.set_item("mismatches", c.mismatches)?;
            counters.set_item("shadow_failures", c.shadow_failures)?;
            counters.set_item("spooled", c.spooled)?;
            dict.set_item("dual", counters)?;
        }
        None => dict.set_item("dual", py.None())?,
    }
    let outboxes = PyDict::new(py);
    for (name, stats) in &f.outboxes {
        let entry = PyDict::new(py);
        match stats {
            Ok(s) => {
                entry.set_item("pending", s.pending)?;
                entry.set_item("dead", s.dead)?;
                entry.set_item("oldest_age_s", s.oldest_age().map(|age| age.as_secs_f64()))?;
            }
            Err(reason) => entry.set_item("error", reason)?,
        }
        outboxes.set_item(*name, entry)?;
    }
    dict.set_item("outbox", outboxes)?;
    Ok(dict)
}
