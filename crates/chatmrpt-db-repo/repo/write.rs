//! How one write runs: [`WriteCtx`] (its time, and whether it is recorded in
//! this store's outbox for the other store) and [`transact`], the one
//! transaction every write of the repository layer goes through.

use chatmrpt_db_core::{OutboxKey, Result, Timestamp, WriteOp};

use crate::backend::{Conn, Store};
use crate::error::TxError;

/// The outbox entry a recorded write appended (`None` when not recorded).
pub(crate) type Recorded = Option<OutboxKey>;

/// What one write runs under.
#[derive(Clone, Copy)]
pub(crate) struct WriteCtx<'a> {
    /// The time of the write: what a row without a time of its own is
    /// stamped with (the session synthesized for such a child row), and the
    /// outbox entry's `created_at`.
    pub at: Timestamp,
    /// The operation to append to this store's outbox in the same
    /// transaction, for the other store of a dual pair.
    pub record: Option<&'a WriteOp>,
}

impl WriteCtx<'_> {
    /// A write of the store's own, now, not recorded.
    pub(crate) fn now() -> Self {
        Self {
            at: Timestamp::now(),
            record: None,
        }
    }
}

/// Runs `f` in one write transaction of `store` (`entity` and `key` name the
/// row in errors) and, when `ctx` records, appends the operation to the
/// outbox in the same transaction.
///
/// # Errors
///
/// What `f` returned; the store's failure, mapped for `entity` `key`.
pub(crate) fn transact<T>(
    store: &Store,
    ctx: &WriteCtx<'_>,
    entity: &'static str,
    key: &str,
    f: impl FnOnce(&mut Conn) -> Result<T, TxError>,
) -> Result<(T, Recorded)> {
    store.write(entity, key, |conn| {
        let out = f(conn)?;
        let recorded = match ctx.record {
            Some(op) => Some(crate::outbox::append(store, conn, op, ctx.at)?),
            None => None,
        };
        Ok((out, recorded))
    })
}
