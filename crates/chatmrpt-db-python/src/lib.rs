//! `chatmrpt_db._native`: the compiled half of the `chatmrpt_db` Python
//! package (see the crate's README).
//!
//! It translates and decides nothing: Python values in ([`fields`], one
//! [`chatmrpt_db::WriteOp`] per write in [`ops`]), the facade's store in
//! between ([`store`]: one per process, reopened after a fork, every call
//! with the GIL released), rows out in the legacy storage form ([`rows`]).
//! The legacy semantics (ids, times, JSON-ish serialisation, never raising)
//! live in the Python layer, `python/chatmrpt_db/`.
//!
//! PyO3's macros expand to `unsafe` code, so this crate cannot take the
//! workspace's `unsafe_code = "forbid"` (a forbid cannot be lifted by the
//! `allow` the macros carry): it denies `unsafe` instead, which still makes
//! any `unsafe` written here an error.

mod errors;
mod fields;
mod handle;
mod metrics;
mod ops;
mod reads;
mod rows;
mod store;

use pyo3::prelude::*;

/// The compiled module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<store::NativeStore>()?;
    m.add("Error", py.get_type::<errors::Error>())?;
    m.add("InvalidInput", py.get_type::<errors::InvalidInput>())?;
    m.add("Conflict", py.get_type::<errors::Conflict>())?;
    m.add("NotFound", py.get_type::<errors::NotFound>())?;
    m.add("Unavailable", py.get_type::<errors::Unavailable>())?;
    m.add(
        "NUL_REPLACEMENT",
        chatmrpt_db::validate::NUL_REPLACEMENT.to_string(),
    )?;
    Ok(())
}
