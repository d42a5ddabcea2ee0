"""``InteractionLogger``: the legacy object's interface over the library."""

from __future__ import annotations

import json
import logging
import os
import threading
import weakref
from typing import Any, Callable, Dict, List, Optional

from . import _export, _legacy, _native
from ._legacy import Refused, integer, json_always, jsonish, real, text

_log = logging.getLogger("chatmrpt_db")

# The parent columns the library enforces and the legacy file never did: a
# row naming an unknown parent is kept without the link (logged, counted)
# instead of being lost, unless strict.
_LINKS = {
    "algorithm_decision": "step_id",
    "calculation": "step_id",
    "explanation": "llm_interaction_id",
    "routing_decision": "message_id",
}

# TEXT columns the legacy readers also parsed leniently (besides the
# JSON-ish ones, which the native layer parses): json.loads when it parses.
_READ_PARSED = {
    "analysis_steps": ("input_summary", "output_summary"),
    "algorithm_decisions": ("options", "selected_option"),
    "calculations": ("input_values", "output_value", "context"),
    "anomalies": ("context",),
    "variable_relationships": ("evidence",),
    "ward_rankings": ("contributing_factors", "anomaly_flags"),
    "visualization_metadata": ("variables_used", "data_summary", "visual_elements", "patterns_detected"),
    "explanations": ("context_used",),
}


def _lenient(rows: List[Dict[str, Any]], table: str) -> List[Dict[str, Any]]:
    for row in rows:
        for column in _READ_PARSED.get(table, ()):
            value = row.get(column)
            if isinstance(value, str) and value:
                try:
                    row[column] = json.loads(value)
                except ValueError:
                    pass
    return rows


# INTEGER columns that hold a size or a count: never negative.
_COUNTS = {"file_size", "tokens_used", "tokens_a", "tokens_b", "battles_included"}


# Every logger of this process, released before a fork (see _before_fork).
_LOGGERS: "weakref.WeakSet[InteractionLogger]" = weakref.WeakSet()


def _before_fork() -> None:
    # A store opened in this process (gunicorn's master logging something
    # before it forks its workers) is closed first: its pool threads must
    # not be parked in a lock when the child is made. It reopens on its
    # next call. A logger never used here holds nothing: nothing to do.
    for logger in list(_LOGGERS):
        native = logger._native
        if native is not None and not native.release():
            _log.warning("a connection pool's threads were still running at fork()")


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork)


class _Counters:
    """This object's call counters (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values: Dict[str, int] = {
            "calls": 0,
            "failures": 0,
            "values_nulled": 0,
            "links_dropped": 0,
        }

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.values[name] += n

    def snapshot(self) -> Dict[str, int]:
        with self._lock:
            return dict(self.values)


class EventLogger:
    """The legacy ``event_logger`` attribute: the model arena's writer."""

    def __init__(self, owner: "InteractionLogger") -> None:
        self._owner = owner

    def log_arena_battle(
        self,
        battle_id: str,
        session_id: Optional[str],
        user_message: Any,
        model_a: Any,
        model_b: Any,
        response_a: Any = None,
        response_b: Any = None,
        latency_a: Any = None,
        latency_b: Any = None,
        tokens_a: Any = None,
        tokens_b: Any = None,
        user_preference: Any = None,
        elo_before_a: Any = None,
        elo_before_b: Any = None,
        elo_after_a: Any = None,
        elo_after_b: Any = None,
        view_index: Any = None,
    ) -> bool:
        """Stores a battle, or updates the fields given (not ``None``) of a
        stored one. Returns ``True``, or ``False`` on failure."""
        owner = self._owner

        def upsert() -> bool:
            fields = owner._fields(
                "arena_battle",
                battle_id=text(battle_id),
                session_id=text(session_id),
                timestamp=_legacy.time_text(_legacy.now()),
                user_message=text(user_message),
                model_a=text(model_a),
                model_b=text(model_b),
                response_a=text(response_a),
                response_b=text(response_b),
                latency_a=("real", latency_a),
                latency_b=("real", latency_b),
                tokens_a=("int", tokens_a),
                tokens_b=("int", tokens_b),
                user_preference=text(user_preference),
                elo_before_a=("real", elo_before_a),
                elo_before_b=("real", elo_before_b),
                elo_after_a=("real", elo_after_a),
                elo_after_b=("real", elo_after_b),
                view_index=("int", view_index),
            )
            try:
                owner._native_store().write("arena_battle", fields)
            except _native.Conflict:
                owner._native_store().write("arena_battle_update", fields)
            return True

        return owner._run("log_arena_battle", False, upsert)


