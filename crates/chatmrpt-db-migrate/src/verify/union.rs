//! Several files as one side of verify: the union of their rows, as the
//! backfills of each left them in the target.
//!
//! A key several files hold (the same session cookie served by two hosts)
//! is kept once per distinct row: the diff finds the target's copy equal
//! when it matches any of them, and a session whose copies differ is
//! compared as their convergence (`chatmrpt_db_core::convergence`), which
//! is what the backfills made of it.

use std::collections::BTreeMap;
use std::time::Duration;

use chatmrpt_db_core::{Session, Table};

use super::canon::Hash;
use super::compared::{Chunk, ComparedStore, Range, ReadStat, Unloadable};
use super::legacy::{CachedChunk, LegacyReader};
use crate::error::Result;

/// The files, compared as one.
pub(crate) struct UnionReader {
    parts: Vec<LegacyReader>,
    /// The merged rows of the last chunk, reused by `rows`.
    cached: Option<CachedChunk>,
}

impl UnionReader {
    pub(crate) fn new(parts: Vec<LegacyReader>) -> Self {
        Self {
            parts,
            cached: None,
        }
    }

    /// Every part's rows of `range`, in key order (byte order, as each part
    /// gives them); a row several files hold alike is kept once.
    fn merged(&mut self, table: Table, range: &Range) -> Result<Vec<(String, Hash)>> {
        let mut all = Vec::new();
        for part in &mut self.parts {
            part.chunk(table, range)?;
            all.extend(part.rows(table, range)?);
        }
        all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
        all.dedup();
        Ok(all)
    }
}

impl ComparedStore for UnionReader {
    fn has(&mut self, table: Table) -> Result<bool> {
        let mut any = false;
        for part in &mut self.parts {
            any |= part.has(table)?;
        }
        Ok(any)
    }

    fn boundary(&mut self, table: Table, after: Option<&str>, n: usize) -> Result<Option<String>> {
        // The nearest of the parts' n-th keys: no part has more than n keys
        // up to it, so no read holds a file longer than one part's would.
        let mut nearest: Option<String> = None;
        for part in &mut self.parts {
            if let Some(key) = part.boundary(table, after, n)? {
                nearest = Some(match nearest {
                    Some(k) if k.as_bytes() <= key.as_bytes() => k,
                    _ => key,
                });
            }
        }
        Ok(nearest)
    }

    fn chunk(&mut self, table: Table, range: &Range) -> Result<Chunk> {
        let rows = self.merged(table, range)?;
        let chunk = Chunk::of(&rows);
        self.cached = Some((table, range.clone(), rows));
        Ok(chunk)
    }

    fn rows(&mut self, table: Table, range: &Range) -> Result<Vec<(String, Hash)>> {
        match self.cached.take() {
            Some((t, r, rows)) if t == table && r == *range => Ok(rows),
            _ => self.merged(table, range),
        }
    }

    fn sessions(&mut self, range: &Range) -> Result<Vec<Session>> {
        let mut by_key: BTreeMap<Vec<u8>, Session> = BTreeMap::new();
        for part in &mut self.parts {
            for session in part.sessions(range)? {
                let key = session.session_id.as_str().as_bytes().to_vec();
                let merged = match by_key.remove(&key) {
                    Some(seen) => seen.converge(&session),
                    None => session,
                };
                by_key.insert(key, merged);
            }
        }
        Ok(by_key.into_values().collect())
    }

    fn take_unloadable(&mut self) -> Vec<Unloadable> {
        self.parts
            .iter_mut()
            .flat_map(ComparedStore::take_unloadable)
            .collect()
    }

    fn last_read(&self) -> Option<ReadStat> {
        self.parts
            .iter()
            .filter_map(ComparedStore::last_read)
            .max_by_key(|r| r.took)
            .map(|slowest| ReadStat {
                heaviest: self
                    .parts
                    .iter()
                    .filter_map(ComparedStore::last_read)
                    .map(|r| r.heaviest)
                    .max()
                    .unwrap_or(slowest.heaviest),
                ..slowest
            })
    }

    fn longest_read(&self) -> Option<Duration> {
        self.parts
            .iter()
            .filter_map(ComparedStore::longest_read)
            .max()
    }
}
