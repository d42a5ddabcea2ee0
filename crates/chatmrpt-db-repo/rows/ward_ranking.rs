use chatmrpt_db_core::{RankingId, Result, SessionId, WardRanking};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::ward_rankings;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = ward_rankings, check_for_backend(crate::backend::Db))]
pub(crate) struct WardRankingRow {
    pub ranking_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub ward_name: Option<String>,
    pub overall_rank: Option<i64>,
    pub median_score: Option<f64>,
    pub vulnerability_category: Option<String>,
    pub contributing_factors: Option<String>,
    pub anomaly_flags: Option<String>,
}

impl From<&WardRanking> for WardRankingRow {
    fn from(r: &WardRanking) -> Self {
        Self {
            ranking_id: r.ranking_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            ward_name: r.ward_name.clone(),
            overall_rank: r.overall_rank,
            median_score: positive_zero(r.median_score),
            vulnerability_category: r.vulnerability_category.clone(),
            contributing_factors: r.contributing_factors.clone(),
            anomaly_flags: r.anomaly_flags.clone(),
        }
    }
}

impl WardRankingRow {
    pub(crate) fn into_domain(self) -> Result<WardRanking> {
        Ok(WardRanking {
            timestamp: ts_from_sql(
                "ward_rankings",
                &self.ranking_id,
                "timestamp",
                self.timestamp,
            )?,
            ranking_id: RankingId::new(self.ranking_id),
            session_id: self.session_id.map(SessionId::new),
            ward_name: self.ward_name,
            overall_rank: self.overall_rank,
            median_score: self.median_score,
            vulnerability_category: self.vulnerability_category,
            contributing_factors: self.contributing_factors,
            anomaly_flags: self.anomaly_flags,
        })
    }
}
