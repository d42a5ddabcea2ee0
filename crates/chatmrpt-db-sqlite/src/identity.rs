//! The file's identity (`chatmrpt_file_identity`, migration 000005): minted
//! once, when the store creates or adopts the file. PostgreSQL's outbox
//! names it on every entry owed to this file, so a host replays only what
//! is owed to its own file.

use chatmrpt_db_core::{Error, Result};
use diesel::prelude::*;

use crate::schema::chatmrpt_file_identity;
use crate::{STORE, SqliteStore};

impl SqliteStore {
    /// The identity minted for this file (`sqlite-` and 32 hex digits).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when the file has none (a migration is pending:
    /// run `chatmrpt-db migrate`); the store's failure.
    pub fn file_id(&self) -> Result<String> {
        if let Some(id) = self.file_id.get() {
            return Ok(id.clone());
        }
        let pending = || Error::Migration {
            store: STORE,
            source: format!(
                "{} has no file identity yet (migration 2026-12-02-000005 pending): \
                 run `chatmrpt-db migrate`",
                self.path()
            )
            .into(),
        };
        let applied = self.applied_migrations()?;
        if !applied.iter().any(|v| v.starts_with("20261202000005")) {
            return Err(pending());
        }
        let id: Option<String> = self.read(|conn| {
            Ok(chatmrpt_file_identity::table
                .find(1)
                .select(chatmrpt_file_identity::file_id)
                .first(conn)
                .optional()?)
        })?;
        let id = id.ok_or_else(|| Error::Corrupt {
            table: "chatmrpt_file_identity",
            key: "1".into(),
            column: "file_id",
            reason: "the identity row is missing".into(),
        })?;
        Ok(self.file_id.get_or_init(|| id).clone())
    }
}
