"""A Python reference of the legacy ChatMRPT ``InteractionLogger``.

Written from ``docs/python-api.md`` and ``docs/legacy-schema.md`` only: plain
``sqlite3``, a new connection per call, the legacy ``CREATE TABLE IF NOT
EXISTS`` statements (no PRAGMA, no index), one INSERT (and for some writers an
UPDATE of the session) and a commit. It keeps the legacy bugs on purpose
(``INSERT OR REPLACE`` of the session row, orphan child rows), because the
tests compare the package against it and assert the bug fixes explicitly.

Serialisation of the JSON-ish parameters follows python-api.md:
``json.dumps(x)`` for a ``dict`` (default separators, NaN allowed), ``str(x)``
for any other truthy value, NULL when falsy; ``keywords_matched`` is a JSON
list (``json.dumps`` when truthy); ``prompt_context`` and ``enhanced_timing``
are ``json.dumps(x)`` whatever ``x`` is.

Ids and times come from ``chatmrpt_db._legacy.new_id()`` / ``now()`` called
through the module attribute, so a test that monkeypatches them gives the
package and the reference the same ids and times. When the package is not
installed (reference-only runs) a local stand-in module is used.
"""

import datetime
import json
import logging
import os
import sqlite3
import types
import uuid

try:  # the package's helpers, looked up at call time (monkeypatchable)
    from chatmrpt_db import _legacy  # type: ignore
except ImportError:  # reference-only runs before the package is installed
    _legacy = types.ModuleType("reference_legacy_stand_in")
    _legacy.new_id = lambda: str(uuid.uuid4())
    _legacy.now = lambda: datetime.datetime.now()

log = logging.getLogger("reference_legacy")


def legacy_module():
    """The module whose ``new_id``/``now`` the reference calls."""
    return _legacy


def _new_id():
    return _legacy.new_id()


def _now():
    return _legacy.now()


# --------------------------------------------------------------------------
# Schema: table -> (primary key, [(column, declared type)], [extra clauses])
# Column order is the legacy order (legacy-schema.md).
# --------------------------------------------------------------------------

_FK_S = "FOREIGN KEY (session_id) REFERENCES sessions (session_id)"

