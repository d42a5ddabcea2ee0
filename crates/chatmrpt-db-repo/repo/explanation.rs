use chatmrpt_db_core::{Explanation, ExplanationFilter, ExplanationRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, require_parent, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::ExplanationRow;
use crate::schema::{explanations, llm_interactions};

impl ExplanationRepository for Store {
    fn log_explanation(&self, e: &Explanation) -> Result<()> {
        log_explanation(self, e, &WriteCtx::now()).map(drop)
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

/// The write of the trait method `log_explanation`, under `ctx`.
pub(crate) fn log_explanation(
    store: &Store,
    e: &Explanation,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    e.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = ExplanationRow::from(e);
    write_child(
        store,
        ctx,
        Child {
            entity: "explanation",
            key: e.explanation_id.as_str(),
            session: e.session_id.as_ref(),
            at: e.timestamp,
            effect: SessionEffect::None,
        },
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
