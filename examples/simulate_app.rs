//! A load generator that behaves like ChatMRPT's request flow.
//!
//! ```text
//! cargo run --release --example simulate_app -- --workers 6 --seconds 30 --sqlite sim.db
//! cargo run --release --example simulate_app -- --workers 6 --requests 500 \
//!     --sqlite sim.db --postgres postgres://postgres@127.0.0.1/test --stage dual_write
//! cargo run --release --example simulate_app -- --workers 6 --seconds 60 --config db.toml
//! ```
//!
//! N worker threads each serve requests (a session touched, a user message,
//! an LLM call, the answer, and now and then an analysis event, an upload,
//! an analysis step with its decision, or an error) against the configured
//! store, in whatever stage it is in: change the stage meanwhile with
//! `chatmrpt-db stage set ...` and the workers follow. Prints a JSON summary
//! on stdout: acknowledged writes per table, failures, write latency.
//! With the dual store it waits (`--drain-seconds`) for the outboxes to
//! empty before it reports, so the two stores can be compared at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chatmrpt_db::{BackendKind, Config, DatabaseUrl, PostgresConfig, Side, Stage, Store};
use chatmrpt_db_examples::per_store::PerStore;
use chatmrpt_db_examples::workload::{AckLog, Budget, Dice, Latencies, Tally, request};
use clap::Parser;
use serde_json::json;

/// Simulate ChatMRPT's writes against a store.
#[derive(Debug, Parser)]
struct Args {
    /// Worker threads (gunicorn-style workers).
    #[arg(long, default_value_t = 6)]
    workers: u64,
    /// Requests per worker.
    #[arg(long, conflicts_with = "seconds", required_unless_present = "seconds")]
    requests: Option<u64>,
    /// Run for this many seconds.
    #[arg(long)]
    seconds: Option<f64>,
    /// TOML configuration (as the application reads it).
    #[arg(long, conflicts_with_all = ["sqlite", "postgres"], required_unless_present_any = ["sqlite", "postgres"])]
    config: Option<PathBuf>,
    /// The SQLite file; alone, the SQLite store.
    #[arg(long)]
    sqlite: Option<PathBuf>,
    /// The PostgreSQL URL; alone, the PostgreSQL store; with --sqlite, the
    /// dual store over both.
    #[arg(long)]
    postgres: Option<String>,
    /// The dual store's default stage (a stored stage wins).
    #[arg(long, value_parser = parse_stage)]
    stage: Option<Stage>,
    /// Requests per second per worker (paced); 0 serves them back to back.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Seconds to wait for the outboxes to drain before reporting.
    #[arg(long, default_value_t = 60.0)]
    drain_seconds: f64,
    /// Write every acknowledged row (`table key` per line) to this file.
    #[arg(long)]
    acked_log: Option<PathBuf>,
}

fn parse_stage(name: &str) -> Result<Stage, String> {
    name.parse().map_err(|e: chatmrpt_db::Error| e.to_string())
}

