//! The corrupted legacy file: a 17-table file with, on top of ordinary
//! rows, one planted row for every bad case the backfill must survive, each
//! listed with its table, rowid, key, column and why it is bad.

use std::path::Path;

use diesel::connection::Connection;
use serde::Serialize;

use super::release::Release;
use super::summary::FixtureSummary;
use super::{FixtureError, duplicate, open, plant, write_legacy_file};

/// The scale of the ordinary rows around the planted ones (878 sessions).
const BASE_SCALE: f64 = 0.02;

/// What is wrong (or merely unusual) with a planted value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Defect {
    /// A NUL byte inside TEXT (PostgreSQL text cannot hold it).
    NulInText,
    /// TEXT whose bytes are not valid UTF-8.
    InvalidUtf8,
    /// A BLOB in a TEXT column.
    BlobInText,
    /// A NULL primary key (`TEXT PRIMARY KEY` without NOT NULL allows it).
    NullPrimaryKey,
    /// A primary key another row of the table shares (see [`PlantedRow::detail`]).
    DuplicatePrimaryKey,
    /// A timestamp that is neither legacy text nor an epoch number.
    UnparseableTimestamp,
    /// Text such as `'12kb'` in an INTEGER column.
    NonNumericInteger,
    /// A fractional REAL such as `12.5` in an INTEGER column.
    FractionalInteger,
    /// Epoch seconds (INTEGER or REAL) in a timestamp column.
    EpochTimestamp,
    /// `'true'`/`'false'` text in a BOOLEAN column.
    TextBoolean,
    /// A `session_id` with no `sessions` row.
    OrphanSession,
    /// A NULL `session_id` (`analysis_events` timing rows).
    NullSessionId,
    /// A Python repr (`{'a': 1}`, `['x']`, `True`, `None`) in a JSON column.
    PythonReprJson,
    /// `NaN` inside JSON.
    NanInJson,
    /// A JSON string literal (the quoted system prompt) in `prompt_context`.
    JsonStringLiteral,
    /// A legacy timestamp without the `.ffffff` fraction.
    TimestampWithoutFraction,
    /// A legacy timestamp with the fraction.
    TimestampWithFraction,
    /// Non-ASCII text: Hausa and Yoruba letters, combining marks, emoji.
    Unicode,
    /// A very long text value (megabytes).
    VeryLongText,
    /// A key differing from another only in case: a distinct row.
    CaseVariantKey,
}

/// What a faithful backfill does with a row carrying the defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Cannot be loaded faithfully: quarantined with its original bytes.
    Reject,
    /// Loaded after an exact conversion (reported as `converted`).
    Convert,
    /// Loaded; a `sessions` row is synthesized for it (reported).
    Synthesize,
    /// Loaded as it is.
    Keep,
}

impl Defect {
    /// The disposition issue 3 prescribes for the defect.
    pub const fn disposition(self) -> Disposition {
        match self {
            Defect::NulInText
            | Defect::InvalidUtf8
            | Defect::BlobInText
            | Defect::NullPrimaryKey
            | Defect::DuplicatePrimaryKey
            | Defect::UnparseableTimestamp
            | Defect::NonNumericInteger
            | Defect::FractionalInteger => Disposition::Reject,
            Defect::EpochTimestamp | Defect::TextBoolean => Disposition::Convert,
            Defect::OrphanSession => Disposition::Synthesize,
            _ => Disposition::Keep,
        }
    }
}

/// One planted value: where it is and what is special about it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlantedRow {
    /// The table.
    pub table: &'static str,
    /// The row's rowid: unambiguous even when the key is NULL or shared.
    pub rowid: i64,
    /// The primary key as text (`None` when NULL; a BLOB key as lossy UTF-8).
    pub key: Option<String>,
    /// The column holding the planted value (`None` for the whole row).
    pub column: Option<&'static str>,
    /// What is special about it.
    pub defect: Defect,
    /// A sentence on the value, e.g. which other rowid shares the key.
    pub detail: String,
}

/// The corrupted file's content: the ordinary rows, counted with the
/// planted ones, and the planted rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorruptionSummary {
    /// Rows per table (planted rows included) and every orphan session id.
    pub fixture: FixtureSummary,
    /// The existing session most planted rows belong to.
    pub host_session_id: String,
    /// Every planted value, in the order planted.
    pub planted: Vec<PlantedRow>,
}

impl CorruptionSummary {
    /// The planted rows of one defect.
    pub fn of(&self, defect: Defect) -> Vec<&PlantedRow> {
        self.planted.iter().filter(|p| p.defect == defect).collect()
    }

    /// The rowids of `table` whose backfill disposition is `Reject`.
    pub fn rejected_rowids(&self, table: &str) -> Vec<i64> {
        let mut rowids: Vec<i64> = self
            .planted
            .iter()
            .filter(|p| p.table == table && p.defect.disposition() == Disposition::Reject)
            .map(|p| p.rowid)
            .collect();
        rowids.sort_unstable();
        rowids.dedup();
        rowids
    }
}

/// Writes the corrupted 17-table file at `path` (replacing any file there):
/// ordinary rows at a small scale plus every planted case, deterministically
/// from `seed`.
///
/// The duplicate primary key is planted twice, the two ways a legacy file
/// can hold one:
/// - `file_uploads`: a TEXT key and a BLOB key of the same bytes. SQLite's
///   unique index holds both (values of different storage classes never
///   compare equal), any conversion to text makes them one key. A Python
///   writer binding `bytes` produces exactly this.
/// - `analysis_events`: two rows with the very same TEXT key under the
///   legacy DDL's `TEXT PRIMARY KEY`. The app's SQL cannot produce it (the
///   implicit unique index refuses it), but a damaged index can; it is
///   planted by turning the implicit index into a plain one through
///   `PRAGMA writable_schema`, inserting the twin, and turning it back. The
///   DDL and index read exactly as before; `PRAGMA quick_check` passes,
///   `PRAGMA integrity_check` reports the non-unique entry, and a lookup by
///   key through the index returns only one of the two rows.
///
/// # Errors
///
/// As [`write_legacy_file`].
pub fn write_corrupted_file(
    path: impl AsRef<Path>,
    seed: u64,
) -> Result<CorruptionSummary, FixtureError> {
    let path = path.as_ref();
    let fixture = write_legacy_file(path, Release::AllReleases, BASE_SCALE, seed)?;
    let mut conn = open(path)?;
    let mut planter = plant::Planter::new(fixture, seed);
    conn.transaction(|conn| planter.plant_all(conn))?;
    drop(conn);
    duplicate::plant_exact_twin(path, &mut planter)?;
    Ok(planter.into_summary())
}
