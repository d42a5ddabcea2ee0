//! A read-only look at a SQLite file that leaves nothing beside it.
//!
//! A read-only connection (`mode=ro`) never writes the database, but on a
//! file in WAL mode whose `-wal` and `-shm` are absent (no connection is
//! open) SQLite creates both to read, and a read-only connection cannot
//! remove them when it closes: a look would leave two empty files behind.
//!
//! [`Look`] remembers which neighbours existed before it opened. When it is
//! dropped, after its connection has closed, and it finds a `-wal` or
//! `-shm` that was not there, it tidies them the way SQLite itself does: it
//! opens the file read-write, reads the schema, and closes. SQLite's close
//! removes both files only when it is the last connection (it takes the
//! file's exclusive lock to decide), so files another process opened in
//! the meantime stay. A `-wal` that holds frames was written by someone
//! else (a read-only connection writes none) and is never touched. So the
//! tidying has nothing to checkpoint and the database's bytes stay as they
//! were; in one narrow race (a writer commits and closes while the tidying
//! connection is the last one open) its close checkpoints that writer's
//! commit, as that writer's own close would have: safe, but a write.

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use diesel::connection::{Connection, SimpleConnection};
use diesel::sqlite::SqliteConnection;

/// A read-only connection to a SQLite file that tidies what SQLite created
/// beside the file for it (see the module docs).
pub struct Look {
    // Declared first so it closes before `tidy` runs.
    conn: SqliteConnection,
    tidy: Tidy,
}

impl Look {
    /// Opens `path` read-only (`mode=ro`: never created, never written).
    ///
    /// # Errors
    ///
    /// The driver's, when SQLite cannot open the file.
    pub fn open(path: &Path) -> diesel::ConnectionResult<Self> {
        let tidy = Tidy::before(path);
        let conn = SqliteConnection::establish(&file_uri(path, "ro"))?;
        Ok(Self { conn, tidy })
    }

    /// The path looked at.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.tidy.path
    }
}

impl Deref for Look {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for Look {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// A `file:` URI opening `path` in `mode` (`ro`, `rw`; never `rwc`, so
/// SQLite never creates the file), every byte outside the unreserved set
/// percent-encoded (a path need not be UTF-8).
#[must_use]
pub fn file_uri(path: &Path, mode: &str) -> String {
    let mut out = String::from("file:");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(*byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out.push_str("?mode=");
    out.push_str(mode);
    out
}

/// Which of a file's WAL neighbours existed before a look (or a command):
/// dropped, it removes the empty `-wal` and `-shm` that appeared since, the
/// way SQLite's last close does (see the module docs). A command that only
/// looks holds one across its run, so that a connection a pool thread was
/// still closing at exit leaves nothing behind.
pub struct Tidy {
    path: PathBuf,
    had_wal: bool,
    had_shm: bool,
}

impl Tidy {
    /// Notes what is beside `path` now.
    #[must_use]
    pub fn before(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            had_wal: neighbour(path, "-wal").exists(),
            had_shm: neighbour(path, "-shm").exists(),
        }
    }
}

impl Drop for Tidy {
    fn drop(&mut self) {
        // Either was there: a connection was open (or a writer crashed and
        // the next read-write open recovers); they are not the look's. A
        // journal beside it is a writer's too, for its next open to settle.
        if self.had_wal || self.had_shm || neighbour(&self.path, "-journal").exists() {
            return;
        }
        let wal = neighbour(&self.path, "-wal");
        let shm = neighbour(&self.path, "-shm");
        // A connection of this process may still be closing on a pool's
        // thread (r2d2 drops a pool on whichever thread lets it go last):
        // tries, 10 ms apart, until that close has removed the files or
        // this one's has, before leaving them to whoever holds them. A
        // close holds the file's exclusive lock while it checkpoints and
        // removes them, so a try that finds the file locked waits too; the
        // process must not end in the middle of that close, which would
        // leave a `-wal` (and perhaps a `-shm`) behind.
        let mut locked = None;
        for _ in 0..TIDY_TRIES {
            let wal_len = std::fs::metadata(&wal).map(|m| m.len()).ok();
            if wal_len.is_some_and(|len| len > 0) || (wal_len.is_none() && !shm.exists()) {
                return;
            }
            // A file that cannot be opened read-write stays unopenable: its
            // files are left at once, as they would be by any later try.
            let mut conn = match SqliteConnection::establish(&file_uri(&self.path, "rw")) {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::debug!(path = %self.path.display(), error = %e,
                        "left the -wal/-shm a read-only look created");
                    return;
                }
            };
            // A read-write connection's last close removes both; one still
            // open elsewhere keeps them. This connection writes nothing.
            locked = conn
                .batch_execute("PRAGMA busy_timeout = 0; SELECT count(*) FROM sqlite_master;")
                .err();
            drop(conn);
            if locked.is_none() && !wal.exists() && !shm.exists() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        match locked {
            Some(e) => tracing::debug!(path = %self.path.display(), error = %e,
                "left the -wal/-shm a read-only look created: the file stayed locked"),
            None => tracing::debug!(path = %self.path.display(),
                "left the -wal/-shm a read-only look created: another connection holds them"),
        }
    }
}

/// Tries at removing what a look left, 10 ms apart: up to two seconds for
/// a connection of this process still closing on another thread (a loaded
/// machine delays it; an idle one, never).
const TIDY_TRIES: u32 = 200;

fn neighbour(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test: a panic is the failure report")]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::BigInt;

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn count(conn: &mut SqliteConnection) -> i64 {
        diesel::sql_query("SELECT count(*) AS n FROM t")
            .get_result::<Count>(conn)
            .unwrap()
            .n
    }

    /// A WAL file with no connection open: no `-wal`, no `-shm`.
    fn wal_file(dir: &Path) -> PathBuf {
        let path = dir.join("w.db");
        let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);",
        )
        .unwrap();
        drop(conn);
        assert!(!neighbour(&path, "-wal").exists() && !neighbour(&path, "-shm").exists());
        path
    }

