//! Duplicate primary keys, the two ways a legacy file holds them (see
//! [`super::write_corrupted_file`] for why and what they look like):
//! a TEXT and a BLOB key of the same bytes in `file_uploads`
//! ([`Planter::key_twins`]), and two `analysis_events` rows with the very
//! same TEXT key under the legacy `TEXT PRIMARY KEY` ([`plant_exact_twin`]).
//!
//! The implicit unique index `sqlite_autoindex_analysis_events_1` and a
//! plain `CREATE INDEX ... (event_id)` have the same b-tree format (key,
//! rowid), so renaming the one into the other in `sqlite_master` keeps the
//! index valid while SQLite stops enforcing uniqueness; the twin is inserted
//! (and indexed) in between; renaming back restores the legacy schema text
//! byte for byte. Each step runs on a fresh connection so the schema is
//! re-read from the file.

use std::path::Path;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{Nullable, Text};
use diesel::sqlite::SqliteConnection;

use super::corrupt::Defect;
use super::insert::{Value, insert_one};
use super::plant::{Planter, Session, at};
use super::{FixtureError, open};

const TABLE: &str = "analysis_events";
const AUTOINDEX: &str = "sqlite_autoindex_analysis_events_1";
const PLAIN: &str = "legacy_fixture_event_id";
const KEY_LINE: &str = "\n                event_id TEXT PRIMARY KEY,\n";
const PLAIN_LINE: &str = "\n                event_id TEXT,\n";
const COLUMNS: [&str; 6] = [
    "event_id",
    "session_id",
    "timestamp",
    "event_type",
    "details",
    "success",
];

/// Plants the first row normally, then its exact twin; lists both.
pub(crate) fn plant_exact_twin(path: &Path, planter: &mut Planter) -> Result<(), FixtureError> {
    let key = planter.rng.uuid4();
    let host = planter.host.clone();
    let row = |details: &str, seconds: i64| {
        vec![
            Value::from(key.clone()),
            Value::from(host.clone()),
            Value::time(at(seconds)),
            "analysis_started".into(),
            details.into(),
            Value::Int(1),
        ]
    };
    let mut conn = open(path)?;
    let first = insert_one(
        &mut conn,
        TABLE,
        &COLUMNS,
        row("{\"method\": \"composite\"}", 60),
    )?;
    let plain_sql = format!("CREATE INDEX {PLAIN} ON {TABLE}(event_id)");
    rewrite_schema(
        &mut conn,
        KEY_LINE,
        PLAIN_LINE,
        AUTOINDEX,
        PLAIN,
        Some(plain_sql),
    )?;
    drop(conn);
    let mut conn = open(path)?;
    let second = insert_one(&mut conn, TABLE, &COLUMNS, row("{\"method\": \"pca\"}", 61))?;
    rewrite_schema(&mut conn, PLAIN_LINE, KEY_LINE, PLAIN, AUTOINDEX, None)?;
    drop(conn);
    planter.count(TABLE, Session::Host, None);
    planter.count(TABLE, Session::Host, None);
    let mark = (Some("event_id"), Defect::DuplicatePrimaryKey, "");
    planter.mark(
        TABLE,
        first,
        &key,
        mark,
        format!("same TEXT key as rowid {second}"),
    );
    planter.mark(
        TABLE,
        second,
        &key,
        mark,
        format!("same TEXT key as rowid {first}"),
    );
    Ok(())
}

/// Swaps the key clause in the table's DDL and renames the key's index
/// (`index_sql` NULL for SQLite's implicit index), all values bound.
fn rewrite_schema(
    conn: &mut SqliteConnection,
    from_line: &str,
    to_line: &str,
    from_index: &str,
    to_index: &str,
    index_sql: Option<String>,
) -> Result<(), FixtureError> {
    conn.batch_execute("PRAGMA writable_schema = ON;")?;
    diesel::sql_query(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
    )
    .bind::<Text, _>(from_line)
    .bind::<Text, _>(to_line)
    .bind::<Text, _>(TABLE)
    .execute(conn)?;
    diesel::sql_query(
        "UPDATE sqlite_master SET name = ?, sql = ? WHERE type = 'index' AND name = ?",
    )
    .bind::<Text, _>(to_index)
    .bind::<Nullable<Text>, _>(index_sql)
    .bind::<Text, _>(from_index)
    .execute(conn)?;
    conn.batch_execute("PRAGMA writable_schema = OFF;")?;
    Ok(())
}

impl Planter {
    /// A TEXT key and a BLOB key of the same bytes: distinct to SQLite's
    /// unique index, one key once converted to text.
    pub(crate) fn key_twins(&mut self, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
        let key = self.rng.uuid4();
        let text = (
            Some("upload_id"),
            Defect::DuplicatePrimaryKey,
            "TEXT key; the next row holds the same bytes as a BLOB",
        );
        self.row(
            conn,
            "file_uploads",
            20,
            vec![
                ("upload_id", key.clone().into()),
                ("file_size", Value::Int(48_213)),
            ],
            &[text],
        )?;
        self.row(
            conn,
            "file_uploads",
            21,
            vec![
                ("upload_id", Value::Blob(key.into_bytes())),
                ("file_size", Value::Int(48_213)),
            ],
            &[
                (
                    Some("upload_id"),
                    Defect::DuplicatePrimaryKey,
                    "BLOB key with the bytes of the previous row's TEXT key",
                ),
                (Some("upload_id"), Defect::BlobInText, "BLOB primary key"),
            ],
        )?;
        Ok(())
    }
}
