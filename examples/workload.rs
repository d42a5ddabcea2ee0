//! One ChatMRPT request, as the Flask application logs it: the session is
//! touched, the user's message, the LLM call and the assistant's answer are
//! logged, and now and then an analysis event, an upload, an analysis step
//! with its decision, or an error. Sizes follow the legacy file: messages of
//! a few hundred bytes, prompts and responses of one to three kilobytes.

use std::time::{Duration, Instant};

use chatmrpt_db::{
    AlgorithmDecision, AnalysisEvent, AnalysisStep, ErrorEntry, FileUpload, InteractionStore,
    JsonText, LlmInteraction, Message, Result, SessionId, SessionStart, Table,
};

/// Requests served per session before a worker starts a new one.
const REQUESTS_PER_SESSION: u64 = 8;

/// A small deterministic generator (splitmix64): the workload of a seed is
/// the same on every machine and every build, which a benchmark needs and a
/// general-purpose RNG crate does not promise across versions.
#[derive(Clone, Debug)]
pub struct Dice(u64);

impl Dice {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next_u64() % (hi - lo)
        }
    }

    /// True once in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.range(0, n) == 0
    }
}

/// Text of about `len` bytes (words from the malaria-risk vocabulary).
pub fn text(dice: &mut Dice, len: u64) -> String {
    const WORDS: [&str; 12] = [
        "ward",
        "risk",
        "malaria",
        "rainfall",
        "EVI",
        "Kano",
        "composite",
        "score",
        "vulnerability",
        "population",
        "nets",
        "ranking",
    ];
    let mut out = String::with_capacity(usize::try_from(len).unwrap_or(0) + 16);
    while (out.len() as u64) < len {
        let word = WORDS[usize::try_from(dice.range(0, 12)).unwrap_or(0)];
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// Buckets of [`Latencies`]: each 2% wider than the last, up to ~6 minutes.
const BUCKETS: usize = 1_100;

/// Write latencies in fixed memory: log-spaced buckets 2% wide, so a long
/// run's figures cost the same memory as a short one's.
#[derive(Clone, Debug)]
pub struct Latencies {
    buckets: Vec<u64>,
    max_us: u64,
}

impl Default for Latencies {
    fn default() -> Self {
        Self {
            buckets: vec![0; BUCKETS],
            max_us: 0,
        }
    }
}

impl Latencies {
    fn bucket(micros: u64) -> usize {
        let index = (micros.max(1) as f64).ln() / 1.02_f64.ln();
        (index as usize).min(BUCKETS - 1)
    }

    /// Counts one latency.
    pub fn record(&mut self, micros: u64) {
        self.buckets[Self::bucket(micros)] += 1;
        self.max_us = self.max_us.max(micros);
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Latencies) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.max_us = self.max_us.max(other.max_us);
    }

    /// The latency at quantile `q` (0..=1), within 2%.
    pub fn quantile(&self, q: f64) -> u64 {
        let total: u64 = self.buckets.iter().sum();
        let rank = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return 1.02_f64.powi(i32::try_from(i).unwrap_or(i32::MAX)).round() as u64;
            }
        }
        self.max_us
    }

    /// How many latencies were counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The largest latency seen.
    pub fn max(&self) -> u64 {
        self.max_us
    }
}

/// Where acknowledged rows are written, one `table key` line each.
pub type AckLog = std::sync::Arc<std::sync::Mutex<std::io::BufWriter<std::fs::File>>>;

/// What one worker acknowledged, timed.
#[derive(Debug, Default)]
pub struct Tally {
    /// Acknowledged writes per table (a session start counts for `sessions`).
    pub acked: std::collections::BTreeMap<&'static str, u64>,
    /// Every acknowledged row is logged here, when asked.
    pub ack_log: Option<AckLog>,
    /// Write latencies.
    pub latencies: Latencies,
    /// Failed writes, by error text.
    pub failures: std::collections::BTreeMap<String, u64>,
}

impl Tally {
    fn record(&mut self, table: Table, key: &str, started: Instant, result: Result<()>) {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.latencies.record(micros);
        match result {
            Ok(()) => {
                *self.acked.entry(table.name()).or_default() += 1;
                if let Some(log) = &self.ack_log {
                    use std::io::Write;
                    let mut log = log
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    // A lost line shows as a missing write in the check, never hides one.
                    let _ = writeln!(log, "{} {key}", table.name());
                }
            }
            Err(e) => *self.failures.entry(e.to_string()).or_default() += 1,
        }
    }
}

