ALTER TABLE backfill_progress DROP COLUMN sessions_merged;
DROP TABLE backfill_session_sources;
DROP TABLE backfill_sources;
