"""strict=True: the typed exceptions instead of the legacy failure values; and
the non-strict counterparts of the same failures."""

import logging
import uuid

import pytest

from conftest import is_uuid4_text, package_records


def test_exception_hierarchy():
    import chatmrpt_db
    from chatmrpt_db import Conflict, Error, InvalidInput, NotFound, Unavailable

    assert issubclass(Error, Exception)
    for cls in (InvalidInput, Conflict, NotFound, Unavailable):
        assert issubclass(cls, Error), cls
        assert cls is not Error
    assert len({InvalidInput, Conflict, NotFound, Unavailable}) == 4
    assert chatmrpt_db.Error is Error


def test_strict_success_returns_legacy_values(backend):
    pkg = backend.logger(strict=True)
    assert pkg.log_session_start("strict-s") is True
    assert is_uuid4_text(pkg.log_message("strict-s", "user", "x"))
    assert pkg.update_session_status("strict-s", analysis_complete=True) is True
    assert pkg.event_logger.log_arena_battle("b", "strict-s", "q", "a", "b") is True


@pytest.mark.parametrize("call", [
    ("log_message", ("s", "user", "a\x00b")),
    ("log_message", ("s", "user", "x\ud800")),
    ("log_message", ("", "user", "x")),
    ("log_session_start", ("",)),
    ("log_error", ("s\x00", "E", "m")),
], ids=["nul", "surrogate", "empty_session", "empty_session_start", "nul_session_id"])
def test_strict_invalid_input(backend, call):
    from chatmrpt_db import Error, InvalidInput

    name, args = call
    pkg = backend.logger(strict=True)
    with pytest.raises(InvalidInput) as info:
        getattr(pkg, name)(*args)
    assert isinstance(info.value, Error)
    assert str(info.value)
    for store in backend.stores:
        assert backend.rows("messages", store) == [], store
        assert backend.rows("errors", store) == [], store


def test_strict_not_found(backend, chatmrpt_caplog):
    from chatmrpt_db import Error, NotFound

    pkg = backend.logger(strict=True)
    with pytest.raises(NotFound) as info:
        pkg.update_session_status("no-such-session", analysis_complete=True)
    assert isinstance(info.value, Error)
    lax = backend.logger()
    assert lax.update_session_status("no-such-session", files_uploaded=True) is False
    assert package_records(chatmrpt_caplog, logging.ERROR)
    for store in backend.stores:
        assert backend.rows("sessions", store) == [], store


def test_strict_conflict_on_duplicate_id(backend, pins, chatmrpt_caplog):
    from chatmrpt_db import Conflict, Error

    dup = str(uuid.uuid4())
    pkg = backend.logger(strict=True)
    pins.pin(dup)
    assert pkg.log_message("c", "user", "first") == dup
    pins.pin(dup)
    with pytest.raises(Conflict) as info:
        pkg.log_message("c", "user", "second")
    assert isinstance(info.value, Error)
    lax = backend.logger()
    pins.pin(dup)
    assert lax.log_message("c", "user", "third") is None
    assert package_records(chatmrpt_caplog, logging.ERROR)
    for store in backend.stores:
        rows = backend.rows("messages", store)
        assert [(r["message_id"], r["content"]) for r in rows] == [(dup, "first")], store


@pytest.fixture
def unreachable_pg(monkeypatch, tmp_path):
    """A PostgreSQL URL whose socket directory is empty: nothing to connect to."""
    sockdir = tmp_path / "no-server-here"
    sockdir.mkdir()
    monkeypatch.setenv("CHATMRPT_DB_BACKEND", "postgres")
    monkeypatch.setenv("CHATMRPT_DB_POSTGRES_URL",
                       f"postgresql://postgres@/chatmrpt_none?host={sockdir}")
    monkeypatch.setenv("CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S", "2")
    return sockdir


def test_strict_unavailable(unreachable_pg, tmp_path):
    from chatmrpt_db import Error, InteractionLogger, Unavailable

    try:
        pkg = InteractionLogger(db_path=str(tmp_path / "i.db"), strict=True)
    except Unavailable as err:
        assert isinstance(err, Error)
        return
    with pytest.raises(Unavailable) as info:
        pkg.log_message("s", "user", "x")
    assert isinstance(info.value, Error)


def test_non_strict_unavailable_never_raises(unreachable_pg, tmp_path, chatmrpt_caplog):
    from chatmrpt_db import InteractionLogger

    pkg = InteractionLogger(db_path=str(tmp_path / "i.db"))
    assert pkg.log_session_start("s") is False
    assert pkg.log_message("s", "user", "x") is None
    assert pkg.log_llm_interaction("s", "t", "p") is None
    assert pkg.event_logger.log_arena_battle("b", "s", "q", "a", "b") is False
    assert pkg.get_session_history("s") == []
    assert pkg.get_explanations("s") == []
    md = pkg.get_analysis_metadata("s")
    assert isinstance(md, dict) and isinstance(md.get("error"), str), md
    wd = pkg.get_ward_data("s", "W")
    assert isinstance(wd, dict) and isinstance(wd.get("error"), str), wd
    res = pkg.export_to_json("s", output_file=str(tmp_path / "x.json"))
    assert res.get("status") == "error" and isinstance(res.get("message"), str), res
    res = pkg.export_to_csv(output_dir=str(tmp_path / "csv"))
    assert res.get("status") == "error", res
    assert package_records(chatmrpt_caplog, logging.ERROR)
    assert pkg.metrics()["failures"] >= 4


def test_strict_none_session_is_stored_like_non_strict(backend):
    """session_id None is a legacy row with a NULL session (see
    test_bad_input.test_none_session_id_is_stored_without_a_session): strict
    mode stores it too, without raising."""
    pkg = backend.logger(strict=True)
    mid = pkg.log_message(None, "user", "x")
    assert is_uuid4_text(mid)
    for store in backend.stores:
        rows = backend.rows("messages", store)
        assert [(r["message_id"], r["session_id"]) for r in rows] == [(mid, None)], store
        assert backend.rows("sessions", store) == [], store