/// Serves request number `n` of worker `worker` against `store`.
pub fn request(
    store: &dyn InteractionStore,
    worker: u64,
    n: u64,
    dice: &mut Dice,
    tally: &mut Tally,
) {
    let session = SessionId::from(format!(
        "sim-w{worker}-{}-{}",
        std::process::id(),
        n / REQUESTS_PER_SESSION
    ));
    let timed = |tally: &mut Tally, table: Table, key: &str, f: &dyn Fn() -> Result<()>| {
        let started = Instant::now();
        let result = f();
        tally.record(table, key, started, result);
    };
    let mut start = SessionStart::new(session.clone());
    start.user_language = Some("en".into());
    start.browser_info = Some("Mozilla/5.0 (Linux; Android 13) simulate_app".into());
    timed(tally, Table::Sessions, session.as_str(), &|| {
        store.start_session(&start).map(drop)
    });
    let len = dice.range(40, 400);
    let question = Message::new(session.clone(), "user", text(dice, len));
    timed(
        tally,
        Table::Messages,
        question.message_id.as_str(),
        &|| store.log_message(&question),
    );
    let (prompt_len, answer_len) = (dice.range(800, 2_000), dice.range(600, 3_000));
    let mut llm = LlmInteraction::new(
        session.clone(),
        text(dice, prompt_len),
        text(dice, answer_len),
    );
    llm.tokens_used = i64::try_from(dice.range(200, 1_500)).ok();
    llm.latency = Some(dice.range(300, 4_000) as f64 / 1_000.0);
    timed(
        tally,
        Table::LlmInteractions,
        llm.interaction_id.as_str(),
        &|| store.log_llm_interaction(&llm),
    );
    let answer = Message::new(
        session.clone(),
        "assistant",
        llm.response.clone().unwrap_or_default(),
    );
    timed(tally, Table::Messages, answer.message_id.as_str(), &|| {
        store.log_message(&answer)
    });
    occasional(store, &session, dice, tally, &timed);
}

type Timed<'a> = dyn Fn(&mut Tally, Table, &str, &dyn Fn() -> Result<()>) + 'a;

fn occasional(
    store: &dyn InteractionStore,
    session: &SessionId,
    dice: &mut Dice,
    tally: &mut Tally,
    timed: &Timed<'_>,
) {
    if dice.one_in(5) {
        let mut event = AnalysisEvent::new(Some(session.clone()), "composite_score_analysis", true);
        event.details = Some(JsonText::new(r#"{"method": "composite", "wards": 484}"#));
        timed(
            tally,
            Table::AnalysisEvents,
            event.event_id.as_str(),
            &|| store.log_analysis_event(&event),
        );
    }
    if dice.one_in(10) {
        let size = i64::try_from(dice.range(10_000, 5_000_000)).unwrap_or(0);
        let upload = FileUpload::new(session.clone(), "csv", "kano_wards.csv", size);
        timed(
            tally,
            Table::FileUploads,
            upload.upload_id.as_str(),
            &|| store.log_file_upload(&upload),
        );
    }
    if dice.one_in(8) {
        let step = AnalysisStep::new(session.clone(), "normalization");
        timed(tally, Table::AnalysisSteps, step.step_id.as_str(), &|| {
            store.log_analysis_step(&step)
        });
        let decision = AlgorithmDecision::new(session.clone(), step.step_id.clone(), "method");
        timed(
            tally,
            Table::AlgorithmDecisions,
            decision.decision_id.as_str(),
            &|| store.log_algorithm_decision(&decision),
        );
    }
    if dice.one_in(20) {
        let error = ErrorEntry::new(
            session.clone(),
            "ValueError",
            "could not convert string to float",
        );
        timed(tally, Table::Errors, error.error_id.as_str(), &|| {
            store.log_error(&error)
        });
    }
}

/// How long a run lasts.
#[derive(Clone, Copy, Debug)]
pub enum Budget {
    /// This many requests per worker.
    Requests(u64),
    /// Until this much time has passed.
    Time(Duration),
}
