//! Every command that takes a SQLite file or a connection string, given the
//! wrong thing: one line on stderr, exit 2, no panic, no password, and the
//! file and its neighbours (`-wal`, `-shm`, `-journal`) exactly as they were.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;

use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use common::{chatmrpt_db, command, text};

/// An address nothing listens on: a command that reached it would fail
/// differently (and slowly); these must fail before any connection.
const NOWHERE: &str = "postgres://app:hunter2@127.0.0.1:9/chatmrpt?connect_timeout=1";

/// The files a case starts from.
fn make(kind: &str, dir: &Path) -> PathBuf {
    let path = dir.join("input.db");
    match kind {
        "missing" => {}
        "zero-byte" => std::fs::write(&path, b"").unwrap(),
        "text" => std::fs::write(&path, b"session_id,start_time\ns1,2025-07-28\n").unwrap(),
        "other-app" => {
            let out = std::process::Command::new("sqlite3")
                .arg(&path)
                .arg("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
                .output()
                .unwrap();
            assert!(out.status.success(), "sqlite3: {}", text(&out.stderr));
        }
        "legacy" => {
            write_legacy_file(&path, Release::NoteEra, 0.01, 7).unwrap();
        }
        other => panic!("unknown input {other}"),
    }
    path
}

/// The bytes of the file and of each neighbour SQLite could leave.
fn snapshot(path: &Path) -> Vec<Option<Vec<u8>>> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::read(PathBuf::from(name)).ok()
        })
        .collect()
}

fn args_for(cmd: &str, file: &str) -> Vec<String> {
    let pair = |rest: &[&str]| {
        let mut v = vec!["--sqlite".to_owned(), file.to_owned()];
        v.extend(["--postgres".to_owned(), NOWHERE.to_owned()]);
        v.extend(rest.iter().map(|s| (*s).to_owned()));
        v
    };
    match cmd {
        "status" => vec!["--sqlite".into(), file.into(), "status".into()],
        "status --json" => vec![
            "--sqlite".into(),
            file.into(),
            "status".into(),
            "--json".into(),
        ],
        "migrate" => vec!["--sqlite".into(), file.into(), "migrate".into()],
        "stage" => pair(&["stage"]),
        "stage set" => pair(&["stage", "set", "dual_write"]),
        "outbox" => pair(&["outbox"]),
        "outbox replay" => pair(&["outbox", "replay"]),
        other => panic!("unknown command {other}"),
    }
}

/// What each (command, input) must say: a piece of its one line.
fn expected(cmd: &str, kind: &str) -> &'static str {
    match (cmd, kind) {
        ("migrate", "zero-byte") => "",
        (_, "missing") => "no such file",
        (_, "zero-byte") => "an empty database",
        // A look inspects the file itself (read-only) and says what it is.
        ("status" | "status --json", "text") => "not a SQLite database",
        _ => "not a ChatMRPT log under management",
    }
}

#[test]
fn commands_refuse_a_file_that_is_not_a_managed_log_and_leave_it_unchanged() {
    let commands = [
        "status",
        "status --json",
        "migrate",
        "stage",
        "stage set",
        "outbox",
        "outbox replay",
    ];
    let inputs = ["missing", "zero-byte", "text", "other-app", "legacy"];
    let mut outcomes = Vec::new();
    for cmd in commands {
        for kind in inputs {
            if (cmd, kind) == ("migrate", "missing") || (cmd, kind) == ("migrate", "zero-byte") {
                continue; // migrate creates a new log there: that is its job.
            }
            if cmd.starts_with("status") && kind == "legacy" {
                continue; // a look reports on it: a_look_at_a_legacy_file_reports_it_unchanged
            }
            let dir = tempfile::tempdir().unwrap();
            let path = make(kind, dir.path());
            let before = snapshot(&path);
            let out = chatmrpt_db(&args_for(cmd, "input.db"), dir.path());
            let stderr = text(&out.stderr);
            let case = format!("{cmd} on {kind}");
            assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{case}: {stderr}");
            assert!(stderr.contains(expected(cmd, kind)), "{case}: {stderr}");
            assert!(
                !stderr.contains("hunter2") && !stderr.contains("panicked"),
                "{case}: {stderr}"
            );
            assert!(
                !stderr.contains("timed out"),
                "{case}: reached a pool timeout: {stderr}"
            );
            assert_eq!(
                snapshot(&path),
                before,
                "{case}: the file or a neighbour changed"
            );
            outcomes.push(format!("{case}: exit 2, {}", stderr.trim()));
        }
    }
    eprintln!("{}", outcomes.join("\n"));
}

