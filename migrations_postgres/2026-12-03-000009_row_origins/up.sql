-- Where each row of the log came from (several hosts, one PostgreSQL;
-- issue 11, item 4), so `verify` of one host's file does not count the rows
-- of another source as extra.
--
-- chatmrpt_origin: set by the writer's connection through the setting
--   `chatmrpt.origin` (a bound `set_config`), read by the column default:
--   `source:<label>` for rows a backfill loaded (or synthesized) under that
--   label, `app` for rows the application wrote (the PostgreSQL store, dual
--   write, outbox replay), NULL for rows written by anything else (and for
--   rows that were here before this migration). A session keeps the origin
--   of whoever inserted it first; `backfill_session_sources` lists every
--   source that brought it. No writer names the column: the default fills
--   it, so the application's queries stay as they were.
--
-- The column is added first and its default set after, so the rows already
-- here stay NULL (a default given with ADD COLUMN would be evaluated once,
-- on the migrating connection, and stamped on every existing row), and no
-- table is rewritten.

ALTER TABLE sessions ADD COLUMN chatmrpt_origin text;
ALTER TABLE sessions ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE messages ADD COLUMN chatmrpt_origin text;
ALTER TABLE messages ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE file_uploads ADD COLUMN chatmrpt_origin text;
ALTER TABLE file_uploads ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE analysis_events ADD COLUMN chatmrpt_origin text;
ALTER TABLE analysis_events ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE errors ADD COLUMN chatmrpt_origin text;
ALTER TABLE errors ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE llm_interactions ADD COLUMN chatmrpt_origin text;
ALTER TABLE llm_interactions ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE analysis_steps ADD COLUMN chatmrpt_origin text;
ALTER TABLE analysis_steps ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE algorithm_decisions ADD COLUMN chatmrpt_origin text;
ALTER TABLE algorithm_decisions ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE calculations ADD COLUMN chatmrpt_origin text;
ALTER TABLE calculations ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE anomalies ADD COLUMN chatmrpt_origin text;
ALTER TABLE anomalies ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE variable_relationships ADD COLUMN chatmrpt_origin text;
ALTER TABLE variable_relationships ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE ward_rankings ADD COLUMN chatmrpt_origin text;
ALTER TABLE ward_rankings ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE visualization_metadata ADD COLUMN chatmrpt_origin text;
ALTER TABLE visualization_metadata ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE explanations ADD COLUMN chatmrpt_origin text;
ALTER TABLE explanations ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE routing_decisions ADD COLUMN chatmrpt_origin text;
ALTER TABLE routing_decisions ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE arena_battles ADD COLUMN chatmrpt_origin text;
ALTER TABLE arena_battles ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE arena_training_exports ADD COLUMN chatmrpt_origin text;
ALTER TABLE arena_training_exports ALTER COLUMN chatmrpt_origin SET DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');

-- backfill_sources.legacy_timezone: the zone the label's file was read in
-- (its recorded clock, or --source-timezone), so a resumed run never reads
-- the rest of the file in another zone.
ALTER TABLE backfill_sources ADD COLUMN legacy_timezone text;
