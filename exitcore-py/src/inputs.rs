//! `exitcore.Headcount` and `exitcore.Stayers`: the report's optional inputs
//! read once, so a dashboard that reports again and again (per policy, per
//! language, per breakdown) does not read thousands of rows on every call.
//!
//! `Dataset.analyse` and `Dataset.report` take either these or the plain
//! rows they are made from; both ways give the same result, since both end
//! in the same core values.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert::to_value;
use crate::errors::OrRaise;

/// Headcount per org unit per quarter, checked and summed by the core:
/// rows (dicts with `org_unit`, `year`, `quarter`, `headcount`) or the path
/// of a CSV or JSON file of them.
#[pyclass(frozen, name = "Headcount", module = "exitcore")]
pub struct PyHeadcount(pub exitcore::Headcount);

#[pymethods]
impl PyHeadcount {
    #[new]
    fn new(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Self> {
        read_headcount(py, source)
            .map(PyHeadcount)
            .map_err(|e| kind_error(py, e, "source", "rows or a path"))
    }

    /// Reads CSV text (`str` or UTF-8 `bytes`) with the columns `org_unit`
    /// (levels joined by `/`), `year`, `quarter` and `headcount`; an error
    /// names the line.
    #[staticmethod]
    fn from_csv(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let parsed = if let Ok(text) = data.cast::<PyString>() {
            exitcore::Headcount::from_csv(text.to_str()?.as_bytes())
        } else if let Ok(bytes) = data.cast::<PyBytes>() {
            exitcore::Headcount::from_csv(bytes.as_bytes())
        } else {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "argument 'data': expected str or bytes, got {}",
                data.get_type().name()?
            )));
        };
        parsed.map(PyHeadcount).or_raise(py)
    }

    /// The first and last quarter covered, as `((year, quarter), (year,
    /// quarter))`.
    #[getter]
    fn span(&self) -> Option<((i32, u8), (i32, u8))> {
        self.0.span()
    }

    /// Person-years of the unit at `org_unit` and everything under it.
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn person_years(&self, org_unit: Vec<String>) -> f64 {
        self.0.person_years(&org_unit)
    }

    fn __repr__(&self) -> String {
        match self.0.span() {
            Some(((y0, q0), (y1, q1))) => format!("Headcount({y0}Q{q0}..{y1}Q{q1})"),
            None => "Headcount()".to_owned(),
        }
    }
}

/// Current staff: rows (dicts with `org_unit` and `tenure_months`) read by
/// the core once, for survival curves and tests in any number of reports.
#[pyclass(frozen, name = "Stayers", module = "exitcore")]
pub struct PyStayers(pub Vec<exitcore::analysis::Stayer>);

#[pymethods]
impl PyStayers {
    #[new]
    fn new(py: Python<'_>, rows: &Bound<'_, PyAny>) -> PyResult<Self> {
        read_stayers(py, rows)
            .map(PyStayers)
            .map_err(|e| kind_error(py, e, "rows", "rows"))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!("Stayers(len={})", self.0.len())
    }
}

/// The optional inputs `analyse` and `report` share, read by the core:
/// objects given as `Headcount`, `Stayers` or `Redactor` are used as they
/// are, anything else is read into a new one for this call.
pub struct Extra<'py> {
    headcount: Option<Bound<'py, PyHeadcount>>,
    stayers: Option<Bound<'py, PyStayers>>,
    redactor: Option<Bound<'py, crate::privacy::PyRedactor>>,
}

impl<'py> Extra<'py> {
    pub fn read(
        py: Python<'py>,
        headcount: Option<&Bound<'py, PyAny>>,
        stayers: Option<&Bound<'py, PyAny>>,
        roster: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Extra {
            headcount: given(headcount, |h| {
                read_headcount(py, h)
                    .map(PyHeadcount)
                    .map_err(|e| kind_error(py, e, "headcount", "rows, a path or a Headcount"))
            })?,
            stayers: given(stayers, |s| {
                read_stayers(py, s)
                    .map(PyStayers)
                    .map_err(|e| kind_error(py, e, "stayers", "rows or a Stayers"))
            })?,
            redactor: given(roster, |r| crate::privacy::PyRedactor::from_roster(py, r))?,
        })
    }

    pub fn headcount(&self) -> Option<&exitcore::Headcount> {
        self.headcount.as_ref().map(|h| &h.get().0)
    }

    pub fn stayers(&self) -> Option<&[exitcore::analysis::Stayer]> {
        self.stayers.as_ref().map(|s| s.get().0.as_slice())
    }

    pub fn redactor(&self) -> Option<&exitcore::privacy::Redactor> {
        self.redactor.as_ref().map(|r| &r.get().0)
    }
}

/// `value` as the input class `T`: the instance itself when it is one,
/// else a new one made by `read` from it as plain data; `None` when unset.
fn given<'py, T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
    value: Option<&Bound<'py, PyAny>>,
    read: impl FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<Option<Bound<'py, T>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    match value.cast::<T>() {
        Ok(instance) => Ok(Some(instance.clone())),
        Err(_) => Bound::new(value.py(), read(value)?).map(Some),
    }
}

/// A `TypeError` (the value is not data of the right shape at all) says
/// which argument and what it takes; every other error is the core's, which
/// already names the field.
fn kind_error(py: Python<'_>, err: PyErr, name: &str, expected: &str) -> PyErr {
    if !err.is_instance_of::<pyo3::exceptions::PyTypeError>(py) {
        return err;
    }
    let named = pyo3::exceptions::PyTypeError::new_err(format!(
        "argument '{name}': expected {expected}: {}",
        err.value(py)
    ));
    named.set_cause(py, Some(err));
    named
}

/// Headcount given as rows (a list of dicts) or as a path to a CSV or JSON
/// file, which the core reads. Plain rows are read straight into the core's
/// rows (4 to 5 times faster than through JSON values); anything else goes
/// through JSON, so a type error names its path as the core words it.
fn read_headcount(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<exitcore::Headcount> {
    if let Some(rows) = crate::convert::headcount_rows(value) {
        return exitcore::Headcount::new(rows).or_raise(py);
    }
    if let Ok(path) = value.extract::<std::path::PathBuf>() {
        return exitcore::Headcount::from_path(path).or_raise(py);
    }
    exitcore::Headcount::from_json_value(to_value(value, "headcount")?).or_raise(py)
}

/// Current staff as rows: plain lists of dicts read straight into the
/// core's values, anything else through JSON, as for [`read_headcount`].
fn read_stayers(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
) -> PyResult<Vec<exitcore::analysis::Stayer>> {
    match crate::convert::stayer_rows(value) {
        Some(rows) => Ok(rows),
        None => exitcore::analysis::Stayer::list_from_json_value(to_value(value, "stayers")?)
            .or_raise(py),
    }
}
