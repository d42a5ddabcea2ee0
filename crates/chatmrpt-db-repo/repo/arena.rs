use chatmrpt_db_core::{
    ArenaBattle, ArenaBattleUpdate, ArenaRepository, ArenaTrainingExport, Error, Result, SessionId,
};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::{ArenaBattleChanges, ArenaBattleRow, ArenaTrainingExportRow};
use crate::schema::{arena_battles, arena_training_exports as exports};

impl ArenaRepository for Store {
    fn log_arena_battle(&self, b: &ArenaBattle) -> Result<()> {
        b.validate()?;
        let row = ArenaBattleRow::from(b);
        write_child(
            self,
            "arena battle",
            b.battle_id.as_str(),
            b.session_id.as_ref(),
            b.timestamp,
            SessionEffect::None,
            |conn| {
                diesel::insert_into(arena_battles::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
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
        u.validate()?;
        let key = u.battle_id.as_str();
        let changes = ArenaBattleChanges::from(u);
        self.write("arena battle", key, |conn| {
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
    }

    fn log_training_export(&self, e: &ArenaTrainingExport) -> Result<()> {
        e.validate()?;
        let row = ArenaTrainingExportRow::from(e);
        write_child(
            self,
            "training export",
            e.export_id.as_str(),
            None,
            None,
            SessionEffect::None,
            |conn| {
                diesel::insert_into(exports::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
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
