//! A legacy application that keeps writing its file: what a backfill or a
//! verify of a live source runs against.
//!
//! Writes the way the Flask application does: a new connection per write,
//! no PRAGMA but the busy timeout, one row per write, `str(datetime.now())`
//! text times. Per request: `INSERT OR REPLACE` of a new session, a message
//! for it, the routing decision for that message (a child of the message),
//! a touch of the session's `last_activity` (every third request an upload's
//! touch, which also sets `files_uploaded`), `INSERT OR REPLACE` of an
//! earlier session (its row moves to a new rowid, as every request moves it
//! in the application, and like the application the upsert resets its
//! `start_time` to now and its flags to 0, and brings the request's client
//! address), and every few requests an LLM call whose response is anything
//! from 1 KB to about 300 KB. A backfill and verify of such a file agree by
//! the sessions' convergence rule (`chatmrpt_db_core::convergence`): earliest
//! start, flags OR-ed, details of the latest activity. A write that cannot get the lock within the
//! busy timeout is dropped, as the application drops it, and counted: with
//! a busy timeout of 100 ms, a dropped write means some reader held the
//! file for longer than that.
//!
//! Every committed write is appended to a log (one line, flushed at once)
//! so a test knows what was in the file at a given moment:
//! `ok <table> <key>` or `dropped <table> <key> <waited_ms>`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Double, Text};
use serde::{Deserialize, Serialize};

use super::FixtureError;
use super::insert::py_datetime;

/// How the live writer runs.
#[derive(Clone, Debug)]
pub struct LiveWriter {
    /// The legacy file (it must already have the legacy tables).
    pub path: PathBuf,
    /// How long a write waits for the lock before it is dropped.
    pub busy_timeout: Duration,
    /// Pause between requests.
    pub pause: Duration,
    /// The writer stops once this file exists.
    pub stop_file: PathBuf,
    /// Where committed and dropped writes are logged.
    pub log: PathBuf,
    /// Prefix of every key written (keeps runs apart).
    pub prefix: String,
    /// Every this many requests, an LLM call is logged too.
    pub llm_every: u64,
}

/// What the live writer did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveReport {
    /// Writes committed.
    pub committed: u64,
    /// Writes dropped because the file stayed locked past the busy timeout.
    pub dropped: u64,
    /// The longest a committed or dropped write took, in milliseconds.
    pub slowest_ms: u64,
}

/// The message content written for `key`: a test can check a copied row
/// against it, byte for byte.
pub fn live_message_content(key: &str) -> String {
    format!("live message {key}: {}", "é mosquito net ".repeat(40))
}

/// The LLM response written for `key` (1 KB to about 300 KB, by key).
pub fn live_llm_response(key: &str) -> String {
    let n = key.bytes().map(usize::from).sum::<usize>() % 17;
    format!(
        "response to {key}: {}",
        "ward risk ranking ".repeat(60 << (n % 9))
    )
}

/// The user message of the routing decision written for `key`.
pub fn live_routing_text(key: &str) -> String {
    format!("routing {key}: what are the top risk wards in Kano?")
}

/// One write outcome.
enum Outcome {
    Committed,
    Dropped,
}

