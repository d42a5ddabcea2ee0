//! The writer threads of a table's load: each takes the next batch read,
//! loads it on its own connection, waits for its turn to commit
//! ([`crate::turns`]) and hands the result on.

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Mutex, PoisonError};

use diesel::pg::PgConnection;

use crate::error::{Error, Result};
use crate::load::{TablePlan, load_batch};
use crate::prepare::Batch;
use crate::summary::{Counts, ReportEvent};
use crate::turns::{self, TurnError, Turns};

/// How many times a batch that failed beside another is tried in all.
const ATTEMPTS: u32 = 3;

/// What a committed batch did: its counts, its report events, and how many
/// rows went straight in.
pub(crate) type Written = (Counts, Vec<ReportEvent>, u64);

/// The batches still to load, numbered in read order.
pub(crate) type Batches = Mutex<(Receiver<Result<Batch>>, u64)>;

/// A writer thread: takes the next batch read, loads it on `conn`, waits
/// for its turn to commit, hands the result on. Stops when the reader is
/// done, or at the first failure anywhere (which it hands on if its own).
pub(crate) fn write_batches(
    conn: &mut PgConnection,
    (plan, alongside): (&TablePlan<'_>, bool),
    turns: &Turns,
    batches: &Batches,
    done: &Sender<Result<Written>>,
) {
    // A writer that panics stops the others (they would wait for its
    // batch's turn forever); the panic then ends the load.
    let _stop_on_panic = StopOnPanic(turns);
    let fail = |e: Error| {
        turns.stop();
        let _ = done.send(Err(e));
    };
    let pid = match turns::backend_pid(conn) {
        Ok(pid) => pid,
        Err(e) => return fail(Error::Target(e)),
    };
    loop {
        let (seq, batch) = {
            let mut next = batches.lock().unwrap_or_else(PoisonError::into_inner);
            let Ok(batch) = next.0.recv() else { return };
            next.1 += 1;
            (next.1 - 1, batch)
        };
        if turns.stopped() {
            return;
        }
        let batch = match batch {
            Ok(batch) => batch,
            // A read failed: the batches before it still commit.
            Err(e) => {
                let _ = turns.wait_committed(seq);
                return fail(e);
            }
        };
        let mut first_error = None;
        let mut attempts = 0;
        loop {
            attempts += 1;
            turns.begin(seq, pid);
            match load_batch(conn, plan, &batch, |conn| turns.wait_turn(conn, seq)) {
                Ok(written) => {
                    // Handed on before the next batch may commit: results
                    // arrive in commit order. Nobody to hand it to: the
                    // load has stopped.
                    if done.send(Ok(written)).is_err() {
                        turns.stop();
                    }
                    turns.committed(seq);
                    break;
                }
                Err(TurnError::Yield) => {}
                Err(TurnError::Stopped) => return,
                // Two batches in flight can still deadlock inside
                // PostgreSQL (the same sessions, moved on a live file, in
                // opposite orders), which aborts one of them. diesel does
                // not give the SQLSTATE, so with several writers any
                // refusal is tried again once the batches before have
                // committed; a failure that is the batch's own fails
                // again, and the first refusal is reported.
                Err(TurnError::Db(e)) if alongside && attempts < ATTEMPTS => {
                    tracing::debug!(batch = seq, error = %e, "loading the batch again");
                    first_error.get_or_insert(e);
                }
                // The first refusal is the one reported (a later attempt
                // may only say what the first left behind).
                Err(TurnError::Db(e)) => return fail(Error::Target(first_error.unwrap_or(e))),
            }
            // Rolled back: loaded again once the batches before it have
            // committed.
            turns.left(seq);
            if turns.wait_committed(seq).is_err() {
                return;
            }
        }
    }
}

/// Stops every writer when dropped while its thread panics.
struct StopOnPanic<'a>(&'a Turns);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}
