// @generated automatically by Diesel CLI.

diesel::table! {
    algorithm_decisions (decision_id) {
        decision_id -> Text,
        step_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        decision_type -> Nullable<Text>,
        options -> Nullable<Text>,
        criteria -> Nullable<Text>,
        selected_option -> Nullable<Text>,
        confidence -> Nullable<Double>,
    }
}

diesel::table! {
    analysis_events (event_id) {
        event_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        event_type -> Nullable<Text>,
        details -> Nullable<Text>,
        success -> Nullable<Bool>,
    }
}

diesel::table! {
    analysis_steps (step_id) {
        step_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        step_name -> Nullable<Text>,
        input_summary -> Nullable<Text>,
        output_summary -> Nullable<Text>,
        algorithm -> Nullable<Text>,
        parameters -> Nullable<Text>,
        execution_time -> Nullable<Double>,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    anomalies (anomaly_id) {
        anomaly_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        entity_name -> Nullable<Text>,
        anomaly_type -> Nullable<Text>,
        expected_value -> Nullable<Text>,
        actual_value -> Nullable<Text>,
        significance -> Nullable<Text>,
        context -> Nullable<Text>,
    }
}

diesel::table! {
    arena_battles (battle_id) {
        battle_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        user_message -> Nullable<Text>,
        model_a -> Nullable<Text>,
        model_b -> Nullable<Text>,
        response_a -> Nullable<Text>,
        response_b -> Nullable<Text>,
        latency_a -> Nullable<Double>,
        latency_b -> Nullable<Double>,
        tokens_a -> Nullable<BigInt>,
        tokens_b -> Nullable<BigInt>,
        user_preference -> Nullable<Text>,
        elo_before_a -> Nullable<Double>,
        elo_before_b -> Nullable<Double>,
        elo_after_a -> Nullable<Double>,
        elo_after_b -> Nullable<Double>,
        view_index -> Nullable<BigInt>,
    }
}

diesel::table! {
    arena_training_exports (export_id) {
        export_id -> Text,
        export_timestamp -> Nullable<Timestamp>,
        export_type -> Nullable<Text>,
        format -> Nullable<Text>,
        file_path -> Nullable<Text>,
        metadata -> Nullable<Text>,
        battles_included -> Nullable<BigInt>,
    }
}

diesel::table! {
    calculations (calculation_id) {
        calculation_id -> Text,
        step_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        variable -> Nullable<Text>,
        operation -> Nullable<Text>,
        input_values -> Nullable<Text>,
        output_value -> Nullable<Text>,
        context -> Nullable<Text>,
    }
}

diesel::table! {
    chatmrpt_file_identity (id) {
        id -> Integer,
        file_id -> Text,
        minted_at -> Text,
        legacy_timezone -> Nullable<Text>,
    }
}

diesel::table! {
    chatmrpt_heartbeats (process) {
        process -> Text,
        host -> Text,
        file_id -> Nullable<Text>,
        stage -> Text,
        stage_source -> Text,
        outbox_depth -> BigInt,
        outbox_dead -> BigInt,
        outbox_oldest -> Nullable<Text>,
        release -> Text,
        last_seen -> Text,
    }
}

diesel::table! {
    chatmrpt_outbox (id) {
        id -> Integer,
        order_key -> Text,
        kind -> Text,
        row_key -> Text,
        payload -> Text,
        created_at -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Text>,
        last_error -> Nullable<Text>,
        dead -> Bool,
    }
}

diesel::table! {
    chatmrpt_outbox_lease (id) {
        id -> Integer,
        holder -> Text,
        expires_at -> Text,
    }
}

diesel::table! {
    chatmrpt_stage (id) {
        id -> Integer,
        stage -> Text,
        changed_by -> Text,
        changed_at -> Text,
    }
}

diesel::table! {
    chatmrpt_stage_history (id) {
        id -> Integer,
        from_stage -> Text,
        to_stage -> Text,
        changed_by -> Text,
        changed_at -> Text,
        forced -> Bool,
    }
}

diesel::table! {
    errors (error_id) {
        error_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        error_type -> Nullable<Text>,
        error_message -> Nullable<Text>,
        stack_trace -> Nullable<Text>,
    }
}

diesel::table! {
    explanations (explanation_id) {
        explanation_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        entity_type -> Nullable<Text>,
        entity_name -> Nullable<Text>,
        question_type -> Nullable<Text>,
        question -> Nullable<Text>,
        explanation -> Nullable<Text>,
        context_used -> Nullable<Text>,
        llm_interaction_id -> Nullable<Text>,
    }
}

diesel::table! {
    file_uploads (upload_id) {
        upload_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        file_type -> Nullable<Text>,
        file_name -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        metadata -> Nullable<Text>,
    }
}

diesel::table! {
    llm_interactions (interaction_id) {
        interaction_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        prompt_type -> Nullable<Text>,
        prompt -> Nullable<Text>,
        prompt_context -> Nullable<Text>,
        response -> Nullable<Text>,
        tokens_used -> Nullable<BigInt>,
        latency -> Nullable<Double>,
        enhanced_timing -> Nullable<Text>,
    }
}

diesel::table! {
    messages (message_id) {
        message_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        sender -> Nullable<Text>,
        content -> Nullable<Text>,
        intent -> Nullable<Text>,
        entities -> Nullable<Text>,
    }
}

diesel::table! {
    routing_decisions (routing_id) {
        routing_id -> Text,
        message_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        user_message -> Nullable<Text>,
        routing_decision -> Nullable<Text>,
        routing_method -> Nullable<Text>,
        keywords_matched -> Nullable<Text>,
        confidence -> Nullable<Double>,
        ollama_reasoning -> Nullable<Text>,
        session_context -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (session_id) {
        session_id -> Text,
        start_time -> Nullable<Timestamp>,
        last_activity -> Nullable<Timestamp>,
        user_language -> Nullable<Text>,
        browser_info -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        analysis_complete -> Nullable<Bool>,
        files_uploaded -> Nullable<Bool>,
    }
}

diesel::table! {
    variable_relationships (relationship_id) {
        relationship_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        variable_name -> Nullable<Text>,
        relationship_type -> Nullable<Text>,
        evidence -> Nullable<Text>,
        confidence_score -> Nullable<Double>,
    }
}

diesel::table! {
    visualization_metadata (viz_id) {
        viz_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        viz_type -> Nullable<Text>,
        variables_used -> Nullable<Text>,
        data_summary -> Nullable<Text>,
        visual_elements -> Nullable<Text>,
        patterns_detected -> Nullable<Text>,
    }
}

diesel::table! {
    ward_rankings (ranking_id) {
        ranking_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamp>,
        ward_name -> Nullable<Text>,
        overall_rank -> Nullable<BigInt>,
        median_score -> Nullable<Double>,
        vulnerability_category -> Nullable<Text>,
        contributing_factors -> Nullable<Text>,
        anomaly_flags -> Nullable<Text>,
    }
}

diesel::joinable!(algorithm_decisions -> analysis_steps (step_id));
diesel::joinable!(algorithm_decisions -> sessions (session_id));
diesel::joinable!(analysis_events -> sessions (session_id));
diesel::joinable!(analysis_steps -> sessions (session_id));
diesel::joinable!(anomalies -> sessions (session_id));
diesel::joinable!(arena_battles -> sessions (session_id));
diesel::joinable!(calculations -> analysis_steps (step_id));
diesel::joinable!(calculations -> sessions (session_id));
diesel::joinable!(errors -> sessions (session_id));
diesel::joinable!(explanations -> llm_interactions (llm_interaction_id));
diesel::joinable!(explanations -> sessions (session_id));
diesel::joinable!(file_uploads -> sessions (session_id));
diesel::joinable!(llm_interactions -> sessions (session_id));
diesel::joinable!(messages -> sessions (session_id));
diesel::joinable!(routing_decisions -> messages (message_id));
diesel::joinable!(routing_decisions -> sessions (session_id));
diesel::joinable!(variable_relationships -> sessions (session_id));
diesel::joinable!(visualization_metadata -> sessions (session_id));
diesel::joinable!(ward_rankings -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    algorithm_decisions,
    analysis_events,
    analysis_steps,
    anomalies,
    arena_battles,
    arena_training_exports,
    calculations,
    chatmrpt_file_identity,
    chatmrpt_heartbeats,
    chatmrpt_outbox,
    chatmrpt_outbox_lease,
    chatmrpt_stage,
    chatmrpt_stage_history,
    errors,
    explanations,
    file_uploads,
    llm_interactions,
    messages,
    routing_decisions,
    sessions,
    variable_relationships,
    visualization_metadata,
    ward_rankings,
);
