-- The 17 tables of the ChatMRPT interaction log, with the legacy table and
-- column names and declared types SQLite tools already know. Two deliberate
-- differences from the legacy DDL, both invisible to readers of the file:
--   * INTEGER columns are declared BIGINT and REAL columns DOUBLE. Both keep
--     the same SQLite affinity (INTEGER, REAL), but diesel maps them to i64
--     and f64: plain INTEGER/REAL would be read as i32/f32 and silently
--     truncate file sizes and latencies.
--   * primary keys are NOT NULL (legacy TEXT PRIMARY KEY allowed NULL).
-- Timestamps are TEXT 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC), booleans 0/1,
-- exactly as the legacy application writes them. Every foreign key column
-- leads an index; foreign keys are enforced by the store's PRAGMA.

CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    start_time TIMESTAMP,
    last_activity TIMESTAMP,
    user_language TEXT,
    browser_info TEXT,
    ip_address TEXT,
    analysis_complete BOOLEAN DEFAULT 0,
    files_uploaded BOOLEAN DEFAULT 0
);

CREATE TABLE messages (
    message_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    sender TEXT,
    content TEXT,
    intent TEXT,
    entities TEXT
);

CREATE TABLE file_uploads (
    upload_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    file_type TEXT,
    file_name TEXT,
    file_size BIGINT,
    metadata TEXT
);

CREATE TABLE analysis_events (
    event_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    event_type TEXT,
    details TEXT,
    success BOOLEAN
);

CREATE TABLE errors (
    error_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    error_type TEXT,
    error_message TEXT,
    stack_trace TEXT
);

CREATE TABLE llm_interactions (
    interaction_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    prompt_type TEXT,
    prompt TEXT,
    prompt_context TEXT,
    response TEXT,
    tokens_used BIGINT,
    latency DOUBLE,
    enhanced_timing TEXT
);

CREATE TABLE analysis_steps (
    step_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    step_name TEXT,
    input_summary TEXT,
    output_summary TEXT,
    algorithm TEXT,
    parameters TEXT,
    execution_time DOUBLE,
    error TEXT
);

CREATE TABLE algorithm_decisions (
    decision_id TEXT PRIMARY KEY NOT NULL,
    step_id TEXT REFERENCES analysis_steps(step_id),
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    decision_type TEXT,
    options TEXT,
    criteria TEXT,
    selected_option TEXT,
    confidence DOUBLE
);

CREATE TABLE calculations (
    calculation_id TEXT PRIMARY KEY NOT NULL,
    step_id TEXT REFERENCES analysis_steps(step_id),
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    variable TEXT,
    operation TEXT,
    input_values TEXT,
    output_value TEXT,
    context TEXT
);

CREATE TABLE anomalies (
    anomaly_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    entity_name TEXT,
    anomaly_type TEXT,
    expected_value TEXT,
    actual_value TEXT,
    significance TEXT,
    context TEXT
);

CREATE TABLE variable_relationships (
    relationship_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    variable_name TEXT,
    relationship_type TEXT,
    evidence TEXT,
    confidence_score DOUBLE
);

CREATE TABLE ward_rankings (
    ranking_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    ward_name TEXT,
    overall_rank BIGINT,
    median_score DOUBLE,
    vulnerability_category TEXT,
    contributing_factors TEXT,
    anomaly_flags TEXT
);

CREATE TABLE visualization_metadata (
    viz_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    viz_type TEXT,
    variables_used TEXT,
    data_summary TEXT,
    visual_elements TEXT,
    patterns_detected TEXT
);

CREATE TABLE explanations (
    explanation_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    entity_type TEXT,
    entity_name TEXT,
    question_type TEXT,
    question TEXT,
    explanation TEXT,
    context_used TEXT,
    llm_interaction_id TEXT REFERENCES llm_interactions(interaction_id)
);

CREATE TABLE routing_decisions (
    routing_id TEXT PRIMARY KEY NOT NULL,
    message_id TEXT REFERENCES messages(message_id),
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    user_message TEXT,
    routing_decision TEXT,
    routing_method TEXT,
    keywords_matched TEXT,
    confidence DOUBLE,
    ollama_reasoning TEXT,
    session_context TEXT
);

