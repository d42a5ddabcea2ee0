use chatmrpt_db_core::{Result, SessionId, WardRanking, WardRankingRepository};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::WardRankingRow;
use crate::schema::ward_rankings;
use crate::store::optional;

impl WardRankingRepository for Store {
    fn log_ward_ranking(&self, ranking: &WardRanking) -> Result<()> {
        log_ward_ranking(self, ranking, &WriteCtx::now()).map(drop)
    }

    fn list_ward_rankings(&self, session: &SessionId) -> Result<Vec<WardRanking>> {
        self.read(|conn| {
            let rows = ward_rankings::table
                .filter(ward_rankings::session_id.eq(session.as_str()))
                .order((
                    ward_rankings::overall_rank.is_null().asc(),
                    ward_rankings::overall_rank.asc(),
                    ward_rankings::ranking_id.asc(),
                ))
                .select(WardRankingRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(WardRankingRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }

    fn latest_ward_ranking(
        &self,
        session: &SessionId,
        ward_name: &str,
    ) -> Result<Option<WardRanking>> {
        self.read(|conn| {
            let row = optional(
                ward_rankings::table
                    .filter(ward_rankings::session_id.eq(session.as_str()))
                    .filter(ward_rankings::ward_name.eq(ward_name))
                    .order((
                        ward_rankings::timestamp.is_null().asc(),
                        ward_rankings::timestamp.desc(),
                        ward_rankings::ranking_id.desc(),
                    ))
                    .select(WardRankingRow::as_select())
                    .first(conn),
            )?;
            Ok(row.map(WardRankingRow::into_domain).transpose()?)
        })
    }
}

/// The write of the trait method `log_ward_ranking`, under `ctx`.
pub(crate) fn log_ward_ranking(
    store: &Store,
    ranking: &WardRanking,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    ranking.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = WardRankingRow::from(ranking);
    let key = ranking.ranking_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "ward ranking",
            key,
            session: ranking.session_id.as_ref(),
            at: ranking.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(ward_rankings::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
