-- Dual write (chatmrpt-db-dual).
--
-- chatmrpt_outbox: writes this store owes the other store of the pair,
--   appended in the same transaction as the write they mirror, deleted once
--   delivered. `order_key` keeps one session's writes in order; `payload` is
--   the serialised write (JSON); `dead` entries are parked with the reason
--   and skipped until retried explicitly. `id` is a plain rowid, not
--   AUTOINCREMENT (which writes sqlite_sequence once more per entry): an id
--   may come back once the newest entry is deleted, so entries are always
--   addressed by (id, created_at).
-- chatmrpt_outbox_lease: which process replays the outbox now (one row;
--   a holder that stops renewing loses it when `expires_at` passes).
-- chatmrpt_stage: the stage override every process reads (one row).
-- chatmrpt_stage_history: every change of it, with who and when.
-- Times are UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`, like the log tables.

CREATE TABLE chatmrpt_outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    order_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    row_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    dead BOOLEAN NOT NULL DEFAULT 0
);

-- Pending entries are read in rowid order; only the (rare) dead ones are indexed,
-- so a write pays for no index entry.
CREATE INDEX idx_chatmrpt_outbox_dead ON chatmrpt_outbox (id) WHERE dead;

CREATE TABLE chatmrpt_outbox_lease (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE chatmrpt_stage (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    stage TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE chatmrpt_stage_history (
    id INTEGER PRIMARY KEY NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    forced BOOLEAN NOT NULL DEFAULT 0
);
