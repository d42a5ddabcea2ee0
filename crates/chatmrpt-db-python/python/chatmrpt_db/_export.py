"""The legacy exports: one JSON file of sessions, one CSV per table."""

from __future__ import annotations

import csv
import datetime
import json
import os
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import _legacy

_PAGE = 500

# Tables of a session in the JSON export, and where each goes.
_ANALYSIS = (
    "anomalies",
    "variable_relationships",
    "ward_rankings",
    "visualization_metadata",
)

# Every table, in the order the CSV export writes them, with its time column.
_TABLES: Tuple[Tuple[str, str], ...] = (
    ("sessions", "start_time"),
    ("messages", "timestamp"),
    ("file_uploads", "timestamp"),
    ("analysis_events", "timestamp"),
    ("errors", "timestamp"),
    ("llm_interactions", "timestamp"),
    ("analysis_steps", "timestamp"),
    ("algorithm_decisions", "timestamp"),
    ("calculations", "timestamp"),
    ("anomalies", "timestamp"),
    ("variable_relationships", "timestamp"),
    ("ward_rankings", "timestamp"),
    ("visualization_metadata", "timestamp"),
    ("explanations", "timestamp"),
    ("routing_decisions", "timestamp"),
    ("arena_battles", "timestamp"),
    ("arena_training_exports", "export_timestamp"),
)


def _stamp() -> str:
    return _legacy.now().strftime("%Y%m%d_%H%M%S")


def _parse_text(value: Any) -> Any:
    """The legacy export's rule: text starting with ``{`` or ``[`` is
    parsed when it parses."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parsed(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{k: _parse_text(v) for k, v in row.items()} for row in rows]


def _session_ids(store: Any) -> Iterator[str]:
    offset = 0
    while True:
        page = store.list_sessions(offset, _PAGE, "raw")
        for row in page:
            yield row["session_id"]
        if len(page) < _PAGE:
            return
        offset += _PAGE


def _session_export(store: Any, sid: str, include_llm_data: bool) -> Optional[Dict[str, Any]]:
    info = store.get_session(sid, "raw")
    if info is None:
        return None
    steps, decisions, calculations = store.list_step_details(sid, "raw")
    details: Dict[str, Any] = {
        "steps": _parsed(steps),
        "decisions": _parsed(decisions),
        "calculations": _parsed(calculations),
    }
    for table in _ANALYSIS:
        details[table] = _parsed(store.list(table, sid, "raw"))
    export: Dict[str, Any] = {"session_info": _parsed([info])[0]}
    for table in ("messages", "file_uploads", "analysis_events", "errors"):
        export[table] = _parsed(store.list(table, sid, "raw"))
    export["analysis_details"] = details
    if include_llm_data:
        export["llm_interactions"] = _parsed(store.list("llm_interactions", sid, "raw"))
        export["explanations"] = _parsed(store.list("explanations", sid, "raw"))
    return export


def to_json(
    store: Any,
    session_id: Optional[str],
    include_llm_data: bool,
    compact: bool,
    output_file: Optional[str],
) -> Dict[str, Any]:
    """The legacy ``export_to_json``."""
    if output_file is None:
        middle = f"_{session_id}" if session_id else ""
        output_file = f"interaction_export{middle}_{_stamp()}.json"
    ids = [session_id] if session_id else _session_ids(store)
    sessions = []
    for sid in ids:
        export = _session_export(store, sid, include_llm_data)
        if export is not None:
            sessions.append(export)
    if session_id and not sessions:
        return {"status": "error", "message": f"session {session_id} not found"}
    data = {"export_timestamp": _legacy.now().isoformat(), "sessions": sessions}
    folder = os.path.dirname(output_file)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(output_file, "w", encoding="utf-8") as out:
        if compact:
            json.dump(data, out, separators=(",", ":"), default=str)
        else:
            json.dump(data, out, indent=2, default=str)
    return {
        "status": "success",
        "message": f"Exported {len(sessions)} session(s) to {output_file}",
        "file": output_file,
        "sessions_exported": len(sessions),
    }


def _bound(value: Any, end: bool) -> Optional[str]:
    """A date filter as legacy text: a date or datetime, or its text; an
    end date without a time includes that whole day."""
    if value is None:
        return None
    if isinstance(value, str):
        value = (
            datetime.datetime.fromisoformat(value)
            if len(value) > 10
            else datetime.date.fromisoformat(value)
        )
    if isinstance(value, datetime.datetime):
        at = value + datetime.timedelta(microseconds=1) if end else value
    else:
        day = value + datetime.timedelta(days=1) if end else value
        at = datetime.datetime(day.year, day.month, day.day)
    return _legacy.time_text(at)


def _rows(
    store: Any,
    table: str,
    time_column: str,
    session_id: Optional[str],
    start: Optional[str],
    end: Optional[str],
) -> Iterator[Dict[str, Any]]:
    if session_id is None:
        after = None
        while True:
            page = store.scan(table, start, end, after, 1000, "normalise")
            yield from page
            if len(page) < 1000:
                return
            after = page[-1][next(iter(page[-1]))]
        return
    for row in store.list(table, session_id, "normalise"):
        at = row.get(time_column)
        if start is not None and (at is None or at < start):
            continue
        if end is not None and (at is None or at >= end):
            continue
        yield row


def to_csv(
    store: Any,
    session_id: Optional[str],
    start_date: Any,
    end_date: Any,
    output_dir: Optional[str],
) -> Dict[str, Any]:
    """The legacy ``export_to_csv``: one file per table that has rows."""
    folder = output_dir or "."
    os.makedirs(folder, exist_ok=True)
    start, end = _bound(start_date, False), _bound(end_date, True)
    stamp = _stamp()
    middle = f"_{session_id}" if session_id else ""
    files: List[str] = []
    counts: Dict[str, int] = {}
    for table, time_column in _TABLES:
        if session_id is not None and table == "arena_training_exports":
            continue
        path = os.path.join(folder, f"{table}{middle}_{stamp}.csv")
        written = _write_csv(path, _rows(store, table, time_column, session_id, start, end))
        if written:
            files.append(path)
            counts[table] = written
    return {
        "status": "success",
        "message": f"Exported {len(files)} table(s) to {folder}",
        "files": files,
        "rows": counts,
    }


def _write_csv(path: str, rows: Iterator[Dict[str, Any]]) -> int:
    written = 0
    out = None
    writer = None
    try:
        for row in rows:
            if writer is None:
                out = open(path, "w", encoding="utf-8", newline="")
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            written += 1
    finally:
        if out is not None:
            out.close()
    return written
