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
-- The default is stable, not volatile, so adding the column rewrites no
-- table.

ALTER TABLE sessions ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE messages ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE file_uploads ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE analysis_events ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE errors ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE llm_interactions ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE analysis_steps ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE algorithm_decisions ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE calculations ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE anomalies ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE variable_relationships ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE ward_rankings ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE visualization_metadata ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE explanations ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE routing_decisions ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE arena_battles ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
ALTER TABLE arena_training_exports ADD COLUMN chatmrpt_origin text DEFAULT NULLIF(current_setting('chatmrpt.origin', true), '');
