DELETE FROM chatmrpt_outbox_lease WHERE id = 1;
DROP TABLE IF EXISTS chatmrpt_outbox_leases;
DROP INDEX IF EXISTS idx_chatmrpt_outbox_destination;
ALTER TABLE chatmrpt_outbox DROP COLUMN IF EXISTS destination;
