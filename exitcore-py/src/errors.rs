//! Python exceptions for [`exitcore::Error`]: one class per error code, all
//! subclasses of `exitcore.ExitcoreError`, itself a `ValueError`.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    exitcore,
    ExitcoreError,
    PyValueError,
    "Base class of every exitcore error; a ValueError with `code`, `field` and `problems`."
);
create_exception!(
    exitcore,
    QuestionnaireError,
    ExitcoreError,
    "The questionnaire is malformed or inconsistent (code \"questionnaire\")."
);
create_exception!(
    exitcore,
    InvalidRecordError,
    ExitcoreError,
    "A single record failed validation; `problems` lists why (code \"invalid_record\")."
);
create_exception!(
    exitcore,
    MappingError,
    ExitcoreError,
    "The import mapping is malformed or does not fit the file (code \"mapping\")."
);
create_exception!(
    exitcore,
    CsvError,
    ExitcoreError,
    "The CSV data cannot be read as CSV at all (code \"csv\")."
);
create_exception!(
    exitcore,
    JsonError,
    ExitcoreError,
    "JSON (or a dict) that is not one of exitcore's documents (code \"json\")."
);
create_exception!(
    exitcore,
    FileError,
    ExitcoreError,
    "A file could not be read or written (code \"io\")."
);
create_exception!(
    exitcore,
    InvalidArgumentError,
    ExitcoreError,
    "An argument of a call is out of its allowed range (code \"invalid_argument\")."
);
create_exception!(
    exitcore,
    BudgetExhaustedError,
    ExitcoreError,
    "A query would spend more privacy budget (epsilon) than is left; nothing was charged (code \"budget_exhausted\")."
);

/// The Python exception for a core error, with `code`, `field`, `problems`
/// (and `line` for CSV errors) set on the instance.
pub fn to_py_err(py: Python<'_>, err: &exitcore::Error) -> PyErr {
    let message = err.to_string();
    let exc = match err.code() {
        "questionnaire" => QuestionnaireError::new_err(message),
        "invalid_record" => InvalidRecordError::new_err(message),
        "mapping" => MappingError::new_err(message),
        "csv" => CsvError::new_err(message),
        "json" => JsonError::new_err(message),
        "io" => FileError::new_err(message),
        "invalid_argument" => InvalidArgumentError::new_err(message),
        "budget_exhausted" => BudgetExhaustedError::new_err(message),
        _ => ExitcoreError::new_err(message),
    };
    match annotate(py, &exc, err) {
        Ok(()) => exc,
        Err(failed) => failed,
    }
}

fn annotate(py: Python<'_>, exc: &PyErr, err: &exitcore::Error) -> PyResult<()> {
    let value = exc.value(py);
    value.setattr(pyo3::intern!(py, "code"), err.code())?;
    value.setattr(pyo3::intern!(py, "field"), err.field())?;
    let problems = crate::convert::to_py(py, err.problems())?;
    value.setattr(pyo3::intern!(py, "problems"), problems)?;
    value.setattr(pyo3::intern!(py, "line"), err.line())?;
    Ok(())
}

/// `?`-friendly conversion of core results.
pub trait OrRaise<T> {
    /// The value, or the matching Python exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for exitcore::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}

/// Registers the exception classes on the module, with class-level
/// defaults for the attributes (so an instance raised from Python code has
/// them too).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let classes = [
        (py.get_type::<ExitcoreError>(), "exitcore"),
        (py.get_type::<QuestionnaireError>(), "questionnaire"),
        (py.get_type::<InvalidRecordError>(), "invalid_record"),
        (py.get_type::<MappingError>(), "mapping"),
        (py.get_type::<CsvError>(), "csv"),
        (py.get_type::<JsonError>(), "json"),
        (py.get_type::<FileError>(), "io"),
        (py.get_type::<InvalidArgumentError>(), "invalid_argument"),
        (py.get_type::<BudgetExhaustedError>(), "budget_exhausted"),
    ];
    for (class, code) in classes {
        class.setattr("code", code)?;
        if code == "exitcore" {
            class.setattr("field", py.None())?;
            class.setattr("problems", PyList::empty(py))?;
            class.setattr("line", py.None())?;
        }
        m.add(class.name()?, class)?;
    }
    Ok(())
}
