"""The drop-in under ChatMRPT's deployment shape: gunicorn, preload, a killed worker.

examples/flask_app builds ONE `InteractionLogger` in the gunicorn master
(`preload_app = True`), so every worker uses an object made before its fork.
Six client threads send ~300 requests over ~30 sessions; midway one worker is
SIGKILLed and gunicorn forks a new one (and `MAX_REQUESTS` recycles workers
throughout). A request cut off by the kill may fail; every request
acknowledged with 200 must have its rows in the store, with the values sent,
and nothing may be logged at ERROR by the package nor any traceback printed.

Cases: SQLite alone, and dual write (`CHATMRPT_DB_STAGE=dual_write`) against a
real PostgreSQL (`pg_url` from conftest.py), where every acknowledged row must
also reach PostgreSQL (the outbox drains) within 60 s.
"""

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP_DIR = ROOT / "examples" / "flask_app"
CLIENTS = 6
REQUESTS_PER_CLIENT = 50  # 300 in all
SESSIONS = 30
MAX_REQUESTS = 60  # recycle each worker a few times during the run
REQUEST_TIMEOUT_S = 30
# The kill cuts off at most the request the worker was serving (sync workers
# accept one connection at a time); anything beyond a handful is a real fault.
MAX_FAILED_REQUESTS = 10
PACKAGE_ERROR = re.compile(r"\[(ERROR|CRITICAL)\] chatmrpt")
FORBIDDEN = ("Traceback", "panicked at", "WORKER TIMEOUT", "Worker failed to boot")
WORKER_SIGNALLED = re.compile(r"Worker \(pid:(\d+)\) was sent (SIG\w+)")
BACKTRACE_FRAME = re.compile(r"^\s+(\d+:|at )")


def gunicorn_command():
    """gunicorn next to this interpreter (the venv's), else `python -m gunicorn`."""
    exe = Path(sys.executable).parent / "gunicorn"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid):
    """The live children of `pid` (gunicorn's workers when `pid` is the master)."""
    pids = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids.update(int(p) for p in (task / "children").read_text().split())
    except FileNotFoundError:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids.update(int(p) for p in out.stdout.split())
    return {p for p in pids if _is_alive(p)}


