//! `exitcore.Release`, `exitcore.Ledger`, `exitcore.CellNoise` and
//! `exitcore.Budget`: decided releases and the state that later releases
//! depend on (what was published, the noise key, the epsilon spent).
//!
//! The mutable state (ledger, budget) lives behind a `Mutex` in a frozen
//! class. A lock is only ever held for a short core call, never while
//! waiting for the GIL, so two threads cannot deadlock on it.

use std::sync::{Mutex, MutexGuard, PoisonError};

use exitcore::privacy::{self, CellKey};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::{to_py, to_value};
use crate::dataset::PyDataset;
use crate::errors::{OrRaise, to_py_err};
use crate::privacy::PyPolicy;

/// An `invalid_argument` error for argument `name`, raised as its Python exception.
pub fn arg_error(py: Python<'_>, name: &str, message: impl Into<String>) -> PyErr {
    to_py_err(
        py,
        &exitcore::Error::InvalidArgument {
            name: name.to_owned(),
            message: message.into(),
        },
    )
}

/// A JSON text that does not hold the expected document, as a `JsonError`.
fn json_error(py: Python<'_>, e: &serde_json::Error) -> PyErr {
    to_py_err(
        py,
        &exitcore::Error::Json {
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        },
    )
}

/// The lock's contents; a poisoned lock (a panic elsewhere while holding it)
/// still holds a consistent value, because every core call either succeeds
/// or changes nothing.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A decided release: every cell of its tables (released with a count, or
/// withheld with a reason), the audit, the policy and, for a differentially
/// private release, the noise. Only `Dataset.release` makes one.
#[pyclass(frozen, name = "Release", module = "exitcore")]
pub struct PyRelease {
    inner: privacy::Release,
    dataset: Py<PyDataset>,
}

impl PyRelease {
    /// Wraps a release decided on `dataset`.
    pub fn new(inner: privacy::Release, dataset: Py<PyDataset>) -> Self {
        PyRelease { inner, dataset }
    }
}

/// A cell key from a list of `(dimension, value)` pairs or a dict
/// `{dimension: value}` (its pairs in the dict's order).
fn cell_key(key: &Bound<'_, PyAny>) -> PyResult<CellKey> {
    let py = key.py();
    let value = if let Ok(d) = key.cast::<PyDict>() {
        let mut pairs = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            pairs.push(serde_json::Value::Array(vec![
                to_value(&k, "key")?,
                to_value(&v, "key")?,
            ]));
        }
        serde_json::Value::Array(pairs)
    } else {
        to_value(key, "key")?
    };
    serde_json::from_value(value).map_err(|e| {
        arg_error(
            py,
            "key",
            format!("expected a list of (dimension, value) pairs or a dict: {e}"),
        )
    })
}

#[pymethods]
impl PyRelease {
    /// Every cell of every table, in table order: dicts with `key` (a list
    /// of (dimension, value) pairs), `n` (None when withheld), `withheld`
    /// and `comments`.
    #[getter]
    fn cells<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.inner.cells)?.cast_into::<PyList>()?)
    }

    /// Counts of cells considered, released and withheld by reason.
    #[getter]
    fn audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.inner.audit)?.cast_into::<PyDict>()?)
    }

    /// The policy the release was decided under.
    #[getter]
    fn policy(&self) -> PyPolicy {
        PyPolicy(self.inner.policy)
    }

    /// `{"epsilon": ..., "scale": ...}` for a differentially private release, else None.
    #[getter]
    fn noise<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.inner
            .noise
            .as_ref()
            .map(|n| Ok(to_py(py, n)?.cast_into::<PyDict>()?))
            .transpose()
    }

    /// The release as a dict (its JSON form: policy, cells, audit and, when
    /// noised, noise).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.inner)?.cast_into::<PyDict>()?)
    }

    /// The redacted comments on free-text `question` of the people in cell
    /// `key`, sorted, or None when the release withholds that cell's
    /// comments. `key` is a list of (dimension, value) pairs or a dict
    /// (`[("org_unit", "D/A")]`, `{"org_unit": "D/A"}`; `[]` is everyone);
    /// names in `roster` (a sequence of names, or a `Redactor` made once)
    /// are redacted too, placeholders are in `lang`.
    #[pyo3(signature = (key, question, *, roster = None, lang = "en"))]
    fn comments(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        question: &str,
        roster: Option<&Bound<'_, PyAny>>,
        lang: &str,
    ) -> PyResult<Option<Vec<String>>> {
        let key = cell_key(key)?;
        let lang: exitcore::Lang = lang.parse().or_raise(py)?;
        let extra = crate::inputs::Extra::read(py, None, None, roster)?;
        // No roster: the redactor of e-mail addresses, numbers and the like.
        let plain;
        let redactor = if let Some(r) = extra.redactor() {
            r
        } else {
            plain = privacy::Redactor::new(&[] as &[String]).or_raise(py)?;
            &plain
        };
        let dataset = &self.dataset.get().0;
        let release = &self.inner;
        py.detach(|| release.comments(dataset, &key, question, redactor, lang))
            .or_raise(py)
    }

    fn __repr__(&self) -> String {
        let a = &self.inner.audit;
        let noise = self.inner.noise.map_or_else(
            || "None".to_owned(),
            |n| format!("{{epsilon={:?}}}", n.epsilon),
        );
        format!(
            "Release(cells={}, released={}, noise={noise})",
            a.cells, a.released
        )
    }
}

