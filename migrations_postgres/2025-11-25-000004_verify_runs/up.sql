-- The results of `chatmrpt-db verify` run against this target, one row per
-- run (the newest has the highest id), for `chatmrpt-db status` and people.
--
-- source: what the target was compared with, a file path or a connection
--   string with its password replaced by `***` (never stored in clear).
-- equal: the verdict (known differences aside), as the exit code gave it.
-- tables: a JSON array with one object per compared table holding counts
--   only: {"table", "equal", "source_rows", "target_rows", "missing",
--   "extra", "differing", "known"}. Never keys nor row content (user text).
-- Like the backfill bookkeeping, the application's runtime role needs no
-- access to it (`chatmrpt-db grants` grants none).

CREATE TABLE verify_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finished_at timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    equal boolean NOT NULL,
    elapsed_ms bigint NOT NULL,
    tables jsonb NOT NULL
);
