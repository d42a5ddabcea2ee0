mod html;
mod page_file;
mod processes;
pub(super) mod unmanaged;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use chatmrpt_db::{
    AppDualStore, Heartbeat, InteractionStore, PostgresConfig, Result, Side, Stage, StageChange,
    StageSource, Store, Table, Timestamp,
};
use chatmrpt_db_migrate::records::{self, QuarantineCount, VerifyRun};

use super::{fail, print_json};
use serde::Serialize;

/// Stage changes shown (newest first).
const HISTORY: u32 = 20;

#[derive(Serialize)]
struct Status {
    backend: &'static str,
    target: String,
    applied_migrations: Vec<String>,
    rows: BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dual: Option<DualStatus>,
    /// What backfill and verify recorded in PostgreSQL (JSON and HTML only).
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<Recorded>,
}

/// The last verify run and the quarantined rows recorded in the PostgreSQL
/// store; each with the reason it could not be read (a store that is down,
/// a role without access to the bookkeeping, migrations not applied).
#[derive(Serialize)]
struct Recorded {
    last_verify: Option<VerifyRun>,
    verify_error: Option<String>,
    quarantine: Vec<QuarantineCount>,
    quarantine_error: Option<String>,
}

/// What only the dual store has: the stage, the outboxes, both stores' counts.
#[derive(Serialize)]
struct DualStatus {
    stage: Stage,
    /// Where the stage was read: `shared` (PostgreSQL), `local` (this
    /// host's copy: PostgreSQL unreachable), `default`.
    stage_source: StageSource,
    stored_stage: Option<Stage>,
    /// Every process's last heartbeat (every host), newest first.
    processes: Vec<ProcessStatus>,
    processes_error: Option<String>,
    outboxes: Vec<OutboxStatus>,
    stores: Vec<StoreRows>,
    /// The latest stage changes, newest first.
    stage_history: Vec<StageChange>,
    stage_history_error: Option<String>,
}

/// One process of the application, as its last heartbeat says.
#[derive(Serialize)]
struct ProcessStatus {
    #[serde(flatten)]
    beat: Heartbeat,
    /// Seconds since the heartbeat (a process that stopped stops beating).
    seen_seconds_ago: u64,
    /// Not heard from for `Heartbeat::STALE_AFTER`: stopped, or cut off
    /// from PostgreSQL (the stage rule then counts its file as owing).
    stale: bool,
    /// Whether it follows the shared stage (the stage shown above).
    follows: bool,
}

#[derive(Serialize)]
struct OutboxStatus {
    outbox: &'static str,
    owed_to: &'static str,
    pending: Option<u64>,
    dead: Option<u64>,
    oldest_age_seconds: Option<u64>,
    error: Option<String>,
}

/// One store's counts, or why they could not be read (a store that is
/// down does not hide the other's figures).
#[derive(Serialize)]
struct StoreRows {
    store: &'static str,
    rows: BTreeMap<&'static str, u64>,
    error: Option<String>,
}

/// `chatmrpt-db status`; `postgres` is the configured PostgreSQL store
/// (alone or in the dual store), where backfill and verify record.
pub fn run(
    store: &Store,
    postgres: Option<&PostgresConfig>,
    json: bool,
    html: Option<&Path>,
) -> Result<ExitCode> {
    // A dual store reports each store's counts itself, so that one store
    // being down does not hide the other's figures.
    let (applied, dual) = match store {
        Store::Dual(d) => (d.legacy().applied_migrations()?, Some(dual_status(d))),
        _ => (store.applied_migrations()?, None),
    };
    let status = Status {
        backend: store.backend_name(),
        target: store.location(),
        rows: if applied.is_empty() || dual.is_some() {
            BTreeMap::new()
        } else {
            counts(store.as_dyn())?
        },
        applied_migrations: applied,
        dual,
        // Text output stays as it was: no extra connection for it.
        recorded: postgres.filter(|_| json || html.is_some()).map(recorded),
    };
    if let Some(path) = html {
        if let Err(cause) = page_file::write(path, &status) {
            return Ok(fail(&cause));
        }
    }
    if json {
        print_json(&status)?;
    } else {
        print_text(&status);
    }
    Ok(ExitCode::SUCCESS)
}

/// Row counts of every table.
fn counts(store: &dyn InteractionStore) -> Result<BTreeMap<&'static str, u64>> {
    Table::ALL
        .iter()
        .map(|t| Ok((t.name(), store.count_rows(*t)?)))
        .collect()
}

