//! Where a table's backfill starts: after the last committed batch of the
//! label, from the start again, or not at all (another file).

use diesel::pg::PgConnection;

use crate::bookkeeping;
use crate::error::{Error, Result};
use crate::prepare::storable_key;
use crate::source::{Source, SourceTable};

/// How a table resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resume {
    /// After this rowid (0: nothing was copied yet).
    After(i64),
    /// From the start again, forgetting the label's progress and
    /// quarantine of the table (a rescan, or rowids renumbered by `VACUUM`):
    /// safe, loading is idempotent.
    Restart,
}

/// Decides where `t` resumes under `label`, changing nothing: every table
/// is planned before any is loaded or restarted.
///
/// Resumes after the last committed batch, unless a rescan was asked for
/// or the row recorded there now holds another key while the key is still
/// in the file (rowids renumbered): then the table loads again from the
/// start. The legacy application never deletes a row, so a file that no
/// longer holds the last key copied under the label is another file (one
/// whose earliest rows are the same, e.g. both grew from one copy): it is
/// refused, never resumed nor restarted over the other file's quarantine.
///
/// # Errors
///
/// [`Error::OtherSource`]; [`Error::Source`], [`Error::Target`].
pub(crate) fn plan(
    conn: &mut PgConnection,
    src: &mut Source,
    t: &SourceTable,
    label: &str,
    rescan: bool,
) -> Result<Resume> {
    let Some(progress) =
        bookkeeping::progress(conn, label, t.table.name()).map_err(Error::Target)?
    else {
        return Ok(Resume::After(0));
    };
    let found = src.key_at(t, progress.last_rowid)?;
    let in_place = found.is_some() && found.as_ref().and_then(storable_key) == progress.last_key;
    // Where the last key copied is now, when it is not where it was copied.
    let moved_to = match (&progress.last_key, in_place) {
        (Some(key), false) => match src.rowid_of(t, key)? {
            Some(at) => Some(at),
            None => {
                return Err(crate::sources::other_source(
                    label,
                    &format!(
                        "the last {} row copied under it is not in this file",
                        t.table.name()
                    ),
                ));
            }
        },
        _ => None,
    };
    if rescan {
        return Ok(Resume::Restart);
    }
    match moved_to {
        None if in_place => Ok(Resume::After(progress.last_rowid)),
        // Moved forward (`INSERT OR REPLACE` on a live file): rowids were
        // not renumbered.
        Some(at) if at > progress.last_rowid => Ok(Resume::After(progress.last_rowid)),
        _ => {
            tracing::warn!(
                table = t.table.name(),
                "source rowids changed since the last run; loading the table again"
            );
            Ok(Resume::Restart)
        }
    }
}

/// The rowid `t`'s load starts after, restarting the table first if
/// `resume` says so.
///
/// # Errors
///
/// [`Error::Target`].
pub(crate) fn start(
    conn: &mut PgConnection,
    t: &SourceTable,
    label: &str,
    resume: Resume,
) -> Result<i64> {
    match resume {
        Resume::After(rowid) => Ok(rowid),
        Resume::Restart => {
            bookkeeping::restart(conn, label, t.table.name()).map_err(Error::Target)?;
            Ok(0)
        }
    }
}
