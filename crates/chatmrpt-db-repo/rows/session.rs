use chatmrpt_db_core::{Result, Session, SessionId};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{ts_from_sql, ts_to_sql};
use crate::schema::sessions;

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sessions, check_for_backend(crate::backend::Db))]
pub(crate) struct SessionRow {
    pub session_id: String,
    pub start_time: Option<SqlTime>,
    pub last_activity: Option<SqlTime>,
    pub user_language: Option<String>,
    pub browser_info: Option<String>,
    pub ip_address: Option<String>,
    pub analysis_complete: Option<bool>,
    pub files_uploaded: Option<bool>,
}

impl From<&Session> for SessionRow {
    fn from(s: &Session) -> Self {
        Self {
            session_id: s.session_id.as_str().to_owned(),
            start_time: ts_to_sql(s.start_time),
            last_activity: ts_to_sql(s.last_activity),
            user_language: s.user_language.clone(),
            browser_info: s.browser_info.clone(),
            ip_address: s.ip_address.clone(),
            analysis_complete: s.analysis_complete,
            files_uploaded: s.files_uploaded,
        }
    }
}

impl SessionRow {
    pub(crate) fn into_domain(self) -> Result<Session> {
        let key = self.session_id.as_str();
        Ok(Session {
            start_time: ts_from_sql("sessions", key, "start_time", self.start_time)?,
            last_activity: ts_from_sql("sessions", key, "last_activity", self.last_activity)?,
            session_id: SessionId::new(self.session_id),
            user_language: self.user_language,
            browser_info: self.browser_info,
            ip_address: self.ip_address,
            analysis_complete: self.analysis_complete,
            files_uploaded: self.files_uploaded,
        })
    }
}
