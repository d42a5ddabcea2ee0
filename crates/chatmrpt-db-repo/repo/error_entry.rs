use chatmrpt_db_core::{ErrorEntry, ErrorLogRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::ErrorEntryRow;
use crate::schema::errors;

impl ErrorLogRepository for Store {
    fn log_error(&self, error: &ErrorEntry) -> Result<()> {
        log_error(self, error, &WriteCtx::now()).map(drop)
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

/// The write of the trait method `log_error`, under `ctx`.
pub(crate) fn log_error(store: &Store, error: &ErrorEntry, ctx: &WriteCtx<'_>) -> Result<Recorded> {
    error.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = ErrorEntryRow::from(error);
    let key = error.error_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "error",
            key,
            session: error.session_id.as_ref(),
            at: error.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(errors::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
