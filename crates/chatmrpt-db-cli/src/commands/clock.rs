//! `chatmrpt-db clock FILE`: the zone a managed SQLite file's legacy
//! timestamps are written in, and the explicit step that changes it
//! (`chatmrpt_db_migrate::convert_clock`).

use std::path::PathBuf;
use std::process::ExitCode;

use chatmrpt_db::LegacyZone;
use chatmrpt_db_migrate::{ClockConversion, convert_clock, recorded_clock};

use super::{fail, print_json};

/// The arguments of `clock`.
#[derive(Debug, clap::Args)]
pub struct ClockArgs {
    /// The managed SQLite file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Rewrite every log timestamp from the recorded zone to ZONE (`local`,
    /// UTC, +01:00, or an IANA name) and record ZONE. Without --apply, only
    /// reports what would change.
    #[arg(long, value_name = "ZONE")]
    pub convert_to: Option<String>,

    /// With --convert-to: change the file (one transaction). Stop every
    /// process writing it first.
    #[arg(long, requires = "convert_to")]
    pub apply: bool,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `clock`: 0 shown or converted, 2 refused.
pub fn run(args: &ClockArgs) -> ExitCode {
    let Some(zone) = &args.convert_to else {
        return match recorded_clock(&args.file) {
            Ok(zone) if args.json => json(&serde_json::json!({
                "file": args.file.display().to_string(),
                "legacy_timezone": zone.map(|z| z.to_string()),
            })),
            Ok(Some(zone)) => {
                outln!("{}: log timestamps written in {zone}", args.file.display());
                ExitCode::SUCCESS
            }
            Ok(None) => {
                outln!(
                    "{}: no clock recorded yet (the store's first write records it)",
                    args.file.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&chain(&e)),
        };
    };
    let zone: LegacyZone = match zone.parse() {
        Ok(zone) => zone,
        Err(e) => return fail(&chain(&e)),
    };
    match convert_clock(&args.file, zone, args.apply) {
        Ok(report) if args.json => json(&report),
        Ok(report) => {
            print_text(&args.file, &report);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("clock not changed: {}", chain(&e))),
    }
}

fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    chatmrpt_db::error::error_chain(err)
}

fn json(value: &impl serde::Serialize) -> ExitCode {
    match print_json(value) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&chain(&e)),
    }
}

fn print_text(file: &std::path::Path, report: &ClockConversion) {
    let verb = if report.applied {
        "converted"
    } else {
        "would convert (dry run: add --apply)"
    };
    outln!(
        "{}: {} {} timestamps from {} to {}",
        file.display(),
        verb,
        report.converted(),
        report.from,
        report.to
    );
    for c in report
        .columns
        .iter()
        .filter(|c| c.converted + c.repeated > 0)
    {
        outln!(
            "  {:<24} {:<16} {:>9} converted, {:>6} kept",
            c.table,
            c.column,
            c.converted,
            c.kept
        );
        if c.repeated > 0 {
            outln!(
                "    {} fall in an hour {} repeats and read back an hour early: {}",
                c.repeated,
                report.to,
                c.repeated_keys.join(", ")
            );
        }
    }
}
