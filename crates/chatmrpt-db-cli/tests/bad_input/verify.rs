//! `verify --source FILE --target URL|FILE`: both sides are only read.

use crate::Input::*;
use crate::{NOWHERE, URLS, case, run_table};

const VERIFY: &[&str] = &["verify", "--source", "FILE", "--target", NOWHERE];
const ITSELF: &[&str] = &["verify", "--source", "FILE", "--target", "FILE"];

#[test]
fn verify_refuses_a_source_it_cannot_read_and_leaves_it_unchanged() {
    run_table(
        "verify --source",
        &[
            case(VERIFY, Missing, 2, "no such file"),
            case(VERIFY, ZeroByte, 2, "the file is empty"),
            case(VERIFY, Text, 2, "not a ChatMRPT interaction log"),
            case(VERIFY, OtherApp, 2, "no `sessions` table"),
            case(VERIFY, HotJournal, 2, "input.db-journal"),
            case(VERIFY, ReadOnlyFolder, 2, "folder shut is not writable"),
            case(VERIFY, MissingFolder, 2, "no such folder gone"),
            case(VERIFY, Legacy, 2, "Connection refused"),
            case(VERIFY, Managed, 2, "Connection refused"),
        ],
    );
}

#[test]
fn verify_of_a_file_against_itself_agrees_and_leaves_nothing_beside_it() {
    // Both sides are read-only looks; a closed WAL file keeps no -wal/-shm.
    run_table(
        "verify --target FILE",
        &[
            case(ITSELF, Legacy, 0, "stores agree"),
            case(ITSELF, Managed, 0, "stores agree"),
        ],
    );
}

#[test]
fn verify_refuses_a_target_string_before_any_connection() {
    let cases: Vec<_> = URLS
        .iter()
        .map(|(url, says)| {
            let args = ["verify", "--source", "FILE", "--target", url];
            // `sqlite://x.db` is a file target: a missing one.
            case(&args, Legacy, 2, says.unwrap_or("no such file"))
        })
        .collect();
    run_table("verify --target", &cases);
}

#[test]
fn verify_ends_quietly_on_a_closed_stdout() {
    crate::closed_stdout(ITSELF);
    crate::closed_stdout(&["verify", "--source", "FILE", "--target", "FILE", "--json"]);
}
