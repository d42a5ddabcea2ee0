//! Sessions: one row per chat session.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::SessionId;
use crate::time::Timestamp;
use crate::validate;

/// A stored `sessions` row.
///
/// Every column but the key is nullable in legacy files, so every field but
/// the key is optional. `start_time` is when the library first saw the
/// session (legacy files reset it on each request; see the crate docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The session's id.
    pub session_id: SessionId,
    /// First request of the session.
    pub start_time: Option<Timestamp>,
    /// Latest activity; never moves backwards.
    pub last_activity: Option<Timestamp>,
    /// The user's language, e.g. `en`.
    pub user_language: Option<String>,
    /// The full User-Agent.
    pub browser_info: Option<String>,
    /// The client address.
    pub ip_address: Option<String>,
    /// Whether an analysis finished.
    pub analysis_complete: Option<bool>,
    /// Whether files were uploaded.
    pub files_uploaded: Option<bool>,
}

/// A request seen for a session: creates it, or refreshes it without
/// resetting `start_time` or the flags (the legacy `INSERT OR REPLACE` did).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionStart {
    /// The session's id.
    pub session_id: SessionId,
    /// When the request arrived.
    pub at: Timestamp,
    /// The user's language, when known; replaces the stored one (unless
    /// the stored session has details and a later activity: see
    /// [`convergence`]).
    pub user_language: Option<String>,
    /// The User-Agent, when known; replaces the stored one (as above).
    pub browser_info: Option<String>,
    /// The client address, when known; replaces the stored one (as above).
    pub ip_address: Option<String>,
}

impl SessionStart {
    /// A request for `session_id` arriving now, with no client details.
    pub fn new(session_id: impl Into<SessionId>) -> Self {
        Self {
            session_id: session_id.into(),
            at: Timestamp::now(),
            user_language: None,
            browser_info: None,
            ip_address: None,
        }
    }

