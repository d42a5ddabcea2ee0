//! What a path holds, found without writing to it: the question an
//! application asks before it opens its log.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

use super::error::AdoptError;

/// What is at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    /// No file, a zero-byte one, or a database with no schema at all: a
    /// new log may be created there.
    Absent,
    /// A file the SQLite store has migrated (it holds diesel's bookkeeping).
    Managed,
    /// Any other file: a legacy `interactions.db` to adopt, or something
    /// [`super::adopt`] will refuse with its reason.
    Unmanaged,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    found: i64,
}

/// Looks at `path` through a read-only connection (never creating it and
/// never taking the write lock).
///
/// # Errors
///
/// [`AdoptError::Database`] when the file cannot be read.
pub fn file_state(path: &Path) -> Result<FileState, AdoptError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Absent),
        Ok(meta) if meta.len() == 0 => return Ok(FileState::Absent),
        _ => {}
    }
    let failed = |step, source: Box<dyn std::error::Error + Send + Sync>| AdoptError::Database {
        path: path.to_path_buf(),
        step,
        source,
    };
    let Ok(mut look) = crate::Look::open(path) else {
        // Not SQLite, unreadable...: adoption names the reason.
        return Ok(FileState::Unmanaged);
    };
    // Another process may be committing: wait for it as the store does.
    let conn: &mut SqliteConnection = &mut look;
    let busy = chatmrpt_db_core::SqliteConfig::default().busy_timeout_ms;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy};"))
        .map_err(|e| failed("setting the busy timeout", Box::new(e)))?;
    // -1: an empty schema; 1: diesel's bookkeeping is there; 0: neither.
    let found: Result<Found, _> = diesel::sql_query(
        "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM sqlite_master) THEN -1 \
         ELSE (SELECT count(*) FROM sqlite_master \
               WHERE type = 'table' AND name = '__diesel_schema_migrations') END AS found",
    )
    .get_result(conn);
    match found {
        Ok(Found { found: -1 }) => Ok(FileState::Absent),
        Ok(Found { found }) if found > 0 => Ok(FileState::Managed),
        Ok(_) => Ok(FileState::Unmanaged),
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("not a database") =>
        {
            Ok(FileState::Unmanaged)
        }
        Err(e) => match chatmrpt_db_core::sqlite_file::Obstacle::find(path, &e.to_string()) {
            Some(obstacle) => Err(AdoptError::Obstacle {
                path: path.to_path_buf(),
                obstacle,
            }),
            _ => Err(failed("reading the schema", Box::new(e))),
        },
    }
}
