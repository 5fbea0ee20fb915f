//! `exitcore.Policy`, `exitcore.Redactor` and the check-digit helpers.

use pyo3::prelude::*;

use crate::convert::Num;
use crate::errors::OrRaise;

/// The caller's privacy rules: minimum group size `k` for numbers (at least
/// 2), a threshold for comments (not below `k`), and whether empty cells may
/// be shown.
#[pyclass(frozen, eq, name = "Policy", module = "exitcore")]
#[derive(PartialEq)]
pub struct PyPolicy(pub exitcore::privacy::Policy);

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (k = None, comment_k = None, show_zero = false))]
    fn new(
        py: Python<'_>,
        k: Option<Num<u32>>,
        comment_k: Option<Num<u32>>,
        show_zero: bool,
    ) -> PyResult<Self> {
        // Unset arguments take the core's defaults: the binding decides none.
        let p = match k {
            Some(Num(k)) => exitcore::privacy::Policy::new(k).or_raise(py)?,
            None => exitcore::privacy::Policy::default(),
        }
        .with_show_zero(show_zero);
        let p = match comment_k {
            Some(Num(c)) => p.with_comment_threshold(c).or_raise(py)?,
            None => p,
        };
        Ok(PyPolicy(p))
    }

    /// Minimum group size for any number.
    #[getter]
    fn k(&self) -> u32 {
        self.0.k()
    }

    /// Minimum group size for comments.
    #[getter]
    fn comment_k(&self) -> u32 {
        self.0.comment_k()
    }

    /// Whether empty cells are shown.
    #[getter]
    fn show_zero(&self) -> bool {
        self.0.show_zero()
    }

    /// Whether a group of `n` respondents is withheld.
    fn withholds(&self, n: Num<u64>) -> bool {
        self.0.withholds(n.0)
    }

    /// The policy as a dict (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::to_py(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy(k={}, comment_k={}, show_zero={})",
            self.0.k(),
            self.0.comment_k(),
            if self.0.show_zero() { "True" } else { "False" }
        )
    }
}

/// Replaces e-mail addresses, phone numbers, IBANs (mod-97), BSNs
/// (elfproef) and roster names in free text by typed placeholders.
#[pyclass(frozen, name = "Redactor", module = "exitcore")]
pub struct PyRedactor(pub exitcore::privacy::Redactor);

impl PyRedactor {
    /// A redactor for `roster`, a sequence of names (a `str` is refused, as
    /// pyo3 refuses it for a `list[str]` argument, rather than read as
    /// one-letter names).
    pub fn from_roster(py: Python<'_>, roster: &Bound<'_, PyAny>) -> PyResult<Self> {
        let names: Vec<String> = roster.extract().map_err(|e| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "argument 'roster': expected a sequence of names or a Redactor: {e}"
            ))
        })?;
        exitcore::privacy::Redactor::new(&names)
            .map(PyRedactor)
            .or_raise(py)
    }
}

#[pymethods]
impl PyRedactor {
    #[new]
    #[pyo3(signature = (roster = Vec::new()))]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn new(py: Python<'_>, roster: Vec<String>) -> PyResult<Self> {
        exitcore::privacy::Redactor::new(&roster)
            .map(PyRedactor)
            .or_raise(py)
    }

    /// `text` with personal data replaced by placeholders in `lang` ("nl" or "en").
    #[pyo3(signature = (text, lang = "nl"))]
    fn redact(&self, py: Python<'_>, text: &str, lang: &str) -> PyResult<String> {
        let lang: exitcore::Lang = lang.parse().or_raise(py)?;
        Ok(py.detach(|| self.0.redact(text, lang)))
    }

    #[allow(clippy::unused_self)] // a method, so Python calls it on instances
    fn __repr__(&self) -> &'static str {
        // The roster holds names: never echo it.
        "Redactor(...)"
    }
}

/// Whether `candidate` is an IBAN with valid check digits (mod-97).
#[pyfunction]
pub fn iban_is_valid(candidate: &str) -> bool {
    exitcore::privacy::iban_is_valid(candidate)
}

/// Whether `candidate` is a Dutch BSN by the elfproef.
#[pyfunction]
pub fn bsn_is_valid(candidate: &str) -> bool {
    exitcore::privacy::bsn_is_valid(candidate)
}
