//! Each store's share of a write: a `metrics` recorder that keeps the
//! histogram the stores report (`chatmrpt_db_write_seconds`, by `store`) as
//! [`Latencies`], so a benchmark can split a dual write's latency into the
//! deciding store's write (with its outbox entry), the mirrored write, and
//! what the dual store adds around them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

use crate::workload::Latencies;

/// The histogram this recorder keeps; every other figure is dropped.
const WRITE_SECONDS: &str = "chatmrpt_db_write_seconds";

/// Write latencies by store, as the stores report them.
#[derive(Clone, Debug, Default)]
pub struct PerStore {
    stores: Arc<Mutex<BTreeMap<String, Arc<StoreHistogram>>>>,
}

#[derive(Debug, Default)]
struct StoreHistogram(Mutex<Latencies>);

impl HistogramFn for StoreHistogram {
    fn record(&self, seconds: f64) {
        let micros = (seconds * 1e6).round().max(0.0) as u64;
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(micros);
    }
}

impl PerStore {
    /// Installs a recorder feeding the returned handle: once per process,
    /// before the store opens. `None` when another recorder is installed.
    pub fn install() -> Option<Self> {
        let this = Self::default();
        metrics::set_global_recorder(this.clone()).ok()?;
        Some(this)
    }

    /// The latencies recorded so far, by store name.
    pub fn snapshot(&self) -> BTreeMap<String, Latencies> {
        self.stores
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(store, h)| {
                let latencies = h.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
                (store.clone(), latencies)
            })
            .collect()
    }
}

impl Recorder for PerStore {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        if key.name() != WRITE_SECONDS {
            return Histogram::noop();
        }
        let store = key
            .labels()
            .find(|l| l.key() == "store")
            .map_or_else(|| "unknown".to_owned(), |l| l.value().to_owned());
        let histogram = Arc::clone(
            self.stores
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(store)
                .or_default(),
        );
        Histogram::from_arc(histogram)
    }
}
