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
    }
}
