//! Finding the PostgreSQL server binaries and running them as the right user.

use std::path::PathBuf;
use std::process::Command;

/// The install command a missing PostgreSQL points to.
pub(crate) const INSTALL_HINT: &str = "install the PostgreSQL server binaries with `apt-get install -y postgresql` \
     (scripts/install-prereqs does), or set CHATMRPT_TEST_DATABASE_URL to a server";

/// `name` from PATH, else from the newest `/usr/lib/postgresql/*/bin`.
///
/// # Panics
///
/// When the binary is nowhere: PostgreSQL tests never skip silently.
pub(crate) fn find(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .map(|d| d.path().join("bin").join(name))
                .collect()
        })
        .unwrap_or_default();
    versioned.sort_by_key(|p| std::cmp::Reverse(version_of(p)));
    on_path
        .into_iter()
        .chain(versioned)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("PostgreSQL server binary `{name}` not found; {INSTALL_HINT}"))
}

fn version_of(path: &std::path::Path) -> u32 {
    path.components()
        .filter_map(|c| c.as_os_str().to_str()?.parse().ok())
        .next()
        .unwrap_or(0)
}

/// Whether this process runs as root (initdb refuses to).
pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// A command running `program`, as the `postgres` system user when we are root.
pub(crate) fn as_server_user(program: &std::path::Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// Hands `dir` to the `postgres` user when we are root.
///
/// # Panics
///
/// When `chown` fails.
pub(crate) fn give_to_server_user(dir: &std::path::Path) {
    if is_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "chown of {} to postgres failed",
            dir.display()
        );
    }
}

/// A free TCP port on 127.0.0.1 (released for the server to take).
///
/// # Panics
///
/// When no port can be bound.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}
