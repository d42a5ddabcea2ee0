"""Reads: ordering, filters, parsing and shapes, identical on every backend and
stage, and equal to what the legacy reference returns for the same data."""

import pytest

import reference
import scenario
from conftest import assert_same_result, deep_equal
from scenario import IDS, S, S2


@pytest.fixture
def loaded(backend, pins):
    pkg = backend.logger()
    scenario.apply(pkg, pins)
    return pkg


def ids(rows, key):
    return [r[key] for r in rows]


def test_session_history_oldest_first_entities_parsed(loaded, ref, pins):
    hist = loaded.get_session_history(S)
    assert ids(hist, "message_id") == [IDS["m1"], IDS["m3"], IDS["m2"], IDS["m4"]]
    first, middle, json_content, numeric = hist
    assert list(first) == reference.columns("messages")
    assert first["entities"] == {"wards": ["Dala"], "score": 0.5}
    assert first["timestamp"] == "2025-03-01 09:00:10.250000"
    assert middle["timestamp"] == "2025-03-01 09:00:20"  # fraction omitted when 0
    assert middle["entities"] is None and middle["intent"] is None
    assert json_content["content"] == '{"a": 1}'  # only entities is parsed
    assert json_content["entities"] == "['x']"  # a Python repr stays text
    assert numeric["content"] == "42"
    assert numeric["entities"] == [1, 2]
    scenario.apply(ref, pins)
    assert_same_result(hist, ref.get_session_history(S), "get_session_history")


def test_session_history_other_and_unknown_sessions(loaded):
    assert ids(loaded.get_session_history(S2), "content") == ["other session"]
    assert loaded.get_session_history("no-such-session") == []
    assert loaded.get_session_history("SESSION_20250301_090000") == []  # case-sensitive ids


def test_analysis_metadata_keys_and_contents(loaded):
    md = loaded.get_analysis_metadata(S)
    assert set(md) == {"steps", "decisions", "calculations", "anomalies",
                       "variable_relationships", "ward_rankings", "visualization_metadata"}
    assert all(isinstance(v, list) for v in md.values())
    assert ids(md["steps"], "step_id") == [IDS["st1"], IDS["st2"]]
    assert ids(md["decisions"], "decision_id") == [IDS["d1"], IDS["d2"]]
    assert ids(md["calculations"], "calculation_id") == [IDS["c1"]]
    assert ids(md["anomalies"], "anomaly_id") == [IDS["a1"], IDS["a2"]]
    assert ids(md["variable_relationships"], "relationship_id") == [IDS["v1"]]
    assert ids(md["ward_rankings"], "ranking_id") == [
        IDS["w_dala"], IDS["w_fagge"], IDS["w_kano"], IDS["w_dala2"]]  # by overall_rank
    assert ids(md["visualization_metadata"], "viz_id") == [IDS["z1"], IDS["z2"], IDS["z3"]]
    step = md["steps"][0]
    assert list(step) == reference.columns("analysis_steps")
    assert step["parameters"] == {"k": 3}
    assert step["execution_time"] == 0.25 and step["step_name"] == "normalization"
    assert md["ward_rankings"][0]["overall_rank"] == 1
    assert md["ward_rankings"][0]["median_score"] == 0.9
    other = loaded.get_analysis_metadata(S2)
    assert ids(other["steps"], "step_id") == [IDS["st_other"]]
    assert ids(other["decisions"], "decision_id") == [IDS["d_other"]]
    assert other["ward_rankings"] == [] and other["anomalies"] == []
    empty = loaded.get_analysis_metadata("no-such-session")
    assert empty == {k: [] for k in md}


def test_visualization_context(loaded):
    allv = loaded.get_visualization_context(S)
    assert ids(allv, "viz_id") == [IDS["z3"], IDS["z2"], IDS["z1"]]  # newest first
    assert ids(loaded.get_visualization_context(S, viz_type="composite_map"), "viz_id") == [
        IDS["z3"], IDS["z1"]]
    one = loaded.get_visualization_context(S, viz_id=IDS["z2"])
    assert isinstance(one, dict) and one["viz_id"] == IDS["z2"]
    assert list(one) == reference.columns("visualization_metadata")
    assert one["viz_type"] == "variable_map"
    assert one["patterns_detected"] == {"hot": ["Dala"]}
    assert loaded.get_visualization_context(S, viz_id="nope") is None
    assert loaded.get_visualization_context(S2) == []
    # viz_id of another session is not found through this one
    assert loaded.get_visualization_context(S2, viz_id=IDS["z2"]) is None


def test_explanations_filters_newest_first(loaded):
    e = IDS
    assert ids(loaded.get_explanations(S), "explanation_id") == [e["e4"], e["e3"], e["e2"], e["e1"]]
    assert ids(loaded.get_explanations(S, entity_type="ward"), "explanation_id") == [
        e["e4"], e["e3"], e["e1"]]
    assert ids(loaded.get_explanations(S, entity_name="Dala"), "explanation_id") == [
        e["e4"], e["e1"]]
    assert ids(loaded.get_explanations(S, entity_type="variable", entity_name="tpr"),
               "explanation_id") == [e["e2"]]
    assert loaded.get_explanations(S, entity_type="ward", entity_name="tpr") == []
    first = loaded.get_explanations(S, entity_name="Dala")[-1]
    assert list(first) == reference.columns("explanations")
    assert first["context_used"] == {"rank": 1}
    assert first["llm_interaction_id"] == e["l1"]
    assert loaded.get_explanations("no-such-session") == []


def test_ward_data(loaded):
    wd = loaded.get_ward_data(S, "Dala")
    assert set(wd) == {"ranking", "anomalies", "explanations"}
    assert wd["ranking"]["ranking_id"] == IDS["w_dala2"]  # the latest ranking of the ward
    assert wd["ranking"]["overall_rank"] == 4
    assert ids(wd["anomalies"], "anomaly_id") == [IDS["a1"]]
    assert ids(wd["explanations"], "explanation_id") == [IDS["e4"], IDS["e1"]]
    none = loaded.get_ward_data(S, "Nowhere")
    assert none == {"ranking": None, "anomalies": [], "explanations": []}


def test_stubs(loaded):
    assert loaded.get_conversation_training_data() == []
    assert loaded.get_conversation_training_data(S, min_quality=0.5, start_date="2025-01-01",
                                                 end_date="2025-12-31") == []
    assert loaded.generate_explanation_context(S, "ward", "Dala") == {}
    assert loaded.generate_explanation_context(S, "ward", "Dala", question="why?") == {}


def test_reads_match_reference(loaded, ref, pins):
    """Every read equals the legacy reference's (legacy parse sets included)."""
    scenario.apply(ref, pins)
    got, want = scenario.read_all(loaded), scenario.read_all(ref)
    for key in want:
        assert_same_result(got[key], want[key], key)


def test_reads_identical_on_every_backend(backend, pins, monkeypatch, tmp_path):
    """The same writes give identical read results on plain SQLite and on this backend."""
    from chatmrpt_db import InteractionLogger

    monkeypatch.setenv("CHATMRPT_DB_BACKEND", "sqlite")
    plain = InteractionLogger(db_path=str(tmp_path / "plain.db"))
    scenario.apply(plain, pins)
    pkg = backend.logger()
    scenario.apply(pkg, pins)
    got, want = scenario.read_all(pkg), scenario.read_all(plain)
    for key in want:
        assert_same_result(got[key], want[key], f"{backend.param}: {key}")
    assert deep_equal(got, want)
