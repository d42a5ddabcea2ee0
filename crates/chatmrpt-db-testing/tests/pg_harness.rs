//! The PostgreSQL harness itself: isolation and a cluster a test can stop.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic is the failure report"
)]

use chatmrpt_db_testing::pg::{OwnedCluster, TestSchema, shared_server};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn schema_count(name: &str) -> i64 {
    let mut conn = PgConnection::establish(shared_server().admin_url()).unwrap();
    let N { n } = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1",
    )
    .bind::<Text, _>(name)
    .get_result(&mut conn)
    .unwrap();
    n
}

#[test]
fn test_schemas_are_distinct_usable_and_dropped() {
    let a = TestSchema::new();
    let b = TestSchema::new();
    assert_ne!(a.schema(), b.schema());
    let mut conn = PgConnection::establish(a.url()).unwrap();
    diesel::sql_query(format!("CREATE TABLE \"{}\".t (v bigint)", a.schema()))
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(format!("INSERT INTO \"{}\".t VALUES (42)", a.schema()))
        .execute(&mut conn)
        .unwrap();
    let N { n } = diesel::sql_query(format!("SELECT v AS n FROM \"{}\".t", a.schema()))
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(n, 42);
    let name = a.schema().to_owned();
    assert_eq!(schema_count(&name), 1);
    drop(a);
    assert_eq!(schema_count(&name), 0);
}

#[test]
fn owned_cluster_stops_and_starts_again_with_its_data() {
    let cluster = OwnedCluster::start();
    let url = cluster.url("postgres");
    let mut conn = PgConnection::establish(&url).unwrap();
    diesel::sql_query("CREATE TABLE kept (v bigint)")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO kept VALUES (7)")
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    cluster.stop();
    assert!(!cluster.is_running());
    assert!(PgConnection::establish(&url).is_err());
    cluster.start_again();
    assert!(cluster.is_running());
    let mut conn = PgConnection::establish(&url).unwrap();
    let N { n } = diesel::sql_query("SELECT v AS n FROM kept")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(n, 7);
}
