//! `exitcore.Analysis`: the result of `Dataset.analyse`, as dicts, JSON
//! and (when pandas is installed) data frames.
//!
//! Every number comes from the core's `Analysis`; the data frame accessors
//! only lay its fields out as columns.

use exitcore::analysis::{Analysis, GroupResult};
use exitcore::privacy::CellKey;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::to_py;
use crate::errors::OrRaise;
use crate::privacy::PyPolicy;

/// The result of an analysis: released numbers only. Only
/// `Dataset.analyse` makes one.
#[pyclass(frozen, name = "Analysis", module = "exitcore")]
pub struct PyAnalysis(pub Analysis);

/// Columns of a data frame, built up row by row; `None` becomes a missing value.
struct Columns<'py> {
    py: Python<'py>,
    names: &'static [&'static str],
    values: Vec<Vec<Bound<'py, PyAny>>>,
}

impl<'py> Columns<'py> {
    fn new(py: Python<'py>, names: &'static [&'static str]) -> Self {
        Columns {
            py,
            names,
            values: names.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// Appends one row; `row` holds one value per column, in column order.
    fn push(&mut self, row: Vec<Bound<'py, PyAny>>) {
        for (column, value) in self.values.iter_mut().zip(row) {
            column.push(value);
        }
    }

    /// A value for a row.
    fn cell<T: IntoPyObject<'py>>(&self, value: T) -> PyResult<Bound<'py, PyAny>> {
        value.into_bound_py_any(self.py)
    }

    /// `pandas.DataFrame(columns, columns=names)`, or `ImportError` naming
    /// `method` when pandas is not installed.
    fn frame(self, method: &str) -> PyResult<Bound<'py, PyAny>> {
        let pandas = self.py.import("pandas").map_err(|e| {
            let err = PyImportError::new_err(format!(
                "Analysis.{method}() needs pandas, which is not installed (pip install pandas)"
            ));
            err.set_cause(self.py, Some(e));
            err
        })?;
        let data = PyDict::new(self.py);
        for (name, column) in self.names.iter().zip(self.values) {
            data.set_item(name, PyList::new(self.py, column)?)?;
        }
        let kwargs = PyDict::new(self.py);
        kwargs.set_item("columns", PyList::new(self.py, self.names)?)?;
        pandas.getattr("DataFrame")?.call((data,), Some(&kwargs))
    }
}

impl PyAnalysis {
    /// The whole organisation and then every group of every breakdown.
    fn groups(&self) -> impl Iterator<Item = &GroupResult> {
        std::iter::once(&self.0.overall).chain(self.0.breakdowns.iter().flat_map(|b| &b.groups))
    }
}

/// The `group` column: the core's display of a cell key (`(all)` for the
/// whole organisation, `org_unit=D1/A, tenure_band=...` otherwise).
fn group_label(key: &CellKey) -> String {
    key.to_string()
}

#[pymethods]
impl PyAnalysis {
    /// The analysis as a dict (its serde form; NaN stays a float nan).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0)?.cast_into::<PyDict>()?)
    }

    /// The analysis as JSON text (NaN becomes null, as JSON has no NaN).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.0)
            .map_err(|e| exitcore::Error::Json {
                path: "(result)".into(),
                message: e.to_string(),
            })
            .or_raise(py)
    }

    /// The policy the release was decided under.
    #[getter]
    fn policy(&self) -> PyPolicy {
        PyPolicy(self.0.policy)
    }

