//! What a store needs to take part in dual write: the write operations as
//! values, the transactional outbox, and the stored migration stage.
//!
//! The dual store (`chatmrpt-db-dual`) writes the authoritative store
//! through [`OutboxStore::recording`]: the returned handle performs the
//! write and, in the same transaction, appends the serialised [`WriteOp`] to
//! that store's outbox. The outbox of a store always holds writes for the
//! *other* store of the pair; the replayer reads it back with
//! [`OutboxStore::outbox_batch`] and applies each [`WriteOp`] there.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::model::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, ArenaBattleUpdate,
    ArenaTrainingExport, Calculation, ErrorEntry, Explanation, FileUpload, LlmInteraction, Message,
    RoutingDecision, SessionStart, VariableRelationship, VisualizationMetadata, WardRanking,
};
use crate::stage::Stage;
use crate::store::InteractionStore;
use crate::time::Timestamp;

/// One write of the repository traits, as a value: what the outbox stores
/// and the replayer applies. One variant per trait write method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WriteOp {
    /// [`crate::SessionRepository::start_session`].
    StartSession(SessionStart),
    /// [`crate::SessionRepository::touch_session`].
    TouchSession(SessionId, Timestamp),
    /// [`crate::SessionRepository::set_user_language`].
    SetUserLanguage(SessionId, String),
    /// [`crate::SessionRepository::set_analysis_complete`].
    SetAnalysisComplete(SessionId, bool),
    /// [`crate::SessionRepository::set_files_uploaded`].
    SetFilesUploaded(SessionId, bool),
    /// [`crate::MessageRepository::log_message`].
    Message(Message),
    /// [`crate::FileUploadRepository::log_file_upload`].
    FileUpload(FileUpload),
    /// [`crate::AnalysisEventRepository::log_analysis_event`].
    AnalysisEvent(AnalysisEvent),
    /// [`crate::ErrorLogRepository::log_error`].
    Error(ErrorEntry),
    /// [`crate::LlmInteractionRepository::log_llm_interaction`].
    LlmInteraction(LlmInteraction),
    /// [`crate::AnalysisStepRepository::log_analysis_step`].
    AnalysisStep(AnalysisStep),
    /// [`crate::AnalysisStepRepository::log_algorithm_decision`].
    AlgorithmDecision(AlgorithmDecision),
    /// [`crate::AnalysisStepRepository::log_calculation`].
    Calculation(Calculation),
    /// [`crate::AnomalyRepository::log_anomaly`].
    Anomaly(Anomaly),
    /// [`crate::VariableRelationshipRepository::log_variable_relationship`].
    VariableRelationship(VariableRelationship),
    /// [`crate::WardRankingRepository::log_ward_ranking`].
    WardRanking(WardRanking),
    /// [`crate::VisualizationRepository::log_visualization`].
    Visualization(VisualizationMetadata),
    /// [`crate::ExplanationRepository::log_explanation`].
    Explanation(Explanation),
    /// [`crate::RoutingDecisionRepository::log_routing_decision`].
    RoutingDecision(RoutingDecision),
    /// [`crate::ArenaRepository::log_arena_battle`].
    ArenaBattle(ArenaBattle),
    /// [`crate::ArenaRepository::update_arena_battle`].
    ArenaBattleUpdate(ArenaBattleUpdate),
    /// [`crate::ArenaRepository::log_training_export`].
    TrainingExport(ArenaTrainingExport),
}

