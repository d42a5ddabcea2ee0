use chatmrpt_db_core::{AnalysisEvent, EventId, JsonText, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::analysis_events;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = analysis_events, check_for_backend(crate::backend::Db))]
pub(crate) struct AnalysisEventRow {
    pub event_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub event_type: Option<String>,
    pub details: Option<String>,
    pub success: Option<bool>,
}

impl From<&AnalysisEvent> for AnalysisEventRow {
    fn from(r: &AnalysisEvent) -> Self {
        Self {
            event_id: r.event_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            event_type: r.event_type.clone(),
            details: r.details.as_ref().map(|j| j.as_str().to_owned()),
            success: r.success,
        }
    }
}

impl AnalysisEventRow {
    pub(crate) fn into_domain(self) -> Result<AnalysisEvent> {
        Ok(AnalysisEvent {
            timestamp: ts_from_sql(
                "analysis_events",
                &self.event_id,
                "timestamp",
                self.timestamp,
            )?,
            event_id: EventId::new(self.event_id),
            session_id: self.session_id.map(SessionId::new),
            event_type: self.event_type,
            details: self.details.map(JsonText::new),
            success: self.success,
        })
    }
}
