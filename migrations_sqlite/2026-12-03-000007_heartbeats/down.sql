DROP TABLE chatmrpt_heartbeats;
