//! `outbox` and its verbs: a managed file, and PostgreSQL for what it
//! holds or is owed.

use crate::Input::*;
use crate::stage::refusals;
use crate::{NOWHERE, case, run_table};

const LOOK: &[&str] = &["--sqlite", "FILE", "--postgres", NOWHERE, "outbox"];
const REPLAY: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "outbox",
    "replay",
];
const RETRY: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "outbox",
    "retry-dead",
    "--all",
];
const DISCARD: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "outbox",
    "discard-dead",
    "--all",
];
const CLAIM: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "outbox",
    "claim-unplaced",
];
const RETRY_SQLITE: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "outbox",
    "retry-dead",
    "--all",
    "--outbox",
    "sqlite",
];

#[test]
fn outbox_looks_at_a_managed_file_only_and_says_postgres_is_down_at_once() {
    let mut cases = refusals(LOOK);
    // The SQLite outbox is printed, then PostgreSQL's cause, exit 2.
    cases.push(
        case(LOOK, Managed, 2, "Connection refused")
            .printing("sqlite outbox (owed to postgres): 0 pending"),
    );
    run_table("outbox", &cases);
}

#[test]
fn outbox_verbs_refuse_what_they_cannot_use_and_leave_it_unchanged() {
    for (name, args) in [
        ("outbox replay", REPLAY),
        ("outbox retry-dead", RETRY),
        ("outbox discard-dead", DISCARD),
        ("outbox claim-unplaced", CLAIM),
    ] {
        let mut cases = refusals(args);
        cases.push(case(args, Managed, 2, "Connection refused"));
        run_table(name, &cases);
    }
    // SQLite's own outbox needs no PostgreSQL.
    run_table(
        "outbox retry-dead --outbox sqlite",
        &[case(
            RETRY_SQLITE,
            Managed,
            0,
            "0 dead entries back in the queue",
        )],
    );
}
