use chatmrpt_db_core::{Result, RoutingDecision, RoutingDecisionRepository, SessionId};
use diesel::prelude::*;

use super::{SessionEffect, require_parent, write_child};
use crate::backend::Store;
use crate::rows::RoutingDecisionRow;
use crate::schema::{messages, routing_decisions};

impl RoutingDecisionRepository for Store {
    fn log_routing_decision(&self, d: &RoutingDecision) -> Result<()> {
        d.validate()?;
        let row = RoutingDecisionRow::from(d);
        write_child(
            self,
            "routing decision",
            d.routing_id.as_str(),
            d.session_id.as_ref(),
            d.timestamp,
            SessionEffect::None,
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
