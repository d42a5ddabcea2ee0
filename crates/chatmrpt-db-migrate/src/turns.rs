//! Several writers, one order. A table's batches load concurrently, each on
//! its own connection (the server's work for one batch, the COPY, index
//! inserts and checks, overlaps another's), but they commit in the order
//! they were read: batch `n` records its progress and commits only once
//! batch `n - 1` has committed. The progress recorded is therefore always a
//! prefix of the table, and a kill at any moment resumes exactly where the
//! committed batches end.
//!
//! A batch that waits for its turn holds its transaction open, so the
//! earlier batch may in turn wait for it inside PostgreSQL (the same
//! session read twice from a live file, an orphan's session synthesized by
//! both). PostgreSQL cannot see that cycle, as half of it is a wait in this
//! process; the waiting batch looks for it instead, and when its own
//! transaction stands in the way of an earlier batch still in flight
//! (directly or through other sessions) it yields: rolls back, waits for the
//! earlier batches to commit, and
//! loads again. Nothing is written twice: a rolled-back batch left nothing.
//!
//! What a batch does before its turn (its straight COPY, filling its stage)
//! depends only on rows committed before it began; what must see the rows
//! of the batches before (sessions synthesized for orphans, widened by
//! later ones) runs after its turn ([`crate::load::load_batch`]), so the
//! result is the one of loading the batches one at a time. A cycle wholly
//! inside PostgreSQL (two batches inserting the same moved sessions in
//! opposite orders) is broken by the server, which aborts one; the
//! backfill loads that batch again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Integer};

/// How soon a batch waiting for its turn first checks whether it stands in
/// the way of an earlier batch; the checks then space out, up to
/// [`LOOK_AT_MOST`] apart (`pg_blocking_pids` briefly locks the server's
/// lock manager).
const LOOK_FIRST: Duration = Duration::from_millis(10);
const LOOK_AT_MOST: Duration = Duration::from_millis(100);

/// Why a batch's transaction ended without committing.
#[derive(Debug)]
pub(crate) enum TurnError {
    /// Its transaction was in the way of an earlier batch's: roll back,
    /// [`Turns::wait_committed`], load again.
    Yield,
    /// Another writer failed: roll back and stop.
    Stopped,
    /// The server refused a statement.
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for TurnError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// The commit order of one table's batches (numbered from 0 in read order).
#[derive(Default)]
pub(crate) struct Turns {
    state: Mutex<State>,
    changed: Condvar,
    yields: AtomicU64,
}

#[derive(Default)]
struct State {
    /// How many batches have committed: the next to commit is this one.
    committed: u64,
    /// The backend of the connection loading each batch in a transaction.
    loading: HashMap<u64, i32>,
    stopped: bool,
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

#[derive(QueryableByName)]
struct Blocking {
    #[diesel(sql_type = Bool)]
    blocking: bool,
}

/// Whether this connection's backend is among those any of the backends
/// `$1` wait for, directly or through a chain of other waiting sessions.
const BLOCKS: &str = "WITH RECURSIVE waits(pid, depth) AS ( \
       SELECT unnest(pg_blocking_pids(p)), 1 FROM unnest($1::int[]) p \
       UNION SELECT unnest(pg_blocking_pids(w.pid)), w.depth + 1 FROM waits w WHERE w.depth < 8) \
     SELECT EXISTS (SELECT 1 FROM waits WHERE pid = pg_backend_pid()) AS blocking";

/// The backend process id of `conn` (how other writers name it).
///
/// # Errors
///
/// The server's refusal.
pub(crate) fn backend_pid(conn: &mut PgConnection) -> QueryResult<i32> {
    diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Pid>(conn)
        .map(|p| p.pid)
}

impl Turns {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Batch `seq` starts its transaction on the backend `pid`.
    pub(crate) fn begin(&self, seq: u64, pid: i32) {
        self.state().loading.insert(seq, pid);
    }

