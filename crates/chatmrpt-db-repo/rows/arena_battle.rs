use chatmrpt_db_core::{ArenaBattle, ArenaBattleUpdate, BattleId, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::arena_battles;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = arena_battles, check_for_backend(crate::backend::Db))]
pub(crate) struct ArenaBattleRow {
    pub battle_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub user_message: Option<String>,
    pub model_a: Option<String>,
    pub model_b: Option<String>,
    pub response_a: Option<String>,
    pub response_b: Option<String>,
    pub latency_a: Option<f64>,
    pub latency_b: Option<f64>,
    pub tokens_a: Option<i64>,
    pub tokens_b: Option<i64>,
    pub user_preference: Option<String>,
    pub elo_before_a: Option<f64>,
    pub elo_before_b: Option<f64>,
    pub elo_after_a: Option<f64>,
    pub elo_after_b: Option<f64>,
    pub view_index: Option<i64>,
}

impl From<&ArenaBattle> for ArenaBattleRow {
    fn from(r: &ArenaBattle) -> Self {
        Self {
            battle_id: r.battle_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            user_message: r.user_message.clone(),
            model_a: r.model_a.clone(),
            model_b: r.model_b.clone(),
            response_a: r.response_a.clone(),
            response_b: r.response_b.clone(),
            latency_a: positive_zero(r.latency_a),
            latency_b: positive_zero(r.latency_b),
            tokens_a: r.tokens_a,
            tokens_b: r.tokens_b,
            user_preference: r.user_preference.clone(),
            elo_before_a: positive_zero(r.elo_before_a),
            elo_before_b: positive_zero(r.elo_before_b),
            elo_after_a: positive_zero(r.elo_after_a),
            elo_after_b: positive_zero(r.elo_after_b),
            view_index: r.view_index,
        }
    }
}

impl ArenaBattleRow {
    pub(crate) fn into_domain(self) -> Result<ArenaBattle> {
        Ok(ArenaBattle {
            timestamp: ts_from_sql(
                "arena_battles",
                &self.battle_id,
                "timestamp",
                self.timestamp,
            )?,
            battle_id: BattleId::new(self.battle_id),
            session_id: self.session_id.map(SessionId::new),
            user_message: self.user_message,
            model_a: self.model_a,
            model_b: self.model_b,
            response_a: self.response_a,
            response_b: self.response_b,
            latency_a: self.latency_a,
            latency_b: self.latency_b,
            tokens_a: self.tokens_a,
            tokens_b: self.tokens_b,
            user_preference: self.user_preference,
            elo_before_a: self.elo_before_a,
            elo_before_b: self.elo_before_b,
            elo_after_a: self.elo_after_a,
            elo_after_b: self.elo_after_b,
            view_index: self.view_index,
        })
    }
}

/// The fields an [`ArenaBattleUpdate`] gives: `None` fields are left out
/// of the `UPDATE` (diesel skips them), so the stored values stay.
#[derive(AsChangeset)]
#[diesel(table_name = arena_battles, check_for_backend(crate::backend::Db))]
pub(crate) struct ArenaBattleChanges {
    pub user_message: Option<String>,
    pub model_a: Option<String>,
    pub model_b: Option<String>,
    pub response_a: Option<String>,
    pub response_b: Option<String>,
    pub latency_a: Option<f64>,
    pub latency_b: Option<f64>,
    pub tokens_a: Option<i64>,
    pub tokens_b: Option<i64>,
    pub user_preference: Option<String>,
    pub elo_before_a: Option<f64>,
    pub elo_before_b: Option<f64>,
    pub elo_after_a: Option<f64>,
    pub elo_after_b: Option<f64>,
    pub view_index: Option<i64>,
}

impl From<&ArenaBattleUpdate> for ArenaBattleChanges {
    fn from(u: &ArenaBattleUpdate) -> Self {
        Self {
            user_message: u.user_message.clone(),
            model_a: u.model_a.clone(),
            model_b: u.model_b.clone(),
            response_a: u.response_a.clone(),
            response_b: u.response_b.clone(),
            latency_a: positive_zero(u.latency_a),
            latency_b: positive_zero(u.latency_b),
            tokens_a: u.tokens_a,
            tokens_b: u.tokens_b,
            user_preference: u.user_preference.clone(),
            elo_before_a: positive_zero(u.elo_before_a),
            elo_before_b: positive_zero(u.elo_before_b),
            elo_after_a: positive_zero(u.elo_after_a),
            elo_after_b: positive_zero(u.elo_after_b),
            view_index: u.view_index,
        }
    }
}
