use chatmrpt_db_core::{Result, SessionId, WardRanking, WardRankingRepository};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::WardRankingRow;
use crate::schema::ward_rankings;
use crate::store::optional;

impl WardRankingRepository for Store {
    fn log_ward_ranking(&self, ranking: &WardRanking) -> Result<()> {
        ranking.validate()?;
        let row = WardRankingRow::from(ranking);
        let key = ranking.ranking_id.as_str();
        write_child(
            self,
            "ward ranking",
            key,
            ranking.session_id.as_ref(),
            ranking.timestamp,
            SessionEffect::None,
            |conn| {
                diesel::insert_into(ward_rankings::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
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
