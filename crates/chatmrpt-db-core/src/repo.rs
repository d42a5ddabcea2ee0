//! The repository traits: every write and read the application performs.
//!
//! All traits are synchronous, take `&self`, are object safe, and say absence
//! with `Option`. Every backend follows the same rules:
//!
//! - **Validation first.** A write is validated before anything is stored
//!   ([`crate::Error::InvalidInput`] naming `table.column`); a refused write
//!   stores nothing, not even its session.
//! - **No new orphans.** A child row whose `session_id` names an unknown
//!   session creates that session in the same transaction, started and last
//!   active at the child's timestamp (now, when the child has none), flags
//!   off (`files_uploaded` on for an upload). A `None` session stays `None`.
//! - **Activity.** Messages, uploads, analysis events and analysis steps move
//!   the session's `last_activity` forward to their timestamp (never back; a
//!   child without a timestamp moves nothing). Every other child row leaves
//!   the session as it is.
//! - **Other parents must exist.** A row whose `step_id`,
//!   `llm_interaction_id` or `message_id` is unknown is refused with
//!   [`crate::Error::NotFound`] naming that key.
//! - **Keys are unique.** A primary key already stored is refused with
//!   [`crate::Error::Conflict`] and the stored row is unchanged.
//! - **Session updates** (`touch_session`, `set_*`) of an unknown session are
//!   [`crate::Error::NotFound`]; `set_user_language` validates the text as
//!   `sessions.user_language`.
//! - **Order.** Listings of a session are ordered by `timestamp`, rows
//!   without one first, then by primary key (bytewise).

use crate::Table;
use crate::error::Result;
use crate::ids::SessionId;
use crate::model::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, AnalysisStepDetail, Anomaly, ArenaBattle,
    ArenaBattleUpdate, ArenaTrainingExport, Calculation, ErrorEntry, Explanation,
    ExplanationFilter, FileUpload, LlmInteraction, Message, Page, RoutingDecision, Session,
    SessionStart, VariableRelationship, VisualizationFilter, VisualizationMetadata, WardRanking,
};
use crate::time::Timestamp;

/// Sessions.
pub trait SessionRepository {
    /// Records a request for a session: creates it (start and last activity
    /// at `start.at`, flags off) or, when it exists, moves `last_activity`
    /// forward and replaces the client details that are given. Never resets
    /// `start_time` or the flags. Returns the stored row.
    ///
    /// # Errors
    ///
    /// `InvalidInput`, or the store's failure.
    fn start_session(&self, start: &SessionStart) -> Result<Session>;

    /// The session, if stored.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn get_session(&self, id: &SessionId) -> Result<Option<Session>>;

    /// Moves `last_activity` to `at` unless it is already later.
    ///
    /// # Errors
    ///
    /// `NotFound` when the session is unknown, or the store's failure.
    fn touch_session(&self, id: &SessionId, at: Timestamp) -> Result<()>;

    /// Sets the session's language.
    ///
    /// # Errors
    ///
    /// `NotFound`, `InvalidInput`, or the store's failure.
    fn set_user_language(&self, id: &SessionId, language: &str) -> Result<()>;

    /// Sets `analysis_complete`.
    ///
    /// # Errors
    ///
    /// `NotFound`, or the store's failure.
    fn set_analysis_complete(&self, id: &SessionId, complete: bool) -> Result<()>;

    /// Sets `files_uploaded`.
    ///
    /// # Errors
    ///
    /// `NotFound`, or the store's failure.
    fn set_files_uploaded(&self, id: &SessionId, uploaded: bool) -> Result<()>;

    /// Sessions ordered by `start_time` (unknown first), then id.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_sessions(&self, page: Page) -> Result<Vec<Session>>;
}

/// Chat messages.
pub trait MessageRepository {
    /// Stores a message and moves the session's `last_activity` to it.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_message(&self, message: &Message) -> Result<()>;

    /// The session's messages, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_messages(&self, session: &SessionId) -> Result<Vec<Message>>;
}

/// File uploads.
pub trait FileUploadRepository {
    /// Stores an upload, moves `last_activity` and sets `files_uploaded`.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_file_upload(&self, upload: &FileUpload) -> Result<()>;

    /// The session's uploads, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_file_uploads(&self, session: &SessionId) -> Result<Vec<FileUpload>>;
}

/// Analysis events.
pub trait AnalysisEventRepository {
    /// Stores an event and, when it has a session, moves `last_activity`.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_analysis_event(&self, event: &AnalysisEvent) -> Result<()>;

    /// The session's events, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_analysis_events(&self, session: &SessionId) -> Result<Vec<AnalysisEvent>>;
}

/// Application errors the chatbot logged.
pub trait ErrorLogRepository {
    /// Stores an error record.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_error(&self, error: &ErrorEntry) -> Result<()>;

    /// The session's errors, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_errors(&self, session: &SessionId) -> Result<Vec<ErrorEntry>>;
}

/// Calls to language models.
pub trait LlmInteractionRepository {
    /// Stores an LLM call.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_llm_interaction(&self, interaction: &LlmInteraction) -> Result<()>;

