"""Fixtures of the ``chatmrpt_db`` Python suite.

* ``pg_url``: a fresh PostgreSQL database per test. With
  ``CHATMRPT_TEST_DATABASE_URL`` set, that server is used only to
  ``CREATE DATABASE chatmrpt_py_<random>`` (and drop it after); otherwise a
  throwaway cluster is started once per session from the local binaries
  (``initdb``/``pg_ctl`` on PATH or under ``/usr/lib/postgresql/*/bin``), in a
  temp dir, on a free port of 127.0.0.1, trust auth, as the ``postgres`` user
  when running as root. A missing PostgreSQL fails loudly, never skips.
* ``backend``: sqlite, postgres, and dual in each migration stage.
* ``pins``: controls ``chatmrpt_db._legacy.new_id()`` / ``now()``.
* helpers to read stored rows from the SQLite file and, with ``psql``, from
  PostgreSQL, in the legacy storage form (timestamps as legacy text,
  booleans 0/1).
"""

import atexit
import datetime
import gc
import glob
import json
import math
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import pytest

# Naive local time == UTC for every process of the suite (the production
# servers run in UTC), so PostgreSQL's timestamptz and the legacy naive text
# agree whatever the host's zone.
os.environ["TZ"] = "UTC"
time.tzset()

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import reference  # noqa: E402

INSTALL_HINT = (
    "PostgreSQL is required by the chatmrpt_db Python suite and was not found: "
    "install it (`apt-get install -y postgresql postgresql-client`, or run "
    "scripts/install-prereqs), or set CHATMRPT_TEST_DATABASE_URL to a server "
    "where the suite may CREATE DATABASE."
)

BACKENDS = [
    "sqlite",
    "postgres",
    "dual:dual_write",
    "dual:shadow",
    "dual:live",
    "dual:rampdown",
    "dual:complete",
]


# --------------------------------------------------------------------------
# environment isolation
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No CHATMRPT_DB_* / DATABASE_URL leaks in; cwd is the test's tmp dir."""
    for key in list(os.environ):
        if key.startswith("CHATMRPT_DB_") or key == "DATABASE_URL":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    yield


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def _psql_bin():
    found = shutil.which("psql")
    if found:
        return found
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    if cands:
        return cands[-1]
    pytest.fail(INSTALL_HINT + " (psql missing)")


