use chatmrpt_db_core::{Result, SessionId, VariableRelationship, VariableRelationshipRepository};
use diesel::prelude::*;

use super::{SessionEffect, write_child};
use crate::backend::Store;
use crate::rows::VariableRelationshipRow;
use crate::schema::variable_relationships;

impl VariableRelationshipRepository for Store {
    fn log_variable_relationship(&self, relationship: &VariableRelationship) -> Result<()> {
        relationship.validate()?;
        let row = VariableRelationshipRow::from(relationship);
        let key = relationship.relationship_id.as_str();
        write_child(
            self,
            "variable relationship",
            key,
            relationship.session_id.as_ref(),
            relationship.timestamp,
            SessionEffect::None,
            |conn| {
                diesel::insert_into(variable_relationships::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
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
