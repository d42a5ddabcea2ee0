//! How many rows one read of the live legacy file may take.
//!
//! Every statement on the source holds SQLite's shared lock while it steps.
//! In rollback-journal mode (the legacy application's) a writer that wants
//! to commit waits for that lock to go, and the legacy application drops a
//! write it could not make in time. So every read is sized by time, not
//! only by rows: [`Pace`] measures how long each read held the file and
//! sizes the next one to fit a budget (default
//! [`DEFAULT_READ_BUDGET`]), shrinking at once when a read ran long and
//! growing back gradually.

use std::time::Duration;

/// The default time one read of the source may hold its lock.
///
/// A quarter of the 100 ms a writer may be kept waiting: the rest absorbs a
/// slow read on a busy machine and SQLite's busy-handler sleeps.
pub const DEFAULT_READ_BUDGET: Duration = Duration::from_millis(25);

/// Rows the first read of a table takes, before its rows are weighed.
pub(crate) const FIRST_READ_ROWS: usize = 16;

/// About how many bytes of values one read takes at most, judged by the
/// heaviest row seen so far in the table.
const READ_BYTES: usize = 4 << 20;

/// Rows of up to `heaviest` bytes that fit in one read's byte allowance.
pub(crate) fn rows_within_bytes(heaviest: usize) -> usize {
    (READ_BYTES / heaviest.max(1)).max(1)
}

/// The share of the budget a read aims at.
const AIM: f64 = 0.4;

/// Sizes reads of the source to a time budget.
#[derive(Clone, Debug)]
pub(crate) struct Pace {
    limit: usize,
    max: usize,
    budget: Duration,
}

impl Pace {
    /// Starts at `first` rows per read (capped at `max`), aiming each read
    /// at `budget`.
    pub(crate) fn new(first: usize, max: usize, budget: Duration) -> Self {
        let max = max.max(1);
        Self {
            limit: first.clamp(1, max),
            max,
            budget: budget.max(Duration::from_millis(1)),
        }
    }

    /// Rows the next read may take.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Sizes the next read after one that read `rows` rows in `took`.
    pub(crate) fn observe(&mut self, rows: usize, took: Duration) {
        if rows < self.limit && took <= self.budget {
            // A short read (the end of the table) says little about speed.
            return;
        }
        let per_row = took.as_secs_f64() / rows.max(1) as f64;
        // Aim well inside the budget: rows differ in size, and on a busy
        // machine a read can be descheduled for a while.
        let fit = if per_row > 0.0 {
            (self.budget.as_secs_f64() * AIM / per_row) as usize
        } else {
            usize::MAX
        };
        // Shrink at once; grow at most twofold per read.
        let grown = self.limit.saturating_mul(2);
        self.limit = fit.min(grown).clamp(1, self.max);
    }
}

/// A duration in whole milliseconds, rounded up (for summaries).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_micros().div_ceil(1_000)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_slow_read_shrinks_the_next_one_to_fit_the_budget() {
        let mut pace = Pace::new(1_000, 10_000, 25 * MS);
        pace.observe(1_000, 100 * MS);
        // 0.1 ms a row, 10 ms aimed at: 100 rows.
        assert_eq!(pace.limit(), 100);
    }

    #[test]
    fn a_fast_read_grows_the_next_one_at_most_twofold_and_never_past_the_cap() {
        let mut pace = Pace::new(100, 250, 25 * MS);
        pace.observe(100, MS);
        assert_eq!(pace.limit(), 200);
        pace.observe(200, MS);
        assert_eq!(pace.limit(), 250);
    }

    #[test]
    fn the_end_of_a_table_does_not_count_as_a_fast_read() {
        let mut pace = Pace::new(100, 10_000, 25 * MS);
        pace.observe(3, Duration::ZERO);
        assert_eq!(pace.limit(), 100);
    }

    #[test]
    fn a_single_huge_row_still_reads_one_row_at_a_time() {
        let mut pace = Pace::new(100, 10_000, 25 * MS);
        pace.observe(100, 10_000 * MS);
        assert_eq!(pace.limit(), 1);
    }

    #[test]
    fn heavy_rows_are_read_a_few_at_a_time() {
        assert_eq!(rows_within_bytes(0), 4 << 20);
        assert_eq!(rows_within_bytes(1 << 20), 4);
        assert_eq!(rows_within_bytes(usize::MAX), 1);
    }

    #[test]
    fn millis_round_up() {
        assert_eq!(millis(Duration::from_micros(1)), 1);
        assert_eq!(millis(Duration::ZERO), 0);
        assert_eq!(millis(Duration::from_micros(25_001)), 26);
    }
}
