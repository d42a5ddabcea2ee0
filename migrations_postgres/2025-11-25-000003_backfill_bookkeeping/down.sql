DROP TABLE IF EXISTS backfill_synthesized;
DROP INDEX IF EXISTS idx_backfill_quarantine_table_name_row_key;
DROP TABLE IF EXISTS backfill_quarantine;
DROP TABLE IF EXISTS backfill_progress;
