"""Opening the application's existing legacy interactions.db."""

import hashlib
import logging
import os
import sqlite3

import pytest

import reference
from conftest import Pins, is_uuid4_text, package_records, sqlite_rows, sqlite_tables

SID = "session_20240601_101500"
ORPHAN = "orphan-never-started"

ERAS = [(14, False), (15, True), (17, True)]


def _sidecar(name):
    """SQLite's own side files and the package's lock file (not backups)."""
    return name.endswith(("-wal", "-shm", "-journal", "-lock"))


def _listing(directory):
    return sorted(f for f in os.listdir(directory) if not _sidecar(f))


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def make_legacy(tmp_path):
    """Builds a legacy file with the reference: rows, an orphan, no PRAGMA."""

    def build(era=14, enhanced_timing=False):
        with pytest.MonkeyPatch.context() as mp:  # pins only while building
            return _build(era, enhanced_timing, mp)

    def _build(era, enhanced_timing, mp):
        d = tmp_path / "legacy"
        d.mkdir()
        path = d / "interactions.db"
        p = Pins()
        mod = reference.legacy_module()
        mp.setattr(mod, "new_id", p.new_id)
        mp.setattr(mod, "now", p.now)
        ref = reference.ReferenceLogger(path, era=era, enhanced_timing=enhanced_timing)
        ids = {}
        assert ref.log_session_start(SID, "Mozilla/5.0", "10.9.8.7")
        p.tick(microsecond=0)
        ids["m1"] = ref.log_message(SID, "user", "Rank my wards", "ranking", {"n": 3})
        p.tick()
        ids["m2"] = ref.log_message(SID, "assistant", "Dala is first.")
        p.tick()
        ids["orphan"] = ref.log_message(ORPHAN, "user", "I have no session row")
        p.tick()
        ids["ev"] = ref.log_analysis_event(None, "endpoint_response_timing", {"ms": 120})
        p.tick()
        ids["llm"] = ref.log_llm_interaction(SID, "explanation", "why?", "sys", "because", 9,
                                             0.75)
        p.tick()
        ids["up"] = ref.log_file_upload(SID, "csv", "k.csv", 12, {"rows": 2})
        p.tick()
        ids["err"] = ref.log_error(ORPHAN, "E", "m")
        assert all(ids.values()), ids
        return path, ids

    return build


def _open(path, **kw):
    from chatmrpt_db import InteractionLogger

    return InteractionLogger(db_path=str(path), **kw)


