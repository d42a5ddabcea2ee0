//! One write of the legacy API as a [`WriteOp`]: the value every store
//! applies (and the dual store's outbox keeps), built from the fields the
//! Python layer passes.

use chatmrpt_db::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, ArenaBattleUpdate,
    ArenaTrainingExport, Calculation, ErrorEntry, Explanation, FileUpload, LlmInteraction, Message,
    RoutingDecision, SessionId, SessionStart, VariableRelationship, VisualizationMetadata,
    WardRanking, WriteOp,
};
use pyo3::PyResult;

use crate::errors::InvalidInput;
use crate::fields::Fields;

/// The table whose columns the fields of `op` are.
pub(crate) fn table_of(op: &str) -> PyResult<&'static str> {
    Ok(match op {
        "start_session"
        | "touch_session"
        | "set_user_language"
        | "set_analysis_complete"
        | "set_files_uploaded" => "sessions",
        "message" => "messages",
        "file_upload" => "file_uploads",
        "analysis_event" => "analysis_events",
        "error" => "errors",
        "llm_interaction" => "llm_interactions",
        "analysis_step" => "analysis_steps",
        "algorithm_decision" => "algorithm_decisions",
        "calculation" => "calculations",
        "anomaly" => "anomalies",
        "variable_relationship" => "variable_relationships",
        "ward_ranking" => "ward_rankings",
        "visualization" => "visualization_metadata",
        "explanation" => "explanations",
        "routing_decision" => "routing_decisions",
        "arena_battle" | "arena_battle_update" => "arena_battles",
        "training_export" => "arena_training_exports",
        other => return Err(InvalidInput::new_err(format!("unknown write `{other}`"))),
    })
}

/// Builds the write `op` from `f`.
pub(crate) fn build(op: &str, f: &Fields<'_, '_>) -> PyResult<WriteOp> {
    Ok(match op {
        "start_session" => WriteOp::StartSession(SessionStart {
            session_id: session(f)?,
            at: f.required_time("timestamp")?,
            user_language: f.text("user_language")?,
            browser_info: f.text("browser_info")?,
            ip_address: f.text("ip_address")?,
        }),
        "touch_session" => WriteOp::TouchSession(session(f)?, f.required_time("timestamp")?),
        "set_user_language" => WriteOp::SetUserLanguage(session(f)?, f.required("user_language")?),
        "set_analysis_complete" => {
            WriteOp::SetAnalysisComplete(session(f)?, f.required_flag("analysis_complete")?)
        }
        "set_files_uploaded" => {
            WriteOp::SetFilesUploaded(session(f)?, f.required_flag("files_uploaded")?)
        }
        "message" => WriteOp::Message(message(f)?),
        "file_upload" => WriteOp::FileUpload(file_upload(f)?),
        "analysis_event" => WriteOp::AnalysisEvent(analysis_event(f)?),
        "error" => WriteOp::Error(error_entry(f)?),
        "llm_interaction" => WriteOp::LlmInteraction(llm_interaction(f)?),
        "analysis_step" => WriteOp::AnalysisStep(analysis_step(f)?),
        "algorithm_decision" => WriteOp::AlgorithmDecision(algorithm_decision(f)?),
        "calculation" => WriteOp::Calculation(calculation(f)?),
        "anomaly" => WriteOp::Anomaly(anomaly(f)?),
        "variable_relationship" => WriteOp::VariableRelationship(variable_relationship(f)?),
        "ward_ranking" => WriteOp::WardRanking(ward_ranking(f)?),
        "visualization" => WriteOp::Visualization(visualization(f)?),
        "explanation" => WriteOp::Explanation(explanation(f)?),
        "routing_decision" => WriteOp::RoutingDecision(routing_decision(f)?),
        "arena_battle" => WriteOp::ArenaBattle(arena_battle(f)?),
        "arena_battle_update" => {
            WriteOp::ArenaBattleUpdate(ArenaBattleUpdate::from_battle(&arena_battle(f)?))
        }
        "training_export" => WriteOp::TrainingExport(training_export(f)?),
        other => return Err(InvalidInput::new_err(format!("unknown write `{other}`"))),
    })
}

