DROP TABLE IF EXISTS verify_runs;
