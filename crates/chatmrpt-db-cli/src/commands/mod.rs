//! One module per subcommand.

pub mod adopt;
pub mod backfill;
pub mod clock;
pub mod grants;
mod migrate;
pub mod outbox;
pub mod stage;
mod status;
pub mod verify;

use std::process::ExitCode;

use std::sync::Arc;

use chatmrpt_db::{AppDualStore, BackendKind, Config, DualOptions, Error, Result, Store};

use crate::args::{Cli, Command};
use crate::target::{self, Overrides};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Only the commands that use the configured store read the configuration:
    // adopt, clock, backfill and verify name their stores explicitly.
    let config = || {
        target::resolve(
            cli.config.as_deref(),
            Overrides {
                database: cli.database.as_deref(),
                sqlite: cli.sqlite.as_deref(),
                postgres: cli.postgres.as_deref(),
            },
        )
    };
    // Dropped last: once every store is closed, an empty -wal/-shm that
    // appeared beside the configured file goes (SQLite keeps them while any
    // connection, here or elsewhere, is open; a -wal holding writes stays).
    let configured_store = matches!(
        cli.command,
        Command::Migrate | Command::Status { .. } | Command::Stage(_) | Command::Outbox(_)
    );
    let _tidy = configured_store
        .then(config)
        .and_then(Result::ok)
        .filter(|c| matches!(c.backend, BackendKind::Sqlite | BackendKind::Dual))
        .map(|c| chatmrpt_db::look::Tidy::before(&c.sqlite.path));
    let creates = matches!(cli.command, Command::Migrate);
    let open = |config: &Config| -> Result<Store> {
        if !creates {
            require_sqlite_file(config)?;
        }
        match config.backend {
            BackendKind::Dual => Ok(Store::Dual(Arc::new(open_dual(config)?))),
            _ => Store::open(config),
        }
    };
    let configured = || open(&config()?);
    let dual = || -> Result<AppDualStore> {
        let config = config()?;
        if config.backend != BackendKind::Dual {
            return Err(Error::Config(
                "this command needs the dual store: pass --sqlite PATH --postgres URL, \
                 or set backend = \"dual\""
                    .into(),
            ));
        }
        require_sqlite_file(&config)?;
        open_dual(&config)
    };
    match cli.command {
        Command::Migrate => {
            reach_postgres(&config()?)?;
            migrate::run(&configured()?)
        }
        Command::Status { json, html } => {
            let config = config()?;
            // A look at a file nobody manages yet reports what it holds
            // (read-only) instead of opening a store on it.
            if config.backend == BackendKind::Sqlite
                && html.is_none()
                && status::unmanaged::applies(&config.sqlite.path)?
            {
                return status::unmanaged::run(&config.sqlite.path, json);
            }
            // The PostgreSQL store's settings: where backfill and verify
            // recorded what the status page shows.
            let postgres = match config.backend {
                BackendKind::Sqlite => None,
                _ => config.postgres.as_ref(),
            };
            status::run(&open(&config)?, postgres, json, html.as_deref())
        }
        Command::Grants(args) => grants::run(&args),
        Command::Stage(args) => {
            let config = config()?;
            if config.backend != BackendKind::Dual {
                // Refused by `dual()` before any file is opened.
                return stage::run(&dual()?, &args);
            }
            if args.sets() {
                // The file first (what it is), then PostgreSQL, before the
                // dual store opens and warns that the shared stage is out
                // of reach.
                require_sqlite_file(&config)?;
                drop(chatmrpt_db::SqliteStore::open(&config.sqlite)?);
                reach_postgres(&config)?;
            } else if let Err(down) = reach_postgres(&config) {
                // PostgreSQL keeps the shared stage: when it does not answer
                // one direct connection, the file's last known copy is shown
                // at once (not after the pool's waits), then its cause.
                require_sqlite_file(&config)?;
                let file = chatmrpt_db::SqliteStore::open(&config.sqlite)?;
                stage::show_local(&file, config.dual.stage, args.json())?;
                return Err(down);
            }
            stage::run(&dual()?, &args)
        }
        Command::Outbox(args) => {
            let store = dual()?;
            outbox::run(&store, &args, reach_postgres(&config()?))
        }
        Command::Adopt(args) => Ok(adopt::run(&args)),
        Command::Clock(args) => Ok(clock::run(&args)),
        Command::Backfill(args) => Ok(backfill::run(&args)),
        Command::Verify(args) => Ok(verify::run(&args)),
    }
}

/// One direct connection to the configured PostgreSQL, if any, for a
/// command that needs it: down is said at once, with its cause, not after
/// the pool's wait (or a warning about the stage first).
fn reach_postgres(config: &Config) -> Result<()> {
    match (&config.backend, &config.postgres) {
        (BackendKind::Sqlite, _) | (_, None) => Ok(()),
        (_, Some(pg)) => chatmrpt_db::connect_within(&pg.url, pg.connect_timeout_s).map(drop),
    }
}

/// Only `migrate` creates a new SQLite file: every other command refuses a
/// missing one rather than leave an empty log behind.
fn require_sqlite_file(config: &Config) -> Result<()> {
    use chatmrpt_db::adopt::{FileState, file_state};
    let path = &config.sqlite.path;
    if !matches!(config.backend, BackendKind::Sqlite | BackendKind::Dual) {
        return Ok(());
    }
    let state = file_state(path).map_err(|e| Error::Config(chatmrpt_db::error::error_chain(&e)))?;
    if state == FileState::Absent {
        let what = if path.exists() {
            "an empty database"
        } else {
            "no such file"
        };
        return Err(Error::Config(format!(
            "{}: {what}, left as it is (`chatmrpt-db migrate` creates a new log)",
            path.display()
        )));
    }
    Ok(())
}

/// The dual store for a one-shot command: no background worker.
fn open_dual(config: &Config) -> Result<AppDualStore> {
    Store::open_dual(
        config,
        DualOptions {
            background: false,
            ..DualOptions::default()
        },
    )
}

/// Prints a one-line, password-free cause on stderr; returns exit code 2.
pub fn fail(cause: &str) -> ExitCode {
    let cause = cause.split_whitespace().collect::<Vec<_>>().join(" ");
    eprintln!("error: {}", chatmrpt_db::secret::redact(&cause));
    ExitCode::from(2)
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| chatmrpt_db::Error::Database {
        store: "output",
        source: Box::new(e),
    })?;
    outln!("{text}");
    Ok(())
}
