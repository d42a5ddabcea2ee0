//! A dual store over a fresh SQLite file and a fresh PostgreSQL schema, and
//! the check that both stores hold the same rows.
#![allow(dead_code, reason = "each test file uses part of the helpers")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chatmrpt_db_core::{
    DatabaseUrl, InteractionStore, PostgresConfig, SqliteConfig, Stage, Table, TimeRange,
};
use chatmrpt_db_dual::{DualOptions, DualStore};
use chatmrpt_db_postgres::PgStore;
use chatmrpt_db_sqlite::SqliteStore;
use chatmrpt_db_testing::pg::TestSchema;
use tempfile::TempDir;

/// The pair the application would run.
pub type Dual = DualStore<SqliteStore, PgStore>;

/// Options for tests: quick refresh and backoff, worker as asked.
pub fn options(stage: Stage, background: bool) -> DualOptions {
    DualOptions {
        default_stage: stage,
        background,
        stage_refresh: Duration::from_millis(200),
        replay_interval: Duration::from_millis(50),
        replay_grace: Duration::from_millis(500),
        max_attempts: 3,
        max_backoff: Duration::from_millis(400),
        ..DualOptions::default()
    }
}

/// A migrated SQLite file in `dir`.
pub fn sqlite(dir: &Path) -> SqliteStore {
    sqlite_at(&dir.join("interactions.db"), 5_000)
}

/// A migrated SQLite file at `path` with `busy_timeout_ms`.
pub fn sqlite_at(path: &Path, busy_timeout_ms: u32) -> SqliteStore {
    let store = SqliteStore::open(&SqliteConfig {
        path: PathBuf::from(path),
        busy_timeout_ms,
        ..SqliteConfig::default()
    })
    .unwrap();
    store.run_migrations().unwrap();
    store
}

/// PostgreSQL settings for `url` and `schema`, failing fast when it is down.
pub fn pg_config(url: &str, schema: &str) -> PostgresConfig {
    let mut config = PostgresConfig::new(DatabaseUrl::new(url));
    config.schema = schema.to_owned();
    config.pool_size = 8;
    config.connect_timeout_s = 1;
    config
}

/// A migrated PostgreSQL store, opened lazily.
pub fn pg(config: &PostgresConfig) -> PgStore {
    let store = PgStore::open_lazy(config).unwrap();
    store.run_migrations().unwrap();
    store
}

/// A dual store on fresh stores (shared test server), with what must outlive it.
pub struct Pair {
    pub store: Dual,
    pub dir: TempDir,
    pub schema: TestSchema,
    pub pg_config: PostgresConfig,
}

impl Pair {
    pub fn new(options: DualOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let schema = TestSchema::new();
        let pg_config = pg_config(schema.url(), schema.schema());
        let store = DualStore::new(sqlite(dir.path()), pg(&pg_config), options);
        Self {
            store,
            dir,
            schema,
            pg_config,
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("interactions.db")
    }
}

/// Every row of `table`, in key order.
pub fn rows(store: &dyn InteractionStore, table: Table) -> Vec<chatmrpt_db_core::Record> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .scan_table(table, &TimeRange::default(), after.as_deref(), 1_000)
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.key().to_owned());
        let full = page.len() == 1_000;
        out.extend(page);
        if !full {
            break;
        }
    }
    out
}

