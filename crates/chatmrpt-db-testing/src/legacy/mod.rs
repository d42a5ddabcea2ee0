//! Legacy `interactions.db` files, written exactly as the ChatMRPT Python
//! application writes them, for adoption, backfill and verify tests.
//!
//! [`write_legacy_file`] writes a file of a [`Release`] at a scale (1 = the
//! migration note's row counts: 43,871 sessions, 630 messages, 248 uploads,
//! 1,089 analysis events, 2 errors, 740 LLM calls); [`write_corrupted_file`]
//! writes a 17-table file with every bad case the backfill must handle, and
//! lists each planted row.
//!
//! What "exactly" means here:
//! - the schema is the application's start-up DDL, statement for statement:
//!   `CREATE TABLE IF NOT EXISTS`, legacy declared types (INTEGER, REAL,
//!   TIMESTAMP, BOOLEAN, TEXT), `TEXT PRIMARY KEY` without NOT NULL, declared
//!   foreign keys, no index, and `ALTER TABLE ... ADD COLUMN enhanced_timing`
//!   for files upgraded in July 2025 (see [`Release`]);
//! - the file is in the default rollback-journal mode (never WAL), written
//!   with `foreign_keys` off;
//! - values are bound as Python's `sqlite3` binds them: `str(datetime)` text
//!   timestamps (no fraction when the microsecond is 0), 0/1 booleans,
//!   `str(uuid4())` keys, session ids in all three legacy forms (uuid4,
//!   `session_YYYYMMDD_HHMMSS`, `<uuid>__<conversation_id>`) plus
//!   client-supplied ones differing only in case, `json.dumps` (ASCII-escaped)
//!   or `str(x)` reprs in the JSON-ish columns, `NaN` inside JSON, the
//!   system prompt as a JSON string literal in `prompt_context`, orphan
//!   `session_id`s in every child table and NULL ones in `analysis_events`.
//!
//! Rows go in through diesel's `sql_query` with bound parameters, many rows
//! per statement, in one transaction: scale 1 (17 MB) takes about a second
//! in a debug build; scale 20 (≈880k sessions, 350 MB) 15–25 s in release on
//! a shared 2-core machine, under 170 MB of memory.
//!
//! The binary `legacy_fixture --release R --scale N --out FILE [--seed N]`
//! (or `--corrupt --out FILE`) writes the same files and prints the summary
//! as JSON.

mod analysis;
mod conversation;
mod corrupt;
mod ddl;
mod duplicate;
mod insert;
mod insights;
mod live;
mod newer;
mod plant;
mod plants;
mod py;
mod release;
mod rng;
mod sessions;
mod summary;
mod text;
mod world;

use std::path::Path;

use diesel::connection::{Connection, SimpleConnection};
use diesel::sqlite::SqliteConnection;

pub use corrupt::{CorruptionSummary, Defect, Disposition, PlantedRow, write_corrupted_file};
pub use live::{
    LiveReport, LiveWriter, committed_keys, live_llm_response, live_message_content,
    live_routing_text,
};
pub use release::Release;
pub use summary::{FixtureSummary, TableSummary};

use world::World;

/// Why a fixture could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The arguments make no sense (a scale of 0, an unknown release).
    #[error("{0}")]
    Usage(String),
    /// The file could not be created or replaced.
    #[error("cannot write {path}")]
    Io {
        /// The fixture's path.
        path: String,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused to open the file.
    #[error("cannot open the fixture file")]
    Open(#[from] diesel::ConnectionError),
    /// SQLite refused a statement.
    #[error("writing the fixture failed")]
    Sql(#[from] diesel::result::Error),
}

/// Writes a legacy file of `release` at `path` (replacing any file there)
/// with `scale` times the note's row counts, deterministically from `seed`.
///
/// # Errors
///
/// [`FixtureError::Usage`] for a scale that is not a positive finite
/// number; [`FixtureError::Io`], [`FixtureError::Open`] or
/// [`FixtureError::Sql`] when the file cannot be written.
pub fn write_legacy_file(
    path: impl AsRef<Path>,
    release: Release,
    scale: f64,
    seed: u64,
) -> Result<FixtureSummary, FixtureError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(FixtureError::Usage(format!(
            "scale must be a positive number, got {scale}"
        )));
    }
    let mut conn = create_file(path.as_ref())?;
    release.create_schema(&mut conn)?;
    let mut world = World::new(release, scale, seed);
    conn.transaction(|conn| write_rows(&mut world, conn))?;
    finish_file(&mut conn)?;
    Ok(world.summary)
}

/// Writes every table of the world's release, parents before children.
fn write_rows(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    sessions::write(world, conn)?;
    let users = conversation::messages(world, conn)?;
    conversation::uploads(world, conn)?;
    conversation::events(world, conn)?;
    conversation::errors(world, conn)?;
    let llm = conversation::llm_calls(world, conn)?;
    let steps = analysis::steps(world, conn)?;
    analysis::step_children(world, conn, &steps)?;
    insights::insights(world, conn)?;
    analysis::explanations(world, conn, &llm)?;
    if world.release.has_routing() {
        newer::routing(world, conn, &users)?;
    }
    if world.release.has_arena() {
        newer::arena(world, conn)?;
        newer::exports(world, conn)?;
    }
    Ok(())
}

/// Creates an empty file at `path` (removing a previous one and its
/// journal) and opens it the way the generator writes: no foreign keys, no
/// journal and a large page cache while bulk-loading (a new file has nothing
/// to roll back to; neither setting is stored in the file).
fn create_file(path: &Path) -> Result<SqliteConnection, FixtureError> {
    for stale in [path.to_path_buf(), sidecar(path, "-journal")] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error(path, e));
            }
            _ => {}
        }
    }
    let mut conn = open(path)?;
    conn.batch_execute(
        "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -131072;",
    )?;
    Ok(conn)
}

/// Opens an existing fixture file with `foreign_keys` off, as Python does.
pub(crate) fn open(path: &Path) -> Result<SqliteConnection, FixtureError> {
    let text = path
        .to_str()
        .ok_or_else(|| FixtureError::Usage(format!("{} is not UTF-8", path.display())))?;
    let mut conn = SqliteConnection::establish(text)?;
    conn.batch_execute("PRAGMA foreign_keys = OFF;")?;
    Ok(conn)
}

/// Leaves the file in the default rollback-journal mode the app uses.
fn finish_file(conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    conn.batch_execute("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;")?;
    Ok(())
}

fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

fn io_error(path: &Path, source: std::io::Error) -> FixtureError {
    FixtureError::Io {
        path: path.display().to_string(),
        source,
    }
}
