//! `adopt FILE`: turns the legacy file into a managed one, and nothing else.
//!
//! Not in the table, because adopting changes the file by design: a legacy
//! file (tests/adopt.rs), and one with a hot journal, which adoption's
//! read-write open rolls back first, as the legacy application's next
//! write would, before its safety copy; nor a managed file, on which
//! adoption completes what a run cut short may have left (migrations, the
//! file's clock).

use crate::Input::*;
use crate::{case, run_table};

const ADOPT: &[&str] = &["adopt", "FILE"];

#[test]
fn adopt_refuses_what_is_not_a_legacy_log_and_leaves_it_unchanged() {
    run_table(
        "adopt",
        &[
            case(ADOPT, Missing, 2, "no such file"),
            case(ADOPT, ZeroByte, 2, "the file is empty"),
            case(ADOPT, Text, 2, "not a SQLite database"),
            case(ADOPT, OtherApp, 2, "no `sessions` table"),
            case(ADOPT, ReadOnlyFolder, 2, "folder shut is not writable"),
            case(ADOPT, MissingFolder, 2, "no such file"),
        ],
    );
}
