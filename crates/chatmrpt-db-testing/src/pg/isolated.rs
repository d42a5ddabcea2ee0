//! Per-test isolation: a fresh schema or a fresh database, dropped after.

use diesel::{Connection, PgConnection, RunQueryDsl};

use super::server::shared_server;

fn admin() -> PgConnection {
    let url = shared_server().admin_url();
    PgConnection::establish(url)
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// A fresh, empty schema in the shared server's maintenance database.
pub struct TestSchema {
    schema: String,
    url: String,
}

impl TestSchema {
    /// Creates `t_<uuid>`.
    ///
    /// # Panics
    ///
    /// When the server refuses.
    pub fn new() -> Self {
        let schema = unique("t_");
        // The name is generated here, [a-z0-9_] only.
        diesel::sql_query(format!("CREATE SCHEMA \"{schema}\""))
            .execute(&mut admin())
            .unwrap_or_else(|e| panic!("CREATE SCHEMA failed: {e}"));
        Self {
            schema,
            url: shared_server().admin_url().to_owned(),
        }
    }

    /// The database URL (the schema is chosen per connection).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl Default for TestSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema))
            .execute(&mut admin());
    }
}

/// A fresh, empty database on the shared server.
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates `d_<uuid>`.
    ///
    /// # Panics
    ///
    /// When the server refuses.
    pub fn new() -> Self {
        let name = unique("d_");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin())
            .unwrap_or_else(|e| panic!("CREATE DATABASE failed: {e}"));
        Self {
            url: shared_server().url(&name),
            name,
        }
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin());
    }
}
