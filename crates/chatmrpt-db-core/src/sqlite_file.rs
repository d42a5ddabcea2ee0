//! Facts about a SQLite file on disk that every reader of one needs, before
//! any driver is involved.

use std::path::{Path, PathBuf};

/// The rollback journal beside `path` (`<path>-journal`) when it holds
/// something: left by a writer that stopped mid-transaction (a worker
/// killed during a write), it is "hot", and SQLite must roll it back before
/// anyone can read the file, which a read-only connection cannot do (it
/// fails with "attempt to write a readonly database").
pub fn hot_journal(path: &Path) -> Option<PathBuf> {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    let journal = PathBuf::from(journal);
    match std::fs::metadata(&journal) {
        Ok(meta) if meta.is_file() && meta.len() > 0 => Some(journal),
        _ => None,
    }
}

/// Whether a driver message is SQLite refusing to write through a
/// read-only connection (what a hot journal makes a read-only open say).
pub fn is_readonly_refusal(message: &str) -> bool {
    message.contains("readonly database")
}

/// The one line an operator gets for a file with a hot journal.
pub fn hot_journal_advice(path: &Path, journal: &Path) -> String {
    format!(
        "{} has an unfinished transaction in {} (a writer stopped mid-write); \
         a read-only reader cannot roll it back: open the file once read-write \
         (start the application, or `sqlite3 {} 'PRAGMA schema_version'`), then retry",
        path.display(),
        journal.display(),
        path.display()
    )
}

/// What on disk, beside the file itself, keeps SQLite from opening it:
/// the cause an operator must fix, named instead of the driver's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obstacle {
    /// A hot rollback journal (see [`hot_journal`]).
    HotJournal(PathBuf),
    /// The file's folder does not exist.
    MissingFolder(PathBuf),
    /// The file's folder cannot be written, and SQLite must create a file
    /// beside it: a rollback journal to write, a `-wal` and `-shm` to read
    /// or write a file in WAL mode.
    ReadOnlyFolder(PathBuf),
}

impl Obstacle {
    /// The obstacle behind SQLite's `message` about `path`, when there is
    /// one to name (`None`: the driver's message says it all).
    pub fn find(path: &Path, message: &str) -> Option<Self> {
        // Only a read-only connection meets a hot journal this way; any
        // other failure keeps its own words.
        if is_readonly_refusal(message) {
            if let Some(journal) = hot_journal(path) {
                return Some(Self::HotJournal(journal));
            }
        }
        let refused = is_readonly_refusal(message) || message.contains("unable to open database");
        if !refused {
            return None;
        }
        let folder = match path.parent() {
            Some(parent) if parent.as_os_str().is_empty() => Path::new("."),
            Some(parent) => parent,
            None => return None,
        };
        match std::fs::metadata(folder) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(Self::MissingFolder(folder.to_path_buf()))
            }
            // Asked of the kernel for this user (mode bits alone would
            // miss another owner's folder, and misname one root may write).
            Ok(meta)
                if meta.is_dir()
                    && rustix::fs::access(folder, rustix::fs::Access::WRITE_OK).is_err() =>
            {
                Some(Self::ReadOnlyFolder(folder.to_path_buf()))
            }
            _ => None,
        }
    }

    /// The one line for `path` blocked by this obstacle.
    pub fn advice(&self, path: &Path) -> String {
        match self {
            Self::HotJournal(journal) => hot_journal_advice(path, journal),
            Self::MissingFolder(folder) => format!(
                "{}: no such folder {}: create it, or name the file where it is",
                path.display(),
                folder.display()
            ),
            Self::ReadOnlyFolder(folder) => format!(
                "{}: its folder {} is not writable, and SQLite must create a file beside it \
                 (a -journal to write; a -wal and -shm even to read a file in WAL mode): \
                 let this user write the folder, or work on a copy",
                path.display(),
                folder.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_is_hot_only_when_it_holds_something() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("interactions.db");
        std::fs::write(&db, b"x").unwrap();
        assert_eq!(hot_journal(&db), None, "no journal");
        let journal = dir.path().join("interactions.db-journal");
        std::fs::write(&journal, b"").unwrap();
        assert_eq!(hot_journal(&db), None, "an empty journal is not hot");
        std::fs::write(&journal, b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7").unwrap();
        assert_eq!(hot_journal(&db), Some(journal.clone()));
        let advice = hot_journal_advice(&db, &journal);
        assert!(advice.contains("interactions.db-journal"), "{advice}");
        assert!(is_readonly_refusal("attempt to write a readonly database"));
        assert!(!is_readonly_refusal("database is locked"));
        assert_eq!(
            Obstacle::find(&db, "attempt to write a readonly database"),
            Some(Obstacle::HotJournal(journal.clone()))
        );
        assert_eq!(Obstacle::find(&db, "database is locked"), None);
    }

    #[test]
    fn a_missing_or_read_only_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone").join("interactions.db");
        let found = Obstacle::find(&gone, "unable to open database file").unwrap();
        assert_eq!(found, Obstacle::MissingFolder(dir.path().join("gone")));
        assert!(found.advice(&gone).contains("no such folder"));
        let shut = dir.path().join("shut");
        std::fs::create_dir(&shut).unwrap();
        let mut mode = std::fs::metadata(&shut).unwrap().permissions();
        mode.set_readonly(true);
        std::fs::set_permissions(&shut, mode).unwrap();
        let file = shut.join("interactions.db");
        let found = Obstacle::find(&file, "attempt to write a readonly database");
        if rustix::fs::access(&shut, rustix::fs::Access::WRITE_OK).is_ok() {
            // Root may write it: not the obstacle (the CLI's table test
            // runs this case as `nobody`).
            assert_eq!(found, None);
        } else {
            let found = found.unwrap();
            assert_eq!(found, Obstacle::ReadOnlyFolder(shut.clone()));
            assert!(found.advice(&file).contains("not writable"));
        }
        // A writable folder is no obstacle: the driver's words stand.
        assert_eq!(
            Obstacle::find(&dir.path().join("x.db"), "unable to open database file"),
            None
        );
        let mut mode = std::fs::metadata(&shut).unwrap().permissions();
        #[allow(
            clippy::permissions_set_readonly_false,
            reason = "the test's own folder"
        )]
        mode.set_readonly(false);
        std::fs::set_permissions(&shut, mode).unwrap();
    }
}
