//! A real PostgreSQL server for tests.
//!
//! [`shared_server`] is the server named by `CHATMRPT_TEST_DATABASE_URL`, or
//! else a throwaway cluster started once per test process from the local
//! binaries (`initdb`/`postgres` on PATH or under `/usr/lib/postgresql/*/bin`)
//! on a free port of 127.0.0.1, as the `postgres` system user when the tests
//! run as root (initdb refuses root). Each test isolates itself with a
//! [`TestSchema`] or a [`TestDatabase`]; fault tests start an
//! [`OwnedCluster`] they can stop. A missing PostgreSQL is a loud failure
//! naming the install command, never a skip.

mod binaries;
mod cluster;
mod isolated;
mod owned;
mod server;

pub use isolated::{TestDatabase, TestSchema};
pub use owned::OwnedCluster;
pub use server::{PgServer, TEST_DATABASE_URL, shared_server, with_database};
