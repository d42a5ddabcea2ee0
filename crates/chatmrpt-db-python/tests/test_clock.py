"""One clock per file, on a host whose zone is not UTC.

The legacy application writes ``datetime.now()``: naive local time. The
package writes the same wall clock into the SQLite file (the file records
its zone), PostgreSQL holds the instants those texts stand for, every read
shows the file's text, and a setting that contradicts the file is refused.
The rest of the suite runs in UTC (see conftest); these tests move this
process to Asia/Tokyo (UTC+9, no daylight saving) and back.
"""

import datetime
import os
import sqlite3
import time
import uuid

import pytest

import reference
from conftest import Backend, pg_rows, sqlite_rows

NINE_HOURS = datetime.timedelta(hours=9)
SLACK = datetime.timedelta(seconds=30)


@pytest.fixture
def tokyo(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    os.environ["TZ"] = "UTC"
    time.tzset()


def _at(text):
    return datetime.datetime.fromisoformat(text)


def test_the_file_keeps_the_wall_clock_and_postgresql_the_instants(
        tokyo, monkeypatch, tmp_path, request):
    backend = Backend("dual:dual_write", monkeypatch, tmp_path,
                      lambda: request.getfixturevalue("pg_url"))
    logger = backend.logger(strict=True)
    sid = str(uuid.uuid4())
    before = datetime.datetime.now()
    assert logger.log_session_start(sid, "Mozilla/5.0", "10.0.0.1") is True
    mid = logger.log_message(sid, "user", "konnichiwa")
    after = datetime.datetime.now()
    assert after - datetime.datetime.utcnow() > datetime.timedelta(hours=8), "TZ took effect"

    # The legacy application's row in the same file: its own connection,
    # str(datetime.now()).
    legacy_id = str(uuid.uuid4())
    conn = sqlite3.connect(str(backend.db_path), timeout=30)
    conn.execute(
        "INSERT INTO messages (message_id, session_id, timestamp, sender, content) "
        "VALUES (?, ?, ?, 'user', 'legacy')",
        (legacy_id, sid, str(datetime.datetime.now())))
    conn.commit()
    conn.close()

    stored = {r["message_id"]: r for r in sqlite_rows(backend.db_path, "messages")}
    ours = _at(stored[mid]["timestamp"])
    theirs = _at(stored[legacy_id]["timestamp"])
    assert before <= ours <= after, "the package writes Tokyo's wall clock"
    assert abs(theirs - ours) < SLACK, "one clock for both writers"
    session = sqlite_rows(backend.db_path, "sessions", "session_id = ?", (sid,))[0]
    for column in ("start_time", "last_activity"):
        assert before <= _at(session[column]) <= after, column
    identity = sqlite_rows(backend.db_path, "chatmrpt_file_identity")[0]
    assert identity["legacy_timezone"] == "Asia/Tokyo"

    # PostgreSQL holds the instant (pg_rows shows it in UTC).
    in_pg = {r["message_id"]: r for r in pg_rows(backend.pg_url, "messages")}
    assert _at(in_pg[mid]["timestamp"]) == ours - NINE_HOURS
    pg_session = pg_rows(backend.pg_url, "sessions", f"session_id = '{sid}'")[0]
    assert _at(pg_session["start_time"]) == _at(session["start_time"]) - NINE_HOURS

    # Reads show the file's text, from either store.
    history = logger.get_session_history(sid)
    assert {m["message_id"]: m["timestamp"] for m in history}[mid] == stored[mid]["timestamp"]
    from_pg = Backend("postgres", monkeypatch, tmp_path, lambda: backend.pg_url).logger(
        db_path=str(tmp_path / "unused.db"), strict=True)
    history = from_pg.get_session_history(sid)
    assert [m["timestamp"] for m in history] == [stored[mid]["timestamp"]]


def test_a_setting_that_contradicts_the_file_is_refused(tokyo, sqlite_backend, monkeypatch):
    logger = sqlite_backend.logger(strict=True)
    assert logger.log_message(str(uuid.uuid4()), "user", "hi")
    monkeypatch.setenv("CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE", "UTC")
    from chatmrpt_db import InteractionLogger

    with pytest.raises(Exception) as refused:
        InteractionLogger(str(sqlite_backend.db_path), strict=True)
    assert "Asia/Tokyo" in str(refused.value) and "one clock" in str(refused.value)
    lenient = InteractionLogger(str(sqlite_backend.db_path))
    assert lenient.log_message(str(uuid.uuid4()), "user", "hi") is None
    monkeypatch.setenv("CHATMRPT_DB_SQLITE_LEGACY_TIMEZONE", "Asia/Tokyo")
    assert InteractionLogger(str(sqlite_backend.db_path), strict=True).log_message(
        str(uuid.uuid4()), "user", "hi")


def test_an_adopted_legacy_file_reads_as_the_legacy_logger_wrote_it(tokyo, tmp_path, monkeypatch):
    path = tmp_path / "interactions.db"
    legacy = reference.ReferenceLogger(path)
    sid = str(uuid.uuid4())
    legacy.log_session_start(sid, "Mozilla/5.0", "10.0.0.1")
    legacy.log_message(sid, "user", "written by the legacy code")
    want = legacy.get_session_history(sid)
    from chatmrpt_db import InteractionLogger

    logger = InteractionLogger(str(path), strict=True)
    assert logger.get_session_history(sid) == want
    assert sqlite_rows(path, "chatmrpt_file_identity")[0]["legacy_timezone"] == "Asia/Tokyo"
    # New rows land on the same clock as the legacy ones.
    mid = logger.log_message(sid, "assistant", "and by the package")
    got = {m["message_id"]: _at(m["timestamp"]) for m in logger.get_session_history(sid)}
    assert abs(got[mid] - _at(want[0]["timestamp"])) < SLACK
