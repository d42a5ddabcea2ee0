//! `status`, `status --json`, `status --html`: looks. A managed file or a
//! legacy one is reported (exit 0); anything else is refused (exit 2).

use crate::Input::*;
use crate::{Case, case, closed_stdout, run_table};

const STATUS: &[&str] = &["--sqlite", "FILE", "status"];
const JSON: &[&str] = &["--sqlite", "FILE", "status", "--json"];
const HTML: &[&str] = &["--sqlite", "FILE", "status", "--html", "page.html"];

/// What every look says of the inputs it refuses.
fn refusals(args: &[&str]) -> Vec<Case> {
    vec![
        case(args, Missing, 2, "no such file"),
        case(args, ZeroByte, 2, "an empty database"),
        case(args, OtherApp, 2, "not a ChatMRPT log under management"),
        case(args, HotJournal, 2, "input.db-journal"),
        case(args, ReadOnlyFolder, 2, "folder shut is not writable"),
        case(args, MissingFolder, 2, "no such file"),
    ]
}

#[test]
fn status_looks_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(STATUS);
    cases.extend([
        case(STATUS, Text, 2, "not a SQLite database"),
        case(STATUS, Legacy, 0, "not adopted"),
        case(STATUS, Managed, 0, "backend: sqlite"),
    ]);
    run_table("status", &cases);
}

#[test]
fn status_json_looks_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(JSON);
    cases.extend([
        case(JSON, Text, 2, "not a SQLite database"),
        case(JSON, Legacy, 0, "\"legacy_log\": true"),
        case(JSON, Managed, 0, "\"backend\": \"sqlite\""),
    ]);
    run_table("status --json", &cases);
}

#[test]
fn status_html_needs_a_managed_file_and_leaves_every_input_as_it_was() {
    let mut cases = refusals(HTML);
    cases.extend([
        case(HTML, Text, 2, "not a ChatMRPT log under management"),
        case(HTML, Legacy, 2, "chatmrpt-db adopt input.db"),
        case(HTML, Managed, 0, "backend: sqlite"),
    ]);
    run_table("status --html", &cases);
}

#[test]
fn status_ends_quietly_on_a_closed_stdout() {
    closed_stdout(STATUS);
    closed_stdout(JSON);
}
