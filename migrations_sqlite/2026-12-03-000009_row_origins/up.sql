-- Intentionally empty on SQLite: where a row came from (`chatmrpt_origin`)
-- is recorded only in PostgreSQL, where several sources meet. The migration
-- exists so both folders keep identical migration names.
SELECT 1;
