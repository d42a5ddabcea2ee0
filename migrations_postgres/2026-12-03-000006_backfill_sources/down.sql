DROP TABLE backfill_sources;
