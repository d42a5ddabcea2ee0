use chatmrpt_db_core::{ErrorEntry, ErrorId, Result, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::errors;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = errors, check_for_backend(crate::backend::Db))]
pub(crate) struct ErrorEntryRow {
    pub error_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    pub stack_trace: Option<String>,
}

impl From<&ErrorEntry> for ErrorEntryRow {
    fn from(r: &ErrorEntry) -> Self {
        Self {
            error_id: r.error_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            error_type: r.error_type.clone(),
            error_message: r.error_message.clone(),
            stack_trace: r.stack_trace.clone(),
        }
    }
}

impl ErrorEntryRow {
    pub(crate) fn into_domain(self) -> Result<ErrorEntry> {
        Ok(ErrorEntry {
            timestamp: ts_from_sql("errors", &self.error_id, "timestamp", self.timestamp)?,
            error_id: ErrorId::new(self.error_id),
            session_id: self.session_id.map(SessionId::new),
            error_type: self.error_type,
            error_message: self.error_message,
            stack_trace: self.stack_trace,
        })
    }
}
