use chatmrpt_db_core::{AnalysisEvent, AnalysisEventRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::AnalysisEventRow;
use crate::schema::analysis_events;

impl AnalysisEventRepository for Store {
    fn log_analysis_event(&self, event: &AnalysisEvent) -> Result<()> {
        log_analysis_event(self, event, &WriteCtx::now()).map(drop)
    }

    fn list_analysis_events(&self, session: &SessionId) -> Result<Vec<AnalysisEvent>> {
        self.read(|conn| {
            let rows = analysis_events::table
                .filter(analysis_events::session_id.eq(session.as_str()))
                .order((
                    analysis_events::timestamp.is_null().desc(),
                    analysis_events::timestamp.asc(),
                    analysis_events::event_id.asc(),
                ))
                .select(AnalysisEventRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(AnalysisEventRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_analysis_event`, under `ctx`.
pub(crate) fn log_analysis_event(
    store: &Store,
    event: &AnalysisEvent,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    event.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = AnalysisEventRow::from(event);
    let key = event.event_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "analysis event",
            key,
            session: event.session_id.as_ref(),
            at: event.timestamp,
            effect: SessionEffect::Touch,
        },
        |conn| {
            diesel::insert_into(analysis_events::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
