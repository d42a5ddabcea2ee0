"""Per-call cost of the `chatmrpt_db` drop-in against the legacy writer, from Python.

The legacy side is the project's reference of the legacy `InteractionLogger`
(crates/chatmrpt-db-python/tests/reference.py): plain `sqlite3`, a new
connection per call, INSERT (and the session touch) and a commit, no PRAGMA,
so the default rollback journal and `synchronous = FULL`;
`log_session_start` is its `INSERT OR REPLACE`. Each operation runs on a fresh
file per side in one temporary directory (`BENCH_DIR`, else the system's).

    scripts/bench-python                # N=2000 calls per operation
    N=500 PYTHON=/path/to/python scripts/bench-python

Prints a Markdown table. The machine may be shared: compare the ratios.
"""

import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "crates" / "chatmrpt-db-python" / "tests"))

for _var in [v for v in os.environ if v.startswith("CHATMRPT_DB_")]:
    del os.environ[_var]  # the drop-in on its embedded SQLite default

from chatmrpt_db import InteractionLogger  # noqa: E402
from reference import ReferenceLogger  # noqa: E402

N = int(os.environ.get("N", "2000"))
THREADS = 8
HISTORY_MESSAGES = 500
SESSIONS = [f"session_20250728_1015{n:02d}" for n in range(30)]
RESPONSE_20KB = ("The wards most at risk are Dala, Gwale and Fagge. " * 410)[:20_000]
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
WARMUP = 20


