//! The planted rows of the corrupted file, each written with the storage
//! class that makes it what it is (bound as TEXT, INTEGER, REAL or BLOB, or
//! raw bytes cast to TEXT) and recorded in the summary.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::sqlite::SqliteConnection;

use super::corrupt::{CorruptionSummary, Defect, PlantedRow};
use super::ddl::{ARENA, BASE, LegacyTable, ROUTING};
use super::insert::{Value, insert_one};
use super::rng::Rng;
use super::summary::FixtureSummary;
use super::{FixtureError, py};

/// Where a planted row's `session_id` points.
#[derive(Clone, Copy)]
pub(crate) enum Session {
    /// The host session (exists).
    Host,
    /// No session column, or NULL.
    Null,
    /// An id with no sessions row.
    Orphan,
}

/// One planted value: `(column, defect, detail)`.
pub(crate) type Mark = (Option<&'static str>, Defect, &'static str);

/// Writes planted rows and keeps the summary.
pub(crate) struct Planter {
    pub(crate) rng: Rng,
    fixture: FixtureSummary,
    pub(crate) host: String,
    planted: Vec<PlantedRow>,
}

/// 2025-07-28 10:15:00 plus `seconds`: the planted rows' times.
pub(crate) fn at(seconds: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 7, 28)
        .and_then(|d| d.and_hms_opt(10, 15, 0))
        .unwrap_or_default()
        + Duration::seconds(seconds)
}

/// 2025-07-28 10:15:00 UTC in epoch seconds.
pub(crate) const EPOCH_AT: i64 = 1_753_697_700;

impl Planter {
    pub(crate) fn new(fixture: FixtureSummary, seed: u64) -> Self {
        let mut rng = Rng::new(seed).fork(0xC0_22_u64);
        let host = rng.uuid4();
        Self {
            rng,
            fixture,
            host,
            planted: Vec::new(),
        }
    }

    pub(crate) fn into_summary(self) -> CorruptionSummary {
        CorruptionSummary {
            fixture: self.fixture,
            host_session_id: self.host,
            planted: self.planted,
        }
    }

    /// Inserts one row into `table` (`values` for `columns`), counts it, and
    /// lists `marks` against its rowid and `key`.
    pub(crate) fn plant(
        &mut self,
        conn: &mut SqliteConnection,
        table: &'static str,
        columns: &[&'static str],
        values: Vec<Value>,
        session: Session,
        marks: &[Mark],
    ) -> Result<i64, FixtureError> {
        let key = key_text(&values[0]);
        let session_text = columns
            .iter()
            .position(|c| *c == "session_id")
            .and_then(|i| key_text(&values[i]));
        let rowid = insert_one(conn, table, columns, values)?;
        self.count(table, session, session_text);
        for (column, defect, detail) in marks {
            let planted = PlantedRow {
                table,
                rowid,
                key: key.clone(),
                column: *column,
                defect: *defect,
                detail: (*detail).to_owned(),
            };
            self.planted.push(planted);
        }
        Ok(rowid)
    }

    /// Lists a mark on a row already written (the exact-twin duplicate).
    pub(crate) fn mark(
        &mut self,
        table: &'static str,
        rowid: i64,
        key: &str,
        mark: Mark,
        detail: String,
    ) {
        let (column, defect, _) = mark;
        self.planted.push(PlantedRow {
            table,
            rowid,
            key: Some(key.to_owned()),
            column,
            defect,
            detail,
        });
    }

    pub(crate) fn count(&mut self, table: &'static str, session: Session, id: Option<String>) {
        let entry = self.fixture.table_mut(table);
        entry.rows += 1;
        match (session, table) {
            (_, "sessions" | "arena_training_exports") => {}
            (Session::Null, _) => entry.null_session_rows += 1,
            (Session::Orphan, _) => {
                entry.orphan_rows += 1;
                self.fixture.orphan_session_ids.extend(id);
            }
            (Session::Host, _) => {}
        }
    }

    /// Plants a row of `table` in the host session, logged at
    /// `at(seconds)` plus a fraction, with `cells` replacing or adding
    /// columns; `session_id` overrides decide how the row is counted.
    pub(crate) fn row(
        &mut self,
        conn: &mut SqliteConnection,
        table: &'static str,
        seconds: i64,
        cells: Vec<(&'static str, Value)>,
        marks: &[Mark],
    ) -> Result<i64, FixtureError> {
        let legacy = legacy_table(table)?;
        let time = |s: i64| Value::time(at(s) + Duration::microseconds(123_456));
        let mut row: Vec<(&'static str, Value)> =
            vec![(legacy.columns[0].0, Value::from(self.rng.uuid4()))];
        if table == "sessions" {
            row.extend([
                ("start_time", time(seconds)),
                ("last_activity", time(seconds + 60)),
            ]);
        } else if legacy.columns.iter().any(|(c, _)| *c == "session_id") {
            row.extend([
                ("session_id", Value::from(self.host.clone())),
                ("timestamp", time(seconds)),
            ]);
        }
        for (column, value) in cells {
            match row.iter_mut().find(|(c, _)| *c == column) {
                Some(cell) => cell.1 = value,
                None => row.push((column, value)),
            }
        }
        let session = match row.iter().find(|(c, _)| *c == "session_id").map(|(_, v)| v) {
            Some(Value::Null) => Session::Null,
            Some(Value::Text(id)) if *id != self.host && table != "sessions" => Session::Orphan,
            _ => Session::Host,
        };
        let (columns, values): (Vec<_>, Vec<_>) = row.into_iter().unzip();
        self.plant(conn, table, &columns, values, session, marks)
    }
}

/// The DDL of a legacy table by name.
fn legacy_table(name: &str) -> Result<&'static LegacyTable, FixtureError> {
    BASE.iter()
        .chain(ARENA.iter())
        .chain(std::iter::once(&ROUTING))
        .find(|t| t.name == name)
        .ok_or_else(|| FixtureError::Usage(format!("no legacy table `{name}`")))
}

/// A key value as the summary shows it.
fn key_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Text(t) => Some(t.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Real(f) => Some(py::float_repr(*f)),
        Value::Blob(b) | Value::RawText(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}
