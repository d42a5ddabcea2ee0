//! The contract suite: one set of behaviours, written once against the
//! traits, that every store must pass (SQLite, PostgreSQL, the dual store in
//! every stage). A backend's test file instantiates all of it with
//! [`contract_tests!`](crate::contract_tests):
//!
//! ```ignore
//! fn sqlite_store() -> StoreUnderTest { /* a fresh, migrated, empty store */ }
//! chatmrpt_db_testing::contract_tests!(sqlite_store());
//! ```

pub mod analysis;
pub mod concurrency;
pub mod conversation;
pub mod export;
pub mod input;
pub mod insight;
pub mod sessions;

use std::ops::Deref;

use chatmrpt_db_core::{InteractionStore, SessionId, Timestamp};

/// A fresh store for one test, with whatever must outlive it (a temp dir, a
/// test schema). The store is dropped before its guards.
pub struct StoreUnderTest {
    store: Option<Box<dyn InteractionStore>>,
    guards: Vec<Box<dyn Send + Sync>>,
}

impl StoreUnderTest {
    /// Wraps a fresh, migrated, empty store.
    pub fn new(store: impl InteractionStore + 'static) -> Self {
        Self {
            store: Some(Box::new(store)),
            guards: Vec::new(),
        }
    }

    /// Keeps `guard` alive until after the store is dropped.
    #[must_use]
    pub fn with_guard(mut self, guard: impl Send + Sync + 'static) -> Self {
        self.guards.push(Box::new(guard));
        self
    }
}

impl Deref for StoreUnderTest {
    type Target = dyn InteractionStore;

    fn deref(&self) -> &Self::Target {
        self.store.as_deref().expect("the store lives until drop")
    }
}

impl Drop for StoreUnderTest {
    fn drop(&mut self) {
        self.store.take();
        self.guards.clear();
    }
}

/// A timestamp from legacy text, for readable fixtures.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).expect("a valid fixture timestamp")
}

/// A fresh session id.
pub fn new_session() -> SessionId {
    SessionId::generate()
}

/// Expands to one `#[test]` per contract behaviour, each on a fresh store
/// made by `$factory` (an expression returning something that derefs to
/// `dyn InteractionStore`, e.g. [`StoreUnderTest`]).
#[macro_export]
macro_rules! contract_tests {
    ($factory:expr) => {
        $crate::contract_tests!(@each $factory;
            sessions::start_session_creates_with_flags_off,
            sessions::start_session_again_keeps_start_time_and_flags,
            sessions::start_session_replaces_only_given_client_details,
            sessions::last_activity_never_moves_backwards,
            sessions::updates_of_unknown_sessions_are_not_found,
            sessions::flags_and_language_are_set,
            sessions::list_sessions_orders_by_start_time_then_id_and_pages,
            sessions::ids_differing_in_case_are_distinct_sessions,
            conversation::messages_round_trip_in_timestamp_order,
            conversation::child_before_session_creates_the_session,
            conversation::upload_sets_files_uploaded_and_touches,
            conversation::event_without_session_stays_without_one,
            conversation::errors_and_llm_calls_round_trip_without_touching,
            conversation::duplicate_primary_key_is_a_conflict_and_keeps_the_row,
            analysis::steps_nest_their_decisions_and_calculations,
            analysis::unknown_parents_are_not_found_and_nothing_is_stored,
            insight::anomalies_and_relationships_round_trip,
            insight::ward_rankings_order_by_rank_and_latest_is_newest,
            insight::visualizations_filter_by_id_and_type,
            insight::explanations_filter_and_require_their_llm_call,
            insight::routing_decisions_require_their_message,
            insight::arena_battles_and_training_exports_round_trip,
            export::export_session_holds_every_child_row_and_no_other,
            export::export_of_unknown_session_is_none,
            export::for_each_session_export_visits_all_in_start_order,
            export::count_rows_matches_what_was_written,
            export::scan_pages_in_key_order_within_a_time_range,
            export::csv_export_writes_header_and_rows,
            input::nul_bytes_are_refused_naming_the_field,
            input::malformed_ids_are_refused,
            input::negative_sizes_and_non_finite_numbers_are_refused,
            input::unicode_round_trips_byte_for_byte,
            input::two_megabyte_llm_response_round_trips,
            input::json_ish_text_is_kept_byte_for_byte,
            input::timestamps_keep_microseconds_exactly,
            concurrency::six_threads_of_mixed_writes_all_land,
        );
    };
    (@each $factory:expr; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let store = $factory;
                $crate::contract::$module::$name(&*store);
            }
        )*
    };
}