    /// Checks the values can be stored alike by every backend.
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidInput`] naming the field.
    pub fn validate(&self) -> Result<()> {
        validate::id("sessions.session_id", Some(self.session_id.as_str()))?;
        validate::text("sessions.user_language", self.user_language.as_deref())?;
        validate::text("sessions.browser_info", self.browser_info.as_deref())?;
        validate::text("sessions.ip_address", self.ip_address.as_deref())
    }

    /// The row a first request creates.
    pub fn to_new_session(&self) -> Session {
        Session {
            session_id: self.session_id.clone(),
            start_time: Some(self.at),
            last_activity: Some(self.at),
            user_language: self.user_language.clone(),
            browser_info: self.browser_info.clone(),
            ip_address: self.ip_address.clone(),
            analysis_complete: Some(false),
            files_uploaded: Some(false),
        }
    }
}

/// How copies of one session converge: the one written rule that backfill,
/// `--rescan`, dual write, replay and verify all apply, so that a session
/// written by several hosts, or rewritten by the legacy application after it
/// was copied, ends the same in every store whatever the order.
///
/// Two copies (two hosts' files, a file copied again, a store's row and a
/// file's row) merge column by column:
///
/// - `start_time`: the earliest (NULL only when both are);
/// - `last_activity`: the latest;
/// - the client details (`user_language`, `browser_info`, `ip_address`), as
///   one set, NULLs included: those of the copy with the later
///   `last_activity` (a NULL one is earlier than any); on equal activity
///   the greater set (compared column by column, NULL first, then byte for
///   byte);
/// - `analysis_complete`, `files_uploaded`: OR-ed (`true` if either is,
///   else `false` if either is, else NULL), because the legacy application
///   reset them on every request.
///
/// Each column is a maximum over a total order (the details with the
/// activity they came with), so the merge is commutative and associative:
/// any order of copies gives the same row. Writes through the library apply
/// in order like any write (`set_*` replace a flag or the language); a
/// session start's client details apply unless the stored session has
/// details and a later activity than the start (an older request arriving
/// late, e.g. replayed from another host); its NULL details keep the stored
/// ones.
pub mod convergence {
    use super::Session;

    /// The details of `s` as compared on equal activity.
    fn details(s: &Session) -> (&Option<String>, &Option<String>, &Option<String>) {
        (&s.user_language, &s.browser_info, &s.ip_address)
    }

    /// Whether `b`'s client details win over `a`'s (see the module docs).
    pub fn details_win(a: &Session, b: &Session) -> bool {
        (b.last_activity, details(b)) > (a.last_activity, details(a))
    }

    /// OR of two nullable flags: `true` if either is, else `false` if
    /// either is, else NULL.
    pub fn or_flag(a: Option<bool>, b: Option<bool>) -> Option<bool> {
        match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            (None, None) => None,
        }
    }
}

impl Session {
    /// The merge of two copies of this session by the convergence rule
    /// ([`convergence`]). Commutative and associative; the id is `self`'s
    /// (merge copies of one session only).
    #[must_use]
    pub fn converge(&self, other: &Session) -> Session {
        let earliest = match (self.start_time, other.start_time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let winner = if convergence::details_win(self, other) {
            other
        } else {
            self
        };
        Session {
            session_id: self.session_id.clone(),
            start_time: earliest,
            last_activity: self.last_activity.max(other.last_activity),
            user_language: winner.user_language.clone(),
            browser_info: winner.browser_info.clone(),
            ip_address: winner.ip_address.clone(),
            analysis_complete: convergence::or_flag(
                self.analysis_complete,
                other.analysis_complete,
            ),
            files_uploaded: convergence::or_flag(self.files_uploaded, other.files_uploaded),
        }
    }

    /// Whether this copy already holds everything `copy` would bring: the
    /// merge changes nothing. What verify checks for sessions.
    pub fn absorbs(&self, copy: &Session) -> bool {
        self.converge(copy) == *self
    }

    /// The row synthesized when a child row arrives for an unknown session:
    /// started and last active at the child's time, flags off.
    pub fn synthesized(session_id: SessionId, at: Timestamp) -> Self {
        Self {
            session_id,
            start_time: Some(at),
            last_activity: Some(at),
            user_language: None,
            browser_info: None,
            ip_address: None,
            analysis_complete: Some(false),
            files_uploaded: Some(false),
        }
    }
}

/// A window of a listing, in the listing's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return at most.
    pub limit: u32,
}

impl Page {
    /// The first `limit` rows.
    pub fn first(limit: u32) -> Self {
        Self { offset: 0, limit }
    }

    /// The page after this one.
    pub fn next(self) -> Self {
        Self {
            offset: self.offset + u64::from(self.limit),
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn at(second: u32) -> Option<Timestamp> {
        Some(Timestamp::parse_legacy(&format!("2025-08-01 10:00:{second:02}")).unwrap())
    }

    fn copy(
        start: Option<Timestamp>,
        last: Option<Timestamp>,
        ip: Option<&str>,
        flags: (Option<bool>, Option<bool>),
    ) -> Session {
        Session {
            session_id: SessionId::from("s"),
            start_time: start,
            last_activity: last,
            user_language: ip.map(|_| "en".to_owned()),
            browser_info: None,
            ip_address: ip.map(str::to_owned),
            analysis_complete: flags.0,
            files_uploaded: flags.1,
        }
    }

    /// Copies covering every tie and NULL the rule settles.
    fn copies() -> Vec<Session> {
        vec![
            copy(at(1), at(5), Some("10.0.0.1"), (Some(false), Some(false))),
            copy(at(3), at(9), Some("10.0.0.2"), (Some(true), Some(false))),
            copy(at(9), at(9), Some("10.0.0.3"), (Some(false), None)),
            copy(at(2), at(9), None, (None, Some(true))),
            copy(None, at(12), None, (Some(false), Some(false))),
            copy(at(0), None, Some("10.0.0.4"), (None, None)),
            copy(None, None, None, (None, None)),
            copy(at(4), at(7), Some("10.0.0.9"), (Some(false), Some(true))),
        ]
    }

    #[test]
    fn convergence_is_commutative_associative_and_idempotent() {
        let all = copies();
        for a in &all {
            assert_eq!(a.converge(a), *a);
            for b in &all {
                assert_eq!(a.converge(b), b.converge(a), "{a:?} {b:?}");
                assert!(a.converge(b).absorbs(a) && a.converge(b).absorbs(b));
                for c in &all {
                    assert_eq!(a.converge(b).converge(c), a.converge(&b.converge(c)));
                }
            }
        }
    }

    #[test]
    fn the_rule_as_written() {
        let all = copies();
        let merged = all
            .iter()
            .skip(1)
            .fold(all[0].clone(), |m, c| m.converge(c));
        assert_eq!(merged.start_time, at(0), "earliest start");
        assert_eq!(merged.last_activity, at(12), "latest activity");
        // The details of the latest activity (12 s), which had none.
        assert_eq!(merged.ip_address, None);
        assert_eq!(merged.user_language, None);
        // On equal activity (9 s), 10.0.0.3 > 10.0.0.2 > none settles it.
        let tie = all[1].converge(&all[2]).converge(&all[3]);
        assert_eq!(tie.ip_address.as_deref(), Some("10.0.0.3"));
        assert_eq!(merged.analysis_complete, Some(true));
        assert_eq!(merged.files_uploaded, Some(true));
        // A later copy with details wins whole, even over a more recent start.
        let later = copy(at(20), at(30), Some("10.9.9.9"), (Some(false), Some(false)));
        let m = merged.converge(&later);
        assert_eq!(m.ip_address.as_deref(), Some("10.9.9.9"));
        assert_eq!(m.start_time, at(0));
        assert_eq!(
            m.analysis_complete,
            Some(true),
            "flags are never reset by a copy"
        );
        assert!(m.absorbs(&merged) && !merged.absorbs(&later));
    }
}
