"""Bad input in non-strict mode: never raises, logs, returns the legacy failure
value, and stores what can be stored faithfully."""

import datetime
import logging
import math

import numpy as np
import pytest

from conftest import (
    assert_same_row,
    call_both,
    is_uuid4_text,
    package_records,
    ref_row,
)

S = "bad-input-session"


def test_none_session_id_is_stored_without_a_session(backend, chatmrpt_caplog):
    # The legacy INSERT stored such a row (session_id NULL) and touched no
    # session: the drop-in keeps it too, and creates no session row.
    pkg = backend.logger()
    before = pkg.metrics()["failures"]
    ids = {
        "messages": pkg.log_message(None, "user", "hello"),
        "errors": pkg.log_error(None, "E", "m"),
        "llm_interactions": pkg.log_llm_interaction(None, "t", "p"),
    }
    for table, row_id in ids.items():
        assert is_uuid4_text(row_id), table
    for store in backend.stores:
        for table, row_id in ids.items():
            rows = backend.rows(table, store)
            assert len(rows) == 1, (store, table)
            assert rows[0]["session_id"] is None, (store, table)
        assert backend.rows("sessions", store) == [], store
    assert package_records(chatmrpt_caplog, logging.ERROR) == []
    assert pkg.metrics()["failures"] == before


def test_empty_session_id_is_refused_and_logged(backend, chatmrpt_caplog):
    # A documented difference: an empty id is refused by the library (the
    # legacy file would have kept a row for session ''), logged, counted.
    pkg = backend.logger()
    before = pkg.metrics()["failures"]
    assert pkg.log_message("", "user", "x") is None
    for store in backend.stores:
        assert backend.rows("messages", store) == [], store
    errors = package_records(chatmrpt_caplog, logging.ERROR)
    assert errors, "no ERROR record on the chatmrpt_db logger"
    assert "session_id" in errors[0].getMessage()
    assert pkg.metrics()["failures"] == before + 1
    # the logger still works afterwards
    assert is_uuid4_text(pkg.log_message(S, "user", "after"))


def test_bool_writers_fail_with_false(backend, chatmrpt_caplog):
    pkg = backend.logger()
    assert pkg.log_session_start(None) is False
    assert pkg.log_session_start("") is False
    assert pkg.update_session_status("no-such-session", analysis_complete=True) is False
    assert pkg.event_logger.log_arena_battle(None, S, "q", "a", "b") is False
    assert len(package_records(chatmrpt_caplog, logging.ERROR)) >= 4


def test_huge_response_stored_intact(backend):
    pkg = backend.logger()
    body = ("Ward Dala — TPR 0.91 🦟\n" * 240_000)[: 5 * 1024 * 1024]
    assert len(body) >= 5_000_000
    rid = pkg.log_llm_interaction(S, "report", "write the report", response=body)
    assert is_uuid4_text(rid)
    for store, row in backend.row_everywhere("llm_interactions", rid):
        assert row is not None, store
        assert len(row["response"]) == len(body), store
        assert row["response"] == body, store


def test_numpy_scalars_stored_as_numbers(backend):
    pkg = backend.logger()
    lid = pkg.log_llm_interaction(S, "t", "p", tokens_used=np.int64(42),
                                  latency=np.float64(1.25))
    uid = pkg.log_file_upload(S, "csv", "f.csv", np.int64(123456789012))
    wid = pkg.log_ward_ranking(S, "Dala", np.int32(3), np.float32(0.5), "High")
    sid = pkg.log_analysis_step(S, "s", execution_time=np.float32(2.5))
    aid = pkg.event_logger.log_arena_battle("np-battle", S, "q", "a", "b",
                                            latency_a=np.float64(12.5), tokens_a=np.int64(7),
                                            view_index=np.int64(1))
    assert all(is_uuid4_text(x) for x in (lid, uid, wid, sid)), (lid, uid, wid, sid)
    assert aid is True
    checks = [
        ("llm_interactions", lid, {"tokens_used": 42, "latency": 1.25}),
        ("file_uploads", uid, {"file_size": 123456789012}),
        ("ward_rankings", wid, {"overall_rank": 3, "median_score": 0.5}),
        ("analysis_steps", sid, {"execution_time": 2.5}),
        ("arena_battles", "np-battle", {"latency_a": 12.5, "tokens_a": 7, "view_index": 1}),
    ]
    for table, key, want in checks:
        for store, row in backend.row_everywhere(table, key):
            for col, value in want.items():
                assert row[col] == value and type(row[col]) is type(value), (
                    f"{store}/{table}.{col}: {row[col]!r} ({type(row[col]).__name__})")


