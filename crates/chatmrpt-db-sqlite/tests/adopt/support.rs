//! Reading a whole file back: every row of every table as storage class and
//! bytes, and the schema as `sqlite_master` holds it.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::SqliteConnection;

/// A plain connection that waits for locks: a store's pool may still be
/// closing its last connection (which checkpoints the WAL under a lock).
pub fn open(path: &Path) -> SqliteConnection {
    use diesel::connection::SimpleConnection;
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA busy_timeout = 5000;").unwrap();
    conn
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// The first column (aliased `v`) of every row; NULL as "NULL".
pub fn strings(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.v.unwrap_or_else(|| "NULL".into()))
        .collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// The user tables.
pub fn tables(conn: &mut SqliteConnection) -> Vec<String> {
    strings(
        conn,
        "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
}

/// Every row of every table, `rowid|typeof:hex|typeof:hex|...` (REAL as 17
/// significant digits), in rowid order: two dumps are equal only if every
/// stored value is identical in storage class and bytes.
pub fn dump_rows(path: &Path) -> BTreeMap<String, Vec<String>> {
    let mut conn = open(path);
    let mut out = BTreeMap::new();
    for table in tables(&mut conn) {
        let columns = strings(
            &mut conn,
            &format!("SELECT name AS v FROM pragma_table_info('{table}') ORDER BY cid"),
        );
        let cells: Vec<String> = columns.iter().map(|c| format!("'|' || typeof(\"{c}\") || ':' || CASE typeof(\"{c}\") WHEN 'real' THEN printf('%!.17g', \"{c}\") ELSE hex(\"{c}\") END")).collect();
        let sql = format!(
            "SELECT rowid || {} AS v FROM \"{table}\" ORDER BY rowid",
            cells.join(" || ")
        );
        out.insert(table, strings(&mut conn, &sql));
    }
    out
}

/// `sqlite_master`, every object.
pub fn dump_schema(path: &Path) -> Vec<String> {
    strings(
        &mut open(path),
        "SELECT type || '|' || name || '|' || tbl_name || '|' || coalesce(sql, '') AS v FROM sqlite_master ORDER BY type, name",
    )
}

/// The names of the indexes with SQL (not SQLite's implicit ones).
pub fn index_names(path: &Path) -> Vec<String> {
    strings(
        &mut open(path),
        "SELECT name AS v FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
}

/// A file the store created and migrated: the schema adoption aims at.
pub fn store_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("store.db");
    let store = chatmrpt_db_sqlite::SqliteStore::open_path(&path).unwrap();
    store.run_migrations().unwrap();
    path
}

/// Child rows whose `session_id` has no sessions row, over every table.
pub fn orphan_rows(path: &Path) -> i64 {
    let mut conn = open(path);
    let mut total = 0;
    for table in tables(&mut conn) {
        let has_session = count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM pragma_table_info('{table}') WHERE name = 'session_id'"
            ),
        ) > 0;
        if table == "sessions" || !has_session {
            continue;
        }
        total += count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM \"{table}\" c WHERE c.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = c.session_id)"
            ),
        );
    }
    total
}
