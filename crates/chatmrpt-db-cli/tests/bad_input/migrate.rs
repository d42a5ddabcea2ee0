//! `migrate`: the one command that creates a log, and only where nothing is.

use crate::Input::*;
use crate::{NOWHERE, case, run_table};

const MIGRATE: &[&str] = &["--sqlite", "FILE", "migrate"];
const DUAL: &[&str] = &["--sqlite", "FILE", "--postgres", NOWHERE, "migrate"];

#[test]
fn migrate_refuses_what_is_not_its_own_and_leaves_it_unchanged() {
    run_table(
        "migrate",
        &[
            case(MIGRATE, Text, 2, "not a ChatMRPT log under management"),
            case(MIGRATE, OtherApp, 2, "not a ChatMRPT log under management"),
            case(MIGRATE, Legacy, 2, "chatmrpt-db adopt input.db"),
            case(MIGRATE, HotJournal, 2, "input.db-journal"),
            case(MIGRATE, Managed, 0, "up to date"),
            case(MIGRATE, ReadOnlyFolder, 2, "folder shut is not writable"),
            case(MIGRATE, MissingFolder, 2, "no such folder gone"),
            // PostgreSQL down: said at once, through one direct connection.
            case(DUAL, Managed, 2, "Connection refused"),
            case(DUAL, Legacy, 2, "Connection refused"),
        ],
    );
}
