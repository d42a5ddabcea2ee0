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
//! transaction stands in its predecessor's way (directly or through other
//! sessions) it yields: rolls back, waits for the predecessor to commit, and
//! loads again. Nothing is written twice: a rolled-back batch left nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer};

/// How often a batch waiting for its turn checks whether it stands in its
/// predecessor's way.
const LOOK_EVERY: Duration = Duration::from_millis(10);

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

/// Whether this connection's backend is among those `pid` waits for,
/// directly or through a chain of other waiting sessions.
const BLOCKS: &str = "WITH RECURSIVE waits(pid, depth) AS ( \
       SELECT unnest(pg_blocking_pids($1)), 1 \
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

    /// How many times a batch yielded to its predecessor.
    pub(crate) fn yields(&self) -> u64 {
        self.yields.load(Ordering::Relaxed)
    }

    /// Inside batch `seq`'s transaction on `conn`: returns once every
    /// earlier batch has committed.
    ///
    /// # Errors
    ///
    /// [`TurnError::Yield`] when this transaction is in the way of the
    /// batch before (roll back, then [`Self::wait_committed`]);
    /// [`TurnError::Stopped`]; [`TurnError::Db`] when the check fails.
    pub(crate) fn wait_turn(&self, conn: &mut PgConnection, seq: u64) -> Result<(), TurnError> {
        let mut state = self.state();
        loop {
            if state.stopped {
                return Err(TurnError::Stopped);
            }
            if state.committed >= seq {
                return Ok(());
            }
            let (next, timeout) = self
                .changed
                .wait_timeout(state, LOOK_EVERY)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if !timeout.timed_out() {
                continue;
            }
            let Some(&before) = seq.checked_sub(1).and_then(|p| state.loading.get(&p)) else {
                continue;
            };
            drop(state);
            let blocking = diesel::sql_query(BLOCKS)
                .bind::<Integer, _>(before)
                .get_result::<Blocking>(conn)?
                .blocking;
            if blocking {
                self.yields.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    batch = seq,
                    "in the way of the batch before; loading it again after"
                );
                return Err(TurnError::Yield);
            }
            state = self.state();
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

    /// Batch 1 holds a key batch 0 then wants: batch 0 waits for it inside
    /// PostgreSQL while batch 1 waits for batch 0's commit here, a cycle
    /// PostgreSQL cannot see. Batch 1 sees it and yields: it rolls back,
    /// batch 0 inserts the key and commits, then batch 1 loads again and
    /// finds the key there. (A watchdog fails the test should the cycle
    /// go unseen.)
    #[test]
    fn a_batch_in_its_predecessors_way_yields_and_loads_again() {
        let pg = TestSchema::new();
        let (mut first, mut second) = (connect(&pg), connect(&pg));
        diesel::sql_query("CREATE TABLE scratch (k text PRIMARY KEY)")
            .execute(&mut first)
            .unwrap();
        let turns = Turns::default();
        let (first_pid, second_pid) = (
            backend_pid(&mut first).unwrap(),
            backend_pid(&mut second).unwrap(),
        );
        let (done_tx, done) = channel();
        std::thread::scope(|scope| {
            let (held_tx, held) = channel();
            let turns = &turns;
            let done_second = done_tx.clone();
            scope.spawn(move || {
                let mut attempts = Vec::new();
                loop {
                    turns.begin(1, second_pid);
                    let result = second.transaction(|conn| {
                        let n = insert(conn, "x");
                        let _ = held_tx.send(());
                        attempts.push(n);
                        turns.wait_turn(conn, 1)
                    });
                    match result {
                        Ok(()) => break,
                        Err(TurnError::Yield) => {
                            turns.left(1);
                            turns.wait_committed(1).unwrap();
                        }
                        Err(e) => panic!("second batch: {e:?}"),
                    }
                }
                turns.committed(1);
                done_second.send(("second", attempts)).unwrap();
            });
            held.recv().unwrap();
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
                done_tx.send(("first", vec![n])).unwrap();
            });
            let mut results: Vec<_> = (0..2)
                .map(|_| {
                    done.recv_timeout(Duration::from_secs(60))
                        .unwrap_or_else(|_| {
                            // Unblocks both threads, so the scope can end.
                            turns.stop();
                            panic!("the batches deadlocked: the cycle went unseen")
                        })
                })
                .collect();
            results.sort();
            assert_eq!(
                results,
                vec![("first", vec![1]), ("second", vec![1, 0])],
                "batch 0 inserted the key after batch 1 yielded; batch 1 found it on its retry"
            );
        });
        assert_eq!(turns.yields(), 1);
        let mut conn = connect(&pg);
        let rows = diesel::sql_query("SELECT count(*)::int AS pid FROM scratch")
            .get_result::<Pid>(&mut conn)
            .unwrap();
        assert_eq!(rows.pid, 1);
    }
}
