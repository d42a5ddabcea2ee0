//! `legacy_fixture`: writes a legacy ChatMRPT `interactions.db` of a given
//! release and scale, or the corrupted variant, and prints its summary as
//! JSON on stdout.
//!
//! ```text
//! legacy_fixture --release all-releases --scale 1 --out interactions.db [--seed N]
//! legacy_fixture --corrupt --out corrupted.db [--seed N]
//! ```
//!
//! Releases: note-era, july-2025, arena, routing, all-releases. Exit code 0
//! on success, 2 with a one-line cause on stderr otherwise.

use std::process::ExitCode;

use chatmrpt_db_testing::legacy::{FixtureError, Release, write_corrupted_file, write_legacy_file};

const USAGE: &str = "usage: legacy_fixture --release R --scale N --out FILE [--seed N] | legacy_fixture --corrupt --out FILE [--seed N]";

#[derive(Debug, Default)]
struct Args {
    release: Option<Release>,
    scale: Option<f64>,
    out: Option<String>,
    seed: u64,
    corrupt: bool,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, FixtureError> {
    let mut args = Args {
        seed: 2025,
        ..Args::default()
    };
    let usage = |why: &str| FixtureError::Usage(format!("{why}\n{USAGE}"));
    while let Some(flag) = argv.next() {
        let mut value = || {
            argv.next()
                .ok_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--release" => args.release = Some(value()?.parse()?),
            "--scale" => {
                args.scale = Some(
                    value()?
                        .parse()
                        .map_err(|_| usage("--scale must be a number"))?,
                )
            }
            "--out" => args.out = Some(value()?),
            "--seed" => {
                args.seed = value()?
                    .parse()
                    .map_err(|_| usage("--seed must be an integer"))?
            }
            "--corrupt" => args.corrupt = true,
            "-h" | "--help" => return Err(usage("")),
            other => return Err(usage(&format!("unknown argument `{other}`"))),
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<String, FixtureError> {
    let out = args
        .out
        .ok_or_else(|| FixtureError::Usage(format!("--out is required\n{USAGE}")))?;
    let json = if args.corrupt {
        serde_json::to_string_pretty(&write_corrupted_file(&out, args.seed)?)
    } else {
        let release = args
            .release
            .ok_or_else(|| FixtureError::Usage(format!("--release is required\n{USAGE}")))?;
        serde_json::to_string_pretty(&write_legacy_file(
            &out,
            release,
            args.scale.unwrap_or(1.0),
            args.seed,
        )?)
    };
    json.map_err(|e| FixtureError::Usage(format!("cannot print the summary: {e}")))
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(run) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            let mut cause = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                cause.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("error: {cause}");
            ExitCode::from(2)
        }
    }
}
