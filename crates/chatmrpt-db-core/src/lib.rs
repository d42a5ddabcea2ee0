//! Domain types, repository traits, errors and configuration of `chatmrpt-db`.
//!
//! This crate knows no database. It defines what the ChatMRPT interaction log
//! holds (one record type per legacy table, see [`model`]), what the
//! application can do with it (the repository traits, gathered in
//! [`InteractionStore`]), the one [`Error`] every method returns, and the
//! typed [`Config`]. The backends (`chatmrpt-db-sqlite`,
//! `chatmrpt-db-postgres`) implement the traits; `chatmrpt-db-dual` composes
//! two implementations.
//!
//! Two legacy bugs are fixed by contract, on every backend: a request for a
//! session never resets its `start_time` or flags, and a child row logged for
//! an unknown session creates that session in the same transaction.
//!
//! Every write is validated here ([`validate`]) before a backend sees it, so
//! SQLite and PostgreSQL can never disagree about what was accepted: a NUL
//! byte in text, a malformed id, a negative size or NaN is an
//! [`Error::InvalidInput`] naming the field. Timestamps are normalised to
//! whole microseconds ([`Timestamp`]).

pub mod config;
pub mod error;
pub mod holder;
pub mod ids;
pub mod json;
pub mod model;
pub mod number;
pub mod outbox;
pub mod repo;
pub mod scan;
pub mod secret;
pub mod sqlite_file;
pub mod stage;
pub mod store;
pub mod table;
pub mod time;
pub mod validate;
pub mod write;
pub mod zone;

pub use config::{BackendKind, Config, DualConfig, PostgresConfig, SqliteConfig, Synchronous};
pub use error::{Error, Result};
pub use ids::*;
pub use json::{JsonText, Lenient};
pub use model::*;
pub use outbox::{OutboxEntry, OutboxKey, OutboxStats, OutboxStore};
pub use repo::*;
pub use scan::{Record, TableScan, TimeRange, export_table_csv};
pub use secret::DatabaseUrl;
pub use stage::{Heartbeat, Stage, StageChange, StageSource, StageStore};
pub use store::InteractionStore;
pub use table::Table;
pub use time::Timestamp;
pub use write::{Applied, ApplyWrite, WriteOp};
pub use zone::{LegacyZone, LocalReading};
