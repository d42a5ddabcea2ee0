//! Sessions: creation, the legacy reset bug fixed, updates, listing, and the
//! session row a child creates.

use chatmrpt_db_core::{
    Applied, InteractionStore, Message, Page, Session, SessionId, SessionStart, Table, Timestamp,
    WriteOp,
};

use super::{at, fresh, invalid_field, log_row, new_session, not_found_key};

fn request(id: &SessionId, when: &str) -> SessionStart {
    SessionStart {
        at: at(when),
        ..SessionStart::new(id.clone())
    }
}

fn start(store: &dyn InteractionStore, id: &SessionId, when: &str) -> Session {
    store.start_session(&request(id, when)).unwrap()
}

fn stored(store: &dyn InteractionStore, id: &SessionId) -> Session {
    store
        .get_session(id)
        .unwrap()
        .expect("the session is stored")
}

/// A first request creates the session: started and active at its time,
/// flags off, client details as given; the returned row is the stored one.
pub fn start_session_creates_with_flags_off(store: &dyn InteractionStore) {
    let id = new_session();
    let request = SessionStart {
        user_language: Some("ha".into()),
        browser_info: Some("Mozilla/5.0 (Linux; Android 13)".into()),
        ip_address: Some("102.89.34.7".into()),
        ..request(&id, "2025-07-28 10:15:00.123456")
    };
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
    assert_eq!(store.start_session(&request).unwrap(), expected);
    assert_eq!(store.get_session(&id).unwrap(), Some(expected));
}

/// The legacy `INSERT OR REPLACE` reset `start_time` and the flags on every
/// request; here a later request only moves `last_activity` forward, and an
/// older one moves nothing.
pub fn start_session_again_keeps_start_time_and_flags(store: &dyn InteractionStore) {
    let id = new_session();
    let first = start(store, &id, "2025-07-28 10:00:00");
    store.set_analysis_complete(&id, true).unwrap();
    store.set_files_uploaded(&id, true).unwrap();
    let expected = Session {
        last_activity: Some(at("2025-07-28 11:30:00.000001")),
        analysis_complete: Some(true),
        files_uploaded: Some(true),
        ..first
    };
    assert_eq!(start(store, &id, "2025-07-28 11:30:00.000001"), expected);
    assert_eq!(start(store, &id, "2025-07-28 09:00:00"), expected);
    assert_eq!(stored(store, &id), expected);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 1);
}

/// A later request replaces the client details it carries and keeps the
/// stored ones it leaves `None`.
pub fn start_session_replaces_only_given_client_details(store: &dyn InteractionStore) {
    let id = new_session();
    let all = SessionStart {
        user_language: Some("en".into()),
        browser_info: Some("Firefox/128.0".into()),
        ip_address: Some("10.0.0.1".into()),
        ..request(&id, "2025-07-28 10:00:00")
    };
    let mut expected = store.start_session(&all).unwrap();
    let browser_only = SessionStart {
        browser_info: Some("Chrome/126.0".into()),
        ..request(&id, "2025-07-28 10:01:00")
    };
    expected.browser_info = Some("Chrome/126.0".into());
    expected.last_activity = Some(at("2025-07-28 10:01:00"));
    assert_eq!(store.start_session(&browser_only).unwrap(), expected);
    expected.last_activity = Some(at("2025-07-28 10:02:00"));
    assert_eq!(start(store, &id, "2025-07-28 10:02:00"), expected);
    let language_and_ip = SessionStart {
        user_language: Some("yo".into()),
        ip_address: Some("2001:db8::1".into()),
        ..request(&id, "2025-07-28 10:03:00")
    };
    expected.user_language = Some("yo".into());
    expected.ip_address = Some("2001:db8::1".into());
    expected.last_activity = Some(at("2025-07-28 10:03:00"));
    assert_eq!(store.start_session(&language_and_ip).unwrap(), expected);
    assert_eq!(stored(store, &id), expected);
}

