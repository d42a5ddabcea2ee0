//! Which file a source is, whatever its path: the identity a managed file
//! carries (`chatmrpt_file_identity`, minted when the store created or
//! adopted it), and for every file a fingerprint of its earliest rows.
//!
//! Several hosts keep their log at the same path, so a path names no file.
//! The fingerprint is the SHA-256 of the keys of the first rows (rowid
//! order) of the first table, in [`Table::ALL`] order, that has any rows,
//! among the tables whose rows the legacy application never rewrites nor
//! moves, so it survives the file growing, being copied elsewhere and
//! `VACUUM` (which keeps the rows' order). A file with no such row yet has
//! no fingerprint.

use chatmrpt_db_core::Table;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use sha2::{Digest, Sha256};

use super::{Source, SourceSchema};
use crate::catalog::quote;
use crate::error::Result;
use crate::value::SourceRow;

/// Rows of the first table with any that a fingerprint covers.
pub(crate) const FINGERPRINT_ROWS: i64 = 16;

/// Whether `table`'s rows are never rewritten nor moved once written, so
/// its first rows can fingerprint a file: not `sessions` (`INSERT OR
/// REPLACE` moves a session on every request), not `arena_battles`
/// (updated in place), not `arena_training_exports` (rarely written).
fn fingerprints(table: Table) -> bool {
    !matches!(
        table,
        Table::Sessions | Table::ArenaBattles | Table::ArenaTrainingExports
    )
}

/// The fingerprint of a file's earliest rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// The table it was taken of.
    pub table: Table,
    /// How many of its first rows (fewer only when the table had fewer).
    pub rows: i64,
    /// SHA-256 of their keys, hex.
    pub digest: String,
}

/// What identifies a source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SourceIdentity {
    /// The identity a managed file carries, if it has one.
    pub file_id: Option<String>,
    /// The fingerprint of its earliest rows, if it has any.
    pub fingerprint: Option<Fingerprint>,
}

impl Source {
    /// The file's identity: its `file_id` if it is managed, and the
    /// fingerprint of its earliest rows.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Source`].
    pub(crate) fn identity(&mut self, schema: &SourceSchema) -> Result<SourceIdentity> {
        let file_id = if schema
            .unknown_tables
            .iter()
            .any(|n| n == "chatmrpt_file_identity")
        {
            self.file_id()?
        } else {
            None
        };
        let mut fingerprint = None;
        for table in Table::ALL.into_iter().filter(|t| fingerprints(*t)) {
            if let Some(found) = self.fingerprint_of(schema, table, FINGERPRINT_ROWS)? {
                fingerprint = Some(found);
                break;
            }
        }
        Ok(SourceIdentity {
            file_id,
            fingerprint,
        })
    }

    /// The fingerprint of the first `rows` rows of `table`, if the file has
    /// the table and any row in it (fewer rows than asked give a
    /// fingerprint of those: compare `rows` too).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Source`].
    pub(crate) fn fingerprint_of(
        &mut self,
        schema: &SourceSchema,
        table: Table,
        rows: i64,
    ) -> Result<Option<Fingerprint>> {
        let Some(t) = schema.tables.iter().find(|t| t.table == table) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT ?1",
            quote(table.primary_key()),
            quote(&t.name),
            quote(t.rowid)
        );
        let (keys, _) = self.timed(|conn| {
            diesel::sql_query(&sql)
                .bind::<BigInt, _>(rows)
                .load::<SourceRow>(conn)
        })?;
        if keys.is_empty() {
            return Ok(None);
        }
        let mut hash = Sha256::new();
        hash.update(table.name().as_bytes());
        for row in &keys {
            // Length-prefixed, so two key lists never hash alike by
            // shifting bytes between keys; a key with no bytes (NULL, a
            // REAL) hashes as its marker.
            match row.0.first().and_then(super::key_bytes) {
                Some(bytes) => {
                    hash.update((bytes.len() as u64).to_le_bytes());
                    hash.update(&bytes);
                }
                None => hash.update(u64::MAX.to_le_bytes()),
            }
        }
        Ok(Some(Fingerprint {
            table,
            rows: i64::try_from(keys.len()).unwrap_or(rows),
            digest: crate::prepare::hex(&hash.finalize()),
        }))
    }

    fn file_id(&mut self) -> Result<Option<String>> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = Nullable<Text>)]
            file_id: Option<String>,
        }
        let (found, _) = self.timed(|conn| {
            diesel::sql_query("SELECT file_id FROM chatmrpt_file_identity WHERE id = 1")
                .load::<Id>(conn)
        })?;
        Ok(found.into_iter().next().and_then(|r| r.file_id))
    }
}
