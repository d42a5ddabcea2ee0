//! The outbox on PostgreSQL (`chatmrpt_outbox`, `chatmrpt_outbox_leases`;
//! migrations 000002 and 000005). The stored stage is in the shared
//! repository layer (`repo/stage.rs`).
//!
//! The outbox is shared by every host: each entry names the SQLite file it
//! is owed to (`destination`, migration 000005), and a store bound to a
//! file ([`OutboxStore::bind_outbox`]) records, reads, leases, counts and
//! retries only that file's entries. Unbound, it sees the entries that name
//! no destination ("unplaced").

use chatmrpt_db_core::{
    Applied, Error, OutboxEntry, OutboxKey, OutboxStats, OutboxStore, Result, Timestamp, WriteOp,
};
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;

use crate::PgStore;
use crate::error::TxError;
use crate::schema::{chatmrpt_outbox, chatmrpt_outbox_leases};

/// Ids are deleted or updated in chunks of this many bound parameters.
const ID_CHUNK: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = chatmrpt_outbox)]
struct NewEntry<'a> {
    order_key: &'a str,
    kind: &'a str,
    row_key: &'a str,
    payload: &'a str,
    created_at: DateTime<Utc>,
    destination: Option<&'a str>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = chatmrpt_outbox)]
struct EntryRow {
    id: i64,
    order_key: String,
    kind: String,
    row_key: String,
    payload: String,
    created_at: DateTime<Utc>,
    attempts: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    dead: bool,
}

impl EntryRow {
    fn into_entry(self) -> Result<OutboxEntry> {
        let corrupt = |column: &'static str, reason: Error| Error::Corrupt {
            table: "chatmrpt_outbox",
            key: self.id.to_string(),
            column,
            reason: reason.to_string(),
        };
        Ok(OutboxEntry {
            id: self.id,
            created_at: Timestamp::from_datetime(self.created_at)
                .map_err(|e| corrupt("created_at", e))?,
            next_attempt_at: self
                .next_attempt_at
                .map(Timestamp::from_datetime)
                .transpose()
                .map_err(|e| corrupt("next_attempt_at", e))?,
            order_key: self.order_key,
            kind: self.kind,
            row_key: self.row_key,
            payload: self.payload,
            attempts: i32::try_from(self.attempts).unwrap_or(i32::MAX),
            last_error: self.last_error,
            dead: self.dead,
        })
    }
}

/// The one entry with this id and creation time (ids alone may be reused).
fn entry_filter(
    id: i64,
    created_at: DateTime<Utc>,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<chatmrpt_outbox::table, i64>,
    diesel::dsl::Eq<chatmrpt_outbox::created_at, DateTime<Utc>>,
> {
    chatmrpt_outbox::table
        .find(id)
        .filter(chatmrpt_outbox::created_at.eq(created_at))
}

/// Appends `op` (written at `at`) to the outbox; called inside the write's
/// transaction. Returns the entry.
pub(crate) fn append(
    store: &PgStore,
    conn: &mut PgConnection,
    op: &WriteOp,
    at: Timestamp,
) -> Result<OutboxKey, TxError> {
    let order_key = op.order_key();
    let payload = op.to_payload()?;
    let id: i64 = diesel::insert_into(chatmrpt_outbox::table)
        .values(NewEntry {
            order_key: &order_key,
            kind: op.kind(),
            row_key: op.key(),
            payload: &payload,
            created_at: at.as_datetime(),
            destination: store.owed_to(),
        })
        .returning(chatmrpt_outbox::id)
        .get_result(conn)?;
    Ok(OutboxKey { id, created_at: at })
}

/// The entries owed to `destination` (`None`: those that name none).
fn owed(destination: Option<&str>) -> chatmrpt_outbox::BoxedQuery<'_, Pg> {
    let all = chatmrpt_outbox::table.into_boxed();
    match destination {
        Some(d) => all.filter(chatmrpt_outbox::destination.eq(d)),
        None => all.filter(chatmrpt_outbox::destination.is_null()),
    }
}

/// The key of `destination`'s lease row ('' for the unplaced entries).
fn lease_key(destination: Option<&str>) -> &str {
    destination.unwrap_or("")
}

impl PgStore {
    /// The SQLite file this store's outbox is bound to, if any.
    pub(crate) fn owed_to(&self) -> Option<&str> {
        self.owed_to.get().map(String::as_str)
    }

