"""The legacy logger's value rules, in one place.

Ids, times and the text of JSON-ish parameters are made exactly as the
legacy ``InteractionLogger`` made them (python-api.md), with Python's own
``uuid``, ``datetime`` and ``json``, so the stored bytes are the same. The
logger calls :func:`new_id` and :func:`now` through this module, so a test
can replace them.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import sqlite3
import threading
import uuid
from typing import Any, Optional

__all__ = ["new_id", "now", "time_text", "jsonish", "json_always", "text", "Refused"]


class Refused(ValueError):
    """A value no store can keep as given (e.g. a float in an INTEGER column)."""


def new_id() -> str:
    """A new row id: ``str(uuid.uuid4())``, as the legacy logger minted them."""
    return str(uuid.uuid4())


def now() -> datetime.datetime:
    """The write time: ``datetime.datetime.now()`` (naive local time)."""
    return datetime.datetime.now()


def time_text(at: datetime.datetime) -> str:
    """The legacy storage text of a time: ``str(datetime)``
    (``YYYY-MM-DD HH:MM:SS[.ffffff]``)."""
    return str(at.replace(tzinfo=None))


def _dumps(value: Any) -> str:
    # `default=str` is only consulted for values json cannot serialise (the
    # legacy call failed on them): every value it could serialise keeps its
    # exact legacy text.
    try:
        return json.dumps(value, default=str)
    except ValueError:  # a circular reference
        return str(value)


def jsonish(value: Any) -> Optional[str]:
    """A JSON-ish parameter as the legacy logger stored it: ``json.dumps``
    for a dict, ``str(x)`` for any other truthy value, NULL when falsy."""
    if not value:
        return None
    if isinstance(value, dict):
        return _dumps(value)
    return str(value)


def json_always(value: Any) -> str:
    """``json.dumps(x)`` whatever ``x`` is (``prompt_context``,
    ``enhanced_timing``): a string becomes a JSON string literal."""
    return _dumps(value)


_local = threading.local()


def _sqlite_text(value: float) -> Optional[str]:
    # What SQLite's TEXT affinity makes of a REAL (its own formatting, not
    # Python's repr): asked of SQLite itself, as the legacy INSERT did.
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(":memory:")
    return conn.execute("SELECT CAST(? AS TEXT)", (value,)).fetchone()[0]


def plain(value: Any) -> Any:
    """A numpy (or other) scalar as the Python number it holds."""
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, (str, bytes, dict, list, tuple)):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def text(value: Any) -> Optional[str]:
    """A TEXT parameter as the legacy INSERT stored it: strings as given;
    numbers as SQLite's TEXT affinity turns them into text; bytes decoded
    as UTF-8 (invalid bytes replaced); anything else (the legacy call
    failed on it) as a JSON-ish value."""
    value = plain(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _sqlite_text(float(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return jsonish(value) if value else str(value)


def real(value: Any) -> Optional[float]:
    """A REAL parameter: any real number as a float; NaN as NULL (what
    SQLite stored for it); infinities kept."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise Refused(f"{value!r} is not a number") from None
    if not isinstance(value, numbers.Real):
        raise Refused(f"a {type(value).__name__} is not a number")
    result = float(value)
    return None if math.isnan(result) else result


def integer(value: Any) -> Optional[int]:
    """An INTEGER parameter: whole numbers (an integral float too); NaN as
    NULL; anything else is refused."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise Refused(f"{value!r} is not a whole number") from None
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if math.isnan(as_float):
            return None
        if as_float.is_integer():
            return int(as_float)
        raise Refused(f"{as_float!r} is not a whole number")
    raise Refused(f"a {type(value).__name__} is not a whole number")
