-- Intentionally empty on SQLite. Which file each backfill source is
-- (`backfill_sources`) is recorded only in a PostgreSQL target, next to the
-- rest of the backfill bookkeeping. The migration exists so both folders
-- keep identical migration names.
SELECT 1;
