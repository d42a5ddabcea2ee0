//! Moves the legacy ChatMRPT interaction log (`interactions.db`, SQLite) into
//! PostgreSQL, and checks that two stores hold the same rows.
//!
//! - [`backfill()`]: reads the legacy file read-only, from the schema it
//!   really has, streams it table by table (foreign-key order) in bounded
//!   batches through `COPY`, converts every value exactly, synthesizes
//!   sessions for orphan rows, and quarantines every row it cannot load
//!   faithfully with its original bytes. Resumable after a kill, idempotent,
//!   safe while dual write is live.
//! - [`verify()`]: compares two stores table by table on canonical values,
//!   in primary-key chunks with SHA-256 digests (computed inside PostgreSQL),
//!   so only differing chunks are read row by row.
//!
//! The bookkeeping (progress, quarantine, synthesized sessions) lives in the
//! target, in the tables of migration `2025-11-25-000003_backfill_bookkeeping`.

mod backfill;
mod binary;
mod bookkeeping;
mod catalog;
mod clock;
mod convert;
mod direct;
mod error;
mod load;
mod pace;
mod prepare;
pub mod records;
mod resume;
mod source;
mod sources;
mod sql;
mod staging;
mod summary;
mod target;
mod turns;
mod value;
pub mod verify;
mod writers;

pub use backfill::{BackfillOptions, backfill};
pub use catalog::catalog_columns;
pub use chatmrpt_db_core::LegacyZone;
pub use clock::{ClockColumn, ClockConversion, convert_clock, recorded_clock};
pub use error::{Error, Result};
pub use pace::DEFAULT_READ_BUDGET;
pub use summary::{
    Action, BackfillSummary, Counts, NoProgress, ProgressSink, ReportEvent, TableSummary,
};
pub use verify::{StoreRef, VerifyOptions, VerifyReport, verify};
