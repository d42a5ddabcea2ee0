//! The application's runtime role needs only the privileges `chatmrpt-db
//! grants` prints: the contract suite passes through it on PostgreSQL and on
//! the dual store in every stage, and it cannot change the schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a panic is the failure report"
)]

mod common;

use std::time::Duration;

use chatmrpt_db_core::{PostgresConfig, Stage};
use chatmrpt_db_dual::{DualStore, Routing};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_testing::contract::{self, StoreUnderTest};
use chatmrpt_db_testing::pg::TestSchema;
use diesel::connection::SimpleConnection;

use common::{assert_same_rows, options, pg_config, sqlite, total_rows};

/// A login role with no privileges of its own, dropped at the end.
struct Role {
    name: String,
    admin_url: String,
}

impl Role {
    fn new() -> Self {
        let schema = TestSchema::new();
        let admin_url = schema.url().to_owned();
        let name = format!("app_{}", uuid::Uuid::new_v4().simple());
        admin(&admin_url, &format!("CREATE ROLE {name} LOGIN"));
        Self { name, admin_url }
    }

    /// The admin URL with this role as the user (trust authentication).
    fn url(&self) -> String {
        let (scheme, rest) = self.admin_url.split_once("://").unwrap();
        let (_user, host) = rest.split_once('@').unwrap();
        format!("{scheme}://{}@{host}", self.name)
    }

    /// A migrated schema (as its owner) with the role's grants applied.
    fn schema(&self) -> (TestSchema, PostgresConfig) {
        let schema = TestSchema::new();
        let owner = PgStore::open(&pg_config(schema.url(), schema.schema())).unwrap();
        owner.run_migrations().unwrap();
        let grants =
            chatmrpt_db_postgres::grants::runtime_grants(schema.schema(), &self.name).unwrap();
        admin(schema.url(), &grants.join("\n"));
        let config = pg_config(&self.url(), schema.schema());
        (schema, config)
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        admin(
            &self.admin_url,
            &format!("DROP OWNED BY {0}; DROP ROLE {0}", self.name),
        );
    }
}

fn admin(url: &str, sql: &str) {
    let mut conn = chatmrpt_db_postgres::connect(&chatmrpt_db_core::DatabaseUrl::new(url)).unwrap();
    conn.batch_execute(sql).unwrap();
}

#[test]
fn the_contract_suite_passes_as_the_runtime_role_on_postgres() {
    let role = Role::new();
    for (name, behaviour) in contract::ALL {
        let (schema, config) = role.schema();
        let store = PgStore::open(&config).unwrap();
        let under_test = StoreUnderTest::new(store).with_guard(schema);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| behaviour(&*under_test)))
            .unwrap_or_else(|_| panic!("{name} failed as the runtime role"));
    }
}

#[test]
fn every_stage_of_the_dual_store_works_as_the_runtime_role() {
    let role = Role::new();
    for stage in Stage::ALL {
        for (name, behaviour) in contract::ALL {
            let (_schema, config) = role.schema();
            let dir = tempfile::tempdir().unwrap();
            let store = DualStore::new(
                sqlite(dir.path()),
                PgStore::open(&config).unwrap(),
                options(stage, false),
            );
            behaviour(&store);
            assert!(store.drain(Duration::from_secs(20)), "{stage}/{name}");
            if Routing::of(stage).mirrored {
                assert_same_rows(store.legacy(), store.target());
            } else if stage == Stage::Off {
                assert_eq!(total_rows(store.target()), 0);
            }
            assert_eq!(store.counters().dead, 0, "{stage}/{name}");
        }
    }
}

#[test]
fn the_runtime_role_cannot_change_the_schema() {
    let role = Role::new();
    let (schema, config) = role.schema();
    let mut conn = chatmrpt_db_postgres::connect(&config.url).unwrap();
    let s = schema.schema();
    for ddl in [
        format!("CREATE TABLE {s}.intruder (id int)"),
        format!("DROP TABLE {s}.messages"),
        format!("ALTER TABLE {s}.sessions ADD COLUMN x int"),
        format!("TRUNCATE {s}.messages"),
        format!("DELETE FROM {s}.messages"),
    ] {
        let err = conn.batch_execute(&ddl).unwrap_err().to_string();
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{ddl}: {err}"
        );
    }
}
