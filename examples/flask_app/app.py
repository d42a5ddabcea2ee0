"""A minimal Flask app that logs the way ChatMRPT does, through `chatmrpt_db`.

The shape is ChatMRPT's (see docs/python-api.md): ONE `InteractionLogger` per
process, built eagerly by `create_app()`; under gunicorn with
`preload_app = True` that happens in the master, before the workers fork. A
`before_request` hook logs the session start on every request, and every
call is fire-and-forget (the logger never raises; it returns `None`/`False`
and logs the failure on the `chatmrpt_db` logger).

Every response carries the ids the logger returned, so a client can check
afterwards that each acknowledged row is in the store
(crates/chatmrpt-db-python/tests/test_gunicorn.py does).

Environment:

| variable | default |
|---|---|
| `INTERACTIONS_DB_FILE` | `instance/interactions.db` (relative to the working directory) |
| `CHATMRPT_DB_LOG_LEVEL` | `INFO` (level of the `chatmrpt_db` logger) |
| `CHATMRPT_DB_BACKEND`, `CHATMRPT_DB_POSTGRES_URL`, `CHATMRPT_DB_STAGE` | read by `chatmrpt_db` itself |
"""

import hashlib
import logging
import os
import sys
import time
import uuid

from flask import Flask, g, jsonify, request

from chatmrpt_db import InteractionLogger

SYSTEM_PROMPT = "You are ChatMRPT, an assistant for malaria risk prioritisation."
LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"


def configure_logging():
    """Send every log record to stderr with its level and logger name.

    The handler sits on the root logger, so the `chatmrpt_db` logger (and any
    logger the package's native code logs through) shows up as
    `[ERROR] chatmrpt_db: ...` rather than through Python's bare last-resort
    handler. Idempotent: preload builds the app once, but tests may call
    `create_app()` more than once.
    """
    root = logging.getLogger()
    if not any(getattr(h, "_flask_app_stderr", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._flask_app_stderr = True
        root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    level = os.environ.get("CHATMRPT_DB_LOG_LEVEL", "INFO").upper()
    logging.getLogger("chatmrpt_db").setLevel(level)


def _session_id():
    """ChatMRPT's session id comes from its session cookie; here from a header
    `X-Session-Id` or the query parameter `sid`, minted when absent."""
    sid = request.headers.get("X-Session-Id") or request.args.get("sid")
    return sid or str(uuid.uuid4())


def create_app():
    """Build the app and its one `InteractionLogger` (eagerly, as ChatMRPT)."""
    configure_logging()
    app = Flask(__name__)
    app.config["INTERACTIONS_DB_FILE"] = os.environ.get(
        "INTERACTIONS_DB_FILE", os.path.join("instance", "interactions.db")
    )
    db_dir = os.path.dirname(os.path.abspath(app.config["INTERACTIONS_DB_FILE"]))
    os.makedirs(db_dir, exist_ok=True)
    interaction_logger = InteractionLogger(db_path=app.config["INTERACTIONS_DB_FILE"])
    app.extensions["interaction_logger"] = interaction_logger
    _register_routes(app, interaction_logger)
    return app


def _register_routes(app, il):
    @app.before_request
    def log_session():
        g.started = time.perf_counter()
        g.session_id = _session_id()
        g.session_logged = il.log_session_start(
            g.session_id,
            browser_info=request.headers.get("User-Agent"),
            ip_address=request.remote_addr,
        )

    def reply(**ids):
        return jsonify(session_id=g.session_id, session_logged=g.session_logged, **ids)

    @app.post("/chat")
    def chat():
        body = request.get_json(silent=True) or {}
        message = str(body.get("message", ""))
        sid = g.session_id
        user_id = il.log_message(sid, "user", message, intent="question",
                                 entities={"words": len(message.split())})
        started = time.perf_counter()
        answer = f"Echo: {message}"  # the LLM call ChatMRPT would make
        latency = time.perf_counter() - started
        interaction_id = il.log_llm_interaction(
            sid, "chat", message,
            prompt_context=SYSTEM_PROMPT,
            response=answer,
            tokens_used=len(message.split()) + len(answer.split()),
            latency=latency,
            enhanced_timing={"llm_s": latency},
        )
        assistant_id = il.log_message(sid, "assistant", answer)
        event_id = il.log_analysis_event(
            sid, "chat_response", {"chars": len(answer), "interaction_id": interaction_id}
        )
        return reply(user_message_id=user_id, assistant_message_id=assistant_id,
                     interaction_id=interaction_id, event_id=event_id)

    @app.post("/upload")
    def upload():
        if "file" in request.files:
            f = request.files["file"]
            name, data = f.filename or "upload.bin", f.read()
        else:
            name = request.headers.get("X-File-Name") or request.args.get("name") or "upload.bin"
            data = request.get_data()
        file_type = request.args.get("type") or ("csv" if name.endswith(".csv") else "shapefile")
        upload_id = il.log_file_upload(
            g.session_id, file_type, name, len(data),
            metadata={"sha256": hashlib.sha256(data).hexdigest()},
        )
        return reply(upload_id=upload_id)

    @app.get("/health")
    def health():
        # ChatMRPT logs its endpoint timings with no session.
        event_id = il.log_analysis_event(
            None, "endpoint_response_timing",
            {"endpoint": "/health", "duration_ms": (time.perf_counter() - g.started) * 1000},
        )
        return reply(status="ok", event_id=event_id)

    @app.get("/metrics")
    def metrics():
        return jsonify(il.metrics())
