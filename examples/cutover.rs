//! A narrated cutover from SQLite to PostgreSQL, on a local server:
//!
//! ```text
//! cargo run --example cutover -- --postgres postgres://postgres@127.0.0.1/test
//! ```
//!
//! It plays the application (a thread logging requests all along) and the
//! operator (moving the stage one step at a time): history written in `off`
//! is backfilled into PostgreSQL while dual write runs, `verify` proves the
//! stores equal, reads move to PostgreSQL, and SQLite is finally left
//! behind. Nothing pauses the application. The PostgreSQL side lives in its
//! own schema (`--schema`, default `chatmrpt_cutover_demo`), emptied first.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chatmrpt_db::{
    AppDualStore, DatabaseUrl, DualOptions, PgStore, PostgresConfig, Side, SqliteStore, Stage,
    StageRequest, Table,
};
use chatmrpt_db_examples::workload::{Dice, Tally, request};
use chatmrpt_db_migrate::{BackfillOptions, NoProgress, StoreRef, backfill, verify};
use clap::Parser;

/// Walk a cutover from `off` to `complete`.
#[derive(Debug, Parser)]
struct Args {
    /// The PostgreSQL server to move to.
    #[arg(long, env = "DATABASE_URL")]
    postgres: String,
    /// The schema to use there (dropped and recreated).
    #[arg(long, default_value = "chatmrpt_cutover_demo")]
    schema: String,
    /// The SQLite file (default: a new temporary file).
    #[arg(long)]
    sqlite: Option<PathBuf>,
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let path = args
        .sqlite
        .clone()
        .unwrap_or_else(|| dir.path().join("interactions.db"));
    let mut pg = PostgresConfig::new(DatabaseUrl::new(args.postgres.as_str()));
    pg.schema.clone_from(&args.schema);

    say("1. The application runs on SQLite alone (stage off) and builds up history.");
    let legacy = SqliteStore::open_path(&path)?;
    legacy.run_migrations()?;
    let target = PgStore::open(&pg)?;
    // A clean demo schema: create it, empty it, migrate it.
    target.run_migrations()?;
    target.revert_all_migrations()?;
    target.run_migrations()?;
    let store = Arc::new(AppDualStore::new(
        legacy,
        target,
        DualOptions {
            default_stage: Stage::Off,
            ..DualOptions::default()
        },
    ));
    traffic(&store, 0, 40);
    counts(&store);

    say("2. The operator turns dual write on; the application keeps serving.");
    let app = App::start(Arc::clone(&store));
    step(&store, Stage::DualWrite)?;
    std::thread::sleep(Duration::from_millis(500));
    counts(&store);

    say("3. Backfill copies the history written before dual write (resumable, idempotent).");
    let summary = backfill(&path, &pg, &BackfillOptions::default(), &mut NoProgress)?;
    let loaded: u64 = summary.tables.iter().map(|t| t.this_run.inserted).sum();
    let present: u64 = summary
        .tables
        .iter()
        .map(|t| t.this_run.already_present)
        .sum();
    let quarantined: u64 = summary.tables.iter().map(|t| t.this_run.quarantined).sum();
    println!(
        "   backfill: {loaded} rows copied, {present} already there (dual write), {quarantined} quarantined"
    );

    say("4. Shadow: reads still come from SQLite and are compared with PostgreSQL.");
    step(&store, Stage::Shadow)?;
    std::thread::sleep(Duration::from_millis(500));
    app.pause(&store);
    let report = verify(
        &StoreRef::Sqlite(path.clone()),
        &StoreRef::Postgres(pg.clone()),
    )?;
    println!(
        "   verify: {} ({} tables compared in {} ms)",
        if report.is_equal() {
            "the stores are equal"
        } else {
            "DIFFERENCES FOUND"
        },
        report.tables.len(),
        report.elapsed_ms
    );
    if !report.is_equal() {
        return Err("verify found differences; the walk stops here".into());
    }
    app.resume();

    say("5. Live: PostgreSQL answers; SQLite is still written and compared (the way back).");
    step(&store, Stage::Live)?;
    std::thread::sleep(Duration::from_millis(500));
    println!(
        "   shadow mismatches so far: {}",
        store.counters().mismatches
    );

    say("6. Rampdown: comparisons stop; SQLite still receives every write.");
    step(&store, Stage::Rampdown)?;
    std::thread::sleep(Duration::from_millis(300));

    say("7. Complete: PostgreSQL alone.");
    step(&store, Stage::Complete)?;
    std::thread::sleep(Duration::from_millis(300));
    let tally = app.stop();
    let failed: u64 = tally.failures.values().sum();
    println!(
        "   the application logged {} writes during the walk, {failed} failed",
        tally.acked.values().sum::<u64>()
    );
    counts(&store);
    println!("\nHistory of the stage:");
    for change in store.stage_history(20)?.iter().rev() {
        println!(
            "   {} -> {} by {}",
            change.from, change.to, change.changed_by
        );
    }
    Ok(())
}

fn say(line: &str) {
    println!("\n{line}");
}

fn step(store: &AppDualStore, to: Stage) -> Res<()> {
    let request = StageRequest {
        to,
        changed_by: "cutover example".into(),
        force: false,
    };
    // Reads may move only once the store they move to has every write.
    for _ in 0..50 {
        match store.set_stage(&request) {
            Ok(_) => {
                println!("   stage is now {to}");
                return Ok(());
            }
            Err(e) if e.to_string().contains("owes") => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(format!("could not move to {to}").into())
}

fn counts(store: &AppDualStore) {
    let rows = |side: Side| -> u64 {
        let s = match side {
            Side::Legacy => store.legacy() as &dyn chatmrpt_db::InteractionStore,
            Side::Target => store.target(),
        };
        Table::ALL
            .iter()
            .filter_map(|t| s.count_rows(*t).ok())
            .sum()
    };
    println!(
        "   rows: sqlite {}, postgres {}; stage {}",
        rows(Side::Legacy),
        rows(Side::Target),
        store.stage()
    );
}

fn traffic(store: &AppDualStore, first: u64, requests: u64) {
    let mut dice = Dice::new(first);
    let mut tally = Tally::default();
    for n in first..first + requests {
        request(store, 0, n, &mut dice, &mut tally);
    }
}

/// The application: one thread logging a request every 20 ms.
struct App {
    running: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Tally>,
}

impl App {
    fn start(store: Arc<AppDualStore>) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let paused = Arc::new(AtomicBool::new(false));
        let (r, p) = (Arc::clone(&running), Arc::clone(&paused));
        let handle = std::thread::spawn(move || {
            let mut dice = Dice::new(7);
            let mut tally = Tally::default();
            let mut n = 1_000;
            while r.load(Ordering::Acquire) {
                if !p.load(Ordering::Acquire) {
                    request(&*store, 1, n, &mut dice, &mut tally);
                    n += 1;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            tally
        });
        Self {
            running,
            paused,
            handle,
        }
    }

    /// Pauses the traffic and waits for the outboxes, so that a verify
    /// compares settled stores (a real cutover verifies a quiet window, or
    /// accepts the rows written meanwhile as the only differences).
    fn pause(&self, store: &AppDualStore) {
        self.paused.store(true, Ordering::Release);
        std::thread::sleep(Duration::from_millis(100));
        store.drain(Duration::from_secs(30));
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::Release);
    }

    fn stop(self) -> Tally {
        self.running.store(false, Ordering::Release);
        self.handle.join().unwrap_or_default()
    }
}
