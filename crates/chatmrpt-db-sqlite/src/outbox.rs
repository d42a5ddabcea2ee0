//! The outbox on SQLite (`chatmrpt_outbox`, `chatmrpt_outbox_lease`;
//! migration 000002). The stored stage is in the shared repository layer
//! (`repo/stage.rs`).

use chatmrpt_db_core::{
    Applied, Error, OutboxEntry, OutboxKey, OutboxStats, OutboxStore, Result, Timestamp, WriteOp,
};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

use crate::SqliteStore;
use crate::error::TxError;
use crate::schema::{chatmrpt_outbox, chatmrpt_outbox_lease};

/// Ids are deleted or updated in chunks of this many bound parameters.
const ID_CHUNK: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = chatmrpt_outbox)]
struct NewEntry<'a> {
    order_key: &'a str,
    kind: &'a str,
    row_key: &'a str,
    payload: &'a str,
    created_at: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = chatmrpt_outbox)]
struct EntryRow {
    id: i32,
    order_key: String,
    kind: String,
    row_key: String,
    payload: String,
    created_at: String,
    attempts: i32,
    next_attempt_at: Option<String>,
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
            id: i64::from(self.id),
            created_at: Timestamp::parse_stored(&self.created_at)
                .map_err(|e| corrupt("created_at", e))?,
            next_attempt_at: self
                .next_attempt_at
                .as_deref()
                .map(Timestamp::parse_stored)
                .transpose()
                .map_err(|e| corrupt("next_attempt_at", e))?,
            order_key: self.order_key,
            kind: self.kind,
            row_key: self.row_key,
            payload: self.payload,
            attempts: self.attempts,
            last_error: self.last_error,
            dead: self.dead,
        })
    }
}

