use chatmrpt_db_core::{Result, SessionId, VariableRelationship, VariableRelationshipRepository};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::VariableRelationshipRow;
use crate::schema::variable_relationships;

impl VariableRelationshipRepository for Store {
    fn log_variable_relationship(&self, relationship: &VariableRelationship) -> Result<()> {
        log_variable_relationship(self, relationship, &WriteCtx::now()).map(drop)
    }

    fn list_variable_relationships(
        &self,
        session: &SessionId,
    ) -> Result<Vec<VariableRelationship>> {
        self.read(|conn| {
            let rows = variable_relationships::table
                .filter(variable_relationships::session_id.eq(session.as_str()))
                .order((
                    variable_relationships::timestamp.is_null().desc(),
                    variable_relationships::timestamp.asc(),
                    variable_relationships::relationship_id.asc(),
                ))
                .select(VariableRelationshipRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(VariableRelationshipRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_variable_relationship`, under `ctx`.
pub(crate) fn log_variable_relationship(
    store: &Store,
    relationship: &VariableRelationship,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    relationship.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = VariableRelationshipRow::from(relationship);
    let key = relationship.relationship_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "variable relationship",
            key,
            session: relationship.session_id.as_ref(),
            at: relationship.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(variable_relationships::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
