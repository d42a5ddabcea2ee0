-- Intentionally empty on PostgreSQL: timestamptz holds instants, so only a
-- SQLite file has a clock of its own (`chatmrpt_file_identity.legacy_timezone`
-- there). The migration exists so both folders keep identical migration names.
SELECT 1;