/// Panics, naming the first table and key that differ, unless both stores
/// hold exactly the same rows.
pub fn assert_same_rows(a: &dyn InteractionStore, b: &dyn InteractionStore) {
    for table in Table::ALL {
        let (left, right) = (rows(a, table), rows(b, table));
        let keys = |r: &[chatmrpt_db_core::Record]| {
            r.iter().map(|x| x.key().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(keys(&left), keys(&right), "keys of {table:?} differ");
        for (l, r) in left.iter().zip(&right) {
            assert_eq!(l, r, "row {} of {table:?} differs", l.key());
        }
    }
}

/// The total number of rows in every table of `store`.
pub fn total_rows(store: &dyn InteractionStore) -> u64 {
    Table::ALL
        .iter()
        .map(|t| store.count_rows(*t).unwrap())
        .sum()
}

/// Application-like writers: each request starts a session and logs two
/// messages; every acknowledged message id is kept.
pub struct Load {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Messages acknowledged so far, by every worker.
    acked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    workers: Vec<std::thread::JoinHandle<(Vec<String>, Vec<String>)>>,
}

/// What a load acknowledged and what failed.
pub struct LoadResult {
    pub acked: Vec<String>,
    pub failures: Vec<String>,
}

impl Load {
    pub fn start(store: std::sync::Arc<Dual>, workers: usize) -> Self {
        Self::start_named(store, workers, "w")
    }

    /// As [`Load::start`], with session ids starting with `prefix` (one
    /// per host, so that two hosts' loads share no session).
    pub fn start_named(store: std::sync::Arc<Dual>, workers: usize, prefix: &str) -> Self {
        Self::start_paced(store, workers, prefix, Duration::from_millis(2))
    }

    /// As [`Load::start_named`], each worker pausing `pause` between requests.
    pub fn start_paced(
        store: std::sync::Arc<Dual>,
        workers: usize,
        prefix: &str,
        pause: Duration,
    ) -> Self {
        use chatmrpt_db_core::{Message, MessageRepository, SessionRepository, SessionStart};
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let counted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let workers = (0..workers)
            .map(|w| {
                let (store, stop) = (std::sync::Arc::clone(&store), std::sync::Arc::clone(&stop));
                let counted = std::sync::Arc::clone(&counted);
                let prefix = prefix.to_owned();
                std::thread::spawn(move || {
                    let (mut acked, mut failures) = (Vec::new(), Vec::new());
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Acquire) {
                        let sid = format!("{prefix}{w}-{}", n / 5);
                        n += 1;
                        if let Err(e) = store.start_session(&SessionStart::new(sid.as_str())) {
                            failures.push(e.to_string());
                        }
                        for text in ["hello", "ward risk please"] {
                            let m = Message::new(sid.as_str(), "user", text);
                            match store.log_message(&m) {
                                Ok(()) => {
                                    acked.push(m.message_id.as_str().to_owned());
                                    counted.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                                }
                                Err(e) => failures.push(e.to_string()),
                            }
                        }
                        std::thread::sleep(pause);
                    }
                    (acked, failures)
                })
            })
            .collect();
        Self {
            stop,
            acked: counted,
            workers,
        }
    }

    /// Waits (up to a minute: a condition, not a pace) until the load has
    /// had `more` messages acknowledged since the call.
    pub fn wait_for_more_acks(&self, more: usize) {
        let from = self.acked.load(std::sync::atomic::Ordering::Acquire);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.acked.load(std::sync::atomic::Ordering::Acquire) < from + more {
            assert!(
                std::time::Instant::now() < deadline,
                "the load had fewer than {more} writes acknowledged in a minute"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn finish(self) -> LoadResult {
        self.stop.store(true, std::sync::atomic::Ordering::Release);
        let mut out = LoadResult {
            acked: Vec::new(),
            failures: Vec::new(),
        };
        for w in self.workers {
            let (acked, failures) = w.join().unwrap();
            out.acked.extend(acked);
            out.failures.extend(failures);
        }
        out
    }
}

/// Panics unless every id in `acked` is a message stored in `store`.
pub fn assert_has_messages(store: &dyn InteractionStore, acked: &[String]) {
    let stored: std::collections::HashSet<String> = rows(store, Table::Messages)
        .iter()
        .map(|r| r.key().to_owned())
        .collect();
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged messages missing from {}, e.g. {:?}",
        missing.len(),
        acked.len(),
        store.backend_name(),
        missing.first()
    );
}

/// `chatmrpt-db verify` between the SQLite file and the PostgreSQL schema.
pub fn verify_equal(sqlite: &Path, pg: &PostgresConfig) {
    use chatmrpt_db_migrate::verify::{StoreRef, verify};
    let report = verify(
        &StoreRef::Sqlite(sqlite.to_path_buf()),
        &StoreRef::Postgres(pg.clone()),
    )
    .unwrap();
    assert!(report.is_equal(), "verify found differences: {report:?}");
}

/// A dual store on a PostgreSQL cluster the test owns (so it can stop it)
/// and a fresh SQLite file.
pub struct OwnedPair {
    pub store: Dual,
    pub config: PostgresConfig,
    pub dir: TempDir,
    pub cluster: chatmrpt_db_testing::pg::OwnedCluster,
}

impl OwnedPair {
    pub fn start(stage: Stage, background: bool) -> Self {
        let cluster = chatmrpt_db_testing::pg::OwnedCluster::start();
        let config = pg_config(&cluster.url("postgres"), "public");
        let dir = tempfile::tempdir().unwrap();
        let store = DualStore::new(sqlite(dir.path()), pg(&config), options(stage, background));
        Self {
            store,
            config,
            dir,
            cluster,
        }
    }
}
