-- Outbox entries know whose file they are owed to (several hosts, one
-- PostgreSQL; issue 11).
--
-- `chatmrpt_outbox.destination`: the identity of the SQLite file an entry
--   is owed to (`chatmrpt_file_identity.file_id` in that file). A host
--   replays only the entries owed to its own file. NULL: written by a store
--   not paired with a file (an older release, or a PostgreSQL store used
--   alone); such an entry is delivered only when an operator places it
--   (`chatmrpt-db outbox claim-unplaced` on the host it belongs to).
-- `chatmrpt_outbox_leases`: one replay lease per destination ('' for the
--   unplaced entries), so hosts replay their own entries side by side.
-- The single lease row of migration 000002 is held for ever by this
--   release: an older replayer (which would deliver every host's entries
--   into its own file) never gets it again. That is the version gate of a
--   rolling upgrade.

ALTER TABLE chatmrpt_outbox ADD COLUMN destination text COLLATE "C";

CREATE INDEX idx_chatmrpt_outbox_destination ON chatmrpt_outbox (destination, id) WHERE NOT dead;

CREATE TABLE chatmrpt_outbox_leases (
    destination text COLLATE "C" PRIMARY KEY,
    holder text NOT NULL,
    expires_at timestamptz NOT NULL
);

INSERT INTO chatmrpt_outbox_lease (id, holder, expires_at)
VALUES (1, 'migration 2026-12-02-000005: per-destination leases (chatmrpt_outbox_leases)', '9999-12-31 00:00:00+00')
ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at;
