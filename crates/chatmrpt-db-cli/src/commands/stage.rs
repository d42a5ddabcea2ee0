//! `chatmrpt-db stage [set STAGE]`.

use std::process::ExitCode;

use chatmrpt_db::{
    AppDualStore, Result, Routing, Side, Stage, StageChange, StageRequest, StageSource, StageStore,
};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::print_json;

/// Arguments of `stage`.
#[derive(Debug, Args)]
pub struct StageArgs {
    /// What to do; without one, show the stage and its recent history.
    #[command(subcommand)]
    action: Option<StageAction>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

impl StageArgs {
    /// Whether the command changes the stage (PostgreSQL keeps it).
    pub fn sets(&self) -> bool {
        matches!(self.action, Some(StageAction::Set { .. }))
    }

    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.json
    }
}

#[derive(Debug, Subcommand)]
enum StageAction {
    /// Move every host to STAGE (one step forward or back); needs PostgreSQL,
    /// which keeps the stage every host shares.
    Set {
        /// off, dual_write, shadow, live, rampdown or complete.
        #[arg(value_parser = parse_stage)]
        stage: Stage,
        /// Allow skipping stages, or moving onto a store that still owes writes.
        #[arg(long)]
        force: bool,
        /// Who is changing it, for the history (default: $USER via chatmrpt-db).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

fn parse_stage(name: &str) -> std::result::Result<Stage, String> {
    name.parse().map_err(|e: chatmrpt_db::Error| e.to_string())
}

#[derive(Serialize)]
struct Shown {
    stage: Stage,
    /// `shared` (PostgreSQL), `local` (this host's copy), `default`.
    source: StageSource,
    /// The shared stage stored in PostgreSQL (`null` when unreadable or
    /// never set).
    stored: Option<Stage>,
    writes: Vec<&'static str>,
    reads: &'static str,
    compared: bool,
    history: Vec<StageChange>,
    /// The store reads are compared with, when they are.
    #[serde(skip)]
    other: &'static str,
}

/// Runs `stage`.
pub fn run(store: &AppDualStore, args: &StageArgs) -> Result<ExitCode> {
    match &args.action {
        None => show(store, args.json),
        Some(StageAction::Set { stage, force, by }) => {
            let request = StageRequest {
                to: *stage,
                changed_by: by.clone().unwrap_or_else(default_actor),
                force: *force,
            };
            match store.set_stage(&request)? {
                Some(change) if args.json => print_json(&change)?,
                Some(change) => outln!(
                    "stage: {} -> {}{} (by {})",
                    change.from,
                    change.to,
                    if change.forced { ", forced" } else { "" },
                    change.changed_by
                ),
                None => outln!("stage: already {stage}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn show(store: &AppDualStore, json: bool) -> Result<ExitCode> {
    let stage = store.refresh_stage();
    let shown = Shown::of(
        stage,
        store.stage_source(),
        store.stored_stage().ok().flatten(),
        store.stage_history(10).unwrap_or_default(),
    );
    print(&shown, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `stage` while PostgreSQL, which keeps the shared stage, does not
/// answer: what this host's file knows (its last known copy and its
/// history), printed before the caller fails with PostgreSQL's cause.
///
/// # Errors
///
/// Stdout's failure.
pub fn show_local(file: &chatmrpt_db::SqliteStore, default: Stage, json: bool) -> Result<()> {
    // A file that cannot say (an older schema) shows the default: the
    // caller's error is PostgreSQL's, whatever the file knows.
    let (stage, source) = match file.stored_stage().ok().flatten() {
        Some(stage) => (stage, StageSource::Local),
        None => (default, StageSource::Default),
    };
    let history = file.stage_history(10).unwrap_or_default();
    print(&Shown::of(stage, source, None, history), json)
}

impl Shown {
    fn of(
        stage: Stage,
        source: StageSource,
        stored: Option<Stage>,
        history: Vec<StageChange>,
    ) -> Self {
        let routing = Routing::of(stage);
        let auth = side_name(routing.authoritative);
        let other = side_name(routing.authoritative.other());
        Self {
            stage,
            source,
            stored,
            writes: if routing.mirrored {
                vec![auth, other]
            } else {
                vec![auth]
            },
            reads: auth,
            compared: routing.compared,
            history,
            other,
        }
    }
}

/// The dual store's name for a side: the legacy store is SQLite.
fn side_name(side: Side) -> &'static str {
    match side {
        Side::Legacy => "sqlite",
        Side::Target => "postgres",
    }
}

fn print(shown: &Shown, json: bool) -> Result<()> {
    if json {
        return print_json(shown);
    }
    let origin = shown.source.describe();
    outln!("stage:    {} ({origin})", shown.stage);
    outln!("writes:   {}", shown.writes.join(", then "));
    outln!(
        "reads:    {}{}",
        shown.reads,
        if shown.compared {
            format!(" (compared with {})", shown.other)
        } else {
            String::new()
        }
    );
    for change in &shown.history {
        outln!(
            "  {}  {} -> {}  by {}{}",
            change.changed_at.to_legacy_string(),
            change.from,
            change.to,
            change.changed_by,
            if change.forced { " (forced)" } else { "" }
        );
    }
    Ok(())
}

fn default_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("{user} via chatmrpt-db")
}
