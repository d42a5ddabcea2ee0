"""Self-checks of the suite's own tools: the legacy reference and the psql helpers.

These run without the package (the reference falls back to a stand-in for
``chatmrpt_db._legacy``), so they validate the yardstick the other files use.
"""

import datetime
import json
import math
import sqlite3

import pytest

import reference
from conftest import Pins, pg_rows, psql, sqlite_rows


@pytest.fixture
def rpins(monkeypatch):
    p = Pins()
    mod = reference.legacy_module()
    monkeypatch.setattr(mod, "new_id", p.new_id)
    monkeypatch.setattr(mod, "now", p.now)
    return p


@pytest.mark.parametrize("era", [14, 15, 16, 17])
def test_reference_creates_legacy_tables(tmp_path, era):
    path = tmp_path / "legacy.db"
    reference.ReferenceLogger(path, era=era, enhanced_timing=(era != 14))
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid")]
        indexes = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")]
        assert tables == reference.ERAS[era]
        assert indexes == []  # legacy: no CREATE INDEX anywhere
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            want = reference.columns(table)
            if era == 14 and table == "llm_interactions":
                want = [c for c in want if c != "enhanced_timing"]
            assert cols == want, table
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0
    finally:
        conn.close()


def test_reference_writes_legacy_storage_form(tmp_path, rpins):
    ref = reference.ReferenceLogger(tmp_path / "r.db")
    assert ref.log_session_start("s1", "UA", "1.2.3.4") is True
    rpins.tick(microsecond=0)
    rpins.pin("m-1")
    assert ref.log_message("s1", "user", "hi", "greet", {"ward": "Ä", "n": [1, 2]}) == "m-1"
    row = sqlite_rows(ref.db_path, "messages")[0]
    assert row == {
        "message_id": "m-1", "session_id": "s1", "timestamp": "2025-03-01 12:00:01",
        "sender": "user", "content": "hi", "intent": "greet",
        "entities": '{"ward": "\\u00c4", "n": [1, 2]}',
    }
    sess = sqlite_rows(ref.db_path, "sessions")[0]
    assert sess["start_time"] == "2025-03-01 12:00:00.123456"
    assert sess["last_activity"] == "2025-03-01 12:00:01"
    assert (sess["analysis_complete"], sess["files_uploaded"], sess["user_language"]) == (0, 0, "en")
    # the legacy bug the package fixes: a second start resets start_time and flags
    ref.update_session_status("s1", analysis_complete=True)
    rpins.tick()
    ref.log_session_start("s1")
    sess = sqlite_rows(ref.db_path, "sessions")[0]
    assert sess["start_time"] == "2025-03-01 12:00:02"
    assert sess["analysis_complete"] == 0


def test_reference_jsonish_rules():
    assert reference.jsonish({"a": float("nan")}) == '{"a": NaN}'
    assert reference.jsonish(["x", 1]) == "['x', 1]"
    assert reference.jsonish(("x",)) == "('x',)"
    assert reference.jsonish(True) == "True"
    assert reference.jsonish({}) is None
    assert reference.jsonish([]) is None
    assert reference.jsonish("") is None
    assert reference.jsonish(0) is None
    assert reference.always_json("sys prompt") == '"sys prompt"'
    assert reference.always_json(None) == "null"


def test_reference_arena_upsert(tmp_path, rpins):
    ref = reference.ReferenceLogger(tmp_path / "r.db")
    assert ref.event_logger.log_arena_battle("b1", "s", "q", "ma", "mb", response_a="ra",
                                             latency_a=12.5, view_index=3) is True
    rpins.tick()
    assert ref.event_logger.log_arena_battle("b1", "s", "q", "ma", "mb",
                                             user_preference="left", elo_after_a=1016.0) is True
    (row,) = sqlite_rows(ref.db_path, "arena_battles")
    assert row["response_a"] == "ra" and row["latency_a"] == 12.5 and row["view_index"] == 3
    assert row["user_preference"] == "left" and row["elo_after_a"] == 1016.0
    assert row["timestamp"] == "2025-03-01 12:00:00.123456"


def test_pg_helpers_roundtrip(pg_url):
    """The psql reader turns PostgreSQL values into the legacy storage form."""
    psql(pg_url, """
        CREATE TABLE t (id text, ts timestamptz, b boolean, f double precision,
                        n bigint, s text);
        INSERT INTO t VALUES
          ('a', '2025-03-01 12:00:00.123456+00', true, 1.5, 7, 'x' || chr(10) || 'y'),
          ('b', '2025-03-01 12:00:01+00', false, 'NaN', NULL, NULL),
          ('c', NULL, NULL, 'Infinity', 9007199254740993, '{"k": "Ä"}'),
          ('d', NULL, NULL, 3, NULL, '');
    """)
    rows = {r["id"]: r for r in pg_rows(pg_url, "t")}
    assert rows["a"] == {"id": "a", "ts": "2025-03-01 12:00:00.123456", "b": 1, "f": 1.5,
                         "n": 7, "s": "x\ny"}
    assert rows["b"]["ts"] == "2025-03-01 12:00:01" and rows["b"]["b"] == 0
    assert math.isnan(rows["b"]["f"]) and rows["b"]["n"] is None and rows["b"]["s"] is None
    assert rows["c"]["f"] == math.inf and rows["c"]["n"] == 9007199254740993
    assert json.loads(rows["c"]["s"]) == {"k": "Ä"}
    assert type(rows["d"]["f"]) is float and rows["d"]["s"] == ""


def test_pins_clock():
    p = Pins()
    assert p.now() == datetime.datetime(2025, 3, 1, 12, 0, 0, 123456)
    p.pin("x")
    assert p.new_id() == "x"
    assert p.new_id() != "x"
