-- Which file each backfill source is (several hosts, one PostgreSQL;
-- issue 11). A label (`--source-label`, by default the file's absolute
-- path) names no file: every host keeps its log at the same path. The
-- first run under a label records the file it read; every later run under
-- that label must read the same file, or it is refused before anything is
-- loaded, so one file never resumes another's progress nor touches its
-- quarantine.
--
-- file_id: the identity a managed file carries (`chatmrpt_file_identity`
--   there), when it had one.
-- fingerprint_table, fingerprint_rows, fingerprint: SHA-256 (hex) of the
--   keys of the first `fingerprint_rows` rows (rowid order) of
--   `fingerprint_table`, a table whose rows are never rewritten; NULL while
--   the file had no such row.
-- Like the rest of the backfill bookkeeping, the application's runtime role
-- needs no access to it.

CREATE TABLE backfill_sources (
    source text PRIMARY KEY,
    file_id text COLLATE "C",
    fingerprint_table text,
    fingerprint_rows bigint,
    fingerprint text,
    first_run_at timestamptz NOT NULL DEFAULT now(),
    last_run_at timestamptz NOT NULL DEFAULT now()
);

-- backfill_session_sources: every source a session was copied from (its
--   sessions row, or orphan rows it was synthesized for). A session a second
--   source brings too (the same cookie served by two hosts) converges by the
--   sessions rule and is reported as merged (`sessions_merged` in the
--   progress, a "merged" event in the report).

CREATE TABLE backfill_session_sources (
    session_id text COLLATE "C" NOT NULL,
    source text NOT NULL,
    PRIMARY KEY (session_id, source)
);

ALTER TABLE backfill_progress ADD COLUMN sessions_merged bigint NOT NULL DEFAULT 0;
