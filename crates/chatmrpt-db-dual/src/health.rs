//! A circuit breaker per store: after a failure that says the store is
//! down, the write path stops waiting on it and leaves its writes in the
//! outbox; only the replayer probes it again, after a growing pause.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::inner::lock;

/// First pause after a store was found down; doubled per failure.
const FIRST_PAUSE: Duration = Duration::from_millis(250);

#[derive(Debug)]
struct State {
    failures: u32,
    down_until: Option<Instant>,
}

/// Whether a store is believed reachable.
#[derive(Debug)]
pub(crate) struct Breaker {
    max_pause: Duration,
    state: Mutex<State>,
}

impl Breaker {
    pub(crate) fn new(max_pause: Duration) -> Self {
        Self {
            max_pause,
            state: Mutex::new(State {
                failures: 0,
                down_until: None,
            }),
        }
    }

    /// The store answered last time it was asked.
    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.state).failures == 0
    }

    /// The replayer may probe the store now.
    pub(crate) fn may_probe(&self) -> bool {
        lock(&self.state)
            .down_until
            .is_none_or(|until| Instant::now() >= until)
    }

    pub(crate) fn failed(&self) {
        let mut state = lock(&self.state);
        state.failures = state.failures.saturating_add(1);
        let pause = FIRST_PAUSE
            .saturating_mul(1 << state.failures.min(16))
            .min(self.max_pause);
        state.down_until = Some(Instant::now() + pause);
    }

    pub(crate) fn succeeded(&self) {
        let mut state = lock(&self.state);
        state.failures = 0;
        state.down_until = None;
    }
}
