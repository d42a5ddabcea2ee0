//! The PostgreSQL store of `chatmrpt-db`, on diesel and an r2d2 pool.
//!
//! Column types are chosen for exactness: `timestamptz` for the legacy naive
//! UTC timestamps, `boolean`, `bigint` for every legacy INTEGER, `double
//! precision` for every REAL (never `real`: float4 silently loses digits of
//! `latency`), and `text` for JSON-ish columns so their exact legacy text is
//! kept. Ids are `text COLLATE "C"`, so they compare and sort byte for byte
//! as in SQLite. Legacy table and column names are kept; the schema is
//! `public` unless configured (see [`pool::SchemaSearchPath`]).
//!
//! The connection string goes to libpq untouched, so every libpq option works
//! — for managed PostgreSQL such as RDS:
//! `postgres://app:PASSWORD@host:5432/chatmrpt?sslmode=verify-full&sslrootcert=/etc/ssl/rds-global-bundle.pem`.

mod backend;
mod error;
pub mod grants;
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

pub use store::{MIGRATIONS, PgStore, connect, connect_within, migrate_if_behind};

/// The store's name in errors, logs and metrics.
pub const STORE: &str = "postgres";
