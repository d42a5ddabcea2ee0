//! The dual-write store of `chatmrpt-db`: the interaction log in two stores
//! at once while the application moves from SQLite to PostgreSQL.
//!
//! [`DualStore`] implements every repository trait over any two stores that
//! implement them plus [`OutboxStore`] and [`StageStore`] (it names no
//! backend). The migration [`Stage`] decides where writes and reads go:
//!
//! | stage | writes | reads served from | compared |
//! |---|---|---|---|
//! | `off` | legacy | legacy | no |
//! | `dual_write` | legacy, then target | legacy | no |
//! | `shadow` | legacy, then target | legacy | target read too |
//! | `live` | target, then legacy | target | legacy read too |
//! | `rampdown` | target, then legacy | target | no |
//! | `complete` | target | target | no |
//!
//! **The stage** is one value for every process of every host: an
//! override stored in the target store (PostgreSQL, which every host
//! shares; [`DualStore::set_stage`], `chatmrpt-db stage set`), else the
//! stage an older release stored in this host's file, else the default from
//! configuration. Every process re-reads it in the background every
//! [`DualOptions::stage_refresh`] (500 ms); each call reads an atomic, never
//! the database. Each host's file keeps its last known copy, followed while
//! PostgreSQL is unreachable ([`DualStore::stage_source`] says which).
//! Moves of more than one step, and moves that would serve reads from a
//! store that still owes writes on any host, are refused unless forced.
//! Every change is kept with who and when ([`DualStore::stage_history`]).
//! Every process records a heartbeat in PostgreSQL every 2 s
//! ([`DualStore::heartbeats`]), so `chatmrpt-db status` shows who follows.
//!
//! **Writes.** The authoritative store's write decides success. In the same
//! transaction it appends the write, as a [`WriteOp`], to its outbox. The
//! other store is then written at once; if that fails (store down, timeout,
//! constraint) the caller still gets success and the background replayer
//! delivers the entry later. A process killed between the two writes loses
//! nothing: the entry committed with the write it mirrors.
//!
//! **PostgreSQL down while it decides** (`live`, `rampdown`, `complete`;
//! an RDS failover takes 60-120 s): the write is spooled. SQLite takes it,
//! with an entry owed to PostgreSQL in its outbox, in one transaction, and
//! the caller gets success; the session's later writes queue behind it in
//! SQLite until the replayer has delivered them in order. While the
//! breaker says PostgreSQL is down no write waits on it; the worker asks it
//! again after a growing pause (at most [`DualOptions::max_backoff`]).
//! Spooled writes are counted ([`CounterSnapshot::spooled`], the
//! `chatmrpt_db_spooled_total` metric) and the SQLite outbox's depth is in
//! `chatmrpt-db status`. In `complete` the rows spooled during an outage
//! stay in the SQLite file too (it is not read any more): keep the file
//! until the outbox is empty. Only a failure that says the store is down
//! spools; a refused write (a constraint, bad input) fails as before.
//!
//! **Replay** applies entries in outbox order, one process at a time (a
//! lease in the store), with idempotent writes: a row the other store
//! already holds (`Conflict`) counts as delivered, session updates are
//! monotonic or last-writer-wins in order. A failure that says the store is
//! down stops the pass and never counts as an attempt; any other failure is
//! retried with backoff (0.5 s doubling, capped), holding back later writes
//! of the same session, and after [`DualOptions::max_attempts`] the entry
//! is parked as dead with its reason and no longer holds anything back.
//! While a session has writes waiting in an outbox, the write path leaves
//! its new writes to the replayer too, so it never overtakes an older write
//! of the same row; every other session is still mirrored at once. After a
//! stage change, a session whose earlier writes still wait in the outbox of
//! the store that used to decide is written to that store first until they
//! are delivered, so each store sees the session's writes in one order.
//!
//! **Shadow reads** (`shadow`, `live`) repeat each read on the other store,
//! compare the domain values, and count and log a mismatch by table and key
//! (never content); the caller always gets the authoritative answer, and a
//! failing comparison read never fails the call.
//!
//! **Observability**: a `tracing` span per write and store, and the
//! [`metrics`](crate::metrics) facade figures listed in that module; the
//! same counts are in [`DualStore::counters`].
//!
//! **Several hosts, one PostgreSQL**: [`DualStore::new`] binds each store's
//! outbox to the other's identity ([`OutboxStore::bind_outbox`]): entries
//! PostgreSQL owes a SQLite file name that file's `file_id`, and each host
//! replays (and leases, counts, retries) only its own, so no host writes
//! another host's rows into its file. Until the file has an identity (not
//! migrated), PostgreSQL's outbox is not replayed and its new entries name
//! no file ("unplaced", see `PgStore::claim_unplaced`).
//!
//! Known limits: order per session is kept within one process (its write
//! path and its replays share a per-session lock) and by the single
//! replayer; a write made by *another* process right after an outage may
//! reach the other store before an older write of the same session that is
//! still in the outbox. Inserts, `touch_session` and the session activity
//! are unaffected (they commute). The client details of `start_session`
//! mostly are (a start older than the stored activity keeps the later
//! details, see `chatmrpt_db_core::convergence`), but not always: two
//! starts giving different subsets of the details, a start arriving after
//! a later message, or two starts at the same instant can end different;
//! so can the `set_*` session flags. `chatmrpt-db verify` reports them. A
//! process that spooled a session's writes during a PostgreSQL outage is
//! the only one that knows they wait: another process of the host may
//! write that session to PostgreSQL before the spool is delivered (the
//! same limit as above). A dead entry no longer holds its session back, so
//! retrying it later re-applies an old write over newer ones; the lease
//! relies on the clocks of the processes agreeing within seconds. The
//! SQLite file holds the wall clock of its zone (`chatmrpt_db_core::
//! LegacyZone`): in a zone with daylight saving, a time in the hour the
//! clocks go back reads from SQLite as the first occurrence of that hour,
//! an hour early for rows of the second (PostgreSQL keeps the instant;
//! `verify` reads the file the same way, so it does not flag them).
//!
//! [`OutboxStore`]: chatmrpt_db_core::OutboxStore
//! [`OutboxStore::bind_outbox`]: chatmrpt_db_core::OutboxStore::bind_outbox
//! [`StageStore`]: chatmrpt_db_core::StageStore
//! [`Stage`]: chatmrpt_db_core::Stage
//! [`WriteOp`]: chatmrpt_db_core::WriteOp

mod deferred;
mod health;
mod inner;
pub mod metrics;
mod options;
mod replay;
mod repo;
mod routing;
mod shared;
mod stage;
mod store;
mod worker;

pub use options::{CounterSnapshot, DualCounters, DualOptions};
pub use replay::ReplayReport;
pub use routing::{Routing, Side};
pub use stage::StageRequest;
pub use store::{DualStore, Member};

/// The dual store's name in errors, logs and metrics.
pub const STORE: &str = "dual";
