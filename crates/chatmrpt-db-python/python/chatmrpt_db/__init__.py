"""chatmrpt_db: the ChatMRPT interaction log in SQLite, PostgreSQL or both.

The application changes one import line::

    from chatmrpt_db import InteractionLogger

and nothing else: :class:`InteractionLogger` is a drop-in for the legacy
class (same constructor, methods, defaults and return values). The backend
comes from the ``CHATMRPT_DB_*`` environment variables (or the TOML file
named by ``CHATMRPT_DB_CONFIG``); without them it is the SQLite file.

Errors (raised only with ``strict=True``): :class:`Error` is the base of
:class:`InvalidInput`, :class:`Conflict`, :class:`NotFound` and
:class:`Unavailable`.
"""

from ._logger import EventLogger, InteractionLogger
from ._native import Conflict, Error, InvalidInput, NotFound, Unavailable

__all__ = [
    "InteractionLogger",
    "EventLogger",
    "Error",
    "InvalidInput",
    "Conflict",
    "NotFound",
    "Unavailable",
]
