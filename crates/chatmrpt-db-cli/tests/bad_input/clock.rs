//! `clock FILE` and its dry run: looks at a managed file.

use crate::Input::*;
use crate::{Case, case, closed_stdout, run_table};

const CLOCK: &[&str] = &["clock", "FILE"];
const DRY: &[&str] = &["clock", "FILE", "--convert-to", "Europe/Paris"];

fn refusals(args: &[&str]) -> Vec<Case> {
    vec![
        case(args, Missing, 2, "no such file"),
        case(args, ZeroByte, 2, "not a managed file"),
        case(args, Text, 2, "not a SQLite database"),
        case(args, OtherApp, 2, "not a managed file"),
        case(args, Legacy, 2, "adopt it"),
        case(args, HotJournal, 2, "input.db-journal"),
        case(args, ReadOnlyFolder, 2, "folder shut is not writable"),
        case(args, MissingFolder, 2, "no such file"),
    ]
}

#[test]
fn clock_looks_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(CLOCK);
    // A closed WAL file: the look leaves no -wal or -shm behind.
    cases.push(case(CLOCK, Managed, 0, "no clock recorded yet"));
    run_table("clock", &cases);
}

#[test]
fn clock_dry_run_refuses_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(DRY);
    cases.push(case(DRY, Managed, 2, "records no clock yet"));
    run_table("clock --convert-to", &cases);
}

#[test]
fn clock_ends_quietly_on_a_closed_stdout() {
    closed_stdout(CLOCK);
    closed_stdout(&["clock", "FILE", "--json"]);
}
