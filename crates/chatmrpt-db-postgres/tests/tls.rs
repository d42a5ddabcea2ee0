//! TLS to PostgreSQL, as on a managed server: a cluster of its own with a
//! certificate signed by a CA this test generates (openssl). `verify-full`
//! with the CA connects over TLS; a wrong CA or host name is refused with a
//! clear error; `require` never falls back to plain text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chatmrpt_db_core::error::error_chain;
use chatmrpt_db_core::{DatabaseUrl, PostgresConfig};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_testing::pg::OwnedCluster;
use diesel::RunQueryDsl;
use diesel::sql_types::Bool;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for `localhost` signed by it, and an
/// unrelated CA.
struct Certificates {
    dir: tempfile::TempDir,
}

impl Certificates {
    fn generate() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ca = ["-days", "2", "-nodes", "-newkey", "rsa:2048"];
        openssl(
            d,
            &[
                &["req", "-x509"][..],
                &ca,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.crt",
                    "-subj",
                    "/CN=chatmrpt test CA",
                ],
            ]
            .concat(),
        );
        openssl(
            d,
            &[
                &["req", "-x509"][..],
                &ca,
                &[
                    "-keyout",
                    "other.key",
                    "-out",
                    "other.crt",
                    "-subj",
                    "/CN=another CA",
                ],
            ]
            .concat(),
        );
        openssl(
            d,
            &[
                "req",
                "-nodes",
                "-newkey",
                "rsa:2048",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(d.join("ext.cnf"), "subjectAltName=DNS:localhost\n").unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ],
        );
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
}

fn config(host: &str, port: u16, query: &str) -> PostgresConfig {
    let mut config = PostgresConfig::new(DatabaseUrl::new(format!(
        "postgres://postgres:not-a-secret-pw@{host}:{port}/postgres?connect_timeout=5&{query}"
    )));
    config.connect_timeout_s = 5;
    config
}

/// Whether the store's connection runs over TLS, as the server sees it.
fn uses_tls(config: &PostgresConfig) -> bool {
    let mut conn = chatmrpt_db_postgres::connect(&config.url).unwrap();
    diesel::select(diesel::dsl::sql::<Bool>(
        "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())",
    ))
    .get_result(&mut conn)
    .unwrap()
}

fn refusal(config: &PostgresConfig) -> String {
    let err = PgStore::open(config).expect_err("the connection must be refused");
    let chain = error_chain(&err);
    assert!(!chain.contains("not-a-secret-pw"), "{chain}");
    chain
}

#[test]
fn verify_full_with_the_ca_connects_over_tls_and_anything_else_is_refused() {
    let certs = Certificates::generate();
    let cluster =
        OwnedCluster::start_with_tls(&certs.read("server.crt"), &certs.read("server.key"));
    let port = cluster.port();
    let ca = certs.path("ca.crt");
    let other = certs.path("other.crt");

    let good = config(
        "localhost",
        port,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let store = PgStore::open(&good).unwrap();
    store.run_migrations().unwrap();
    assert!(uses_tls(&good));

    let wrong_ca = config(
        "localhost",
        port,
        &format!("sslmode=verify-full&sslrootcert={}", other.display()),
    );
    let chain = refusal(&wrong_ca);
    assert!(chain.contains("certificate verify failed"), "{chain}");

    let wrong_host = config(
        "127.0.0.1",
        port,
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let chain = refusal(&wrong_host);
    assert!(chain.contains("does not match host name"), "{chain}");

    let required = config("127.0.0.1", port, "sslmode=require");
    assert!(uses_tls(&required));
}

#[test]
fn require_never_falls_back_to_plain_text() {
    let plain = OwnedCluster::start();
    let required = config("127.0.0.1", plain.port(), "sslmode=require");
    let chain = refusal(&required);
    assert!(chain.contains("SSL"), "{chain}");
    // The same server without the requirement: plain text, as asked.
    let prefer = config("127.0.0.1", plain.port(), "sslmode=prefer");
    assert!(!uses_tls(&prefer));
}