impl LiveWriter {
    /// Writes until the stop file appears.
    ///
    /// # Errors
    ///
    /// [`FixtureError`] when the file cannot be opened or a write fails
    /// for another reason than the lock (a dropped write is not an error).
    pub fn run(&self) -> Result<LiveReport, FixtureError> {
        let mut log = File::create(&self.log).map_err(|source| FixtureError::Io {
            path: self.log.display().to_string(),
            source,
        })?;
        let mut report = LiveReport::default();
        let mut request = 0_u64;
        let mut started: Vec<String> = Vec::new();
        while !self.stop_file.exists() {
            request += 1;
            let session = format!("{}-session-{request:07}", self.prefix);
            let now = || py_datetime(Utc::now().naive_utc());
            let at = now();
            self.write(&mut log, &mut report, "sessions", &session, |c| {
                sql_query(
                    "INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity, user_language, browser_info, ip_address, analysis_complete, files_uploaded) VALUES (?, ?, ?, 'en', 'Mozilla/5.0 (X11; Linux x86_64)', ?, 0, 0)",
                )
                .bind::<Text, _>(&session)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(client_address(request))
                .execute(c)
            })?;
            started.push(session.clone());
            let message = format!("{}-message-{request:07}", self.prefix);
            let content = live_message_content(&message);
            let at = now();
            self.write(&mut log, &mut report, "messages", &message, |c| {
                sql_query(
                    "INSERT INTO messages (message_id, session_id, timestamp, sender, content, intent, entities) VALUES (?, ?, ?, 'user', ?, NULL, '{}')",
                )
                .bind::<Text, _>(&message)
                .bind::<Text, _>(&session)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(&content)
                .execute(c)
            })?;
            let routing = format!("{}-routing-{request:07}", self.prefix);
            let text = live_routing_text(&routing);
            let at = now();
            self.write(&mut log, &mut report, "routing_decisions", &routing, |c| {
                sql_query(
                    "INSERT INTO routing_decisions (routing_id, message_id, session_id, timestamp, user_message, routing_decision, routing_method, keywords_matched, confidence) VALUES (?, ?, ?, ?, ?, 'tools', 'keywords', '[\"risk\"]', 0.9)",
                )
                .bind::<Text, _>(&routing)
                .bind::<Text, _>(&message)
                .bind::<Text, _>(&session)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(&text)
                .execute(c)
            })?;
            let at = now();
            let touch = if request % 3 == 0 {
                "UPDATE sessions SET last_activity = ?, files_uploaded = 1 WHERE session_id = ?"
            } else {
                "UPDATE sessions SET last_activity = ? WHERE session_id = ?"
            };
            self.write(&mut log, &mut report, "touch", &session, |c| {
                sql_query(touch)
                    .bind::<Text, _>(&at)
                    .bind::<Text, _>(&session)
                    .execute(c)
            })?;
            // A later request of an earlier session, from another address,
            // moves its row and resets its start and flags.
            let earlier = &started[started.len() / 2];
            let at = now();
            self.write(&mut log, &mut report, "sessions", earlier, |c| {
                sql_query(
                    "INSERT OR REPLACE INTO sessions (session_id, start_time, last_activity, user_language, browser_info, ip_address, analysis_complete, files_uploaded) VALUES (?, ?, ?, 'en', 'Mozilla/5.0 (X11; Linux x86_64)', ?, 0, 0)",
                )
                .bind::<Text, _>(earlier)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(&at)
                .bind::<Text, _>(client_address(request + 1_000_000))
                .execute(c)
            })?;
            if self.llm_every > 0 && request % self.llm_every == 0 {
                let call = format!("{}-llm-{request:07}", self.prefix);
                let response = live_llm_response(&call);
                let at = now();
                self.write(&mut log, &mut report, "llm_interactions", &call, |c| {
                    sql_query(
                        "INSERT INTO llm_interactions (interaction_id, session_id, timestamp, prompt_type, prompt, prompt_context, response, tokens_used, latency) VALUES (?, ?, ?, 'analysis', 'rank the wards', '\"You are ChatMRPT.\"', ?, ?, ?)",
                    )
                    .bind::<Text, _>(&call)
                    .bind::<Text, _>(&session)
                    .bind::<Text, _>(&at)
                    .bind::<Text, _>(&response)
                    .bind::<BigInt, _>(i64::try_from(request).unwrap_or(0))
                    .bind::<Double, _>(1.25)
                    .execute(c)
                })?;
            }
            std::thread::sleep(self.pause);
        }
        Ok(report)
    }

    /// One write on a new connection, as the application makes it.
    fn write(
        &self,
        log: &mut File,
        report: &mut LiveReport,
        what: &str,
        key: &str,
        statement: impl FnOnce(&mut SqliteConnection) -> QueryResult<usize>,
    ) -> Result<(), FixtureError> {
        let started = Instant::now();
        let outcome = self.try_write(statement)?;
        let waited = started.elapsed().as_millis();
        report.slowest_ms = report
            .slowest_ms
            .max(u64::try_from(waited).unwrap_or(u64::MAX));
        let line = match outcome {
            Outcome::Committed => {
                report.committed += 1;
                format!("ok {what} {key}\n")
            }
            Outcome::Dropped => {
                report.dropped += 1;
                format!("dropped {what} {key} {waited}\n")
            }
        };
        log.write_all(line.as_bytes())
            .map_err(|source| FixtureError::Io {
                path: self.log.display().to_string(),
                source,
            })
    }

    fn try_write(
        &self,
        statement: impl FnOnce(&mut SqliteConnection) -> QueryResult<usize>,
    ) -> Result<Outcome, FixtureError> {
        let mut conn = connect(&self.path)?;
        let busy = format!("PRAGMA busy_timeout = {}", self.busy_timeout.as_millis());
        match sql_query(busy)
            .execute(&mut conn)
            .and_then(|_| statement(&mut conn))
        {
            Ok(_) => Ok(Outcome::Committed),
            Err(e) if is_locked(&e) => Ok(Outcome::Dropped),
            Err(e) => Err(FixtureError::Sql(e)),
        }
    }
}

/// Whether SQLite refused for a lock held elsewhere ("database is locked").
/// The client address of request `n` (varies, as real clients do).
fn client_address(n: u64) -> String {
    format!("10.{}.{}.{}", n / 62_500 % 250, n / 250 % 250, n % 250)
}

fn is_locked(e: &diesel::result::Error) -> bool {
    let text = e.to_string();
    text.contains("locked") || text.contains("busy")
}

fn connect(path: &Path) -> Result<SqliteConnection, FixtureError> {
    Ok(SqliteConnection::establish(&path.to_string_lossy())?)
}

/// Committed keys of `table` in a live writer's log, in the order written
/// (`touch` lines list the session touched). A last line still being
/// written is left out.
///
/// # Errors
///
/// The log cannot be read.
pub fn committed_keys(log: &Path, table: &str) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(log)?;
    let whole = text.rfind('\n').map_or("", |end| &text[..end]);
    Ok(whole
        .lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("ok"), Some(t), Some(key)) if t == table => Some(key.to_owned()),
                _ => None,
            }
        })
        .collect())
}
