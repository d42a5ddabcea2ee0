//! The one transaction that brings a file under management. Every statement
//! only adds: tables, columns, indexes, synthesized sessions, bookkeeping.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationConnection;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

use super::orphans;
use super::plan::Plan;
use super::report::SynthesizedSession;
use super::schema::{Baseline, Schema};

/// What the transaction changed.
pub(crate) struct Applied {
    pub plan: Plan,
    pub sessions: Vec<SynthesizedSession>,
    /// The baseline version, when this run recorded it.
    pub recorded: Option<String>,
}

/// Applies `plan` (made from the schema read inside this transaction),
/// repairs orphans and records the baseline migration as applied.
pub(crate) fn apply(
    conn: &mut SqliteConnection,
    baseline: &Baseline,
    plan: Plan,
) -> QueryResult<Applied> {
    for (_, sql) in &plan.tables {
        conn.batch_execute(sql)?;
    }
    for (column, decl_type) in &plan.columns {
        conn.batch_execute(&format!(
            "ALTER TABLE {} ADD COLUMN {} {decl_type}",
            quote(&column.table),
            quote(&column.column)
        ))?;
    }
    for (_, sql) in &plan.indexes {
        conn.batch_execute(&sql.replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))?;
    }
    let file = Schema::read(conn)?;
    let sessions = orphans::repair(conn, &orphans::child_tables(&file, &baseline.schema))?;
    conn.setup()?;
    let recorded =
        diesel::sql_query("INSERT OR IGNORE INTO __diesel_schema_migrations (version) VALUES (?)")
            .bind::<Text, _>(&baseline.version)
            .execute(conn)?
            == 1;
    let recorded = recorded.then(|| baseline.version.clone());
    Ok(Applied {
        plan,
        sessions,
        recorded,
    })
}

/// An identifier in double quotes (names come from the store's migration).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