CREATE TABLE arena_battles (
    battle_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT REFERENCES sessions(session_id),
    timestamp TIMESTAMP,
    user_message TEXT,
    model_a TEXT,
    model_b TEXT,
    response_a TEXT,
    response_b TEXT,
    latency_a DOUBLE,
    latency_b DOUBLE,
    tokens_a BIGINT,
    tokens_b BIGINT,
    user_preference TEXT,
    elo_before_a DOUBLE,
    elo_before_b DOUBLE,
    elo_after_a DOUBLE,
    elo_after_b DOUBLE,
    view_index BIGINT
);

CREATE TABLE arena_training_exports (
    export_id TEXT PRIMARY KEY NOT NULL,
    export_timestamp TIMESTAMP,
    export_type TEXT,
    format TEXT,
    file_path TEXT,
    metadata TEXT,
    battles_included BIGINT
);

CREATE INDEX idx_messages_session_id_timestamp ON messages (session_id, timestamp);
CREATE INDEX idx_messages_timestamp ON messages (timestamp);
CREATE INDEX idx_file_uploads_session_id_timestamp ON file_uploads (session_id, timestamp);
CREATE INDEX idx_file_uploads_timestamp ON file_uploads (timestamp);
CREATE INDEX idx_analysis_events_session_id_timestamp ON analysis_events (session_id, timestamp);
CREATE INDEX idx_analysis_events_timestamp ON analysis_events (timestamp);
CREATE INDEX idx_errors_session_id_timestamp ON errors (session_id, timestamp);
CREATE INDEX idx_errors_timestamp ON errors (timestamp);
CREATE INDEX idx_llm_interactions_session_id_timestamp ON llm_interactions (session_id, timestamp);
CREATE INDEX idx_llm_interactions_timestamp ON llm_interactions (timestamp);
CREATE INDEX idx_analysis_steps_session_id_timestamp ON analysis_steps (session_id, timestamp);
CREATE INDEX idx_analysis_steps_timestamp ON analysis_steps (timestamp);
CREATE INDEX idx_algorithm_decisions_session_id_timestamp ON algorithm_decisions (session_id, timestamp);
CREATE INDEX idx_algorithm_decisions_timestamp ON algorithm_decisions (timestamp);
CREATE INDEX idx_algorithm_decisions_step_id ON algorithm_decisions (step_id);
CREATE INDEX idx_calculations_session_id_timestamp ON calculations (session_id, timestamp);
CREATE INDEX idx_calculations_timestamp ON calculations (timestamp);
CREATE INDEX idx_calculations_step_id ON calculations (step_id);
CREATE INDEX idx_anomalies_session_id_timestamp ON anomalies (session_id, timestamp);
CREATE INDEX idx_anomalies_timestamp ON anomalies (timestamp);
CREATE INDEX idx_variable_relationships_session_id_timestamp ON variable_relationships (session_id, timestamp);
CREATE INDEX idx_variable_relationships_timestamp ON variable_relationships (timestamp);
CREATE INDEX idx_ward_rankings_session_id_timestamp ON ward_rankings (session_id, timestamp);
CREATE INDEX idx_ward_rankings_timestamp ON ward_rankings (timestamp);
CREATE INDEX idx_visualization_metadata_session_id_timestamp ON visualization_metadata (session_id, timestamp);
CREATE INDEX idx_visualization_metadata_timestamp ON visualization_metadata (timestamp);
CREATE INDEX idx_explanations_session_id_timestamp ON explanations (session_id, timestamp);
CREATE INDEX idx_explanations_timestamp ON explanations (timestamp);
CREATE INDEX idx_explanations_llm_interaction_id ON explanations (llm_interaction_id);
CREATE INDEX idx_routing_decisions_session_id_timestamp ON routing_decisions (session_id, timestamp);
CREATE INDEX idx_routing_decisions_timestamp ON routing_decisions (timestamp);
CREATE INDEX idx_routing_decisions_message_id ON routing_decisions (message_id);
CREATE INDEX idx_arena_battles_session_id_timestamp ON arena_battles (session_id, timestamp);
CREATE INDEX idx_arena_battles_timestamp ON arena_battles (timestamp);
CREATE INDEX idx_sessions_start_time ON sessions (start_time);
CREATE INDEX idx_sessions_last_activity ON sessions (last_activity);
CREATE INDEX idx_ward_rankings_session_id_overall_rank ON ward_rankings (session_id, overall_rank);
CREATE INDEX idx_ward_rankings_session_id_ward_name_timestamp ON ward_rankings (session_id, ward_name, timestamp);
CREATE INDEX idx_arena_training_exports_export_timestamp ON arena_training_exports (export_timestamp);
