//! The contract suite: one set of behaviours, written once against the
//! traits, that every store must pass (SQLite, PostgreSQL, the dual store in
//! every stage). A backend's test file instantiates all of it with
//! [`contract_tests!`](crate::contract_tests):
//!
//! ```text
//! fn sqlite_store() -> StoreUnderTest { /* a fresh, migrated, empty store */ }
//! chatmrpt_db_testing::contract_tests!(sqlite_store());
//! ```
//!
//! Each behaviour is a `pub fn name(store: &dyn InteractionStore)` that
//! panics on failure. It is given a fresh, empty store (row counts and
//! listings of all sessions are exact) and still mints its own unique ids,
//! so it never depends on what another behaviour wrote. [`ALL`] lists every
//! behaviour for harnesses that drive the suite themselves (e.g. the dual
//! store in each stage); a unit test keeps [`ALL`] and the modules in step.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a panic is the failure report"
)]

pub mod analysis;
pub mod arena_routing;
pub mod concurrency;
pub mod conversation;
pub mod export;
pub mod input;
pub mod insight;
pub mod sessions;

use std::ops::Deref;

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, Anomaly, ArenaBattle, ArenaTrainingExport,
    BattleId, Calculation, CalculationId, DecisionId, Error, ErrorEntry, ErrorId, EventId,
    Explanation, ExplanationId, ExportId, FileUpload, InteractionId, InteractionStore,
    LlmInteraction, Message, MessageId, Record, RoutingDecision, RoutingId, SessionId,
    SessionStart, StepId, Table, Timestamp, UploadId, VariableRelationship, VisualizationMetadata,
    VizId, WardRanking,
};
use chatmrpt_db_core::{AnomalyId, RankingId, RelationshipId};

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
        // The store first (it closes its connections), then the temp dir or
        // schema it lived in, in the order the guards were added.
        self.store.take();
        self.guards.clear();
    }
}

/// One contract behaviour.
pub type ContractFn = fn(&dyn InteractionStore);

/// Every behaviour of the suite as `("module::name", function)`, in the
/// order [`contract_tests!`](crate::contract_tests) instantiates them.
pub const ALL: &[(&str, ContractFn)] = crate::contract_tests! { @cases @registry };

/// A timestamp from legacy text, for readable fixtures.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_legacy(text).expect("a valid fixture timestamp")
}

/// A fresh session id.
pub fn new_session() -> SessionId {
    SessionId::generate()
}

/// A fresh prefix for ids whose relative order matters within one test.
pub(crate) fn fresh(tag: &str) -> String {
    format!("{tag}-{}", SessionId::generate())
}

/// The field an `InvalidInput` names; any other outcome fails the test.
pub(crate) fn invalid_field<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

/// The key a `NotFound` names; any other outcome fails the test.
pub(crate) fn not_found_key<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::NotFound { key, .. }) => key,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// The key a `Conflict` names; any other outcome fails the test.
pub(crate) fn conflict_key<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Conflict { key, .. }) => key,
        other => panic!("expected Conflict, got {other:?}"),
    }
}

/// Every row of `table` (a fresh store holds few), in primary-key order.
pub(crate) fn scan_all(store: &dyn InteractionStore, table: Table) -> Vec<Record> {
    store
        .scan_table(table, &Default::default(), None, 10_000)
        .unwrap()
}