SCHEMA = {
    "sessions": [
        ("session_id", "TEXT PRIMARY KEY"),
        ("start_time", "TIMESTAMP"),
        ("last_activity", "TIMESTAMP"),
        ("user_language", "TEXT"),
        ("browser_info", "TEXT"),
        ("ip_address", "TEXT"),
        ("analysis_complete", "BOOLEAN DEFAULT 0"),
        ("files_uploaded", "BOOLEAN DEFAULT 0"),
    ],
    "messages": [
        ("message_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("sender", "TEXT"),
        ("content", "TEXT"),
        ("intent", "TEXT"),
        ("entities", "TEXT"),
    ],
    "file_uploads": [
        ("upload_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("file_type", "TEXT"),
        ("file_name", "TEXT"),
        ("file_size", "INTEGER"),
        ("metadata", "TEXT"),
    ],
    "analysis_events": [
        ("event_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("event_type", "TEXT"),
        ("details", "TEXT"),
        ("success", "BOOLEAN"),
    ],
    "errors": [
        ("error_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("error_type", "TEXT"),
        ("error_message", "TEXT"),
        ("stack_trace", "TEXT"),
    ],
    "analysis_steps": [
        ("step_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("step_name", "TEXT"),
        ("input_summary", "TEXT"),
        ("output_summary", "TEXT"),
        ("algorithm", "TEXT"),
        ("parameters", "TEXT"),
        ("execution_time", "REAL"),
        ("error", "TEXT"),
    ],
    "algorithm_decisions": [
        ("decision_id", "TEXT PRIMARY KEY"),
        ("step_id", "TEXT"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("decision_type", "TEXT"),
        ("options", "TEXT"),
        ("criteria", "TEXT"),
        ("selected_option", "TEXT"),
        ("confidence", "REAL"),
    ],
    "calculations": [
        ("calculation_id", "TEXT PRIMARY KEY"),
        ("step_id", "TEXT"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("variable", "TEXT"),
        ("operation", "TEXT"),
        ("input_values", "TEXT"),
        ("output_value", "TEXT"),
        ("context", "TEXT"),
    ],
    "anomalies": [
        ("anomaly_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("entity_name", "TEXT"),
        ("anomaly_type", "TEXT"),
        ("expected_value", "TEXT"),
        ("actual_value", "TEXT"),
        ("significance", "TEXT"),
        ("context", "TEXT"),
    ],
    "variable_relationships": [
        ("relationship_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("variable_name", "TEXT"),
        ("relationship_type", "TEXT"),
        ("evidence", "TEXT"),
        ("confidence_score", "REAL"),
    ],
    "ward_rankings": [
        ("ranking_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("ward_name", "TEXT"),
        ("overall_rank", "INTEGER"),
        ("median_score", "REAL"),
        ("vulnerability_category", "TEXT"),
        ("contributing_factors", "TEXT"),
        ("anomaly_flags", "TEXT"),
    ],
    "visualization_metadata": [
        ("viz_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("viz_type", "TEXT"),
        ("variables_used", "TEXT"),
        ("data_summary", "TEXT"),
        ("visual_elements", "TEXT"),
        ("patterns_detected", "TEXT"),
    ],
    "llm_interactions": [
        ("interaction_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("prompt_type", "TEXT"),
        ("prompt", "TEXT"),
        ("prompt_context", "TEXT"),
        ("response", "TEXT"),
        ("tokens_used", "INTEGER"),
        ("latency", "REAL"),
        ("enhanced_timing", "TEXT"),
    ],
    "explanations": [
        ("explanation_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("entity_type", "TEXT"),
        ("entity_name", "TEXT"),
        ("question_type", "TEXT"),
        ("question", "TEXT"),
        ("explanation", "TEXT"),
        ("context_used", "TEXT"),
        ("llm_interaction_id", "TEXT"),
    ],
    "routing_decisions": [
        ("routing_id", "TEXT PRIMARY KEY"),
        ("message_id", "TEXT"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("user_message", "TEXT"),
        ("routing_decision", "TEXT"),
        ("routing_method", "TEXT"),
        ("keywords_matched", "TEXT"),
        ("confidence", "REAL"),
        ("ollama_reasoning", "TEXT"),
        ("session_context", "TEXT"),
    ],
    "arena_battles": [
        ("battle_id", "TEXT PRIMARY KEY"),
        ("session_id", "TEXT"),
        ("timestamp", "TIMESTAMP"),
        ("user_message", "TEXT"),
        ("model_a", "TEXT"),
        ("model_b", "TEXT"),
        ("response_a", "TEXT"),
        ("response_b", "TEXT"),
        ("latency_a", "REAL"),
        ("latency_b", "REAL"),
        ("tokens_a", "INTEGER"),
        ("tokens_b", "INTEGER"),
        ("user_preference", "TEXT"),
        ("elo_before_a", "REAL"),
        ("elo_before_b", "REAL"),
        ("elo_after_a", "REAL"),
        ("elo_after_b", "REAL"),
        ("view_index", "INTEGER"),
    ],
    "arena_training_exports": [
        ("export_id", "TEXT PRIMARY KEY"),
        ("export_timestamp", "TIMESTAMP"),
        ("export_type", "TEXT"),
        ("format", "TEXT"),
        ("file_path", "TEXT"),
        ("metadata", "TEXT"),
        ("battles_included", "INTEGER"),
    ],
}

EXTRA_FKS = {
    "algorithm_decisions": ["FOREIGN KEY (step_id) REFERENCES analysis_steps (step_id)"],
    "calculations": ["FOREIGN KEY (step_id) REFERENCES analysis_steps (step_id)"],
    "explanations": [
        "FOREIGN KEY (llm_interaction_id) REFERENCES llm_interactions (interaction_id)"
    ],
    "routing_decisions": ["FOREIGN KEY (message_id) REFERENCES messages (message_id)"],
}

TABLES_14 = [
    "sessions", "messages", "file_uploads", "analysis_events", "errors",
    "analysis_steps", "algorithm_decisions", "calculations", "anomalies",
    "variable_relationships", "ward_rankings", "visualization_metadata",
    "llm_interactions", "explanations",
]
ALL_TABLES = list(SCHEMA)  # the 17, in legacy order
ERAS = {
    14: TABLES_14,
    15: TABLES_14 + ["routing_decisions"],
    16: TABLES_14 + ["arena_battles", "arena_training_exports"],
    17: ALL_TABLES,
}

PRIMARY_KEY = {table: cols[0][0] for table, cols in SCHEMA.items()}


def columns(table):
    """The legacy column names of ``table`` in order."""
    return [c for c, _ in SCHEMA[table]]


def create_table_sql(table, enhanced_timing=True):
    cols = [
        (c, t)
        for c, t in SCHEMA[table]
        if enhanced_timing or (table, c) != ("llm_interactions", "enhanced_timing")
    ]
    parts = [f"    {c} {t}" for c, t in cols]
    if table not in ("sessions", "arena_training_exports"):
        parts.append("    " + _FK_S)
    parts += ["    " + fk for fk in EXTRA_FKS.get(table, [])]
    return f"CREATE TABLE IF NOT EXISTS {table} (\n" + ",\n".join(parts) + "\n)"


# --------------------------------------------------------------------------
# Serialisation (python-api.md)
# --------------------------------------------------------------------------


def jsonish(x):
    """A JSON-ish parameter as the legacy code stores it."""
    if not x:
        return None
    if isinstance(x, dict):
        return json.dumps(x)
    return str(x)


def json_list(x):
    """``keywords_matched``: a JSON list when truthy, else NULL."""
    return json.dumps(x) if x else None


def always_json(x):
    """``prompt_context`` / ``enhanced_timing``: ``json.dumps`` whatever x is."""
    return json.dumps(x)


def _lenient(value):
    if isinstance(value, str) and value:
        try:
            return json.loads(value)
        except (ValueError, TypeError):
            return value
    return value


class ReferenceLogger:
    """The legacy logger, rewritten from the docs (plain sqlite3)."""

    def __init__(self, db_path=None, era=17, enhanced_timing=True):
        if db_path is None:
            db_path = os.path.join("instance", "interactions.db")
        self.db_path = str(db_path)
        self.era = era
        self.enhanced_timing = enhanced_timing
        self.event_logger = self  # log_arena_battle lives on the event logger
        parent = os.path.dirname(self.db_path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        conn = sqlite3.connect(self.db_path)
        try:
            for table in ERAS[era]:
                conn.execute(create_table_sql(table, enhanced_timing))
            conn.commit()
        finally:
            conn.close()

    # -- plumbing ----------------------------------------------------------

    def _conn(self):
        return sqlite3.connect(self.db_path, timeout=5.0)

    def _write(self, statements):
        conn = self._conn()
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()

    def _insert(self, table, values, touch=None, now=None):
        cols = list(values)
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        statements = [(sql, [values[c] for c in cols])]
        if touch is not None:
            statements.append(touch)
        self._write(statements)

    @staticmethod
    def _touch(session_id, now, files_uploaded=False):
        if files_uploaded:
            return (
                "UPDATE sessions SET last_activity = ?, files_uploaded = 1 WHERE session_id = ?",
                (now, session_id),
            )
        return ("UPDATE sessions SET last_activity = ? WHERE session_id = ?", (now, session_id))

    # -- sessions ------------------------------------------------------------

    def log_session_start(self, session_id, browser_info=None, ip_address=None, language=None):
        try:
            now = _now()
            self._write([(
                "INSERT OR REPLACE INTO sessions "
                "(session_id, start_time, last_activity, user_language, browser_info, ip_address) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, now, now, language or "en", browser_info, ip_address),
            )])
            return True
        except Exception:
            log.error("log_session_start failed", exc_info=True)
            return False

    def update_session_language(self, session_id, language):
        try:
            now = _now()
            self._write([(
                "UPDATE sessions SET user_language = ?, last_activity = ? WHERE session_id = ?",
                (language, now, session_id),
            )])
            return True
        except Exception:
            log.error("update_session_language failed", exc_info=True)
            return False

    def update_session_status(self, session_id, analysis_complete=None, files_uploaded=None):
        try:
            now = _now()
            sets, params = ["last_activity = ?"], [now]
            if analysis_complete is not None:
                sets.append("analysis_complete = ?")
                params.append(1 if analysis_complete else 0)
            if files_uploaded is not None:
                sets.append("files_uploaded = ?")
                params.append(1 if files_uploaded else 0)
            params.append(session_id)
            self._write([(f"UPDATE sessions SET {', '.join(sets)} WHERE session_id = ?", params)])
            return True
        except Exception:
            log.error("update_session_status failed", exc_info=True)
            return False

    # -- child rows ----------------------------------------------------------

    def _log(self, table, values, touch=False, files_uploaded=False):
        try:
            now = _now()
            row_id = _new_id()
            row = {PRIMARY_KEY[table]: row_id}
            if table in ("algorithm_decisions", "calculations"):
                row["step_id"] = values.pop("step_id")
            if table == "routing_decisions":
                row["message_id"] = values.pop("message_id")
            row["session_id"] = values.pop("session_id")
            row["timestamp"] = now
            row.update(values)
            tq = self._touch(row["session_id"], now, files_uploaded) if touch else None
            self._insert(table, row, touch=tq)
            return row_id
        except Exception:
            log.error("writing %s failed", table, exc_info=True)
            return None

    def log_message(self, session_id, sender, content, intent=None, entities=None):
        return self._log("messages", dict(
            session_id=session_id, sender=sender, content=content, intent=intent,
            entities=jsonish(entities)), touch=True)

    def log_error(self, session_id, error_type, error_message, stack_trace=None):
        return self._log("errors", dict(
            session_id=session_id, error_type=error_type, error_message=error_message,
            stack_trace=stack_trace))

    def log_file_upload(self, session_id, file_type, file_name, file_size, metadata=None):
        return self._log("file_uploads", dict(
            session_id=session_id, file_type=file_type, file_name=file_name,
            file_size=file_size, metadata=jsonish(metadata)), touch=True, files_uploaded=True)

    def log_analysis_event(self, session_id, event_type, details, success=True):
        return self._log("analysis_events", dict(
            session_id=session_id, event_type=event_type, details=jsonish(details),
            success=success), touch=True)

    def log_analysis_step(self, session_id, step_name, input_summary=None, output_summary=None,
                          algorithm=None, parameters=None, execution_time=None, error=None):
        return self._log("analysis_steps", dict(
            session_id=session_id, step_name=step_name, input_summary=jsonish(input_summary),
            output_summary=jsonish(output_summary), algorithm=algorithm,
            parameters=jsonish(parameters), execution_time=execution_time, error=error),
            touch=True)

    def log_algorithm_decision(self, session_id, step_id, decision_type, options=None,
                               criteria=None, selected_option=None, confidence=None):
        return self._log("algorithm_decisions", dict(
            session_id=session_id, step_id=step_id, decision_type=decision_type,
            options=jsonish(options), criteria=jsonish(criteria),
            selected_option=jsonish(selected_option), confidence=confidence))

    def log_calculation(self, session_id, step_id, variable, operation, input_values=None,
                        output_value=None, context=None):
        return self._log("calculations", dict(
            session_id=session_id, step_id=step_id, variable=variable, operation=operation,
            input_values=jsonish(input_values), output_value=jsonish(output_value),
            context=jsonish(context)))

    def log_anomaly(self, session_id, entity_name, anomaly_type, expected_value=None,
                    actual_value=None, significance=None, context=None):
        return self._log("anomalies", dict(
            session_id=session_id, entity_name=entity_name, anomaly_type=anomaly_type,
            expected_value=jsonish(expected_value), actual_value=jsonish(actual_value),
            significance=significance, context=jsonish(context)))

    def log_variable_relationship(self, session_id, variable_name, relationship_type,
                                  evidence=None, confidence_score=None):
        return self._log("variable_relationships", dict(
            session_id=session_id, variable_name=variable_name,
            relationship_type=relationship_type, evidence=jsonish(evidence),
            confidence_score=confidence_score))

    def log_ward_ranking(self, session_id, ward_name, overall_rank, median_score,
                         vulnerability_category, contributing_factors=None, anomaly_flags=None):
        return self._log("ward_rankings", dict(
            session_id=session_id, ward_name=ward_name, overall_rank=overall_rank,
            median_score=median_score, vulnerability_category=vulnerability_category,
            contributing_factors=jsonish(contributing_factors),
            anomaly_flags=jsonish(anomaly_flags)))

    def log_visualization_metadata(self, session_id, viz_type, variables_used=None,
                                   data_summary=None, visual_elements=None,
                                   patterns_detected=None):
        return self._log("visualization_metadata", dict(
            session_id=session_id, viz_type=viz_type, variables_used=jsonish(variables_used),
            data_summary=jsonish(data_summary), visual_elements=jsonish(visual_elements),
            patterns_detected=jsonish(patterns_detected)))

    def log_llm_interaction(self, session_id, prompt_type, prompt, prompt_context=None,
                            response=None, tokens_used=None, latency=None, enhanced_timing=None):
        values = dict(
            session_id=session_id, prompt_type=prompt_type, prompt=prompt,
            prompt_context=always_json(prompt_context), response=response,
            tokens_used=tokens_used, latency=latency)
        if self.enhanced_timing:
            values["enhanced_timing"] = always_json(enhanced_timing)
        return self._log("llm_interactions", values)

    def log_explanation(self, session_id, entity_type, entity_name, question_type, question,
                        explanation, context_used=None, llm_interaction_id=None):
        return self._log("explanations", dict(
            session_id=session_id, entity_type=entity_type, entity_name=entity_name,
            question_type=question_type, question=question, explanation=explanation,
            context_used=jsonish(context_used), llm_interaction_id=llm_interaction_id))

    def log_routing_decision(self, session_id, user_message, routing_decision, routing_method,
                             keywords_matched=None, confidence=None, ollama_reasoning=None,
                             session_context=None, message_id=None):
        return self._log("routing_decisions", dict(
            session_id=session_id, message_id=message_id, user_message=user_message,
            routing_decision=routing_decision, routing_method=routing_method,
            keywords_matched=json_list(keywords_matched), confidence=confidence,
            ollama_reasoning=ollama_reasoning, session_context=jsonish(session_context)))

    _ARENA_UPDATABLE = (
        "response_a", "response_b", "latency_a", "latency_b", "tokens_a", "tokens_b",
        "user_preference", "elo_before_a", "elo_before_b", "elo_after_a", "elo_after_b",
    )

    def log_arena_battle(self, battle_id, session_id, user_message, model_a, model_b,
                         response_a=None, response_b=None, latency_a=None, latency_b=None,
                         tokens_a=None, tokens_b=None, user_preference=None, elo_before_a=None,
                         elo_before_b=None, elo_after_a=None, elo_after_b=None, view_index=None):
        given = dict(
            response_a=response_a, response_b=response_b, latency_a=latency_a,
            latency_b=latency_b, tokens_a=tokens_a, tokens_b=tokens_b,
            user_preference=user_preference, elo_before_a=elo_before_a,
            elo_before_b=elo_before_b, elo_after_a=elo_after_a, elo_after_b=elo_after_b)
        try:
            now = _now()
            conn = self._conn()
            try:
                exists = conn.execute(
                    "SELECT 1 FROM arena_battles WHERE battle_id = ?", (battle_id,)
                ).fetchone() is not None
                if exists:
                    sets = [(k, v) for k, v in given.items() if v is not None]
                    if sets:
                        conn.execute(
                            "UPDATE arena_battles SET "
                            + ", ".join(f"{k} = ?" for k, _ in sets)
                            + " WHERE battle_id = ?",
                            [v for _, v in sets] + [battle_id])
                else:
                    row = dict(battle_id=battle_id, session_id=session_id, timestamp=now,
                               user_message=user_message, model_a=model_a, model_b=model_b)
                    row.update(given)
                    row["view_index"] = view_index
                    cols = list(row)
                    conn.execute(
                        f"INSERT INTO arena_battles ({', '.join(cols)}) "
                        f"VALUES ({', '.join('?' * len(cols))})",
                        [row[c] for c in cols])
                conn.commit()
            finally:
                conn.close()
            return True
        except Exception:
            log.error("log_arena_battle failed", exc_info=True)
            return False

    # -- reads (legacy parse sets) -------------------------------------------

    def _select(self, sql, params=()):
        conn = self._conn()
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()

    @staticmethod
    def _parse(row, fields):
        for f in fields:
            row[f] = _lenient(row[f])
        return row

    _VIZ_JSON = ("variables_used", "data_summary", "visual_elements", "patterns_detected")

    def get_session_history(self, session_id):
        rows = self._select(
            "SELECT * FROM messages WHERE session_id = ? ORDER BY timestamp", (session_id,))
        return [self._parse(r, ("entities",)) for r in rows]

    def get_analysis_metadata(self, session_id):
        out = {k: [] for k in (
            "steps", "decisions", "calculations", "anomalies", "variable_relationships",
            "ward_rankings", "visualization_metadata")}
        for step in self._select(
                "SELECT * FROM analysis_steps WHERE session_id = ? ORDER BY timestamp",
                (session_id,)):
            out["steps"].append(self._parse(step, ("input_summary", "output_summary", "parameters")))
            for d in self._select(
                    "SELECT * FROM algorithm_decisions WHERE step_id = ? ORDER BY timestamp",
                    (step["step_id"],)):
                out["decisions"].append(self._parse(d, ("options", "selected_option")))
            for c in self._select(
                    "SELECT * FROM calculations WHERE step_id = ? ORDER BY timestamp",
                    (step["step_id"],)):
                out["calculations"].append(
                    self._parse(c, ("input_values", "output_value", "context")))
        out["anomalies"] = [self._parse(r, ("context",)) for r in self._select(
            "SELECT * FROM anomalies WHERE session_id = ? ORDER BY timestamp", (session_id,))]
        out["variable_relationships"] = [self._parse(r, ("evidence",)) for r in self._select(
            "SELECT * FROM variable_relationships WHERE session_id = ? ORDER BY timestamp",
            (session_id,))]
        out["ward_rankings"] = [
            self._parse(r, ("contributing_factors", "anomaly_flags")) for r in self._select(
                "SELECT * FROM ward_rankings WHERE session_id = ? ORDER BY overall_rank",
                (session_id,))]
        out["visualization_metadata"] = [self._parse(r, self._VIZ_JSON) for r in self._select(
            "SELECT * FROM visualization_metadata WHERE session_id = ? ORDER BY timestamp",
            (session_id,))]
        return out

    def get_visualization_context(self, session_id, viz_id=None, viz_type=None):
        sql, params = "SELECT * FROM visualization_metadata WHERE session_id = ?", [session_id]
        if viz_id:
            sql += " AND viz_id = ?"
            params.append(viz_id)
        elif viz_type:
            sql += " AND viz_type = ?"
            params.append(viz_type)
        rows = [self._parse(r, self._VIZ_JSON)
                for r in self._select(sql + " ORDER BY timestamp DESC", params)]
        if viz_id:
            return rows[0] if rows else None
        return rows

    def get_explanations(self, session_id, entity_type=None, entity_name=None):
        sql, params = "SELECT * FROM explanations WHERE session_id = ?", [session_id]
        if entity_type:
            sql += " AND entity_type = ?"
            params.append(entity_type)
        if entity_name:
            sql += " AND entity_name = ?"
            params.append(entity_name)
        return [self._parse(r, ("context_used",))
                for r in self._select(sql + " ORDER BY timestamp DESC", params)]

    def get_ward_data(self, session_id, ward_name):
        ranking = self._select(
            "SELECT * FROM ward_rankings WHERE session_id = ? AND ward_name = ? "
            "ORDER BY timestamp DESC LIMIT 1", (session_id, ward_name))
        return {
            "ranking": self._parse(ranking[0], ("contributing_factors", "anomaly_flags"))
            if ranking else None,
            "anomalies": [self._parse(r, ("context",)) for r in self._select(
                "SELECT * FROM anomalies WHERE session_id = ? AND entity_name = ? "
                "ORDER BY timestamp", (session_id, ward_name))],
            "explanations": [self._parse(r, ("context_used",)) for r in self._select(
                "SELECT * FROM explanations WHERE session_id = ? AND entity_type = 'ward' "
                "AND entity_name = ? ORDER BY timestamp DESC", (session_id, ward_name))],
        }

    def export_sessions(self, session_id=None, include_llm_data=True):
        """The ``sessions`` list that ``export_to_json`` writes."""

        def parse_all(row):
            for k, v in row.items():
                if isinstance(v, str) and v.startswith(("{", "[")):
                    try:
                        row[k] = json.loads(v)
                    except ValueError:
                        pass
            return row

        if session_id:
            sessions = self._select("SELECT * FROM sessions WHERE session_id = ?", (session_id,))
        else:
            sessions = self._select("SELECT * FROM sessions ORDER BY start_time")
        out = []
        for info in sessions:
            sid = info["session_id"]

            def rows(table):
                # python-api.md does not say the export's order of ward
                # rankings; the drop-in uses get_analysis_metadata's (by rank).
                order = "overall_rank" if table == "ward_rankings" else "timestamp"
                return [parse_all(r) for r in self._select(
                    f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", (sid,))]

            data = {
                "session_info": info,
                "messages": rows("messages"),
                "file_uploads": rows("file_uploads"),
                "analysis_events": rows("analysis_events"),
                "errors": rows("errors"),
                "analysis_details": {
                    "steps": rows("analysis_steps"),
                    "decisions": rows("algorithm_decisions"),
                    "calculations": rows("calculations"),
                    "anomalies": rows("anomalies"),
                    "variable_relationships": rows("variable_relationships"),
                    "ward_rankings": rows("ward_rankings"),
                    "visualization_metadata": rows("visualization_metadata"),
                },
            }
            if include_llm_data:
                data["llm_interactions"] = rows("llm_interactions")
                data["explanations"] = rows("explanations")
            out.append(data)
        return out

    def get_conversation_training_data(self, session_id=None, min_quality=None,
                                       start_date=None, end_date=None):
        return []

    def generate_explanation_context(self, session_id, entity_type, entity_name, question=None):
        return {}
