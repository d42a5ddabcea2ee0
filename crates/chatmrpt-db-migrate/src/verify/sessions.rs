//! Sessions compared under the convergence rule
//! (`chatmrpt_db_core::convergence`): a target session whose row differs
//! from the source's is equal when it already holds everything the
//! source's copy would bring (backfilling the source again would change
//! nothing): an earlier start, later activity and its details, flags set
//! by another copy. A session that truly differs is still named.

use chatmrpt_db_core::{Session, SessionId, Timestamp};

use crate::convert::Cell;

/// A session from the canonical cells of its row (catalog order:
/// `session_id`, `start_time`, `last_activity`, `user_language`,
/// `browser_info`, `ip_address`, `analysis_complete`, `files_uploaded`).
/// `None` for cells of another shape (never expected).
pub(crate) fn from_cells(cells: &[Cell<'_>]) -> Option<Session> {
    let text = |i: usize| match cells.get(i)? {
        Cell::Text(t) => Some(Some(t.to_string())),
        Cell::Null => Some(None),
        _ => None,
    };
    let time = |i: usize| match cells.get(i)? {
        Cell::Timestamp(m) => chrono::DateTime::from_timestamp_micros(*m)
            .and_then(|at| Timestamp::from_datetime(at).ok())
            .map(Some),
        Cell::Null => Some(None),
        _ => None,
    };
    let flag = |i: usize| match cells.get(i)? {
        Cell::Bool(b) => Some(Some(*b)),
        Cell::Null => Some(None),
        _ => None,
    };
    Some(Session {
        session_id: SessionId::from(text(0)??),
        start_time: time(1)?,
        last_activity: time(2)?,
        user_language: text(3)?,
        browser_info: text(4)?,
        ip_address: text(5)?,
        analysis_complete: flag(6)?,
        files_uploaded: flag(7)?,
    })
}
