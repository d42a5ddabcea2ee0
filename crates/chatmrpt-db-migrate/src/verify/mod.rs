//! Verify: do two stores hold the same rows?
//!
//! Table by table, the key space is cut into chunks of about
//! [`VerifyOptions::chunk_rows`] keys (bounds taken from the source, then
//! from the target once the source runs out; keys compare byte for byte on
//! both sides). Each side digests each chunk over canonical values (see
//! `canon`); PostgreSQL does it server side. Only a chunk whose digests
//! differ is read row by row (key and row digest) to name the missing,
//! extra and differing keys. Row content is never reported: it is user text.
//!
//! Sessions compare under the convergence rule
//! (`chatmrpt_db_core::convergence`): a target session that already holds
//! everything the source's copy brings is equal (counted as converged).
//!
//! Known differences are shown but do not fail: rows the backfill
//! quarantined (found in the target's `backfill_quarantine`, or not
//! convertible, or later duplicates of a key) and sessions it synthesized.

mod canon;
mod compare;
mod compared;
mod legacy;
mod postgres;
mod sessions;
mod union;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chatmrpt_db_core::{PostgresConfig, Table};
use serde::Serialize;

use crate::bookkeeping::RecordedSource;
use crate::error::Result;
use crate::pace::{DEFAULT_READ_BUDGET, millis};
use chatmrpt_db_core::LegacyZone;
use compared::ComparedStore;
use legacy::LegacyReader;
use postgres::PgReader;

/// A store to compare.
#[derive(Clone, Debug)]
pub enum StoreRef {
    /// A legacy or SQLite-store file, opened read-only.
    Sqlite(PathBuf),
    /// Several such files, compared as the union of their rows (a source
    /// only): the files of every host backfilled into one target.
    Files(Vec<PathBuf>),
    /// A PostgreSQL schema.
    Postgres(PostgresConfig),
}

/// How to compare.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The zone of a SQLite side's naive timestamps. Default (`None`): the
    /// zone the file records, else the machine's; a zone that contradicts
    /// the file's record is refused.
    pub source_timezone: Option<LegacyZone>,
    /// Most keys per chunk (default 2,000); fewer while reading a chunk
    /// would hold a SQLite file longer than `read_budget`.
    pub chunk_rows: usize,
    /// At most this many keys are listed per table and kind (all are counted).
    pub max_keys: usize,
    /// About the longest one read may hold a SQLite side's file (default
    /// [`DEFAULT_READ_BUDGET`]): the file may be live.
    pub read_budget: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            source_timezone: None,
            chunk_rows: 2_000,
            max_keys: 10_000,
            read_budget: DEFAULT_READ_BUDGET,
        }
    }
}

/// Why a difference is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownKind {
    /// The backfill quarantined the source row.
    Quarantined,
    /// The backfill synthesized the target's sessions row.
    Synthesized,
}

/// A difference that is expected, by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KnownDifference {
    /// The key, when it is readable text.
    pub key: Option<String>,
    /// Why it is expected.
    pub kind: KnownKind,
    /// A short reason (never content).
    pub reason: String,
}

/// Keys of one kind of difference: how many, and the first ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyList {
    /// How many keys.
    pub count: u64,
    /// The first [`VerifyOptions::max_keys`] of them, in key order.
    pub keys: Vec<String>,
}

impl KeyList {
    fn push(&mut self, key: String, max: usize) {
        self.count += 1;
        if self.keys.len() < max {
            self.keys.push(key);
        }
    }
}

/// One table's comparison.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct TableReport {
    /// The table.
    pub table: Table,
    /// Rows compared on the source side (canonical rows only).
    pub source_rows: u64,
    /// Rows compared on the target side (synthesized sessions excluded).
    pub target_rows: u64,
    /// Chunks compared.
    pub chunks: u64,
    /// Chunks whose digests differed (read row by row).
    pub chunks_differing: u64,
    /// Keys in the source, not in the target.
    pub missing: KeyList,
    /// Keys in the target, not in the source, that the target records as
    /// loaded from this source or does not say where from.
    pub extra: KeyList,
    /// Keys in the target, not in the source, loaded by the backfill of
    /// another source (another host's file): expected, do not fail.
    pub from_other_sources: KeyList,
    /// Keys in the target, not in the source, written by the application
    /// (dual write, the PostgreSQL store): reported, do not fail; a host's
    /// dual write reaches its own file too, so one that is missing from
    /// the file it was written beside shows here.
    pub written_by_application: KeyList,
    /// Keys in both, with different values.
    pub differing: KeyList,
    /// Sessions whose rows differ but converge: the target already holds
    /// everything the source's copy brings (an earlier start, a later
    /// activity with its client details, a flag set by another copy; see
    /// `chatmrpt_db_core::convergence`). Equal, counted.
    pub converged: u64,
    /// Expected differences.
    pub known: Vec<KnownDifference>,
}