def _is_alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_for(condition, timeout_s, interval_s=0.2):
    """Poll `condition()` until it returns a truthy value or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval_s)


def call(base, method, path, sid=None, body=None, headers=None):
    """One request: (status, parsed JSON or error text); status None when no
    HTTP response came back (connection reset, timeout)."""
    hdrs = {"User-Agent": "test-gunicorn/1.0 (pytest)", **(headers or {})}
    if sid is not None:
        hdrs["X-Session-Id"] = sid
    req = urllib.request.Request(base + path, data=body, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
        return None, repr(e)


class Gunicorn:
    """A gunicorn master serving examples/flask_app, its stderr in a file."""

    def __init__(self, tmp_path, extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_file = tmp_path / "instance" / "interactions.db"
        self.stderr_path = tmp_path / "gunicorn.stderr"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATMRPT_DB_")}
        env.update(
            BIND=f"127.0.0.1:{self.port}",
            INTERACTIONS_DB_FILE=str(self.db_file),
            MAX_REQUESTS=str(MAX_REQUESTS),
            PYTHONUNBUFFERED="1",
            **extra_env,
        )
        cmd = gunicorn_command() + [
            "-c", str(APP_DIR / "gunicorn.conf.py"), "--chdir", str(APP_DIR), "app:create_app()",
        ]
        self.stderr = open(self.stderr_path, "wb")
        self.stdout = open(tmp_path / "gunicorn.stdout", "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.stdout, stderr=self.stderr,
                                     start_new_session=True)

    def stderr_text(self):
        return self.stderr_path.read_text(errors="replace")

    def wait_healthy(self):
        def healthy():
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.proc.returncode}):\n{self.stderr_text()}")
            status, _ = call(self.base, "GET", "/health", sid="health-probe")
            return status == 200 and len(self.workers()) == 2

        assert wait_for(healthy, 60), f"gunicorn never became healthy:\n{self.stderr_text()}"

    def workers(self):
        return child_pids(self.proc.pid)

    def stop(self):
        """SIGTERM (graceful) and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
                pytest.fail(f"gunicorn did not stop within 60 s of SIGTERM:\n{self.stderr_text()}")
        self.stderr.close()
        self.stdout.close()
        return self.proc.returncode

    def kill_all(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def session_ids():
    """Opaque session ids of the forms ChatMRPT mints (legacy-schema.md)."""
    ids = []
    for n in range(SESSIONS):
        form = n % 3
        if form == 0:
            ids.append(f"session_20250728_1015{n:02d}")
        elif form == 1:
            ids.append(f"{uuid.uuid4()}__conv{n}")
        else:
            ids.append(str(uuid.uuid4()))
    return ids


def one_request(base, client, i, sids):
    """Request `i` of client `client`: 3/5 chat, 1/5 upload, 1/5 health."""
    sid = sids[(client * 7 + i) % len(sids)]
    kind = ("chat", "chat", "chat", "upload", "health")[(client + i) % 5]
    if kind == "chat":
        message = f"Which wards are most at risk? client {client} #{i} — Kano ñ"
        status, body = call(base, "POST", "/chat", sid, json.dumps({"message": message}).encode(),
                            {"Content-Type": "application/json"})
        sent = {"message": message}
    elif kind == "upload":
        name, data = f"wards_{client}_{i}.csv", b"ward,score\n" + b"Dala,0.7\n" * (i + 1)
        status, body = call(base, "POST", "/upload", sid, data,
                            {"X-File-Name": name, "Content-Type": "text/csv"})
        sent = {"file_name": name, "file_size": len(data)}
    else:
        status, body = call(base, "GET", "/health", sid)
        sent = {}
    return {"kind": kind, "sid": sid, "sent": sent, "status": status, "body": body}


def run_load(server, sids):
    """Run the clients; SIGKILL one worker once a third of the requests are
    done. Returns (results, client exceptions, the killed pid)."""
    results, errors, done = [], [], [0]
    lock = threading.Lock()

    def client(c):
        try:
            for i in range(REQUESTS_PER_CLIENT):
                r = one_request(server.base, c, i, sids)
                with lock:
                    results.append(r)
                    done[0] += 1
        except Exception as e:  # noqa: BLE001 - reported by the test
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    total = CLIENTS * REQUESTS_PER_CLIENT
    wait_for(lambda: done[0] >= total // 3 or not any(t.is_alive() for t in threads), 300)
    assert done[0] < total, "the load finished before the kill; nothing was tested"
    workers = server.workers()
    assert workers, f"no worker to kill:\n{server.stderr_text()}"
    victim = max(workers)  # the newest: the least likely to be exiting for max_requests
    os.kill(victim, signal.SIGKILL)
    replaced = wait_for(lambda: victim not in server.workers() and len(server.workers()) == 2, 60)
    for t in threads:
        t.join(REQUESTS_PER_CLIENT * REQUEST_TIMEOUT_S)
    assert not any(t.is_alive() for t in threads), "a client thread never finished"
    assert replaced, f"gunicorn did not replace the killed worker {victim}:\n{server.stderr_text()}"
    return results, errors, victim


def expected_rows(acks):
    """What the store must hold for the acknowledged requests, per table:
    {id: the values the request logged}."""
    rows = {"messages": {}, "llm_interactions": {}, "analysis_events": {}, "file_uploads": {}}
    sessions, uploaded = set(), set()
    for r in acks:
        b, sid = r["body"], r["sid"]
        sessions.add(sid)
        if r["kind"] == "chat":
            msg = r["sent"]["message"]
            rows["messages"][b["user_message_id"]] = (sid, "user", msg)
            rows["messages"][b["assistant_message_id"]] = (sid, "assistant", f"Echo: {msg}")
            rows["llm_interactions"][b["interaction_id"]] = (sid, "chat", msg)
            rows["analysis_events"][b["event_id"]] = (sid, "chat_response")
        elif r["kind"] == "upload":
            s = r["sent"]
            rows["file_uploads"][b["upload_id"]] = (sid, s["file_name"], s["file_size"])
            uploaded.add(sid)
        else:
            rows["analysis_events"][b["event_id"]] = (None, "endpoint_response_timing")
    return rows, sessions, uploaded


QUERIES = {
    "messages": "SELECT message_id, session_id, sender, content FROM messages",
    "llm_interactions": "SELECT interaction_id, session_id, prompt_type, prompt FROM llm_interactions",
    "analysis_events": "SELECT event_id, session_id, event_type FROM analysis_events",
    "file_uploads": "SELECT upload_id, session_id, file_name, file_size FROM file_uploads",
}
SESSIONS_QUERY = "SELECT session_id, files_uploaded FROM sessions"


def differences(expected, stored, sessions, uploaded, stored_sessions):
    """Every acknowledged row missing or different in `stored`, as text."""
    problems = []
    for table, rows in expected.items():
        have = stored[table]
        missing = [k for k in rows if k not in have]
        wrong = [(k, rows[k], have[k]) for k in rows if k in have and have[k] != rows[k]]
        if missing:
            problems.append(f"{table}: {len(missing)} of {len(rows)} acknowledged rows missing, e.g. {missing[:3]}")
        if wrong:
            problems.append(f"{table}: {len(wrong)} rows differ (id, sent, stored), e.g. {wrong[:2]}")
    missing_sessions = sorted(sessions - stored_sessions.keys())
    if missing_sessions:
        problems.append(f"sessions missing: {missing_sessions[:5]}")
    not_flagged = sorted(s for s in uploaded if s in stored_sessions and not stored_sessions[s])
    if not_flagged:
        problems.append(f"files_uploaded not set (reset by a later session start?) for {not_flagged[:5]}")
    return problems


def read_sqlite(path):
    con = sqlite3.connect(path, timeout=10)
    try:
        stored = {t: {r[0]: tuple(r[1:]) for r in con.execute(q)} for t, q in QUERIES.items()}
        sess = {r[0]: r[1] in (1, True) for r in con.execute(SESSIONS_QUERY)}
        return stored, sess
    finally:
        con.close()


SEP = "\x1f"


def psql_rows(url, query):
    out = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-F", SEP, "-d", url, "-c", query],
        capture_output=True, text=True, timeout=30,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return [line.split(SEP) for line in out.stdout.splitlines()]


def read_postgres(url):
    def value(v):
        return None if v == "" else v

    stored = {}
    for table, query in QUERIES.items():
        rows = {}
        for r in psql_rows(url, query):
            vals = [value(v) for v in r[1:]]
            if table == "file_uploads" and vals[2] is not None:
                vals[2] = int(vals[2])
            rows[r[0]] = tuple(vals)
        stored[table] = rows
    sess = {r[0]: r[1] == "t" for r in psql_rows(url, SESSIONS_QUERY)}
    return stored, sess


def wait_for_postgres(url, expected, sessions, uploaded):
    """Poll PostgreSQL (60 s) until it holds every acknowledged row; returns
    the problems left (empty when drained)."""
    last = ["never read"]

    def drained():
        try:
            stored, sess = read_postgres(url)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            last[:] = [f"psql: {e}"]
            return False
        last[:] = differences(expected, stored, sessions, uploaded, sess)
        return not last

    wait_for(drained, 60, interval_s=1.0)
    return last


def package_errors(stderr, victim):
    """Lines that show a fault: an ERROR from the package, a traceback or a
    Rust panic, a hung worker, or a worker that died of a signal other than
    the test's SIGKILL of `victim` (a crash: SIGSEGV, SIGABRT, ...) and the
    master's SIGTERM once it is stopping."""
    bad = []
    stopping = False
    for line in stderr.splitlines():
        # The master's own stop: it sends SIGTERM to every worker, and one
        # that was already restarting (max_requests) is logged as signalled.
        stopping = stopping or "Handling signal: term" in line
        died = WORKER_SIGNALLED.search(line)
        stopped = died and stopping and died.group(2) == "SIGTERM"
        if (PACKAGE_ERROR.search(line) or any(f in line for f in FORBIDDEN)
                or (died and int(died.group(1)) != victim and not stopped)):
            bad.append(line)
    return bad


def lifecycle(stderr):
    """The server's log without backtrace frames, for failure messages."""
    return "\n".join(line for line in stderr.splitlines() if not BACKTRACE_FRAME.match(line))


@pytest.mark.parametrize("backend", ["sqlite", "dual"])
def test_every_acknowledged_request_has_its_rows_after_a_worker_is_killed(backend, tmp_path, request):
    pg_url = None
    extra_env = {}
    if backend == "dual":
        pg_url = request.getfixturevalue("pg_url")
        extra_env = {"CHATMRPT_DB_BACKEND": "dual", "CHATMRPT_DB_POSTGRES_URL": pg_url,
                     "CHATMRPT_DB_STAGE": "dual_write"}
    server = Gunicorn(tmp_path, extra_env)
    try:
        server.wait_healthy()
        status, metrics = call(server.base, "GET", "/metrics", sid="metrics-probe")
        assert status == 200, metrics
        assert metrics["backend"] == backend, metrics
        if backend == "dual":
            assert metrics["stage"] == "dual_write", metrics

        results, client_errors, victim = run_load(server, session_ids())
        assert not client_errors, client_errors
        http_errors = [r for r in results if r["status"] not in (200, None)]
        assert not http_errors, f"requests answered with an error: {http_errors[:3]}\n{server.stderr_text()}"
        failed = [r for r in results if r["status"] is None]
        assert len(failed) <= MAX_FAILED_REQUESTS, f"{len(failed)} requests failed: {failed[:3]}"
        acks = [r for r in results if r["status"] == 200]
        unlogged = [r for r in acks
                    if r["body"]["session_logged"] is not True
                    or any(v is None for k, v in r["body"].items() if k.endswith("_id"))]
        assert not unlogged, f"the logger returned a failure value: {unlogged[:3]}"
        expected, sessions, uploaded = expected_rows(acks)

        pg_problems = []
        if pg_url:
            pg_problems = wait_for_postgres(pg_url, expected, sessions, uploaded)
    except BaseException:
        server.kill_all()
        raise
    returncode = server.stop()

    stderr = server.stderr_text()
    assert returncode == 0, f"gunicorn exited {returncode}:\n{stderr}"
    stored, stored_sessions = read_sqlite(server.db_file)
    problems = differences(expected, stored, sessions, uploaded, stored_sessions)
    assert not problems, f"SQLite after {len(acks)} acknowledged requests: {problems}"
    assert not pg_problems, f"PostgreSQL 60 s after the load: {pg_problems}"
    faults = package_errors(stderr, victim)
    assert not faults, (f"faults in the server's stderr (killed worker: {victim}):\n"
                        + "\n".join(faults[:20]) + "\n--- server log ---\n" + lifecycle(stderr))
