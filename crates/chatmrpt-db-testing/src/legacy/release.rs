//! The releases of the legacy application whose files must be adopted.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use serde::Serialize;

use super::FixtureError;
use super::ddl::{ADD_ENHANCED_TIMING, ARENA, BASE, LLM_NEW, LegacyTable, ROUTING};

/// A release of the legacy ChatMRPT application, by the schema its
/// `interactions.db` ends up with (legacy-schema.md, "Tables").
///
/// | release | tables | `enhanced_timing` | how the file got there |
/// |---|---|---|---|
/// | `NoteEra` | 14 | no | created before July 2025 and never upgraded (the note's file) |
/// | `July2025` | 14 | yes, by `ALTER TABLE` | a note-era file upgraded by the July 2025 start-up |
/// | `Arena` | 16 | yes, in `CREATE TABLE` | created by a September–October 2025 release: 14 + `arena_battles`, `arena_training_exports` |
/// | `Routing` | 15 | yes, in `CREATE TABLE` | created by the newest releases (from October 2025): 14 + `routing_decisions`, no arena |
/// | `AllReleases` | 17 | yes, by `ALTER TABLE` | a note-era file that lived through every release since |
///
/// Tables and the column come only from start-up DDL, so a file's schema is
/// the union of the releases it lived through, in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// 14 tables, no `llm_interactions.enhanced_timing`.
    NoteEra,
    /// 14 tables, `enhanced_timing` added by the July 2025 `ALTER TABLE`.
    July2025,
    /// 16 tables: the 14 plus the two arena tables (September–October 2025).
    Arena,
    /// 15 tables: the 14 plus `routing_decisions` (newest releases, no arena).
    Routing,
    /// 17 tables: a file that lived through every release.
    AllReleases,
}

impl Release {
    /// Every release, oldest schema first.
    pub const ALL: [Release; 5] = [
        Release::NoteEra,
        Release::July2025,
        Release::Arena,
        Release::Routing,
        Release::AllReleases,
    ];

    /// The name used on the command line (`note-era`, `july-2025`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Release::NoteEra => "note-era",
            Release::July2025 => "july-2025",
            Release::Arena => "arena",
            Release::Routing => "routing",
            Release::AllReleases => "all-releases",
        }
    }

    /// The tables of a file of this release, in `sqlite_master` order.
    pub fn tables(self) -> Vec<&'static str> {
        self.legacy_tables().iter().map(|t| t.name).collect()
    }

    /// Whether `llm_interactions` has the `enhanced_timing` column.
    pub const fn has_enhanced_timing(self) -> bool {
        !matches!(self, Release::NoteEra)
    }

    /// Whether the arena tables exist.
    pub const fn has_arena(self) -> bool {
        matches!(self, Release::Arena | Release::AllReleases)
    }

    /// Whether `routing_decisions` exists.
    pub const fn has_routing(self) -> bool {
        matches!(self, Release::Routing | Release::AllReleases)
    }

    /// The columns `(name, declared type)` of `table` in a file of this
    /// release, as `PRAGMA table_info` reports them; `None` when the table
    /// does not exist in this release.
    pub fn columns(self, table: &str) -> Option<Vec<(&'static str, &'static str)>> {
        let found = self.legacy_tables().into_iter().find(|t| t.name == table)?;
        let mut columns: Vec<_> = found
            .columns
            .iter()
            .map(|(name, ty)| (*name, declared_type(ty)))
            .collect();
        if table == "llm_interactions" && self.has_enhanced_timing() && columns.len() == 9 {
            columns.push(("enhanced_timing", "TEXT"));
        }
        Some(columns)
    }

    /// The time span the file's rows cover: `(first, last)`.
    pub(crate) fn span(self) -> (NaiveDateTime, NaiveDateTime) {
        match self {
            Release::NoteEra => (at(2025, 3, 3), at(2025, 7, 14)),
            Release::July2025 => (at(2025, 3, 3), at(2025, 8, 29)),
            Release::Arena => (at(2025, 9, 1), at(2025, 10, 20)),
            Release::Routing => (at(2025, 10, 13), at(2025, 11, 24)),
            Release::AllReleases => (at(2025, 3, 3), at(2025, 11, 24)),
        }
    }

    /// The tables as declared, `llm_interactions` in its era's form.
    pub(crate) fn legacy_tables(self) -> Vec<&'static LegacyTable> {
        let fresh = matches!(self, Release::Arena | Release::Routing);
        let mut tables: Vec<&'static LegacyTable> = BASE
            .iter()
            .map(|t| {
                if fresh && t.name == "llm_interactions" {
                    &LLM_NEW
                } else {
                    t
                }
            })
            .collect();
        if self.has_arena() {
            tables.extend(ARENA.iter());
        }
        if self.has_routing() {
            tables.push(&ROUTING);
        }
        tables
    }

    /// Runs the start-up DDL of every release the file lived through.
    pub(crate) fn create_schema(self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        for table in self.legacy_tables() {
            conn.batch_execute(&table.create_statement())?;
            if table.name == "llm_interactions"
                && matches!(self, Release::July2025 | Release::AllReleases)
            {
                // The upgrade start-up: the note-era table gains the column.
                conn.batch_execute(ADD_ENHANCED_TIMING)?;
            }
        }
        Ok(())
    }
}

/// `PRAGMA table_info` reports the type without constraints or default.
fn declared_type(spec: &'static str) -> &'static str {
    spec.split_whitespace().next().unwrap_or(spec)
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_opt(6, 0, 0))
        .unwrap_or_default()
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Release {
    type Err = FixtureError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Release::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| FixtureError::Usage(format!(
                "unknown release `{name}`; one of note-era, july-2025, arena, routing, all-releases"
            )))
    }
}
