"""export_to_json and export_to_csv: return dicts, file names, file contents."""

import csv
import json
import os
import re

import pytest

import reference
import scenario
from conftest import assert_same_result
from scenario import IDS, S, S2

SESSION_KEYS = {"session_info", "messages", "file_uploads", "analysis_events", "errors",
                "analysis_details", "llm_interactions", "explanations"}
DETAIL_KEYS = {"steps", "decisions", "calculations", "anomalies", "variable_relationships",
               "ward_rankings", "visualization_metadata"}


@pytest.fixture
def loaded(backend, pins):
    pkg = backend.logger()
    scenario.apply(pkg, pins)
    return pkg


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _check_success(res, sessions):
    assert isinstance(res, dict), res
    assert res.get("status") == "success", res
    assert isinstance(res.get("message"), str) and res["message"]
    assert res.get("sessions_exported") == sessions, res
    assert os.path.isfile(res["file"]), res


def _compare_session(got, want, label):
    assert set(got) == set(want), f"{label}: keys {sorted(got)} vs {sorted(want)}"
    for key in want:
        if key == "analysis_details":
            assert set(got[key]) == DETAIL_KEYS
            for sub in DETAIL_KEYS:
                assert_same_result(got[key][sub], want[key][sub], f"{label}.{key}.{sub}")
        else:
            assert_same_result(got[key], want[key], f"{label}.{key}")


def test_export_to_json_one_session(loaded, ref, pins, tmp_path):
    res = loaded.export_to_json(S)
    _check_success(res, 1)
    name = os.path.basename(res["file"])
    assert re.fullmatch(rf"interaction_export_{re.escape(S)}_\d{{8}}_\d{{6}}\.json", name), name
    assert os.path.dirname(os.path.realpath(res["file"])) == os.path.realpath(tmp_path)  # cwd
    data = _load(res["file"])
    assert set(data) == {"export_timestamp", "sessions"}
    assert isinstance(data["export_timestamp"], str)
    import datetime

    datetime.datetime.fromisoformat(data["export_timestamp"])
    assert len(data["sessions"]) == 1
    sess = data["sessions"][0]
    assert set(sess) == SESSION_KEYS
    assert set(sess["analysis_details"]) == DETAIL_KEYS
    assert sess["session_info"]["session_id"] == S
    assert sess["session_info"]["browser_info"] == "Mozilla/5.0 Firefox/128.0"
    assert [m["message_id"] for m in sess["messages"]] == [
        IDS["m1"], IDS["m3"], IDS["m2"], IDS["m4"]]
    # any text value starting with { or [ is parsed
    assert sess["messages"][0]["entities"] == {"wards": ["Dala"], "score": 0.5}
    assert sess["messages"][2]["content"] == {"a": 1}
    assert sess["messages"][3]["content"] == "42"
    assert sess["llm_interactions"][0]["prompt_context"] == '"system prompt"'
    assert sess["llm_interactions"][0]["enhanced_timing"] == {"model": 1.4}
    assert [e["explanation_id"] for e in sess["explanations"]] == [
        IDS["e1"], IDS["e2"], IDS["e3"], IDS["e4"]]
    assert [d["decision_id"] for d in sess["analysis_details"]["decisions"]] == [
        IDS["d1"], IDS["d2"]]
    # the whole session equals the legacy reference's export
    scenario.apply(ref, pins)
    (want,) = json.loads(json.dumps(ref.export_sessions(S), default=str))
    _compare_session(sess, want, "export")


def test_export_to_json_without_llm_data(loaded, tmp_path):
    out = tmp_path / "no_llm.json"
    res = loaded.export_to_json(S, include_llm_data=False, output_file=str(out))
    _check_success(res, 1)
    sess = _load(out)["sessions"][0]
    assert set(sess) == SESSION_KEYS - {"llm_interactions", "explanations"}