impl WriteOp {
    /// The operation's short name (a metrics label, never content).
    pub fn kind(&self) -> &'static str {
        match self {
            WriteOp::StartSession(_) => "start_session",
            WriteOp::TouchSession(..) => "touch_session",
            WriteOp::SetUserLanguage(..) => "set_user_language",
            WriteOp::SetAnalysisComplete(..) => "set_analysis_complete",
            WriteOp::SetFilesUploaded(..) => "set_files_uploaded",
            WriteOp::Message(_) => "message",
            WriteOp::FileUpload(_) => "file_upload",
            WriteOp::AnalysisEvent(_) => "analysis_event",
            WriteOp::Error(_) => "error",
            WriteOp::LlmInteraction(_) => "llm_interaction",
            WriteOp::AnalysisStep(_) => "analysis_step",
            WriteOp::AlgorithmDecision(_) => "algorithm_decision",
            WriteOp::Calculation(_) => "calculation",
            WriteOp::Anomaly(_) => "anomaly",
            WriteOp::VariableRelationship(_) => "variable_relationship",
            WriteOp::WardRanking(_) => "ward_ranking",
            WriteOp::Visualization(_) => "visualization",
            WriteOp::Explanation(_) => "explanation",
            WriteOp::RoutingDecision(_) => "routing_decision",
            WriteOp::ArenaBattle(_) => "arena_battle",
            WriteOp::ArenaBattleUpdate(_) => "arena_battle_update",
            WriteOp::TrainingExport(_) => "training_export",
        }
    }

    /// The primary key of the row the operation writes.
    pub fn key(&self) -> &str {
        match self {
            WriteOp::StartSession(s) => s.session_id.as_str(),
            WriteOp::TouchSession(id, _)
            | WriteOp::SetUserLanguage(id, _)
            | WriteOp::SetAnalysisComplete(id, _)
            | WriteOp::SetFilesUploaded(id, _) => id.as_str(),
            WriteOp::Message(m) => m.message_id.as_str(),
            WriteOp::FileUpload(u) => u.upload_id.as_str(),
            WriteOp::AnalysisEvent(e) => e.event_id.as_str(),
            WriteOp::Error(e) => e.error_id.as_str(),
            WriteOp::LlmInteraction(l) => l.interaction_id.as_str(),
            WriteOp::AnalysisStep(s) => s.step_id.as_str(),
            WriteOp::AlgorithmDecision(d) => d.decision_id.as_str(),
            WriteOp::Calculation(c) => c.calculation_id.as_str(),
            WriteOp::Anomaly(a) => a.anomaly_id.as_str(),
            WriteOp::VariableRelationship(r) => r.relationship_id.as_str(),
            WriteOp::WardRanking(r) => r.ranking_id.as_str(),
            WriteOp::Visualization(v) => v.viz_id.as_str(),
            WriteOp::Explanation(e) => e.explanation_id.as_str(),
            WriteOp::RoutingDecision(r) => r.routing_id.as_str(),
            WriteOp::ArenaBattle(b) => b.battle_id.as_str(),
            WriteOp::ArenaBattleUpdate(u) => u.battle_id.as_str(),
            WriteOp::TrainingExport(e) => e.export_id.as_str(),
        }
    }

    /// The session the operation touches, if any.
    pub fn session(&self) -> Option<&SessionId> {
        match self {
            WriteOp::StartSession(s) => Some(&s.session_id),
            WriteOp::TouchSession(id, _)
            | WriteOp::SetUserLanguage(id, _)
            | WriteOp::SetAnalysisComplete(id, _)
            | WriteOp::SetFilesUploaded(id, _) => Some(id),
            WriteOp::Message(m) => m.session_id.as_ref(),
            WriteOp::FileUpload(u) => u.session_id.as_ref(),
            WriteOp::AnalysisEvent(e) => e.session_id.as_ref(),
            WriteOp::Error(e) => e.session_id.as_ref(),
            WriteOp::LlmInteraction(l) => l.session_id.as_ref(),
            WriteOp::AnalysisStep(s) => s.session_id.as_ref(),
            WriteOp::AlgorithmDecision(d) => d.session_id.as_ref(),
            WriteOp::Calculation(c) => c.session_id.as_ref(),
            WriteOp::Anomaly(a) => a.session_id.as_ref(),
            WriteOp::VariableRelationship(r) => r.session_id.as_ref(),
            WriteOp::WardRanking(r) => r.session_id.as_ref(),
            WriteOp::Visualization(v) => v.session_id.as_ref(),
            WriteOp::Explanation(e) => e.session_id.as_ref(),
            WriteOp::RoutingDecision(r) => r.session_id.as_ref(),
            WriteOp::ArenaBattle(b) => b.session_id.as_ref(),
            WriteOp::ArenaBattleUpdate(u) => u.session_id.as_ref(),
            WriteOp::TrainingExport(_) => None,
        }
    }

    /// The key the replayer keeps in order: the session when there is one
    /// (every write of a session touches its row), else the row's own key.
    pub fn order_key(&self) -> String {
        match self.session() {
            Some(id) => format!("session:{id}"),
            None => format!("{}:{}", self.kind(), self.key()),
        }
    }

    /// Applies the operation to `store` through the repository traits.
    ///
    /// # Errors
    ///
    /// What the store's method returned.
    pub fn apply(&self, store: &dyn InteractionStore) -> Result<()> {
        match self {
            WriteOp::StartSession(s) => store.start_session(s).map(drop),
            WriteOp::TouchSession(id, at) => store.touch_session(id, *at),
            WriteOp::SetUserLanguage(id, lang) => store.set_user_language(id, lang),
            WriteOp::SetAnalysisComplete(id, v) => store.set_analysis_complete(id, *v),
            WriteOp::SetFilesUploaded(id, v) => store.set_files_uploaded(id, *v),
            WriteOp::Message(m) => store.log_message(m),
            WriteOp::FileUpload(u) => store.log_file_upload(u),
            WriteOp::AnalysisEvent(e) => store.log_analysis_event(e),
            WriteOp::Error(e) => store.log_error(e),
            WriteOp::LlmInteraction(l) => store.log_llm_interaction(l),
            WriteOp::AnalysisStep(s) => store.log_analysis_step(s),
            WriteOp::AlgorithmDecision(d) => store.log_algorithm_decision(d),
            WriteOp::Calculation(c) => store.log_calculation(c),
            WriteOp::Anomaly(a) => store.log_anomaly(a),
            WriteOp::VariableRelationship(r) => store.log_variable_relationship(r),
            WriteOp::WardRanking(r) => store.log_ward_ranking(r),
            WriteOp::Visualization(v) => store.log_visualization(v),
            WriteOp::Explanation(e) => store.log_explanation(e),
            WriteOp::RoutingDecision(r) => store.log_routing_decision(r),
            WriteOp::ArenaBattle(b) => store.log_arena_battle(b),
            WriteOp::ArenaBattleUpdate(u) => store.update_arena_battle(u),
            WriteOp::TrainingExport(e) => store.log_training_export(e),
        }
    }

    /// The operation as stored in an outbox row.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] if serialisation fails (it cannot for
    /// validated values).
    pub fn to_payload(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::invalid("outbox.payload", e.to_string()))
    }

    /// Reads an outbox payload back.
    ///
    /// # Errors
    ///
    /// [`Error::Corrupt`] naming outbox row `id` when the payload is not a
    /// write operation of this version.
    pub fn from_payload(id: i64, payload: &str) -> Result<Self> {
        serde_json::from_str(payload).map_err(|e| Error::Corrupt {
            table: "chatmrpt_outbox",
            key: id.to_string(),
            column: "payload",
            reason: e.to_string(),
        })
    }
}

