ALTER TABLE chatmrpt_file_identity DROP COLUMN legacy_timezone;
