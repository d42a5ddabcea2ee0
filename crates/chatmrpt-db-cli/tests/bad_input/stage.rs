//! `stage` (a look) and `stage set` (needs PostgreSQL).

use crate::Input::*;
use crate::{Case, NOWHERE, case, closed_stdout, run_table};

const STAGE: &[&str] = &["--sqlite", "FILE", "--postgres", NOWHERE, "stage"];
const SET: &[&str] = &[
    "--sqlite",
    "FILE",
    "--postgres",
    NOWHERE,
    "stage",
    "set",
    "dual_write",
];

/// What a command needing the dual store says of a file it cannot use.
pub fn refusals(args: &[&str]) -> Vec<Case> {
    vec![
        case(args, Missing, 2, "no such file"),
        case(args, ZeroByte, 2, "an empty database"),
        case(args, Text, 2, "not a ChatMRPT log under management"),
        case(args, OtherApp, 2, "not a ChatMRPT log under management"),
        case(args, Legacy, 2, "chatmrpt-db adopt input.db"),
        case(args, HotJournal, 2, "input.db-journal"),
        case(args, ReadOnlyFolder, 2, "folder shut is not writable"),
        case(args, MissingFolder, 2, "no such file"),
    ]
}

#[test]
fn stage_looks_at_a_managed_file_only_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(STAGE);
    // PostgreSQL down: the file's last known stage is printed at once,
    // then PostgreSQL's cause, exit 2.
    cases.push(case(STAGE, Managed, 2, "Connection refused").printing("stage:    off"));
    run_table("stage", &cases);
}

#[test]
fn stage_set_needs_postgres_and_a_managed_file() {
    let mut cases = refusals(SET);
    cases.push(case(SET, Managed, 2, "Connection refused"));
    run_table("stage set", &cases);
}

#[test]
fn stage_ends_quietly_on_a_closed_stdout() {
    closed_stdout(STAGE);
    closed_stdout(&["--sqlite", "FILE", "--postgres", NOWHERE, "stage", "--json"]);
}
