DROP TABLE IF EXISTS chatmrpt_file_identity;
