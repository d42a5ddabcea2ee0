//! Random sequences of repository writes through the dual store, with the
//! stage moved among the mirrored stages meanwhile, leave both stores equal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use chatmrpt_db_core::{
    AlgorithmDecision, AnalysisStep, ErrorEntry, FileUpload, InteractionStore, Message, SessionId,
    SessionStart, Stage, Timestamp,
};
use chatmrpt_db_dual::StageRequest;
use proptest::prelude::*;

use common::{Pair, assert_same_rows, options};

/// One application write (or a stage change), on one of a few sessions so
/// that writes of a session interleave.
#[derive(Clone, Debug)]
enum Op {
    Start(u8, u32),
    Message(u8, Option<u32>, String),
    Upload(u8, u32, i64),
    Touch(u8, u32),
    Complete(u8, bool),
    Language(u8, String),
    Error(u8, Option<u32>),
    StepAndDecision(u8, u32),
    Stage(Stage),
}

fn at(seconds: u32) -> Timestamp {
    Timestamp::parse_legacy("2025-07-28 10:00:00")
        .unwrap()
        .add_millis(i64::from(seconds) * 1_000)
}

fn session(n: u8) -> SessionId {
    SessionId::from(format!("prop-{n}"))
}

fn op() -> impl Strategy<Value = Op> {
    let s = 0u8..4;
    let t = 0u32..3_600;
    prop_oneof![
        (s.clone(), t.clone()).prop_map(|(s, t)| Op::Start(s, t)),
        (s.clone(), proptest::option::of(t.clone()), "[a-z ]{0,30}")
            .prop_map(|(s, t, x)| Op::Message(s, t, x)),
        (s.clone(), t.clone(), 0i64..10_000_000).prop_map(|(s, t, n)| Op::Upload(s, t, n)),
        (s.clone(), t.clone()).prop_map(|(s, t)| Op::Touch(s, t)),
        (s.clone(), any::<bool>()).prop_map(|(s, b)| Op::Complete(s, b)),
        (s.clone(), "(en|fr|ha|yo)").prop_map(|(s, l)| Op::Language(s, l)),
        (s.clone(), proptest::option::of(t.clone())).prop_map(|(s, t)| Op::Error(s, t)),
        (s, t).prop_map(|(s, t)| Op::StepAndDecision(s, t)),
        prop_oneof![
            Just(Stage::DualWrite),
            Just(Stage::Shadow),
            Just(Stage::Live)
        ]
        .prop_map(Op::Stage),
    ]
}

/// Applies `op`; refusals (an unknown session to touch) are fine, they are
/// refused alike on both stores.
fn apply(pair: &Pair, op: &Op) {
    let store: &dyn InteractionStore = &pair.store;
    let _outcome = match op {
        Op::Start(s, t) => {
            let mut start = SessionStart::new(session(*s));
            start.at = at(*t);
            store.start_session(&start).map(drop)
        }
        Op::Message(s, t, text) => {
            let mut m = Message::new(session(*s), "user", text.as_str());
            m.timestamp = t.map(at);
            store.log_message(&m)
        }
        Op::Upload(s, t, size) => {
            let mut u = FileUpload::new(session(*s), "csv", "wards.csv", *size);
            u.timestamp = Some(at(*t));
            store.log_file_upload(&u)
        }
        Op::Touch(s, t) => store.touch_session(&session(*s), at(*t)),
        Op::Complete(s, b) => store.set_analysis_complete(&session(*s), *b),
        Op::Language(s, l) => store.set_user_language(&session(*s), l),
        Op::Error(s, t) => {
            let mut e = ErrorEntry::new(session(*s), "ValueError", "bad float");
            e.timestamp = t.map(at);
            store.log_error(&e)
        }
        Op::StepAndDecision(s, t) => {
            let mut step = AnalysisStep::new(session(*s), "normalization");
            step.timestamp = Some(at(*t));
            store.log_analysis_step(&step).and_then(|()| {
                let d = AlgorithmDecision::new(session(*s), step.step_id.clone(), "method");
                store.log_algorithm_decision(&d)
            })
        }
        Op::Stage(stage) => pair
            .store
            .set_stage(&StageRequest {
                to: *stage,
                changed_by: "proptest".into(),
                force: true,
            })
            .map(drop),
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_sequence_of_writes_leaves_both_stores_equal(ops in proptest::collection::vec(op(), 1..40)) {
        let pair = Pair::new(options(Stage::DualWrite, false));
        for op in &ops {
            apply(&pair, op);
        }
        prop_assert!(pair.store.drain(Duration::from_secs(20)));
        assert_same_rows(pair.store.legacy(), pair.store.target());
        prop_assert_eq!(pair.store.counters().dead, 0);
    }
}
