//! Every command given the wrong thing, as tables: one file per command.
//!
//! Each case names a command line (`FILE` stands for the input's path), an
//! input to start from, the exit code and a piece of what the command must
//! say. Every case also checks: no panic, no password, no pool timeout (a
//! failure is reached through a direct connection), a failing command
//! prints exactly one line on stderr, and the input file and its neighbours
//! (`-wal`, `-shm`, `-journal`) are byte for byte what they were, including
//! neighbours that did not exist. The outcomes are printed (`--nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

#[path = "../common/mod.rs"]
mod common;

mod adopt;
mod backfill;
mod clock;
mod grants;
mod migrate;
mod outbox;
mod stage;
mod status;
mod usage;
mod verify;

use chatmrpt_db_testing::legacy::{Release, write_legacy_file};
use common::{command, text};

/// An address nothing listens on, with a password that must never show.
pub const NOWHERE: &str = "postgres://app:hunter2@127.0.0.1:9/chatmrpt?connect_timeout=1";

/// What a case starts from, at the path `FILE` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Nothing there.
    Missing,
    /// An empty file.
    ZeroByte,
    /// A CSV export, not SQLite.
    Text,
    /// Another application's SQLite file.
    OtherApp,
    /// The legacy application's file, not adopted.
    Legacy,
    /// A legacy file whose writer was killed mid-transaction.
    HotJournal,
    /// A managed log in WAL mode, closed (no `-wal`, no `-shm`).
    Managed,
    /// A managed log in a folder this user cannot write.
    ReadOnlyFolder,
    /// A path in a folder that does not exist.
    MissingFolder,
}

impl Input {
    /// Every input, for commands that take a SQLite file.
    pub const ALL: [Self; 9] = [
        Self::Missing,
        Self::ZeroByte,
        Self::Text,
        Self::OtherApp,
        Self::Legacy,
        Self::HotJournal,
        Self::Managed,
        Self::ReadOnlyFolder,
        Self::MissingFolder,
    ];

    fn relative(self) -> &'static str {
        match self {
            Self::ReadOnlyFolder => "shut/input.db",
            Self::MissingFolder => "gone/input.db",
            _ => "input.db",
        }
    }

    /// Makes the input in `dir`; returns its path.
    fn make(self, dir: &Path) -> PathBuf {
        let path = dir.join(self.relative());
        match self {
            Self::Missing | Self::MissingFolder => {}
            Self::ZeroByte => std::fs::write(&path, b"").unwrap(),
            Self::Text => {
                std::fs::write(&path, b"session_id,start_time\ns1,2025-07-28\n").unwrap();
            }
            Self::OtherApp => {
                let out = std::process::Command::new("sqlite3")
                    .arg(&path)
                    .arg("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
                    .output()
                    .unwrap();
                assert!(out.status.success(), "sqlite3: {}", text(&out.stderr));
            }
            Self::Legacy => {
                write_legacy_file(&path, Release::NoteEra, 0.01, 7).unwrap();
            }
            Self::HotJournal => hot_journal(&path),
            Self::Managed | Self::ReadOnlyFolder => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let out = command(&["--sqlite", path.to_str().unwrap(), "migrate"], dir)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "migrate: {}", text(&out.stderr));
                if self == Self::ReadOnlyFolder {
                    let folder = path.parent().unwrap();
                    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555))
                        .unwrap();
                }
            }
        }
        path
    }
}

/// A legacy file whose writer was killed mid-transaction: its rollback
/// journal is hot (made by a `sqlite3` shell that kills itself inside an
/// open write transaction that has spilled pages into the file).
pub fn hot_journal(path: &Path) {
    write_legacy_file(path, Release::NoteEra, 0.01, 5).unwrap();
    let script = "PRAGMA cache_size = 1;\nBEGIN IMMEDIATE;\n\
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) \
        INSERT INTO messages (message_id, session_id, sender, content) \
        SELECT 'hot' || i, 's', 'u', hex(randomblob(250)) FROM n;\n\
        .shell kill -9 $PPID\n";
    let mut shell = std::process::Command::new("sqlite3")
        .arg(path)
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
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    assert!(
        std::fs::metadata(PathBuf::from(journal)).unwrap().len() > 0,
        "a hot journal"
    );
}

/// The file and each neighbour SQLite could leave, as (suffix, length,
/// hash of the bytes) when present: a change to any byte, or a neighbour
/// appearing or going, shows.
pub fn snapshot(path: &Path) -> Vec<(&'static str, Option<(usize, u64)>)> {
    use std::hash::{Hash as _, Hasher as _};
    ["", "-wal", "-shm", "-journal"]
        .into_iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let seen = std::fs::read(PathBuf::from(name)).ok().map(|bytes| {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut hasher);
                (bytes.len(), hasher.finish())
            });
            (suffix, seen)
        })
        .collect()
}