    /// Batch `seq`'s transaction ended without committing.
    pub(crate) fn left(&self, seq: u64) {
        self.state().loading.remove(&seq);
    }

    /// Batch `seq` committed. Call after the commit and after its result is
    /// handed on, so results arrive in order too.
    pub(crate) fn committed(&self, seq: u64) {
        let mut state = self.state();
        state.loading.remove(&seq);
        state.committed = state.committed.max(seq + 1);
        drop(state);
        self.changed.notify_all();
    }

    /// Stops every writer: those waiting for their turn roll back.
    pub(crate) fn stop(&self) {
        self.state().stopped = true;
        self.changed.notify_all();
    }

    pub(crate) fn stopped(&self) -> bool {
        self.state().stopped
    }

    /// How many times a batch yielded to an earlier one.
    pub(crate) fn yields(&self) -> u64 {
        self.yields.load(Ordering::Relaxed)
    }

    /// Inside batch `seq`'s transaction on `conn`: returns once every
    /// earlier batch has committed.
    ///
    /// # Errors
    ///
    /// [`TurnError::Yield`] when this transaction is in the way of an
    /// earlier batch (roll back, then [`Self::wait_committed`]);
    /// [`TurnError::Stopped`]; [`TurnError::Db`] when the check fails.
    pub(crate) fn wait_turn(&self, conn: &mut PgConnection, seq: u64) -> Result<(), TurnError> {
        let mut state = self.state();
        let mut look_every = LOOK_FIRST;
        loop {
            if state.stopped {
                return Err(TurnError::Stopped);
            }
            if state.committed >= seq {
                return Ok(());
            }
            let (next, timeout) = self
                .changed
                .wait_timeout(state, look_every)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if !timeout.timed_out() {
                continue;
            }
            // Every earlier batch in flight, not only the one just before:
            // with three writers, batch n may hold up batch n - 2 while
            // batch n - 1 waits for n - 2 here.
            let before: Vec<(u64, i32)> = state
                .loading
                .iter()
                .filter(|(s, _)| **s < seq)
                .map(|(s, pid)| (*s, *pid))
                .collect();
            if before.is_empty() {
                continue;
            }
            drop(state);
            let pids: Vec<i32> = before.iter().map(|(_, pid)| *pid).collect();
            let blocking = diesel::sql_query(BLOCKS)
                .bind::<Array<Integer>, _>(&pids)
                .get_result::<Blocking>(conn)?
                .blocking;
            look_every = (look_every * 2).min(LOOK_AT_MOST);
            state = self.state();
            // Only if those batches are still in flight on those backends:
            // one may have committed meanwhile, its backend gone on to a
            // later batch that may rightly wait for this one.
            let still = before
                .iter()
                .all(|(s, pid)| state.loading.get(s) == Some(pid));
            if blocking && still && state.committed < seq {
                self.yields.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    batch = seq,
                    "in the way of an earlier batch; loading it again after"
                );
                return Err(TurnError::Yield);
            }
        }
    }

