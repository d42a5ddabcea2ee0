"""Every writer: its return value, and the row it stores compared column by
column with the legacy reference's row for the same inputs, ids and times, on
every backend (sqlite, postgres, dual in each stage; for dual, every store
that the stage writes)."""

import json
import math
import pathlib
import uuid

import pytest

import reference
from conftest import (
    assert_same_row,
    call_both,
    is_uuid4_text,
    ref_row,
    sqlite_rows,
    sqlite_tables,
)

S = "session_20250301_120000"  # a legacy-style session id


def _start(pkg, ref, pins, sid=S, browser="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
           ip="10.0.0.7"):
    got, want, _ = call_both(pkg, ref, pins, "log_session_start", sid, browser, ip)
    assert got is True and want is True
    return got


def _check_rows(backend, ref, table, key, skip=()):
    want = ref_row(ref, table, key)
    for store, row in backend.row_everywhere(table, key):
        assert_same_row(row, want, skip=skip, where=f"{backend.param}/{store}/{table}")


def _check_session(backend, ref, sid=S, skip=()):
    _check_rows(backend, ref, "sessions", sid, skip=skip)


# ---------------------------------------------------------------------------
# one case per id-returning writer
# ---------------------------------------------------------------------------


def _prereq_step(pkg, ref, pins):
    got, want, sid_ = call_both(pkg, ref, pins, "log_analysis_step", S, "normalization")
    assert got == want == sid_
    return sid_


def _prereq_llm(pkg, ref, pins):
    got, want, lid = call_both(pkg, ref, pins, "log_llm_interaction", S, "explanation", "Why?",
                               "ctx", "Because.", 12, 0.5, {"total": 0.5})
    assert got == want == lid
    return lid


def _prereq_message(pkg, ref, pins):
    got, want, mid = call_both(pkg, ref, pins, "log_message", S, "user", "map my wards")
    assert got == want == mid
    return mid