/// Writes one small row of `table` keyed `key` at `when`, belonging to
/// `session` (a session row is keyed `key` itself; training exports have
/// no session), through the table's own write method. Optional parents
/// (step, LLM call, message) are left empty. Returns the record written.
pub(crate) fn log_row(
    store: &dyn InteractionStore,
    table: Table,
    session: &SessionId,
    key: &str,
    when: Timestamp,
) -> Result<Record, Error> {
    let s = session.clone();
    let text = format!("row {key}");
    let ts = Some(when);
    let record = match table {
        Table::Sessions => {
            let mut start = SessionStart::new(key);
            start.at = when;
            return store.start_session(&start).map(Record::Session);
        }
        Table::Messages => Record::Message(Message {
            message_id: MessageId::new(key),
            timestamp: ts,
            ..Message::new(s, "user", text)
        }),
        Table::FileUploads => Record::FileUpload(FileUpload {
            upload_id: UploadId::new(key),
            timestamp: ts,
            ..FileUpload::new(s, "csv", text, 42)
        }),
        Table::AnalysisEvents => Record::AnalysisEvent(AnalysisEvent {
            event_id: EventId::new(key),
            timestamp: ts,
            ..AnalysisEvent::new(Some(s), text, true)
        }),
        Table::Errors => Record::ErrorEntry(ErrorEntry {
            error_id: ErrorId::new(key),
            timestamp: ts,
            ..ErrorEntry::new(s, "ValueError", text)
        }),
        Table::LlmInteractions => Record::LlmInteraction(LlmInteraction {
            interaction_id: InteractionId::new(key),
            timestamp: ts,
            ..LlmInteraction::new(s, "prompt", text)
        }),
        Table::AnalysisSteps => Record::AnalysisStep(AnalysisStep {
            step_id: StepId::new(key),
            timestamp: ts,
            ..AnalysisStep::new(s, text)
        }),
        Table::AlgorithmDecisions => Record::AlgorithmDecision(AlgorithmDecision {
            decision_id: DecisionId::new(key),
            step_id: None,
            timestamp: ts,
            ..AlgorithmDecision::new(s, StepId::new("unused"), text)
        }),
        Table::Calculations => Record::Calculation(Calculation {
            calculation_id: CalculationId::new(key),
            step_id: None,
            timestamp: ts,
            ..Calculation::new(s, StepId::new("unused"), text)
        }),
        Table::Anomalies => Record::Anomaly(Anomaly {
            anomaly_id: AnomalyId::new(key),
            timestamp: ts,
            entity_name: Some(text),
            ..Anomaly::new(s)
        }),
        Table::VariableRelationships => Record::VariableRelationship(VariableRelationship {
            relationship_id: RelationshipId::new(key),
            timestamp: ts,
            variable_name: Some(text),
            ..VariableRelationship::new(s)
        }),
        Table::WardRankings => Record::WardRanking(WardRanking {
            ranking_id: RankingId::new(key),
            timestamp: ts,
            ward_name: Some(text),
            ..WardRanking::new(s)
        }),
        Table::VisualizationMetadata => Record::VisualizationMetadata(VisualizationMetadata {
            viz_id: VizId::new(key),
            timestamp: ts,
            viz_type: Some(text),
            ..VisualizationMetadata::new(s)
        }),
        Table::Explanations => Record::Explanation(Explanation {
            explanation_id: ExplanationId::new(key),
            timestamp: ts,
            explanation: Some(text),
            ..Explanation::new(s)
        }),
        Table::RoutingDecisions => Record::RoutingDecision(RoutingDecision {
            routing_id: RoutingId::new(key),
            timestamp: ts,
            ..RoutingDecision::new(s, text)
        }),
        Table::ArenaBattles => Record::ArenaBattle(ArenaBattle {
            battle_id: BattleId::new(key),
            timestamp: ts,
            ..ArenaBattle::new(s, "model-a", text)
        }),
        Table::ArenaTrainingExports => Record::ArenaTrainingExport(ArenaTrainingExport {
            export_id: ExportId::new(key),
            export_timestamp: ts,
            ..ArenaTrainingExport::new("dpo", "jsonl", text)
        }),
    };
    write_record(store, &record).map(|()| record)
}

/// Writes `record` through its table's write method.
pub(crate) fn write_record(store: &dyn InteractionStore, record: &Record) -> Result<(), Error> {
    match record {
        Record::Session(r) => store
            .start_session(&SessionStart {
                session_id: r.session_id.clone(),
                at: r.start_time.unwrap_or_else(Timestamp::now),
                user_language: r.user_language.clone(),
                browser_info: r.browser_info.clone(),
                ip_address: r.ip_address.clone(),
            })
            .map(drop),
        Record::Message(r) => store.log_message(r),
        Record::FileUpload(r) => store.log_file_upload(r),
        Record::AnalysisEvent(r) => store.log_analysis_event(r),
        Record::ErrorEntry(r) => store.log_error(r),
        Record::LlmInteraction(r) => store.log_llm_interaction(r),
        Record::AnalysisStep(r) => store.log_analysis_step(r),
        Record::AlgorithmDecision(r) => store.log_algorithm_decision(r),
        Record::Calculation(r) => store.log_calculation(r),
        Record::Anomaly(r) => store.log_anomaly(r),
        Record::VariableRelationship(r) => store.log_variable_relationship(r),
        Record::WardRanking(r) => store.log_ward_ranking(r),
        Record::VisualizationMetadata(r) => store.log_visualization(r),
        Record::Explanation(r) => store.log_explanation(r),
        Record::RoutingDecision(r) => store.log_routing_decision(r),
        Record::ArenaBattle(r) => store.log_arena_battle(r),
        Record::ArenaTrainingExport(r) => store.log_training_export(r),
    }
}

