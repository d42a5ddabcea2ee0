//! `status --html FILE`, rendered by headless Chromium: every figure the
//! page shows is checked against the stores themselves.
//!
//! Real stores throughout: a corrupt legacy file backfilled into a
//! PostgreSQL schema (quarantined rows), a CLI verify (a recorded run), a
//! dual store over a SQLite file and that schema with rows written through
//! it, writes left in the SQLite outbox while PostgreSQL was unreachable,
//! and two stage changes (history).
//!
//! Chromium is required: without it the test fails (never skips), pointing
//! at `scripts/install-prereqs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chatmrpt_db::{
    BackendKind, Config, DatabaseUrl, DualOptions, Message, MessageRepository, PostgresConfig,
    SessionRepository, SessionStart, Store, Table,
};
use chatmrpt_db_migrate::records;
use chatmrpt_db_migrate::verify::StoreRef;
use chatmrpt_db_testing::legacy::write_corrupted_file;
use chatmrpt_db_testing::pg::TestSchema;
use common::text;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::sqlite::SqliteConnection;

/// A PostgreSQL URL nothing listens on (with a password the page must hide).
const DOWN: &str = "postgres://postgres:hunter2@127.0.0.1:1/down?connect_timeout=1";

/// `chatmrpt-db ARGS` in `dir`, with only the schema taken from the environment.
fn cli(args: &[&str], dir: &Path, schema: &str) -> Output {
    common::command(args, dir)
        .env("CHATMRPT_DB_POSTGRES_SCHEMA", schema)
        .env("CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S", "1")
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// Chromium, or a failure saying how to install it.
fn chromium() -> PathBuf {
    ["chromium", "chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| {
            panic!(
                "chromium not found: this test renders the status page in headless Chromium; \
                 install Debian's `chromium` package (scripts/install-prereqs does)"
            )
        })
}

/// The page as Chromium parsed it (its DOM, serialised).
fn render(page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium: {}", text(&out.stderr));
    let dom = text(&out.stdout);
    assert!(dom.contains("chatmrpt-db status"), "empty DOM: {dom}");
    dom
}

/// The text of the element with `id` in a serialised DOM (`None` when absent).
fn by_id(dom: &str, id: &str) -> Option<String> {
    let at = dom.find(&format!(" id=\"{id}\""))?;
    let open_end = at + dom[at..].find('>')? + 1;
    let mut depth = 0usize;
    let mut out = String::new();
    let mut rest = &dom[open_end..];
    loop {
        let lt = rest.find('<')?;
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let gt = rest.find('>')?;
        if rest.starts_with("</") {
            if depth == 0 {
                return Some(unescape(&out));
            }
            depth -= 1;
        } else if !rest[..gt].ends_with('/') {
            depth += 1;
        }
        rest = &rest[gt + 1..];
    }
}