def test_export_to_json_output_file_and_compact(loaded, tmp_path):
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    pretty, compact = out_dir / "pretty.json", out_dir / "compact.json"
    res = loaded.export_to_json(S, output_file=str(pretty))
    _check_success(res, 1)
    assert res["file"] == str(pretty)
    res = loaded.export_to_json(S, compact=True, output_file=str(compact))
    _check_success(res, 1)
    assert res["file"] == str(compact)
    p, c = pretty.read_text(encoding="utf-8"), compact.read_text(encoding="utf-8")
    assert "\n  " in p
    assert "\n" not in c.strip() and '": ' not in c[:200]
    a, b = json.loads(p), json.loads(c)
    assert a["sessions"] == b["sessions"]
    assert [f for f in os.listdir(tmp_path) if f.startswith("interaction_export")] == []


def test_export_to_json_all_sessions(loaded, backend, tmp_path):
    res = loaded.export_to_json()
    name = os.path.basename(res["file"])
    assert re.fullmatch(r"interaction_export_\d{8}_\d{6}\.json", name), name
    _check_success(res, 2)
    data = _load(res["file"])
    # ordered by start_time
    assert [s["session_info"]["session_id"] for s in data["sessions"]] == [S, S2]
    assert [m["content"] for m in data["sessions"][1]["messages"]] == ["other session"]
    assert len(backend.rows("sessions")) == 2


def test_export_to_json_unknown_session_is_an_error(loaded):
    res = loaded.export_to_json("no-such-session")
    assert isinstance(res, dict) and res.get("status") == "error", res
    assert isinstance(res.get("message"), str) and res["message"]


EXPORTED_TABLES = ["sessions", "messages", "file_uploads", "analysis_events", "errors",
                   "analysis_steps", "algorithm_decisions", "calculations", "anomalies",
                   "variable_relationships", "ward_rankings", "visualization_metadata",
                   "llm_interactions", "explanations"]


def _csv_files(directory):
    return sorted(f for f in os.listdir(directory) if f.endswith(".csv"))


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def _file_for(files, table, session=None):
    middle = f"_{re.escape(session)}" if session else ""
    pat = re.compile(rf"{table}{middle}_\d{{8}}_\d{{6}}\.csv")
    return [f for f in files if pat.fullmatch(f)]


def test_export_to_csv_one_session(loaded, backend, tmp_path):
    out = tmp_path / "csv"
    res = loaded.export_to_csv(session_id=S, output_dir=str(out))
    assert isinstance(res, dict) and res.get("status") == "success", res
    assert isinstance(res.get("message"), str) and res["message"]
    files = _csv_files(out)
    for table in EXPORTED_TABLES:
        found = _file_for(files, table, S)
        assert len(found) == 1, f"{table}: {found} among {files}"
    header, rows = _read_csv(out / _file_for(files, "messages", S)[0])
    assert header[: len(reference.columns("messages"))] == reference.columns("messages")
    assert sorted(r["message_id"] for r in rows) == sorted(
        [IDS["m1"], IDS["m2"], IDS["m3"], IDS["m4"]])
    by_id = {r["message_id"]: r for r in rows}
    assert by_id[IDS["m1"]]["content"] == "first"
    assert json.loads(by_id[IDS["m1"]]["entities"]) == {"wards": ["Dala"], "score": 0.5}
    assert by_id[IDS["m1"]]["entities"] == json.dumps({"wards": ["Dala"], "score": 0.5})
    assert by_id[IDS["m2"]]["content"] == '{"a": 1}'
    assert by_id[IDS["m3"]]["timestamp"] == "2025-03-01 09:00:20"
    header, rows = _read_csv(out / _file_for(files, "sessions", S)[0])
    assert [r["session_id"] for r in rows] == [S]
    header, rows = _read_csv(out / _file_for(files, "explanations", S)[0])
    assert len(rows) == 4
    if isinstance(res.get("files"), dict):
        for table, path in res["files"].items():
            assert os.path.isfile(path), (table, path)


def test_export_to_csv_all_sessions(loaded, tmp_path):
    out = tmp_path / "all"
    res = loaded.export_to_csv(output_dir=str(out))
    assert isinstance(res, dict) and res.get("status") == "success", res
    files = _csv_files(out)
    found = _file_for(files, "sessions")
    assert len(found) == 1, files
    header, rows = _read_csv(out / found[0])
    assert sorted(r["session_id"] for r in rows) == sorted([S, S2])
    header, rows = _read_csv(out / _file_for(files, "messages")[0])
    assert len(rows) == 5