    /// Places the entries that name no destination (written by an older
    /// release, or by a store bound to no file) with the file this store is
    /// bound to, so that its replay delivers them there; returns how many.
    /// Only for the host those writes came from: on a deployment with one
    /// host, every unplaced entry is its own.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when this store is bound to no file; the
    /// store's failure.
    pub fn claim_unplaced(&self) -> Result<u64> {
        let Some(destination) = self.owed_to() else {
            return Err(Error::Config(
                "this PostgreSQL store is paired with no SQLite file: open the dual store \
                 on the host whose file the unplaced writes belong to"
                    .into(),
            ));
        };
        let changed = self.write("outbox", "claim_unplaced", |conn| {
            Ok(diesel::update(
                chatmrpt_outbox::table.filter(chatmrpt_outbox::destination.is_null()),
            )
            .set(chatmrpt_outbox::destination.eq(destination))
            .execute(conn)?)
        })?;
        Ok(changed as u64)
    }
}

/// Up to `limit` entries, dead or pending, oldest first.
fn entries(store: &PgStore, dead: bool, limit: u32) -> Result<Vec<OutboxEntry>> {
    let rows = store.read(|conn| {
        Ok(owed(store.owed_to())
            .filter(chatmrpt_outbox::dead.eq(dead))
            .order(chatmrpt_outbox::id.asc())
            .limit(i64::from(limit))
            .select(EntryRow::as_select())
            .load(conn)?)
    })?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// Gives `holder` this destination's lease for `ttl_ms` when `free` says
/// the current one (its holder, its expiry; a new row has none) may be
/// taken. The row lock makes concurrent takers wait, then see the winner.
fn lease_if(
    store: &PgStore,
    holder: &str,
    ttl_ms: u32,
    free: impl FnOnce(&str, DateTime<Utc>) -> bool,
) -> Result<bool> {
    let expires = Timestamp::now().add_millis(i64::from(ttl_ms)).as_datetime();
    let key = lease_key(store.owed_to());
    store.write("outbox_lease", holder, |conn| {
        diesel::insert_into(chatmrpt_outbox_leases::table)
            .values((
                chatmrpt_outbox_leases::destination.eq(key),
                chatmrpt_outbox_leases::holder.eq(""),
                chatmrpt_outbox_leases::expires_at.eq(DateTime::<Utc>::UNIX_EPOCH),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        let (h, until): (String, DateTime<Utc>) = chatmrpt_outbox_leases::table
            .find(key)
            .select((
                chatmrpt_outbox_leases::holder,
                chatmrpt_outbox_leases::expires_at,
            ))
            .for_update()
            .first(conn)?;
        let free = h.is_empty() || free(&h, until);
        if free {
            diesel::update(chatmrpt_outbox_leases::table.find(key))
                .set((
                    chatmrpt_outbox_leases::holder.eq(holder),
                    chatmrpt_outbox_leases::expires_at.eq(expires),
                ))
                .execute(conn)?;
        }
        Ok(free)
    })
}

impl OutboxStore for PgStore {
    fn apply_recorded(&self, op: &WriteOp, at: Timestamp) -> Result<(Applied, OutboxKey)> {
        crate::repo::apply_recorded(self, op, at)
    }

    fn bind_outbox(&self, identity: &str) -> bool {
        self.owed_to.get_or_init(|| identity.to_owned()) == identity
    }

    fn unbound(&self) -> Self {
        let mut fresh = self.clone();
        fresh.owed_to = std::sync::Arc::default();
        fresh
    }

    fn outbox_lease(&self, holder: &str, ttl_ms: u32) -> Result<bool> {
        let now = Timestamp::now().as_datetime();
        lease_if(self, holder, ttl_ms, |h, until| h == holder || until <= now)
    }

    fn outbox_take_over(
        &self,
        holder: &str,
        ttl_ms: u32,
        dead: &dyn Fn(&str) -> bool,
    ) -> Result<bool> {
        // A read first: a live holder costs no row lock.
        let key = lease_key(self.owed_to());
        let current: Option<String> = self.read(|conn| {
            Ok(chatmrpt_outbox_leases::table
                .find(key)
                .select(chatmrpt_outbox_leases::holder)
                .first(conn)
                .optional()?)
        })?;
        match current {
            Some(gone) if !gone.is_empty() && dead(&gone) => {
                lease_if(self, holder, ttl_ms, |h, _| h == gone)
            }
            _ => Ok(false),
        }
    }

    fn outbox_release(&self, holder: &str) -> Result<()> {
        let key = lease_key(self.owed_to());
        self.write("outbox_lease", holder, |conn| {
            diesel::delete(
                chatmrpt_outbox_leases::table
                    .find(key)
                    .filter(chatmrpt_outbox_leases::holder.eq(holder)),
            )
            .execute(conn)?;
            Ok(())
        })
    }

    fn outbox_batch(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        entries(self, false, limit)
    }

    fn outbox_delivered(&self, entries: &[OutboxKey]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.write("outbox", "delivered", |conn| {
            for entry in entries {
                diesel::delete(entry_filter(entry.id, entry.created_at.as_datetime()))
                    .execute(conn)?;
            }
            Ok(())
        })
    }

    fn outbox_failed(
        &self,
        entry: OutboxKey,
        reason: &str,
        counts: bool,
        next_attempt_at: Timestamp,
        dead: bool,
    ) -> Result<()> {
        let add = i64::from(counts);
        self.write("outbox", &entry.id.to_string(), |conn| {
            diesel::update(entry_filter(entry.id, entry.created_at.as_datetime()))
                .set((
                    chatmrpt_outbox::attempts.eq(chatmrpt_outbox::attempts + add),
                    chatmrpt_outbox::last_error.eq(reason),
                    chatmrpt_outbox::next_attempt_at.eq(next_attempt_at.as_datetime()),
                    chatmrpt_outbox::dead.eq(dead),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    fn outbox_stats(&self) -> Result<OutboxStats> {
        let owed_to = self.owed_to();
        let (pending, dead, oldest, unplaced, (others, other_oldest)) = self.read(|conn| {
            let pending: i64 = owed(owed_to)
                .filter(chatmrpt_outbox::dead.eq(false))
                .count()
                .get_result(conn)?;
            let dead: i64 = owed(owed_to)
                .filter(chatmrpt_outbox::dead.eq(true))
                .count()
                .get_result(conn)?;
            // The oldest pending entry is the lowest id: ids grow with time.
            let oldest: Option<DateTime<Utc>> = owed(owed_to)
                .filter(chatmrpt_outbox::dead.eq(false))
                .order(chatmrpt_outbox::id.asc())
                .select(chatmrpt_outbox::created_at)
                .first(conn)
                .optional()?;
            let (unplaced, others) = match owed_to {
                None => (0, (0, None)),
                Some(d) => {
                    let others =
                        || chatmrpt_outbox::table.filter(chatmrpt_outbox::destination.ne(d));
                    (
                        owed(None).count().get_result::<i64>(conn)?,
                        (
                            others().count().get_result::<i64>(conn)?,
                            others()
                                .order(chatmrpt_outbox::id.asc())
                                .select(chatmrpt_outbox::created_at)
                                .first::<DateTime<Utc>>(conn)
                                .optional()?,
                        ),
                    )
                }
            };
            Ok((pending, dead, oldest, unplaced, others))
        })?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(OutboxStats {
            pending: count(pending),
            dead: count(dead),
            oldest_pending: oldest.map(Timestamp::from_datetime).transpose()?,
            unplaced: count(unplaced),
            other_destinations: count(others),
            other_oldest: other_oldest.map(Timestamp::from_datetime).transpose()?,
        })
    }

    fn outbox_dead(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        entries(self, true, limit)
    }

    fn outbox_retry_dead(&self, ids: Option<&[i64]>) -> Result<u64> {
        let set = || {
            (
                chatmrpt_outbox::dead.eq(false),
                chatmrpt_outbox::attempts.eq(0_i64),
                chatmrpt_outbox::next_attempt_at.eq(None::<DateTime<Utc>>),
            )
        };
        let mine = self.owed_to();
        let changed = self.write("outbox", "retry_dead", |conn| {
            let dead = chatmrpt_outbox::table
                .filter(chatmrpt_outbox::dead.eq(true))
                .filter(chatmrpt_outbox::destination.is_not_distinct_from(mine));
            match ids {
                None => Ok(diesel::update(dead).set(set()).execute(conn)?),
                Some(ids) => {
                    let mut n = 0;
                    for chunk in ids.chunks(ID_CHUNK) {
                        n += diesel::update(dead.filter(chatmrpt_outbox::id.eq_any(chunk)))
                            .set(set())
                            .execute(conn)?;
                    }
                    Ok(n)
                }
            }
        })?;
        Ok(changed as u64)
    }

    fn outbox_discard_dead(&self, ids: Option<&[i64]>) -> Result<u64> {
        let mine = self.owed_to();
        let changed = self.write("outbox", "discard_dead", |conn| {
            let dead = chatmrpt_outbox::table
                .filter(chatmrpt_outbox::dead.eq(true))
                .filter(chatmrpt_outbox::destination.is_not_distinct_from(mine));
            match ids {
                None => Ok(diesel::delete(dead).execute(conn)?),
                Some(ids) => {
                    let mut n = 0;
                    for chunk in ids.chunks(ID_CHUNK) {
                        n += diesel::delete(dead.filter(chatmrpt_outbox::id.eq_any(chunk)))
                            .execute(conn)?;
                    }
                    Ok(n)
                }
            }
        })?;
        Ok(changed as u64)
    }
}
