//! `chatmrpt-db outbox [replay | retry-dead | discard-dead | claim-unplaced]`.

use std::process::ExitCode;

use chatmrpt_db::{AppDualStore, Error, OutboxStats, Result, Side};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::print_json;

/// Dead entries listed by `outbox`.
const DEAD_SHOWN: u32 = 20;

/// Arguments of `outbox`.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// What to do; without one, show both outboxes.
    #[command(subcommand)]
    action: Option<OutboxAction>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum OutboxAction {
    /// Deliver every due entry now (the application's worker also does).
    Replay,
    /// Put dead entries back in the queue, attempts reset.
    RetryDead(Select),
    /// Delete dead entries: the other store never gets those writes.
    DiscardDead(Select),
    /// Owe this host's SQLite file the PostgreSQL outbox's entries that name
    /// no file (written by a release before per-file outboxes): run it on
    /// the host they came from (with one host: that host), then `replay`.
    ClaimUnplaced,
}

#[derive(Debug, Args)]
struct Select {
    /// The outbox: the store that holds it (`sqlite` or `postgres`).
    #[arg(long, value_name = "STORE")]
    outbox: Option<String>,
    /// Entry ids (repeatable), as `outbox` lists them.
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<i64>,
    /// Every dead entry.
    #[arg(long, conflicts_with = "ids")]
    all: bool,
}

#[derive(Serialize)]
struct Shown {
    outbox: &'static str,
    owed_to: &'static str,
    #[serde(flatten)]
    stats: OutboxStats,
    oldest_age_seconds: Option<u64>,
    dead_entries: Vec<DeadShown>,
}

#[derive(Serialize)]
struct DeadShown {
    id: i64,
    kind: String,
    key: String,
    attempts: i32,
    reason: Option<String>,
}

/// Runs `outbox`. `postgres` says whether PostgreSQL answered one direct
/// connection: when it did not, a look shows the SQLite outbox and then
/// fails with the cause, and an action that needs PostgreSQL fails at once
/// (`retry-dead` and `discard-dead --outbox sqlite` do not need it).
pub fn run(store: &AppDualStore, args: &OutboxArgs, postgres: Result<()>) -> Result<ExitCode> {
    let Some(action) = &args.action else {
        show(store, args.json, postgres.is_ok())?;
        return postgres.map(|()| ExitCode::SUCCESS);
    };
    let needs_postgres = match action {
        OutboxAction::RetryDead(select) | OutboxAction::DiscardDead(select) => {
            select.outbox.as_deref() != Some(store.side_name(Side::Legacy))
        }
        OutboxAction::Replay | OutboxAction::ClaimUnplaced => true,
    };
    if needs_postgres {
        postgres?;
    }
    match action {
        OutboxAction::Replay => {
            let report = store.replay_now();
            outln!(
                "delivered {}, retrying {}, parked as dead {}, waiting {}{}{}{}",
                report.delivered,
                report.retried,
                report.parked,
                report.waiting,
                if report.store_down {
                    "; a store is down"
                } else {
                    ""
                },
                if report.lease_held_elsewhere {
                    "; another process holds the replay lease (it is replaying)"
                } else {
                    ""
                },
                if report.unbound {
                    "; the SQLite file has no identity yet, so writes owed to it wait \
                     (run `chatmrpt-db migrate`)"
                } else {
                    ""
                },
            );
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::ClaimUnplaced => {
            let n = store.target().claim_unplaced()?;
            outln!(
                "{n} unplaced entries now owed to {} (delivered by the next replay)",
                store.legacy().path()
            );
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::RetryDead(select) => {
            let n = apply(store, select, |o, ids| o.outbox_retry_dead(ids))?;
            outln!("{n} dead entries back in the queue");
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::DiscardDead(select) => {
            let n = apply(store, select, |o, ids| o.outbox_discard_dead(ids))?;
            outln!("{n} dead entries discarded");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn apply(
    store: &AppDualStore,
    select: &Select,
    f: impl Fn(&dyn chatmrpt_db::OutboxStore, Option<&[i64]>) -> Result<u64>,
) -> Result<u64> {
    if select.ids.is_empty() && !select.all {
        return Err(Error::Config(
            "name the entries: --id ID (repeatable) or --all".into(),
        ));
    }
    let sides = match select.outbox.as_deref() {
        None if select.all => vec![Side::Legacy, Side::Target],
        None => {
            return Err(Error::Config(
                "ids are per outbox: add --outbox sqlite or --outbox postgres".into(),
            ));
        }
        Some(name) => vec![side_named(store, name)?],
    };
    let ids = (!select.all).then_some(select.ids.as_slice());
    sides.into_iter().map(|s| f(store.outbox(s), ids)).sum()
}

fn side_named(store: &AppDualStore, name: &str) -> Result<Side> {
    [Side::Legacy, Side::Target]
        .into_iter()
        .find(|s| store.side_name(*s) == name)
        .ok_or_else(|| Error::Config(format!("--outbox {name}: expected sqlite or postgres")))
}

fn show(store: &AppDualStore, json: bool, postgres_up: bool) -> Result<()> {
    let mut shown = Vec::new();
    let sides: &[Side] = if postgres_up {
        &[Side::Legacy, Side::Target]
    } else {
        &[Side::Legacy]
    };
    for &side in sides {
        let stats = store.outbox_stats(side)?;
        let age = stats.oldest_age().map(|a| a.as_secs());
        let dead_entries = store
            .outbox(side)
            .outbox_dead(DEAD_SHOWN)?
            .into_iter()
            .map(|e| DeadShown {
                id: e.id,
                kind: e.kind,
                key: e.row_key,
                attempts: e.attempts,
                reason: e.last_error,
            })
            .collect();
        shown.push(Shown {
            outbox: store.side_name(side),
            owed_to: store.side_name(side.other()),
            stats,
            oldest_age_seconds: age,
            dead_entries,
        });
    }
    if json {
        return print_json(&shown);
    }
    for s in &shown {
        outln!(
            "{} outbox (owed to {}): {} pending, {} dead, oldest {}{}{}",
            s.outbox,
            s.owed_to,
            s.stats.pending,
            s.stats.dead,
            s.oldest_age_seconds
                .map_or_else(|| "-".to_owned(), |a| format!("{a} s ago")),
            if s.stats.unplaced > 0 {
                format!(
                    "; {} unplaced (owed to no file: `chatmrpt-db outbox claim-unplaced` \
                     on the host they came from)",
                    s.stats.unplaced
                )
            } else {
                String::new()
            },
            if s.stats.other_destinations > 0 {
                format!(
                    "; {} owed to other hosts' files",
                    s.stats.other_destinations
                )
            } else {
                String::new()
            },
        );
        for d in &s.dead_entries {
            outln!(
                "  dead #{} {} `{}` after {} attempts: {}",
                d.id,
                d.kind,
                d.key,
                d.attempts,
                d.reason.as_deref().unwrap_or("-")
            );
        }
    }
    Ok(())
}
