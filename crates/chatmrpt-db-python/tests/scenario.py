"""One deterministic session history, applied identically to the package and to
the reference (same ids, same times), for the read and export tests."""

import datetime

T0 = datetime.datetime(2025, 3, 1, 9, 0, 0, 250000)

S = "session_20250301_090000"
S2 = "7f1c2a9e-3b7d-4d55-9a43-0d2b6c1e8f00__conv-2"


def at(seconds, microsecond=None):
    t = T0 + datetime.timedelta(seconds=seconds)
    if microsecond is not None:
        t = t.replace(microsecond=microsecond)
    return t


IDS = {name: f"00000000-0000-4000-8000-{i:012d}" for i, name in enumerate([
    "m1", "m2", "m3", "m4", "m_other", "st1", "st2", "d1", "d2", "c1", "a1", "a2", "v1",
    "w_fagge", "w_dala", "w_kano", "w_dala2", "z1", "z2", "z3", "l1", "e1", "e2", "e3", "e4",
    "err1", "up1", "ev1", "r1", "st_other", "d_other",
])}


def ops():
    """``[(time, pinned id or None, method, args, kwargs)]``."""
    i = IDS
    return [
        (at(0), None, "log_session_start", (S, "Mozilla/5.0 Firefox/128.0", "10.1.2.3"), {}),
        (at(1), None, "log_session_start", (S2, None, None), {}),
        (at(10), i["m1"], "log_message", (S, "user", "first"),
         {"intent": "ranking", "entities": {"wards": ["Dala"], "score": 0.5}}),
        (at(30), i["m2"], "log_message", (S, "assistant", '{"a": 1}'), {"entities": ["x"]}),
        (at(20, microsecond=0), i["m3"], "log_message", (S, "user", "middle"), {}),
        (at(35), i["m4"], "log_message", (S, "user", "42"), {"entities": "[1, 2]"}),
        (at(36), i["m_other"], "log_message", (S2, "user", "other session"), {}),
        (at(37), i["err1"], "log_error", (S, "ValueError", "bad"), {"stack_trace": "tb"}),
        (at(38), i["up1"], "log_file_upload", (S, "csv", "k.csv", 99), {"metadata": {"rows": 3}}),
        (at(39), i["ev1"], "log_analysis_event", (S, "visualization", {"map": "x"}), {}),
        (at(40), i["st1"], "log_analysis_step", (S, "normalization"),
         {"input_summary": {"rows": 10}, "output_summary": "ok", "algorithm": "min-max",
          "parameters": {"k": 3}, "execution_time": 0.25}),
        (at(41), i["d1"], "log_algorithm_decision", (S, i["st1"], "variable_selection"),
         {"options": '["a", "b"]', "criteria": "corr", "selected_option": "a",
          "confidence": 0.75}),
        (at(42), i["c1"], "log_calculation", (S, i["st1"], "tpr", "normalize"),
         {"input_values": {"x": 1}, "output_value": "0.5", "context": {"m": "mm"}}),
        (at(50), i["st2"], "log_analysis_step", (S, "scoring"), {}),
        (at(51), i["d2"], "log_algorithm_decision", (S, i["st2"], "threshold"),
         {"selected_option": "0.5"}),
        (at(52), i["st_other"], "log_analysis_step", (S2, "other"), {}),
        (at(53), i["d_other"], "log_algorithm_decision", (S2, i["st_other"], "x"), {}),
        (at(60), i["a1"], "log_anomaly", (S, "Dala", "outlier"),
         {"expected_value": "0.3", "actual_value": "0.9", "significance": "high",
          "context": {"z": 3}}),
        (at(61), i["a2"], "log_anomaly", (S, "Fagge", "missing"), {}),
        (at(62), i["v1"], "log_variable_relationship", (S, "rainfall", "direct"),
         {"evidence": "r=0.6", "confidence_score": 0.6}),
        (at(70), i["w_fagge"], "log_ward_ranking", (S, "Fagge", 2, 0.7, "High"), {}),
        (at(71), i["w_dala"], "log_ward_ranking", (S, "Dala", 1, 0.9, "High"),
         {"contributing_factors": {"tpr": 0.4}}),
        (at(72), i["w_kano"], "log_ward_ranking", (S, "Kano", 3, 0.2, "Low"), {}),
        (at(73), i["w_dala2"], "log_ward_ranking", (S, "Dala", 4, 0.1, "Low"),
         {"contributing_factors": {"tpr": 0.5}, "anomaly_flags": "rerank"}),
        (at(80), i["z1"], "log_visualization_metadata", (S, "composite_map"),
         {"variables_used": "tpr", "data_summary": {"n": 484}}),
        (at(81), i["z2"], "log_visualization_metadata", (S, "variable_map"),
         {"patterns_detected": {"hot": ["Dala"]}}),
        (at(82), i["z3"], "log_visualization_metadata", (S, "composite_map"), {}),
        (at(90), i["l1"], "log_llm_interaction", (S, "explanation", "Why Dala?"),
         {"prompt_context": "system prompt", "response": "Because.", "tokens_used": 10,
          "latency": 1.5, "enhanced_timing": {"model": 1.4}}),
        (at(91), i["e1"], "log_explanation", (S, "ward", "Dala", "why", "q1", "x1"),
         {"context_used": {"rank": 1}, "llm_interaction_id": i["l1"]}),
        (at(92), i["e2"], "log_explanation", (S, "variable", "tpr", "what", "q2", "x2"), {}),
        (at(93), i["e3"], "log_explanation", (S, "ward", "Fagge", "why", "q3", "x3"), {}),
        (at(94), i["e4"], "log_explanation", (S, "ward", "Dala", "how", "q4", "x4"), {}),
        (at(95), i["r1"], "log_routing_decision", (S, "map it", "needs_tools", "keyword_match"),
         {"keywords_matched": ["map"], "message_id": i["m1"]}),
    ]


def apply(logger, pins):
    """Runs the scenario on ``logger`` with ``pins`` supplying ids and times."""
    for t, rid, method, args, kwargs in ops():
        pins.t = t
        pins.clear()
        if rid is not None:
            pins.pin(rid)
        target = logger.event_logger if method == "log_arena_battle" else logger
        result = getattr(target, method)(*args, **kwargs)
        pins.clear()
        expected = True if rid is None else rid
        assert result == expected, f"{method}{args}: returned {result!r}, expected {expected!r}"


def read_all(logger):
    """Every read of the API on the scenario's data."""
    i = IDS
    return {
        "history_S": logger.get_session_history(S),
        "history_S2": logger.get_session_history(S2),
        "history_none": logger.get_session_history("no-such-session"),
        "metadata_S": logger.get_analysis_metadata(S),
        "metadata_S2": logger.get_analysis_metadata(S2),
        "viz_all": logger.get_visualization_context(S),
        "viz_type": logger.get_visualization_context(S, viz_type="composite_map"),
        "viz_id": logger.get_visualization_context(S, viz_id=i["z2"]),
        "viz_id_missing": logger.get_visualization_context(S, viz_id="nope"),
        "expl_all": logger.get_explanations(S),
        "expl_type": logger.get_explanations(S, entity_type="ward"),
        "expl_name": logger.get_explanations(S, entity_name="Dala"),
        "expl_both": logger.get_explanations(S, entity_type="variable", entity_name="tpr"),
        "ward_dala": logger.get_ward_data(S, "Dala"),
        "ward_none": logger.get_ward_data(S, "Nowhere"),
    }