/// Names one outbox entry: its id and the time of its write. SQLite may
/// give a deleted entry's id to a new one, so an entry is changed or
/// deleted only when both match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutboxKey {
    /// The entry's id.
    pub id: i64,
    /// Its `created_at`.
    pub created_at: Timestamp,
}

/// An outbox record waiting to be written with the next write of a
/// [`OutboxStore::recording`] handle. Records the id the store gave it.
#[derive(Debug)]
pub struct OutboxDraft {
    /// The operation for the other store.
    pub op: WriteOp,
    /// The serialised operation.
    pub payload: String,
    /// The time of the write: the outbox entry's `created_at`, and the
    /// [`crate::time::with_write_time`] of every application of it.
    pub at: Timestamp,
    recorded: AtomicI64,
}

impl OutboxDraft {
    /// A draft for `op`.
    ///
    /// # Errors
    ///
    /// As [`WriteOp::to_payload`].
    pub fn new(op: WriteOp) -> Result<Arc<Self>> {
        let payload = op.to_payload()?;
        Ok(Arc::new(Self {
            op,
            payload,
            at: Timestamp::now(),
            recorded: AtomicI64::new(0),
        }))
    }

    /// Called by the store, inside the transaction, with the outbox id.
    pub fn set_recorded(&self, id: i64) {
        self.recorded.store(id, Ordering::Release);
    }

    /// The outbox entry once the write committed (ids start at 1).
    pub fn recorded(&self) -> Option<OutboxKey> {
        match self.recorded.load(Ordering::Acquire) {
            0 => None,
            id => Some(OutboxKey {
                id,
                created_at: self.at,
            }),
        }
    }
}

