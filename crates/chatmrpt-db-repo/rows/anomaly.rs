use chatmrpt_db_core::{Anomaly, AnomalyId, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::anomalies;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = anomalies, check_for_backend(crate::backend::Db))]
pub(crate) struct AnomalyRow {
    pub anomaly_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub entity_name: Option<String>,
    pub anomaly_type: Option<String>,
    pub expected_value: Option<String>,
    pub actual_value: Option<String>,
    pub significance: Option<String>,
    pub context: Option<String>,
}

impl From<&Anomaly> for AnomalyRow {
    fn from(r: &Anomaly) -> Self {
        Self {
            anomaly_id: r.anomaly_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            entity_name: r.entity_name.clone(),
            anomaly_type: r.anomaly_type.clone(),
            expected_value: r.expected_value.clone(),
            actual_value: r.actual_value.clone(),
            significance: r.significance.clone(),
            context: r.context.clone(),
        }
    }
}

impl AnomalyRow {
    pub(crate) fn into_domain(self) -> Result<Anomaly> {
        Ok(Anomaly {
            timestamp: ts_from_sql("anomalies", &self.anomaly_id, "timestamp", self.timestamp)?,
            anomaly_id: AnomalyId::new(self.anomaly_id),
            session_id: self.session_id.map(SessionId::new),
            entity_name: self.entity_name,
            anomaly_type: self.anomaly_type,
            expected_value: self.expected_value,
            actual_value: self.actual_value,
            significance: self.significance,
            context: self.context,
        })
    }
}
