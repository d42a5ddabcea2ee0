-- The file's identity (several hosts, one PostgreSQL; issue 11).
--
-- chatmrpt_file_identity: one row, minted here, when the file is created or
--   adopted by the store. Outbox entries PostgreSQL owes this file carry
--   `file_id` (`chatmrpt_outbox.destination` there), so a host replays only
--   what is owed to its own file. A byte copy of the file carries the same
--   identity: a copy put in service beside its original must be re-minted
--   (see the README, "Several hosts").

CREATE TABLE chatmrpt_file_identity (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    file_id TEXT NOT NULL,
    minted_at TEXT NOT NULL
);

INSERT INTO chatmrpt_file_identity (id, file_id, minted_at)
VALUES (1, 'sqlite-' || lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'));
