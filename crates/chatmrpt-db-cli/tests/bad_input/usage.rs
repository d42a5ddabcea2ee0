//! Command-line mistakes (clap's refusals), and `--database` strings.

use crate::Input::*;
use crate::common::{chatmrpt_db, text};
use crate::{URLS, case, run_table};

#[test]
fn command_line_mistakes_get_one_line_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--frobnicate", "status"], "--frobnicate"),
        (&["stage", "set", "warp_speed"], "warp_speed"),
        (&["backfill"], "--source"),
        (&["outbox", "retry-dead", "--id", "x"], "x"),
        (&["no-such-command"], "no-such-command"),
    ];
    for (args, named) in cases {
        let out = chatmrpt_db(args, dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            stderr.trim_end().ends_with("(see --help)"),
            "{args:?}: {stderr}"
        );
    }
    // Help is still help: many lines on stdout, exit 0.
    let out = chatmrpt_db(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).lines().count() > 5);
    assert!(
        dir.path().read_dir().unwrap().next().is_none(),
        "nothing created"
    );
}

#[test]
fn database_strings_are_refused_before_any_connection() {
    // `--database` takes sqlite://PATH or postgres://...: anything else is
    // refused as such, a partial PostgreSQL URI as partial.
    let cases: Vec<_> = URLS
        .iter()
        .map(|(url, says)| {
            let says = match *url {
                ""
                | "   "
                | "dbname=chatmrpt password=hunter2"
                | "mysql://app:hunter2@127.0.0.1/x" => "expected sqlite://PATH or postgres://",
                "sqlite://x.db" => "no such file",
                _ => says.unwrap_or_default(),
            };
            case(&["--database", url, "status"], Legacy, 2, says)
        })
        .collect();
    run_table("--database", &cases);
}