def psql(url, sql, check=True):
    """Runs ``sql`` with psql against ``url``; returns stdout (unaligned, tuples only)."""
    env = dict(os.environ, PGTZ="UTC", PGCONNECT_TIMEOUT="10", PGCLIENTENCODING="UTF8")
    proc = subprocess.run(
        [_psql_bin(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\x1f", "-d", url,
         "-c", sql],
        capture_output=True, env=env, timeout=120,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"psql failed ({proc.returncode}): {proc.stderr.decode('utf-8', 'replace')}")
    return proc.stdout.decode("utf-8")


def _pg_bindir():
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(os.path.realpath(initdb))

    def version(path):
        try:
            return float(path.split("/")[-2])
        except ValueError:
            return 0.0

    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if os.path.exists(os.path.join(bindir, "initdb")) and os.path.exists(
                os.path.join(bindir, "pg_ctl")):
            return bindir
    return None


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """A throwaway PostgreSQL cluster owned by this test session."""

    def __init__(self):
        bindir = _pg_bindir()
        if bindir is None:
            pytest.fail(INSTALL_HINT + " (initdb/pg_ctl missing)")
        self.bindir = bindir
        self.base = tempfile.mkdtemp(prefix="chatmrpt_py_pg_")
        self.data = os.path.join(self.base, "data")
        self.port = _free_port()
        self.prefix = []
        if os.geteuid() == 0:
            # initdb refuses root: run the cluster as the unprivileged user.
            try:
                shutil.chown(self.base, "postgres", "postgres")
            except (LookupError, PermissionError) as err:
                pytest.fail(f"running as root but cannot hand {self.base} to the "
                            f"`postgres` user ({err}). " + INSTALL_HINT)
            os.chmod(self.base, 0o700)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run([os.path.join(bindir, "initdb"), "-D", self.data, "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                f"-c max_connections=500")
        self._run([os.path.join(bindir, "pg_ctl"), "-D", self.data, "-l",
                   os.path.join(self.base, "server.log"), "-w", "-t", "60", "-o", opts,
                   "start"])
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        # Stop the cluster however the run ends: normal teardown, interpreter
        # exit, or SIGTERM (e.g. `timeout`), which becomes a KeyboardInterrupt
        # so pytest still runs its finalizers. (A SIGKILL cannot be caught.)
        self._owner = os.getpid()
        self._stopped = False
        atexit.register(self.stop)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum, frame):
        if os.getpid() != self._owner:  # a forked child: leave the cluster be
            os._exit(128 + signum)
        raise KeyboardInterrupt(f"signal {signum}")

    def _run(self, cmd):
        proc = subprocess.run(self.prefix + cmd, capture_output=True, timeout=180)
        if proc.returncode != 0:
            log = ""
            logf = os.path.join(self.base, "server.log")
            if os.path.exists(logf):
                with open(logf, errors="replace") as f:
                    log = f.read()[-4000:]
            pytest.fail(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                f"{proc.stdout.decode(errors='replace')}\n{proc.stderr.decode(errors='replace')}"
                f"\n{log}")

    def stop(self):
        if self._stopped or os.getpid() != self._owner:
            return
        self._stopped = True
        subprocess.run(self.prefix + [os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                      "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(self.base, ignore_errors=True)


def _with_dbname(url, dbname):
    """``url`` with its database replaced (URI or key=value conninfo)."""
    if "://" in url:
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))
    words = [w for w in url.split() if not w.startswith("dbname=")]
    return " ".join(words + [f"dbname={dbname}"])


@pytest.fixture(scope="session")
def pg_server():
    """Admin URL of the server the suite may create databases on."""
    external = os.environ.get("CHATMRPT_TEST_DATABASE_URL")
    if external:
        yield external
        return
    _psql_bin()  # fail loudly now if the client is missing
    cluster = _Cluster()
    try:
        yield cluster.admin_url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_server):
    """URL of a fresh database for this test, dropped after it."""
    name = "chatmrpt_py_" + uuid.uuid4().hex[:16]
    psql(pg_server, f'CREATE DATABASE "{name}"')
    yield _with_dbname(pg_server, name)
    gc.collect()  # drop the test's loggers (and their pools) first
    try:
        psql(pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except RuntimeError:
        psql(pg_server, f'DROP DATABASE IF EXISTS "{name}"', check=False)


def pg_json(url, sql):
    """Rows of ``sql`` as Python values (through ``json_agg``)."""
    out = psql(url, f"SELECT coalesce(json_agg(q), '[]'::json) FROM ({sql}) q").strip()
    return json.loads(out)


def pg_columns(url, table):
    """``[(column, data_type)]`` of ``table`` in the current schema, in order."""
    rows = pg_json(url, (
        "SELECT column_name::text AS c, data_type::text AS t FROM information_schema.columns "
        f"WHERE table_schema = current_schema() AND table_name = '{table}' "
        "ORDER BY ordinal_position"))
    return [(r["c"], r["t"]) for r in rows]


def _legacy_ts(value):
    """A PostgreSQL timestamptz (json text) as the legacy naive text."""
    dt = datetime.datetime.fromisoformat(value)
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return str(dt)


def _from_pg(value, data_type):
    if value is None:
        return None
    if data_type.startswith("timestamp"):
        return _legacy_ts(value)
    if data_type == "boolean":
        return 1 if value else 0
    if data_type in ("double precision", "real", "numeric"):
        return float(value)  # also "NaN" / "Infinity" strings
    if data_type in ("bigint", "integer", "smallint"):
        return int(value)
    return value


def pg_rows(url, table, where=None):
    """Rows of ``table`` in PostgreSQL, in the legacy storage form, in column order."""
    cols = pg_columns(url, table)
    assert cols, f"table {table} missing in PostgreSQL"
    sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "")
    out = []
    for r in pg_json(url, sql):
        out.append({c: _from_pg(r[c], t) for c, t in cols})
    return out


def sqlite_rows(path, table, where=None, params=()):
    """Rows of ``table`` in a SQLite file, as stored, in column order."""
    import sqlite3

    conn = sqlite3.connect(str(path), timeout=30)
    try:
        cur = conn.execute(
            f"SELECT * FROM {table}" + (f" WHERE {where}" if where else ""), params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        conn.close()


def sqlite_tables(path):
    import sqlite3

    conn = sqlite3.connect(str(path))
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def same_value(a, b):
    """Equality of stored values: same type (int/float/str/None), NaN == NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    return a == b


def assert_same_row(got, want, skip=(), where=""):
    """Column-by-column comparison of a stored row with the reference's row."""
    assert got is not None, f"{where}: row missing"
    want_cols = [c for c in want if c not in skip]
    got_cols = [c for c in got if c not in skip]
    assert got_cols[: len(want_cols)] == want_cols, (
        f"{where}: columns differ: {got_cols} vs reference {want_cols}")
    diffs = [
        (c, got[c], want[c]) for c in want_cols if not same_value(got[c], want[c])
    ]
    assert not diffs, f"{where}: columns differ (column, package, reference): {diffs!r}"


# --------------------------------------------------------------------------
# ids and clock
# --------------------------------------------------------------------------


class Pins:
    """Stands in for ``chatmrpt_db._legacy.new_id`` / ``now``.

    ``pin(id)`` makes the next ``new_id()`` return ``id`` (later calls mint
    fresh uuid4s); ``t`` is what ``now()`` returns until changed.
    """

    START = datetime.datetime(2025, 3, 1, 12, 0, 0, 123456)

    def __init__(self):
        self._pinned = None
        self.t = self.START
        self.calls_new_id = 0
        self.calls_now = 0

    def new_id(self):
        self.calls_new_id += 1
        if self._pinned is not None:
            value, self._pinned = self._pinned, None
            return value
        return str(uuid.uuid4())

    def now(self):
        self.calls_now += 1
        return self.t

    def pin(self, value):
        self._pinned = value

    def clear(self):
        self._pinned = None

    def tick(self, seconds=1.0, microsecond=None):
        self.t = self.t + datetime.timedelta(seconds=seconds)
        if microsecond is not None:
            self.t = self.t.replace(microsecond=microsecond)
        return self.t


@pytest.fixture
def legacy_mod():
    import chatmrpt_db._legacy as mod  # noqa: F401  (the package must provide it)

    return mod


@pytest.fixture
def pins(monkeypatch, legacy_mod):
    p = Pins()
    monkeypatch.setattr(legacy_mod, "new_id", p.new_id)
    monkeypatch.setattr(legacy_mod, "now", p.now)
    assert reference.legacy_module() is legacy_mod, "reference must use chatmrpt_db._legacy"
    return p


def call_both(pkg, ref, pins, name, *args, **kwargs):
    """Calls ``name`` on the package and on the reference with the same id/time.

    Returns ``(package result, reference result, pinned id)``.
    """
    rid = str(uuid.uuid4())
    pins.tick()
    pins.pin(rid)
    got = _resolve(pkg, name)(*args, **kwargs)
    pins.pin(rid)
    want = _resolve(ref, name)(*args, **kwargs)
    pins.clear()
    return got, want, rid


def _resolve(obj, name):
    if name == "log_arena_battle":
        return getattr(obj.event_logger, name)
    return getattr(obj, name)


# --------------------------------------------------------------------------
# backends
# --------------------------------------------------------------------------


class Backend:
    """One configuration of the package: sqlite, postgres, or dual in a stage."""

    def __init__(self, param, monkeypatch, tmp_path, get_pg_url):
        self.param = param
        self.kind, _, stage = param.partition(":")
        self.stage = stage or {"sqlite": "off", "postgres": "complete"}[self.kind]
        self.monkeypatch = monkeypatch
        self.tmp_path = tmp_path
        self.db_path = tmp_path / "i.db"
        self.pg_url = get_pg_url() if self.kind in ("postgres", "dual") else None

    def __repr__(self):
        return f"Backend({self.param})"

    def configure(self):
        mp = self.monkeypatch
        mp.setenv("CHATMRPT_DB_BACKEND", self.kind)
        if self.pg_url:
            mp.setenv("CHATMRPT_DB_POSTGRES_URL", self.pg_url)
        else:
            mp.delenv("CHATMRPT_DB_POSTGRES_URL", raising=False)
        if self.kind == "dual":
            mp.setenv("CHATMRPT_DB_STAGE", self.stage)
        else:
            mp.delenv("CHATMRPT_DB_STAGE", raising=False)

    def logger(self, **kwargs):
        from chatmrpt_db import InteractionLogger

        self.configure()
        kwargs.setdefault("db_path", str(self.db_path))
        return InteractionLogger(**kwargs)

    @property
    def stores(self):
        """The stores every write must reach: ``[(kind, location)]``."""
        if self.kind == "sqlite":
            return [("sqlite", self.db_path)]
        if self.kind == "postgres":
            return [("pg", self.pg_url)]
        if self.stage == "complete":
            return [("pg", self.pg_url)]
        return [("sqlite", self.db_path), ("pg", self.pg_url)]

    def rows(self, table, store=None):
        kind, loc = store or self.stores[0]
        if kind == "sqlite":
            return sqlite_rows(loc, table)
        return pg_rows(loc, table)

    def row_everywhere(self, table, key):
        """``[(store, row or None)]`` of the row with primary key ``key``."""
        pk = reference.PRIMARY_KEY[table]
        out = []
        for store in self.stores:
            found = [r for r in self.rows(table, store) if r[pk] == key]
            assert len(found) <= 1
            out.append((store[0], found[0] if found else None))
        return out


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch, tmp_path):
    return Backend(request.param, monkeypatch, tmp_path,
                   lambda: request.getfixturevalue("pg_url"))


@pytest.fixture(params=["sqlite", "postgres"])
def simple_backend(request, monkeypatch, tmp_path):
    """The two single-store backends (tests whose point is not the stage)."""
    return Backend(request.param, monkeypatch, tmp_path,
                   lambda: request.getfixturevalue("pg_url"))


@pytest.fixture
def sqlite_backend(monkeypatch, tmp_path):
    return Backend("sqlite", monkeypatch, tmp_path, lambda: None)


@pytest.fixture
def ref(tmp_path):
    """A reference logger on its own file."""
    return reference.ReferenceLogger(tmp_path / "reference.db")


def ref_row(ref_logger, table, key):
    pk = reference.PRIMARY_KEY[table]
    rows = sqlite_rows(ref_logger.db_path, table, f"{pk} = ?", (key,))
    assert len(rows) == 1, f"reference has no {table} row {key}"
    return rows[0]


def is_uuid4_text(value):
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def deep_equal(a, b):
    """``a == b`` for read results, with NaN equal to NaN and exact number types."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    return a == b


def first_difference(a, b, path="$"):
    """Where two read results first differ (for assertion messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}[{k!r}]")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if not deep_equal(a, b):
        return f"{path}: {a!r} ({type(a).__name__}) != {b!r} ({type(b).__name__})"
    return None


def assert_same_result(got, want, what=""):
    diff = first_difference(got, want)
    assert diff is None, f"{what}: package result differs from expected at {diff}"


@pytest.fixture
def chatmrpt_caplog(caplog):
    """caplog capturing everything the package logs on ``chatmrpt_db``."""
    import logging

    caplog.set_level(logging.DEBUG, logger="chatmrpt_db")
    return caplog


def package_records(caplog, level):
    return [r for r in caplog.records
            if (r.name == "chatmrpt_db" or r.name.startswith("chatmrpt_db."))
            and r.levelno == level]