#[test]
fn empty_partial_and_foreign_connection_strings_are_refused_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    write_legacy_file(dir.path().join("legacy.db"), Release::NoteEra, 0.01, 3).unwrap();
    let urls = [
        ("", "empty"),
        ("   ", "empty"),
        ("postgres://", "no host"),
        ("postgres://app:hunter2@127.0.0.1:9", "no database"),
        ("sqlite://x.db", "not a PostgreSQL URI"),
        ("mysql://app:hunter2@127.0.0.1/x", "not a PostgreSQL URI"),
        ("dbname=chatmrpt", "no host"),
    ];
    for (url, why) in urls {
        for args in [
            vec!["backfill", "--source", "legacy.db", "--target", url],
            vec!["verify", "--source", "legacy.db", "--target", url],
            vec!["--database", url, "status"],
        ] {
            let case = format!("{args:?}");
            let out = chatmrpt_db(&args, dir.path());
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{case}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{case}: {stderr}");
            // verify and --database read `sqlite://` as a file (missing here).
            let file_target = url.starts_with("sqlite://") && args[0] != "backfill";
            if !file_target && (args[0] != "--database" || url.starts_with("postgres")) {
                assert!(stderr.contains(why), "{case}: {stderr}");
            }
            assert!(!stderr.contains("hunter2"), "{case}: {stderr}");
        }
    }
}

#[test]
fn a_closed_stdout_ends_the_command_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let mut child = command(&["grants", "--role", "chatmrpt_app"], dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end at once, as `| head -c 0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn command_line_mistakes_get_one_line_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--frobnicate", "status"], "--frobnicate"),
        (&["stage", "set", "warp_speed"], "warp_speed"),
        (&["backfill"], "--source"),
        (&["outbox", "retry-dead", "--id", "x"], "x"),
        (&["no-such-command"], "no-such-command"),
    ];
    for (args, named) in cases {
        let out = chatmrpt_db(args, dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            stderr.trim_end().ends_with("(see --help)"),
            "{args:?}: {stderr}"
        );
    }
    // Help is still help: many lines on stdout, exit 0.
    let out = chatmrpt_db(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).lines().count() > 5);
    assert!(
        dir.path().read_dir().unwrap().next().is_none(),
        "nothing created"
    );
}

/// A legacy file whose writer was killed mid-transaction: its rollback
/// journal is hot (made here by a `sqlite3` shell that kills itself inside
/// an open write transaction that has spilled pages into the file).
fn with_hot_journal(dir: &Path) -> PathBuf {
    let path = dir.join("legacy.db");
    write_legacy_file(&path, Release::NoteEra, 0.01, 5).unwrap();
    let script = "PRAGMA cache_size = 1;\nBEGIN IMMEDIATE;\n\
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
        INSERT INTO messages (message_id, session_id, sender, content) \
        SELECT 'hot' || i, 's', 'u', hex(randomblob(250)) FROM n;\n\
        .shell kill -9 $PPID\n";
    let mut shell = std::process::Command::new("sqlite3")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    shell
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let status = shell.wait().unwrap();
    assert!(!status.success(), "the writer must die mid-transaction");
    let journal = dir.join("legacy.db-journal");
    assert!(
        std::fs::metadata(&journal).unwrap().len() > 0,
        "a hot journal"
    );
    path
}

#[test]
fn a_hot_journal_is_named_and_left_for_a_read_write_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_hot_journal(dir.path());
    let before = snapshot(&path);
    for args in [
        vec!["--sqlite", "legacy.db", "status"],
        vec!["backfill", "--source", "legacy.db", "--target", NOWHERE],
        vec!["verify", "--source", "legacy.db", "--target", NOWHERE],
    ] {
        let out = chatmrpt_db(&args, dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("legacy.db-journal"), "{args:?}: {stderr}");
        assert!(stderr.contains("read-write"), "{args:?}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{args:?}: {stderr}");
        assert_eq!(
            snapshot(&path),
            before,
            "{args:?}: the file and its journal are untouched"
        );
    }
}

#[test]
fn a_look_at_a_legacy_file_reports_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = make("legacy", dir.path());
    let before = snapshot(&path);
    let out = chatmrpt_db(&args_for("status", "input.db"), dir.path());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("not adopted"), "{stdout}");
    assert!(stdout.contains("chatmrpt-db adopt input.db"), "{stdout}");
    let counted = |table: &str| -> u64 {
        let out = std::process::Command::new("sqlite3")
            .arg(&path)
            .arg(format!("SELECT count(*) FROM {table}"))
            .output()
            .unwrap();
        text(&out.stdout).trim().parse().unwrap()
    };
    let sessions_line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("sessions "))
        .expect("a sessions line");
    let shown: u64 = sessions_line
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(shown, counted("sessions"), "{stdout}");
    assert!(shown > 0, "the fixture has sessions");

    let out = chatmrpt_db(&args_for("status --json", "input.db"), dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["managed"], false);
    assert_eq!(report["legacy_log"], true);
    let tables = report["tables"].as_array().unwrap();
    let messages = tables
        .iter()
        .find(|t| t[0] == "messages")
        .expect("messages listed");
    assert_eq!(messages[1].as_u64(), Some(counted("messages")));
    assert_eq!(
        snapshot(&path),
        before,
        "the file and its neighbours are unchanged"
    );
}
