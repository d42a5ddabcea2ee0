use chatmrpt_db_core::{LlmInteraction, LlmInteractionRepository, Result, SessionId};
use diesel::prelude::*;

use super::{Child, SessionEffect, write_child};
use super::{Recorded, WriteCtx};
use crate::backend::Store;
use crate::rows::LlmInteractionRow;
use crate::schema::llm_interactions;

impl LlmInteractionRepository for Store {
    fn log_llm_interaction(&self, interaction: &LlmInteraction) -> Result<()> {
        log_llm_interaction(self, interaction, &WriteCtx::now()).map(drop)
    }

    fn list_llm_interactions(&self, session: &SessionId) -> Result<Vec<LlmInteraction>> {
        self.read(|conn| {
            let rows = llm_interactions::table
                .filter(llm_interactions::session_id.eq(session.as_str()))
                .order((
                    llm_interactions::timestamp.is_null().desc(),
                    llm_interactions::timestamp.asc(),
                    llm_interactions::interaction_id.asc(),
                ))
                .select(LlmInteractionRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(LlmInteractionRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `log_llm_interaction`, under `ctx`.
pub(crate) fn log_llm_interaction(
    store: &Store,
    interaction: &LlmInteraction,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    interaction.validate()?;
    // The row holds legacy text on the file's clock.
    let _clock = crate::backend::clock_scope(store)?;
    let row = LlmInteractionRow::from(interaction);
    let key = interaction.interaction_id.as_str();
    write_child(
        store,
        ctx,
        Child {
            entity: "LLM interaction",
            key,
            session: interaction.session_id.as_ref(),
            at: interaction.timestamp,
            effect: SessionEffect::None,
        },
        |conn| {
            diesel::insert_into(llm_interactions::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        },
    )
}
