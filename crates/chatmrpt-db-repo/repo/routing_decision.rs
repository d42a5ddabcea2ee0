use chatmrpt_db_core::{Result, RoutingDecision, RoutingDecisionRepository, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, require_parent, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::RoutingDecisionRow;
use crate::schema::{messages, routing_decisions};

impl RoutingDecisionRepository for Store {
    fn log_routing_decision(&self, d: &RoutingDecision) -> Result<()> {
        log_routing_decision(self, d, &WriteCtx::now()).map(drop)
    }

    fn list_routing_decisions(&self, session: &SessionId) -> Result<Vec<RoutingDecision>> {
        self.read(|conn| {
            let rows = routing_decisions::table
                .filter(routing_decisions::session_id.eq(session.as_str()))
                .order((
                    routing_decisions::timestamp.is_null().desc(),
                    routing_decisions::timestamp.asc(),
                    routing_decisions::routing_id.asc(),
                ))
                .select(RoutingDecisionRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(RoutingDecisionRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_routing_decision`, under `ctx`.
pub(crate) fn log_routing_decision(
    store: &Store,
    d: &RoutingDecision,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    d.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = RoutingDecisionRow::from(d);
    write_child(
        store,
        ctx,
        Child {
            entity: "routing decision",
            key: d.routing_id.as_str(),
            session: d.session_id.as_ref(),
            at: d.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            if let Some(message) = &d.message_id {
                let found =
                    diesel::select(diesel::dsl::exists(messages::table.find(message.as_str())))
                        .get_result(conn)?;
                require_parent(found, "message", message.as_str())?;
            }
            diesel::insert_into(routing_decisions::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