    /// Counts of cells considered, released and withheld by reason.
    #[getter]
    fn audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0.audit)?.cast_into::<PyDict>()?)
    }

    /// The whole organisation (a group dict; `n` is None when withheld).
    #[getter]
    fn overall<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0.overall)?.cast_into::<PyDict>()?)
    }

    /// One dict per breakdown: `by`, `groups`, `reasons`, `items`.
    #[getter]
    fn breakdowns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.breakdowns)?.cast_into::<PyList>()?)
    }

    /// Trends over exit periods, or None when the analysis has no `trend`.
    #[getter]
    fn trends<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.0
            .trends
            .as_ref()
            .map(|t| Ok(to_py(py, t)?.cast_into::<PyDict>()?))
            .transpose()
    }

    /// Themes and distinctive words of the comments, per cell whose
    /// comments may be shown.
    #[getter]
    fn comments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.comments)?.cast_into::<PyList>()?)
    }

    /// Tenure survival at fixed horizons per released org unit, when
    /// current staff (`stayers`) were given; otherwise `None`.
    #[getter]
    fn survival<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.0
            .survival
            .as_ref()
            .map(|t| Ok(to_py(py, t)?.cast_into::<PyDict>()?))
            .transpose()
    }

    /// Spearman correlations of Likert items with eNPS and "would return".
    #[getter]
    fn drivers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.drivers)?.cast_into::<PyList>()?)
    }

    /// Every test with its raw and Benjamini-Hochberg adjusted p-value,
    /// most significant first.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.findings)?.cast_into::<PyList>()?)
    }

    /// The significant findings, strongest effect first: dicts with
    /// `finding`, `effect`, `nl` and `en`.
    #[getter]
    fn insights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.insights)?.cast_into::<PyList>()?)
    }

    /// The insights' sentences in `lang` (`"en"` or `"nl"`).
    #[pyo3(signature = (lang = "en"))]
    fn insight_texts(&self, py: Python<'_>, lang: &str) -> PyResult<Vec<String>> {
        let lang: exitcore::Lang = lang.parse().or_raise(py)?;
        Ok(self
            .0
            .insights
            .iter()
            .map(|i| i.text(lang).to_owned())
            .collect())
    }

    /// Primary reasons as a pandas `DataFrame`: one row per released group
    /// and option, with columns `group`, `option`, `count`, `share`,
    /// `lower`, `upper` (the Wilson interval).
    fn reasons_frame<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut c = Columns::new(py, &["group", "option", "count", "share", "lower", "upper"]);
        for g in self.groups().filter(|g| g.n.is_some()) {
            let group = group_label(&g.key);
            for s in &g.primary_reasons {
                let row = vec![
                    c.cell(&group)?,
                    c.cell(&s.option)?,
                    c.cell(s.count)?,
                    c.cell(s.share)?,
                    c.cell(s.interval.lower)?,
                    c.cell(s.interval.upper)?,
                ];
                c.push(row);
            }
        }
        c.frame("reasons_frame")
    }

    /// Likert items as a pandas `DataFrame`: one row per released group and
    /// item, with columns `group`, `question`, `theme`, `n`, `mean`,
    /// `lower`, `upper`, `rest_mean` and `p_value` (Mann-Whitney against
    /// the rest; missing for the whole organisation).
    fn items_frame<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut c = Columns::new(
            py,
            &[
                "group",
                "question",
                "theme",
                "n",
                "mean",
                "lower",
                "upper",
                "rest_mean",
                "p_value",
            ],
        );
        for g in self.groups().filter(|g| g.n.is_some()) {
            let group = group_label(&g.key);
            for i in &g.items {
                let row = vec![
                    c.cell(&group)?,
                    c.cell(&i.question)?,
                    c.cell(i.theme.map(exitcore::Theme::id))?,
                    c.cell(i.mean.n)?,
                    c.cell(i.mean.mean)?,
                    c.cell(i.mean.interval.lower)?,
                    c.cell(i.mean.interval.upper)?,
                    c.cell(i.rest_mean)?,
                    c.cell(i.vs_rest.map(|m| m.p_value))?,
                ];
                c.push(row);
            }
        }
        c.frame("items_frame")
    }

    /// Findings as a pandas `DataFrame`, most significant first: `group`,
    /// `n`, `kind` (`reason`, `item`, `reason_trend`, `item_trend`),
    /// `subject` (the option or question), `estimate` (the group's share or
    /// mean; the second half's for trends), `reference` (the rest's; the
    /// first half's for trends), `statistic` (odds ratio, rank-biserial,
    /// Cochran-Armitage z or Kendall's tau), `test`, `p_value`, `q_value`
    /// and `significant`.
    fn findings_frame<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut c = Columns::new(
            py,
            &[
                "group",
                "n",
                "kind",
                "subject",
                "estimate",
                "reference",
                "statistic",
                "test",
                "p_value",
                "q_value",
                "significant",
            ],
        );
        for f in &self.0.findings {
            let r = f.kind.row();
            let row = vec![
                c.cell(group_label(&f.key))?,
                c.cell(f.n)?,
                c.cell(r.kind)?,
                c.cell(r.subject)?,
                c.cell(r.estimate)?,
                c.cell(r.reference)?,
                c.cell(r.statistic)?,
                c.cell(f.test)?,
                c.cell(f.p_value)?,
                c.cell(f.q_value)?,
                c.cell(f.significant)?,
            ];
            c.push(row);
        }
        c.frame("findings_frame")
    }

    fn __repr__(&self) -> String {
        let a = &self.0;
        format!(
            "Analysis(n={}, breakdowns={}, findings={}, insights={})",
            a.overall
                .n
                .map_or_else(|| "None".to_owned(), |n| n.to_string()),
            a.breakdowns.len(),
            a.findings.len(),
            a.insights.len()
        )
    }
}
