//! A write as a value: [`WriteOp`], the one description of a write that
//! every path uses (a store's own write, the dual store's authoritative
//! write and its mirror, the outbox and its replayer), and [`ApplyWrite`],
//! how a store performs one.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::model::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, ArenaBattleUpdate,
    ArenaTrainingExport, Calculation, ErrorEntry, Explanation, FileUpload, LlmInteraction, Message,
    RoutingDecision, Session, SessionStart, VariableRelationship, VisualizationMetadata,
    WardRanking,
};
use crate::time::Timestamp;

/// One write of the repository traits, as a value: what the outbox stores
/// and the replayer applies. One variant per trait write method.
///
/// Exhaustive on purpose: a new write is a compile error in every store
/// that dispatches operations, never an operation one of them ignores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
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

/// What applying a [`WriteOp`] gave back.
#[derive(Clone, Debug, PartialEq)]
pub enum Applied {
    /// The write is stored.
    Stored,
    /// [`WriteOp::StartSession`]: the session as stored after the upsert.
    Session(Session),
}

impl Applied {
    /// The session of a [`WriteOp::StartSession`].
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] for any other outcome (a store that answered a
    /// session start with something else).
    pub fn into_session(self) -> Result<Session> {
        match self {
            Applied::Session(s) => Ok(s),
            Applied::Stored => Err(Error::Internal(
                "a session start was applied without returning its session".into(),
            )),
        }
    }
}

/// A store that performs [`WriteOp`]s: every store, and the dual store.
pub trait ApplyWrite {
    /// Applies `op`. `at` is the time of the write: the time given to what
    /// the write has to invent (the session synthesized for a child row
    /// that carries no timestamp). The dual store applies an operation and
    /// every later delivery of it under the same `at`, so both stores
    /// invent the same value.
    ///
    /// # Errors
    ///
    /// What the store's repository method returns for the same write.
    fn apply(&self, op: &WriteOp, at: Timestamp) -> Result<Applied>;
}
