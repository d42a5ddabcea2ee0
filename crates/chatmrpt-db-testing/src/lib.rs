//! Test support for `chatmrpt-db` (not published): a real PostgreSQL for
//! tests ([`pg`]), and the contract suite every store must pass.
//!
//! Test support panics on failure: a panic with a clear message is how a
//! test reports what went wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a panic is the failure report"
)]

pub mod contract;
pub mod pg;
