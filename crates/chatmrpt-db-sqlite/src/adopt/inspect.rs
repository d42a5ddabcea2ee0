//! What an unmanaged file holds, for a look that must not change it: its
//! tables and their row counts, through a read-only connection.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

use super::error::AdoptError;

/// An unmanaged SQLite file, as [`inspect`] found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// Whether it looks like the legacy application's log (it has a
    /// `sessions` table): [`super::adopt`] is the way to manage it.
    pub legacy_log: bool,
    /// Every table (SQLite's own aside) with its row count, by name.
    pub tables: Vec<(String, u64)>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Reads the tables of `path` and counts their rows through a read-only
/// connection (one short read per table; nothing is created, migrated or
/// switched, and a rollback-journal file gets no `-wal`/`-shm`).
///
/// # Errors
///
/// [`AdoptError::Missing`], [`AdoptError::NotSqlite`],
/// [`AdoptError::Obstacle`], or [`AdoptError::Database`] for a read that
/// failed.
pub fn inspect(path: &Path) -> Result<Inspection, AdoptError> {
    if !path.is_file() {
        return Err(AdoptError::Missing {
            path: path.to_path_buf(),
        });
    }
    let failed =
        |step, e: diesel::result::Error| match chatmrpt_db_core::sqlite_file::Obstacle::find(
            path,
            &e.to_string(),
        ) {
            Some(obstacle) => AdoptError::Obstacle {
                path: path.to_path_buf(),
                obstacle,
            },
            _ if e.to_string().contains("not a database") => AdoptError::NotSqlite {
                path: path.to_path_buf(),
            },
            _ => AdoptError::Database {
                path: path.to_path_buf(),
                step,
                source: Box::new(e),
            },
        };
    let mut look = crate::Look::open(path).map_err(|e| AdoptError::Database {
        path: path.to_path_buf(),
        step: "opening the file read-only",
        source: Box::new(e),
    })?;
    let conn: &mut SqliteConnection = &mut look;
    let busy = chatmrpt_db_core::SqliteConfig::default().busy_timeout_ms;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy};"))
        .map_err(|e| failed("setting the busy timeout", e))?;
    let names: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .load(conn)
    .map_err(|e| failed("listing the tables", e))?;
    let mut tables = Vec::with_capacity(names.len());
    for Name { name } in names {
        // An identifier read from the file's own catalog, quoted: it cannot
        // be a bound parameter.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let Count { n } = diesel::sql_query(format!("SELECT count(*) AS n FROM {quoted}"))
            .get_result(conn)
            .map_err(|e| failed("counting rows", e))?;
        tables.push((name, u64::try_from(n).unwrap_or(0)));
    }
    let legacy_log = tables.iter().any(|(name, _)| name == "sessions");
    Ok(Inspection { legacy_log, tables })
}