def test_numpy_inside_jsonish_dict(backend):
    pkg = backend.logger()
    mid = pkg.log_message(S, "user", "x", entities={"n": np.int64(3), "f": np.float64(0.5)})
    assert is_uuid4_text(mid)
    for store, row in backend.row_everywhere("messages", mid):
        assert row["entities"] is not None and "3" in row["entities"] and "0.5" in row["entities"]


class Opaque:
    def __repr__(self):
        return "<Opaque thing>"


class Custom:
    def __str__(self):
        return "custom entities text"


def test_non_serialisable_object_in_jsonish_dict_falls_back_to_str(backend):
    pkg = backend.logger()
    obj, when = Opaque(), datetime.datetime(2025, 1, 2, 3, 4, 5)
    mid = pkg.log_message(S, "user", "x", entities={"obj": obj, "at": when})
    assert is_uuid4_text(mid), mid
    eid = pkg.log_analysis_event(S, "evt", {"obj": obj})
    assert is_uuid4_text(eid), eid
    for store, row in backend.row_everywhere("messages", mid):
        assert row is not None, store
        assert str(obj) in row["entities"] and str(when) in row["entities"], row["entities"]
    for store, row in backend.row_everywhere("analysis_events", eid):
        assert str(obj) in row["details"], row["details"]


def test_non_dict_object_is_stored_as_str(backend, ref, pins):
    pkg = backend.logger()
    got, want, rid = call_both(pkg, ref, pins, "log_message", S, "user", "x", None, Custom())
    assert got == rid == want
    for store, row in backend.row_everywhere("messages", rid):
        assert row["entities"] == "custom entities text", store
        assert_same_row(row, ref_row(ref, "messages", rid), where=store)


@pytest.mark.parametrize("bad,fixed", [
    ("a\x00b", "a\ufffdb"),
    ("x\ud800y", "x\ufffdy"),
], ids=["nul", "lone_surrogate"])
def test_bad_text_non_strict_is_replaced(backend, chatmrpt_caplog, bad, fixed):
    pkg = backend.logger()
    before = pkg.metrics()["nul_replaced"]
    mid = pkg.log_message(S, "user", bad)
    assert is_uuid4_text(mid), mid
    for store, row in backend.row_everywhere("messages", mid):
        assert row is not None and row["content"] == fixed, (store, row and row["content"])
    assert pkg.get_session_history(S)[0]["content"] == fixed
    if "\x00" in bad:
        assert pkg.metrics()["nul_replaced"] == before + 1
        assert package_records(chatmrpt_caplog, logging.WARNING), "no WARNING for the NUL"


def test_nul_in_jsonish_and_other_columns(backend):
    pkg = backend.logger()
    before = pkg.metrics()["nul_replaced"]
    eid = pkg.log_error(S, "E\x00", "msg\x00", "trace")
    assert is_uuid4_text(eid)
    mid = pkg.log_message(S, "user", "c", entities={"k": "v\x00"})
    assert is_uuid4_text(mid)
    for store, row in backend.row_everywhere("errors", eid):
        assert (row["error_type"], row["error_message"]) == ("E\ufffd", "msg\ufffd"), store
    for store, row in backend.row_everywhere("messages", mid):
        assert "\x00" not in row["entities"], store
        assert "\\u0000" in row["entities"] or "\ufffd" in row["entities"], row["entities"]
    assert pkg.metrics()["nul_replaced"] >= before + 2


def test_nan_float_stored_as_null(backend):
    pkg = backend.logger()
    rid = pkg.log_variable_relationship(S, "v", "direct", confidence_score=float("nan"))
    wid = pkg.log_ward_ranking(S, "W", 1, float("inf"), "High")
    assert is_uuid4_text(rid) and is_uuid4_text(wid)
    for store, row in backend.row_everywhere("variable_relationships", rid):
        assert row["confidence_score"] is None, store
    for store, row in backend.row_everywhere("ward_rankings", wid):
        assert row["median_score"] == math.inf, store


def test_reads_with_bad_arguments_do_not_raise(backend):
    pkg = backend.logger()
    assert pkg.get_session_history(None) == []
    assert pkg.get_explanations(None) == []
    assert pkg.get_visualization_context(None) == []
    md = pkg.get_analysis_metadata("a\x00b")
    assert isinstance(md, dict)