class InteractionLogger:
    """A drop-in for ChatMRPT's legacy ``InteractionLogger``.

    ``InteractionLogger(db_path=None)`` is the SQLite log in ``db_path``
    (default ``instance/interactions.db``): a new file is created with its
    tables, a legacy file is adopted (a safety copy first), once per file,
    under a file lock. The backend, the PostgreSQL URL and the stage come
    from the ``CHATMRPT_DB_*`` variables or the TOML file named by
    ``CHATMRPT_DB_CONFIG`` (``db_path``, when given, names the SQLite file).

    Like the legacy object, no method raises: a failure is logged on the
    ``chatmrpt_db`` logger and the legacy failure value is returned
    (``None``, ``False``, ``[]`` or ``{'error': message}``). With
    ``strict=True`` the typed exceptions of :mod:`chatmrpt_db` are raised
    instead, and text no store can hold (NUL bytes, lone surrogates) is
    refused rather than repaired. ``adopt=False`` refuses a legacy file
    instead of adopting it.

    Safe to build before ``fork()`` (gunicorn's ``preload_app``): each
    process opens its own connections on first use, and every database call
    releases the GIL.
    """

    def __init__(
        self, db_path: Optional[str] = None, *, strict: bool = False, adopt: bool = True
    ) -> None:
        self.strict = strict
        self._counters = _Counters()
        self._native: Optional[Any] = None
        self._startup_error: Optional[str] = None
        path = os.fspath(db_path) if db_path is not None else None
        config_file = os.environ.get("CHATMRPT_DB_CONFIG") or None
        try:
            self._native = _native.NativeStore(
                path, config_file=config_file, strict=strict, adopt=adopt
            )
        except _native.Error as exc:
            if strict:
                raise
            self._startup_error = str(exc)
        if self._native is not None:
            self._startup_error = self._native.startup_error
            for warning in self._native.warnings:
                _log.warning("%s", warning)
            if self._native.adopted_backup is not None:
                _log.info("adopted the legacy file; safety copy at %s", self._native.adopted_backup)
            self.db_path = os.fspath(self._native.sqlite_path)
        else:
            self.db_path = path or "instance/interactions.db"
        if self._startup_error is not None:
            _log.error("interaction log not opened, every call will fail: %s", self._startup_error)
        self.event_logger = EventLogger(self)
        _LOGGERS.add(self)

    def __repr__(self) -> str:
        backend = self._native.backend if self._native is not None else "unopened"
        return f"InteractionLogger(db_path={self.db_path!r}, backend={backend!r})"

    # -- plumbing -------------------------------------------------------

    def _native_store(self) -> Any:
        if self._native is None:
            raise _native.Unavailable(f"the store was not opened: {self._startup_error}")
        return self._native

    def _run(self, name: str, failure: Any, call: Callable[[], Any]) -> Any:
        self._counters.add("calls")
        try:
            return call()
        except Exception as exc:
            self._counters.add("failures")
            if self.strict:
                raise
            _log.error("%s failed: %s: %s", name, type(exc).__name__, exc, exc_info=True)
            return failure(exc) if callable(failure) else failure

    def _fields(self, op: str, **given: Any) -> Dict[str, Any]:
        """The columns of one write; ``("real", x)`` and ``("int", x)`` are
        converted here, a value no store can keep nulled (logged, counted)
        unless strict."""
        fields: Dict[str, Any] = {}
        for column, value in given.items():
            if isinstance(value, tuple) and len(value) == 2 and value[0] in ("real", "int"):
                fields[column] = self._number(op, column, value[0], value[1])
            else:
                fields[column] = value
        return fields

    def _number(self, op: str, column: str, kind: str, value: Any) -> Any:
        try:
            number = real(value) if kind == "real" else integer(value)
            if column in _COUNTS and number is not None and number < 0:
                raise Refused(f"{number} is negative")
            return number
        except Refused as exc:
            if self.strict:
                raise _native.InvalidInput(f"invalid input in `{op}.{column}`: {exc}") from None
            self._counters.add("values_nulled")
            _log.warning("%s.%s: %s; stored as NULL", op, column, exc)
            return None

    def _write(self, op: str, key: str, fields: Dict[str, Any]) -> Any:
        store = self._native_store()
        try:
            store.write(op, fields)
        except _native.NotFound:
            link = _LINKS.get(op)
            if self.strict or link is None or fields.get(link) is None:
                raise
            self._counters.add("links_dropped")
            _log.warning("%s: %s %s is not stored; row kept without it", op, link, fields[link])
            store.write(op, {**fields, link: None})
        return fields[key]

    def _log_row(self, name: str, op: str, key: str, **given: Any) -> Optional[str]:
        def call() -> str:
            fields = self._fields(
                op, **{key: _legacy.new_id()}, timestamp=_legacy.time_text(_legacy.now()), **given
            )
            return self._write(op, key, fields)

        return self._run(name, None, call)

    # -- sessions -------------------------------------------------------

    def log_session_start(
        self,
        session_id: str,
        browser_info: Any = None,
        ip_address: Any = None,
        language: Any = None,
    ) -> bool:
        """Records a request for the session: creates it (language ``'en'``
        unless given) or moves its last activity and replaces the client
        details given. Never resets ``start_time`` or the flags."""

        def call() -> bool:
            store = self._native_store()
            sid = text(session_id)
            if language is None:
                user_language = None if sid and store.session_exists(sid) else "en"
            else:
                user_language = text(language)
            fields = {
                "session_id": sid,
                "timestamp": _legacy.time_text(_legacy.now()),
                "browser_info": text(browser_info),
                "ip_address": text(ip_address),
                "user_language": user_language,
            }
            store.write("start_session", fields)
            return True

        return self._run("log_session_start", False, call)

    def update_session_language(self, session_id: str, language: Any) -> bool:
        """Sets the session's language and moves its last activity."""

        def call() -> bool:
            store = self._native_store()
            sid = text(session_id)
            store.write("set_user_language", {"session_id": sid, "user_language": text(language)})
            self._touch(store, sid)
            return True

        return self._run("update_session_language", False, call)

    def update_session_status(
        self, session_id: str, analysis_complete: Any = None, files_uploaded: Any = None
    ) -> bool:
        """Sets the flags given and moves the session's last activity."""

        def call() -> bool:
            store = self._native_store()
            sid = text(session_id)
            if analysis_complete is not None:
                store.write(
                    "set_analysis_complete",
                    {"session_id": sid, "analysis_complete": bool(analysis_complete)},
                )
            if files_uploaded is not None:
                store.write(
                    "set_files_uploaded", {"session_id": sid, "files_uploaded": bool(files_uploaded)}
                )
            self._touch(store, sid)
            return True

        return self._run("update_session_status", False, call)

    @staticmethod
    def _touch(store: Any, sid: Optional[str]) -> None:
        store.write(
            "touch_session", {"session_id": sid, "timestamp": _legacy.time_text(_legacy.now())}
        )

    # -- the conversation -----------------------------------------------

    def log_message(
        self, session_id: Any, sender: Any, content: Any, intent: Any = None, entities: Any = None
    ) -> Optional[str]:
        """Stores a chat message; returns its id."""
        return self._log_row(
            "log_message",
            "message",
            "message_id",
            session_id=text(session_id),
            sender=text(sender),
            content=text(content),
            intent=text(intent),
            entities=jsonish(entities),
        )

    def log_error(
        self, session_id: Any, error_type: Any, error_message: Any, stack_trace: Any = None
    ) -> Optional[str]:
        """Stores an application error; returns its id."""
        return self._log_row(
            "log_error",
            "error",
            "error_id",
            session_id=text(session_id),
            error_type=text(error_type),
            error_message=text(error_message),
            stack_trace=text(stack_trace),
        )

    def log_file_upload(
        self, session_id: Any, file_type: Any, file_name: Any, file_size: Any, metadata: Any = None
    ) -> Optional[str]:
        """Stores an upload (and marks the session's files as uploaded); returns its id."""
        return self._log_row(
            "log_file_upload",
            "file_upload",
            "upload_id",
            session_id=text(session_id),
            file_type=text(file_type),
            file_name=text(file_name),
            file_size=("int", file_size),
            metadata=jsonish(metadata),
        )

    def log_analysis_event(
        self, session_id: Any, event_type: Any, details: Any, success: Any = True
    ) -> Optional[str]:
        """Stores an analysis event (``session_id`` may be ``None``); returns its id."""
        return self._log_row(
            "log_analysis_event",
            "analysis_event",
            "event_id",
            session_id=text(session_id),
            event_type=text(event_type),
            details=jsonish(details),
            success=None if success is None else bool(success),
        )

    def log_llm_interaction(
        self,
        session_id: Any,
        prompt_type: Any,
        prompt: Any,
        prompt_context: Any = None,
        response: Any = None,
        tokens_used: Any = None,
        latency: Any = None,
        enhanced_timing: Any = None,
    ) -> Optional[str]:
        """Stores a call to a language model (``latency`` in seconds); returns its id."""
        return self._log_row(
            "log_llm_interaction",
            "llm_interaction",
            "interaction_id",
            session_id=text(session_id),
            prompt_type=text(prompt_type),
            prompt=text(prompt),
            prompt_context=json_always(prompt_context),
            response=text(response),
            tokens_used=("int", tokens_used),
            latency=("real", latency),
            enhanced_timing=json_always(enhanced_timing),
        )

    # -- the analysis trail ---------------------------------------------

    def log_analysis_step(
        self,
        session_id: Any,
        step_name: Any,
        input_summary: Any = None,
        output_summary: Any = None,
        algorithm: Any = None,
        parameters: Any = None,
        execution_time: Any = None,
        error: Any = None,
    ) -> Optional[str]:
        """Stores an analysis step; returns its id."""
        return self._log_row(
            "log_analysis_step",
            "analysis_step",
            "step_id",
            session_id=text(session_id),
            step_name=text(step_name),
            input_summary=text(input_summary),
            output_summary=text(output_summary),
            algorithm=text(algorithm),
            parameters=jsonish(parameters),
            execution_time=("real", execution_time),
            error=text(error),
        )

    def log_algorithm_decision(
        self,
        session_id: Any,
        step_id: Any,
        decision_type: Any,
        options: Any = None,
        criteria: Any = None,
        selected_option: Any = None,
        confidence: Any = None,
    ) -> Optional[str]:
        """Stores a decision made in a step; returns its id."""
        return self._log_row(
            "log_algorithm_decision",
            "algorithm_decision",
            "decision_id",
            step_id=text(step_id),
            session_id=text(session_id),
            decision_type=text(decision_type),
            options=text(options),
            criteria=text(criteria),
            selected_option=text(selected_option),
            confidence=("real", confidence),
        )

    def log_calculation(
        self,
        session_id: Any,
        step_id: Any,
        variable: Any,
        operation: Any,
        input_values: Any = None,
        output_value: Any = None,
        context: Any = None,
    ) -> Optional[str]:
        """Stores a calculation made in a step; returns its id."""
        return self._log_row(
            "log_calculation",
            "calculation",
            "calculation_id",
            step_id=text(step_id),
            session_id=text(session_id),
            variable=text(variable),
            operation=text(operation),
            input_values=text(input_values),
            output_value=text(output_value),
            context=text(context),
        )

    def log_anomaly(
        self,
        session_id: Any,
        entity_name: Any,
        anomaly_type: Any,
        expected_value: Any = None,
        actual_value: Any = None,
        significance: Any = None,
        context: Any = None,
    ) -> Optional[str]:
        """Stores an anomaly found in the data; returns its id."""
        return self._log_row(
            "log_anomaly",
            "anomaly",
            "anomaly_id",
            session_id=text(session_id),
            entity_name=text(entity_name),
            anomaly_type=text(anomaly_type),
            expected_value=text(expected_value),
            actual_value=text(actual_value),
            significance=text(significance),
            context=text(context),
        )

    def log_variable_relationship(
        self,
        session_id: Any,
        variable_name: Any,
        relationship_type: Any,
        evidence: Any = None,
        confidence_score: Any = None,
    ) -> Optional[str]:
        """Stores a relationship between variables; returns its id."""
        return self._log_row(
            "log_variable_relationship",
            "variable_relationship",
            "relationship_id",
            session_id=text(session_id),
            variable_name=text(variable_name),
            relationship_type=text(relationship_type),
            evidence=text(evidence),
            confidence_score=("real", confidence_score),
        )

    def log_ward_ranking(
        self,
        session_id: Any,
        ward_name: Any,
        overall_rank: Any,
        median_score: Any,
        vulnerability_category: Any,
        contributing_factors: Any = None,
        anomaly_flags: Any = None,
    ) -> Optional[str]:
        """Stores a ward's risk ranking; returns its id."""
        return self._log_row(
            "log_ward_ranking",
            "ward_ranking",
            "ranking_id",
            session_id=text(session_id),
            ward_name=text(ward_name),
            overall_rank=("int", overall_rank),
            median_score=("real", median_score),
            vulnerability_category=text(vulnerability_category),
            contributing_factors=text(contributing_factors),
            anomaly_flags=text(anomaly_flags),
        )

    def log_visualization_metadata(
        self,
        session_id: Any,
        viz_type: Any,
        variables_used: Any = None,
        data_summary: Any = None,
        visual_elements: Any = None,
        patterns_detected: Any = None,
    ) -> Optional[str]:
        """Stores a visualization's metadata; returns its id."""
        return self._log_row(
            "log_visualization_metadata",
            "visualization",
            "viz_id",
            session_id=text(session_id),
            viz_type=text(viz_type),
            variables_used=text(variables_used),
            data_summary=text(data_summary),
            visual_elements=text(visual_elements),
            patterns_detected=text(patterns_detected),
        )

    def log_explanation(
        self,
        session_id: Any,
        entity_type: Any,
        entity_name: Any,
        question_type: Any,
        question: Any,
        explanation: Any,
        context_used: Any = None,
        llm_interaction_id: Any = None,
    ) -> Optional[str]:
        """Stores an explanation given to the user; returns its id."""
        return self._log_row(
            "log_explanation",
            "explanation",
            "explanation_id",
            session_id=text(session_id),
            entity_type=text(entity_type),
            entity_name=text(entity_name),
            question_type=text(question_type),
            question=text(question),
            explanation=text(explanation),
            context_used=text(context_used),
            llm_interaction_id=text(llm_interaction_id),
        )

    def log_routing_decision(
        self,
        session_id: Any,
        user_message: Any,
        routing_decision: Any,
        routing_method: Any,
        keywords_matched: Any = None,
        confidence: Any = None,
        ollama_reasoning: Any = None,
        session_context: Any = None,
        message_id: Any = None,
    ) -> Optional[str]:
        """Stores how a message was routed; returns its id. ``keywords_matched``
        is stored as a JSON list."""
        keywords = (
            json_always(list(keywords_matched))
            if isinstance(keywords_matched, (list, tuple, set)) and keywords_matched
            else jsonish(keywords_matched)
        )
        return self._log_row(
            "log_routing_decision",
            "routing_decision",
            "routing_id",
            message_id=text(message_id),
            session_id=text(session_id),
            user_message=text(user_message),
            routing_decision=text(routing_decision),
            routing_method=text(routing_method),
            keywords_matched=keywords,
            confidence=("real", confidence),
            ollama_reasoning=text(ollama_reasoning),
            session_context=jsonish(session_context),
        )

    # -- reads ----------------------------------------------------------

    def get_session_history(self, session_id: str) -> List[Dict[str, Any]]:
        """The session's messages, oldest first, ``entities`` parsed."""
        return self._run(
            "get_session_history", [], lambda: self._native_store().list("messages", session_id)
        )

    def get_analysis_metadata(self, session_id: str) -> Dict[str, Any]:
        """The session's analysis trail: steps, their decisions and
        calculations, anomalies, variable relationships, ward rankings (by
        rank) and visualization metadata."""

        def call() -> Dict[str, Any]:
            store = self._native_store()
            steps, decisions, calculations = store.list_step_details(session_id)
            metadata = {
                "steps": _lenient(steps, "analysis_steps"),
                "decisions": _lenient(decisions, "algorithm_decisions"),
                "calculations": _lenient(calculations, "calculations"),
            }
            for key in ("anomalies", "variable_relationships", "ward_rankings",
                        "visualization_metadata"):
                metadata[key] = _lenient(store.list(key, session_id), key)
            return metadata

        return self._run("get_analysis_metadata", _error_dict, call)

    def get_visualization_context(
        self, session_id: str, viz_id: Optional[str] = None, viz_type: Optional[str] = None
    ) -> Any:
        """The session's visualizations, newest first; with ``viz_id``, that
        one (or ``None``)."""

        def call() -> Any:
            rows = self._native_store().list_visualizations(session_id, viz_id, viz_type)
            rows = _lenient(rows, "visualization_metadata")
            rows.reverse()
            if viz_id is not None:
                return rows[0] if rows else None
            return rows

        return self._run("get_visualization_context", None if viz_id is not None else [], call)

    def get_explanations(
        self, session_id: str, entity_type: Optional[str] = None, entity_name: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """The session's explanations, newest first, optionally filtered."""

        def call() -> List[Dict[str, Any]]:
            rows = self._native_store().list_explanations(session_id, entity_type, entity_name)
            rows = _lenient(rows, "explanations")
            rows.reverse()
            return rows

        return self._run("get_explanations", [], call)

    def get_ward_data(self, session_id: str, ward_name: str) -> Dict[str, Any]:
        """The ward in one dict: ``ranking`` (its latest, or ``None``),
        ``anomalies`` (of that entity, oldest first) and ``explanations``
        (of entity type ``ward``, newest first)."""

        def call() -> Dict[str, Any]:
            store = self._native_store()
            ranking = store.latest_ward_ranking(session_id, ward_name)
            anomalies = [
                a for a in store.list("anomalies", session_id) if a["entity_name"] == ward_name
            ]
            explanations = _lenient(store.list_explanations(session_id, "ward", ward_name), "explanations")
            explanations.reverse()
            return {
                "ranking": _lenient([ranking], "ward_rankings")[0] if ranking else None,
                "anomalies": _lenient(anomalies, "anomalies"),
                "explanations": explanations,
            }

        return self._run("get_ward_data", _error_dict, call)

    def get_conversation_training_data(self, *args: Any, **kwargs: Any) -> List[Any]:
        """A stub of the legacy interface: always ``[]``."""
        return []

    def generate_explanation_context(self, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        """A stub of the legacy interface: always ``{}``."""
        return {}

    # -- exports --------------------------------------------------------

    def export_to_json(
        self,
        session_id: Optional[str] = None,
        include_llm_data: bool = True,
        compact: bool = False,
        output_file: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Writes one session (or every session, by start time) as the
        legacy JSON export; returns ``{'status', 'message', 'file',
        'sessions_exported'}`` or ``{'status': 'error', 'message'}``."""
        return self._export(
            "export_to_json",
            lambda: _export.to_json(
                self._native_store(), session_id, include_llm_data, compact, output_file
            ),
        )

    def export_to_csv(
        self,
        session_id: Optional[str] = None,
        start_date: Any = None,
        end_date: Any = None,
        output_dir: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Writes one CSV per table (``<table>[_<session>]_<stamp>.csv``),
        JSON-ish text normalised; returns ``{'status', 'message', 'files',
        'rows'}`` or ``{'status': 'error', 'message'}``."""
        return self._export(
            "export_to_csv",
            lambda: _export.to_csv(
                self._native_store(), session_id, start_date, end_date, output_dir
            ),
        )

    def _export(self, name: str, call: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
        return self._run(name, lambda exc: {"status": "error", "message": str(exc)}, call)

    # -- observability --------------------------------------------------

    def metrics(self) -> Dict[str, Any]:
        """This process's figures: calls and failures of this object, text
        repairs, values stored as NULL, links dropped, and for the dual
        backend its counters and both outboxes (``pending``, ``dead``,
        ``oldest_age_s``)."""
        figures: Dict[str, Any] = {"backend": None, "stage": None}
        if self._native is not None:
            try:
                figures.update(self._native.metrics())
            except _native.Error as exc:
                figures["error"] = str(exc)
        figures.update(self._counters.snapshot())
        figures.setdefault("nul_replaced", 0)
        figures.setdefault("text_repaired", 0)
        return figures

    def stage(self) -> Optional[str]:
        """The stage this process follows (``off`` for SQLite alone,
        ``complete`` for PostgreSQL alone), or ``None`` when the store
        cannot say."""
        return self._run("stage", None, lambda: self._native_store().stage())

    def set_stage(self, stage: str, by: Optional[str] = None, force: bool = False) -> bool:
        """Moves the dual store's stage (an operator's act: the CLI's
        ``chatmrpt-db stage set`` is the usual way). Returns whether it changed."""
        who = by or f"python:{os.getpid()}"
        return self._run(
            "set_stage", False, lambda: self._native_store().set_stage(stage, who, force)
        )

    def drain(self, timeout_s: float = 30.0) -> bool:
        """Delivers what the dual store's outboxes hold, waiting up to
        ``timeout_s``; returns whether both are empty."""
        return self._run("drain", False, lambda: self._native_store().drain(timeout_s))


def _error_dict(exc: BaseException) -> Dict[str, Any]:
    return {"error": str(exc)}