fn session(f: &Fields<'_, '_>) -> PyResult<SessionId> {
    Ok(SessionId::new(f.required("session_id")?))
}

fn opt_session(f: &Fields<'_, '_>) -> PyResult<Option<SessionId>> {
    Ok(f.text("session_id")?.map(SessionId::new))
}

fn message(f: &Fields<'_, '_>) -> PyResult<Message> {
    Ok(Message {
        message_id: f.required("message_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        sender: f.text("sender")?,
        content: f.text("content")?,
        intent: f.text("intent")?,
        entities: f.json("entities")?,
    })
}

fn file_upload(f: &Fields<'_, '_>) -> PyResult<FileUpload> {
    Ok(FileUpload {
        upload_id: f.required("upload_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        file_type: f.text("file_type")?,
        file_name: f.text("file_name")?,
        file_size: f.int("file_size")?,
        metadata: f.json("metadata")?,
    })
}

fn analysis_event(f: &Fields<'_, '_>) -> PyResult<AnalysisEvent> {
    Ok(AnalysisEvent {
        event_id: f.required("event_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        event_type: f.text("event_type")?,
        details: f.json("details")?,
        success: f.flag("success")?,
    })
}

fn error_entry(f: &Fields<'_, '_>) -> PyResult<ErrorEntry> {
    Ok(ErrorEntry {
        error_id: f.required("error_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        error_type: f.text("error_type")?,
        error_message: f.text("error_message")?,
        stack_trace: f.text("stack_trace")?,
    })
}

fn llm_interaction(f: &Fields<'_, '_>) -> PyResult<LlmInteraction> {
    Ok(LlmInteraction {
        interaction_id: f.required("interaction_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        prompt_type: f.text("prompt_type")?,
        prompt: f.text("prompt")?,
        prompt_context: f.json("prompt_context")?,
        response: f.text("response")?,
        tokens_used: f.int("tokens_used")?,
        latency: f.real("latency")?,
        enhanced_timing: f.json("enhanced_timing")?,
    })
}

fn analysis_step(f: &Fields<'_, '_>) -> PyResult<AnalysisStep> {
    Ok(AnalysisStep {
        step_id: f.required("step_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        step_name: f.text("step_name")?,
        input_summary: f.text("input_summary")?,
        output_summary: f.text("output_summary")?,
        algorithm: f.text("algorithm")?,
        parameters: f.json("parameters")?,
        execution_time: f.real("execution_time")?,
        error: f.text("error")?,
    })
}

fn algorithm_decision(f: &Fields<'_, '_>) -> PyResult<AlgorithmDecision> {
    Ok(AlgorithmDecision {
        decision_id: f.required("decision_id")?.into(),
        step_id: f.text("step_id")?.map(Into::into),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        decision_type: f.text("decision_type")?,
        options: f.text("options")?,
        criteria: f.text("criteria")?,
        selected_option: f.text("selected_option")?,
        confidence: f.real("confidence")?,
    })
}

fn calculation(f: &Fields<'_, '_>) -> PyResult<Calculation> {
    Ok(Calculation {
        calculation_id: f.required("calculation_id")?.into(),
        step_id: f.text("step_id")?.map(Into::into),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        variable: f.text("variable")?,
        operation: f.text("operation")?,
        input_values: f.text("input_values")?,
        output_value: f.text("output_value")?,
        context: f.text("context")?,
    })
}

fn anomaly(f: &Fields<'_, '_>) -> PyResult<Anomaly> {
    Ok(Anomaly {
        anomaly_id: f.required("anomaly_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        entity_name: f.text("entity_name")?,
        anomaly_type: f.text("anomaly_type")?,
        expected_value: f.text("expected_value")?,
        actual_value: f.text("actual_value")?,
        significance: f.text("significance")?,
        context: f.text("context")?,
    })
}

fn variable_relationship(f: &Fields<'_, '_>) -> PyResult<VariableRelationship> {
    Ok(VariableRelationship {
        relationship_id: f.required("relationship_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        variable_name: f.text("variable_name")?,
        relationship_type: f.text("relationship_type")?,
        evidence: f.text("evidence")?,
        confidence_score: f.real("confidence_score")?,
    })
}

fn ward_ranking(f: &Fields<'_, '_>) -> PyResult<WardRanking> {
    Ok(WardRanking {
        ranking_id: f.required("ranking_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        ward_name: f.text("ward_name")?,
        overall_rank: f.int("overall_rank")?,
        median_score: f.real("median_score")?,
        vulnerability_category: f.text("vulnerability_category")?,
        contributing_factors: f.text("contributing_factors")?,
        anomaly_flags: f.text("anomaly_flags")?,
    })
}

fn visualization(f: &Fields<'_, '_>) -> PyResult<VisualizationMetadata> {
    Ok(VisualizationMetadata {
        viz_id: f.required("viz_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        viz_type: f.text("viz_type")?,
        variables_used: f.text("variables_used")?,
        data_summary: f.text("data_summary")?,
        visual_elements: f.text("visual_elements")?,
        patterns_detected: f.text("patterns_detected")?,
    })
}

fn explanation(f: &Fields<'_, '_>) -> PyResult<Explanation> {
    Ok(Explanation {
        explanation_id: f.required("explanation_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        entity_type: f.text("entity_type")?,
        entity_name: f.text("entity_name")?,
        question_type: f.text("question_type")?,
        question: f.text("question")?,
        explanation: f.text("explanation")?,
        context_used: f.text("context_used")?,
        llm_interaction_id: f.text("llm_interaction_id")?.map(Into::into),
    })
}

fn routing_decision(f: &Fields<'_, '_>) -> PyResult<RoutingDecision> {
    Ok(RoutingDecision {
        routing_id: f.required("routing_id")?.into(),
        message_id: f.text("message_id")?.map(Into::into),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        user_message: f.text("user_message")?,
        routing_decision: f.text("routing_decision")?,
        routing_method: f.text("routing_method")?,
        keywords_matched: f.json("keywords_matched")?,
        confidence: f.real("confidence")?,
        ollama_reasoning: f.text("ollama_reasoning")?,
        session_context: f.json("session_context")?,
    })
}

fn arena_battle(f: &Fields<'_, '_>) -> PyResult<ArenaBattle> {
    Ok(ArenaBattle {
        battle_id: f.required("battle_id")?.into(),
        session_id: opt_session(f)?,
        timestamp: f.time("timestamp")?,
        user_message: f.text("user_message")?,
        model_a: f.text("model_a")?,
        model_b: f.text("model_b")?,
        response_a: f.text("response_a")?,
        response_b: f.text("response_b")?,
        latency_a: f.real("latency_a")?,
        latency_b: f.real("latency_b")?,
        tokens_a: f.int("tokens_a")?,
        tokens_b: f.int("tokens_b")?,
        user_preference: f.text("user_preference")?,
        elo_before_a: f.real("elo_before_a")?,
        elo_before_b: f.real("elo_before_b")?,
        elo_after_a: f.real("elo_after_a")?,
        elo_after_b: f.real("elo_after_b")?,
        view_index: f.int("view_index")?,
    })
}

fn training_export(f: &Fields<'_, '_>) -> PyResult<ArenaTrainingExport> {
    Ok(ArenaTrainingExport {
        export_id: f.required("export_id")?.into(),
        export_timestamp: f.time("export_timestamp")?,
        export_type: f.text("export_type")?,
        format: f.text("format")?,
        file_path: f.text("file_path")?,
        metadata: f.json("metadata")?,
        battles_included: f.int("battles_included")?,
    })
}
