//! `grants`: prints SQL; never panics on a closed stdout.

use crate::{case, closed_stdout, run_table};

#[test]
fn grants_refuses_a_role_name_that_is_not_an_identifier() {
    run_table(
        "grants",
        &[case(
            &["grants", "--role", "x; DROP TABLE sessions"],
            crate::Input::Missing,
            2,
            "use lower-case letters",
        )],
    );
}

#[test]
fn grants_ends_quietly_on_a_closed_stdout() {
    closed_stdout(&["grants", "--role", "chatmrpt_app"]);
}
