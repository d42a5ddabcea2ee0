//! Home of the runnable examples (see the `[[example]]` entries in
//! `Cargo.toml`) and of the ChatMRPT-like workload they share.

pub mod per_store;
pub mod workload;