fn config(args: &Args) -> Result<Config, chatmrpt_db::Error> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(path) = &args.sqlite {
        config.sqlite.path.clone_from(path);
        config.backend = BackendKind::Sqlite;
    }
    if let Some(url) = &args.postgres {
        config.postgres = Some(PostgresConfig::new(DatabaseUrl::new(url.as_str())));
        config.backend = if args.sqlite.is_some() {
            BackendKind::Dual
        } else {
            BackendKind::Postgres
        };
    }
    if let Some(stage) = args.stage {
        config.dual.stage = stage;
    }
    Ok(config)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // Store warnings (a store down, a mirrored write deferred) on stderr.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CHATMRPT_DB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // The dual store reports each store's share of a write.
    let per_store = PerStore::install();
    let store = Arc::new(Store::open(&config(&args)?)?);
    store.run_migrations()?;
    let budget = match (args.requests, args.seconds) {
        (Some(n), _) => Budget::Requests(n),
        (None, Some(s)) => Budget::Time(Duration::from_secs_f64(s)),
        (None, None) => Budget::Requests(100),
    };
    let stage_of = |store: &Store| match store {
        Store::Dual(d) => Some(d.stage()),
        _ => None,
    };
    let stage_start = stage_of(&store);
    let started = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let watcher = watch_stage(Arc::clone(&store), Arc::clone(&running), started);
    let ack_log: Option<AckLog> = match &args.acked_log {
        Some(path) => Some(Arc::new(std::sync::Mutex::new(std::io::BufWriter::new(
            std::fs::File::create(path)?,
        )))),
        None => None,
    };
    let workers: Vec<_> = (0..args.workers)
        .map(|w| {
            let store = Arc::clone(&store);
            let log = ack_log.clone();
            let rate = args.rate;
            std::thread::spawn(move || work(&store, w, budget, rate, log))
        })
        .collect();
    let mut all = Tally::default();
    for handle in workers {
        let tally = handle.join().map_err(|_| "a worker panicked")?;
        merge(&mut all, tally);
    }
    let elapsed = started.elapsed();
    running.store(false, Ordering::Release);
    let stages_seen = watcher.join().map_err(|_| "the stage watcher panicked")?;
    let drained = match &*store {
        Store::Dual(d) => Some(d.drain(Duration::from_secs_f64(args.drain_seconds))),
        _ => None,
    };
    if let Some(log) = &ack_log {
        use std::io::Write;
        log.lock().map_err(|_| "ack log poisoned")?.flush()?;
    }
    let writes: u64 = all.acked.values().sum();
    let outbox = match &*store {
        Store::Dual(d) => json!({
            "sqlite_pending": d.outbox_stats(Side::Legacy).ok().map(|s| s.pending),
            "sqlite_dead": d.outbox_stats(Side::Legacy).ok().map(|s| s.dead),
            "postgres_pending": d.outbox_stats(Side::Target).ok().map(|s| s.pending),
            "postgres_dead": d.outbox_stats(Side::Target).ok().map(|s| s.dead),
            "deferred": d.counters().deferred,
            "replayed": d.counters().replayed,
            "mismatches": d.counters().mismatches,
        }),
        _ => serde_json::Value::Null,
    };
    let summary = json!({
        "backend": store.backend_name(),
        "workers": args.workers,
        "elapsed_s": elapsed.as_secs_f64(),
        "stage_start": stage_start,
        "stage_end": stage_of(&store),
        "stages_seen": stages_seen,
        "acknowledged": all.acked,
        "acknowledged_writes": writes,
        "writes_per_s": writes as f64 / elapsed.as_secs_f64(),
        "failures": all.failures.values().sum::<u64>(),
        "failure_kinds": all.failures,
        "latency_us": summary_of(&all.latencies),
        // The dual store's writes to each store (the deciding one's with its
        // outbox entry; the mirrored one's, and the replayer's deliveries).
        "store_write_us": per_store.map(|p| p
            .snapshot()
            .iter()
            .map(|(store, l)| (store.clone(), summary_of(l)))
            .collect::<serde_json::Map<_, _>>()),
        "outbox": outbox,
        "drained": drained,
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

fn work(store: &Store, worker: u64, budget: Budget, rate: f64, ack_log: Option<AckLog>) -> Tally {
    let mut dice = Dice::new(0x00C0_FFEE ^ worker);
    let mut tally = Tally {
        ack_log,
        ..Tally::default()
    };
    let started = Instant::now();
    let mut n = 0;
    loop {
        let more = match budget {
            Budget::Requests(total) => n < total,
            Budget::Time(limit) => started.elapsed() < limit,
        };
        if !more {
            return tally;
        }
        request(store.as_dyn(), worker, n, &mut dice, &mut tally);
        n += 1;
        if rate > 0.0 {
            let due = Duration::from_secs_f64(n as f64 / rate);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
}

fn summary_of(latencies: &Latencies) -> serde_json::Value {
    json!({
        "count": latencies.count(),
        "p50": latencies.quantile(0.50),
        "p99": latencies.quantile(0.99),
        "max": latencies.max(),
    })
}

fn merge(all: &mut Tally, tally: Tally) {
    for (table, n) in tally.acked {
        *all.acked.entry(table).or_default() += n;
    }
    for (kind, n) in tally.failures {
        *all.failures.entry(kind).or_default() += n;
    }
    all.latencies.merge(&tally.latencies);
}

/// Records each stage the workers ran in, with when it was first seen.
fn watch_stage(
    store: Arc<Store>,
    running: Arc<AtomicBool>,
    started: Instant,
) -> std::thread::JoinHandle<Vec<serde_json::Value>> {
    std::thread::spawn(move || {
        let mut seen: Vec<serde_json::Value> = Vec::new();
        let mut last = None;
        while running.load(Ordering::Acquire) {
            if let Store::Dual(d) = &*store {
                let stage = d.stage();
                if last != Some(stage) {
                    seen.push(json!({"stage": stage, "at_ms": started.elapsed().as_millis()}));
                    last = Some(stage);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        seen
    })
}
