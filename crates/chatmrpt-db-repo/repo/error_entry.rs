use chatmrpt_db_core::{ErrorEntry, ErrorLogRepository, Result, SessionId};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::ErrorEntryRow;
use crate::schema::errors;

impl ErrorLogRepository for Store {
    fn log_error(&self, error: &ErrorEntry) -> Result<()> {
        error.validate()?;
        let row = ErrorEntryRow::from(error);
        let key = error.error_id.as_str();
        write_child(
            self,
            "error",
            key,
            error.session_id.as_ref(),
            error.timestamp,
            SessionEffect::None,
            |conn| {
                diesel::insert_into(errors::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
    }

    fn list_errors(&self, session: &SessionId) -> Result<Vec<ErrorEntry>> {
        self.read(|conn| {
            let rows = errors::table
                .filter(errors::session_id.eq(session.as_str()))
                .order((
                    errors::timestamp.is_null().desc(),
                    errors::timestamp.asc(),
                    errors::error_id.asc(),
                ))
                .select(ErrorEntryRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(ErrorEntryRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}
