use chatmrpt_db_core::{
    Error, Page, Result, Session, SessionId, SessionRepository, SessionStart, Timestamp, validate,
};
use diesel::prelude::*;

use super::{Recorded, WriteCtx, transact};
use crate::backend::{Conn, Store};
use crate::error::TxError;
use crate::rows::SessionRow;
use crate::schema::sessions;
use crate::store::optional;

/// Inserts `session` unless a row with its id exists.
pub(crate) fn insert_session_if_missing(conn: &mut Conn, session: &Session) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values(SessionRow::from(session))
        .on_conflict_do_nothing()
        .execute(conn)
}

/// Moves `last_activity` to `at` unless it is already later. Returns the rows changed.
pub(crate) fn advance_activity(
    conn: &mut Conn,
    id: &SessionId,
    at: Timestamp,
) -> QueryResult<usize> {
    let at = crate::backend::time_to_sql(at);
    diesel::update(sessions::table.find(id.as_str()))
        .filter(
            sessions::last_activity
                .is_null()
                .or(sessions::last_activity.lt(&at)),
        )
        .set(sessions::last_activity.eq(&at))
        .execute(conn)
}

fn load(conn: &mut Conn, id: &str) -> Result<Option<Session>, TxError> {
    let row = optional(
        sessions::table
            .find(id)
            .select(SessionRow::as_select())
            .first(conn),
    )?;
    Ok(row.map(SessionRow::into_domain).transpose()?)
}

fn exists(conn: &mut Conn, id: &str) -> Result<bool, TxError> {
    Ok(diesel::select(diesel::dsl::exists(sessions::table.find(id))).get_result(conn)?)
}

fn not_found(id: &SessionId) -> TxError {
    TxError::Domain(Error::NotFound {
        entity: "session",
        key: id.to_string(),
    })
}

/// Runs `f` on the stored session `id` as one write: [`Error::NotFound`]
/// when there is none.
fn update_session(
    store: &Store,
    ctx: &WriteCtx<'_>,
    id: &SessionId,
    f: impl FnOnce(&mut Conn) -> QueryResult<usize>,
) -> Result<Recorded> {
    transact(store, ctx, "session", id.as_str(), |conn| {
        if !exists(conn, id.as_str())? {
            return Err(not_found(id));
        }
        f(conn)?;
        Ok(())
    })
    .map(|((), recorded)| recorded)
}

impl SessionRepository for Store {
    fn start_session(&self, start: &SessionStart) -> Result<Session> {
        start_session(self, start, &WriteCtx::now()).map(|(out, _)| out)
    }

    fn get_session(&self, id: &SessionId) -> Result<Option<Session>> {
        self.read(|conn| load(conn, id.as_str()))
    }

    fn touch_session(&self, id: &SessionId, at: Timestamp) -> Result<()> {
        touch_session(self, id, at, &WriteCtx::now()).map(drop)
    }

    fn set_user_language(&self, id: &SessionId, language: &str) -> Result<()> {
        set_user_language(self, id, language, &WriteCtx::now()).map(drop)
    }

    fn set_analysis_complete(&self, id: &SessionId, complete: bool) -> Result<()> {
        set_analysis_complete(self, id, complete, &WriteCtx::now()).map(drop)
    }

    fn set_files_uploaded(&self, id: &SessionId, uploaded: bool) -> Result<()> {
        set_files_uploaded(self, id, uploaded, &WriteCtx::now()).map(drop)
    }

    fn list_sessions(&self, page: Page) -> Result<Vec<Session>> {
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        self.read(|conn| {
            let rows = sessions::table
                .order((
                    sessions::start_time.is_null().desc(),
                    sessions::start_time.asc(),
                    sessions::session_id.asc(),
                ))
                .limit(i64::from(page.limit))
                .offset(offset)
                .select(SessionRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(SessionRow::into_domain)
                .collect::<Result<_>>()?)
        })
    }
}

/// The write of the trait method `start_session`, under `ctx`.
pub(crate) fn start_session(
    store: &Store,
    start: &SessionStart,
    ctx: &WriteCtx<'_>,
) -> Result<(Session, Recorded)> {
    start.validate()?;
    let id = start.session_id.as_str();
    transact(store, ctx, "session", id, |conn| {
        if insert_session_if_missing(conn, &start.to_new_session())? == 0 {
            apply_client_details(conn, start)?;
            advance_activity(conn, &start.session_id, start.at)?;
        }
        load(conn, id)?.ok_or_else(|| not_found(&start.session_id))
    })
}

/// The client details a session start reports; `None` keeps the stored one.
#[derive(AsChangeset)]
#[diesel(table_name = sessions)]
struct ClientDetails<'a> {
    user_language: Option<&'a str>,
    browser_info: Option<&'a str>,
    ip_address: Option<&'a str>,
}

/// Applies `start`'s client details to the stored session by the
/// convergence rule (`chatmrpt_db_core::convergence`): unless the session
/// has details and an activity later than the start (an older request
/// arriving late). Runs before the start advances `last_activity`.
fn apply_client_details(conn: &mut Conn, start: &SessionStart) -> QueryResult<usize> {
    let details = ClientDetails {
        user_language: start.user_language.as_deref(),
        browser_info: start.browser_info.as_deref(),
        ip_address: start.ip_address.as_deref(),
    };
    if details.user_language.is_none()
        && details.browser_info.is_none()
        && details.ip_address.is_none()
    {
        return Ok(0);
    }
    let at = crate::backend::time_to_sql(start.at);
    diesel::update(sessions::table.find(start.session_id.as_str()))
        .filter(
            sessions::last_activity
                .is_null()
                .or(sessions::last_activity.le(&at))
                .or(sessions::user_language
                    .is_null()
                    .and(sessions::browser_info.is_null())
                    .and(sessions::ip_address.is_null())),
        )
        .set(&details)
        .execute(conn)
}

/// The write of the trait method `touch_session`, under `ctx`.
pub(crate) fn touch_session(
    store: &Store,
    id: &SessionId,
    at: Timestamp,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    update_session(store, ctx, id, |conn| advance_activity(conn, id, at))
}

/// The write of the trait method `set_user_language`, under `ctx`.
pub(crate) fn set_user_language(
    store: &Store,
    id: &SessionId,
    language: &str,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    validate::text("sessions.user_language", Some(language))?;
    update_session(store, ctx, id, |conn| {
        diesel::update(sessions::table.find(id.as_str()))
            .set(sessions::user_language.eq(language))
            .execute(conn)
    })
}

/// The write of the trait method `set_analysis_complete`, under `ctx`.
pub(crate) fn set_analysis_complete(
    store: &Store,
    id: &SessionId,
    complete: bool,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    update_session(store, ctx, id, |conn| {
        diesel::update(sessions::table.find(id.as_str()))
            .set(sessions::analysis_complete.eq(complete))
            .execute(conn)
    })
}

/// The write of the trait method `set_files_uploaded`, under `ctx`.
pub(crate) fn set_files_uploaded(
    store: &Store,
    id: &SessionId,
    uploaded: bool,
    ctx: &WriteCtx<'_>,
) -> Result<Recorded> {
    update_session(store, ctx, id, |conn| {
        diesel::update(sessions::table.find(id.as_str()))
            .set(sessions::files_uploaded.eq(uploaded))
            .execute(conn)
    })
}