# (case id, table, writer, args(prereq ids) -> (args, kwargs), prerequisite)
WRITER_CASES = [
    ("message", "messages", "log_message",
     lambda p: ((S, "user", "Which wards are most vulnerable?", "ranking_query",
                 {"wards": ["Dala", "Fagge"], "n": 5}), {}), None),
    ("message_minimal", "messages", "log_message",
     lambda p: ((S, "assistant", "Here is the map."), {}), None),
    ("message_system_repr_entities", "messages", "log_message",
     lambda p: ((S, "system", "sys"), {"intent": None, "entities": ["x", 1]}), None),
    ("error", "errors", "log_error",
     lambda p: ((S, "ValueError", "bad column 'tpr'", "Traceback (most recent call last):\n  ..."),
                {}), None),
    ("error_no_trace", "errors", "log_error",
     lambda p: ((S, "KeyError", "'ward'"), {}), None),
    ("file_upload", "file_uploads", "log_file_upload",
     lambda p: ((S, "csv", "kano_wards.csv", 48213, {"rows": 484, "cols": ["ward", "tpr"]}), {}),
     None),
    ("file_upload_no_meta", "file_uploads", "log_file_upload",
     lambda p: ((S, "shapefile", "kano.zip", 10), {}), None),
    ("analysis_event", "analysis_events", "log_analysis_event",
     lambda p: ((S, "visualization", {"map": "composite", "ok": True}), {}), None),
    ("analysis_event_failed_text", "analysis_events", "log_analysis_event",
     lambda p: ((S, "report", "pdf render failed"), {"success": False}), None),
    ("analysis_event_no_session", "analysis_events", "log_analysis_event",
     lambda p: ((None, "endpoint_response_timing", {"endpoint": "/send_message", "ms": 812.5}),
                {}), None),
    ("analysis_step", "analysis_steps", "log_analysis_step",
     lambda p: ((S, "composite_scoring"), dict(
         input_summary={"rows": 484}, output_summary="scored 484 wards", algorithm="pca",
         parameters={"components": 3, "scale": True}, execution_time=1.75, error=None)),
     None),
    ("analysis_step_minimal", "analysis_steps", "log_analysis_step",
     lambda p: ((S, "cleaning"), {}), None),
    ("algorithm_decision", "algorithm_decisions", "log_algorithm_decision",
     lambda p: ((S, p, "variable_selection"), dict(
         options='["tpr", "rainfall", "ndvi"]', criteria="correlation > 0.3",
         selected_option="tpr", confidence=0.82)), "step"),
    ("calculation", "calculations", "log_calculation",
     lambda p: ((S, p, "tpr", "normalization"), dict(
         input_values={"min": 0.1, "max": 0.9}, output_value="0.5",
         context={"method": "min-max"})), "step"),
    ("anomaly", "anomalies", "log_anomaly",
     lambda p: ((S, "Dala", "outlier"), dict(
         expected_value="0.3", actual_value="0.91", significance="high",
         context={"z": 3.2})), None),
    ("variable_relationship", "variable_relationships", "log_variable_relationship",
     lambda p: ((S, "rainfall", "direct"), dict(
         evidence="r=0.62 over 484 wards", confidence_score=0.62)), None),
    ("ward_ranking", "ward_rankings", "log_ward_ranking",
     lambda p: ((S, "Dala", 1, 0.873, "High"), dict(
         contributing_factors={"tpr": 0.4, "ndvi": 0.2}, anomaly_flags="outlier")), None),
    ("visualization_metadata", "visualization_metadata", "log_visualization_metadata",
     lambda p: ((S, "composite_map"), dict(
         variables_used="tpr,rainfall", data_summary={"wards": 484, "mean": 0.41},
         visual_elements="choropleth", patterns_detected={"hotspots": ["Dala"]})), None),
    ("llm_interaction", "llm_interactions", "log_llm_interaction",
     lambda p: ((S, "explanation", "Explain ward Dala"), dict(
         prompt_context="You are ChatMRPT, a malaria risk assistant.",
         response="Dala ranks first because ...", tokens_used=734, latency=2.481,
         enhanced_timing={"queue": 0.01, "model": 2.4})), None),
    ("llm_interaction_dict_context", "llm_interactions", "log_llm_interaction",
     lambda p: ((S, "nlu", "parse this"), dict(
         prompt_context={"history": ["hi"], "lang": "en"}, response="{}",
         tokens_used=None, latency=0.25, enhanced_timing={"t": [1, 2]})), None),
    ("explanation", "explanations", "log_explanation",
     lambda p: ((S, "ward", "Dala", "why", "Why is Dala high risk?", "Because TPR ..."),
                dict(context_used={"rank": 1}, llm_interaction_id=p)), "llm"),
    ("explanation_minimal", "explanations", "log_explanation",
     lambda p: ((S, "variable", "tpr", "what", "What is TPR?", "Test positivity rate."), {}),
     None),
    ("routing_decision", "routing_decisions", "log_routing_decision",
     lambda p: ((S, "map my wards", "needs_tools", "keyword_match"), dict(
         keywords_matched=["map", "wards"], confidence=0.9, ollama_reasoning="mentions map",
         session_context={"has_data": True, "stage": "analysis"}, message_id=p)), "message"),
    ("routing_decision_minimal", "routing_decisions", "log_routing_decision",
     lambda p: ((S, "hello", "can_answer", "fast_track"), dict(message_id=p)), "message"),
]

PREREQS = {"step": _prereq_step, "llm": _prereq_llm, "message": _prereq_message}
TOUCHING = {"log_message", "log_file_upload", "log_analysis_event", "log_analysis_step"}


@pytest.mark.parametrize("case", WRITER_CASES, ids=[c[0] for c in WRITER_CASES])
def test_writer_row_matches_reference(backend, ref, pins, case):
    name, table, writer, build, prereq = case
    pkg = backend.logger()
    _start(pkg, ref, pins)
    p = PREREQS[prereq](pkg, ref, pins) if prereq else None
    args, kwargs = build(p)
    got, want, rid = call_both(pkg, ref, pins, writer, *args, **kwargs)
    assert want == rid, "reference did not write"
    assert isinstance(got, str) and is_uuid4_text(got), f"{writer} returned {got!r}"
    assert got == rid, f"{writer} did not take its id from chatmrpt_db._legacy.new_id()"
    _check_rows(backend, ref, table, rid)
    # the session row (touched by some writers) is identical too
    _check_session(backend, ref)
    if writer in TOUCHING and args[0] is not None:
        for store, row in backend.row_everywhere("sessions", S):
            assert row["last_activity"] == str(pins.t), store
    if writer == "log_file_upload":
        for store, row in backend.row_everywhere("sessions", S):
            assert row["files_uploaded"] == 1, store