/// One outbox row as the replayer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// Position in the outbox (increasing in commit order per row).
    pub id: i64,
    /// The ordering key ([`WriteOp::order_key`]).
    pub order_key: String,
    /// The operation's kind ([`WriteOp::kind`]).
    pub kind: String,
    /// The row's key ([`WriteOp::key`]).
    pub row_key: String,
    /// The serialised [`WriteOp`].
    pub payload: String,
    /// The time of the authoritative write (replays run under it, see
    /// [`crate::time::with_write_time`]).
    pub created_at: Timestamp,
    /// Failed attempts so far (a store that was down does not count).
    pub attempts: i32,
    /// Not to be tried before this instant.
    pub next_attempt_at: Option<Timestamp>,
    /// The last failure (error kind and keys, never content).
    pub last_error: Option<String>,
    /// Parked: the replayer skips it until retried explicitly.
    pub dead: bool,
}

impl OutboxEntry {
    /// The key that names this entry.
    pub fn key(&self) -> OutboxKey {
        OutboxKey {
            id: self.id,
            created_at: self.created_at,
        }
    }
}

/// Depth and age of an outbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutboxStats {
    /// Entries waiting for delivery (not dead).
    pub pending: u64,
    /// Entries parked as dead.
    pub dead: u64,
    /// When the oldest pending entry was written.
    pub oldest_pending: Option<Timestamp>,
}

impl OutboxStats {
    /// How long the oldest pending entry has waited (zero for a clock that
    /// went back), or `None` when nothing is pending.
    pub fn oldest_age(&self) -> Option<std::time::Duration> {
        self.oldest_pending.map(|at| {
            (Timestamp::now().as_datetime() - at.as_datetime())
                .to_std()
                .unwrap_or_default()
        })
    }
}

/// A store that can keep an outbox for the other store of a pair.
pub trait OutboxStore {
    /// A handle on the same store whose writes also append `draft` to the
    /// outbox, in the same transaction. Exactly one write should be made
    /// through it.
    fn recording(&self, draft: Arc<OutboxDraft>) -> Self
    where
        Self: Sized;

    /// Takes or renews the replay lease for `holder` for `ttl_ms`: `true`
    /// when `holder` now holds it, `false` when another holder's lease has
    /// not expired. One process replays an outbox at a time, so the writes
    /// of one row are applied in order.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_lease(&self, holder: &str, ttl_ms: u32) -> Result<bool>;

    /// Gives the lease up if `holder` holds it.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_release(&self, holder: &str) -> Result<()>;

    /// Up to `limit` entries that are not dead, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_batch(&self, limit: u32) -> Result<Vec<OutboxEntry>>;

    /// Removes delivered entries.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_delivered(&self, entries: &[OutboxKey]) -> Result<()>;

    /// Records a failed attempt: `counts` adds one to `attempts`; `dead`
    /// parks the entry.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_failed(
        &self,
        entry: OutboxKey,
        reason: &str,
        counts: bool,
        next_attempt_at: Timestamp,
        dead: bool,
    ) -> Result<()>;

    /// Depth, dead entries and age.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_stats(&self) -> Result<OutboxStats>;

    /// Up to `limit` dead entries, oldest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_dead(&self, limit: u32) -> Result<Vec<OutboxEntry>>;

    /// Puts dead entries (`ids`, or all when `None`) back in the queue with
    /// their attempts reset; returns how many.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_retry_dead(&self, ids: Option<&[i64]>) -> Result<u64>;

    /// Deletes dead entries (`ids`, or all when `None`); returns how many.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn outbox_discard_dead(&self, ids: Option<&[i64]>) -> Result<u64>;
}

/// One recorded change of the migration stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageChange {
    /// The stage before.
    pub from: Stage,
    /// The stage set.
    pub to: Stage,
    /// Who asked (user, host or tool name; free text).
    pub changed_by: String,
    /// When.
    pub changed_at: Timestamp,
    /// Whether a multi-step move or an undrained outbox was overridden.
    pub forced: bool,
}

/// A store that keeps the stage override and its history.
pub trait StageStore {
    /// The stored stage, or `None` when it was never set.
    ///
    /// # Errors
    ///
    /// The store's failure; [`Error::Corrupt`] for an unknown stage name.
    fn stored_stage(&self) -> Result<Option<Stage>>;

    /// Stores `change.to` as the stage and appends `change` to the history,
    /// in one transaction.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn record_stage(&self, change: &StageChange) -> Result<()>;

    /// The last `limit` changes, newest first.
    ///
    /// # Errors
    ///
    /// The store's failure.
    fn stage_history(&self, limit: u32) -> Result<Vec<StageChange>>;
}
