-- Dual write (chatmrpt-db-dual). Same tables as on SQLite.
--
-- chatmrpt_outbox: writes this store owes the other store of the pair,
--   appended in the same transaction as the write they mirror, deleted once
--   delivered. `order_key` keeps one session's writes in order; `payload` is
--   the serialised write (JSON, kept as text: it is replayed, not queried);
--   `dead` entries are parked with the reason and skipped until retried.
-- chatmrpt_outbox_lease: which process replays the outbox now (one row;
--   a holder that stops renewing loses it when `expires_at` passes).
-- chatmrpt_stage: the stage override every process reads (one row).
-- chatmrpt_stage_history: every change of it, with who and when.

CREATE TABLE chatmrpt_outbox (
    id bigserial PRIMARY KEY,
    order_key text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    row_key text COLLATE "C" NOT NULL,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    attempts bigint NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error text,
    dead boolean NOT NULL DEFAULT false
);

-- Pending entries are read in id order; only the (rare) dead ones are indexed.
CREATE INDEX idx_chatmrpt_outbox_dead ON chatmrpt_outbox (id) WHERE dead;

CREATE TABLE chatmrpt_outbox_lease (
    id bigint PRIMARY KEY CHECK (id = 1),
    holder text NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE chatmrpt_stage (
    id bigint PRIMARY KEY CHECK (id = 1),
    stage text NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL
);

CREATE TABLE chatmrpt_stage_history (
    id bigserial PRIMARY KEY,
    from_stage text NOT NULL,
    to_stage text NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL,
    forced boolean NOT NULL DEFAULT false
);