class Failures:
    """Counts the calls that returned the failure value (None / False)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def check(self, value):
        if value is None or value is False:
            with self.lock:
                self.count += 1


def make(side, path):
    if side == "legacy":
        logger = ReferenceLogger(db_path=str(path))
    else:
        # The drop-in's durability setting (sqlite.synchronous), read when
        # the logger is built.
        os.environ["CHATMRPT_DB_SQLITE_SYNCHRONOUS"] = "full" if side == "drop-in full" else "normal"
        try:
            logger = InteractionLogger(db_path=str(path))
        finally:
            del os.environ["CHATMRPT_DB_SQLITE_SYNCHRONOUS"]
    for sid in SESSIONS:
        logger.log_session_start(sid, browser_info=UA, ip_address="10.0.0.1")
    return logger


def op_log_message(logger, i):
    return logger.log_message(SESSIONS[i % 30], "user", f"Which wards are most at risk? #{i}",
                              intent="question", entities={"state": "Kano"})


def op_log_session_start(logger, i):
    return logger.log_session_start(SESSIONS[i % 30], browser_info=UA, ip_address="10.0.0.1")


def op_log_llm_interaction(logger, i):
    return logger.log_llm_interaction(SESSIONS[i % 30], "chat", f"prompt #{i}",
                                      prompt_context="You are ChatMRPT.", response=RESPONSE_20KB,
                                      tokens_used=4200, latency=1.25, enhanced_timing={"llm_s": 1.2})


def setup_history(logger):
    for i in range(HISTORY_MESSAGES):
        logger.log_message("history", "user" if i % 2 else "assistant", f"message {i}",
                           entities={"i": i})


def op_get_session_history(logger, _i):
    rows = logger.get_session_history("history")
    return rows if len(rows) == HISTORY_MESSAGES else None


OPERATIONS = [
    ("log_message", None, op_log_message),
    ("log_session_start", None, op_log_session_start),
    ("log_llm_interaction (20 KB response)", None, op_log_llm_interaction),
    (f"get_session_history ({HISTORY_MESSAGES} messages)", setup_history, op_get_session_history),
]


def time_calls(logger, op, n, failures):
    for i in range(WARMUP):
        failures.check(op(logger, -1 - i))
    start = time.perf_counter()
    for i in range(n):
        failures.check(op(logger, i))
    return (time.perf_counter() - start) / n * 1e6


def threaded_throughput(path, threads, n, failures):
    """Messages per second with `threads` threads sharing one drop-in logger."""
    logger = make("drop-in", path)
    for i in range(WARMUP):
        failures.check(op_log_message(logger, i))
    per_thread = n // threads
    barrier = threading.Barrier(threads + 1)

    def worker(t):
        barrier.wait()
        for i in range(per_thread):
            failures.check(logger.log_message(SESSIONS[(t * 7 + i) % 30], "user", f"t{t} #{i}"))

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return per_thread * threads / (time.perf_counter() - start)


def journal(path):
    con = sqlite3.connect(path)
    try:
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
        sync = con.execute("PRAGMA synchronous").fetchone()[0]
        return mode, sync
    finally:
        con.close()


def filesystem(path):
    best = ("?", "?")
    path = os.path.realpath(path)
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _dev, mnt, fstype = line.split()[:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best[0]):
                best = (mnt, fstype)
    return f"{best[1]} (mounted at {best[0]})"


def main():
    work = tempfile.mkdtemp(prefix="bench-python.", dir=os.environ.get("BENCH_DIR"))
    sides = ("legacy", "drop-in", "drop-in full")
    failures = {side: Failures() for side in sides}
    rows, modes = [], {}
    try:
        for k, (name, setup, op) in enumerate(OPERATIONS):
            result = {}
            for side in sides:
                path = Path(work) / f"{k}-{side.replace(' ', '-')}.db"
                logger = make(side, path)
                if setup:
                    setup(logger)
                result[side] = time_calls(logger, op, N, failures[side])
                modes[side] = journal(path)
                del logger
            rows.append((name, result["legacy"], result["drop-in"], result["drop-in full"]))
        thread_failures = Failures()
        one = threaded_throughput(Path(work) / "threads-1.db", 1, N, thread_failures)
        many = threaded_throughput(Path(work) / f"threads-{THREADS}.db", THREADS, N, thread_failures)
    finally:
        for f in Path(work).glob("*"):
            f.unlink()
        os.rmdir(work)

    print(f"chatmrpt_db drop-in vs the legacy writer, {N} calls per operation, "
          f"Python {sys.version.split()[0]}, files on {filesystem(work)}\n")
    print("| operation | legacy µs/call | drop-in µs/call | legacy / drop-in | "
          "drop-in, synchronous=full µs/call | legacy / drop-in full |")
    print("|---|---|---|---|---|---|")
    for name, legacy, dropin, full in rows:
        print(f"| {name} | {legacy:,.1f} | {dropin:,.1f} | {legacy / dropin:.2f}x | "
              f"{full:,.1f} | {legacy / full:.2f}x |")
    ratios = [legacy / dropin for _, legacy, dropin, _ in rows]
    print(f"\nGeometric mean of the ratios: {statistics.geometric_mean(ratios):.2f}x "
          "(above 1: the drop-in is faster).")
    print(f"\n{THREADS} Python threads on one drop-in logger: {many:,.0f} messages/s in all, "
          f"against {one:,.0f} with one thread: {many / one:.2f}x.")
    sync_names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    lj, ls = modes["legacy"]
    dj, _ = modes["drop-in"]
    fj, _ = modes["drop-in full"]
    print("\nDurability:")
    print(f"- legacy: journal_mode={lj} (rollback journal), synchronous={sync_names.get(ls, ls)} "
          "(SQLite's default; a commit survives a power loss).")
    print(f"- drop-in: journal_mode={dj}, synchronous=NORMAL (the default of sqlite.synchronous, "
          "set on every pooled connection): a commit survives an application crash; a "
          "power loss can lose the last commits, never corrupt the file.")
    print(f"- drop-in full: journal_mode={fj}, synchronous=FULL (sqlite.synchronous = \"full\"): "
          "a commit survives a power loss, as the legacy one does.")
    fails = {side: f.count for side, f in failures.items()}
    print(f"\nCalls that returned the failure value: legacy {fails['legacy']}, "
          f"drop-in {fails['drop-in']}, drop-in full {fails['drop-in full']}, "
          f"threads {thread_failures.count}.")
    return 1 if any(fails.values()) or thread_failures.count else 0


if __name__ == "__main__":
    sys.exit(main())
