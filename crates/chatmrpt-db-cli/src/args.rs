//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Manage the ChatMRPT interaction log (SQLite, PostgreSQL, or both).
#[derive(Debug, Parser)]
#[command(name = "chatmrpt-db", version, about, long_about = None, after_help = "\
Configuration comes from --config FILE (TOML), then CHATMRPT_DB_* variables
(DATABASE_URL for PostgreSQL). With none, the store is ./interactions.db.

Examples:
  chatmrpt-db migrate
  chatmrpt-db --database postgres://app@db.internal/chatmrpt?sslmode=verify-full status
  chatmrpt-db --config /etc/chatmrpt/db.toml status --json
  chatmrpt-db --sqlite instance/interactions.db --postgres postgres://app@db/chatmrpt stage")]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// One store to use instead of the configured one: `sqlite://PATH` or a
    /// `postgres://` URL with any libpq option.
    #[arg(long, global = true, value_name = "URL", conflicts_with_all = ["sqlite", "postgres"])]
    pub database: Option<String>,

    /// The SQLite file; with --postgres, the dual store over both.
    #[arg(long, global = true, value_name = "PATH")]
    pub sqlite: Option<PathBuf>,

    /// The PostgreSQL connection string; with --sqlite, the dual store.
    #[arg(long, global = true, value_name = "URL")]
    pub postgres: Option<String>,

    /// More log output on stderr (-v info, -vv debug); CHATMRPT_DB_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending schema migrations to the store.
    #[command(after_help = "\
Runs as the schema owner. Safe to run from several processes at once.

Examples:
  chatmrpt-db migrate
  chatmrpt-db --database sqlite:///var/lib/chatmrpt/interactions.db migrate
  DATABASE_URL=postgres://owner@db/chatmrpt chatmrpt-db --config db.toml migrate")]
    Migrate,

    /// Show the backend, applied migrations and row counts per table.
    #[command(after_help = "\
With --html FILE, also writes a one-page report for people (no server, no
script: open it in any browser): stage and its history, outboxes, counts on
each store, the last verify run and the quarantined rows recorded in
PostgreSQL.

On the legacy application's file before adoption, status (text or --json)
reads it read-only and lists its tables and row counts (exit 0), changing
nothing; --html refuses such a file (exit 2), as it does any other file
that is not a ChatMRPT log.

Examples:
  chatmrpt-db status
  chatmrpt-db --database postgres://app@127.0.0.1/chatmrpt status --json
  chatmrpt-db --config db.toml status --html /var/www/chatmrpt-db-status.html")]
    Status {
        /// Print a JSON document instead of text.
        #[arg(long)]
        json: bool,
        /// Also write the status as a self-contained HTML page to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },

    /// Bring a legacy interactions.db under management (backup first).
    #[command(after_help = "\
Writes a safety copy (VACUUM INTO) first, then adds the missing tables,
columns and indexes, a session row for each orphan child row, and the
migration bookkeeping, in one transaction. No existing row is changed.
Refuses (exit 2) a file that is not a ChatMRPT log, is corrupt, or is locked.

Examples:
  chatmrpt-db adopt /home/ec2-user/ChatMRPT/instance/interactions.db
  chatmrpt-db adopt interactions.db --backup-dir /var/backups/chatmrpt --json")]
    Adopt(crate::commands::adopt::AdoptArgs),

    /// Show the zone a SQLite file's log timestamps are written in, or
    /// change it (dry run unless --apply).
    #[command(after_help = "\
The legacy application writes naive local time; the store writes the same
wall clock, in the zone the file records. A file the store wrote in UTC
before the clock was recorded keeps UTC until converted here: every text
timestamp is rewritten from the recorded zone to the new one and the new
zone recorded, in one transaction. Stop every process writing the file
first. Times that land in an hour the new zone repeats are listed.

Examples:
  chatmrpt-db clock instance/interactions.db
  chatmrpt-db clock instance/interactions.db --convert-to Africa/Lagos
  chatmrpt-db clock instance/interactions.db --convert-to local --apply")]
    Clock(crate::commands::clock::ClockArgs),

    /// Copy a legacy SQLite file into PostgreSQL (resumable, idempotent).
    Backfill(crate::commands::backfill::BackfillArgs),

    /// Compare two stores row by row: exit 0 equal, 1 differ, 2 error.
    Verify(crate::commands::verify::VerifyArgs),

    /// Print the GRANT statements the application's runtime role needs.
    #[command(after_help = "\
Migrations run as the schema owner; the application should connect as a
role with row access only (no DDL). Prints SQL for the owner to run.

Examples:
  chatmrpt-db grants --role chatmrpt_app
  chatmrpt-db grants --role chatmrpt_app --schema chatmrpt | psql \"$OWNER_URL\"")]
    Grants(crate::commands::grants::GrantsArgs),

    /// Show or change the migration stage of the dual store.
    #[command(after_help = "\
Stages: off, dual_write, shadow, live, rampdown, complete. One step at a
time, forward or back; --force allows a bigger jump or a move onto a store
that still owes writes. Every process sees a change within a second or two.

Examples:
  chatmrpt-db --config db.toml stage
  chatmrpt-db --sqlite interactions.db --postgres postgres://app@db/chatmrpt stage set dual_write
  chatmrpt-db --config db.toml stage set shadow --by alice")]
    Stage(crate::commands::stage::StageArgs),

    /// Show, replay, retry or discard the dual store's outboxes.
    #[command(after_help = "\
Each store keeps an outbox of the writes it owes the other. `outbox` shows
depth, oldest age and dead entries; `replay` delivers what is due now;
`retry-dead` puts dead entries back in the queue; `discard-dead` deletes
them (the other store then lacks those writes: `verify` will say so).

Examples:
  chatmrpt-db --config db.toml outbox
  chatmrpt-db --config db.toml outbox replay
  chatmrpt-db --config db.toml outbox retry-dead --id 42
  chatmrpt-db --config db.toml outbox discard-dead --all")]
    Outbox(crate::commands::outbox::OutboxArgs),
}
