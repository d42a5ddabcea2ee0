use std::collections::BTreeMap;
use std::process::ExitCode;

use chatmrpt_db::{Result, Store, Table};

use super::print_json;
use serde::Serialize;

#[derive(Serialize)]
struct Status {
    backend: &'static str,
    target: String,
    applied_migrations: Vec<String>,
    rows: BTreeMap<&'static str, u64>,
}

/// `chatmrpt-db status`.
pub fn run(store: &Store, json: bool) -> Result<ExitCode> {
    let status = Status {
        backend: store.backend_name(),
        target: store.target(),
        applied_migrations: store.applied_migrations()?,
        rows: counts(store)?,
    };
    if json {
        print_json(&status)?;
    } else {
        print_text(&status);
    }
    Ok(ExitCode::SUCCESS)
}

/// Row counts of the tables that exist; before `migrate` there are none.
fn counts(store: &Store) -> Result<BTreeMap<&'static str, u64>> {
    if store.applied_migrations()?.is_empty() {
        return Ok(BTreeMap::new());
    }
    Table::ALL
        .iter()
        .map(|t| Ok((t.name(), store.count_rows(*t)?)))
        .collect()
}

fn print_text(status: &Status) {
    println!("backend: {}", status.backend);
    println!("target:  {}", status.target);
    match status.applied_migrations.as_slice() {
        [] => println!("migrations: none applied (run `chatmrpt-db migrate`)"),
        applied => println!("migrations: {}", applied.join(", ")),
    }
    for (table, rows) in &status.rows {
        println!("  {table:<24} {rows:>10}");
    }
}
