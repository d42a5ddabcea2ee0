//! Test support for `chatmrpt-db` (not published): a real PostgreSQL for
//! tests ([`pg`]), the contract suite every store must pass, and legacy
//! `interactions.db` fixtures of every release ([`legacy`]).
//!
//! Test support panics on failure: a panic with a clear message is how a
//! test reports what went wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a panic is the failure report"
)]

pub mod contract;
pub mod legacy;
pub mod pg;