/// The value of attribute `name` of the element with `id`.
fn attr(dom: &str, id: &str, name: &str) -> Option<String> {
    let at = dom.find(&format!(" id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let tag = &dom[start..at + dom[at..].find('>')?];
    let key = format!(" {name}=\"");
    let from = tag.find(&key)? + key.len();
    Some(unescape(&tag[from..from + tag[from..].find('"')?]))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn number(dom: &str, id: &str) -> u64 {
    let shown = by_id(dom, id).unwrap_or_else(|| panic!("no #{id} on the page"));
    shown
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("#{id} shows {shown:?}, not a number"))
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn pg(schema: &TestSchema) -> PgConnection {
    let mut conn = PgConnection::establish(schema.url()).unwrap();
    diesel::sql_query("SELECT set_config('search_path', $1, false)")
        .bind::<Text, _>(schema.schema())
        .execute(&mut conn)
        .unwrap();
    conn
}

fn count_pg(conn: &mut PgConnection, sql: &str) -> u64 {
    let n: N = diesel::sql_query(sql).get_result(conn).unwrap();
    u64::try_from(n.n).unwrap()
}

fn count_sqlite(conn: &mut SqliteConnection, sql: &str) -> u64 {
    let n: N = diesel::sql_query(sql).get_result(conn).unwrap();
    u64::try_from(n.n).unwrap()
}

/// Row counts of every table, read directly.
fn table_counts(count: &mut dyn FnMut(&str) -> u64) -> BTreeMap<&'static str, u64> {
    Table::ALL
        .iter()
        .map(|t| {
            (
                t.name(),
                count(&format!("SELECT count(*) AS n FROM {}", t.name())),
            )
        })
        .collect()
}

fn dual_config(sqlite: &Path, url: &str, schema: &str) -> Config {
    let mut postgres = PostgresConfig::new(DatabaseUrl::new(url));
    postgres.schema = schema.to_owned();
    postgres.pool_size = 2;
    postgres.connect_timeout_s = 1;
    let mut config = Config {
        backend: BackendKind::Dual,
        postgres: Some(postgres),
        ..Config::default()
    };
    config.sqlite.path = sqlite.to_path_buf();
    config
}

/// Writes a session and `messages` messages through a dual store.
fn write_session(config: &Config, session: &str, messages: usize) {
    let store = Store::open_dual(
        config,
        DualOptions {
            background: false,
            ..DualOptions::default()
        },
    )
    .unwrap();
    store.start_session(&SessionStart::new(session)).unwrap();
    for i in 0..messages {
        store
            .log_message(&Message::new(
                session,
                "user",
                format!("question {i} <b>&</b>"),
            ))
            .unwrap();
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Change {
    #[diesel(sql_type = Text)]
    from_stage: String,
    #[diesel(sql_type = Text)]
    to_stage: String,
    #[diesel(sql_type = Text)]
    changed_by: String,
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Quarantined {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    reason: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Run {
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Bool)]
    equal: bool,
    #[diesel(sql_type = Text)]
    tables: String,
}

#[test]
fn the_status_page_shows_what_the_stores_hold() {
    chromium(); // fails first, before any set-up, when it is missing
    let schema = TestSchema::new();
    let (url, name) = (schema.url(), schema.schema());
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();

    // Quarantined rows: a corrupt legacy file, backfilled.
    let legacy = at.join("legacy.db");
    write_corrupted_file(&legacy, 7).unwrap();
    let legacy_arg = legacy.to_str().unwrap();
    ok(&cli(
        &["backfill", "--source", legacy_arg, "--target", url],
        at,
        name,
    ));

    // A run recorded with a password in its source is stored redacted
    // (here the schema compared with itself, through the library).
    let target = {
        let mut c = PostgresConfig::new(DatabaseUrl::new(url));
        c.schema = name.to_owned();
        c
    };
    let itself = StoreRef::Postgres(target.clone());
    let same = chatmrpt_db_migrate::verify(&itself, &itself).unwrap();
    let mut conn = records::connect(&target).unwrap();
    records::record_verify_run(&mut conn, "postgres://app:hunter2@db/x", &same).unwrap();
    let first = records::last_verify_run(&mut conn).unwrap().unwrap();
    assert_eq!(first.source, "postgres://app:***@db/x");
    assert!(first.equal);

    // The last verify: the CLI records it in the target.
    let verified = cli(
        &["verify", "--source", legacy_arg, "--target", url, "--json"],
        at,
        name,
    );
    // Every row of a fresh backfill is accounted for: the stores agree
    // (quarantined rows and synthesized sessions are known differences).
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();

    // The dual store: migrate, two stage changes, rows through it, and
    // writes left in the SQLite outbox while PostgreSQL was unreachable.
    let pair = ["--sqlite", "app.db", "--postgres", url];
    let with = |rest: &[&'static str]| -> Vec<&str> {
        pair.iter().copied().chain(rest.iter().copied()).collect()
    };
    ok(&cli(&with(&["migrate"]), at, name));
    ok(&cli(
        &with(&["stage", "set", "dual_write", "--by", "html-test"]),
        at,
        name,
    ));
    let app = at.join("app.db");
    write_session(&dual_config(&app, url, name), "session_html_1", 4);
    write_session(&dual_config(&app, DOWN, name), "session_html_2", 2);
    ok(&cli(
        &with(&["stage", "set", "shadow", "--by", "html-<test>"]),
        at,
        name,
    ));

    let page = at.join("out.html");
    let out = cli(&with(&["status", "--html", "out.html"]), at, name);
    ok(&out);
    // Text output is unchanged by --html.
    assert!(
        text(&out.stdout).contains("stage:   shadow"),
        "{}",
        text(&out.stdout)
    );
    let raw = std::fs::read_to_string(&page).unwrap();
    for banned in ["<script", "http://", "https://", "<link", "src=", "hunter2"] {
        assert!(!raw.contains(banned), "the page holds {banned:?}");
    }
    let dom = render(&page);

    // The figures, against the stores.
    let mut lite = SqliteConnection::establish(app.to_str().unwrap()).unwrap();
    let mut pgc = pg(&schema);
    assert_eq!(by_id(&dom, "backend").unwrap(), "dual");
    assert_eq!(by_id(&dom, "stage").unwrap(), "shadow");
    // The stage every host shares, and its history, are PostgreSQL's.
    let history: Vec<Change> = diesel::sql_query(
        "SELECT from_stage, to_stage, changed_by FROM chatmrpt_stage_history ORDER BY id DESC",
    )
    .load(&mut pgc)
    .unwrap();
    assert_eq!(history.len(), 2);
    for (i, change) in history.iter().enumerate() {
        assert_eq!(
            by_id(&dom, &format!("stage-change-{i}-from")).unwrap(),
            change.from_stage
        );
        assert_eq!(
            by_id(&dom, &format!("stage-change-{i}-to")).unwrap(),
            change.to_stage
        );
        assert_eq!(
            by_id(&dom, &format!("stage-change-{i}-by")).unwrap(),
            change.changed_by
        );
    }
    assert_eq!(history[0].changed_by, "html-<test>");
    assert_eq!(
        by_id(&dom, "stage-source").unwrap(),
        "shared by every host, from PostgreSQL"
    );
    // The tools beat no heartbeat: no application process ran.
    assert!(by_id(&dom, "processes-none").is_some());
    assert!(by_id(&dom, "stage-change-2-from").is_none());

    let pending_sqlite = count_sqlite(
        &mut lite,
        "SELECT count(*) AS n FROM chatmrpt_outbox WHERE NOT dead",
    );
    assert_eq!(
        pending_sqlite, 3,
        "a session and two messages wait for PostgreSQL"
    );
    assert_eq!(number(&dom, "outbox-sqlite-pending"), pending_sqlite);
    assert_eq!(
        number(&dom, "outbox-sqlite-dead"),
        count_sqlite(
            &mut lite,
            "SELECT count(*) AS n FROM chatmrpt_outbox WHERE dead"
        )
    );
    assert!(
        attr(&dom, "outbox-sqlite-oldest-age", "data-seconds")
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert_eq!(
        number(&dom, "outbox-postgres-pending"),
        count_pg(
            &mut pgc,
            "SELECT count(*) AS n FROM chatmrpt_outbox WHERE NOT dead"
        )
    );
    assert_eq!(
        number(&dom, "outbox-postgres-dead"),
        count_pg(
            &mut pgc,
            "SELECT count(*) AS n FROM chatmrpt_outbox WHERE dead"
        )
    );

    let on_sqlite = table_counts(&mut |sql| count_sqlite(&mut lite, sql));
    let on_pg = table_counts(&mut |sql| count_pg(&mut pgc, sql));
    assert_eq!(on_sqlite["messages"], 6);
    assert!(
        on_pg["messages"] > 4,
        "the backfilled history and the mirrored rows"
    );
    for table in Table::ALL {
        let t = table.name();
        assert_eq!(
            number(&dom, &format!("count-sqlite-{t}")),
            on_sqlite[t],
            "{t}"
        );
        assert_eq!(
            number(&dom, &format!("count-postgres-{t}")),
            on_pg[t],
            "{t}"
        );
    }

    let last: Run = diesel::sql_query(
        "SELECT source, equal, tables::text AS tables FROM verify_runs ORDER BY id DESC LIMIT 1",
    )
    .get_result(&mut pgc)
    .unwrap();
    assert_eq!(last.equal, verified.status.code() == Some(0));
    assert_eq!(
        attr(&dom, "verify-verdict", "data-equal").unwrap(),
        last.equal.to_string()
    );
    assert_eq!(
        by_id(&dom, "verify-verdict").unwrap(),
        if last.equal {
            "stores agree"
        } else {
            "stores differ"
        }
    );
    assert_eq!(by_id(&dom, "verify-source").unwrap(), last.source);
    assert_eq!(last.source, legacy_arg);
    let stored: serde_json::Value = serde_json::from_str(&last.tables).unwrap();
    let tables = report["tables"].as_array().unwrap();
    assert!(!tables.is_empty());
    assert_eq!(stored.as_array().unwrap().len(), tables.len());
    for t in tables {
        let table = t["table"].as_str().unwrap();
        for (id, field) in [
            ("source-rows", &t["source_rows"]),
            ("target-rows", &t["target_rows"]),
            ("missing", &t["missing"]["count"]),
            ("extra", &t["extra"]["count"]),
            ("differing", &t["differing"]["count"]),
        ] {
            assert_eq!(
                number(&dom, &format!("verify-{table}-{id}")),
                field.as_u64().unwrap(),
                "{table} {id}"
            );
        }
        assert_eq!(
            number(&dom, &format!("verify-{table}-known")),
            t["known"].as_array().unwrap().len() as u64
        );
    }
    assert!(
        !stored.to_string().contains("session_"),
        "keys were recorded: {stored}"
    );
    let redacted = count_pg(
        &mut pgc,
        "SELECT count(*) AS n FROM verify_runs WHERE source LIKE '%hunter2%'",
    );
    assert_eq!(redacted, 0, "a password was stored");

    let quarantined: Vec<Quarantined> = diesel::sql_query(
        "SELECT table_name, reason, count(*) AS n FROM backfill_quarantine \
         GROUP BY table_name, reason ORDER BY table_name, reason",
    )
    .load(&mut pgc)
    .unwrap();
    assert!(
        !quarantined.is_empty(),
        "the corrupt fixture quarantines rows"
    );
    for (i, q) in quarantined.iter().enumerate() {
        assert_eq!(
            by_id(&dom, &format!("quarantine-{i}-table")).unwrap(),
            q.table_name
        );
        assert_eq!(
            by_id(&dom, &format!("quarantine-{i}-reason")).unwrap(),
            q.reason
        );
        assert_eq!(
            number(&dom, &format!("quarantine-{i}-rows")),
            u64::try_from(q.n).unwrap()
        );
    }
    assert!(by_id(&dom, &format!("quarantine-{}-table", quarantined.len())).is_none());
    assert_eq!(
        number(&dom, "quarantine-total"),
        count_pg(&mut pgc, "SELECT count(*) AS n FROM backfill_quarantine")
    );

    // The PostgreSQL store alone shows the same records.
    let out = cli(
        &["--database", url, "status", "--html", "pg.html", "--json"],
        at,
        name,
    );
    ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["recorded"]["last_verify"]["equal"], last.equal);
    let dom = render(&at.join("pg.html"));
    assert_eq!(by_id(&dom, "backend").unwrap(), "postgres");
    assert_eq!(number(&dom, "count-postgres-messages"), on_pg["messages"]);
    assert_eq!(by_id(&dom, "verify-source").unwrap(), last.source);
    assert_eq!(
        number(&dom, "quarantine-total"),
        count_pg(&mut pgc, "SELECT count(*) AS n FROM backfill_quarantine")
    );

    // --no-record records nothing; a run that cannot be recorded warns and
    // keeps the verdict's exit code. The session the dual store has since
    // written is the application's (reported, not a failure); a row written
    // by hand, owned by no source, makes the stores differ.
    diesel::sql_query("INSERT INTO messages (message_id, content) VALUES ('zz-by-hand', 'stray')")
        .execute(&mut pgc)
        .unwrap();
    let runs = count_pg(&mut pgc, "SELECT count(*) AS n FROM verify_runs");
    let again = cli(
        &[
            "verify",
            "--source",
            legacy_arg,
            "--target",
            url,
            "--no-record",
        ],
        at,
        name,
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    let shown = text(&again.stdout);
    assert!(
        shown.contains("messages extra in target: zz-by-hand"),
        "{shown}"
    );
    assert!(shown.contains("written by the application"), "{shown}");
    assert_eq!(
        count_pg(&mut pgc, "SELECT count(*) AS n FROM verify_runs"),
        runs
    );
    diesel::sql_query("ALTER TABLE verify_runs RENAME TO verify_runs_away")
        .execute(&mut pgc)
        .unwrap();
    let unrecorded = cli(
        &["verify", "--source", legacy_arg, "--target", url],
        at,
        name,
    );
    assert_eq!(unrecorded.status.code(), Some(1));
    assert!(
        text(&unrecorded.stderr).contains("warning: the verify result was not recorded"),
        "{}",
        text(&unrecorded.stderr)
    );
    diesel::sql_query("ALTER TABLE verify_runs_away RENAME TO verify_runs")
        .execute(&mut pgc)
        .unwrap();

    // PostgreSQL down: the SQLite figures are all still there.
    let down = cli(
        &[
            "--sqlite",
            "app.db",
            "--postgres",
            DOWN,
            "status",
            "--html",
            "down.html",
            "--json",
        ],
        at,
        name,
    );
    ok(&down);
    let raw = std::fs::read_to_string(at.join("down.html")).unwrap();
    let printed = format!("{}{}", text(&down.stdout), text(&down.stderr));
    assert!(
        !raw.contains("hunter2") && !printed.contains("hunter2"),
        "{raw}"
    );
    assert!(raw.contains("postgres:***@127.0.0.1:1"), "{raw}");
    let json: serde_json::Value = serde_json::from_slice(&down.stdout).unwrap();
    assert!(json["recorded"]["verify_error"].is_string(), "{json}");
    let dom = render(&at.join("down.html"));
    assert!(
        by_id(&dom, "store-error-postgres")
            .unwrap()
            .starts_with("unreadable: "),
    );
    assert!(by_id(&dom, "outbox-postgres-error").is_some());
    assert!(by_id(&dom, "verify-error").is_some());
    assert!(by_id(&dom, "quarantine-error").is_some());
    assert_eq!(number(&dom, "outbox-sqlite-pending"), pending_sqlite);
    for table in Table::ALL {
        let t = table.name();
        assert_eq!(
            number(&dom, &format!("count-sqlite-{t}")),
            on_sqlite[t],
            "{t}"
        );
        assert_eq!(by_id(&dom, &format!("count-postgres-{t}")).unwrap(), "?");
    }
}

#[test]
fn a_page_in_a_missing_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // Only `migrate` creates a log; `status` refuses a missing file.
    let made = cli(&["--sqlite", "app.db", "migrate"], dir.path(), "public");
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let out = cli(
        &[
            "--sqlite",
            "app.db",
            "status",
            "--html",
            "no/such/dir/out.html",
        ],
        dir.path(),
        "public",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no/such/dir") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!dir.path().join("no").exists());
}

#[test]
fn without_postgres_the_page_says_no_verify_run_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    ok(&cli(
        &["--sqlite", "app.db", "migrate"],
        dir.path(),
        "public",
    ));
    ok(&cli(
        &["--sqlite", "app.db", "status", "--html", "page.html"],
        dir.path(),
        "public",
    ));
    let dom = render(&dir.path().join("page.html"));
    assert!(
        by_id(&dom, "verify-none")
            .unwrap()
            .starts_with("no verify run recorded")
    );
    assert_eq!(number(&dom, "count-sqlite-sessions"), 0);
    assert_eq!(by_id(&dom, "backend").unwrap(), "sqlite");
}
