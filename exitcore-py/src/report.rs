//! `exitcore.Report`: the whole analysis of a data set under a policy, as
//! JSON, Markdown and one self-contained HTML page (shown inline in Jupyter).

use exitcore::report::Report;
use pyo3::prelude::*;

use crate::analysis::PyAnalysis;
use crate::errors::OrRaise;

/// A report: the analysis with its labels, rendered by the core. Only
/// `Dataset.report` makes one.
#[pyclass(frozen, name = "Report", module = "exitcore")]
pub struct PyReport(pub Report);

#[pymethods]
impl PyReport {
    /// The report as JSON (schema `exitcore-report/1`); the same data and
    /// options give the same bytes.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        self.0.to_json().or_raise(py)
    }

    /// The report as Markdown.
    fn to_markdown(&self) -> String {
        self.0.to_markdown()
    }

    /// The report as one self-contained HTML page.
    fn to_html(&self) -> String {
        self.0.to_html()
    }

    /// Jupyter shows the HTML report inline.
    fn _repr_html_(&self) -> String {
        self.0.to_html()
    }

    /// The analysis behind the report (dicts and data frames).
    #[getter]
    fn analysis(&self) -> PyAnalysis {
        PyAnalysis(self.0.analysis.clone())
    }

    /// The report's title.
    #[getter]
    fn title(&self) -> String {
        self.0.title.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(title={:?}, lang={:?}, n={})",
            self.0.title,
            self.0.lang.code(),
            self.0
                .analysis
                .overall
                .n
                .map_or_else(|| "None".to_owned(), |n| n.to_string())
        )
    }
}
