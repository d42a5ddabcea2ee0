//! The safety copy: `VACUUM INTO`, a consistent snapshot taken in one read
//! transaction, so it is whole even while the legacy app writes.
//!
//! SQLite's online-backup API (`sqlite3_backup_*`) would copy page by page
//! without holding the read lock for the whole copy, but diesel does not
//! expose it and calling the C API directly needs `unsafe`, which this
//! workspace forbids. `VACUUM INTO` holds a shared lock while it copies: in
//! the legacy app's rollback-journal mode its writers wait (5 s busy
//! timeout, then the write is dropped) for that long. A few seconds for a
//! file of a few hundred megabytes; adopt at a quiet hour.

use std::path::{Path, PathBuf};

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;

use super::error::{AdoptError, classify};

/// Copies the database to a new file in `dir` (default: the file's own
/// directory) and returns the copy's path.
pub(crate) fn safety_copy(
    conn: &mut SqliteConnection,
    path: &Path,
    dir: Option<&Path>,
    busy_ms: u32,
) -> Result<PathBuf, AdoptError> {
    let dir = dir.map_or_else(
        || path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        Path::to_path_buf,
    );
    let fail = |backup: &Path, source: chatmrpt_db_core::error::BoxError| AdoptError::Backup {
        path: path.to_path_buf(),
        backup: backup.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, Box::new(e)))?;
    let backup = free_name(&dir, path);
    let target = backup
        .to_str()
        .ok_or_else(|| fail(&backup, "the backup path is not UTF-8".into()))?;
    if let Err(err) = diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(conn)
    {
        // A partial copy is worse than none.
        let _ = std::fs::remove_file(&backup);
        return Err(match classify(path, "VACUUM INTO", busy_ms, err) {
            AdoptError::Database { source, .. } => {
                let message = source.to_string();
                match chatmrpt_db_core::sqlite_file::Obstacle::find(&backup, &message) {
                    Some(obstacle) => fail(&backup, obstacle.advice(&backup).into()),
                    None => fail(&backup, source),
                }
            }
            other => other,
        });
    }
    Ok(std::path::absolute(&backup).unwrap_or(backup))
}

/// `<file name>.backup-<UTC time>`, with a counter if that exists already.
fn free_name(dir: &Path, path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "interactions.db".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let stamp = chrono_free_stamp();
    let mut candidate = dir.join(format!("{name}.backup-{stamp}"));
    let mut n = 1;
    while candidate.exists() {
        candidate = dir.join(format!("{name}.backup-{stamp}-{n}"));
        n += 1;
    }
    candidate
}

/// `YYYYMMDDTHHMMSSZ` from the legacy timestamp text of now.
fn chrono_free_stamp() -> String {
    let now = chatmrpt_db_core::Timestamp::now().to_legacy_string();
    let digits: String = now.chars().take(19).filter(char::is_ascii_digit).collect();
    format!("{}T{}Z", &digits[..8], &digits[8..])
}
