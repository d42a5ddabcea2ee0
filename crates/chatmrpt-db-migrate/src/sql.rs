//! The statements that move a staged batch into its table, built once per
//! table from the closed catalog: every identifier is a legacy name from
//! [`crate::catalog`], quoted; every value is staged or bound.

use chatmrpt_db_core::Table;

use crate::catalog::{self, Kind, quote};
use crate::staging::column;

/// The staged column `index`, cast to its target type.
fn typed(index: usize, kind: Kind) -> String {
    let c = format!("s.{}", column(index));
    match kind {
        Kind::Text => c,
        Kind::Timestamp => format!("{c}::timestamptz"),
        Kind::Bool => format!("{c}::boolean"),
        Kind::BigInt => format!("{c}::bigint"),
        Kind::Double => format!("{c}::double precision"),
    }
}

/// `INSERT ... SELECT` from the stage, returning how many rows were new.
///
/// Child tables: `ON CONFLICT DO NOTHING`, so a row dual write already put
/// there (necessarily as new or newer) is never overwritten. Sessions
/// converge instead, by the rule of `chatmrpt_db_core::convergence`:
/// earliest `start_time`, latest `last_activity`, the client details of the
/// later activity, flags OR-ed.
pub(crate) fn insert_from_stage(table: Table) -> String {
    let cols = catalog::columns(table);
    let names: Vec<String> = cols.iter().map(|c| quote(c.name)).collect();
    let values: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| typed(i, c.kind))
        .collect();
    let target = quote(table.name());
    let key = quote(table.primary_key());
    // Sessions converge with DO UPDATE, which may touch a row once per
    // statement; a batch read from a live file in several statements can
    // hold one session twice (`INSERT OR REPLACE` moved it to a later rowid
    // between two reads): its latest version, the later row, is loaded
    // first, and the earlier ones are merged in by further passes
    // (`STAGED_TWICE`, `DROP_LOADED_SESSIONS`), counted as already present.
    let (distinct, order, on_conflict) = if table == Table::Sessions {
        (
            format!("DISTINCT ON (s.{}) ", column(0)),
            format!(" ORDER BY s.{}, s.seq DESC", column(0)),
            session_update(),
        )
    } else {
        (String::new(), String::new(), "DO NOTHING".to_owned())
    };
    format!(
        "WITH ins AS (INSERT INTO {target} AS t ({}) SELECT {distinct}{} FROM pg_temp.backfill_stage s{order} \
         ON CONFLICT ({key}) {on_conflict} RETURNING (xmax = 0) AS fresh) \
         SELECT count(*) FILTER (WHERE fresh) AS n FROM ins",
        names.join(", "),
        values.join(", ")
    )
}

/// `DO UPDATE` by the convergence rule, skipped where it would change
/// nothing (a row dual write keeps up to date, met again by a rescan or a
/// live target): no new row version, no WAL, no index entry for it.
fn session_update() -> String {
    let merge = session_merge();
    let set: Vec<String> = merge.iter().map(|(n, e)| format!("{n} = {e}")).collect();
    let now: Vec<String> = merge.iter().map(|(n, _)| format!("t.{n}")).collect();
    let merged: Vec<&str> = merge.iter().map(|(_, e)| e.as_str()).collect();
    format!(
        "DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})",
        set.join(", "),
        now.join(", "),
        merged.join(", ")
    )
}

/// The convergence rule of two copies of a session
/// (`chatmrpt_db_core::convergence`), the stored row `t` and the file's
/// `EXCLUDED`: earliest start, latest activity, the client details of the
/// later activity as one set (ties to the greater set, NULL first, byte for
/// byte), flags OR-ed. Every expression reads `t` as it was. Pairs of
/// (quoted column, merged value).
fn session_merge() -> Vec<(String, String)> {
    let wins = format!("{} > {}", details_rank("EXCLUDED"), details_rank("t"));
    catalog::columns(Table::Sessions)[1..]
        .iter()
        .map(|c| {
            let n = quote(c.name);
            let e = match (c.name, c.kind) {
                ("start_time", _) => format!("LEAST(t.{n}, EXCLUDED.{n})"),
                ("last_activity", _) => format!("GREATEST(t.{n}, EXCLUDED.{n})"),
                (_, Kind::Bool) => format!("COALESCE(t.{n} OR EXCLUDED.{n}, t.{n}, EXCLUDED.{n})"),
                _ => format!("CASE WHEN {wins} THEN EXCLUDED.{n} ELSE t.{n} END"),
            };
            (n, e)
        })
        .collect()
}

/// The order the client details of a copy `row` rank in: its activity
/// (NULL first), then each detail (NULL first, then byte for byte).
fn details_rank(row: &str) -> String {
    let mut parts = vec![
        format!("{row}.\"last_activity\" IS NOT NULL"),
        format!("COALESCE({row}.\"last_activity\", '-infinity'::timestamptz)"),
    ];
    for c in ["user_language", "browser_info", "ip_address"] {
        parts.push(format!("{row}.\"{c}\" IS NOT NULL"));
        parts.push(format!("COALESCE({row}.\"{c}\", '') COLLATE \"C\""));
    }
    format!("ROW({})", parts.join(", "))
}

/// How many staged sessions rows repeat a key of the batch.
pub(crate) const STAGED_TWICE: &str =
    "SELECT count(*) - count(DISTINCT s.c00) AS n FROM pg_temp.backfill_stage s";

/// Drops from the stage the sessions rows one pass of the insert loaded
/// (the latest of each key), so the next pass merges the earlier ones.
pub(crate) const DROP_LOADED_SESSIONS: &str = "DELETE FROM pg_temp.backfill_stage s WHERE s.seq IN \
     (SELECT DISTINCT ON (x.c00) x.seq FROM pg_temp.backfill_stage x ORDER BY x.c00, x.seq DESC)";

