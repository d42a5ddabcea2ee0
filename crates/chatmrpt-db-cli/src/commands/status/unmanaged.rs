//! `status` on a SQLite file that is not under management: what it holds,
//! read through a read-only connection, and the way to manage it. Nothing
//! is created, migrated or switched.

use std::path::Path;
use std::process::ExitCode;

use chatmrpt_db::adopt::{Inspection, inspect};
use chatmrpt_db::{Error, Result};
use serde::Serialize;

use super::super::{fail, print_json};

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    managed: bool,
    legacy_log: bool,
    next: String,
    tables: &'a [(String, u64)],
}

/// Reports on the unmanaged file at `path`: a legacy log's tables and row
/// counts and `adopt` as the next step (exit 0); any other file is refused
/// (exit 2), as every command does.
///
/// # Errors
///
/// Only a closed stdout; a file that cannot be read is reported on stderr
/// (exit 2).
pub(in crate::commands) fn run(path: &Path, json: bool) -> Result<ExitCode> {
    let Inspection { legacy_log, tables } = match inspect(path) {
        Ok(found) => found,
        Err(e) => return Ok(fail(&chatmrpt_db::error::error_chain(&e))),
    };
    let shown = path.display();
    if !legacy_log {
        return Ok(fail(&format!(
            "{shown}: not a ChatMRPT log under management, left unchanged (no `sessions` table: \
             not the legacy application's interactions.db either)"
        )));
    }
    let next = format!("chatmrpt-db adopt {shown}");
    if json {
        print_json(&Report {
            file: shown.to_string(),
            managed: false,
            legacy_log,
            next,
            tables: &tables,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("file: {shown}");
    outln!("not adopted: the legacy application's log, left unchanged; run `{next}` to manage it");
    let width = tables.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, rows) in &tables {
        outln!("  {name:<width$} {rows:>10}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `status` should report on the file instead of opening a store:
/// the SQLite backend on an existing file that is not under management.
pub(in crate::commands) fn applies(path: &Path) -> Result<bool> {
    use chatmrpt_db::adopt::{FileState, file_state};
    match file_state(path) {
        Ok(state) => Ok(state == FileState::Unmanaged),
        Err(e) => Err(Error::Config(chatmrpt_db::error::error_chain(&e))),
    }
}
