//! The transactional outbox a store keeps for the other store of a dual
//! pair.
//!
//! The dual store (`chatmrpt-db-dual`) writes the authoritative store with
//! [`OutboxStore::apply_recorded`]: the store performs the [`WriteOp`] and,
//! in the same transaction, appends it to its outbox. The outbox of a store
//! always holds writes for the *other* store of the pair; the replayer reads
//! it back with [`OutboxStore::outbox_batch`] and applies each [`WriteOp`]
//! there.

use serde::Serialize;

use crate::error::Result;
use crate::time::Timestamp;
use crate::write::{Applied, WriteOp};

/// Names one outbox entry: its id and the time of its write. SQLite may
/// give a deleted entry's id to a new one, so an entry is changed or
/// deleted only when both match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutboxKey {
    /// The entry's id.
    pub id: i64,
    /// Its `created_at`.
    pub created_at: Timestamp,
}

/// One outbox row as the replayer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// Position in the outbox (increasing in commit order per row).
    pub id: i64,
    /// The ordering key ([`WriteOp::order_key`]).
    pub order_key: String,
    /// The operation's kind ([`WriteOp::kind`]).
    pub kind: String,
    /// The row's key ([`WriteOp::key`]).
    pub row_key: String,
    /// The serialised [`WriteOp`].
    pub payload: String,
    /// The time of the authoritative write: every delivery applies the
    /// operation at it ([`crate::ApplyWrite::apply`]).
    pub created_at: Timestamp,
    /// Failed attempts so far (a store that was down does not count).
    pub attempts: i32,
    /// Not to be tried before this instant.
    pub next_attempt_at: Option<Timestamp>,
    /// The last failure (error kind and keys, never content).
    pub last_error: Option<String>,
    /// Parked: the replayer skips it until retried explicitly.
    pub dead: bool,
}

impl OutboxEntry {
    /// The key that names this entry.
    pub fn key(&self) -> OutboxKey {
        OutboxKey {
            id: self.id,
            created_at: self.created_at,
        }
    }
}

/// Depth and age of an outbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboxStats {
    /// Entries waiting for delivery (not dead).
    pub pending: u64,
    /// Entries parked as dead.
    pub dead: u64,
    /// When the oldest pending entry was written.
    pub oldest_pending: Option<Timestamp>,
    /// Of an outbox shared by several destinations (PostgreSQL's, owing
    /// writes to each host's SQLite file): entries that name no destination
    /// (written by an older release or a store paired with no file),
    /// delivered only once an operator places them. Counted in neither
    /// `pending` nor `dead`.
    #[serde(skip_serializing_if = "is_zero")]
    pub unplaced: u64,
    /// Of a shared outbox: entries owed to other destinations (other hosts'
    /// files), pending or dead. This store never delivers them.
    #[serde(skip_serializing_if = "is_zero")]
    pub other_destinations: u64,
    /// Of a shared outbox: when the oldest entry owed to another
    /// destination was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_oldest: Option<Timestamp>,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl OutboxStats {
    /// How long the oldest pending entry has waited (zero for a clock that
    /// went back), or `None` when nothing is pending.
    pub fn oldest_age(&self) -> Option<std::time::Duration> {
        self.oldest_pending.map(|at| {
            (Timestamp::now().as_datetime() - at.as_datetime())
                .to_std()
                .unwrap_or_default()
        })
    }
}

/// A store that can keep an outbox for the other store of a pair.
///
/// An outbox may be shared by several destinations: PostgreSQL's holds the
/// writes owed to every host's SQLite file. Such a store is bound to one
/// destination ([`OutboxStore::bind_outbox`], with the other store's
/// [`OutboxStore::outbox_identity`]); from then on it records entries owed
/// to that destination and reads, leases, counts, retries and discards only
/// those, so a host never delivers another host's writes into its file.
pub trait OutboxStore {
    /// The identity the other store's outbox records for entries owed to
    /// this store: a SQLite file's `file_id`, minted when the file was
    /// created or adopted. `None` for a store that needs none (PostgreSQL:
    /// one per deployment).
    ///
    /// # Errors
    ///
    /// The store's failure (a file not migrated yet has no identity).
    fn outbox_identity(&self) -> Result<Option<String>> {
        Ok(None)
    }

    /// Binds this store's outbox to the destination `identity` (see the
    /// trait). Returns `false` when it is already bound to another one
    /// (the binding stays). A store whose outbox has one destination only
    /// ignores it.
    fn bind_outbox(&self, identity: &str) -> bool {
        let _ = identity;
        true
    }

    /// A handle on the same store (the same pool) whose outbox binding is
    /// its own and not yet made: a dual store takes one, so two pairs that
    /// share a store never share a binding.
    #[must_use]
    fn unbound(&self) -> Self
    where
        Self: Sized + Clone,
    {
        self.clone()
    }

    /// Applies `op` at `at` (as [`crate::ApplyWrite::apply`]) and, in the
    /// same transaction, appends it to this store's outbox; returns the
    /// outcome and the entry written. Nothing is stored unless both are.
    ///
    /// # Errors
    ///
    /// The write's failure; the outbox's failure (then the write is rolled
    /// back too).
    fn apply_recorded(&self, op: &WriteOp, at: Timestamp) -> Result<(Applied, OutboxKey)>;

    /// Takes or renews the replay lease for `holder` for `ttl_ms`: `true`
    /// when `holder` now holds it, `false` when another holder's lease has
    /// not expired. One process replays an outbox at a time, so the writes
    /// of one row are applied in order.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_lease(&self, holder: &str, ttl_ms: u32) -> Result<bool>;

    /// Takes the lease for `holder` from a holder that `dead` says is gone
    /// (a process of this host that no longer runs), before its lease
    /// expires; `false` when the current holder is not dead. Atomic: the
    /// check and the take are one transaction.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_take_over(
        &self,
        holder: &str,
        ttl_ms: u32,
        dead: &dyn Fn(&str) -> bool,
    ) -> Result<bool> {
        let _ = (holder, ttl_ms, dead);
        Ok(false)
    }

    /// Gives the lease up if `holder` holds it.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_release(&self, holder: &str) -> Result<()>;

    /// Up to `limit` entries that are not dead, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_batch(&self, limit: u32) -> Result<Vec<OutboxEntry>>;

    /// Removes delivered entries.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_delivered(&self, entries: &[OutboxKey]) -> Result<()>;

    /// Records a failed attempt: `counts` adds one to `attempts`; `dead`
    /// parks the entry.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_failed(
        &self,
        entry: OutboxKey,
        reason: &str,
        counts: bool,
        next_attempt_at: Timestamp,
        dead: bool,
    ) -> Result<()>;

    /// Depth, dead entries and age.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_stats(&self) -> Result<OutboxStats>;

    /// Up to `limit` dead entries, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_dead(&self, limit: u32) -> Result<Vec<OutboxEntry>>;

    /// Puts dead entries (`ids`, or all when `None`) back in the queue with
    /// their attempts reset; returns how many.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_retry_dead(&self, ids: Option<&[i64]>) -> Result<u64>;

    /// Deletes dead entries (`ids`, or all when `None`); returns how many.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_discard_dead(&self, ids: Option<&[i64]>) -> Result<u64>;
}
