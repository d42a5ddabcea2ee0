"""gunicorn's preload_app model: a logger built (and used) in the parent, then
fork()ed children writing through it; and many threads sharing one logger."""

import os
import signal
import threading
import time

import pytest

from conftest import is_uuid4_text

CHILDREN = 3
PER_CHILD = 50
SID = "fork-session"


def _wait_all(pids, limit_s=600):
    """Exit codes of the children; kills them and fails if they hang (a safety
    net, not a timing assertion)."""
    codes, deadline = {}, time.monotonic() + limit_s
    while len(codes) < len(pids):
        for pid in pids:
            if pid in codes:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes[pid] = os.waitstatus_to_exitcode(status)
        if len(codes) < len(pids):
            if time.monotonic() > deadline:
                for pid in pids:
                    if pid not in codes:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                pytest.fail(f"forked children hung: finished {codes}")
            time.sleep(0.05)
    return codes


def test_fork_children_write_through_parent_logger(backend):
    pkg = backend.logger()
    assert pkg.log_session_start(SID) is True
    first = pkg.log_message(SID, "system", "parent before fork")
    assert is_uuid4_text(first)
    pids = []
    for child in range(CHILDREN):
        pid = os.fork()
        if pid == 0:  # child: never return into pytest
            code = 1
            try:
                ok = True
                for i in range(PER_CHILD):
                    mid = pkg.log_message(SID, "user", f"child {child} msg {i}")
                    ok = ok and is_uuid4_text(mid)
                code = 0 if ok else 1
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        pids.append(pid)
    codes = _wait_all(pids)
    assert all(c == 0 for c in codes.values()), f"child exit codes: {codes}"
    after = pkg.log_message(SID, "system", "parent after fork")
    assert is_uuid4_text(after), after
    contents = [m["content"] for m in pkg.get_session_history(SID)]
    expected = {f"child {c} msg {i}" for c in range(CHILDREN) for i in range(PER_CHILD)}
    assert len(contents) == CHILDREN * PER_CHILD + 2, len(contents)
    assert set(contents) == expected | {"parent before fork", "parent after fork"}
    if backend.kind == "dual":
        # the other store may be owed some of the children's writes (their
        # outbox entries committed with the authoritative write): deliver them
        assert pkg.drain(120.0) is True, f"outbox not drained: {pkg.metrics()}"
    for store in backend.stores:
        rows = backend.rows("messages", store)
        assert len(rows) == CHILDREN * PER_CHILD + 2, (store, len(rows))
        assert len({r["message_id"] for r in rows}) == len(rows)


def test_threads_share_one_logger(backend):
    pkg = backend.logger()
    threads_n, per_thread = 8, 100
    results = [[] for _ in range(threads_n)]
    errors = []
    start = threading.Barrier(threads_n)

    def work(n):
        try:
            start.wait()
            for i in range(per_thread):
                results[n].append(pkg.log_message(f"thread-{n % 2}", "user", f"t{n}-{i}"))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(repr(err))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    ids = [mid for r in results for mid in r]
    assert len(ids) == threads_n * per_thread
    assert all(is_uuid4_text(i) for i in ids), [i for i in ids if not is_uuid4_text(i)][:5]
    assert len(set(ids)) == len(ids)
    got = {m["message_id"] for s in ("thread-0", "thread-1") for m in pkg.get_session_history(s)}
    assert got == set(ids)
    for store in backend.stores:
        assert {r["message_id"] for r in backend.rows("messages", store)} == set(ids), store