/// The convergence rule for a start: an older request arriving late (a
/// replay from another host, a slow worker) does not replace the client
/// details of a later activity; a session with no details (synthesized for
/// a child row) takes any.
pub fn a_late_older_start_keeps_the_details_of_the_later_activity(store: &dyn InteractionStore) {
    let id = new_session();
    let newer = SessionStart {
        ip_address: Some("10.0.0.2".into()),
        user_language: Some("fr".into()),
        ..request(&id, "2025-07-28 10:05:00")
    };
    let expected = store.start_session(&newer).unwrap();
    let older = SessionStart {
        ip_address: Some("10.0.0.1".into()),
        user_language: Some("en".into()),
        ..request(&id, "2025-07-28 10:01:00")
    };
    assert_eq!(store.start_session(&older).unwrap(), expected);
    // An equal time is not later: the request applies.
    let same_time = SessionStart {
        ip_address: Some("10.0.0.3".into()),
        ..request(&id, "2025-07-28 10:05:00")
    };
    let applied = store.start_session(&same_time).unwrap();
    assert_eq!(applied.ip_address.as_deref(), Some("10.0.0.3"));
    assert_eq!(applied.user_language.as_deref(), Some("fr"));

    let child_first = new_session();
    let mut hello = Message::new(child_first.clone(), "user", "hello");
    hello.timestamp = Some(at("2025-07-28 10:09:00"));
    store.log_message(&hello).unwrap();
    let late = SessionStart {
        browser_info: Some("Firefox/128.0".into()),
        ..request(&child_first, "2025-07-28 10:08:59")
    };
    let taken = store.start_session(&late).unwrap();
    assert_eq!(taken.browser_info.as_deref(), Some("Firefox/128.0"));
    // A start never moves the stored start or activity back.
    assert_eq!(taken.start_time, Some(at("2025-07-28 10:09:00")));
    assert_eq!(taken.last_activity, Some(at("2025-07-28 10:09:00")));
}

/// Touching with an older time keeps the newer activity, and so does a
/// message stamped earlier; a later touch moves it, by one microsecond too.
pub fn last_activity_never_moves_backwards(store: &dyn InteractionStore) {
    let id = new_session();
    let created = start(store, &id, "2025-07-28 10:00:00");
    let expect_last = |when: &str| Session {
        last_activity: Some(at(when)),
        ..created.clone()
    };
    store
        .touch_session(&id, at("2025-07-28 12:00:00.5"))
        .unwrap();
    store.touch_session(&id, at("2025-07-28 11:00:00")).unwrap();
    assert_eq!(stored(store, &id), expect_last("2025-07-28 12:00:00.5"));
    let mut older = Message::new(id.clone(), "user", "late delivery");
    older.timestamp = Some(at("2025-07-28 11:30:00"));
    store.log_message(&older).unwrap();
    store
        .touch_session(&id, at("2025-07-28 12:00:00.5"))
        .unwrap();
    assert_eq!(stored(store, &id), expect_last("2025-07-28 12:00:00.5"));
    store
        .touch_session(&id, at("2025-07-28 12:00:00.500001"))
        .unwrap();
    assert_eq!(
        stored(store, &id),
        expect_last("2025-07-28 12:00:00.500001")
    );
}

/// Updates of an unknown session are `NotFound` naming it, and create nothing.
pub fn updates_of_unknown_sessions_are_not_found(store: &dyn InteractionStore) {
    let id = new_session();
    let key = id.as_str();
    let when = at("2025-01-01 00:00:00");
    assert_eq!(not_found_key(store.touch_session(&id, when)), key);
    assert_eq!(not_found_key(store.set_user_language(&id, "fr")), key);
    assert_eq!(not_found_key(store.set_analysis_complete(&id, true)), key);
    assert_eq!(not_found_key(store.set_files_uploaded(&id, true)), key);
    assert_eq!(store.get_session(&id).unwrap(), None);
    assert_eq!(store.count_rows(Table::Sessions).unwrap(), 0);
}

/// Language and both flags are set, read back, and can be cleared again; a
/// language with a NUL byte is refused and the stored one kept.
pub fn flags_and_language_are_set(store: &dyn InteractionStore) {
    let id = new_session();
    let created = start(store, &id, "2025-07-28 10:00:00");
    store.set_user_language(&id, "yo").unwrap();
    store.set_analysis_complete(&id, true).unwrap();
    store.set_files_uploaded(&id, true).unwrap();
    let expected = Session {
        user_language: Some("yo".into()),
        analysis_complete: Some(true),
        files_uploaded: Some(true),
        ..created
    };
    assert_eq!(stored(store, &id), expected);
    store.set_files_uploaded(&id, false).unwrap();
    store.set_analysis_complete(&id, false).unwrap();
    store.set_user_language(&id, "Yorùbá").unwrap();
    let cleared = Session {
        user_language: Some("Yorùbá".into()),
        analysis_complete: Some(false),
        files_uploaded: Some(false),
        ..expected
    };
    assert_eq!(stored(store, &id), cleared);
    assert_eq!(
        invalid_field(store.set_user_language(&id, "e\0n")),
        "sessions.user_language"
    );
    assert_eq!(stored(store, &id), cleared);
}

