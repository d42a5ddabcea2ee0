//! A password in a connection string never reaches stdout, stderr or the
//! debug log, on any failure path the command line has: unreachable host,
//! wrong password, unknown database, broken TLS settings, a bad
//! configuration file, and every command that takes a PostgreSQL URL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::process::Command;

use chatmrpt_db_testing::pg::{OwnedCluster, shared_server};

const PASSWORD: &str = "Sup3r-s3cret-PW";

/// Runs the CLI with debug logging; returns (exit code, stdout + stderr).
fn run(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chatmrpt-db"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("CHATMRPT_DB_BACKEND")
        .env_remove("CHATMRPT_DB_POSTGRES_URL")
        .env("CHATMRPT_DB_LOG", "debug")
        .env("CHATMRPT_DB_POSTGRES_CONNECT_TIMEOUT_S", "1")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), all)
}

/// The shared server's URL for `database` with a password added.
fn with_password(database: &str, query: &str) -> String {
    let url = shared_server().url(database);
    let (scheme, rest) = url.split_once("://").unwrap();
    let (user, host) = rest.split_once('@').unwrap();
    let user = user.split(':').next().unwrap();
    let host = host.split('?').next().unwrap();
    format!("{scheme}://{user}:{PASSWORD}@{host}{query}")
}

#[test]
fn no_failure_path_prints_the_password() {
    let dir = tempfile::tempdir().unwrap();
    // A valid source, so that backfill and verify get as far as connecting,
    // and a managed file for the dual commands (migrate no longer creates
    // it when PostgreSQL does not answer).
    for file in ["legacy.db", "app.db"] {
        chatmrpt_db::SqliteStore::open_path(dir.path().join(file))
            .unwrap()
            .run_migrations()
            .unwrap();
    }
    let bad_host = format!("postgres://app:{PASSWORD}@no-such-host.invalid:5432/chatmrpt");
    let bad_port = format!("postgres://app:{PASSWORD}@127.0.0.1:1/chatmrpt?connect_timeout=1");
    let bad_database = with_password("no_such_database_here", "");
    let bad_tls = with_password(
        "postgres",
        "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    );
    // A server that checks passwords, given the wrong one.
    let checking = OwnedCluster::start_with_password("the-right-one");
    let bad_password = format!(
        "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
        checking.port()
    );
    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        format!("backend = \"postgres\"\n[postgres]\nurl = \"{bad_port}\"\npool_size = \"many\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_owned();
    let mut cases: Vec<Vec<String>> = Vec::new();
    for url in [&bad_host, &bad_port, &bad_password, &bad_database, &bad_tls] {
        cases.push(vec!["--database".into(), url.clone(), "status".into()]);
        cases.push(vec!["--database".into(), url.clone(), "migrate".into()]);
        for command in ["stage", "outbox"] {
            let pair = [
                "--sqlite",
                "app.db",
                "--postgres",
                url.as_str(),
                command,
                "--json",
            ];
            let mut case: Vec<String> = pair.iter().map(|s| (*s).to_owned()).collect();
            if command == "stage" {
                case.splice(4..4, ["migrate".to_owned()]);
                case.truncate(5);
            }
            cases.push(case);
        }
        let source = "legacy.db".to_owned();
        cases.push(vec![
            "backfill".into(),
            "--source".into(),
            source.clone(),
            "--target".into(),
            url.clone(),
        ]);
        cases.push(vec![
            "verify".into(),
            "--source".into(),
            source,
            "--target".into(),
            url.clone(),
        ]);
    }
    cases.push(vec!["--config".into(), config.clone(), "status".into()]);
    cases.push(vec!["--config".into(), config, "migrate".into()]);
    for case in &cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let (code, output) = run(&args, dir.path());
        assert_ne!(code, Some(0), "{args:?} should fail: {output}");
        assert!(
            !output.contains(PASSWORD),
            "{args:?} printed the password:\n{output}"
        );
        if args.contains(&bad_password.as_str()) {
            assert!(
                output.contains("password authentication failed"),
                "{output}"
            );
        }
    }
}