impl TableReport {
    /// Whether the table agrees (known differences aside).
    pub fn is_equal(&self) -> bool {
        self.missing.count == 0 && self.extra.count == 0 && self.differing.count == 0
    }
}

/// The comparison of two stores.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct VerifyReport {
    /// Every table of the interaction log present on either side.
    pub tables: Vec<TableReport>,
    /// Wall time, in milliseconds.
    pub elapsed_ms: u64,
    /// The longest any one read held a SQLite side's file, in milliseconds
    /// (`None` when neither side is a file).
    pub longest_file_read_ms: Option<u64>,
}

impl VerifyReport {
    /// Whether the stores agree (known differences aside).
    pub fn is_equal(&self) -> bool {
        self.tables.iter().all(TableReport::is_equal)
    }
}

/// Compares `source` and `target` with default options.
///
/// # Errors
///
/// As [`verify_with`].
pub fn verify(source: &StoreRef, target: &StoreRef) -> Result<VerifyReport> {
    verify_with(source, target, &VerifyOptions::default())
}

/// Compares `source` and `target`. Neither is written to.
///
/// # Errors
///
/// [`crate::Error::NotALegacyLog`] / [`crate::Error::SourceUnavailable`] for
/// a bad file, [`crate::Error::Store`] for an unreachable server,
/// [`crate::Error::Source`] / [`crate::Error::Target`] when a query fails.
pub fn verify_with(
    source: &StoreRef,
    target: &StoreRef,
    options: &VerifyOptions,
) -> Result<VerifyReport> {
    let started = Instant::now();
    if options.chunk_rows == 0 {
        return Err(crate::Error::Options(
            "chunk_rows must be at least 1".into(),
        ));
    }
    let mut known = compare::Known::default();
    let mut recorded = Vec::new();
    let mut src = open(source, false, options, (&mut known, &mut recorded))?;
    let mut tgt = open(target, true, options, (&mut known, &mut recorded))?;
    // A label is another source's only if every compared file is not the
    // one it recorded.
    let mut others: Option<std::collections::HashSet<String>> = None;
    for path in source.files() {
        let of_this = other_origins(path, &recorded, options)?;
        others = Some(match others {
            None => of_this,
            Some(so_far) => so_far.intersection(&of_this).cloned().collect(),
        });
    }
    known.other_origins = others.unwrap_or_default();
    let mut tables = Vec::new();
    for table in Table::ALL {
        if let Some(report) = compare::table(src.as_mut(), tgt.as_mut(), table, options, &known)? {
            tables.push(report);
        }
    }
    Ok(VerifyReport {
        tables,
        elapsed_ms: millis(started.elapsed()),
        longest_file_read_ms: src.longest_read().max(tgt.longest_read()).map(millis),
    })
}

impl StoreRef {
    /// The SQLite files this side reads.
    fn files(&self) -> &[PathBuf] {
        match self {
            StoreRef::Sqlite(path) => std::slice::from_ref(path),
            StoreRef::Files(paths) => paths,
            StoreRef::Postgres(_) => &[],
        }
    }
}

/// The `chatmrpt_origin` of the rows the target's backfills loaded from
/// files other than the one at `path` (see `sources::other_labels`).
fn other_origins(
    path: &std::path::Path,
    recorded: &[(String, RecordedSource)],
    options: &VerifyOptions,
) -> Result<std::collections::HashSet<String>> {
    if recorded.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let mut src = crate::source::Source::open(path, options.read_budget)?;
    let schema = src.introspect()?;
    Ok(crate::sources::other_labels(&mut src, &schema, recorded)?
        .iter()
        .map(|label| crate::target::origin_of(label))
        .collect())
}

fn open(
    store: &StoreRef,
    is_target: bool,
    options: &VerifyOptions,
    (known, recorded): (&mut compare::Known, &mut Vec<(String, RecordedSource)>),
) -> Result<Box<dyn ComparedStore>> {
    Ok(match store {
        StoreRef::Sqlite(path) => Box::new(LegacyReader::open(
            path,
            options.source_timezone,
            options.read_budget,
        )?),
        StoreRef::Files(_) if is_target => {
            return Err(crate::Error::Options(
                "several files can only be the source of verify".into(),
            ));
        }
        StoreRef::Files(paths) => {
            let mut parts = Vec::with_capacity(paths.len());
            for path in paths {
                // Each file is read on its own clock: an explicit zone is
                // checked against each one's record.
                parts.push(LegacyReader::open(
                    path,
                    options.source_timezone,
                    options.read_budget,
                )?);
            }
            Box::new(union::UnionReader::new(parts))
        }
        StoreRef::Postgres(config) => {
            let mut side = PgReader::open(config, is_target)?;
            if is_target {
                known.synthesized = side.synthesized()?;
                for table in Table::ALL {
                    known.quarantined.insert(table, side.quarantined(table)?);
                }
                recorded.extend(side.recorded_sources()?);
            }
            Box::new(side)
        }
    })
}
