//! `exitcore.Questionnaire`.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{record_from_py, to_py};
use crate::errors::OrRaise;

/// A versioned, checked questionnaire: themes, questions, skip logic.
#[pyclass(frozen, eq, name = "Questionnaire", module = "exitcore")]
#[derive(Clone, PartialEq)]
pub struct PyQuestionnaire(pub exitcore::Questionnaire);

#[pymethods]
impl PyQuestionnaire {
    /// The standard exit questionnaire shipped with exitcore (nl and en).
    #[staticmethod]
    fn standard() -> Self {
        PyQuestionnaire(exitcore::Questionnaire::standard())
    }

    /// Parses and checks a questionnaire from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        exitcore::Questionnaire::from_json(json)
            .map(PyQuestionnaire)
            .or_raise(py)
    }

    /// Reads and checks a questionnaire from a JSON file.
    #[staticmethod]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        exitcore::Questionnaire::from_path(&path)
            .map(PyQuestionnaire)
            .or_raise(py)
    }

    /// The questionnaire as pretty-printed JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The questionnaire as a dict (the JSON document).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0)?.cast_into::<PyDict>()?)
    }

    /// Stable id of the questionnaire family.
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }

    /// Version number, from 1.
    #[getter]
    fn version(&self) -> u32 {
        self.0.version
    }

    /// The title by language code.
    #[getter]
    fn title<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0.title)?.cast_into::<PyDict>()?)
    }

    /// The question ids, in the order they are asked.
    fn question_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.questions.iter().map(|q| q.id.as_str()))
    }

    /// Checks one record (a dict); raises `InvalidRecordError` with every
    /// problem, or `JsonError` when the dict is not shaped like a record.
    fn validate(&self, record: &Bound<'_, PyAny>) -> PyResult<()> {
        let r = record_from_py(record)?;
        self.0.validate(&r).or_raise(record.py())
    }

    /// Every problem of one record (a dict), as dicts with keys row,
    /// respondent, field, kind, message; empty when the record is valid.
    fn problems<'py>(&self, record: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let r = record_from_py(record)?;
        Ok(to_py(record.py(), &self.0.problems(&r))?.cast_into::<PyList>()?)
    }

    /// Carries a record of an earlier version over to this version.
    fn migrate<'py>(&self, record: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let py = record.py();
        let r = record_from_py(record)?;
        let migrated = self.0.migrate(&r).or_raise(py)?;
        Ok(to_py(py, &migrated)?.cast_into::<PyDict>()?)
    }

    fn __repr__(&self) -> String {
        format!(
            "Questionnaire(id={:?}, version={}, questions={})",
            self.0.id,
            self.0.version,
            self.0.questions.len()
        )
    }
}

/// Every theme of the taxonomy, in order: dicts with keys id, nl, en.
#[pyfunction]
pub fn themes(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for theme in exitcore::Theme::ALL {
        let d = PyDict::new(py);
        d.set_item("id", theme.id())?;
        d.set_item("nl", theme.label(exitcore::Lang::Nl))?;
        d.set_item("en", theme.label(exitcore::Lang::En))?;
        list.append(d)?;
    }
    Ok(list)
}
