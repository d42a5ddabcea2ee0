//! How long one `stage set` takes to reach every host: `--hosts` dual
//! stores (each its own SQLite file, one PostgreSQL schema, the default
//! 500 ms stage refresh, background workers on, a writer each), and an
//! operator's store that moves the stage back and forth `--flips` times.
//! Prints, as JSON, the time from each `set_stage` returning until every
//! host followed: median and longest.
//!
//! ```text
//! cargo run --release --example stage_spread -- --postgres postgres://postgres@127.0.0.1/test
//! ```
//!
//! The PostgreSQL side lives in its own schema (`--schema`, default
//! `chatmrpt_stage_spread`), emptied first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chatmrpt_db::{
    AppDualStore, DatabaseUrl, DualOptions, MessageRepository, PgStore, PostgresConfig,
    SessionRepository, SqliteStore, Stage, StageRequest,
};
use clap::Parser;

/// Measure how fast a stage change reaches every host.
#[derive(Debug, Parser)]
struct Args {
    /// The PostgreSQL server the hosts share.
    #[arg(long, env = "DATABASE_URL")]
    postgres: String,
    /// The schema to use there (emptied first).
    #[arg(long, default_value = "chatmrpt_stage_spread")]
    schema: String,
    /// Hosts (files), each with its own store and worker.
    #[arg(long, default_value_t = 3)]
    hosts: usize,
    /// Stage changes measured.
    #[arg(long, default_value_t = 20)]
    flips: usize,
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let mut pg = PostgresConfig::new(DatabaseUrl::new(args.postgres.as_str()));
    pg.schema.clone_from(&args.schema);
    pg.pool_size = 4;
    let target = PgStore::open(&pg)?;
    target.run_migrations()?;
    target.revert_all_migrations()?;
    target.run_migrations()?;
    let open = |i: usize, background: bool| -> Res<AppDualStore> {
        let legacy = SqliteStore::open_path(dir.path().join(format!("host-{i}.db")))?;
        legacy.run_migrations()?;
        Ok(chatmrpt_db::DualStore::new(
            legacy,
            PgStore::open(&pg)?,
            DualOptions {
                default_stage: Stage::DualWrite,
                background,
                ..DualOptions::default()
            },
        ))
    };
    let hosts = (0..args.hosts)
        .map(|i| open(i, true).map(Arc::new))
        .collect::<Res<Vec<_>>>()?;
    let operator = open(0, false)?;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let (host, stop) = (Arc::clone(host), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = 0_u64;
                while !stop.load(Ordering::Acquire) {
                    let sid = format!("spread-{i}-{}", n / 10);
                    n += 1;
                    let _ = host.start_session(&chatmrpt_db::SessionStart::new(sid.as_str()));
                    let _ =
                        host.log_message(&chatmrpt_db::Message::new(sid.as_str(), "user", "hi"));
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        })
        .collect();
    let mut spreads = Vec::new();
    for flip in 0..args.flips {
        let to = if flip % 2 == 0 {
            Stage::Shadow
        } else {
            Stage::DualWrite
        };
        operator.set_stage(&StageRequest {
            to,
            changed_by: "stage_spread".into(),
            force: false,
        })?;
        let set_at = Instant::now();
        while hosts.iter().any(|h| h.stage() != to) {
            if set_at.elapsed() > Duration::from_secs(60) {
                return Err("a host did not follow within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        spreads.push(set_at.elapsed().as_secs_f64() * 1_000.0);
        // A random phase against the hosts' refresh.
        std::thread::sleep(Duration::from_millis(137 + 97 * (flip as u64 % 5)));
    }
    stop.store(true, Ordering::Release);
    for w in writers {
        let _ = w.join();
    }
    spreads.sort_by(f64::total_cmp);
    let median = spreads[spreads.len() / 2];
    let longest = spreads.last().copied().unwrap_or_default();
    println!(
        "{}",
        serde_json::json!({
            "hosts": args.hosts,
            "flips": args.flips,
            "refresh_ms": DualOptions::default().stage_refresh.as_millis(),
            "median_ms": (median * 10.0).round() / 10.0,
            "longest_ms": (longest * 10.0).round() / 10.0,
        })
    );
    Ok(())
}
