//! A cluster a fault test owns: it can stop it and start it again.

use std::process::Output;

use super::cluster::{DataDir, pg_ctl, wait_ready};

/// A throwaway PostgreSQL cluster the test controls; stopped and deleted on drop.
pub struct OwnedCluster {
    dir: DataDir,
}

impl OwnedCluster {
    /// Initialises a cluster on a free port and starts it.
    ///
    /// # Panics
    ///
    /// When the binaries are missing or the server does not start.
    pub fn start() -> Self {
        let cluster = Self {
            dir: DataDir::init(),
        };
        cluster.start_again();
        cluster
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE`; the port never changes.
    pub fn url(&self, database: &str) -> String {
        self.dir.url(database)
    }

    /// Stops the server (fast shutdown: connections are cut).
    ///
    /// # Panics
    ///
    /// When `pg_ctl stop` fails.
    pub fn stop(&self) {
        let out = self.ctl(&["stop", "-m", "fast", "-w"]);
        assert!(
            out.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the stopped server again, on the same port.
    ///
    /// # Panics
    ///
    /// When it does not come up.
    pub fn start_again(&self) {
        let log = self.dir.root.join("server.log");
        let options = self.dir.options().join(" ");
        let out = pg_ctl(&self.dir)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options, "-w", "start"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run pg_ctl: {e}"));
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        wait_ready(&self.url("postgres"), &log);
    }

    /// Whether the server is running.
    pub fn is_running(&self) -> bool {
        self.ctl(&["status"]).status.success()
    }

    fn ctl(&self, args: &[&str]) -> Output {
        pg_ctl(&self.dir)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run pg_ctl: {e}"))
    }
}

impl Drop for OwnedCluster {
    fn drop(&mut self) {
        let _ = self.ctl(&["stop", "-m", "immediate", "-w"]);
        let _ = std::fs::remove_dir_all(&self.dir.root);
    }
}