/// The staged sessions another source brought before (`$1` = this
/// source, `$2` = its origin, `source:<label>`): they are merged, and
/// reported. Another source brought a session when it recorded it in
/// `backfill_session_sources` (every session a batch stages is recorded
/// there, new or merged), or when the row carries its origin (it COPYed
/// the row straight in, which records nothing else: see `crate::direct`).
/// The sources of a session are those rows and its `chatmrpt_origin`
/// together (the comments of migrations 000006 and 000009 predate this).
/// One index probe per staged row: the `LIMIT` keeps the planner from
/// hashing the whole `backfill_session_sources`, which it did once per
/// batch, its cost model not knowing the index is cached.
pub(crate) const MERGED_SESSIONS: &str = "SELECT DISTINCT s.c00 AS name FROM pg_temp.backfill_stage s \
     CROSS JOIN LATERAL (SELECT 1 FROM backfill_session_sources b \
       WHERE b.session_id = s.c00 AND b.source <> $1 \
     UNION ALL SELECT 1 FROM sessions x WHERE x.session_id = s.c00 \
       AND x.chatmrpt_origin LIKE 'source:%' AND x.chatmrpt_origin <> $2 LIMIT 1) other";

/// Records that this source (`$1`) brought the staged sessions.
pub(crate) const TRACK_SESSIONS: &str = "INSERT INTO backfill_session_sources (session_id, source) \
     SELECT DISTINCT s.c00, $1 FROM pg_temp.backfill_stage s WHERE s.c00 IS NOT NULL \
     ON CONFLICT DO NOTHING";

/// Removes from the stage the rows whose `column` names a missing `parent`
/// row (the foreign key is enforced, so they cannot load), returning their
/// `seq`: they go to quarantine.
pub(crate) fn delete_parent_orphans(table: Table, col: &str, parent: Table) -> Option<String> {
    let index = catalog::position(table, col)?;
    let c = format!("s.{}", column(index));
    Some(format!(
        "DELETE FROM pg_temp.backfill_stage s WHERE {c} IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM {} p WHERE p.{} = {c}) RETURNING s.seq AS n",
        quote(parent.name()),
        quote(parent.primary_key())
    ))
}

/// Creates a sessions row for every staged `session_id` that has none
/// (start = earliest child timestamp, last activity = latest), records it
/// in `backfill_synthesized`, and widens the times of sessions synthesized
/// earlier. Returns the ids created. `$1` = source, `$2` = table name.
pub(crate) fn synthesize_sessions(table: Table) -> Option<String> {
    if table == Table::Sessions {
        return None;
    }
    let sid = format!("s.{}", column(catalog::position(table, "session_id")?));
    let at = format!(
        "s.{}::timestamptz",
        column(catalog::position(table, "timestamp")?)
    );
    Some(format!(
        "WITH agg AS (SELECT {sid} AS session_id, min({at}) AS first_at, max({at}) AS last_at \
           FROM pg_temp.backfill_stage s WHERE {sid} IS NOT NULL GROUP BY {sid}), \
         fresh AS (INSERT INTO sessions (session_id, start_time, last_activity) \
           SELECT a.session_id, a.first_at, a.last_at FROM agg a \
           WHERE NOT EXISTS (SELECT 1 FROM sessions x WHERE x.session_id = a.session_id) \
           ON CONFLICT (session_id) DO NOTHING RETURNING session_id), \
         noted AS (INSERT INTO backfill_synthesized (session_id, source, first_table) \
           SELECT session_id, $1, $2 FROM fresh), \
         tracked AS (INSERT INTO backfill_session_sources (session_id, source) \
           SELECT session_id, $1 FROM fresh ON CONFLICT DO NOTHING), \
         widened AS (UPDATE sessions x SET start_time = LEAST(x.start_time, a.first_at), \
           last_activity = GREATEST(x.last_activity, a.last_at) \
           FROM agg a JOIN backfill_synthesized b ON b.session_id = a.session_id \
           WHERE x.session_id = a.session_id) \
         SELECT session_id AS name FROM fresh"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_converge_and_children_never_overwrite() {
        let sessions = insert_from_stage(Table::Sessions);
        assert!(
            sessions.contains("\"start_time\" = LEAST(t.\"start_time\", EXCLUDED.\"start_time\")")
        );
        assert!(sessions.contains("\"last_activity\" = GREATEST("));
        assert!(sessions.contains("s.c06::boolean"));
        assert!(sessions.contains("SELECT DISTINCT ON (s.c00) "));
        assert!(sessions.contains("ORDER BY s.c00, s.seq DESC ON CONFLICT"));
        assert!(sessions.contains("WHERE (t.\"start_time\", t.\"last_activity\", "));
        assert!(
            sessions
                .contains(") IS DISTINCT FROM (LEAST(t.\"start_time\", EXCLUDED.\"start_time\"), ")
        );
        let messages = insert_from_stage(Table::Messages);
        assert!(messages.contains("ON CONFLICT (\"message_id\") DO NOTHING"));
        assert!(messages.contains("s.c02::timestamptz"));
    }

    #[test]
    fn only_child_tables_synthesize_sessions() {
        assert!(synthesize_sessions(Table::Sessions).is_none());
        assert!(synthesize_sessions(Table::ArenaTrainingExports).is_none());
        assert!(
            synthesize_sessions(Table::Messages)
                .unwrap()
                .contains("s.c01")
        );
        assert!(
            synthesize_sessions(Table::AlgorithmDecisions)
                .unwrap()
                .contains("s.c02")
        );
    }
}
