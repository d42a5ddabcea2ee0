//! The PostgreSQL side: one dedicated connection in the configured schema.

use chatmrpt_db_core::PostgresConfig;
use chatmrpt_db_postgres::PgStore;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::error::{Error, Result};

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Opens the target through its store (which validates the schema name and
/// redacts the password from errors), runs pending migrations when asked,
/// then returns a connection whose `search_path` is the schema.
///
/// # Errors
///
/// [`Error::Store`] when unreachable or migrations fail; [`Error::Target`].
pub(crate) fn connect(config: &PostgresConfig, migrate: bool) -> Result<PgConnection> {
    let store = PgStore::open(config)?;
    if migrate {
        store.run_migrations()?;
    }
    let mut conn = chatmrpt_db_postgres::connect(&config.url)?;
    diesel::sql_query("SELECT set_config('search_path', $1, false) AS value")
        .bind::<Text, _>(&config.schema)
        .get_result::<Setting>(&mut conn)
        .map_err(Error::Target)?;
    Ok(conn)
}

/// Marks every row this connection inserts into the log as loaded from the
/// source `label` (`chatmrpt_origin` = `source:<label>`, migration 000009),
/// so verify of one source knows the rows of others.
///
/// # Errors
///
/// [`Error::Target`].
pub(crate) fn mark_origin(conn: &mut PgConnection, label: &str) -> Result<()> {
    diesel::sql_query("SELECT set_config('chatmrpt.origin', $1, false) AS value")
        .bind::<Text, _>(origin_of(label))
        .get_result::<Setting>(conn)
        .map_err(Error::Target)?;
    Ok(())
}

/// The `chatmrpt_origin` of the rows a backfill under `label` loads.
pub(crate) fn origin_of(label: &str) -> String {
    format!("source:{label}")
}

/// Refuses a server whose encoding cannot hold every text value.
///
/// # Errors
///
/// [`Error::TargetEncoding`] or [`Error::Target`].
pub(crate) fn check_encoding(conn: &mut PgConnection) -> Result<()> {
    let encoding: Setting = diesel::sql_query("SELECT current_setting('server_encoding') AS value")
        .get_result(conn)
        .map_err(Error::Target)?;
    if encoding.value == "UTF8" {
        Ok(())
    } else {
        Err(Error::TargetEncoding(encoding.value))
    }
}

/// Session settings for loading. `synchronous_commit = off` is safe here:
/// each batch commits with its progress row, so a batch lost in a crash is
/// simply loaded again by the resumed run; and a run ends with
/// [`make_durable`], so what it reports loaded survives a crash.
///
/// # Errors
///
/// [`Error::Target`].
pub(crate) fn prepare_for_load(conn: &mut PgConnection) -> Result<()> {
    diesel::sql_query("SET synchronous_commit = off")
        .execute(conn)
        .map_err(Error::Target)?;
    // Long values (LLM prompts and responses) are compressed as they are
    // stored; lz4 does it several times faster than the default pglz
    // (pglz took about a sixth of the server's time in the backfill's
    // profile). Lossless either way, and read back the same by every
    // PostgreSQL from 14 on; a server built without lz4 refuses the
    // setting, and keeps its default.
    if let Err(e) = diesel::sql_query("SET default_toast_compression = lz4").execute(conn) {
        tracing::debug!(error = %e, "lz4 compression unavailable; the server's default is used");
    }
    crate::staging::create(conn).map_err(Error::Target)
}

/// Returns once every commit made so far on the server is on disk: a
/// transaction that commits with `synchronous_commit = on` waits for the
/// WAL up to its own commit record, which follows every batch committed
/// before it, on every connection. Without it, a server crash just after
/// the backfill reported could undo its last batches (within a fraction of
/// a second: the WAL writer's delay).
///
/// # Errors
///
/// [`Error::Target`].
pub(crate) fn make_durable(conn: &mut PgConnection) -> Result<()> {
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL synchronous_commit = on").execute(conn)?;
        // A transaction id of its own, so the commit writes a record.
        diesel::sql_query("SELECT txid_current()").execute(conn)?;
        Ok(())
    })
    .map_err(Error::Target)
}
