-- One clock per file (issue 11, item 6).
--
-- chatmrpt_file_identity.legacy_timezone: the zone the file's legacy
--   timestamps are written in (`UTC`, `+01:00`, or an IANA name), the
--   legacy application's `datetime.now()`. NULL until the store first uses
--   the file, which then records its `sqlite.legacy_timezone` (default: the
--   machine's zone); adoption records it at once.
--
-- A file that already holds log rows was written by the store in UTC, the
-- only clock it had: it keeps UTC (a change of clock is an explicit step,
-- never a side effect of an upgrade). The store's own bookkeeping (outbox,
-- stage, heartbeats, leases) is UTC whatever this says.

ALTER TABLE chatmrpt_file_identity ADD COLUMN legacy_timezone TEXT;

UPDATE chatmrpt_file_identity SET legacy_timezone = 'UTC'
WHERE EXISTS (SELECT 1 FROM sessions)
   OR EXISTS (SELECT 1 FROM messages)
   OR EXISTS (SELECT 1 FROM file_uploads)
   OR EXISTS (SELECT 1 FROM analysis_events)
   OR EXISTS (SELECT 1 FROM errors)
   OR EXISTS (SELECT 1 FROM llm_interactions)
   OR EXISTS (SELECT 1 FROM analysis_steps)
   OR EXISTS (SELECT 1 FROM algorithm_decisions)
   OR EXISTS (SELECT 1 FROM calculations)
   OR EXISTS (SELECT 1 FROM anomalies)
   OR EXISTS (SELECT 1 FROM variable_relationships)
   OR EXISTS (SELECT 1 FROM ward_rankings)
   OR EXISTS (SELECT 1 FROM visualization_metadata)
   OR EXISTS (SELECT 1 FROM explanations)
   OR EXISTS (SELECT 1 FROM routing_decisions)
   OR EXISTS (SELECT 1 FROM arena_battles)
   OR EXISTS (SELECT 1 FROM arena_training_exports);
