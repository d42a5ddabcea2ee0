//! The `sessions` table: tens of thousands of rows, mostly health checks
//! and bots (every main request ran `INSERT OR REPLACE INTO sessions`), a
//! few thousand real conversations, ids in all three legacy forms.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::sqlite::SqliteConnection;

use super::FixtureError;
use super::insert::{Batch, Value};
use super::text;
use super::world::{Owner, World, jitter, with_micros};

const COLUMNS: [&str; 8] = [
    "session_id",
    "start_time",
    "last_activity",
    "user_language",
    "browser_info",
    "ip_address",
    "analysis_complete",
    "files_uploaded",
];

/// Client-supplied ids (one route accepts them): case variants of one name
/// are distinct sessions, ids are case-sensitive.
pub(crate) const CLIENT_IDS: [&str; 5] = [
    "Kano-Demo",
    "kano-demo",
    "KANO-DEMO",
    "test",
    "demo session 1",
];

/// When `<uuid>__<conversation_id>` ids appeared.
fn conversation_ids_from() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 9, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Writes the sessions, then fills `world.active` (sessions with child
/// rows) and `world.orphans` (ids child rows use with no sessions row).
pub(crate) fn write(world: &mut World, conn: &mut SqliteConnection) -> Result<(), FixtureError> {
    let n = world.count("sessions");
    let active_wanted = (world.child_rows() / 5).max(1);
    let stride = (n / active_wanted).max(1);
    // One slot of `slot` seconds per session; the last second of each slot is
    // never a session's, so `session_YYYYMMDD_HHMMSS` orphans cannot collide.
    let slot = ((world.last - world.first).num_seconds() / n.max(1) as i64).max(3);
    let mut batch = Batch::new("sessions", COLUMNS.to_vec());
    for i in 0..n {
        let start = world.first + Duration::seconds(i as i64 * slot + world.rng.range(0, slot - 2));
        let start = with_micros(&mut world.rng, start);
        let id = session_id(world, i, n, start);
        let active = i % stride == 0;
        batch.push(conn, row(world, &id, start, active))?;
        world.summary.table_mut("sessions").rows += 1;
        if active {
            world.active.push(Owner { id, start });
        }
    }
    batch.finish(conn)?;
    make_orphans(world, slot);
    Ok(())
}

fn session_id(world: &mut World, i: u64, n: u64, start: NaiveDateTime) -> String {
    let client = i
        .checked_sub(n / 3)
        .and_then(|k| CLIENT_IDS.get(k as usize));
    if let (Some(id), true) = (client, n >= 100) {
        return (*id).to_owned();
    }
    let r = world.rng.unit();
    if r < 0.2 && start >= conversation_ids_from() {
        format!("{}__{}", world.rng.uuid4(), world.rng.uuid4())
    } else if r < 0.55 {
        start.format("session_%Y%m%d_%H%M%S").to_string()
    } else {
        world.rng.uuid4()
    }
}

fn row(world: &mut World, id: &str, start: NaiveDateTime, active: bool) -> Vec<Value> {
    let rng = &mut world.rng;
    let bot = !active && rng.chance(0.8);
    let agent = match (active, bot) {
        (true, _) => text::browser_agent(rng),
        (false, true) => "ELB-HealthChecker/2.0",
        (false, false) => text::user_agent(rng),
    };
    let last = if active {
        jitter(rng, start, 5_400)
    } else {
        start
    };
    let language = match rng.below(100) {
        0..=4 if !bot => "ha",
        5..=7 if !bot => "yo",
        8 if !bot => "fr",
        _ => "en",
    };
    vec![
        Value::from(id),
        Value::time(start),
        Value::time(last),
        Value::from(language),
        Value::from(agent),
        Value::from(text::ip_address(rng)),
        Value::bool(active && rng.chance(0.3)),
        Value::bool(active && rng.chance(0.25)),
    ]
}

fn make_orphans(world: &mut World, slot: i64) {
    let n = (world.child_rows() / 25).max(1);
    for _ in 0..n {
        let rng = &mut world.rng;
        let k = rng.range(0, (world.last - world.first).num_seconds() / slot);
        let start = world.first + Duration::seconds(k * slot + slot - 1);
        let id = match rng.below(10) {
            0..=5 => rng.uuid4(),
            6..=7 if start >= conversation_ids_from() => {
                format!("{}__{}", rng.uuid4(), rng.uuid4())
            }
            _ => start.format("session_%Y%m%d_%H%M%S").to_string(),
        };
        world.orphans.push(Owner {
            id,
            start: with_micros(rng, start),
        });
    }
    world.orphans.sort_by_key(|o| o.start);
}
