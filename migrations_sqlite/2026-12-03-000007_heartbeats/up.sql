-- Who follows the stage (issue 11). The shared stage of a dual pair and its
-- heartbeats live in PostgreSQL; this twin keeps the heartbeats of the
-- processes of a SQLite store used alone or in a test pair (same columns;
-- times are UTC text like the other bookkeeping tables). This file's
-- `chatmrpt_stage` is the host's last known copy of the shared stage.

CREATE TABLE chatmrpt_heartbeats (
    process TEXT PRIMARY KEY NOT NULL,
    host TEXT NOT NULL,
    file_id TEXT,
    stage TEXT NOT NULL,
    stage_source TEXT NOT NULL,
    outbox_depth BIGINT NOT NULL,
    outbox_dead BIGINT NOT NULL,
    outbox_oldest TEXT,
    release TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
