//! The ChatMRPT interaction log in SQLite, PostgreSQL or both: what the
//! application depends on.
//!
//! ```no_run
//! use chatmrpt_db::{Config, Message, SessionStart, Store};
//!
//! # fn main() -> chatmrpt_db::Result<()> {
//! // No file, no variables: the embedded SQLite file `interactions.db`.
//! let store = Store::open(&Config::load(None)?)?;
//! store.run_migrations()?;
//! let session = store.start_session(&SessionStart::new("session_20250728_101500"))?;
//! store.log_message(&Message::new(session.session_id.clone(), "user", "Which wards are most at risk?"))?;
//! # Ok(()) }
//! ```
//!
//! [`Store`] dereferences to [`InteractionStore`], the umbrella of every
//! repository trait; pass `&*store` (a `&dyn InteractionStore`) to code that
//! should not care which database answers. Opening never migrates: call
//! [`Store::run_migrations`] (or `chatmrpt-db migrate`) explicitly.

pub mod app;
mod open;

pub use app::{AppOptions, AppStart, prepare_for_app};
pub use chatmrpt_db_core::*;
pub use chatmrpt_db_dual::{
    CounterSnapshot, DualOptions, DualStore, ReplayReport, Routing, Side, StageRequest,
};
pub use chatmrpt_db_postgres::PgStore;
/// One direct PostgreSQL connection, given up within a connect timeout.
pub use chatmrpt_db_postgres::connect_within;
pub use chatmrpt_db_postgres::grants;
pub use chatmrpt_db_sqlite::SqliteStore;
/// Bringing the legacy application's `interactions.db` under management.
pub use chatmrpt_db_sqlite::adopt;
/// Read-only looks at a SQLite file that leave nothing beside it.
pub use chatmrpt_db_sqlite::look;
pub use open::{AppDualStore, Store};
