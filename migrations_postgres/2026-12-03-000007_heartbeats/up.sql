-- One stage for every host, and who follows it (several hosts, one
-- PostgreSQL; issue 11).
--
-- From this release the stage shared by every process of every host is
-- `chatmrpt_stage` here, in PostgreSQL (migration 000002 created it); each
-- host keeps its last known copy in its SQLite file's `chatmrpt_stage` for
-- when PostgreSQL is unreachable.
--
-- chatmrpt_heartbeats: one row per process of the application, replaced
--   every few seconds: the host, the SQLite file it writes, the stage it
--   follows and where it read it ('shared', or 'local' when PostgreSQL was
--   unreachable, or 'default'), what its file still owes PostgreSQL
--   (pending and dead outbox entries, and when the oldest pending one was
--   written), its release, and when. `chatmrpt-db status` lists them;
--   the stage rule counts every host's outbox from them. Rows not renewed
--   for a day are pruned.

CREATE TABLE chatmrpt_heartbeats (
    process text COLLATE "C" PRIMARY KEY,
    host text NOT NULL,
    file_id text COLLATE "C",
    stage text NOT NULL,
    stage_source text NOT NULL,
    outbox_depth bigint NOT NULL,
    outbox_dead bigint NOT NULL,
    outbox_oldest timestamptz,
    release text NOT NULL,
    last_seen timestamptz NOT NULL
);
