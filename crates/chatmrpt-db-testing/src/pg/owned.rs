//! A cluster a fault test owns: it can stop it and start it again.

use std::process::Output;

use super::cluster::{DataDir, pg_ctl, wait_ready};

/// A throwaway PostgreSQL cluster the test controls; stopped and deleted on drop.
pub struct OwnedCluster {
    dir: DataDir,
    /// Server options beyond the defaults (e.g. TLS).
    extra: Vec<String>,
    /// The `postgres` user's password, when the cluster asks for one.
    password: Option<String>,
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
            extra: Vec::new(),
            password: None,
        };
        cluster.start_again();
        cluster
    }

    /// Starts a cluster whose `postgres` user has `password`, required on
    /// TCP (scram-sha-256). [`OwnedCluster::url`] includes it.
    ///
    /// # Panics
    ///
    /// As [`OwnedCluster::start`].
    pub fn start_with_password(password: &str) -> Self {
        let cluster = Self {
            dir: DataDir::init_with_password(Some(password)),
            extra: Vec::new(),
            password: Some(password.to_owned()),
        };
        cluster.start_again();
        cluster
    }

    /// Starts a cluster that accepts TLS (`ssl = on`) with `cert_pem` and
    /// `key_pem` as its certificate and key (plain connections still work
    /// unless the client requires TLS).
    ///
    /// # Panics
    ///
    /// When the files cannot be written or the server does not start.
    pub fn start_with_tls(cert_pem: &[u8], key_pem: &[u8]) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let dir = DataDir::init();
        let (cert, key) = (dir.root.join("server.crt"), dir.root.join("server.key"));
        std::fs::write(&cert, cert_pem).unwrap_or_else(|e| panic!("cannot write cert: {e}"));
        std::fs::write(&key, key_pem).unwrap_or_else(|e| panic!("cannot write key: {e}"));
        // The server refuses a key others can read.
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("cannot chmod key: {e}"));
        super::binaries::give_to_server_user(&dir.root);
        let extra = vec![
            "-c".into(),
            "ssl=on".into(),
            "-c".into(),
            format!("ssl_cert_file={}", cert.display()),
            "-c".into(),
            format!("ssl_key_file={}", key.display()),
        ];
        let cluster = Self {
            dir,
            extra,
            password: None,
        };
        cluster.start_again();
        cluster
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.dir.port
    }

    /// `postgres://postgres@127.0.0.1:PORT/DATABASE` (with the password, if
    /// the cluster has one); the port never changes.
    pub fn url(&self, database: &str) -> String {
        match &self.password {
            None => self.dir.url(database),
            Some(pw) => format!(
                "postgres://postgres:{pw}@127.0.0.1:{}/{database}",
                self.dir.port
            ),
        }
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
        let mut options = self.dir.options();
        options.extend(self.extra.iter().cloned());
        let options = options.join(" ");
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
