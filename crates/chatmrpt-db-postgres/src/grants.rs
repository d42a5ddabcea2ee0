//! The privileges the application's runtime role needs, and nothing more.
//!
//! Migrations run as the schema owner; the application connects as a role
//! that can read and write rows but not change the schema. These statements
//! are printed for a DBA (`chatmrpt-db grants --role NAME`), never run by
//! the library: they would need the owner's rights.

use chatmrpt_db_core::{Error, Result, Table};

/// Privileges per table beyond the interaction log's `SELECT, INSERT`.
const EXTRA: &[(&str, &str)] = &[
    // start_session and the set_* methods update the session row.
    ("sessions", "SELECT, INSERT, UPDATE"),
    // update_arena_battle: the legacy upsert's second call (the vote).
    ("arena_battles", "SELECT, INSERT, UPDATE"),
    // The dual store: outbox entries are appended, retried and deleted;
    // a lease row is taken with SELECT ... FOR UPDATE.
    ("chatmrpt_outbox", "SELECT, INSERT, UPDATE, DELETE"),
    // One lease row per destination (migration 000005).
    ("chatmrpt_outbox_leases", "SELECT, INSERT, UPDATE, DELETE"),
    // The stage every host shares, and its history (`stage set` from the
    // application, e.g. the Python package's `set_stage`).
    ("chatmrpt_stage", "SELECT, INSERT, UPDATE"),
    ("chatmrpt_stage_history", "SELECT, INSERT"),
    // Each process's heartbeat is replaced every few seconds; heartbeats
    // nobody renews for a day are pruned by any process (migration 000007).
    ("chatmrpt_heartbeats", "SELECT, INSERT, UPDATE, DELETE"),
    // `status` lists the applied migrations; the Python drop-in checks at
    // start that none is pending (plain SELECTs, no DDL).
    ("__diesel_schema_migrations", "SELECT"),
];

/// Sequences of `bigserial` keys the runtime role inserts into.
const SEQUENCES: &[&str] = &["chatmrpt_outbox_id_seq", "chatmrpt_stage_history_id_seq"];

/// Refuses names that would need quoting (they are printed into SQL).
fn identifier(kind: &str, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{kind} `{name}`: use lower-case letters, digits and _ (at most 63)"
        )))
    }
}

/// The GRANT statements that let `role` use the interaction log in `schema`
/// at run time: row reads and writes, no DDL, no TRUNCATE, no backfill
/// bookkeeping, no verify runs.
///
/// # Errors
///
/// [`Error::Config`] for a role or schema name that would need quoting.
pub fn runtime_grants(schema: &str, role: &str) -> Result<Vec<String>> {
    identifier("schema", schema)?;
    identifier("role", role)?;
    let mut out = vec![format!("GRANT USAGE ON SCHEMA {schema} TO {role};")];
    for table in Table::ALL {
        let name = table.name();
        let privileges = EXTRA
            .iter()
            .find(|(t, _)| *t == name)
            .map_or("SELECT, INSERT", |(_, p)| p);
        out.push(format!("GRANT {privileges} ON {schema}.{name} TO {role};"));
    }
    for (name, privileges) in EXTRA.iter().filter(|(t, _)| *t != "sessions") {
        out.push(format!("GRANT {privileges} ON {schema}.{name} TO {role};"));
    }
    for sequence in SEQUENCES {
        out.push(format!(
            "GRANT USAGE ON SEQUENCE {schema}.{sequence} TO {role};"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_need_quoting_are_refused() {
        assert!(runtime_grants("public", "app; DROP TABLE sessions").is_err());
        assert!(runtime_grants("Public", "app").is_err());
        assert!(runtime_grants("public", "chatmrpt_app").is_ok());
    }

    #[test]
    fn the_log_is_insert_only_except_sessions() {
        let grants = runtime_grants("public", "app").unwrap();
        assert!(grants.contains(&"GRANT SELECT, INSERT ON public.messages TO app;".to_owned()));
        assert!(
            grants.contains(&"GRANT SELECT, INSERT, UPDATE ON public.sessions TO app;".to_owned())
        );
        assert!(grants.iter().all(|g| !g.contains("backfill_")));
        assert!(grants.iter().all(|g| !g.contains("verify_runs")));
        assert!(
            grants
                .iter()
                .all(|g| !g.contains("TRUNCATE") && !g.contains("CREATE"))
        );
    }
}
