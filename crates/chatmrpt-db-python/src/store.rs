//! `_native.Store`: the store of one process, reopened after a fork.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};

use chatmrpt_db::{
    AppOptions, Config, ExplanationFilter, LegacyZone, Page, Record, Stage, StageRequest, Store,
    Table, TimeRange, Timestamp, VisualizationFilter, prepare_for_app,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::to_py;
use crate::fields::{Fields, Repairs};
use crate::handle::{Opened, helper_threads_running, stage_of};
use crate::ops;
use crate::reads::{list_table, parse_time, session_id};
use crate::rows::{JsonMode, View, to_dict, to_list};

/// The interaction log of one `InteractionLogger`.
///
/// Construction prepares the files ([`prepare_for_app`]) and keeps nothing
/// open. The store itself is opened by the first call of each process:
/// a call in a process forked after the store was opened (gunicorn's
/// `preload_app`, `os.fork()`) opens its own. The parent's store is left
/// untouched in the child, never used and never dropped: closing a
/// PostgreSQL connection there would end the parent's session, and
/// joining the parent's threads would wait for threads the child does not
/// have. Every database call runs with the GIL released.
#[pyclass(module = "chatmrpt_db._native", frozen)]
pub(crate) struct NativeStore {
    pub(crate) config: Config,
    pub(crate) strict: bool,
    pub(crate) startup_error: Option<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) adopted_backup: Option<PathBuf>,
    pub(crate) created: bool,
    pub(crate) opened: Mutex<Option<Opened>>,
    pub(crate) repairs: Repairs,
    /// The clock of the legacy text the application gives and reads: the
    /// SQLite file's, else `sqlite.legacy_timezone`, else the machine's.
    pub(crate) zone: LegacyZone,
}

/// The clock without a SQLite file (PostgreSQL alone): the setting, else
/// the machine's zone.
fn config_zone(config: &Config) -> chatmrpt_db::Result<LegacyZone> {
    config
        .sqlite
        .legacy_timezone
        .map_or_else(LegacyZone::local, Ok)
}

impl NativeStore {
    fn view(&self, json: &str) -> PyResult<View> {
        Ok(View {
            json: JsonMode::from_name(json)?,
            zone: self.zone,
        })
    }
}

#[pymethods]
impl NativeStore {
    /// Loads the configuration (`config_file`, then the `CHATMRPT_DB_*`
    /// variables; `sqlite_path` names the SQLite file) and prepares the
    /// stores: creates or adopts the SQLite file, migrates what is behind.
    /// A failure that leaves no usable store raises in strict mode and
    /// otherwise makes every later call raise `Unavailable` with the reason.
    #[new]
    #[pyo3(signature = (sqlite_path=None, *, config_file=None, strict=false, adopt=true))]
    fn new(
        py: Python<'_>,
        sqlite_path: Option<PathBuf>,
        config_file: Option<PathBuf>,
        strict: bool,
        adopt: bool,
    ) -> PyResult<Self> {
        let config = Config::load_for_app(config_file.as_deref(), sqlite_path.as_deref())
            .map_err(|e| to_py(&e))?;
        let options = AppOptions::default().with_adopt(adopt);
        let prepared = py.detach(|| prepare_for_app(&config, &options));
        let mut store = Self {
            config,
            strict,
            startup_error: None,
            warnings: Vec::new(),
            adopted_backup: None,
            created: false,
            opened: Mutex::new(None),
            repairs: Repairs::default(),
            zone: LegacyZone::UTC,
        };
        let zone = |start: &chatmrpt_db::AppStart| match start.legacy_zone {
            Some(zone) => Ok(zone),
            None => config_zone(&store.config),
        };
        match prepared.and_then(|start| zone(&start).map(|zone| (start, zone))) {
            Ok((start, zone)) => {
                store.zone = zone;
                store.warnings = start.warnings;
                store.created = start.created;
                store.adopted_backup = start.adopted.map(|report| report.backup);
            }
            Err(e) if strict => return Err(to_py(&e)),
            Err(e) => store.startup_error = Some(chatmrpt_db::error::error_chain(&e)),
        }
        Ok(store)
    }

    /// Why the store could not be prepared (`None` when it was).
    #[getter]
    fn startup_error(&self) -> Option<String> {
        self.startup_error.clone()
    }

    /// What degrades the store without stopping it (PostgreSQL down or
    /// behind at start).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The safety copy written when the legacy file was adopted now.
    #[getter]
    fn adopted_backup(&self) -> Option<PathBuf> {
        self.adopted_backup.clone()
    }

    /// Whether a new SQLite file was created.
    #[getter]
    fn created(&self) -> bool {
        self.created
    }