@pytest.mark.parametrize("era,enhanced_timing", ERAS, ids=[f"{e}-tables" for e, _ in ERAS])
def test_adopt_legacy_file(make_legacy, era, enhanced_timing, monkeypatch):
    path, ids = make_legacy(era, enhanced_timing)
    monkeypatch.setenv("CHATMRPT_DB_BACKEND", "sqlite")
    before_rows = {t: sqlite_rows(path, t) for t in reference.ERAS[era]}
    listing0 = _listing(path.parent)
    pkg = _open(path)
    listing1 = _listing(path.parent)
    new = [f for f in listing1 if f not in listing0]
    assert new, f"no backup written next to {path.name}: {listing1}"
    assert any("bak" in f.lower() or "backup" in f.lower() for f in new), new
    backup = path.parent / [f for f in new if "bak" in f.lower() or "backup" in f.lower()][0]
    assert sqlite_rows(backup, "messages") == before_rows["messages"]  # a faithful copy
    # the rows are readable through the package
    hist = pkg.get_session_history(SID)
    assert [m["message_id"] for m in hist] == [ids["m1"], ids["m2"]]
    assert hist[0]["entities"] == {"n": 3}
    assert hist[0]["timestamp"] == "2025-03-01 12:00:01"
    assert [m["content"] for m in pkg.get_session_history(ORPHAN)] == ["I have no session row"]
    res = pkg.export_to_json(SID, output_file=str(path.parent.parent / "e.json"))
    assert res["status"] == "success", res
    # no legacy row lost or changed
    for table, rows in before_rows.items():
        after = sqlite_rows(path, table)
        pk = reference.PRIMARY_KEY[table]
        after_by = {r[pk]: r for r in after}
        for r in rows:
            got = after_by.get(r[pk])
            assert got is not None, f"{table} row {r[pk]} lost"
            for col, value in r.items():
                assert got[col] == value, f"{table}.{col} of {r[pk]}: {got[col]!r} != {value!r}"
    # the missing tables and the enhanced_timing column were added
    tables = sqlite_tables(path)
    assert set(reference.ALL_TABLES) <= tables, set(reference.ALL_TABLES) - tables
    lid = pkg.log_llm_interaction(SID, "t", "p", enhanced_timing={"x": 1})
    assert is_uuid4_text(lid)
    (row,) = sqlite_rows(path, "llm_interactions", "interaction_id = ?", (lid,))
    assert row["enhanced_timing"] == '{"x": 1}'
    assert pkg.event_logger.log_arena_battle("adopt-b", SID, "q", "a", "b") is True
    assert is_uuid4_text(pkg.log_message(SID, "user", "new after adoption"))
    assert len(pkg.get_session_history(SID)) == 3
    # a second construction adopts nothing more and writes no second backup
    del pkg
    listing2 = _listing(path.parent)
    pkg2 = _open(path)
    assert _listing(path.parent) == listing2, "a second backup was written"
    assert len(pkg2.get_session_history(SID)) == 3


def test_adopt_false_leaves_legacy_file_alone(make_legacy, monkeypatch, chatmrpt_caplog):
    path, ids = make_legacy(14, False)
    monkeypatch.setenv("CHATMRPT_DB_BACKEND", "sqlite")
    digest, listing = _sha(path), _listing(path.parent)
    pkg = _open(path, adopt=False)  # must not raise
    assert package_records(chatmrpt_caplog, logging.ERROR), "no ERROR logged"
    results = {
        "log_message": pkg.log_message(SID, "user", "x"),
        "log_error": pkg.log_error(SID, "E", "m"),
        "log_file_upload": pkg.log_file_upload(SID, "csv", "f", 1),
        "log_analysis_event": pkg.log_analysis_event(SID, "e", "d"),
        "log_analysis_step": pkg.log_analysis_step(SID, "s"),
        "log_llm_interaction": pkg.log_llm_interaction(SID, "t", "p"),
        "log_explanation": pkg.log_explanation(SID, "ward", "W", "why", "q", "a"),
        "log_ward_ranking": pkg.log_ward_ranking(SID, "W", 1, 0.5, "High"),
        "log_anomaly": pkg.log_anomaly(SID, "W", "outlier"),
        "log_variable_relationship": pkg.log_variable_relationship(SID, "v", "direct"),
        "log_visualization_metadata": pkg.log_visualization_metadata(SID, "map"),
        "log_routing_decision": pkg.log_routing_decision(SID, "u", "d", "m"),
    }
    assert results == {k: None for k in results}, results
    bools = {
        "log_session_start": pkg.log_session_start(SID),
        "update_session_language": pkg.update_session_language(SID, "fr"),
        "update_session_status": pkg.update_session_status(SID, analysis_complete=True),
        "log_arena_battle": pkg.event_logger.log_arena_battle("b", SID, "q", "a", "b"),
    }
    assert bools == {k: False for k in bools}, bools
    del pkg
    assert _sha(path) == digest, "the legacy file changed"
    assert _listing(path.parent) == listing, "a backup (or other file) was written"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 3
    finally:
        conn.close()


def test_fresh_file_is_not_backed_up(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATMRPT_DB_BACKEND", "sqlite")
    d = tmp_path / "fresh"
    d.mkdir()
    pkg = _open(d / "interactions.db")
    assert is_uuid4_text(pkg.log_message("s", "user", "x"))
    assert _listing(d) == ["interactions.db"]
