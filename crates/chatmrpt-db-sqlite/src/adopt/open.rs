//! Opening a candidate file without changing it: it must exist, start with
//! the SQLite header, not be locked by a writer, and pass `quick_check`.

use std::io::Read;
use std::path::Path;

use diesel::connection::{Connection, SimpleConnection};
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

use super::error::{AdoptError, classify};

const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Opens `path` read-write (never creating it) with a busy timeout of
/// `busy_ms`, after the checks that need no write: header, lock, integrity.
pub(crate) fn open_checked(path: &Path, busy_ms: u32) -> Result<SqliteConnection, AdoptError> {
    check_header(path)?;
    let mut conn = SqliteConnection::establish(&uri(path)).map_err(|e| AdoptError::Database {
        path: path.to_path_buf(),
        step: "opening the file",
        source: Box::new(e),
    })?;
    let fail = |step, e| classify(path, step, busy_ms, e);
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy_ms};"))
        .map_err(|e| fail("setting the busy timeout", e))?;
    // Take and release the write lock: a writer holding it (or an exclusive
    // transaction) makes this fail after the timeout, before anything is
    // copied. Acquiring RESERVED writes nothing.
    conn.batch_execute("BEGIN IMMEDIATE; ROLLBACK;")
        .map_err(|e| fail("checking for other writers", e))?;
    quick_check(&mut conn, path, busy_ms)?;
    Ok(conn)
}

/// An empty file is not a log; anything not starting with the header is
/// not SQLite. Reading the header ourselves keeps SQLite from ever
/// touching such a file.
fn check_header(path: &Path) -> Result<(), AdoptError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(AdoptError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(AdoptError::Database {
                path: path.to_path_buf(),
                step: "reading the file header",
                source: Box::new(e),
            });
        }
    };
    let mut header = [0u8; 16];
    match file.read_exact(&mut header) {
        Ok(()) if &header == HEADER => Ok(()),
        _ if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) => Err(AdoptError::NotALog {
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
        }),
        _ => Err(AdoptError::NotSqlite {
            path: path.to_path_buf(),
        }),
    }
}

#[derive(QueryableByName)]
struct CheckLine {
    #[diesel(sql_type = Text)]
    quick_check: String,
}

/// `PRAGMA quick_check`: page structure, record format, NOT NULL, but not
/// UNIQUE or index-versus-table agreement (`integrity_check` would refuse a
/// legacy file holding a duplicate key that backfill quarantines instead).
fn quick_check(conn: &mut SqliteConnection, path: &Path, busy_ms: u32) -> Result<(), AdoptError> {
    let lines: Vec<CheckLine> = diesel::sql_query("PRAGMA quick_check(20)")
        .load(conn)
        .map_err(|e| classify(path, "quick_check", busy_ms, e))?;
    match lines.as_slice() {
        [line] if line.quick_check == "ok" => Ok(()),
        _ => Err(AdoptError::Corrupt {
            path: path.to_path_buf(),
            details: lines
                .iter()
                .map(|l| l.quick_check.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// A `file:` URI opening `path` read-write without creating it.
pub(crate) fn uri(path: &Path) -> String {
    crate::look::file_uri(path, "rw")
}