    /// The backend: `sqlite`, `postgres` or `dual`.
    #[getter]
    fn backend(&self) -> &'static str {
        match self.config.backend {
            chatmrpt_db::BackendKind::Sqlite => "sqlite",
            chatmrpt_db::BackendKind::Postgres => "postgres",
            chatmrpt_db::BackendKind::Dual => "dual",
        }
    }

    /// The SQLite file's path.
    #[getter]
    fn sqlite_path(&self) -> PathBuf {
        self.config.sqlite.path.clone()
    }

    /// Applies one write (`op` names it, `fields` holds its columns).
    fn write(&self, py: Python<'_>, op: &str, fields: &Bound<'_, PyDict>) -> PyResult<()> {
        let fields = Fields {
            dict: fields,
            zone: self.zone,
            table: ops::table_of(op)?,
            strict: self.strict,
            repairs: &self.repairs,
        };
        let op = ops::build(op, &fields)?;
        self.with_store(py, |store| {
            store.as_dyn().apply(&op, Timestamp::now()).map(drop)
        })
    }

    /// Whether the session is stored.
    fn session_exists(&self, py: Python<'_>, session: &str) -> PyResult<bool> {
        let id = session_id(session);
        self.with_store(py, |s| s.get_session(&id).map(|found| found.is_some()))
    }

    /// The session's row, or `None`.
    #[pyo3(signature = (session, json="parse"))]
    fn get_session<'py>(
        &self,
        py: Python<'py>,
        session: &str,
        json: &str,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let mode = self.view(json)?;
        let id = session_id(session);
        let found = self.with_store(py, |s| s.get_session(&id))?;
        found
            .map(|row| to_dict(py, &Record::Session(row), mode))
            .transpose()
    }

    /// The rows of one child table for a session, in the repository's order.
    #[pyo3(signature = (table, session, json="parse"))]
    fn list<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        session: &str,
        json: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let mode = self.view(json)?;
        let table: Table = table.parse().map_err(|e: chatmrpt_db::Error| to_py(&e))?;
        let id = session_id(session);
        let records = self.with_store(py, |s| list_table(s, table, &id))?;
        to_list(py, records, mode)
    }

    /// The session's steps, and the decisions and calculations of those
    /// steps (each oldest first), as three lists.
    #[pyo3(signature = (session, json="parse"))]
    fn list_step_details<'py>(
        &self,
        py: Python<'py>,
        session: &str,
        json: &str,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>)> {
        let mode = self.view(json)?;
        let id = session_id(session);
        let details = self.with_store(py, |s| s.list_analysis_steps(&id))?;
        let (mut steps, mut decisions, mut calculations) = (Vec::new(), Vec::new(), Vec::new());
        for detail in details {
            decisions.extend(detail.algorithm_decisions);
            calculations.extend(detail.calculations);
            steps.push(detail.step);
        }
        Ok((
            to_list(py, steps.into_iter().map(Record::AnalysisStep), mode)?,
            to_list(
                py,
                decisions.into_iter().map(Record::AlgorithmDecision),
                mode,
            )?,
            to_list(py, calculations.into_iter().map(Record::Calculation), mode)?,
        ))
    }

    /// The session's visualizations matching the filter.
    #[pyo3(signature = (session, viz_id=None, viz_type=None, json="parse"))]
    fn list_visualizations<'py>(
        &self,
        py: Python<'py>,
        session: &str,
        viz_id: Option<String>,
        viz_type: Option<String>,
        json: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let mode = self.view(json)?;
        let id = session_id(session);
        let filter = VisualizationFilter {
            viz_id: viz_id.map(Into::into),
            viz_type,
        };
        let rows = self.with_store(py, |s| s.list_visualizations(&id, &filter))?;
        to_list(
            py,
            rows.into_iter().map(Record::VisualizationMetadata),
            mode,
        )
    }

    /// The session's explanations matching the filter.
    #[pyo3(signature = (session, entity_type=None, entity_name=None, json="parse"))]
    fn list_explanations<'py>(
        &self,
        py: Python<'py>,
        session: &str,
        entity_type: Option<String>,
        entity_name: Option<String>,
        json: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let mode = self.view(json)?;
        let id = session_id(session);
        let filter = ExplanationFilter {
            entity_type,
            entity_name,
        };
        let rows = self.with_store(py, |s| s.list_explanations(&id, &filter))?;
        to_list(py, rows.into_iter().map(Record::Explanation), mode)
    }

    /// The latest ranking of one ward in the session, or `None`.
    #[pyo3(signature = (session, ward_name, json="parse"))]
    fn latest_ward_ranking<'py>(
        &self,
        py: Python<'py>,
        session: &str,
        ward_name: &str,
        json: &str,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let mode = self.view(json)?;
        let id = session_id(session);
        let found = self.with_store(py, |s| s.latest_ward_ranking(&id, ward_name))?;
        found
            .map(|row| to_dict(py, &Record::WardRanking(row), mode))
            .transpose()
    }

    /// A page of sessions ordered by start time.
    #[pyo3(signature = (offset, limit, json="parse"))]
    fn list_sessions<'py>(
        &self,
        py: Python<'py>,
        offset: u64,
        limit: u32,
        json: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let mode = self.view(json)?;
        let rows = self.with_store(py, |s| s.list_sessions(Page { offset, limit }))?;
        to_list(py, rows.into_iter().map(Record::Session), mode)
    }

    /// Up to `limit` rows of a whole table after key `after`, in key order,
    /// within `[start, end)` on its time column (legacy text, or `None`).
    #[pyo3(signature = (table, start=None, end=None, after=None, limit=1000, json="raw"))]
    #[expect(
        clippy::too_many_arguments,
        reason = "a Python signature with defaults"
    )]
    fn scan<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        start: Option<&str>,
        end: Option<&str>,
        after: Option<String>,
        limit: u32,
        json: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let mode = self.view(json)?;
        let table: Table = table.parse().map_err(|e: chatmrpt_db::Error| to_py(&e))?;
        let range = TimeRange {
            from: parse_time(start, self.zone)?,
            until: parse_time(end, self.zone)?,
        };
        let rows = self.with_store(py, |s| s.scan_table(table, &range, after.as_deref(), limit))?;
        to_list(py, rows, mode)
    }

    /// The stage this process follows: the dual store's, `off` for SQLite
    /// alone, `complete` for PostgreSQL alone.
    fn stage(&self, py: Python<'_>) -> PyResult<String> {
        self.with_store(py, |s| Ok(stage_of(s).to_string()))
    }

    /// Changes the stage of a dual store (see `chatmrpt-db stage set`);
    /// returns whether it changed.
    #[pyo3(signature = (stage, changed_by, force=false))]
    fn set_stage(
        &self,
        py: Python<'_>,
        stage: &str,
        changed_by: String,
        force: bool,
    ) -> PyResult<bool> {
        let to: Stage = stage.parse().map_err(|e: chatmrpt_db::Error| to_py(&e))?;
        self.with_store(py, |s| match s {
            Store::Dual(d) => d
                .set_stage(&StageRequest {
                    to,
                    changed_by,
                    force,
                })
                .map(|change| change.is_some()),
            _ => Err(chatmrpt_db::Error::Config(
                "the stage can only change on the dual backend (CHATMRPT_DB_BACKEND=dual)".into(),
            )),
        })
    }

    /// This process's figures: text repairs, and for a dual store its
    /// counters and both outboxes.
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let figures = self.with_store(py, |s| Ok(crate::metrics::collect(s)))?;
        let dict = crate::metrics::to_dict(py, &figures)?;
        dict.set_item(
            "nul_replaced",
            self.repairs.nul_replaced.load(Ordering::Relaxed),
        )?;
        dict.set_item(
            "text_repaired",
            self.repairs.text_repaired.load(Ordering::Relaxed),
        )?;
        dict.set_item("backend", self.backend())?;
        Ok(dict)
    }

    /// Closes this process's store (its connections, pools and threads;
    /// the next call opens it again) and waits up to `timeout_s` for its
    /// helper threads to end. The Python layer calls it before `fork()`, so
    /// that the child inherits no thread of a pool: a thread parked in a
    /// lock at fork time leaves the child's locks in a state it cannot
    /// recover from. Returns whether no helper thread is left.
    #[pyo3(signature = (timeout_s=2.0))]
    fn release(&self, py: Python<'_>, timeout_s: f64) -> bool {
        py.detach(|| {
            let pid = std::process::id();
            let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
            if opened.as_ref().is_some_and(|o| o.pid == pid) {
                drop(opened.take());
            }
            drop(opened);
            let deadline = std::time::Instant::now()
                + std::time::Duration::from_secs_f64(timeout_s.clamp(0.0, 60.0));
            loop {
                if !helper_threads_running() {
                    return true;
                }
                if std::time::Instant::now() >= deadline {
                    return false;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    }

    /// Delivers what the dual store's outboxes hold, waiting up to
    /// `timeout_s`; returns whether both are empty (tests, shutdown).
    #[pyo3(signature = (timeout_s=30.0))]
    fn drain(&self, py: Python<'_>, timeout_s: f64) -> PyResult<bool> {
        let timeout = std::time::Duration::from_secs_f64(timeout_s.max(0.0));
        self.with_store(py, |s| match s {
            Store::Dual(d) => Ok(d.drain(timeout)),
            _ => Ok(true),
        })
    }
}
