use chatmrpt_db_core::{
    ArenaBattle, ArenaBattleUpdate, ArenaRepository, ArenaTrainingExport, Error, Result, SessionId,
};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx, transact};
use crate::backend::Store;
use crate::rows::{ArenaBattleChanges, ArenaBattleRow, ArenaTrainingExportRow};
use crate::schema::{arena_battles, arena_training_exports as exports};

impl ArenaRepository for Store {
    fn log_arena_battle(&self, b: &ArenaBattle) -> Result<()> {
        log_arena_battle(self, b, &WriteCtx::now()).map(drop)
    }

    fn list_arena_battles(&self, session: &SessionId) -> Result<Vec<ArenaBattle>> {
        self.read(|conn| {
            let rows = arena_battles::table
                .filter(arena_battles::session_id.eq(session.as_str()))
                .order((
                    arena_battles::timestamp.is_null().desc(),
                    arena_battles::timestamp.asc(),
                    arena_battles::battle_id.asc(),
                ))
                .select(ArenaBattleRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(ArenaBattleRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }

    fn update_arena_battle(&self, u: &ArenaBattleUpdate) -> Result<()> {
        update_arena_battle(self, u, &WriteCtx::now()).map(drop)
    }

    fn log_training_export(&self, e: &ArenaTrainingExport) -> Result<()> {
        log_training_export(self, e, &WriteCtx::now()).map(drop)
    }

    fn list_training_exports(&self) -> Result<Vec<ArenaTrainingExport>> {
        self.read(|conn| {
            let rows = exports::table
                .order((
                    exports::export_timestamp.is_null().desc(),
                    exports::export_timestamp.asc(),
                    exports::export_id.asc(),
                ))
                .select(ArenaTrainingExportRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(ArenaTrainingExportRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_arena_battle`, under `ctx`.
pub(crate) fn log_arena_battle(
    store: &Store,
    b: &ArenaBattle,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    b.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = ArenaBattleRow::from(b);
    write_child(
        store,
        ctx,
        Child {
            entity: "arena battle",
            key: b.battle_id.as_str(),
            session: b.session_id.as_ref(),
            at: b.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(arena_battles::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}

/// The write of the trait method `update_arena_battle`, under `ctx`.
pub(crate) fn update_arena_battle(
    store: &Store,
    u: &ArenaBattleUpdate,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    u.validate()?;
    let key = u.battle_id.as_str();
    let changes = ArenaBattleChanges::from(u);
    transact(store, ctx, "arena battle", key, |conn| {
        let target = arena_battles::table.find(key);
        let found = if u.is_empty() {
            target.count().get_result::<i64>(conn)? as usize
        } else {
            diesel::update(target).set(&changes).execute(conn)?
        };
        if found == 0 {
            return Err(Error::NotFound {
                entity: "arena battle",
                key: key.to_owned(),
            }
            .into());
        }
        Ok(())
    })
    .map(|((), recorded)| recorded)
}

/// The write of the trait method `log_training_export`, under `ctx`.
pub(crate) fn log_training_export(
    store: &Store,
    e: &ArenaTrainingExport,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    e.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = ArenaTrainingExportRow::from(e);
    write_child(
        store,
        ctx,
        Child {
            entity: "training export",
            key: e.export_id.as_str(),
            session: None,
            at: None,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(exports::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
