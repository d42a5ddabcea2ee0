//! The one write path every child row takes: validate, create the session
//! when unknown, insert, move the session's activity forward — in one
//! immediate transaction.

use chatmrpt_db_core::{Error, Result, Session, SessionId, Timestamp};
use diesel::prelude::*;

use super::{Recorded, WriteCtx, transact};
use crate::backend::{Conn, Store};
use crate::error::TxError;
use crate::repo::session::{advance_activity, insert_session_if_missing};
use crate::schema::sessions;

/// What a child row does to its session besides making sure it exists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionEffect {
    /// Nothing more (errors, LLM calls, insight tables).
    None,
    /// Moves `last_activity` to the row's time (messages, events, steps).
    Touch,
    /// Touches and sets `files_uploaded` (uploads).
    TouchUploaded,
}

/// The child row a write stores.
pub(crate) struct Child<'a> {
    /// What the row is, in errors (`"message"`).
    pub entity: &'static str,
    /// Its primary key.
    pub key: &'a str,
    /// The session it belongs to, created when unknown.
    pub session: Option<&'a SessionId>,
    /// The row's own time.
    pub at: Option<Timestamp>,
    /// What it does to its session besides making sure it exists.
    pub effect: SessionEffect,
}

/// Writes `child` with `insert`, under `ctx`.
pub(crate) fn write_child(
    store: &Store,
    ctx: &WriteCtx<'_>,
    child: Child<'_>,
    insert: impl FnOnce(&mut Conn) -> Result<(), TxError>,
) -> Result<Recorded> {
    let Child {
        entity,
        key,
        session,
        at,
        effect,
    } = child;
    transact(store, ctx, entity, key, |conn| {
        if let Some(id) = session {
            let mut synthesized = Session::synthesized(id.clone(), at.unwrap_or(ctx.at));
            synthesized.files_uploaded = Some(effect == SessionEffect::TouchUploaded);
            insert_session_if_missing(conn, &synthesized)?;
        }
        insert(conn)?;
        if let (Some(id), Some(at)) = (session, at) {
            if effect != SessionEffect::None {
                advance_activity(conn, id, at)?;
            }
        }
        if let (Some(id), SessionEffect::TouchUploaded) = (session, effect) {
            diesel::update(sessions::table.find(id.as_str()))
                .set(sessions::files_uploaded.eq(true))
                .execute(conn)?;
        }
        Ok(())
    })
    .map(|((), recorded)| recorded)
}

/// Refuses a row whose parent (`entity` `key`) is not stored: `NotFound`.
pub(crate) fn require_parent(found: bool, entity: &'static str, key: &str) -> Result<(), TxError> {
    if found {
        Ok(())
    } else {
        Err(TxError::Domain(Error::NotFound {
            entity,
            key: key.to_owned(),
        }))
    }
}