    /// Outside any transaction: returns once every batch before `seq` has
    /// committed.
    ///
    /// # Errors
    ///
    /// [`TurnError::Stopped`].
    pub(crate) fn wait_committed(&self, seq: u64) -> Result<(), TurnError> {
        let mut state = self.state();
        while !state.stopped && state.committed < seq {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.stopped {
            Err(TurnError::Stopped)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "test: a panic is the failure report"
    )]

    use std::sync::mpsc::channel;

    use chatmrpt_db_core::{DatabaseUrl, PostgresConfig};
    use chatmrpt_db_testing::pg::TestSchema;
    use diesel::sql_types::Text;

    use super::*;

    fn connect(pg: &TestSchema) -> PgConnection {
        let mut config = PostgresConfig::new(DatabaseUrl::new(pg.url()));
        config.schema = pg.schema().to_owned();
        crate::target::connect(&config, false).unwrap()
    }

    fn insert(conn: &mut PgConnection, key: &str) -> usize {
        diesel::sql_query("INSERT INTO scratch VALUES ($1) ON CONFLICT DO NOTHING")
            .bind::<Text, _>(key)
            .execute(conn)
            .unwrap()
    }

    /// A later batch holds a key batch 0 then wants: batch 0 waits for it
    /// inside PostgreSQL while the later batch waits for batch 0's commit
    /// here (directly, or through batch 1 between them), a cycle
    /// PostgreSQL cannot see. The later batch sees it and yields: it rolls
    /// back, batch 0 inserts the key and commits, then the later batch
    /// loads again and finds the key there. (A watchdog fails the test
    /// should the cycle go unseen.)
    #[test]
    fn a_batch_in_an_earlier_ones_way_yields_and_loads_again() {
        for holder in [1, 2] {
            cycle_through(holder);
        }
    }

    fn cycle_through(holder: u64) {
        let pg = TestSchema::new();
        let mut conns: Vec<PgConnection> = (0..=holder).map(|_| connect(&pg)).collect();
        diesel::sql_query("CREATE TABLE scratch (k text PRIMARY KEY)")
            .execute(&mut conns[0])
            .unwrap();
        let pids: Vec<i32> = conns.iter_mut().map(|c| backend_pid(c).unwrap()).collect();
        let turns = Turns::default();
        let (done_tx, done) = channel();
        std::thread::scope(|scope| {
            let (held_tx, held) = channel();
            let turns = &turns;
            let mut conns = conns.iter_mut().enumerate();
            let (_, first) = conns.next().unwrap();
            for (seq, conn) in conns {
                let (seq, pid) = (seq as u64, pids[seq]);
                let (done_tx, held_tx) = (done_tx.clone(), held_tx.clone());
                scope.spawn(move || {
                    let mut attempts = Vec::new();
                    loop {
                        turns.begin(seq, pid);
                        let result = conn.transaction(|conn| {
                            if seq == holder {
                                attempts.push(insert(conn, "x"));
                                let _ = held_tx.send(());
                            }
                            turns.wait_turn(conn, seq)
                        });
                        match result {
                            Ok(()) => break,
                            Err(TurnError::Yield) => {
                                turns.left(seq);
                                turns.wait_committed(seq).unwrap();
                            }
                            Err(e) => panic!("batch {seq}: {e:?}"),
                        }
                    }
                    turns.committed(seq);
                    done_tx.send((seq, attempts)).unwrap();
                });
            }
            held.recv().unwrap();
            let first_pid = pids[0];
            let done_first = done_tx.clone();
            scope.spawn(move || {
                turns.begin(0, first_pid);
                let n = first
                    .transaction(|conn| -> Result<usize, TurnError> {
                        let n = insert(conn, "x");
                        turns.wait_turn(conn, 0)?;
                        Ok(n)
                    })
                    .unwrap();
                turns.committed(0);
                done_first.send((0, vec![n])).unwrap();
            });
            let mut results: Vec<_> = (0..=holder)
                .map(|_| {
                    done.recv_timeout(Duration::from_secs(60))
                        .unwrap_or_else(|_| {
                            // Unblocks every thread, so the scope can end.
                            turns.stop();
                            panic!("holder {holder}: the batches deadlocked, the cycle went unseen")
                        })
                })
                .collect();
            results.sort();
            let mut expected = vec![(0, vec![1])];
            expected.extend((1..holder).map(|seq| (seq, vec![])));
            expected.push((holder, vec![1, 0]));
            assert_eq!(
                results, expected,
                "batch 0 inserted the key after batch {holder} yielded; batch {holder} found it on its retry"
            );
        });
        assert_eq!(turns.yields(), 1);
        let rows = diesel::sql_query("SELECT count(*)::int AS pid FROM scratch")
            .get_result::<Pid>(&mut connect(&pg))
            .unwrap();
        assert_eq!(rows.pid, 1);
    }
}
