use std::collections::BTreeMap;
use std::process::ExitCode;

use chatmrpt_db::{AppDualStore, InteractionStore, Result, Side, Stage, Store, Table};

use super::print_json;
use serde::Serialize;

#[derive(Serialize)]
struct Status {
    backend: &'static str,
    target: String,
    applied_migrations: Vec<String>,
    rows: BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dual: Option<DualStatus>,
}

/// What only the dual store has: the stage, the outboxes, both stores' counts.
#[derive(Serialize)]
struct DualStatus {
    stage: Stage,
    stored_stage: Option<Stage>,
    outboxes: Vec<OutboxStatus>,
    stores: Vec<StoreRows>,
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

/// `chatmrpt-db status`.
pub fn run(store: &Store, json: bool) -> Result<ExitCode> {
    // A dual store reports each store's counts itself, so that one store
    // being down does not hide the other's figures.
    let (applied, dual) = match store {
        Store::Dual(d) => (d.legacy().applied_migrations()?, Some(dual_status(d))),
        _ => (store.applied_migrations()?, None),
    };
    let status = Status {
        backend: store.backend_name(),
        target: store.target(),
        rows: if applied.is_empty() || dual.is_some() {
            BTreeMap::new()
        } else {
            counts(store.as_dyn())?
        },
        applied_migrations: applied,
        dual,
    };
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
    DualStatus {
        stage: store.refresh_stage(),
        stored_stage: store.stored_stage().ok().flatten(),
        outboxes,
        stores,
    }
}

fn one_line(e: &chatmrpt_db::Error) -> String {
    chatmrpt_db::secret::redact(&chatmrpt_db::error::error_chain(e))
}

fn print_text(status: &Status) {
    println!("backend: {}", status.backend);
    println!("target:  {}", status.target);
    match status.applied_migrations.as_slice() {
        [] => println!("migrations: none applied (run `chatmrpt-db migrate`)"),
        applied => println!("migrations: {}", applied.join(", ")),
    }
    let Some(dual) = &status.dual else {
        for (table, rows) in &status.rows {
            println!("  {table:<24} {rows:>10}");
        }
        return;
    };
    println!("stage:   {}", dual.stage);
    for o in &dual.outboxes {
        match (&o.error, o.pending, o.dead) {
            (None, Some(pending), Some(dead)) => println!(
                "outbox in {} (owed to {}): {pending} pending, {dead} dead, oldest {}",
                o.outbox,
                o.owed_to,
                o.oldest_age_seconds
                    .map_or_else(|| "-".to_owned(), |a| format!("{a} s ago"))
            ),
            (error, ..) => println!(
                "outbox in {}: unreadable: {}",
                o.outbox,
                error.as_deref().unwrap_or("-")
            ),
        }
    }
    let [legacy, target] = dual.stores.as_slice() else {
        return;
    };
    println!(
        "  {:<24} {:>10} {:>10}",
        "table", legacy.store, target.store
    );
    for table in Table::ALL {
        let cell = |s: &StoreRows| {
            s.rows
                .get(table.name())
                .map_or_else(|| "?".to_owned(), u64::to_string)
        };
        println!(
            "  {:<24} {:>10} {:>10}",
            table.name(),
            cell(legacy),
            cell(target)
        );
    }
    for s in &dual.stores {
        if let Some(e) = &s.error {
            println!("{} unreadable: {e}", s.store);
        }
    }
}