/// Reads what backfill and verify recorded in `config`'s schema.
fn recorded(config: &PostgresConfig) -> Recorded {
    let mut conn = match records::connect(config) {
        Ok(conn) => conn,
        Err(e) => {
            let cause = migrate_error(&e);
            return Recorded {
                last_verify: None,
                verify_error: Some(cause.clone()),
                quarantine: Vec::new(),
                quarantine_error: Some(cause),
            };
        }
    };
    let (last_verify, verify_error) = match records::last_verify_run(&mut conn) {
        Ok(run) => (run, None),
        Err(e) => (None, Some(migrate_error(&e))),
    };
    let (quarantine, quarantine_error) = match records::quarantine_counts(&mut conn) {
        Ok(counts) => (counts, None),
        Err(e) => (Vec::new(), Some(migrate_error(&e))),
    };
    Recorded {
        last_verify,
        verify_error,
        quarantine,
        quarantine_error,
    }
}

fn migrate_error(e: &chatmrpt_db_migrate::Error) -> String {
    let cause = chatmrpt_db::error::error_chain(e);
    chatmrpt_db::secret::redact(&cause.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn dual_status(store: &AppDualStore) -> DualStatus {
    let sides = [Side::Legacy, Side::Target];
    let outboxes = sides
        .iter()
        .map(|side| {
            let (outbox, owed_to) = (store.side_name(*side), store.side_name(side.other()));
            match store.outbox_stats(*side) {
                Ok(s) => OutboxStatus {
                    outbox,
                    owed_to,
                    pending: Some(s.pending),
                    dead: Some(s.dead),
                    oldest_age_seconds: s.oldest_age().map(|a| a.as_secs()),
                    error: None,
                },
                Err(e) => OutboxStatus {
                    outbox,
                    owed_to,
                    pending: None,
                    dead: None,
                    oldest_age_seconds: None,
                    error: Some(one_line(&e)),
                },
            }
        })
        .collect();
    let stores = [
        (store.side_name(Side::Legacy), counts(store.legacy())),
        (store.side_name(Side::Target), counts(store.target())),
    ]
    .into_iter()
    .map(|(name, rows)| match rows {
        Ok(rows) => StoreRows {
            store: name,
            rows,
            error: None,
        },
        Err(e) => StoreRows {
            store: name,
            rows: BTreeMap::new(),
            error: Some(one_line(&e)),
        },
    })
    .collect();
    let (stage_history, stage_history_error) = match store.stage_history(HISTORY) {
        Ok(history) => (history, None),
        Err(e) => (Vec::new(), Some(one_line(&e))),
    };
    let stage = store.refresh_stage();
    let now = Timestamp::now();
    let (processes, processes_error) = match store.heartbeats() {
        Ok(beats) => (
            beats
                .into_iter()
                .map(|beat| ProcessStatus {
                    seen_seconds_ago: beat.silent_for(now).as_secs(),
                    stale: beat.is_stale(now),
                    follows: beat.stage == stage,
                    beat,
                })
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(one_line(&e))),
    };
    DualStatus {
        stage,
        stage_source: store.stage_source(),
        stored_stage: store.stored_stage().ok().flatten(),
        processes,
        processes_error,
        outboxes,
        stores,
        stage_history,
        stage_history_error,
    }
}

fn one_line(e: &chatmrpt_db::Error) -> String {
    chatmrpt_db::secret::redact(&chatmrpt_db::error::error_chain(e))
}

fn print_text(status: &Status) {
    outln!("backend: {}", status.backend);
    outln!("target:  {}", status.target);
    match status.applied_migrations.as_slice() {
        [] => outln!("migrations: none applied (run `chatmrpt-db migrate`)"),
        applied => outln!("migrations: {}", applied.join(", ")),
    }
    let Some(dual) = &status.dual else {
        for (table, rows) in &status.rows {
            outln!("  {table:<24} {rows:>10}");
        }
        return;
    };
    let source = dual.stage_source.describe();
    outln!("stage:   {} ({source})", dual.stage);
    processes::print_text(dual);
    for o in &dual.outboxes {
        match (&o.error, o.pending, o.dead) {
            (None, Some(pending), Some(dead)) => outln!(
                "outbox in {} (owed to {}): {pending} pending, {dead} dead, oldest {}",
                o.outbox,
                o.owed_to,
                o.oldest_age_seconds
                    .map_or_else(|| "-".to_owned(), |a| format!("{a} s ago"))
            ),
            (error, ..) => outln!(
                "outbox in {}: unreadable: {}",
                o.outbox,
                error.as_deref().unwrap_or("-")
            ),
        }
    }
    let [legacy, target] = dual.stores.as_slice() else {
        return;
    };
    outln!(
        "  {:<24} {:>10} {:>10}",
        "table",
        legacy.store,
        target.store
    );
    for table in Table::ALL {
        let cell = |s: &StoreRows| {
            s.rows
                .get(table.name())
                .map_or_else(|| "?".to_owned(), u64::to_string)
        };
        outln!(
            "  {:<24} {:>10} {:>10}",
            table.name(),
            cell(legacy),
            cell(target)
        );
    }
    for s in &dual.stores {
        if let Some(e) = &s.error {
            outln!("{} unreadable: {e}", s.store);
        }
    }
}
