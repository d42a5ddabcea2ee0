use chatmrpt_db_core::{Explanation, ExplanationFilter, ExplanationRepository, Result, SessionId};
use diesel::prelude::*;

use super::{SessionEffect, require_parent, write_child};
use crate::backend::Store;
use crate::rows::ExplanationRow;
use crate::schema::{explanations, llm_interactions};

impl ExplanationRepository for Store {
    fn log_explanation(&self, e: &Explanation) -> Result<()> {
        e.validate()?;
        let row = ExplanationRow::from(e);
        write_child(
            self,
            "explanation",
            e.explanation_id.as_str(),
            e.session_id.as_ref(),
            e.timestamp,
            SessionEffect::None,
            |conn| {
                if let Some(llm) = &e.llm_interaction_id {
                    let found = diesel::select(diesel::dsl::exists(
                        llm_interactions::table.find(llm.as_str()),
                    ))
                    .get_result(conn)?;
                    require_parent(found, "LLM interaction", llm.as_str())?;
                }
                diesel::insert_into(explanations::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            },
        )
    }

    fn list_explanations(
        &self,
        session: &SessionId,
        filter: &ExplanationFilter,
    ) -> Result<Vec<Explanation>> {
        self.read(|conn| {
            let mut query = explanations::table
                .filter(explanations::session_id.eq(session.as_str()))
                .into_boxed();
            if let Some(kind) = &filter.entity_type {
                query = query.filter(explanations::entity_type.eq(kind));
            }
            if let Some(name) = &filter.entity_name {
                query = query.filter(explanations::entity_name.eq(name));
            }
            let rows = query
                .order((
                    explanations::timestamp.is_null().desc(),
                    explanations::timestamp.asc(),
                    explanations::explanation_id.asc(),
                ))
                .select(ExplanationRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(ExplanationRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}