/// What earlier releases of a data set published, so that a new release
/// cannot be subtracted from them. Keep it (`to_json`) between releases.
#[pyclass(frozen, name = "Ledger", module = "exitcore")]
pub struct PyLedger(Mutex<privacy::Ledger>);

impl PyLedger {
    /// Runs `f` with the ledger locked.
    pub fn with<T>(&self, f: impl FnOnce(&privacy::Ledger) -> T) -> T {
        f(&lock(&self.0))
    }
}

#[pymethods]
impl PyLedger {
    #[new]
    fn new() -> Self {
        PyLedger(Mutex::new(privacy::Ledger::default()))
    }

    /// Adds `release`, decided on `dataset`, to the ledger.
    fn record(&self, py: Python<'_>, dataset: &PyDataset, release: &PyRelease) -> PyResult<()> {
        let ds = &dataset.0;
        let r = &release.inner;
        py.detach(|| lock(&self.0).record(ds, r)).or_raise(py)
    }

    /// The ledger as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&*lock(&self.0)).map_err(|e| json_error(py, &e))
    }

    /// Reads a ledger written by `to_json`.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        serde_json::from_str(json)
            .map(|l| PyLedger(Mutex::new(l)))
            .map_err(|e| json_error(py, &e))
    }

    fn __len__(&self) -> usize {
        lock(&self.0).len()
    }

    fn __repr__(&self) -> String {
        format!("Ledger(releases={})", lock(&self.0).len())
    }
}

/// The secret key of the noise added to differentially private counts
/// (at least 16 bytes; a `str` counts as its UTF-8 bytes).
#[pyclass(frozen, name = "CellNoise", module = "exitcore")]
pub struct PyCellNoise(pub privacy::CellNoise);

#[pymethods]
impl PyCellNoise {
    #[new]
    fn new(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes: std::borrow::Cow<'_, [u8]> = if let Ok(s) = key.cast::<PyString>() {
            std::borrow::Cow::Owned(s.to_cow()?.as_bytes().to_vec())
        } else {
            key.extract::<std::borrow::Cow<'_, [u8]>>()
                .map_err(|_| arg_error(py, "key", "expected str or bytes"))?
        };
        privacy::CellNoise::new(&bytes)
            .map(PyCellNoise)
            .or_raise(py)
    }

    #[allow(clippy::unused_self)] // a method, so Python calls it on instances
    fn __repr__(&self) -> &'static str {
        // Never show key material.
        "CellNoise(...)"
    }
}

/// The epsilon budget of one data set: each distinct release spends its
/// epsilon once (a repeat is free), and a release that would overspend is
/// refused with `BudgetExhaustedError`. Keep it (`to_json`) between sessions.
#[pyclass(frozen, name = "Budget", module = "exitcore")]
pub struct PyBudget(Mutex<privacy::Budget>);

impl PyBudget {
    /// Runs `f` with the budget locked.
    pub fn with<T>(&self, f: impl FnOnce(&mut privacy::Budget) -> T) -> T {
        f(&mut lock(&self.0))
    }
}

#[pymethods]
impl PyBudget {
    #[new]
    fn new(py: Python<'_>, total_epsilon: f64) -> PyResult<Self> {
        privacy::Budget::new(total_epsilon)
            .map(|b| PyBudget(Mutex::new(b)))
            .or_raise(py)
    }

    /// Epsilon spent so far.
    #[getter]
    fn spent(&self) -> f64 {
        lock(&self.0).spent()
    }

    /// Epsilon left.
    #[getter]
    fn remaining(&self) -> f64 {
        lock(&self.0).remaining()
    }

    /// The total epsilon.
    #[getter]
    fn total(&self) -> f64 {
        lock(&self.0).total()
    }

    /// The budget (total and charges) as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&*lock(&self.0)).map_err(|e| json_error(py, &e))
    }

    /// Reads a budget written by `to_json` (its charges are replayed, so a
    /// file edited into overspending does not load).
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        serde_json::from_str(json)
            .map(|b| PyBudget(Mutex::new(b)))
            .map_err(|e| json_error(py, &e))
    }

    fn __repr__(&self) -> String {
        let b = lock(&self.0);
        format!("Budget(total={:?}, spent={:?})", b.total(), b.spent())
    }
}
