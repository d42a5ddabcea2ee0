//! How a `NativeStore` reaches this process's store: opened on first use,
//! reopened after a fork, every call with the GIL released.

use std::sync::{Arc, PoisonError};

use chatmrpt_db::{Stage, Store};
use pyo3::prelude::*;

use crate::errors::{Unavailable, to_py};
use crate::store::NativeStore;

/// The store a process opened, and which process that was.
pub(crate) struct Opened {
    pub(crate) pid: u32,
    pub(crate) store: Arc<Store>,
}

impl NativeStore {
    /// This process's store, opened on first use.
    pub(crate) fn store(&self) -> PyResult<Arc<Store>> {
        if let Some(reason) = &self.startup_error {
            return Err(Unavailable::new_err(format!(
                "the store was not opened: {reason}"
            )));
        }
        let pid = std::process::id();
        let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = opened.as_ref().filter(|o| o.pid == pid) {
            return Ok(Arc::clone(&current.store));
        }
        if let Some(inherited) = opened.take() {
            // Made by the parent before the fork: see the type's docs.
            std::mem::forget(inherited);
        }
        let store = Arc::new(Store::open(&self.config).map_err(|e| to_py(&e))?);
        *opened = Some(Opened {
            pid,
            store: Arc::clone(&store),
        });
        Ok(store)
    }

    /// Runs `f` on this process's store with the GIL released.
    pub(crate) fn with_store<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Store) -> chatmrpt_db::Result<R> + Send,
    ) -> PyResult<R> {
        py.detach(|| {
            let store = self.store()?;
            f(&store).map_err(|e| to_py(&e))
        })
    }
}

/// Whether a pool's helper thread (`r2d2-worker-N`) still runs in this
/// process (Linux: `/proc/self/task`; elsewhere nothing can be seen).
pub(crate) fn helper_threads_running() -> bool {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return false;
    };
    tasks.flatten().any(|task| {
        std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|name| name.starts_with("r2d2-worker"))
    })
}

pub(crate) fn stage_of(store: &Store) -> Stage {
    match store {
        Store::Dual(d) => d.stage(),
        Store::Postgres(_) => Stage::Complete,
        _ => Stage::Off,
    }
}
