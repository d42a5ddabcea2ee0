//! What a generated file holds, for tests to assert on.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::release::Release;

/// Rows written to one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    /// Rows in the table.
    pub rows: u64,
    /// Rows whose `session_id` has no `sessions` row.
    pub orphan_rows: u64,
    /// Rows whose `session_id` is NULL.
    pub null_session_rows: u64,
}

/// The content of a generated legacy file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixtureSummary {
    /// The release whose schema the file has.
    pub release: Release,
    /// The scale it was written at (1 = the note's row counts).
    pub scale: f64,
    /// The seed: the same release, scale and seed write the same rows.
    pub seed: u64,
    /// Every table of the file, by name, empty ones included.
    pub tables: BTreeMap<&'static str, TableSummary>,
    /// The distinct `session_id` values (as text) that child rows use and
    /// `sessions` lacks: the sessions a backfill or adoption synthesizes.
    pub orphan_session_ids: BTreeSet<String>,
}

impl FixtureSummary {
    pub(crate) fn new(release: Release, scale: f64, seed: u64) -> Self {
        Self {
            release,
            scale,
            seed,
            tables: release
                .tables()
                .into_iter()
                .map(|t| (t, TableSummary::default()))
                .collect(),
            orphan_session_ids: BTreeSet::new(),
        }
    }

    /// Rows in `table` (0 for a table the file does not have).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables.get(table).map_or(0, |t| t.rows)
    }

    /// Rows in every table together.
    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }

    pub(crate) fn table_mut(&mut self, table: &'static str) -> &mut TableSummary {
        self.tables.entry(table).or_default()
    }
}
