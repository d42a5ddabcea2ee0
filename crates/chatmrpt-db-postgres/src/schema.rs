// @generated automatically by Diesel CLI.

diesel::table! {
    algorithm_decisions (decision_id) {
        decision_id -> Text,
        step_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        decision_type -> Nullable<Text>,
        options -> Nullable<Text>,
        criteria -> Nullable<Text>,
        selected_option -> Nullable<Text>,
        confidence -> Nullable<Float8>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    analysis_events (event_id) {
        event_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        event_type -> Nullable<Text>,
        details -> Nullable<Text>,
        success -> Nullable<Bool>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    analysis_steps (step_id) {
        step_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        step_name -> Nullable<Text>,
        input_summary -> Nullable<Text>,
        output_summary -> Nullable<Text>,
        algorithm -> Nullable<Text>,
        parameters -> Nullable<Text>,
        execution_time -> Nullable<Float8>,
        error -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    anomalies (anomaly_id) {
        anomaly_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        entity_name -> Nullable<Text>,
        anomaly_type -> Nullable<Text>,
        expected_value -> Nullable<Text>,
        actual_value -> Nullable<Text>,
        significance -> Nullable<Text>,
        context -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    arena_battles (battle_id) {
        battle_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        user_message -> Nullable<Text>,
        model_a -> Nullable<Text>,
        model_b -> Nullable<Text>,
        response_a -> Nullable<Text>,
        response_b -> Nullable<Text>,
        latency_a -> Nullable<Float8>,
        latency_b -> Nullable<Float8>,
        tokens_a -> Nullable<Int8>,
        tokens_b -> Nullable<Int8>,
        user_preference -> Nullable<Text>,
        elo_before_a -> Nullable<Float8>,
        elo_before_b -> Nullable<Float8>,
        elo_after_a -> Nullable<Float8>,
        elo_after_b -> Nullable<Float8>,
        view_index -> Nullable<Int8>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    arena_training_exports (export_id) {
        export_id -> Text,
        export_timestamp -> Nullable<Timestamptz>,
        export_type -> Nullable<Text>,
        format -> Nullable<Text>,
        file_path -> Nullable<Text>,
        metadata -> Nullable<Text>,
        battles_included -> Nullable<Int8>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    backfill_progress (source, table_name) {
        source -> Text,
        table_name -> Text,
        last_rowid -> Int8,
        last_key -> Nullable<Text>,
        rows_read -> Int8,
        rows_inserted -> Int8,
        rows_present -> Int8,
        rows_quarantined -> Int8,
        sessions_synthesized -> Int8,
        values_converted -> Int8,
        updated_at -> Timestamptz,
        sessions_merged -> Int8,
    }
}

diesel::table! {
    backfill_quarantine (id) {
        id -> Int8,
        source -> Text,
        table_name -> Text,
        source_rowid -> Int8,
        row_key -> Nullable<Text>,
        column_name -> Nullable<Text>,
        reason -> Text,
        original -> Jsonb,
        quarantined_at -> Timestamptz,
    }
}

diesel::table! {
    backfill_session_sources (session_id, source) {
        session_id -> Text,
        source -> Text,
    }
}

diesel::table! {
    backfill_sources (source) {
        source -> Text,
        file_id -> Nullable<Text>,
        fingerprint_table -> Nullable<Text>,
        fingerprint_rows -> Nullable<Int8>,
        fingerprint -> Nullable<Text>,
        first_run_at -> Timestamptz,
        last_run_at -> Timestamptz,
        legacy_timezone -> Nullable<Text>,
    }
}

diesel::table! {
    backfill_synthesized (session_id) {
        session_id -> Text,
        source -> Text,
        first_table -> Text,
        synthesized_at -> Timestamptz,
    }
}

diesel::table! {
    calculations (calculation_id) {
        calculation_id -> Text,
        step_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        variable -> Nullable<Text>,
        operation -> Nullable<Text>,
        input_values -> Nullable<Text>,
        output_value -> Nullable<Text>,
        context -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    chatmrpt_heartbeats (process) {
        process -> Text,
        host -> Text,
        file_id -> Nullable<Text>,
        stage -> Text,
        stage_source -> Text,
        outbox_depth -> Int8,
        outbox_dead -> Int8,
        outbox_oldest -> Nullable<Timestamptz>,
        release -> Text,
        last_seen -> Timestamptz,
    }
}

diesel::table! {
    chatmrpt_outbox (id) {
        id -> Int8,
        order_key -> Text,
        kind -> Text,
        row_key -> Text,
        payload -> Text,
        created_at -> Timestamptz,
        attempts -> Int8,
        next_attempt_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        dead -> Bool,
        destination -> Nullable<Text>,
    }
}

diesel::table! {
    chatmrpt_outbox_lease (id) {
        id -> Int8,
        holder -> Text,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    chatmrpt_outbox_leases (destination) {
        destination -> Text,
        holder -> Text,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    chatmrpt_stage (id) {
        id -> Int8,
        stage -> Text,
        changed_by -> Text,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    chatmrpt_stage_history (id) {
        id -> Int8,
        from_stage -> Text,
        to_stage -> Text,
        changed_by -> Text,
        changed_at -> Timestamptz,
        forced -> Bool,
    }
}

diesel::table! {
    errors (error_id) {
        error_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        error_type -> Nullable<Text>,
        error_message -> Nullable<Text>,
        stack_trace -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    explanations (explanation_id) {
        explanation_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        entity_type -> Nullable<Text>,
        entity_name -> Nullable<Text>,
        question_type -> Nullable<Text>,
        question -> Nullable<Text>,
        explanation -> Nullable<Text>,
        context_used -> Nullable<Text>,
        llm_interaction_id -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    file_uploads (upload_id) {
        upload_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        file_type -> Nullable<Text>,
        file_name -> Nullable<Text>,
        file_size -> Nullable<Int8>,
        metadata -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    llm_interactions (interaction_id) {
        interaction_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        prompt_type -> Nullable<Text>,
        prompt -> Nullable<Text>,
        prompt_context -> Nullable<Text>,
        response -> Nullable<Text>,
        tokens_used -> Nullable<Int8>,
        latency -> Nullable<Float8>,
        enhanced_timing -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    messages (message_id) {
        message_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        sender -> Nullable<Text>,
        content -> Nullable<Text>,
        intent -> Nullable<Text>,
        entities -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    routing_decisions (routing_id) {
        routing_id -> Text,
        message_id -> Nullable<Text>,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        user_message -> Nullable<Text>,
        routing_decision -> Nullable<Text>,
        routing_method -> Nullable<Text>,
        keywords_matched -> Nullable<Text>,
        confidence -> Nullable<Float8>,
        ollama_reasoning -> Nullable<Text>,
        session_context -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (session_id) {
        session_id -> Text,
        start_time -> Nullable<Timestamptz>,
        last_activity -> Nullable<Timestamptz>,
        user_language -> Nullable<Text>,
        browser_info -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        analysis_complete -> Nullable<Bool>,
        files_uploaded -> Nullable<Bool>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    variable_relationships (relationship_id) {
        relationship_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        variable_name -> Nullable<Text>,
        relationship_type -> Nullable<Text>,
        evidence -> Nullable<Text>,
        confidence_score -> Nullable<Float8>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    verify_runs (id) {
        id -> Int8,
        finished_at -> Timestamptz,
        source -> Text,
        equal -> Bool,
        elapsed_ms -> Int8,
        tables -> Jsonb,
    }
}

diesel::table! {
    visualization_metadata (viz_id) {
        viz_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        viz_type -> Nullable<Text>,
        variables_used -> Nullable<Text>,
        data_summary -> Nullable<Text>,
        visual_elements -> Nullable<Text>,
        patterns_detected -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::table! {
    ward_rankings (ranking_id) {
        ranking_id -> Text,
        session_id -> Nullable<Text>,
        timestamp -> Nullable<Timestamptz>,
        ward_name -> Nullable<Text>,
        overall_rank -> Nullable<Int8>,
        median_score -> Nullable<Float8>,
        vulnerability_category -> Nullable<Text>,
        contributing_factors -> Nullable<Text>,
        anomaly_flags -> Nullable<Text>,
        chatmrpt_origin -> Nullable<Text>,
    }
}

diesel::joinable!(algorithm_decisions -> analysis_steps (step_id));
diesel::joinable!(algorithm_decisions -> sessions (session_id));
diesel::joinable!(analysis_events -> sessions (session_id));
diesel::joinable!(analysis_steps -> sessions (session_id));
diesel::joinable!(anomalies -> sessions (session_id));
diesel::joinable!(arena_battles -> sessions (session_id));
diesel::joinable!(backfill_synthesized -> sessions (session_id));
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
    backfill_progress,
    backfill_quarantine,
    backfill_session_sources,
    backfill_sources,
    backfill_synthesized,
    calculations,
    chatmrpt_heartbeats,
    chatmrpt_outbox,
    chatmrpt_outbox_lease,
    chatmrpt_outbox_leases,
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
    verify_runs,
    visualization_metadata,
    ward_rankings,
);