/// Sessions list by start time, ties by id, in pages; a page past the end is
/// empty. (Sessions with an unknown start come first, but no trait method
/// can write one: only adopted legacy files hold them.)
pub fn list_sessions_orders_by_start_time_then_id_and_pages(store: &dyn InteractionStore) {
    let p = fresh("list");
    let ids = ["c", "a", "b", "d", "B"].map(|s| SessionId::new(format!("{p}-{s}")));
    let rows = [
        start(store, &ids[0], "2025-07-28 09:00:00"),
        start(store, &ids[1], "2025-07-28 10:00:00"),
        start(store, &ids[2], "2025-07-28 10:00:00"),
        start(store, &ids[3], "2025-07-27 23:59:59.999999"),
        start(store, &ids[4], "2025-07-28 10:00:00"),
    ];
    let [c, a, b, d, upper_b] = rows;
    let in_order = vec![d, c, upper_b, a, b];
    assert_eq!(store.list_sessions(Page::first(10)).unwrap(), in_order);
    let page = Page::first(2);
    assert_eq!(store.list_sessions(page).unwrap(), in_order[..2]);
    assert_eq!(store.list_sessions(page.next()).unwrap(), in_order[2..4]);
    assert_eq!(
        store.list_sessions(page.next().next()).unwrap(),
        in_order[4..]
    );
    let past_end = Page {
        offset: 5,
        limit: 2,
    };
    assert_eq!(store.list_sessions(past_end).unwrap(), vec![]);
    let far = Page {
        offset: u64::MAX,
        limit: u32::MAX,
    };
    assert_eq!(store.list_sessions(far).unwrap(), vec![]);
    assert_eq!(store.list_sessions(Page::first(0)).unwrap(), vec![]);
}

/// A child row of any kind for an unknown session creates the session,
/// started and last active at the child's time, flags off (an upload sets
/// `files_uploaded`); a training export, which has no session, creates none.
pub fn child_rows_for_an_unknown_session_create_it(store: &dyn InteractionStore) {
    let children: Vec<Table> = Table::ALL
        .into_iter()
        .filter(|t| !matches!(t, Table::Sessions | Table::ArenaTrainingExports))
        .collect();
    for (i, &table) in children.iter().enumerate() {
        let s = new_session();
        let when = at(&format!("2025-07-28 10:{i:02}:00.{:06}", i * 1111));
        log_row(store, table, &s, &fresh("child"), when).unwrap();
        let expected = Session {
            files_uploaded: Some(table == Table::FileUploads),
            ..Session::synthesized(s.clone(), when)
        };
        assert_eq!(store.get_session(&s).unwrap(), Some(expected), "{table}");
    }
    let unused = new_session();
    let when = at("2025-07-28 11:00:00");
    log_row(store, Table::ArenaTrainingExports, &unused, "x", when).unwrap();
    assert_eq!(store.get_session(&unused).unwrap(), None);
    let sessions = store.count_rows(Table::Sessions).unwrap();
    assert_eq!(sessions, children.len() as u64);
}

/// A session first seen through a child keeps the child's time as its start
/// when the real start request arrives later. A child without a time creates
/// its session started and last active at one same instant.
pub fn start_after_a_child_keeps_the_child_start_time(store: &dyn InteractionStore) {
    let s = new_session();
    let mut hello = Message::new(s.clone(), "user", "hello");
    hello.timestamp = Some(at("2025-07-28 10:00:00"));
    store.log_message(&hello).unwrap();
    let request = SessionStart {
        user_language: Some("en".into()),
        ..request(&s, "2025-07-28 10:05:00")
    };
    let expected = Session {
        user_language: Some("en".into()),
        last_activity: Some(at("2025-07-28 10:05:00")),
        ..Session::synthesized(s.clone(), at("2025-07-28 10:00:00"))
    };
    assert_eq!(store.start_session(&request).unwrap(), expected);
    assert_eq!(stored(store, &s), expected);

    let untimed = new_session();
    let before = Timestamp::now();
    let mut message = Message::new(untimed.clone(), "user", "no clock");
    message.timestamp = None;
    store.log_message(&message).unwrap();
    let created = stored(store, &untimed);
    let started = created.start_time.expect("a start time is set");
    assert!(
        started >= before && started <= Timestamp::now(),
        "{started}"
    );
    assert_eq!(
        created,
        Session::synthesized(untimed.clone(), started),
        "started and last active at the same instant, flags off"
    );
}

/// A write applied as a [`WriteOp`] at a given time stamps what it has to
/// invent with that time, not the clock: a child row without a time of its
/// own creates its session started and last active at the write's time
/// (the dual store mirrors and replays a write under its original time, so
/// both stores hold the same session).
pub fn applied_writes_stamp_what_they_invent_with_the_write_time(store: &dyn InteractionStore) {
    let s = new_session();
    let mut message = Message::new(s.clone(), "user", "replayed later");
    message.timestamp = None;
    let written = at("2025-07-28 09:30:00.123456");
    let applied = store.apply(&WriteOp::Message(message), written).unwrap();
    assert_eq!(applied, Applied::Stored);
    assert_eq!(stored(store, &s), Session::synthesized(s.clone(), written));

    let started = new_session();
    let applied = store
        .apply(
            &WriteOp::StartSession(request(&started, "2025-07-28 10:05:00")),
            written,
        )
        .unwrap();
    assert_eq!(applied, Applied::Session(stored(store, &started)));
}
