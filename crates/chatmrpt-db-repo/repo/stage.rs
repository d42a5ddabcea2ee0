//! The stored stage, its history, and the processes' heartbeats
//! (`chatmrpt_stage`, `chatmrpt_stage_history`: migration 000002;
//! `chatmrpt_heartbeats`: migration 000007). Times are UTC, and the SQLite
//! file's clock is neither needed nor recorded here (`read_unzoned`,
//! `write_unzoned`): a look that refreshes the stage copy never decides a
//! file's clock.

use chatmrpt_db_core::{
    Error, Heartbeat, Result, Stage, StageChange, StageSource, StageStore, Timestamp,
};
use diesel::prelude::*;

use crate::backend::{Conn, RowId, SqlTime, Store, utc_from_sql, utc_to_sql};
use crate::error::TxError;
use crate::schema::{chatmrpt_heartbeats, chatmrpt_stage, chatmrpt_stage_history};

/// The one row of `chatmrpt_stage`.
const STAGE_ROW: RowId = 1;

fn parse_stage(column: &'static str, key: &str, name: &str) -> Result<Stage> {
    name.parse().map_err(|_| Error::Corrupt {
        table: "chatmrpt_stage",
        key: key.to_owned(),
        column,
        reason: format!("unknown stage {name:?}"),
    })
}

/// Sets the stage row to `change.to`.
fn set_current(conn: &mut Conn, change: &StageChange) -> QueryResult<usize> {
    let at = utc_to_sql(change.changed_at);
    diesel::insert_into(chatmrpt_stage::table)
        .values((
            chatmrpt_stage::id.eq(STAGE_ROW),
            chatmrpt_stage::stage.eq(change.to.name()),
            chatmrpt_stage::changed_by.eq(&change.changed_by),
            chatmrpt_stage::changed_at.eq(&at),
        ))
        .on_conflict(chatmrpt_stage::id)
        .do_update()
        .set((
            chatmrpt_stage::stage.eq(change.to.name()),
            chatmrpt_stage::changed_by.eq(&change.changed_by),
            chatmrpt_stage::changed_at.eq(&at),
        ))
        .execute(conn)
}

/// One heartbeat row; the changeset (the key aside) replaces every column,
/// NULLs included.
#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = chatmrpt_heartbeats, primary_key(process), treat_none_as_null = true)]
struct HeartbeatRow {
    process: String,
    host: String,
    file_id: Option<String>,
    stage: String,
    stage_source: String,
    outbox_depth: i64,
    outbox_dead: i64,
    outbox_oldest: Option<SqlTime>,
    release: String,
    last_seen: SqlTime,
}

impl HeartbeatRow {
    fn from_domain(beat: &Heartbeat) -> Self {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            process: beat.process.clone(),
            host: beat.host.clone(),
            file_id: beat.file_id.clone(),
            stage: beat.stage.name().to_owned(),
            stage_source: beat.stage_source.name().to_owned(),
            outbox_depth: count(beat.outbox_depth),
            outbox_dead: count(beat.outbox_dead),
            outbox_oldest: beat.outbox_oldest.map(utc_to_sql),
            release: beat.release.clone(),
            last_seen: utc_to_sql(beat.last_seen),
        }
    }

    fn into_domain(self) -> Result<Heartbeat> {
        let corrupt = |column, reason: String| Error::Corrupt {
            table: "chatmrpt_heartbeats",
            key: self.process.clone(),
            column,
            reason,
        };
        let stage = self
            .stage
            .parse()
            .map_err(|_| corrupt("stage", format!("unknown stage {:?}", self.stage)))?;
        let stage_source: StageSource = self.stage_source.parse().map_err(|_| {
            corrupt(
                "stage_source",
                format!("unknown source {:?}", self.stage_source),
            )
        })?;
        Ok(Heartbeat {
            stage,
            stage_source,
            outbox_depth: u64::try_from(self.outbox_depth).unwrap_or(0),
            outbox_dead: u64::try_from(self.outbox_dead).unwrap_or(0),
            outbox_oldest: self.outbox_oldest.map(utc_from_sql).transpose()?,
            last_seen: utc_from_sql(self.last_seen)?,
            process: self.process,
            host: self.host,
            file_id: self.file_id,
            release: self.release,
        })
    }
}

