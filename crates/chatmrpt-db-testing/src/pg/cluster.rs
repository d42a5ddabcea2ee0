//! Throwaway PostgreSQL clusters in temp dirs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection};

use super::binaries::{as_server_user, find, free_port, give_to_server_user};

/// Settings that make a test cluster fast and roomy; durability is not needed.
const SERVER_OPTIONS: &[&str] = &[
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=300",
    "-c",
    "shared_buffers=64MB",
];

/// A data directory, initialised, owned by the server user.
pub(crate) struct DataDir {
    pub root: PathBuf,
    pub data: PathBuf,
    pub port: u16,
}

impl DataDir {
    /// Runs `initdb` in a fresh temp dir under /tmp.
    ///
    /// # Panics
    ///
    /// When the binaries are missing or `initdb` fails.
    pub fn init() -> Self {
        Self::init_with_password(None)
    }

    /// As [`DataDir::init`]; with a password, the `postgres` user has it
    /// and TCP connections must give it (scram-sha-256).
    ///
    /// # Panics
    ///
    /// As [`DataDir::init`].
    pub fn init_with_password(password: Option<&str>) -> Self {
        let root = tempfile::Builder::new()
            .prefix("chatmrpt-pg-")
            .tempdir_in("/tmp")
            .unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"))
            .keep();
        let _ = std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755));
        let data = root.join("data");
        let pwfile = root.join("pwfile");
        if let Some(password) = password {
            std::fs::write(&pwfile, format!("{password}\n"))
                .unwrap_or_else(|e| panic!("cannot write the password file: {e}"));
        }
        give_to_server_user(&root);
        let mut initdb = as_server_user(&find("initdb"));
        initdb.args(["-D"]).arg(&data).args([
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        match password {
            None => initdb.args(["-A", "trust"]),
            Some(_) => initdb
                .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
                .arg(format!("--pwfile={}", pwfile.display())),
        };
        let out = initdb
            .output()
            .unwrap_or_else(|e| panic!("cannot run initdb: {e}"));
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self {
            root,
            data,
            port: free_port(),
        }
    }

    /// The server options for this directory.
    pub fn options(&self) -> Vec<String> {
        let mut opts: Vec<String> = SERVER_OPTIONS.iter().map(|s| (*s).to_owned()).collect();
        opts.extend([
            "-p".into(),
            self.port.to_string(),
            "-k".into(),
            self.root.display().to_string(),
        ]);
        opts
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// Waits until `url` accepts connections.
///
/// # Panics
///
/// After 30 s, with the server log.
pub(crate) fn wait_ready(url: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match PgConnection::establish(url) {
            Ok(_) => return,
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("PostgreSQL at {url} did not start: {e}\nserver log:\n{log}");
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A cluster that lives exactly as long as the test process: its server is
/// the child of a shell that stops it (and removes the data) when our end of
/// its stdin closes, which the OS does when this process exits, however it
/// exits.
pub(crate) struct ProcessCluster {
    pub dir: DataDir,
    _supervisor: Child,
    _lifeline: ChildStdin,
}

impl ProcessCluster {
    /// Initialises and starts a cluster.
    ///
    /// # Panics
    ///
    /// When it cannot be started.
    pub fn start() -> Self {
        let dir = DataDir::init();
        let log = dir.root.join("server.log");
        let script = r#""$4" -D "$1" "${@:5}" >"$2" 2>&1 & pid=$!; read -r _; kill -INT "$pid"; wait "$pid"; rm -rf "$3""#;
        let mut cmd = as_server_user(Path::new("/bin/bash"));
        cmd.args(["-c", script, "supervisor"])
            .arg(&dir.data)
            .arg(&log)
            .arg(&dir.root)
            .arg(find("postgres"))
            .args(dir.options())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut supervisor = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start postgres: {e}"));
        let lifeline = supervisor
            .stdin
            .take()
            .unwrap_or_else(|| panic!("no stdin pipe to the supervisor"));
        wait_ready(&dir.url("postgres"), &log);
        Self {
            dir,
            _supervisor: supervisor,
            _lifeline: lifeline,
        }
    }
}

/// A pg_ctl command on `dir`, as the server user.
pub(crate) fn pg_ctl(dir: &DataDir) -> Command {
    let mut cmd = as_server_user(&find("pg_ctl"));
    cmd.arg("-D").arg(&dir.data);
    cmd
}
