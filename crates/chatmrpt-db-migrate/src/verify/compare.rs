//! The chunk walk of one table and the row-by-row diff of a differing chunk.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chatmrpt_db_core::{Session, Table};

use super::canon::Hash;
use super::compared::{ComparedStore, Range};
use super::{KeyList, KnownDifference, KnownKind, TableReport, VerifyOptions};
use crate::error::Result;
use crate::pace::{FIRST_READ_ROWS, Pace, rows_within_bytes};

/// The target's record of expected differences.
#[derive(Debug, Default)]
pub(crate) struct Known {
    pub quarantined: HashMap<Table, HashSet<String>>,
    pub synthesized: HashSet<String>,
    /// The `chatmrpt_origin` of rows loaded from files known to be others
    /// than the compared one(s): such a target row is not extra.
    pub other_origins: HashSet<String>,
}

/// Where a target row that the source lacks came from.
enum Origin {
    /// This file's backfill, a label that names no file, or nothing
    /// recorded: extra.
    Extra,
    /// Another source's backfill.
    OtherSource,
    /// The application (dual write, the PostgreSQL store).
    Application,
}

impl Known {
    fn origin(&self, recorded: Option<&Option<String>>) -> Origin {
        match recorded {
            Some(Some(app)) if app == "app" => Origin::Application,
            Some(Some(source)) if self.other_origins.contains(source) => Origin::OtherSource,
            _ => Origin::Extra,
        }
    }
}

impl Known {
    fn kind(&self, table: Table, key: &str) -> Option<KnownKind> {
        if self
            .quarantined
            .get(&table)
            .is_some_and(|q| q.contains(key))
        {
            Some(KnownKind::Quarantined)
        } else if table == Table::Sessions && self.synthesized.contains(key) {
            Some(KnownKind::Synthesized)
        } else {
            None
        }
    }
}