def test_writers_return_fresh_uuid4_without_pins(backend):
    """Unpatched: every writer mints its own str(uuid.uuid4())."""
    pkg = backend.logger()
    assert pkg.log_session_start("s-fresh") is True
    ids = [
        pkg.log_message("s-fresh", "user", "a"),
        pkg.log_message("s-fresh", "user", "b"),
        pkg.log_error("s-fresh", "E", "m"),
        pkg.log_analysis_event("s-fresh", "e", "d"),
        pkg.log_llm_interaction("s-fresh", "t", "p"),
    ]
    assert all(is_uuid4_text(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    rows = backend.rows("messages")
    assert sorted(r["message_id"] for r in rows) == sorted(ids[:2])
    for r in rows:  # a real datetime.now(): legacy text form
        ts = r["timestamp"]
        assert isinstance(ts, str) and len(ts) in (19, 26) and ts[10] == " ", ts


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------


def test_session_start_new_row(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    _check_session(backend, ref)
    for store, row in backend.row_everywhere("sessions", S):
        assert row["user_language"] == "en"
        assert (row["analysis_complete"], row["files_uploaded"]) == (0, 0)
        assert row["start_time"] == row["last_activity"] == "2025-03-01 12:00:01.123456"


def test_session_start_twice_keeps_start_time_and_flags(backend, ref, pins):
    """Bug fix: a second log_session_start never resets start_time or the flags."""
    pkg = backend.logger()
    _start(pkg, ref, pins)
    first_start = str(pins.t)
    got, want, _ = call_both(pkg, ref, pins, "update_session_status", S, True, True)
    assert got is True and want is True
    got, want, _ = call_both(pkg, ref, pins, "log_session_start", S,
                             "Mozilla/5.0 (Macintosh) Safari/17", "10.0.0.8")
    assert got is True and want is True
    second = str(pins.t)
    # the reference shows the legacy bug ...
    (legacy,) = sqlite_rows(ref.db_path, "sessions")
    assert legacy["start_time"] == second
    assert (legacy["analysis_complete"], legacy["files_uploaded"]) == (0, 0)
    # ... the package fixes it, and matches the reference everywhere else
    _check_session(backend, ref, skip=("start_time", "analysis_complete", "files_uploaded"))
    for store, row in backend.row_everywhere("sessions", S):
        assert row["start_time"] == first_start, store
        assert row["last_activity"] == second, store
        assert (row["analysis_complete"], row["files_uploaded"]) == (1, 1), store
        assert row["browser_info"] == "Mozilla/5.0 (Macintosh) Safari/17", store
        assert row["ip_address"] == "10.0.0.8", store


def test_update_session_language(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    got, want, _ = call_both(pkg, ref, pins, "update_session_language", S, "ha")
    assert got is True and want is True
    _check_session(backend, ref)
    for store, row in backend.row_everywhere("sessions", S):
        assert row["user_language"] == "ha" and row["last_activity"] == str(pins.t), store


@pytest.mark.parametrize("flags", [(True, None), (None, True), (True, True), (False, False),
                                   (None, None)], ids=str)
def test_update_session_status(backend, ref, pins, flags):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    got, want, _ = call_both(pkg, ref, pins, "update_session_status", S, True, True)
    assert got is True
    got, want, _ = call_both(pkg, ref, pins, "update_session_status", S, *flags)
    assert got is True and want is True
    _check_session(backend, ref)
    expect = tuple(1 if f is None else int(f) for f in flags)
    for store, row in backend.row_everywhere("sessions", S):
        assert (row["analysis_complete"], row["files_uploaded"]) == expect, store
        assert row["last_activity"] == str(pins.t), store


def test_update_session_status_keywords(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    got, want, _ = call_both(pkg, ref, pins, "update_session_status", S, files_uploaded=True)
    assert got is True and want is True
    _check_session(backend, ref)


CHILD_FOR_UNKNOWN = [
    ("log_message", "messages", ("user", "hello?")),
    ("log_error", "errors", ("E", "boom")),
    ("log_file_upload", "file_uploads", ("csv", "f.csv", 3)),
    ("log_analysis_event", "analysis_events", ("viz", {"a": 1})),
    ("log_analysis_step", "analysis_steps", ("clean",)),
    ("log_llm_interaction", "llm_interactions", ("nlu", "p")),
    ("log_anomaly", "anomalies", ("Dala", "outlier")),
    ("log_ward_ranking", "ward_rankings", ("Dala", 1, 0.5, "High")),
    ("log_explanation", "explanations", ("ward", "Dala", "why", "q", "a")),
]


@pytest.mark.parametrize("writer,table,rest", CHILD_FOR_UNKNOWN,
                         ids=[c[0] for c in CHILD_FOR_UNKNOWN])
def test_child_row_for_unknown_session_creates_session(backend, ref, pins, writer, table, rest):
    """Bug fix: no new orphans; the session row is created with the child row."""
    sid = f"{uuid.uuid4()}__conv-7"
    pkg = backend.logger()
    got, want, rid = call_both(pkg, ref, pins, writer, sid, *rest)
    assert got == rid == want
    _check_rows(backend, ref, table, rid)
    assert sqlite_rows(ref.db_path, "sessions") == []  # legacy: an orphan
    for store, row in backend.row_everywhere("sessions", sid):
        assert row is not None, f"{store}: no session row for {sid}"
        assert row["session_id"] == sid
    if writer in TOUCHING:
        for store, row in backend.row_everywhere("sessions", sid):
            assert row["last_activity"] == str(pins.t), store


# ---------------------------------------------------------------------------
# arena battles (upsert on the event logger)
# ---------------------------------------------------------------------------


def test_arena_battle_insert_then_vote(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    bid = str(uuid.uuid4())
    got, want, _ = call_both(pkg, ref, pins, "log_arena_battle", bid, S, "Which ward first?",
                             "llama3.1:8b", "qwen2.5:7b", response_a="Dala", response_b="Fagge",
                             latency_a=812.5, latency_b=1033.25, tokens_a=120, tokens_b=98,
                             elo_before_a=1500.0, elo_before_b=1512.5, view_index=2)
    assert got is True and want is True
    _check_rows(backend, ref, "arena_battles", bid)
    got, want, _ = call_both(pkg, ref, pins, "log_arena_battle", bid, S, "Which ward first?",
                             "llama3.1:8b", "qwen2.5:7b", user_preference="left",
                             elo_after_a=1516.0, elo_after_b=1496.5)
    assert got is True and want is True
    _check_rows(backend, ref, "arena_battles", bid)
    for store, row in backend.row_everywhere("arena_battles", bid):
        assert row["response_a"] == "Dala" and row["user_preference"] == "left", store
        assert row["view_index"] == 2 and row["timestamp"] == "2025-03-01 12:00:02.123456", store


def test_arena_battle_unknown_session_creates_it(backend, pins):
    pkg = backend.logger()
    bid = str(uuid.uuid4())
    assert pkg.event_logger.log_arena_battle(bid, "arena-sess", "q", "a", "b") is True
    for store, row in backend.row_everywhere("sessions", "arena-sess"):
        assert row is not None, store
    for store, row in backend.row_everywhere("arena_battles", bid):
        assert row["model_a"] == "a" and row["response_a"] is None, store


# ---------------------------------------------------------------------------
# JSON-ish serialisation bytes
# ---------------------------------------------------------------------------

JSONISH_CASES = [
    # (label, value, expected stored text)
    ("dict_non_ascii", {"ward": "Kano – Ünguwa", "mosquito": "🦟", "ok": True},
     json.dumps({"ward": "Kano – Ünguwa", "mosquito": "🦟", "ok": True})),
    ("dict_nested_lists", {"a": [[1, 2.5], ["x", None, False]], "b": {"c": []}},
     '{"a": [[1, 2.5], ["x", null, false]], "b": {"c": []}}'),
    ("dict_nan_inf", {"v": float("nan"), "w": float("inf"), "x": -float("inf")},
     '{"v": NaN, "w": Infinity, "x": -Infinity}'),
    ("list_repr", ["a", 1, None], "['a', 1, None]"),
    ("tuple_repr", ("a",), "('a',)"),
    ("bool_repr", True, "True"),
    ("int_repr", 42, "42"),
    ("str_as_is", "already text {not json", "already text {not json"),
    ("empty_dict", {}, None),
    ("empty_list", [], None),
    ("empty_str", "", None),
    ("zero", 0, None),
    ("false", False, None),
    ("none", None, None),
]


def test_jsonish_serialisation_bytes(backend, ref, pins):
    """messages.entities, file_uploads.metadata, analysis_events.details,
    analysis_steps.parameters and routing_decisions.session_context store
    json.dumps(dict) / str(x) / NULL, byte for byte like the legacy code."""
    pkg = backend.logger()
    _start(pkg, ref, pins)
    problems = []
    for label, value, expected in JSONISH_CASES:
        assert reference.jsonish(value) == expected, label  # the yardstick itself
        checks = [
            ("log_message", "messages", "entities", (S, "user", "c", None, value)),
            ("log_file_upload", "file_uploads", "metadata", (S, "csv", "f.csv", 1, value)),
            ("log_analysis_event", "analysis_events", "details", (S, "evt", value)),
            ("log_analysis_step", "analysis_steps", "parameters",
             (S, "step", None, None, None, value)),
            ("log_routing_decision", "routing_decisions", "session_context",
             (S, "m", "can_answer", "fast_track", None, None, None, value)),
        ]
        for writer, table, column, args in checks:
            got, want, rid = call_both(pkg, ref, pins, writer, *args)
            if got != rid:
                problems.append(f"{label}/{writer}: returned {got!r}")
                continue
            for store, row in backend.row_everywhere(table, rid):
                if row is None or row[column] != expected:
                    problems.append(f"{label}/{store}/{table}.{column}: "
                                    f"{None if row is None else row[column]!r} != {expected!r}")
            try:
                _check_rows(backend, ref, table, rid)
            except AssertionError as err:
                problems.append(f"{label}: {err}")
    assert not problems, "\n".join(problems)


ALWAYS_JSON_CASES = [
    ("str_becomes_literal", "You are ChatMRPT.\nBe brief.", '"You are ChatMRPT.\\nBe brief."'),
    ("non_ascii_literal", "Ünguwa", '"\\u00dcnguwa"'),
    ("dict", {"a": [1, {"b": None}]}, '{"a": [1, {"b": null}]}'),
    ("list_is_json_not_repr", ["a", True], '["a", true]'),
    ("nan_in_dict", {"x": float("nan")}, '{"x": NaN}'),
    ("empty_str", "", '""'),
]


@pytest.mark.parametrize("column", ["prompt_context", "enhanced_timing"])
def test_prompt_context_and_enhanced_timing_always_json(backend, ref, pins, column):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    problems = []
    for label, value, expected in ALWAYS_JSON_CASES:
        assert reference.always_json(value) == expected, label
        got, want, rid = call_both(pkg, ref, pins, "log_llm_interaction", S, "t", "p",
                                   **{column: value})
        if got != rid:
            problems.append(f"{label}: returned {got!r}")
            continue
        for store, row in backend.row_everywhere("llm_interactions", rid):
            if row is None or row[column] != expected:
                problems.append(f"{label}/{store}: {None if row is None else row[column]!r} "
                                f"!= {expected!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("column", ["prompt_context", "enhanced_timing"])
def test_prompt_context_and_enhanced_timing_none(backend, ref, pins, column):
    """python-api.md: ``json.dumps(x)`` whatever x is, so None is stored as 'null'."""
    pkg = backend.logger()
    _start(pkg, ref, pins)
    got, want, rid = call_both(pkg, ref, pins, "log_llm_interaction", S, "t", "p")
    assert got == rid
    for store, row in backend.row_everywhere("llm_interactions", rid):
        assert row[column] == "null", f"{store}: {row[column]!r}"


def test_keywords_matched_is_a_json_list(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    mid = _prereq_message(pkg, ref, pins)
    for value, expected in [(["map", "wärd"], '["map", "w\\u00e4rd"]'), ([], None), (None, None)]:
        got, want, rid = call_both(pkg, ref, pins, "log_routing_decision", S, "u", "d", "m",
                                   keywords_matched=value, message_id=mid)
        assert got == rid
        for store, row in backend.row_everywhere("routing_decisions", rid):
            assert row["keywords_matched"] == expected, (
                f"{store}: keywords_matched={value!r} stored as {row['keywords_matched']!r}, "
                f"legacy stores {expected!r}")


# ---------------------------------------------------------------------------
# construction, configuration, stage and metrics
# ---------------------------------------------------------------------------


def test_stage_and_metrics(backend):
    pkg = backend.logger()
    assert pkg.stage() == backend.stage
    m = pkg.metrics()
    assert isinstance(m, dict)
    for key in ("backend", "stage", "calls", "failures", "nul_replaced"):
        assert key in m, f"metrics() lacks {key!r}: {sorted(m)}"
    assert m["backend"] == backend.kind
    assert m["stage"] == backend.stage
    calls0, failures0 = m["calls"], m["failures"]
    assert pkg.log_message("m-sess", "user", "x") is not None
    m = pkg.metrics()
    assert m["calls"] >= calls0 + 1
    assert m["failures"] == failures0
    assert pkg.log_message("", "user", "x") is None  # an empty session id fails
    assert pkg.metrics()["failures"] == failures0 + 1


def test_default_path_is_instance_interactions_db(sqlite_backend, tmp_path):
    from chatmrpt_db import InteractionLogger

    sqlite_backend.configure()
    pkg = InteractionLogger()
    assert pkg.log_message("s", "user", "hi") is not None
    path = tmp_path / "instance" / "interactions.db"
    assert path.exists()
    assert [r["content"] for r in sqlite_rows(path, "messages")] == ["hi"]


def test_db_path_accepts_pathlib(sqlite_backend, tmp_path):
    from chatmrpt_db import InteractionLogger

    sqlite_backend.configure()
    path = pathlib.Path(tmp_path) / "sub" / "p.db"
    path.parent.mkdir()
    pkg = InteractionLogger(db_path=path)
    assert pkg.log_message("s", "user", "hi") is not None
    assert [r["content"] for r in sqlite_rows(path, "messages")] == ["hi"]


def test_new_file_has_the_17_legacy_tables(sqlite_backend):
    sqlite_backend.logger()
    path = sqlite_backend.db_path
    tables = sqlite_tables(path)
    missing = [t for t in reference.ALL_TABLES if t not in tables]
    assert not missing, f"new file lacks {missing}"
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        for table in reference.ALL_TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            want = reference.columns(table)
            assert cols[: len(want)] == want, f"{table}: {cols} vs legacy {want}"
    finally:
        conn.close()


def test_config_file_names_the_backend(monkeypatch, tmp_path, pg_url):
    from chatmrpt_db import InteractionLogger

    cfg = tmp_path / "chatmrpt-db.toml"
    cfg.write_text(
        'backend = "dual"\n\n[postgres]\nurl = "%s"\n\n[dual]\nstage = "shadow"\n' % pg_url)
    monkeypatch.setenv("CHATMRPT_DB_CONFIG", str(cfg))
    pkg = InteractionLogger(db_path=str(tmp_path / "i.db"))
    assert pkg.stage() == "shadow"
    assert pkg.metrics()["backend"] == "dual"
    mid = pkg.log_message("cfg", "user", "via toml")
    assert mid is not None
    from conftest import pg_rows

    assert [r["message_id"] for r in pg_rows(pg_url, "messages")] == [mid]
    assert [r["message_id"] for r in sqlite_rows(tmp_path / "i.db", "messages")] == [mid]


def test_float_columns_nan_is_null_infinity_kept(backend, ref, pins):
    pkg = backend.logger()
    _start(pkg, ref, pins)
    cases = [(float("nan"), None), (float("inf"), math.inf), (-float("inf"), -math.inf),
             (0.1, 0.1), (1e-300, 1e-300)]
    for value, expected in cases:
        got, want, rid = call_both(pkg, ref, pins, "log_llm_interaction", S, "t", "p",
                                   latency=value)
        assert got == rid, value
        for store, row in backend.row_everywhere("llm_interactions", rid):
            assert row["latency"] == expected and type(row["latency"]) is type(expected), (
                f"{store}: latency {value!r} stored as {row['latency']!r}")
        _check_rows(backend, ref, "llm_interactions", rid)
