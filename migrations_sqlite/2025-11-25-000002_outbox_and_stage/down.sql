DROP TABLE chatmrpt_stage_history;
DROP TABLE chatmrpt_stage;
DROP TABLE chatmrpt_outbox_lease;
DROP TABLE chatmrpt_outbox;
