-- Intentionally empty on SQLite. The backfill bookkeeping (progress,
-- quarantine, synthesized sessions) lives only in the PostgreSQL target:
-- the backfill opens the SQLite source read-only and never writes to it.
-- The migration exists so both folders keep identical migration names.
SELECT 1;