/// Expands to one `#[test]` per contract behaviour, each on a fresh store
/// made by `$factory` (an expression returning something that derefs to
/// `dyn InteractionStore`, e.g. [`StoreUnderTest`]). The list of behaviours
/// is kept once, here; `@cases` hands it to the other arms.
#[macro_export]
macro_rules! contract_tests {
    (@cases $($then:tt)*) => {
        $crate::contract_tests! { $($then)*;
            sessions::start_session_creates_with_flags_off,
            sessions::start_session_again_keeps_start_time_and_flags,
            sessions::start_session_replaces_only_given_client_details,
            sessions::a_late_older_start_keeps_the_details_of_the_later_activity,
            sessions::last_activity_never_moves_backwards,
            sessions::updates_of_unknown_sessions_are_not_found,
            sessions::flags_and_language_are_set,
            sessions::list_sessions_orders_by_start_time_then_id_and_pages,
            sessions::child_rows_for_an_unknown_session_create_it,
            sessions::start_after_a_child_keeps_the_child_start_time,
            sessions::applied_writes_stamp_what_they_invent_with_the_write_time,
            conversation::messages_round_trip_in_timestamp_then_id_order,
            conversation::upload_sets_files_uploaded_and_touches,
            conversation::event_without_session_stays_without_one,
            conversation::only_messages_uploads_events_and_steps_touch_the_session,
            conversation::errors_and_llm_calls_round_trip_in_order,
            conversation::duplicate_primary_key_is_a_conflict_and_keeps_the_row,
            conversation::timestamps_keep_microseconds_exactly,
            analysis::steps_nest_their_decisions_and_calculations,
            analysis::unknown_step_is_not_found_and_nothing_is_stored,
            insight::anomalies_and_relationships_round_trip_in_order,
            insight::ward_rankings_order_by_rank_unranked_last_then_id,
            insight::latest_ward_ranking_picks_the_newest_timestamp,
            insight::visualizations_filter_by_id_and_type,
            insight::explanations_filter_by_entity_type_and_name,
            insight::explanation_with_unknown_llm_call_is_not_found_and_nothing_is_stored,
            insight::numbers_round_trip_exactly,
            arena_routing::routing_decisions_round_trip_with_and_without_message,
            arena_routing::routing_decision_with_unknown_message_is_not_found_and_nothing_is_stored,
            arena_routing::arena_battles_round_trip_every_column_in_order,
            arena_routing::arena_battle_update_sets_only_the_fields_given,
            arena_routing::training_exports_list_oldest_first_without_a_session,
            export::export_session_holds_every_child_row_and_no_other,
            export::export_of_unknown_session_is_none,
            export::for_each_session_export_visits_all_in_start_order,
            export::count_rows_matches_what_was_written,
            export::scan_reads_every_table_whole_in_key_order,
            export::scan_pages_within_a_time_range,
            export::csv_export_writes_header_and_rows,
            input::nul_bytes_are_refused_naming_the_field,
            input::malformed_ids_are_refused_naming_the_field,
            input::negative_sizes_and_nan_are_refused,
            input::infinities_round_trip,
            input::unicode_round_trips_byte_for_byte,
            input::two_megabyte_llm_response_round_trips,
            input::json_ish_text_is_kept_byte_for_byte,
            input::empty_and_numeric_looking_text_stays_text,
            input::ids_differing_only_in_case_are_distinct_rows,
            concurrency::six_threads_of_mixed_writes_all_land,
        }
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
    (@registry; $($module:ident :: $name:ident),* $(,)?) => {
        &[$((
            concat!(stringify!($module), "::", stringify!($name)),
            $crate::contract::$module::$name as $crate::contract::ContractFn,
        )),*]
    };
    ($factory:expr) => {
        $crate::contract_tests! { @cases @each $factory }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::ALL;

    const SOURCES: [(&str, &str); 8] = [
        ("sessions", include_str!("sessions.rs")),
        ("conversation", include_str!("conversation.rs")),
        ("analysis", include_str!("analysis.rs")),
        ("insight", include_str!("insight.rs")),
        ("arena_routing", include_str!("arena_routing.rs")),
        ("export", include_str!("export.rs")),
        ("input", include_str!("input.rs")),
        ("concurrency", include_str!("concurrency.rs")),
    ];

    #[test]
    fn every_public_behaviour_is_instantiated_once() {
        let declared: BTreeSet<String> = SOURCES
            .iter()
            .flat_map(|(module, source)| {
                source
                    .lines()
                    .filter_map(|line| line.strip_prefix("pub fn "))
                    .map(move |rest| format!("{module}::{}", rest.split('(').next().unwrap()))
            })
            .collect();
        let listed: BTreeSet<String> = ALL.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(listed, declared);
        assert_eq!(listed.len(), ALL.len(), "a behaviour is listed twice");
        let names: BTreeSet<&str> = ALL
            .iter()
            .map(|(n, _)| n.split("::").nth(1).unwrap())
            .collect();
        assert_eq!(names.len(), ALL.len(), "test names must be unique");
    }
}
