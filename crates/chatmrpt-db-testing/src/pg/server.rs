//! The one server the tests of a process share.

use std::sync::OnceLock;

use diesel::{Connection, PgConnection};

use super::cluster::ProcessCluster;

/// The environment variable naming an existing server to test against.
pub const TEST_DATABASE_URL: &str = "CHATMRPT_TEST_DATABASE_URL";

/// A PostgreSQL server tests can create schemas and databases on.
pub struct PgServer {
    admin_url: String,
    _cluster: Option<ProcessCluster>,
}

impl PgServer {
    /// A URL for `database` on this server.
    pub fn url(&self, database: &str) -> String {
        with_database(&self.admin_url, database)
    }

    /// The URL of the maintenance database: the one named in
    /// `CHATMRPT_TEST_DATABASE_URL`, or `postgres` on a throwaway cluster.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }
}

/// The server of this test process: `CHATMRPT_TEST_DATABASE_URL` when set,
/// otherwise a throwaway cluster started on first use and stopped when the
/// process exits.
///
/// # Panics
///
/// When the named server is unreachable, or no PostgreSQL binaries exist.
pub fn shared_server() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var(TEST_DATABASE_URL) {
        Ok(url) if !url.is_empty() => {
            if let Err(e) = PgConnection::establish(&url) {
                panic!("{TEST_DATABASE_URL} is set but the server is unreachable: {e}");
            }
            PgServer {
                admin_url: url,
                _cluster: None,
            }
        }
        _ => {
            let cluster = ProcessCluster::start();
            PgServer {
                admin_url: cluster.dir.url("postgres"),
                _cluster: Some(cluster),
            }
        }
    })
}

/// `url` with its database replaced by `database` (query string kept).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced_and_options_kept() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "d1"),
            "postgres://u@h:5432/d1"
        );
        assert_eq!(
            with_database("postgres://u@h/test?sslmode=disable", "d1"),
            "postgres://u@h/d1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "d1"), "postgres://u@h/d1");
    }
}
