-- Bookkeeping of `chatmrpt-db backfill` (legacy SQLite -> PostgreSQL).
--
-- backfill_progress: one row per (source, table), updated in the same
--   transaction as each loaded batch, so a killed run resumes after the last
--   committed batch and never loads a row twice. `last_rowid` is the SQLite
--   rowid of the last row read; `last_key` the primary key found there, to
--   notice a source whose rowids were renumbered (VACUUM), which restarts the
--   table (the load is idempotent, so that is safe).
-- backfill_quarantine: every source row that could not be loaded faithfully,
--   with the reason and the original bytes of every column (`original`: a
--   JSON array of {"column", "storage_class", "hex"}; hex of the text/blob
--   bytes, of the decimal text of an integer, of the 8 big-endian IEEE bytes
--   of a real).
-- backfill_synthesized: sessions rows the backfill created for orphan child
--   rows (their session_id had no sessions row in the source).
-- Source and table names are plain text; ids are COLLATE "C" like every id.

CREATE TABLE backfill_progress (
    source text NOT NULL,
    table_name text NOT NULL,
    last_rowid bigint NOT NULL DEFAULT 0,
    last_key text COLLATE "C",
    rows_read bigint NOT NULL DEFAULT 0,
    rows_inserted bigint NOT NULL DEFAULT 0,
    rows_present bigint NOT NULL DEFAULT 0,
    rows_quarantined bigint NOT NULL DEFAULT 0,
    sessions_synthesized bigint NOT NULL DEFAULT 0,
    values_converted bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, table_name)
);

CREATE TABLE backfill_quarantine (
    id bigserial PRIMARY KEY,
    source text NOT NULL,
    table_name text NOT NULL,
    source_rowid bigint NOT NULL,
    row_key text COLLATE "C",
    column_name text,
    reason text NOT NULL,
    original jsonb NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, table_name, source_rowid)
);

CREATE INDEX idx_backfill_quarantine_table_name_row_key ON backfill_quarantine (table_name, row_key);

CREATE TABLE backfill_synthesized (
    session_id text COLLATE "C" PRIMARY KEY REFERENCES sessions(session_id),
    source text NOT NULL,
    first_table text NOT NULL,
    synthesized_at timestamptz NOT NULL DEFAULT now()
);
