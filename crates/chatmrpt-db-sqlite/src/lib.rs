//! The SQLite store of `chatmrpt-db`: the interaction log in the file the
//! legacy ChatMRPT application already writes, on diesel and an r2d2 pool.
//!
//! Values keep the legacy storage format — timestamps as
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` text, booleans as 0/1, legacy table and
//! column names — so every tool that still reads `interactions.db` keeps
//! working. Each pooled connection runs in WAL mode with a busy timeout,
//! enforced foreign keys and the configured `synchronous` (`NORMAL` by
//! default; see [`pool`] and `chatmrpt_db_core::Synchronous`).
//! [`adopt`] brings an existing legacy file of any release under management.

pub mod adopt;
mod backend;
mod error;
mod identity;
pub mod look;
mod outbox;
pub mod pool;
// The repository layer, written once for both backends (see
// crates/chatmrpt-db-repo/README.md) and compiled here over `backend`.
#[path = "../../chatmrpt-db-repo/repo/mod.rs"]
mod repo;
#[path = "../../chatmrpt-db-repo/rows/mod.rs"]
mod rows;
mod schema;
mod store;

pub use identity::settle_legacy_zone;
pub use look::Look;
pub use store::{MIGRATIONS, SqliteStore, connect, migrate_file};

/// The store's name in errors, logs and metrics.
pub const STORE: &str = "sqlite";
