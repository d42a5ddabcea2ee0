-- Intentionally empty on SQLite. The verify runs (`chatmrpt-db verify`
-- results) are recorded only in a PostgreSQL target, next to the backfill
-- bookkeeping of migration 000003; verify never writes to a SQLite side.
-- The migration exists so both folders keep identical migration names.
SELECT 1;