    #[test]
    fn a_look_at_a_closed_wal_file_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = wal_file(dir.path());
        let before = std::fs::read(&path).unwrap();
        let mut look = Look::open(&path).unwrap();
        assert_eq!(count(&mut look), 2);
        // SQLite made them for the read-only connection...
        assert!(neighbour(&path, "-wal").exists() && neighbour(&path, "-shm").exists());
        drop(look);
        // ...and the look took them away again, the file untouched.
        assert!(!neighbour(&path, "-wal").exists(), "-wal left behind");
        assert!(!neighbour(&path, "-shm").exists(), "-shm left behind");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_look_leaves_another_connection_s_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = wal_file(dir.path());
        let mut writer = SqliteConnection::establish(&file_uri(&path, "rw")).unwrap();
        writer.batch_execute("INSERT INTO t VALUES (3);").unwrap();
        let mut look = Look::open(&path).unwrap();
        assert_eq!(count(&mut look), 3);
        drop(look);
        assert!(neighbour(&path, "-wal").exists() && neighbour(&path, "-shm").exists());
        writer.batch_execute("INSERT INTO t VALUES (4);").unwrap();
        assert_eq!(count(&mut writer), 4);
        drop(writer);
        // The writer's own close removed them, its rows in the file.
        assert!(!neighbour(&path, "-wal").exists());
        let mut look = Look::open(&path).unwrap();
        assert_eq!(count(&mut look), 4);
    }

    #[test]
    fn a_look_opened_beside_a_live_writer_keeps_what_the_writer_left() {
        // The look opens while no connection is open; a writer then opens,
        // commits and closes while the look still holds the file: SQLite
        // cannot checkpoint on the writer's close (the look reads), so the
        // commit sits in the -wal, which the look must not remove.
        let dir = tempfile::tempdir().unwrap();
        let path = wal_file(dir.path());
        let mut look = Look::open(&path).unwrap();
        assert_eq!(count(&mut look), 2);
        let mut writer = SqliteConnection::establish(&file_uri(&path, "rw")).unwrap();
        writer.batch_execute("INSERT INTO t VALUES (3);").unwrap();
        drop(writer);
        drop(look);
        let mut conn = SqliteConnection::establish(&file_uri(&path, "rw")).unwrap();
        assert_eq!(count(&mut conn), 3, "a committed row was lost");
    }

    #[test]
    fn a_look_waits_for_a_close_still_running_on_another_thread() {
        // What a command that only looks meets when its pool is dropped on
        // an r2d2 thread: that thread's connection still holds the file
        // (here, its exclusive lock) when the look tidies, and closes a
        // moment later. The look waits for that close instead of leaving,
        // and the process never ends in the middle of it.
        let dir = tempfile::tempdir().unwrap();
        let path = wal_file(dir.path());
        let before = std::fs::read(&path).unwrap();
        let tidy = Tidy::before(&path);
        let mut holder = SqliteConnection::establish(&file_uri(&path, "rw")).unwrap();
        assert_eq!(count(&mut holder), 2);
        assert!(neighbour(&path, "-wal").exists() && neighbour(&path, "-shm").exists());
        holder
            .batch_execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
            .unwrap();
        // Another connection is refused while the holder is open.
        let mut other = SqliteConnection::establish(&file_uri(&path, "rw")).unwrap();
        assert!(
            other
                .batch_execute("PRAGMA busy_timeout = 0; SELECT count(*) FROM sqlite_master;")
                .is_err(),
            "the holder does not lock the file: the test shows nothing"
        );
        drop(other);
        let closer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(150));
            drop(holder);
        });
        drop(tidy);
        assert!(!neighbour(&path, "-wal").exists(), "-wal left behind");
        assert!(!neighbour(&path, "-shm").exists(), "-shm left behind");
        closer.join().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn file_uri_escapes_what_sqlite_would_misread() {
        assert_eq!(
            file_uri(Path::new("/data/inter actions?#.db"), "rw"),
            "file:/data/inter%20actions%3F%23.db?mode=rw"
        );
        assert_eq!(
            file_uri(Path::new("rel/x.db"), "ro"),
            "file:rel/x.db?mode=ro"
        );
    }
}
