-- Nothing to revert: up.sql creates nothing on SQLite.
SELECT 1;
