//! What the generated rows share: the seeded generator, the row counts, the
//! sessions that child rows belong to (and the orphan ids that have no
//! sessions row), and the running summary.

use chrono::{Duration, NaiveDateTime, Timelike};

use super::release::Release;
use super::rng::Rng;
use super::summary::FixtureSummary;

/// Rows per table at scale 1. The six counts of the migration note; the
/// other tables small (newer releases) or empty (the note's era, as the note
/// found them).
fn base_count(release: Release, table: &str) -> u64 {
    let note_era = release == Release::NoteEra;
    match table {
        "sessions" => 43_871,
        "messages" => 630,
        "file_uploads" => 248,
        "analysis_events" => 1_089,
        "errors" => 2,
        "llm_interactions" => 740,
        _ if note_era => 0,
        "analysis_steps" => 36,
        "algorithm_decisions" => 24,
        "calculations" => 48,
        "anomalies" => 12,
        "variable_relationships" => 18,
        "ward_rankings" => 120,
        "visualization_metadata" => 20,
        "explanations" => 15,
        "routing_decisions" => 410,
        "arena_battles" => 64,
        "arena_training_exports" => 3,
        _ => 0,
    }
}

/// The share of child rows whose `session_id` has no sessions row.
const ORPHAN_SHARE: f64 = 0.07;

/// A session that child rows can belong to.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub id: String,
    pub start: NaiveDateTime,
}

/// The session a child row was logged for, and when.
#[derive(Debug, Clone)]
pub(crate) struct ChildOf {
    pub session_id: Option<String>,
    pub at: NaiveDateTime,
    pub orphan: bool,
}

/// The state shared by the table generators.
pub(crate) struct World {
    pub rng: Rng,
    pub release: Release,
    pub scale: f64,
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    /// Sessions with child rows, in time order.
    pub active: Vec<Owner>,
    /// Session ids child rows use without a sessions row.
    pub orphans: Vec<Owner>,
    pub summary: FixtureSummary,
}

impl World {
    pub(crate) fn new(release: Release, scale: f64, seed: u64) -> Self {
        let (first, last) = release.span();
        Self {
            rng: Rng::new(seed),
            release,
            scale,
            first,
            last,
            active: Vec::new(),
            orphans: Vec::new(),
            summary: FixtureSummary::new(release, scale, seed),
        }
    }

    /// Rows `table` gets at this scale: `ceil(base * scale)`, so every
    /// non-empty table keeps at least one row at small scales.
    pub(crate) fn count(&self, table: &str) -> u64 {
        match base_count(self.release, table) {
            0 => 0,
            base => (base as f64 * self.scale).ceil() as u64,
        }
    }

    /// Child rows of every table but sessions, at this scale.
    pub(crate) fn child_rows(&self) -> u64 {
        self.release
            .tables()
            .iter()
            .filter(|t| **t != "sessions")
            .map(|t| self.count(t))
            .sum()
    }

    /// A session for a child row, logged between `window` (default: the
    /// whole span): an active session, or an orphan id.
    pub(crate) fn child(&mut self, window: Option<(NaiveDateTime, NaiveDateTime)>) -> ChildOf {
        let (lo, hi) = window.unwrap_or((self.first, self.last));
        let orphan = self.rng.chance(ORPHAN_SHARE) || self.active.is_empty();
        let pool = if orphan { &self.orphans } else { &self.active };
        let start = pool.partition_point(|o| o.start < lo);
        let end = pool.partition_point(|o| o.start <= hi);
        let owner = if start < end {
            let i = start + self.rng.below((end - start) as u64) as usize;
            Some(pool[i].clone())
        } else {
            None
        };
        match owner {
            Some(owner) => {
                let at = jitter(&mut self.rng, owner.start, 2_400);
                ChildOf {
                    session_id: Some(owner.id),
                    at,
                    orphan,
                }
            }
            // No session in the window: the row's session was never
            // created (an orphan of its own).
            None => {
                let at = time_between(&mut self.rng, lo, hi);
                let id = self.rng.uuid4();
                ChildOf {
                    session_id: Some(id),
                    at,
                    orphan: true,
                }
            }
        }
    }

    /// Counts a written child row in the summary.
    pub(crate) fn record(&mut self, table: &'static str, child: &ChildOf) {
        let entry = self.summary.table_mut(table);
        entry.rows += 1;
        match (&child.session_id, child.orphan) {
            (None, _) => entry.null_session_rows += 1,
            (Some(id), true) => {
                entry.orphan_rows += 1;
                self.summary.orphan_session_ids.insert(id.clone());
            }
            (Some(_), false) => {}
        }
    }

    /// Counts a row with no session column (training exports).
    pub(crate) fn record_plain(&mut self, table: &'static str) {
        self.summary.table_mut(table).rows += 1;
    }
}

/// `at` plus up to `max_seconds`, with a fresh microsecond.
pub(crate) fn jitter(rng: &mut Rng, at: NaiveDateTime, max_seconds: i64) -> NaiveDateTime {
    let offset = Duration::seconds(rng.range(0, max_seconds));
    with_micros(rng, at + offset)
}

/// A time in `lo..=hi`.
pub(crate) fn time_between(rng: &mut Rng, lo: NaiveDateTime, hi: NaiveDateTime) -> NaiveDateTime {
    let span = (hi - lo).num_seconds().max(0);
    let offset = Duration::seconds(rng.range(0, span));
    with_micros(rng, lo + offset)
}

/// A microsecond as `datetime.now()` gives it; one time in two hundred a
/// whole second, so the fraction-less form is common enough to be tested.
pub(crate) fn with_micros(rng: &mut Rng, at: NaiveDateTime) -> NaiveDateTime {
    let micros = if rng.chance(0.005) {
        0
    } else {
        rng.range(1, 999_999) as u32
    };
    at.with_nanosecond(micros * 1_000).unwrap_or(at)
}
