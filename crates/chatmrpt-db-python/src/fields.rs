//! Python values in, domain values out: one table's fields, read from the
//! dict the Python layer passes, by column name.
//!
//! The Python layer has already turned the legacy call's arguments into
//! the legacy storage form (JSON-ish values serialised with Python's own
//! `json.dumps`/`str`, numbers as `int`/`float`, times as the legacy text);
//! what is left here is checking types and repairing text that neither
//! store can hold, which strict mode refuses instead.

use std::sync::atomic::{AtomicU64, Ordering};

use chatmrpt_db::validate::replace_nul;
use chatmrpt_db::{JsonText, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::InvalidInput;

/// Text repairs made in lenient mode, for `metrics()`.
#[derive(Debug, Default)]
pub(crate) struct Repairs {
    /// NUL bytes replaced by U+FFFD (fields, not bytes).
    pub nul_replaced: AtomicU64,
    /// Texts that were not valid Unicode (lone surrogates), repaired with U+FFFD.
    pub text_repaired: AtomicU64,
}

/// The fields of one write.
pub(crate) struct Fields<'a, 'py> {
    pub dict: &'a Bound<'py, PyDict>,
    pub table: &'static str,
    pub strict: bool,
    pub repairs: &'a Repairs,
    /// The clock of the legacy text given (`str(datetime.now())`).
    pub zone: chatmrpt_db::LegacyZone,
}

impl<'py> Fields<'_, 'py> {
    fn value(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.dict.get_item(key)?.filter(|v| !v.is_none()))
    }

    fn refuse(&self, key: &str, reason: impl std::fmt::Display) -> PyErr {
        InvalidInput::new_err(format!("invalid input in `{}.{key}`: {reason}", self.table))
    }

    /// Text; in lenient mode with NUL bytes and lone surrogates replaced by
    /// U+FFFD (logged and counted), in strict mode refused.
    pub fn text(&self, key: &str) -> PyResult<Option<String>> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let Ok(text) = value.cast::<PyString>() else {
            let kind = value.get_type().name()?;
            return Err(self.refuse(key, format!("expected text, got {kind}")));
        };
        let mut owned = match text.to_cow() {
            Ok(s) => s.into_owned(),
            Err(_) if self.strict => return Err(self.refuse(key, "text is not valid Unicode")),
            Err(_) => {
                self.repairs.text_repaired.fetch_add(1, Ordering::Relaxed);
                self.warn(key, "text that is not valid Unicode repaired with U+FFFD")?;
                // One U+FFFD per lone surrogate (a lossy UTF-8 decode would
                // give one per byte of its encoding).
                let repaired = self
                    .dict
                    .py()
                    .import("re")?
                    .call_method1("sub", ("[\\ud800-\\udfff]", "\u{fffd}", text))?;
                repaired.extract::<String>()?
            }
        };
        // Strict mode leaves NUL bytes for the store's validation to refuse.
        if !self.strict && replace_nul(&mut owned) {
            self.repairs.nul_replaced.fetch_add(1, Ordering::Relaxed);
            self.warn(
                key,
                "NUL byte replaced by U+FFFD (PostgreSQL cannot store it)",
            )?;
        }
        Ok(Some(owned))
    }

    /// Text that must be given (a primary key or a required argument).
    pub fn required(&self, key: &str) -> PyResult<String> {
        self.text(key)?
            .ok_or_else(|| self.refuse(key, "a value is required, got None"))
    }

    /// JSON-ish text, kept exactly.
    pub fn json(&self, key: &str) -> PyResult<Option<JsonText>> {
        Ok(self.text(key)?.map(JsonText::new))
    }

    /// A time given as the legacy text (`str(datetime)`).
    pub fn time(&self, key: &str) -> PyResult<Option<Timestamp>> {
        match self.text(key)? {
            None => Ok(None),
            Some(text) => self
                .zone
                .parse_legacy(&text)
                .map(Some)
                .map_err(|e| self.refuse(key, e)),
        }
    }

    /// A required time.
    pub fn required_time(&self, key: &str) -> PyResult<Timestamp> {
        self.time(key)?
            .ok_or_else(|| self.refuse(key, "a time is required, got None"))
    }

    /// A float (`int` accepted, `bool` refused).
    pub fn real(&self, key: &str) -> PyResult<Option<f64>> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        if value.is_instance_of::<pyo3::types::PyBool>() {
            return Err(self.refuse(key, "expected a number, got bool"));
        }
        value
            .extract::<f64>()
            .map(Some)
            .map_err(|_| self.refuse(key, "expected a number"))
    }

    /// A whole number.
    pub fn int(&self, key: &str) -> PyResult<Option<i64>> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        value
            .extract::<i64>()
            .map(Some)
            .map_err(|_| self.refuse(key, "expected a whole number that fits in 64 bits"))
    }

    /// A flag (`bool` or 0/1).
    pub fn flag(&self, key: &str) -> PyResult<Option<bool>> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        value
            .extract::<bool>()
            .or_else(|_| value.extract::<i64>().map(|v| v != 0))
            .map(Some)
            .map_err(|_| self.refuse(key, "expected a flag"))
    }

    /// A required flag.
    pub fn required_flag(&self, key: &str) -> PyResult<bool> {
        self.flag(key)?
            .ok_or_else(|| self.refuse(key, "a flag is required, got None"))
    }

    fn warn(&self, key: &str, what: &str) -> PyResult<()> {
        let logger = self
            .dict
            .py()
            .import("logging")?
            .call_method1("getLogger", ("chatmrpt_db",))?;
        logger.call_method1("warning", (format!("{}.{key}: {what}", self.table),))?;
        Ok(())
    }
}
