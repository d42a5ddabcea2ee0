//! One store seen by verify: boundaries, chunk digests, row digests.

use std::time::Duration;

use chatmrpt_db_core::{Session, Table};

use super::canon::Hash;
use crate::error::Result;

/// Keys in `(after, upto]`, compared byte for byte; `None` is unbounded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Range {
    pub after: Option<String>,
    pub upto: Option<String>,
}

/// A chunk's row count and digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub rows: u64,
    pub digest: Hash,
}

impl Chunk {
    /// The chunk of `rows` (key, row digest), in key order, digested on
    /// this side (a file's; PostgreSQL digests server side).
    pub(crate) fn of(rows: &[(String, Hash)]) -> Self {
        Self {
            rows: rows.len() as u64,
            digest: super::canon::chunk_digest(rows.iter().map(|(_, d)| d)),
        }
    }
}

/// A row the side could not put in canonical form, or a later duplicate:
/// the backfill quarantined it, so it is a known difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unloadable {
    pub key: Option<String>,
    pub reason: String,
}

/// One read of a file side: how long it held the file, how many rows it
/// read, and the heaviest row (bytes of values) seen in the table so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReadStat {
    pub took: Duration,
    pub rows: usize,
    pub heaviest: usize,
}

/// A store being compared. `Send`: the two sides of a chunk are read at
/// once, each on its own thread.
pub(crate) trait ComparedStore: Send {
    /// Whether the store has `table` at all.
    fn has(&mut self, table: Table) -> Result<bool>;

    /// The `n`-th key after `after` (1-based), if there are that many.
    fn boundary(&mut self, table: Table, after: Option<&str>, n: usize) -> Result<Option<String>>;

    /// The count and digest of the rows in `range`.
    fn chunk(&mut self, table: Table, range: &Range) -> Result<Chunk>;

    /// Each row of `range` as (key, digest), in key order.
    fn rows(&mut self, table: Table, range: &Range) -> Result<Vec<(String, Hash)>>;

    /// The sessions of `range` as values (for the convergence rule), in
    /// key order; rows that cannot be read as a session are left out (they
    /// are known differences already).
    fn sessions(&mut self, range: &Range) -> Result<Vec<Session>>;

    /// Where each of `keys` came from, for a store that records it
    /// (PostgreSQL's `chatmrpt_origin`): `source:<label>`, `app`, or
    /// `None`. A key the map lacks has no recorded origin.
    fn origins(
        &mut self,
        _table: Table,
        _keys: &[String],
    ) -> Result<std::collections::HashMap<String, Option<String>>> {
        Ok(std::collections::HashMap::new())
    }

    /// Rows of `table` that are known differences, found so far.
    fn take_unloadable(&mut self) -> Vec<Unloadable> {
        Vec::new()
    }

    /// For a file that may be live: what the last chunk's read of it was
    /// like (chunks are sized from this). `None` for a server.
    fn last_read(&self) -> Option<ReadStat> {
        None
    }

    /// For a file that may be live: the longest any read held it.
    fn longest_read(&self) -> Option<Duration> {
        None
    }
}
