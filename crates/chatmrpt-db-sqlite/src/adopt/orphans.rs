//! Orphan repair: a `sessions` row for every child `session_id` that has
//! none, so that enforced foreign keys hold for the rows already there.
//!
//! The session's `start_time` is the earliest and `last_activity` the latest
//! readable timestamp of its child rows (legacy text or epoch numbers, read
//! as UTC), written as legacy text; NULL when none is readable. The id is
//! copied from a child row by SQL, so its exact value and storage class
//! (even invalid UTF-8 or a BLOB) are kept. `files_uploaded` is 1 when a
//! child is a file upload, as the store does for new rows. NULL
//! `session_id`s stay NULL: they reference nothing.

use std::collections::BTreeMap;

use chatmrpt_db_core::Timestamp;
use diesel::sql_types::{BigInt, Binary, Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use super::report::SynthesizedSession;
use super::schema::Schema;

#[derive(QueryableByName)]
struct OrphanRow {
    #[diesel(sql_type = BigInt)]
    source_row: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Binary)]
    id: Vec<u8>,
    #[diesel(sql_type = Nullable<Binary>)]
    at: Option<Vec<u8>>,
}

/// The child rows of one missing session.
#[derive(Default)]
struct Orphan {
    /// A `(table, rowid)` holding the id, to copy it from.
    source: Option<(String, i64)>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    children: BTreeMap<String, u64>,
}

/// The log's child tables of `file` (those of `known` with a `session_id`).
pub(crate) fn child_tables<'a>(file: &'a Schema, known: &Schema) -> Vec<(&'a str, bool)> {
    file.order
        .iter()
        .filter(|t| t.as_str() != "sessions" && known.table(t).is_some())
        .filter_map(|t| {
            let info = file.table(t)?;
            info.column("session_id")?;
            Some((t.as_str(), info.column("timestamp").is_some()))
        })
        .collect()
}

/// Inserts the missing sessions for rows of `children` (`(table, has a
/// timestamp column)`); returns them in id order.
pub(crate) fn repair(
    conn: &mut SqliteConnection,
    children: &[(&str, bool)],
) -> QueryResult<Vec<SynthesizedSession>> {
    let mut orphans: BTreeMap<(String, Vec<u8>), Orphan> = BTreeMap::new();
    for &(table, timed) in children {
        let at = if timed {
            "CAST(c.\"timestamp\" AS BLOB)"
        } else {
            "NULL"
        };
        let sql = format!(
            "SELECT c.rowid AS source_row, typeof(c.session_id) AS kind, CAST(c.session_id AS BLOB) AS id, {at} AS at \
             FROM \"{table}\" c WHERE c.session_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = c.session_id)"
        );
        for found in diesel::sql_query(sql).load::<OrphanRow>(conn)? {
            let orphan = orphans.entry((found.kind, found.id)).or_default();
            orphan
                .source
                .get_or_insert_with(|| (table.to_owned(), found.source_row));
            *orphan.children.entry(table.to_owned()).or_default() += 1;
            if let Some(at) = found.at.as_deref().and_then(read_time) {
                orphan.first = Some(orphan.first.map_or(at, |t| t.min(at)));
                orphan.last = Some(orphan.last.map_or(at, |t| t.max(at)));
            }
        }
    }
    orphans
        .into_iter()
        .map(|((_, id), orphan)| insert(conn, &id, orphan))
        .collect()
}

/// A stored timestamp's text, if it is one the store can read.
fn read_time(bytes: &[u8]) -> Option<Timestamp> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| Timestamp::parse_stored(t).ok())
}

fn insert(
    conn: &mut SqliteConnection,
    id: &[u8],
    orphan: Orphan,
) -> QueryResult<SynthesizedSession> {
    let start = orphan.first.map(|t| t.to_legacy_string());
    let last = orphan.last.map(|t| t.to_legacy_string());
    let uploaded = i32::from(orphan.children.contains_key("file_uploads"));
    if let Some((table, row)) = &orphan.source {
        diesel::sql_query(format!(
            "INSERT INTO sessions (session_id, start_time, last_activity, analysis_complete, files_uploaded) \
             SELECT c.session_id, ?, ?, 0, ? FROM \"{table}\" c WHERE c.rowid = ?"
        ))
        .bind::<Nullable<Text>, _>(&start)
        .bind::<Nullable<Text>, _>(&last)
        .bind::<Integer, _>(uploaded)
        .bind::<BigInt, _>(row)
        .execute(conn)?;
    }
    Ok(SynthesizedSession {
        session_id: String::from_utf8_lossy(id).into_owned(),
        start_time: start,
        last_activity: last,
        children: orphan.children.into_iter().collect(),
    })
}
