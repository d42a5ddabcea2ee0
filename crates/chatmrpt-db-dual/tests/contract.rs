//! The contract suite on the dual store, in every stage. After each
//! behaviour the outboxes are drained and the two stores must hold the same
//! rows (mirrored stages), or the unused store none (`off`, `complete`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use chatmrpt_db_core::Stage;
use chatmrpt_db_dual::Routing;
use chatmrpt_db_testing::contract;

use common::{Pair, assert_same_rows, options, total_rows};

fn run_suite(stage: Stage) {
    for (name, behaviour) in contract::ALL {
        let pair = Pair::new(options(stage, false));
        assert_eq!(pair.store.stage(), stage);
        behaviour(&pair.store);
        assert!(
            pair.store.drain(Duration::from_secs(20)),
            "{stage}/{name}: outbox not drained"
        );
        let (legacy, target) = (pair.store.legacy(), pair.store.target());
        let routing = Routing::of(stage);
        if routing.mirrored {
            assert_same_rows(legacy, target);
        } else if stage == Stage::Off {
            assert_eq!(total_rows(target), 0, "{name}: target written in off");
        } else {
            assert_eq!(total_rows(legacy), 0, "{name}: legacy written in complete");
        }
        let counters = pair.store.counters();
        assert_eq!(counters.mismatches, 0, "{stage}/{name}: shadow mismatch");
        assert_eq!(counters.dead, 0, "{stage}/{name}: dead outbox entries");
    }
}

#[test]
fn contract_suite_in_stage_off() {
    run_suite(Stage::Off);
}

#[test]
fn contract_suite_in_stage_dual_write() {
    run_suite(Stage::DualWrite);
}

#[test]
fn contract_suite_in_stage_shadow() {
    run_suite(Stage::Shadow);
}

#[test]
fn contract_suite_in_stage_live() {
    run_suite(Stage::Live);
}

#[test]
fn contract_suite_in_stage_rampdown() {
    run_suite(Stage::Rampdown);
}

#[test]
fn contract_suite_in_stage_complete() {
    run_suite(Stage::Complete);
}
