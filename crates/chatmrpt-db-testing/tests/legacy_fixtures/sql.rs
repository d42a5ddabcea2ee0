//! Reading a fixture back the way `sqlite3` would: PRAGMAs, typeof, hex.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::SqliteConnection;

pub fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::establish(path.to_str().unwrap()).unwrap()
}

#[derive(QueryableByName, Debug)]
pub struct Column {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text, column_name = "type")]
    pub col_type: String,
    #[diesel(sql_type = BigInt)]
    pub notnull: i64,
    #[diesel(sql_type = BigInt)]
    pub pk: i64,
}

/// `PRAGMA table_info(table)`.
pub fn columns(conn: &mut SqliteConnection, table: &str) -> Vec<Column> {
    diesel::sql_query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid")
        .bind::<Text, _>(table)
        .load(conn)
        .unwrap()
}

/// The user tables, in creation order.
pub fn tables(conn: &mut SqliteConnection) -> Vec<String> {
    strings(
        conn,
        "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )
}

#[derive(QueryableByName)]
struct Str {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// The first column (aliased `v`) of every row, NULL as "NULL".
pub fn strings(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Str>(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.v.unwrap_or_else(|| "NULL".into()))
        .collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A `SELECT count(*) AS n ...`.
pub fn count(conn: &mut SqliteConnection, sql: &str) -> u64 {
    let row: Count = diesel::sql_query(sql).get_result(conn).unwrap();
    u64::try_from(row.n).unwrap()
}

/// A stored value: its storage class and bytes (text as stored, numbers as
/// SQLite renders them).
#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct Stored {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub hex: String,
}

impl Stored {
    pub fn bytes(&self) -> Vec<u8> {
        (0..self.hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&self.hex[i..i + 2], 16).unwrap())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.bytes()).unwrap()
    }
}

/// `typeof(column)` and `hex(column)` of the row with `rowid`.
pub fn stored(conn: &mut SqliteConnection, table: &str, column: &str, rowid: i64) -> Stored {
    diesel::sql_query(format!(
        "SELECT typeof({column}) AS kind, hex({column}) AS hex FROM {table} WHERE rowid = ?"
    ))
    .bind::<BigInt, _>(rowid)
    .get_result(conn)
    .unwrap()
}
