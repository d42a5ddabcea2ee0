//! One label, one file: a backfill resumes a label's progress only on the
//! file that label was first run on (see [`crate::source::SourceIdentity`]).

use chatmrpt_db_core::{LegacyZone, Table};
use diesel::pg::PgConnection;

use crate::bookkeeping::{self, RecordedSource};
use crate::error::{Error, Result};
use crate::source::{Fingerprint, Source, SourceIdentity, SourceSchema};

/// A label checked against this file: the file's identity, and what the
/// label's record becomes once the run is allowed.
pub(crate) struct Claim {
    /// The file's identity.
    pub identity: SourceIdentity,
    file_id: Option<String>,
    fingerprint: Option<Fingerprint>,
    zone: String,
}

/// Checks that `label` names this file (or nothing yet), changing nothing:
/// the record is written by [`record`] once every other check passed too.
///
/// # Errors
///
/// [`Error::OtherSource`] when the label was first run on another file;
/// [`Error::Source`], [`Error::Target`].
pub(crate) fn check(
    conn: &mut PgConnection,
    (src, schema): (&mut Source, &SourceSchema),
    label: &str,
    zone: LegacyZone,
) -> Result<Claim> {
    let now = src.identity(schema)?;
    let recorded = bookkeeping::recorded_source(conn, label).map_err(Error::Target)?;
    if let Some(was) = recorded.as_ref().and_then(|r| r.legacy_timezone.as_deref()) {
        if was != zone.to_string() {
            return Err(Error::Options(format!(
                "source label `{label}` was copied reading the file's timestamps in {was}; \
                 this run would read them in {zone}: give --source-timezone {was} to resume \
                 (the rows already copied were read so)"
            )));
        }
    }
    let (file_id, fingerprint) = match &recorded {
        None => (now.file_id.clone(), now.fingerprint.clone()),
        Some(r) => {
            if let Some(reason) = differs(src, schema, r, &now)? {
                return Err(other_source(label, &reason));
            }
            // What the record lacked (the file was adopted since, or had
            // no row a fingerprint covers) is filled in; nothing recorded
            // is replaced, so later runs are checked against the first file.
            (
                r.file_id.clone().or_else(|| now.file_id.clone()),
                recorded_fingerprint(r)?.or_else(|| now.fingerprint.clone()),
            )
        }
    };
    Ok(Claim {
        identity: now,
        file_id,
        fingerprint,
        zone: zone.to_string(),
    })
}

/// Records the file `label` names, after the run was allowed.
///
/// # Errors
///
/// [`Error::Target`].
pub(crate) fn record(conn: &mut PgConnection, label: &str, claim: &Claim) -> Result<()> {
    bookkeeping::record_source(
        conn,
        label,
        claim.file_id.as_deref(),
        claim.fingerprint.as_ref(),
        &claim.zone,
    )
    .map_err(Error::Target)
}

/// The labels recorded for another file than this one: their record names
/// a file (an identity or a fingerprint) and this file is not it. A label
/// whose record names no file, or names this one, is not among them: what
/// it loaded counts as this file's. Two files grown from one copy share a
/// fingerprint, so neither is "another file" to the other: verify then
/// counts the other's rows as extra, never the reverse.
///
/// # Errors
///
/// [`Error::Source`].
pub(crate) fn other_labels(
    src: &mut Source,
    schema: &SourceSchema,
    recorded: &[(String, RecordedSource)],
) -> Result<Vec<String>> {
    let now = src.identity(schema)?;
    let mut labels = Vec::new();
    for (label, record) in recorded {
        let identified = record.file_id.is_some() || recorded_fingerprint(record)?.is_some();
        if identified && differs(src, schema, record, &now)?.is_some() {
            labels.push(label.clone());
        }
    }
    Ok(labels)
}

/// The refusal of a label that names another file.
pub(crate) fn other_source(label: &str, reason: &str) -> Error {
    Error::OtherSource {
        label: label.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Why the file is not the one `recorded`, if it is not.
fn differs(
    src: &mut Source,
    schema: &SourceSchema,
    recorded: &RecordedSource,
    now: &SourceIdentity,
) -> Result<Option<String>> {
    if let (Some(was), Some(is)) = (&recorded.file_id, &now.file_id) {
        return Ok((was != is).then(|| {
            format!("it was first run on the file with identity {was}; this file is {is}")
        }));
    }
    let Some(was) = recorded_fingerprint(recorded)? else {
        // The first file had no row a fingerprint covers: nothing to tell
        // the files apart by (resume still checks the rows it copied).
        return Ok(None);
    };
    let same = src
        .fingerprint_of(schema, was.table, was.rows)?
        .is_some_and(|is| is == was);
    Ok((!same).then(|| {
        format!(
            "the first {} rows of {} differ from those of the file it was first run on",
            was.rows,
            was.table.name()
        )
    }))
}

/// The fingerprint recorded for a label, if any.
fn recorded_fingerprint(r: &RecordedSource) -> Result<Option<Fingerprint>> {
    let (Some(table), Some(rows), Some(digest)) =
        (&r.fingerprint_table, r.fingerprint_rows, &r.fingerprint)
    else {
        return Ok(None);
    };
    let table: Table = table.parse().map_err(|_| {
        Error::Figures(format!("backfill_sources names an unknown table `{table}`"))
    })?;
    Ok(Some(Fingerprint {
        table,
        rows,
        digest: digest.clone(),
    }))
}
