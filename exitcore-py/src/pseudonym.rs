//! `exitcore.Pseudonymiser` and `exitcore.pseudonymise`.

use std::borrow::Cow;

use pyo3::prelude::*;

use crate::errors::OrRaise;

/// Replaces identifiers with a keyed hash (HMAC-SHA256) under a secret key
/// of at least 16 bytes.
#[pyclass(frozen, name = "Pseudonymiser", module = "exitcore")]
pub struct PyPseudonymiser(exitcore::Pseudonymiser);

#[pymethods]
impl PyPseudonymiser {
    #[new]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn new(py: Python<'_>, key: Cow<'_, [u8]>) -> PyResult<Self> {
        exitcore::Pseudonymiser::new(&key)
            .map(PyPseudonymiser)
            .or_raise(py)
    }

    /// The pseudonym of `id`: `p_` and 32 hex digits.
    fn pseudonymise(&self, id: &str) -> String {
        self.0.pseudonymise(id)
    }

    #[allow(clippy::unused_self)] // a method, so Python calls it on instances
    fn __repr__(&self) -> &'static str {
        // Never show key material.
        "Pseudonymiser(...)"
    }
}

/// The pseudonym of `id` under `key` (at least 16 bytes).
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn pseudonymise(py: Python<'_>, key: Cow<'_, [u8]>, id: &str) -> PyResult<String> {
    let p = exitcore::Pseudonymiser::new(&key).or_raise(py)?;
    Ok(p.pseudonymise(id))
}
