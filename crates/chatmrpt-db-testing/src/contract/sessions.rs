//! Sessions: creation, the legacy reset bug fixed, updates, listing.

use chatmrpt_db_core::{Error, InteractionStore, Page, Session, SessionId, SessionStart};

use super::{at, new_session};

fn start(store: &dyn InteractionStore, id: &SessionId, when: &str) -> Session {
    let mut start = SessionStart::new(id.clone());
    start.at = at(when);
    store.start_session(&start).unwrap()
}

/// A first request creates the session, started and active at its time, flags off.
pub fn start_session_creates_with_flags_off(store: &dyn InteractionStore) {
    let id = new_session();
    let mut request = SessionStart::new(id.clone());
    request.at = at("2025-07-28 10:15:00.123456");
    request.user_language = Some("ha".into());
    request.browser_info = Some("Mozilla/5.0 (Linux; Android 13)".into());
    request.ip_address = Some("102.89.34.7".into());
    let created = store.start_session(&request).unwrap();
    let expected = Session {
        session_id: id.clone(),
        start_time: Some(at("2025-07-28 10:15:00.123456")),
        last_activity: Some(at("2025-07-28 10:15:00.123456")),
        user_language: Some("ha".into()),
        browser_info: Some("Mozilla/5.0 (Linux; Android 13)".into()),
        ip_address: Some("102.89.34.7".into()),
        analysis_complete: Some(false),
        files_uploaded: Some(false),
    };
    assert_eq!(created, expected);
    assert_eq!(store.get_session(&id).unwrap(), Some(expected));
}

/// The legacy `INSERT OR REPLACE` reset start_time and the flags on every request; no more.
pub fn start_session_again_keeps_start_time_and_flags(store: &dyn InteractionStore) {
    let id = new_session();
    start(store, &id, "2025-07-28 10:00:00");
    store.set_analysis_complete(&id, true).unwrap();
    store.set_files_uploaded(&id, true).unwrap();
    let again = start(store, &id, "2025-07-28 11:30:00");
    assert_eq!(again.start_time, Some(at("2025-07-28 10:00:00")));
    assert_eq!(again.last_activity, Some(at("2025-07-28 11:30:00")));
    assert_eq!(
        (again.analysis_complete, again.files_uploaded),
        (Some(true), Some(true))
    );
}

/// A later request replaces the client details it carries and keeps the others.
pub fn start_session_replaces_only_given_client_details(store: &dyn InteractionStore) {
    let id = new_session();
    let mut first = SessionStart::new(id.clone());
    first.user_language = Some("en".into());
    first.browser_info = Some("Firefox".into());
    store.start_session(&first).unwrap();
    let mut second = SessionStart::new(id.clone());
    second.browser_info = Some("Chrome".into());
    let stored = store.start_session(&second).unwrap();
    assert_eq!(stored.user_language.as_deref(), Some("en"));
    assert_eq!(stored.browser_info.as_deref(), Some("Chrome"));
    assert_eq!(stored.ip_address, None);
}

/// Touching with an older time keeps the newer activity.
pub fn last_activity_never_moves_backwards(store: &dyn InteractionStore) {
    let id = new_session();
    start(store, &id, "2025-07-28 10:00:00");
    store
        .touch_session(&id, at("2025-07-28 12:00:00.5"))
        .unwrap();
    store.touch_session(&id, at("2025-07-28 11:00:00")).unwrap();
    let stored = store.get_session(&id).unwrap().unwrap();
    assert_eq!(stored.last_activity, Some(at("2025-07-28 12:00:00.5")));
    assert_eq!(stored.start_time, Some(at("2025-07-28 10:00:00")));
}

/// Updates name the unknown session instead of silently doing nothing.
pub fn updates_of_unknown_sessions_are_not_found(store: &dyn InteractionStore) {
    let id = new_session();
    let not_found = |r: Result<(), Error>| matches!(r, Err(Error::NotFound { entity: "session", ref key }) if key == id.as_str());
    assert!(not_found(
        store.touch_session(&id, at("2025-01-01 00:00:00"))
    ));
    assert!(not_found(store.set_user_language(&id, "fr")));
    assert!(not_found(store.set_analysis_complete(&id, true)));
    assert!(not_found(store.set_files_uploaded(&id, true)));
    assert_eq!(store.get_session(&id).unwrap(), None);
}

/// Language and both flags are set and read back, and can be cleared again.
pub fn flags_and_language_are_set(store: &dyn InteractionStore) {
    let id = new_session();
    start(store, &id, "2025-07-28 10:00:00");
    store.set_user_language(&id, "yo").unwrap();
    store.set_analysis_complete(&id, true).unwrap();
    store.set_files_uploaded(&id, true).unwrap();
    store.set_files_uploaded(&id, false).unwrap();
    let s = store.get_session(&id).unwrap().unwrap();
    assert_eq!(s.user_language.as_deref(), Some("yo"));
    assert_eq!(
        (s.analysis_complete, s.files_uploaded),
        (Some(true), Some(false))
    );
}

/// Sessions list by start time, ties by id, in pages.
pub fn list_sessions_orders_by_start_time_then_id_and_pages(store: &dyn InteractionStore) {
    let ids = ["s-c", "s-a", "s-b", "s-d"].map(SessionId::new);
    start(store, &ids[0], "2025-07-28 09:00:00");
    start(store, &ids[1], "2025-07-28 10:00:00");
    start(store, &ids[2], "2025-07-28 10:00:00");
    start(store, &ids[3], "2025-07-27 23:59:59.999999");
    let all: Vec<_> = store
        .list_sessions(Page::first(10))
        .unwrap()
        .into_iter()
        .map(|s| s.session_id)
        .collect();
    assert_eq!(all, [&ids[3], &ids[0], &ids[1], &ids[2]].map(Clone::clone));
    let second: Vec<_> = store
        .list_sessions(Page::first(2).next())
        .unwrap()
        .into_iter()
        .map(|s| s.session_id)
        .collect();
    assert_eq!(second, vec![ids[1].clone(), ids[2].clone()]);
    assert!(
        store
            .list_sessions(Page {
                offset: 4,
                limit: 2
            })
            .unwrap()
            .is_empty()
    );
}

/// Ids are case-sensitive: `ABC` and `abc` are two sessions.
pub fn ids_differing_in_case_are_distinct_sessions(store: &dyn InteractionStore) {
    let upper = SessionId::new("Session_ABC");
    let lower = SessionId::new("session_abc");
    start(store, &upper, "2025-07-28 10:00:00");
    start(store, &lower, "2025-07-28 11:00:00");
    store.set_user_language(&upper, "en").unwrap();
    assert_eq!(
        store
            .get_session(&upper)
            .unwrap()
            .unwrap()
            .user_language
            .as_deref(),
        Some("en")
    );
    assert_eq!(
        store.get_session(&lower).unwrap().unwrap().user_language,
        None
    );
    assert_eq!(
        store.get_session(&SessionId::new("SESSION_ABC")).unwrap(),
        None
    );
}
