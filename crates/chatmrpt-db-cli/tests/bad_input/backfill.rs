//! `backfill --source FILE --target URL`: the file is only read; the
//! target must be a PostgreSQL URI naming its host and database.

use crate::Input::*;
use crate::{NOWHERE, URLS, case, run_table};

const BACKFILL: &[&str] = &["backfill", "--source", "FILE", "--target", NOWHERE];

#[test]
fn backfill_refuses_a_source_it_cannot_read_and_leaves_it_unchanged() {
    run_table(
        "backfill --source",
        &[
            case(BACKFILL, Missing, 2, "no such file"),
            case(BACKFILL, ZeroByte, 2, "the file is empty"),
            case(BACKFILL, Text, 2, "not a ChatMRPT interaction log"),
            case(BACKFILL, OtherApp, 2, "no `sessions` table"),
            case(BACKFILL, HotJournal, 2, "input.db-journal"),
            case(BACKFILL, ReadOnlyFolder, 2, "folder shut is not writable"),
            case(BACKFILL, MissingFolder, 2, "no such folder gone"),
            // Readable sources: the target is down, said at once.
            case(BACKFILL, Legacy, 2, "Connection refused"),
            case(BACKFILL, Managed, 2, "Connection refused"),
        ],
    );
}

#[test]
fn backfill_refuses_a_target_that_is_not_a_full_postgres_uri() {
    let cases: Vec<_> = URLS
        .iter()
        .map(|(url, says)| {
            let args = ["backfill", "--source", "FILE", "--target", url];
            // A file is never a backfill target.
            case(&args, Legacy, 2, says.unwrap_or("not a PostgreSQL URI"))
        })
        .collect();
    run_table("backfill --target", &cases);
}
