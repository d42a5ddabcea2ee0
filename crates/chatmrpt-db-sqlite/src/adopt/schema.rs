//! Reading a schema back from `sqlite_master` and the table-valued PRAGMAs:
//! the legacy file's, and the baseline the store's first migration creates.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::RunQueryDsl;
use diesel::connection::Connection;
use diesel::migration::MigrationSource;
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};

use crate::MIGRATIONS;

/// A column as `PRAGMA table_info` reports it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub(crate) struct Column {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text, column_name = "type")]
    pub decl_type: String,
    #[diesel(sql_type = BigInt)]
    pub pk: i64,
}

/// A table: its columns in order and its `CREATE TABLE` text.
#[derive(Debug, Clone)]
pub(crate) struct TableInfo {
    pub columns: Vec<Column>,
    pub sql: String,
}

impl TableInfo {
    pub(crate) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The tables and indexes of one database, tables in creation order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub order: Vec<String>,
    pub tables: BTreeMap<String, TableInfo>,
    /// Index name → `CREATE INDEX` text (`None` for SQLite's implicit ones).
    pub indexes: BTreeMap<String, Option<String>>,
}

#[derive(QueryableByName)]
struct MasterRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

/// The bookkeeping table of diesel's migrations: not part of the log.
pub(crate) const DIESEL_TABLE: &str = "__diesel_schema_migrations";

impl Schema {
    /// Reads the schema of the connection's main database.
    pub(crate) fn read(conn: &mut SqliteConnection) -> QueryResult<Self> {
        let rows: Vec<MasterRow> = diesel::sql_query(
            "SELECT type AS kind, name, sql FROM sqlite_master \
             WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
        )
        .load(conn)?;
        let mut schema = Schema::default();
        for row in rows {
            if row.kind == "index" {
                schema.indexes.insert(row.name, row.sql);
                continue;
            }
            let columns =
                diesel::sql_query("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid")
                    .bind::<Text, _>(&row.name)
                    .load(conn)?;
            schema.order.push(row.name.clone());
            let sql = row.sql.unwrap_or_default();
            schema.tables.insert(row.name, TableInfo { columns, sql });
        }
        // Implicit (autoindex) indexes are not listed: they come with the table.
        Ok(schema)
    }

    pub(crate) fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.get(name)
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Whether `table.column` alone is a primary key or carries a unique index:
/// what SQLite needs of a foreign key's parent column once foreign keys are
/// enforced (else every insert into the child fails with "foreign key mismatch").
pub(crate) fn is_unique_key(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
) -> QueryResult<bool> {
    let found: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pragma_index_list(?1) l \
         WHERE l.\"unique\" = 1 \
           AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1 \
           AND (SELECT i.name FROM pragma_index_info(l.name) i) = ?2",
    )
    .bind::<Text, _>(table)
    .bind::<Text, _>(column)
    .get_result(conn)?;
    Ok(found.n > 0)
}

#[derive(QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Text)]
    parent: String,
    #[diesel(sql_type = Text)]
    to_column: String,
}

/// The store's schema as its first migration creates it, and that
/// migration's version: what adoption brings a legacy file to before the
/// store's own migrations take over.
pub(crate) struct Baseline {
    pub version: String,
    pub schema: Schema,
    /// Every `(parent table, parent column)` a foreign key references.
    pub parents: Vec<(String, String)>,
}

impl Baseline {
    /// Runs the first embedded migration on an in-memory database and reads
    /// the result back.
    pub(crate) fn load() -> Result<Self, chatmrpt_db_core::error::BoxError> {
        let mut migrations = MigrationSource::<Sqlite>::migrations(&MIGRATIONS)?;
        migrations.sort_by_key(|m| m.name().version().to_string());
        let first = migrations.first().ok_or("no embedded migration")?;
        let mut conn = SqliteConnection::establish(":memory:")?;
        first.run(&mut conn)?;
        let schema = Schema::read(&mut conn)?;
        let mut parents = Vec::new();
        for table in &schema.order {
            let keys: Vec<ForeignKey> = diesel::sql_query(
                "SELECT \"table\" AS parent, \"to\" AS to_column FROM pragma_foreign_key_list(?)",
            )
            .bind::<Text, _>(table)
            .load(&mut conn)?;
            parents.extend(keys.into_iter().map(|k| (k.parent, k.to_column)));
        }
        parents.sort();
        parents.dedup();
        Ok(Self {
            version: first.name().version().to_string(),
            schema,
            parents,
        })
    }
}
