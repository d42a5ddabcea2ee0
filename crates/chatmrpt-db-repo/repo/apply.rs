//! [`WriteOp`]s applied to this backend: the one dispatch from an operation
//! to the repository layer's write functions, for the store's own writes
//! through [`ApplyWrite`], the dual store's recorded writes and the
//! replayer's deliveries.

use chatmrpt_db_core::{Applied, ApplyWrite, Error, OutboxKey, Result, Timestamp, WriteOp};

use super::{
    Recorded, WriteCtx, analysis, analysis_event, anomaly, arena, error_entry, explanation,
    file_upload, llm_interaction, message, routing_decision, session, variable_relationship,
    visualization, ward_ranking,
};
use crate::backend::Store;

impl ApplyWrite for Store {
    fn apply(&self, op: &WriteOp, at: Timestamp) -> Result<Applied> {
        let ctx = WriteCtx { at, record: None };
        dispatch(self, op, &ctx).map(|(applied, _)| applied)
    }
}

/// Applies `op` at `at` and appends it to this store's outbox in the same
/// transaction ([`chatmrpt_db_core::OutboxStore::apply_recorded`]).
///
/// # Errors
///
/// The write's or the outbox's failure; [`Error::Internal`] if the write
/// path did not append the entry (never silently unrecorded).
pub(crate) fn apply_recorded(
    store: &Store,
    op: &WriteOp,
    at: Timestamp,
) -> Result<(Applied, OutboxKey)> {
    let ctx = WriteCtx {
        at,
        record: Some(op),
    };
    match dispatch(store, op, &ctx)? {
        (applied, Some(entry)) => Ok((applied, entry)),
        (_, None) => Err(Error::Internal(format!(
            "{} `{}` was written without its outbox entry",
            op.kind(),
            op.key()
        ))),
    }
}

fn dispatch(store: &Store, op: &WriteOp, ctx: &WriteCtx<'_>) -> Result<(Applied, Recorded)> {
    Ok(match op {
        WriteOp::StartSession(s) => {
            let (session, recorded) = session::start_session(store, s, ctx)?;
            (Applied::Session(session), recorded)
        }
        WriteOp::TouchSession(id, at) => (
            Applied::Stored,
            session::touch_session(store, id, *at, ctx)?,
        ),
        WriteOp::SetUserLanguage(id, language) => (
            Applied::Stored,
            session::set_user_language(store, id, language, ctx)?,
        ),
        WriteOp::SetAnalysisComplete(id, complete) => (
            Applied::Stored,
            session::set_analysis_complete(store, id, *complete, ctx)?,
        ),
        WriteOp::SetFilesUploaded(id, uploaded) => (
            Applied::Stored,
            session::set_files_uploaded(store, id, *uploaded, ctx)?,
        ),
        WriteOp::Message(m) => (Applied::Stored, message::log_message(store, m, ctx)?),
        WriteOp::FileUpload(u) => (
            Applied::Stored,
            file_upload::log_file_upload(store, u, ctx)?,
        ),
        WriteOp::AnalysisEvent(e) => (
            Applied::Stored,
            analysis_event::log_analysis_event(store, e, ctx)?,
        ),
        WriteOp::Error(e) => (Applied::Stored, error_entry::log_error(store, e, ctx)?),
        WriteOp::LlmInteraction(l) => (
            Applied::Stored,
            llm_interaction::log_llm_interaction(store, l, ctx)?,
        ),
        WriteOp::AnalysisStep(s) => (Applied::Stored, analysis::log_analysis_step(store, s, ctx)?),
        WriteOp::AlgorithmDecision(d) => (
            Applied::Stored,
            analysis::log_algorithm_decision(store, d, ctx)?,
        ),
        WriteOp::Calculation(c) => (Applied::Stored, analysis::log_calculation(store, c, ctx)?),
        WriteOp::Anomaly(a) => (Applied::Stored, anomaly::log_anomaly(store, a, ctx)?),
        WriteOp::VariableRelationship(r) => (
            Applied::Stored,
            variable_relationship::log_variable_relationship(store, r, ctx)?,
        ),
        WriteOp::WardRanking(r) => (
            Applied::Stored,
            ward_ranking::log_ward_ranking(store, r, ctx)?,
        ),
        WriteOp::Visualization(v) => (
            Applied::Stored,
            visualization::log_visualization(store, v, ctx)?,
        ),
        WriteOp::Explanation(e) => (
            Applied::Stored,
            explanation::log_explanation(store, e, ctx)?,
        ),
        WriteOp::RoutingDecision(r) => (
            Applied::Stored,
            routing_decision::log_routing_decision(store, r, ctx)?,
        ),
        WriteOp::ArenaBattle(b) => (Applied::Stored, arena::log_arena_battle(store, b, ctx)?),
        WriteOp::ArenaBattleUpdate(u) => {
            (Applied::Stored, arena::update_arena_battle(store, u, ctx)?)
        }
        WriteOp::TrainingExport(e) => (Applied::Stored, arena::log_training_export(store, e, ctx)?),
    })
}
