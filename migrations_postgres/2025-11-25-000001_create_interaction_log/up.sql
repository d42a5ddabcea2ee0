-- The 17 tables of the ChatMRPT interaction log in PostgreSQL, with the
-- legacy table and column names. Types are chosen to hold every legacy value
-- exactly: timestamptz (legacy naive UTC text), boolean (legacy 0/1), bigint
-- (every legacy INTEGER), double precision (every legacy REAL; never `real`,
-- float4 silently loses digits), text for the JSON-ish columns (their exact
-- legacy text, Python reprs and NaN included). Ids are text COLLATE "C" so
-- they compare and sort byte for byte, as SQLite does. Tables are unqualified:
-- the store's search_path picks the schema. Foreign keys are enforced and
-- every foreign key column leads an index.

CREATE TABLE sessions (
    session_id text COLLATE "C" PRIMARY KEY,
    start_time timestamptz,
    last_activity timestamptz,
    user_language text,
    browser_info text,
    ip_address text,
    analysis_complete boolean DEFAULT false,
    files_uploaded boolean DEFAULT false
);

CREATE TABLE messages (
    message_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    sender text,
    content text,
    intent text,
    entities text
);

CREATE TABLE file_uploads (
    upload_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    file_type text,
    file_name text,
    file_size bigint,
    metadata text
);

CREATE TABLE analysis_events (
    event_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    event_type text,
    details text,
    success boolean
);

CREATE TABLE errors (
    error_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    error_type text,
    error_message text,
    stack_trace text
);

CREATE TABLE llm_interactions (
    interaction_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    prompt_type text,
    prompt text,
    prompt_context text,
    response text,
    tokens_used bigint,
    latency double precision,
    enhanced_timing text
);

CREATE TABLE analysis_steps (
    step_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    step_name text,
    input_summary text,
    output_summary text,
    algorithm text,
    parameters text,
    execution_time double precision,
    error text
);

CREATE TABLE algorithm_decisions (
    decision_id text COLLATE "C" PRIMARY KEY,
    step_id text COLLATE "C" REFERENCES analysis_steps(step_id),
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    decision_type text,
    options text,
    criteria text,
    selected_option text,
    confidence double precision
);

CREATE TABLE calculations (
    calculation_id text COLLATE "C" PRIMARY KEY,
    step_id text COLLATE "C" REFERENCES analysis_steps(step_id),
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    variable text,
    operation text,
    input_values text,
    output_value text,
    context text
);

CREATE TABLE anomalies (
    anomaly_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    entity_name text,
    anomaly_type text,
    expected_value text,
    actual_value text,
    significance text,
    context text
);

CREATE TABLE variable_relationships (
    relationship_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    variable_name text,
    relationship_type text,
    evidence text,
    confidence_score double precision
);

CREATE TABLE ward_rankings (
    ranking_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    ward_name text,
    overall_rank bigint,
    median_score double precision,
    vulnerability_category text,
    contributing_factors text,
    anomaly_flags text
);

CREATE TABLE visualization_metadata (
    viz_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    viz_type text,
    variables_used text,
    data_summary text,
    visual_elements text,
    patterns_detected text
);

CREATE TABLE explanations (
    explanation_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    entity_type text,
    entity_name text,
    question_type text,
    question text,
    explanation text,
    context_used text,
    llm_interaction_id text COLLATE "C" REFERENCES llm_interactions(interaction_id)
);

CREATE TABLE routing_decisions (
    routing_id text COLLATE "C" PRIMARY KEY,
    message_id text COLLATE "C" REFERENCES messages(message_id),
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    user_message text,
    routing_decision text,
    routing_method text,
    keywords_matched text,
    confidence double precision,
    ollama_reasoning text,
    session_context text
);

CREATE TABLE arena_battles (
    battle_id text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" REFERENCES sessions(session_id),
    timestamp timestamptz,
    user_message text,
    model_a text,
    model_b text,
    response_a text,
    response_b text,
    latency_a double precision,
    latency_b double precision,
    tokens_a bigint,
    tokens_b bigint,
    user_preference text,
    elo_before_a double precision,
    elo_before_b double precision,
    elo_after_a double precision,
    elo_after_b double precision,
    view_index bigint
);

CREATE TABLE arena_training_exports (
    export_id text COLLATE "C" PRIMARY KEY,
    export_timestamp timestamptz,
    export_type text,
    format text,
    file_path text,
    metadata text,
    battles_included bigint
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