/// Compares one table; `None` when neither side has it.
///
/// # Errors
///
/// A failing query on either side.
pub(crate) fn table(
    src: &mut dyn ComparedStore,
    tgt: &mut dyn ComparedStore,
    table: Table,
    options: &VerifyOptions,
    known: &Known,
) -> Result<Option<TableReport>> {
    let (in_src, in_tgt) = (src.has(table)?, tgt.has(table)?);
    if !in_src && !in_tgt {
        return Ok(None);
    }
    let mut report = empty(table);
    let mut after: Option<String> = None;
    // A file side may be live: chunks are sized so that reading one holds
    // the file about the read budget at most, and takes only a few of the
    // heaviest rows seen. Each file side bounds the chunk with its
    // own n-th key, so no side reads more than n rows in one statement.
    let files = (src.last_read().is_some(), tgt.last_read().is_some());
    let mut pace = Pace::new(FIRST_READ_ROWS, options.chunk_rows, options.read_budget);
    loop {
        let n = if files.0 || files.1 {
            let heaviest = [src.last_read(), tgt.last_read()]
                .into_iter()
                .flatten()
                .map(|r| r.heaviest)
                .max()
                .unwrap_or(0);
            pace.limit().min(rows_within_bytes(heaviest))
        } else {
            options.chunk_rows
        };
        let mut upto = src.boundary(table, after.as_deref(), n)?;
        if files.1 || upto.is_none() {
            let theirs = tgt.boundary(table, after.as_deref(), n)?;
            upto = match (upto, theirs) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        let range = Range {
            after: after.clone(),
            upto: upto.clone(),
        };
        let (a, b) = both(src, tgt, |side| side.chunk(table, &range));
        let (a, b) = (a?, b?);
        for read in [src.last_read(), tgt.last_read()].into_iter().flatten() {
            pace.observe(read.rows, read.took);
        }
        report.source_rows += a.rows;
        report.target_rows += b.rows;
        report.chunks += 1;
        if a.digest != b.digest {
            report.chunks_differing += 1;
            let (ra, rb) = both(src, tgt, |side| side.rows(table, &range));
            let (ra, rb) = (ra?, rb?);
            let converged = if table == Table::Sessions {
                Converged::read(src, tgt, &range)?
            } else {
                Converged::default()
            };
            let theirs: HashSet<&str> = ra.iter().map(|(k, _)| k.as_str()).collect();
            let only_target: Vec<String> = rb
                .iter()
                .filter(|(k, _)| !theirs.contains(k.as_str()))
                .map(|(k, _)| k.clone())
                .collect();
            let origins = tgt.origins(table, &only_target)?;
            diff(
                &mut report,
                (&ra, &rb),
                options.max_keys,
                (known, &origins),
                &converged,
            );
        }
        match upto {
            Some(k) => after = Some(k),
            None => break,
        }
    }
    if table == Table::Sessions {
        let mut synthesized: Vec<&String> = known.synthesized.iter().collect();
        synthesized.sort();
        report
            .known
            .extend(synthesized.into_iter().map(|k| KnownDifference {
                key: Some(k.clone()),
                kind: KnownKind::Synthesized,
                reason: "session synthesized for orphan rows".into(),
            }));
    }
    let unloadable = src.take_unloadable();
    report
        .known
        .extend(unloadable.into_iter().map(|u| KnownDifference {
            key: u.key,
            kind: KnownKind::Quarantined,
            reason: u.reason,
        }));
    Ok(Some(report))
}

/// `read` of each side at once, the target's on a thread of its own: the
/// two sides are different processes (a file read and converted here, a
/// server digesting), so on two cores the chunk takes the longer of the
/// two instead of their sum.
fn both<T: Send>(
    src: &mut dyn ComparedStore,
    tgt: &mut dyn ComparedStore,
    read: impl Fn(&mut dyn ComparedStore) -> T + Sync,
) -> (T, T) {
    std::thread::scope(|s| {
        let theirs = s.spawn(|| read(tgt));
        let ours = read(src);
        let theirs = theirs
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (ours, theirs)
    })
}

fn empty(table: Table) -> TableReport {
    TableReport {
        table,
        source_rows: 0,
        target_rows: 0,
        chunks: 0,
        chunks_differing: 0,
        missing: KeyList::default(),
        extra: KeyList::default(),
        from_other_sources: KeyList::default(),
        written_by_application: KeyList::default(),
        differing: KeyList::default(),
        converged: 0,
        known: Vec::new(),
    }
}

/// A row's key and digest.
type KeyDigest = (String, Hash);

/// The sessions of a differing chunk, by key, on both sides.
#[derive(Default)]
struct Converged {
    src: HashMap<String, Session>,
    tgt: HashMap<String, Session>,
}

impl Converged {
    fn read(
        src: &mut dyn ComparedStore,
        tgt: &mut dyn ComparedStore,
        range: &Range,
    ) -> Result<Self> {
        let by_key = |sessions: Vec<Session>| {
            sessions
                .into_iter()
                .map(|s| (s.session_id.as_str().to_owned(), s))
                .collect()
        };
        Ok(Self {
            src: by_key(src.sessions(range)?),
            tgt: by_key(tgt.sessions(range)?),
        })
    }

    /// Whether the target's copy of `key` absorbs the source's.
    fn absorbs(&self, key: &str) -> bool {
        matches!((self.src.get(key), self.tgt.get(key)), (Some(s), Some(t)) if t.absorbs(s))
    }
}

/// The index after the entries of `list` that share the key at `i`.
fn next_key(list: &[KeyDigest], i: usize) -> usize {
    let key = &list[i].0;
    i + list[i..].iter().take_while(|(k, _)| k == key).count()
}

/// Merge-joins two key-ordered lists (the source's may hold a key more
/// than once: several files, each its own copy).
fn diff(
    report: &mut TableReport,
    (src, tgt): (&[KeyDigest], &[KeyDigest]),
    max: usize,
    (known, origins): (&Known, &HashMap<String, Option<String>>),
    converged: &Converged,
) {
    let (mut i, mut j) = (0, 0);
    while i < src.len() || j < tgt.len() {
        let order = match (src.get(i), tgt.get(j)) {
            (Some(a), Some(b)) => a.0.as_bytes().cmp(b.0.as_bytes()),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        let (key, list) = match order {
            Ordering::Less => {
                let key = &src[i].0;
                // Several files may hold the key (their union): one key.
                i = next_key(src, i);
                (key, Some(&mut report.missing))
            }
            Ordering::Greater => {
                j += 1;
                let key = &tgt[j - 1].0;
                let list = match known.origin(origins.get(key)) {
                    Origin::Extra => &mut report.extra,
                    Origin::OtherSource => &mut report.from_other_sources,
                    Origin::Application => &mut report.written_by_application,
                };
                (key, Some(list))
            }
            Ordering::Equal => {
                let (first, end) = (i, next_key(src, i));
                i = end;
                j += 1;
                let key = &src[first].0;
                // Equal to any of the source's copies (one per file that
                // holds the key differently).
                let mut differs = src[first..end].iter().all(|(_, d)| *d != tgt[j - 1].1);
                if differs && converged.absorbs(key) {
                    report.converged += 1;
                    differs = false;
                }
                (key, differs.then_some(&mut report.differing))
            }
        };
        let Some(list) = list else { continue };
        match known.kind(report.table, key) {
            Some(kind) => report.known.push(KnownDifference {
                key: Some(key.clone()),
                kind,
                reason: "recorded by the backfill".into(),
            }),
            None => list.push(key.clone(), max),
        }
    }
}