/// The one entry with this id and creation time (ids alone may be reused).
fn entry_filter(
    id: i32,
    created_at: String,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<chatmrpt_outbox::table, i32>,
    diesel::dsl::Eq<chatmrpt_outbox::created_at, String>,
> {
    chatmrpt_outbox::table
        .find(id)
        .filter(chatmrpt_outbox::created_at.eq(created_at))
}

/// Appends `op` (written at `at`) to the outbox; called inside the write's
/// transaction. Returns the entry. (Every entry here is owed to the one
/// PostgreSQL database: `_store` names no destination.)
pub(crate) fn append(
    _store: &SqliteStore,
    conn: &mut SqliteConnection,
    op: &WriteOp,
    at: Timestamp,
) -> Result<OutboxKey, TxError> {
    let order_key = op.order_key();
    let payload = op.to_payload()?;
    let id: i32 = diesel::insert_into(chatmrpt_outbox::table)
        .values(NewEntry {
            order_key: &order_key,
            kind: op.kind(),
            row_key: op.key(),
            payload: &payload,
            created_at: at.to_legacy_string(),
        })
        .returning(chatmrpt_outbox::id)
        .get_result(conn)?;
    Ok(OutboxKey {
        id: i64::from(id),
        created_at: at,
    })
}

/// Outbox ids are SQLite rowids; ids that do not fit were never handed out.
fn ids_i32(ids: &[i64]) -> Vec<i32> {
    ids.iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect()
}

/// Up to `limit` entries, dead or pending, oldest first.
fn entries(store: &SqliteStore, dead: bool, limit: u32) -> Result<Vec<OutboxEntry>> {
    let rows = store.read(|conn| {
        Ok(chatmrpt_outbox::table
            .filter(chatmrpt_outbox::dead.eq(dead))
            .order(chatmrpt_outbox::id.asc())
            .limit(i64::from(limit))
            .select(EntryRow::as_select())
            .load(conn)?)
    })?;
    rows.into_iter().map(EntryRow::into_entry).collect()
}

/// Gives `holder` the lease for `ttl_ms` when there is none or `free`
/// says the current one (its holder, its expiry) may be taken; in one
/// transaction, so two takers never both win.
fn lease_if(
    store: &SqliteStore,
    holder: &str,
    ttl_ms: u32,
    free: impl FnOnce(&str, Timestamp) -> bool,
) -> Result<bool> {
    let expires = Timestamp::now().add_millis(i64::from(ttl_ms));
    store.write("outbox_lease", holder, |conn| {
        let current: Option<(String, String)> = chatmrpt_outbox_lease::table
            .find(1)
            .select((
                chatmrpt_outbox_lease::holder,
                chatmrpt_outbox_lease::expires_at,
            ))
            .first(conn)
            .optional()?;
        let free = match &current {
            None => true,
            Some((h, until)) => free(h, Timestamp::parse_stored(until)?),
        };
        if free {
            diesel::replace_into(chatmrpt_outbox_lease::table)
                .values((
                    chatmrpt_outbox_lease::id.eq(1),
                    chatmrpt_outbox_lease::holder.eq(holder),
                    chatmrpt_outbox_lease::expires_at.eq(expires.to_legacy_string()),
                ))
                .execute(conn)?;
        }
        Ok(free)
    })
}

impl OutboxStore for SqliteStore {
    fn outbox_identity(&self) -> Result<Option<String>> {
        self.file_id().map(Some)
    }

    fn apply_recorded(&self, op: &WriteOp, at: Timestamp) -> Result<(Applied, OutboxKey)> {
        crate::repo::apply_recorded(self, op, at)
    }

    fn outbox_lease(&self, holder: &str, ttl_ms: u32) -> Result<bool> {
        let now = Timestamp::now();
        lease_if(self, holder, ttl_ms, |h, until| h == holder || until <= now)
    }

    fn outbox_take_over(
        &self,
        holder: &str,
        ttl_ms: u32,
        dead: &dyn Fn(&str) -> bool,
    ) -> Result<bool> {
        // A read first: a live holder costs no write lock.
        let current: Option<String> = self.read_unzoned(|conn| {
            Ok(chatmrpt_outbox_lease::table
                .find(1)
                .select(chatmrpt_outbox_lease::holder)
                .first(conn)
                .optional()?)
        })?;
        match current {
            Some(gone) if dead(&gone) => lease_if(self, holder, ttl_ms, |h, _| h == gone),
            _ => Ok(false),
        }
    }

    fn outbox_release(&self, holder: &str) -> Result<()> {
        self.write_unzoned("outbox_lease", holder, |conn| {
            diesel::delete(
                chatmrpt_outbox_lease::table.filter(chatmrpt_outbox_lease::holder.eq(holder)),
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
        self.write_unzoned("outbox", "delivered", |conn| {
            for entry in entries {
                let Ok(id) = i32::try_from(entry.id) else {
                    continue;
                };
                diesel::delete(entry_filter(id, entry.created_at.to_legacy_string()))
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
        let Ok(id) = i32::try_from(entry.id) else {
            return Ok(());
        };
        let add = i32::from(counts);
        self.write_unzoned("outbox", &id.to_string(), |conn| {
            diesel::update(entry_filter(id, entry.created_at.to_legacy_string()))
                .set((
                    chatmrpt_outbox::attempts.eq(chatmrpt_outbox::attempts + add),
                    chatmrpt_outbox::last_error.eq(reason),
                    chatmrpt_outbox::next_attempt_at.eq(next_attempt_at.to_legacy_string()),
                    chatmrpt_outbox::dead.eq(dead),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    fn outbox_stats(&self) -> Result<OutboxStats> {
        let (pending, dead, oldest) = self.read_unzoned(|conn| {
            let pending: i64 = chatmrpt_outbox::table
                .filter(chatmrpt_outbox::dead.eq(false))
                .count()
                .get_result(conn)?;
            let dead: i64 = chatmrpt_outbox::table
                .filter(chatmrpt_outbox::dead.eq(true))
                .count()
                .get_result(conn)?;
            // The oldest pending entry is the lowest id: ids grow with time.
            let oldest: Option<String> = chatmrpt_outbox::table
                .filter(chatmrpt_outbox::dead.eq(false))
                .order(chatmrpt_outbox::id.asc())
                .select(chatmrpt_outbox::created_at)
                .first(conn)
                .optional()?;
            Ok((pending, dead, oldest))
        })?;
        Ok(OutboxStats {
            pending: u64::try_from(pending).unwrap_or(0),
            dead: u64::try_from(dead).unwrap_or(0),
            oldest_pending: oldest.as_deref().map(Timestamp::parse_stored).transpose()?,
            // One destination: every entry is owed to PostgreSQL.
            unplaced: 0,
            other_destinations: 0,
            other_oldest: None,
        })
    }

    fn outbox_dead(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        entries(self, true, limit)
    }

    fn outbox_retry_dead(&self, ids: Option<&[i64]>) -> Result<u64> {
        let set = || {
            (
                chatmrpt_outbox::dead.eq(false),
                chatmrpt_outbox::attempts.eq(0),
                chatmrpt_outbox::next_attempt_at.eq(None::<String>),
            )
        };
        let changed = self.write_unzoned("outbox", "retry_dead", |conn| {
            let dead = chatmrpt_outbox::table.filter(chatmrpt_outbox::dead.eq(true));
            match ids {
                None => Ok(diesel::update(dead).set(set()).execute(conn)?),
                Some(ids) => {
                    let mut n = 0;
                    for chunk in ids_i32(ids).chunks(ID_CHUNK) {
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
        let changed = self.write_unzoned("outbox", "discard_dead", |conn| {
            let dead = chatmrpt_outbox::table.filter(chatmrpt_outbox::dead.eq(true));
            match ids {
                None => Ok(diesel::delete(dead).execute(conn)?),
                Some(ids) => {
                    let mut n = 0;
                    for chunk in ids_i32(ids).chunks(ID_CHUNK) {
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
