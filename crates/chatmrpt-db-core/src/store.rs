//! The umbrella trait the application holds, and what it derives from the parts.

use crate::error::Result;
use crate::ids::SessionId;
use crate::model::{Page, SessionExport};
use crate::repo::{
    AnalysisEventRepository, AnalysisStepRepository, AnomalyRepository, ArenaRepository,
    ErrorLogRepository, ExplanationRepository, FileUploadRepository, LlmInteractionRepository,
    MessageRepository, RoutingDecisionRepository, SessionRepository, StoreInfo,
    VariableRelationshipRepository, VisualizationRepository, WardRankingRepository,
};
use crate::scan::TableScan;
use crate::write::ApplyWrite;
use crate::{ExplanationFilter, VisualizationFilter};

/// Sessions exported per page by [`InteractionStore::for_each_session_export`].
const EXPORT_PAGE: u32 = 500;

/// The whole interaction log behind one handle. Implemented for every type
/// that implements all the repository traits.
pub trait InteractionStore:
    ApplyWrite
    + SessionRepository
    + MessageRepository
    + FileUploadRepository
    + AnalysisEventRepository
    + ErrorLogRepository
    + LlmInteractionRepository
    + AnalysisStepRepository
    + AnomalyRepository
    + VariableRelationshipRepository
    + WardRankingRepository
    + VisualizationRepository
    + ExplanationRepository
    + RoutingDecisionRepository
    + ArenaRepository
    + StoreInfo
    + TableScan
    + Send
    + Sync
{
    /// One session with every child row, or `None` when it is unknown.
    ///
    /// The lists are read one after the other, not in one snapshot: rows
    /// written meanwhile may or may not appear.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn export_session(&self, id: &SessionId) -> Result<Option<SessionExport>> {
        let Some(session) = self.get_session(id)? else {
            return Ok(None);
        };
        Ok(Some(SessionExport {
            session,
            messages: self.list_messages(id)?,
            file_uploads: self.list_file_uploads(id)?,
            analysis_events: self.list_analysis_events(id)?,
            errors: self.list_errors(id)?,
            llm_interactions: self.list_llm_interactions(id)?,
            analysis_steps: self
                .list_analysis_steps(id)?
                .into_iter()
                .map(|d| d.step)
                .collect(),
            algorithm_decisions: self.list_algorithm_decisions(id)?,
            calculations: self.list_calculations(id)?,
            anomalies: self.list_anomalies(id)?,
            variable_relationships: self.list_variable_relationships(id)?,
            ward_rankings: self.list_ward_rankings(id)?,
            visualization_metadata: self
                .list_visualizations(id, &VisualizationFilter::default())?,
            explanations: self.list_explanations(id, &ExplanationFilter::default())?,
            routing_decisions: self.list_routing_decisions(id)?,
            arena_battles: self.list_arena_battles(id)?,
        }))
    }

    /// Exports every session, ordered by start time, one at a time into
    /// `sink`, in bounded memory. Stops at the first error of the store or
    /// of `sink`.
    ///
    /// Pages are read by offset: a session created during the walk with a
    /// start time earlier than the current page shifts the pages, so one
    /// session may be visited twice or not at all. Export from a quiet
    /// store (or a snapshot copy) when every session must appear once.
    ///
    /// # Errors
    ///
    /// The store's failure, or what `sink` returned.
    fn for_each_session_export(
        &self,
        sink: &mut dyn FnMut(SessionExport) -> Result<()>,
    ) -> Result<()> {
        let mut page = Page::first(EXPORT_PAGE);
        loop {
            let sessions = self.list_sessions(page)?;
            for session in &sessions {
                if let Some(export) = self.export_session(&session.session_id)? {
                    sink(export)?;
                }
            }
            if sessions.len() < EXPORT_PAGE as usize {
                return Ok(());
            }
            page = page.next();
        }
    }
}

impl<T> InteractionStore for T where
    T: ApplyWrite
        + SessionRepository
        + MessageRepository
        + FileUploadRepository
        + AnalysisEventRepository
        + ErrorLogRepository
        + LlmInteractionRepository
        + AnalysisStepRepository
        + AnomalyRepository
        + VariableRelationshipRepository
        + WardRankingRepository
        + VisualizationRepository
        + ExplanationRepository
        + RoutingDecisionRepository
        + ArenaRepository
        + StoreInfo
        + TableScan
        + Send
        + Sync
{
}
