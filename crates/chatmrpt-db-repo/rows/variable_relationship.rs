use chatmrpt_db_core::{RelationshipId, Result, SessionId, VariableRelationship};
use diesel::prelude::*;

use crate::backend::SqlTime;

use super::{positive_zero, ts_from_sql, ts_to_sql};
use crate::schema::variable_relationships;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = variable_relationships, check_for_backend(crate::backend::Db))]
pub(crate) struct VariableRelationshipRow {
    pub relationship_id: String,
    pub session_id: Option<String>,
    pub timestamp: Option<SqlTime>,
    pub variable_name: Option<String>,
    pub relationship_type: Option<String>,
    pub evidence: Option<String>,
    pub confidence_score: Option<f64>,
}

impl From<&VariableRelationship> for VariableRelationshipRow {
    fn from(r: &VariableRelationship) -> Self {
        Self {
            relationship_id: r.relationship_id.as_str().to_owned(),
            session_id: r.session_id.as_ref().map(|id| id.as_str().to_owned()),
            timestamp: ts_to_sql(r.timestamp),
            variable_name: r.variable_name.clone(),
            relationship_type: r.relationship_type.clone(),
            evidence: r.evidence.clone(),
            confidence_score: positive_zero(r.confidence_score),
        }
    }
}

impl VariableRelationshipRow {
    pub(crate) fn into_domain(self) -> Result<VariableRelationship> {
        Ok(VariableRelationship {
            timestamp: ts_from_sql(
                "variable_relationships",
                &self.relationship_id,
                "timestamp",
                self.timestamp,
            )?,
            relationship_id: RelationshipId::new(self.relationship_id),
            session_id: self.session_id.map(SessionId::new),
            variable_name: self.variable_name,
            relationship_type: self.relationship_type,
            evidence: self.evidence,
            confidence_score: self.confidence_score,
        })
    }
}