    /// The session's LLM calls, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_llm_interactions(&self, session: &SessionId) -> Result<Vec<LlmInteraction>>;
}

/// Analysis steps with their decisions and calculations.
pub trait AnalysisStepRepository {
    /// Stores a step and moves the session's `last_activity`.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_analysis_step(&self, step: &AnalysisStep) -> Result<()>;

    /// Stores a decision; its step must exist.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_algorithm_decision(&self, decision: &AlgorithmDecision) -> Result<()>;

    /// Stores a calculation; its step must exist.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_calculation(&self, calculation: &Calculation) -> Result<()>;

    /// The session's steps, oldest first, each with its decisions and calculations.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_analysis_steps(&self, session: &SessionId) -> Result<Vec<AnalysisStepDetail>>;

    /// Every decision logged for the session, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_algorithm_decisions(&self, session: &SessionId) -> Result<Vec<AlgorithmDecision>>;

    /// Every calculation logged for the session, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_calculations(&self, session: &SessionId) -> Result<Vec<Calculation>>;
}

/// Anomalies found in the data.
pub trait AnomalyRepository {
    /// Stores an anomaly.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_anomaly(&self, anomaly: &Anomaly) -> Result<()>;

    /// The session's anomalies, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_anomalies(&self, session: &SessionId) -> Result<Vec<Anomaly>>;
}

/// Relationships found between variables.
pub trait VariableRelationshipRepository {
    /// Stores a relationship.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_variable_relationship(&self, relationship: &VariableRelationship) -> Result<()>;

    /// The session's relationships, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_variable_relationships(&self, session: &SessionId)
    -> Result<Vec<VariableRelationship>>;
}

/// Ward risk rankings.
pub trait WardRankingRepository {
    /// Stores a ranking.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_ward_ranking(&self, ranking: &WardRanking) -> Result<()>;

    /// The session's rankings by `overall_rank` (unranked last), then id.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_ward_rankings(&self, session: &SessionId) -> Result<Vec<WardRanking>>;

    /// The most recent ranking of one ward in the session: the newest
    /// timestamp (dated rows before undated ones), ties broken by the
    /// highest `ranking_id`.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn latest_ward_ranking(
        &self,
        session: &SessionId,
        ward_name: &str,
    ) -> Result<Option<WardRanking>>;
}

/// Visualization metadata.
pub trait VisualizationRepository {
    /// Stores a visualization's metadata.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_visualization(&self, viz: &VisualizationMetadata) -> Result<()>;

    /// The session's visualizations matching `filter`, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_visualizations(
        &self,
        session: &SessionId,
        filter: &VisualizationFilter,
    ) -> Result<Vec<VisualizationMetadata>>;
}

/// Explanations given to the user.
pub trait ExplanationRepository {
    /// Stores an explanation; its LLM call, when given, must exist.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_explanation(&self, explanation: &Explanation) -> Result<()>;

    /// The session's explanations matching `filter`, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_explanations(
        &self,
        session: &SessionId,
        filter: &ExplanationFilter,
    ) -> Result<Vec<Explanation>>;
}

/// Message routing decisions.
pub trait RoutingDecisionRepository {
    /// Stores a routing decision; its message, when given, must exist.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_routing_decision(&self, decision: &RoutingDecision) -> Result<()>;

    /// The session's routing decisions, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_routing_decisions(&self, session: &SessionId) -> Result<Vec<RoutingDecision>>;
}

/// The model arena.
pub trait ArenaRepository {
    /// Stores a battle.
    ///
    /// # Errors
    ///
    /// See the module docs.
    fn log_arena_battle(&self, battle: &ArenaBattle) -> Result<()>;

    /// The session's battles, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_arena_battles(&self, session: &SessionId) -> Result<Vec<ArenaBattle>>;

    /// Changes a stored battle: every field the update gives replaces the
    /// stored one, the others stay (the second half of the legacy upsert).
    /// An update that gives no field changes nothing.
    ///
    /// # Errors
    ///
    /// `NotFound` when the battle is unknown, `InvalidInput`, or the
    /// store's failure.
    fn update_arena_battle(&self, update: &ArenaBattleUpdate) -> Result<()>;

    /// Stores a training export record.
    ///
    /// # Errors
    ///
    /// `InvalidInput`, `Conflict`, or the store's failure.
    fn log_training_export(&self, export: &ArenaTrainingExport) -> Result<()>;

    /// Every training export, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn list_training_exports(&self) -> Result<Vec<ArenaTrainingExport>>;
}

/// Facts about the store itself.
pub trait StoreInfo {
    /// A short name of the backend, e.g. `sqlite`; never a credential.
    fn backend_name(&self) -> &'static str;

    /// Rows stored in `table`.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn count_rows(&self, table: Table) -> Result<u64>;

    /// Upkeep a background worker runs now and then, off the write path
    /// (SQLite: a passive WAL checkpoint, so that committing writers seldom
    /// have to). Never changes what the store holds. Default: nothing.
    ///
    /// # Errors
    ///
    /// The store's failure (the upkeep is tried again later).
    fn housekeep(&self) -> Result<()> {
        Ok(())
    }
}
