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
    /// The user's language, when known; replaces the stored one.
    pub user_language: Option<String>,
    /// The User-Agent, when known; replaces the stored one.
    pub browser_info: Option<String>,
    /// The client address, when known; replaces the stored one.
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

impl Session {
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