/// One row of a command's table.
pub struct Case {
    /// The command line; `FILE` is replaced by the input's path.
    pub args: Vec<String>,
    /// What it starts from.
    pub input: Input,
    /// The exit code it must end with.
    pub exit: i32,
    /// A piece of what it must say: of stdout for exit 0, else of its one
    /// stderr line.
    pub says: &'static str,
    /// A piece of stdout a failing command must print before its error
    /// (what it could show).
    pub prints: Option<&'static str>,
}

impl Case {
    /// The case, asserting `piece` on stdout too.
    pub fn printing(mut self, piece: &'static str) -> Self {
        self.prints = Some(piece);
        self
    }
}

/// Shorthand for a [`Case`].
pub fn case(args: &[&str], input: Input, exit: i32, says: &'static str) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        input,
        exit,
        says,
        prints: None,
    }
}

/// Connection strings that must be refused before any connection, and a
/// piece of the refusal (`None`: where a file is also accepted, the string
/// is read as a path).
pub const URLS: [(&str, Option<&str>); 8] = [
    ("", Some("empty")),
    ("   ", Some("empty")),
    ("postgres://", Some("no host")),
    ("postgres://app:hunter2@127.0.0.1:9", Some("no database")),
    ("dbname=chatmrpt password=hunter2", Some("no host")),
    (
        "mysql://app:hunter2@127.0.0.1/x",
        Some("not a PostgreSQL URI"),
    ),
    ("postgres://app:hunter2@[::1/x", Some("")),
    ("sqlite://x.db", None),
];

/// Whether this process can write where permissions say it cannot (root):
/// a read-only folder case then runs the command as `nobody`.
fn privileged() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// Runs every case of a table; returns the outcome lines.
pub fn run_table(name: &str, cases: &[Case]) {
    let mut outcomes = Vec::new();
    for case in cases {
        outcomes.push(run_case(case));
    }
    eprintln!("{name}:\n{}", outcomes.join("\n"));
}

fn run_case(case: &Case) -> String {
    let dir = tempfile::tempdir().unwrap();
    // `nobody` must reach the folder in the read-only cases.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = case.input.make(dir.path());
    let before = snapshot(&path);
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("FILE", case.input.relative()))
        .collect();
    let mut cmd = if case.input == Input::ReadOnlyFolder && privileged() {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_chatmrpt-db"),
        ])
        .args(&args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("CHATMRPT_DB_BACKEND")
        .env_remove("CHATMRPT_DB_POSTGRES_URL")
        .env_remove("CHATMRPT_DB_STAGE");
        cmd
    } else {
        command(&args, dir.path())
    };
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let shown = format!("{} on {:?}", args.join(" "), case.input);
    assert_eq!(
        out.status.code(),
        Some(case.exit),
        "{shown}: {stdout}{stderr}"
    );
    if let Some(piece) = case.prints {
        assert!(stdout.contains(piece), "{shown}: {stdout}");
    }
    if case.exit == 0 {
        assert!(stdout.contains(case.says), "{shown}: {stdout}");
    } else {
        assert_eq!(stderr.lines().count(), 1, "{shown}: {stderr}");
        assert!(stderr.starts_with("error: "), "{shown}: {stderr}");
        assert!(stderr.contains(case.says), "{shown}: {stderr}");
    }
    for said in [&stdout, &stderr] {
        assert!(
            !said.contains("hunter2"),
            "{shown}: a password shown: {said}"
        );
        assert!(!said.contains("panicked"), "{shown}: {said}");
        assert!(
            !said.contains("timed out waiting"),
            "{shown}: reached a pool timeout: {said}"
        );
    }
    assert_eq!(
        snapshot(&path),
        before,
        "{shown}: the file or a neighbour changed"
    );
    if case.input == Input::ReadOnlyFolder {
        // Let the temporary folder be removed.
        let folder = path.parent().unwrap();
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let said = if case.exit == 0 { "" } else { stderr.trim() };
    format!("  {shown}: exit {} {said}", case.exit)
}

/// Runs `args` in a folder holding a managed log (`FILE`) with its stdout
/// closed at once, as `| head -c 0` would: the command ends quietly, exit
/// 0 or 141 (the documented broken-pipe exit), never a panic.
pub fn closed_stdout(args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = Input::Managed.make(dir.path());
    let args: Vec<String> = args.iter().map(|a| a.replace("FILE", "input.db")).collect();
    for _ in 0..3 {
        let mut child = command(&args, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
    assert!(path.exists());
}
