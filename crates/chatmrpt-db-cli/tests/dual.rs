//! `stage`, `outbox` and `status` on the dual store, with `--sqlite` and
//! `--postgres`, against a real PostgreSQL database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

mod common;

use std::process::Output;

use chatmrpt_db_testing::pg::TestDatabase;
use common::{chatmrpt_db as run, text};

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn stage_outbox_and_status_on_the_dual_store() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let pair = ["--sqlite", "app.db", "--postgres", db.url()];
    let with = |rest: &[&'static str]| -> Vec<String> {
        pair.iter().chain(rest).map(|s| (*s).to_owned()).collect()
    };

    let out = run(&with(&["migrate"]), dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let shown = json(&run(&with(&["stage", "--json"]), dir.path()));
    assert_eq!(shown["stage"], "off");
    assert_eq!(shown["stored"], serde_json::Value::Null);

    let out = run(&with(&["stage", "set", "shadow"]), dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("skips a stage"),
        "{}",
        text(&out.stderr)
    );

    let out = run(
        &with(&["stage", "set", "dual_write", "--by", "ci"]),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("off -> dual_write"));

    let shown = json(&run(&with(&["stage", "--json"]), dir.path()));
    assert_eq!(shown["stage"], "dual_write");
    assert_eq!(shown["writes"], serde_json::json!(["sqlite", "postgres"]));
    assert_eq!(shown["history"][0]["changed_by"], "ci");

    let outboxes = json(&run(&with(&["outbox", "--json"]), dir.path()));
    assert_eq!(outboxes[0]["outbox"], "sqlite");
    assert_eq!(outboxes[0]["owed_to"], "postgres");
    assert_eq!(outboxes[0]["pending"], 0);
    assert_eq!(outboxes[1]["dead"], 0);

    let status = json(&run(&with(&["status", "--json"]), dir.path()));
    assert_eq!(status["backend"], "dual");
    assert_eq!(status["dual"]["stage"], "dual_write");
    assert_eq!(status["dual"]["stores"][1]["store"], "postgres");
    assert_eq!(status["dual"]["stores"][1]["rows"]["sessions"], 0);

    let out = run(&with(&["outbox", "retry-dead", "--id", "1"]), dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--outbox sqlite"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn stage_needs_the_dual_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["stage"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("needs the dual store"),
        "{}",
        text(&out.stderr)
    );
}