impl StageStore for Store {
    fn stored_stage(&self) -> Result<Option<Stage>> {
        let name: Option<String> = self.read_unzoned(|conn| {
            Ok(chatmrpt_stage::table
                .find(STAGE_ROW)
                .select(chatmrpt_stage::stage)
                .first(conn)
                .optional()?)
        })?;
        name.map(|n| parse_stage("stage", "1", &n)).transpose()
    }

    fn record_stage(&self, change: &StageChange) -> Result<()> {
        self.write_unzoned("stage", change.to.name(), |conn| {
            set_current(conn, change)?;
            diesel::insert_into(chatmrpt_stage_history::table)
                .values((
                    chatmrpt_stage_history::from_stage.eq(change.from.name()),
                    chatmrpt_stage_history::to_stage.eq(change.to.name()),
                    chatmrpt_stage_history::changed_by.eq(&change.changed_by),
                    chatmrpt_stage_history::changed_at.eq(utc_to_sql(change.changed_at)),
                    chatmrpt_stage_history::forced.eq(change.forced),
                ))
                .execute(conn)?;
            Ok(())
        })
    }

    fn stage_history(&self, limit: u32) -> Result<Vec<StageChange>> {
        type Row = (RowId, String, String, String, SqlTime, bool);
        let rows: Vec<Row> = self.read_unzoned(|conn| {
            Ok(chatmrpt_stage_history::table
                .order(chatmrpt_stage_history::id.desc())
                .limit(i64::from(limit))
                .select((
                    chatmrpt_stage_history::id,
                    chatmrpt_stage_history::from_stage,
                    chatmrpt_stage_history::to_stage,
                    chatmrpt_stage_history::changed_by,
                    chatmrpt_stage_history::changed_at,
                    chatmrpt_stage_history::forced,
                ))
                .load(conn)?)
        })?;
        rows.into_iter()
            .map(|(id, from, to, by, at, forced)| {
                let key = id.to_string();
                Ok(StageChange {
                    from: parse_stage("from_stage", &key, &from)?,
                    to: parse_stage("to_stage", &key, &to)?,
                    changed_by: by,
                    changed_at: utc_from_sql(at)?,
                    forced,
                })
            })
            .collect()
    }

    fn cache_stage(&self, change: &StageChange) -> Result<()> {
        self.write_unzoned("stage", change.to.name(), |conn| {
            set_current(conn, change)?;
            Ok::<_, TxError>(())
        })
    }

    fn record_heartbeat(&self, beat: &Heartbeat) -> Result<()> {
        let row = HeartbeatRow::from_domain(beat);
        self.write_unzoned("heartbeat", &beat.process, |conn| {
            diesel::insert_into(chatmrpt_heartbeats::table)
                .values(&row)
                .on_conflict(chatmrpt_heartbeats::process)
                .do_update()
                .set(&row)
                .execute(conn)?;
            Ok(())
        })
    }

    fn heartbeats(&self) -> Result<Vec<Heartbeat>> {
        let rows: Vec<HeartbeatRow> = self.read_unzoned(|conn| {
            Ok(chatmrpt_heartbeats::table
                .order((
                    chatmrpt_heartbeats::last_seen.desc(),
                    chatmrpt_heartbeats::process.asc(),
                ))
                .select(HeartbeatRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(HeartbeatRow::into_domain).collect()
    }

    fn prune_heartbeats(&self, before: Timestamp) -> Result<u64> {
        let before = utc_to_sql(before);
        let pruned = self.write_unzoned("heartbeat", "prune", |conn| {
            Ok(diesel::delete(
                chatmrpt_heartbeats::table.filter(chatmrpt_heartbeats::last_seen.lt(&before)),
            )
            .execute(conn)?)
        })?;
        Ok(pruned as u64)
    }
}
