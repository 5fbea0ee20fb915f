//! `exitcore.Dataset`, its load and import results, and `exitcore.Mapping`.

use std::borrow::Cow;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{Num, to_py, to_value};
use crate::errors::OrRaise;
use crate::questionnaire::PyQuestionnaire;
use crate::release::PyRelease;

/// Validated exit records stored by column.
#[pyclass(frozen, name = "Dataset", module = "exitcore")]
pub struct PyDataset(pub exitcore::Dataset);

/// The result of a bulk load: the dataset of every valid record and every
/// problem found in the others.
#[pyclass(frozen, name = "LoadResult", module = "exitcore")]
pub struct LoadResult {
    dataset: Py<PyDataset>,
    problems: Vec<exitcore::Problem>,
    rejected: usize,
}

/// The result of a CSV import: dataset, problems, rejected rows and a
/// per-column summary.
#[pyclass(frozen, name = "ImportResult", module = "exitcore")]
pub struct ImportResult {
    dataset: Py<PyDataset>,
    problems: Vec<exitcore::Problem>,
    rejected: usize,
    summary: exitcore::ImportSummary,
}

/// A checked CSV import mapping together with its questionnaire.
#[pyclass(frozen, name = "Mapping", module = "exitcore")]
pub struct PyMapping(pub exitcore::Mapping);

impl LoadResult {
    /// Wraps a core load result.
    pub fn new(py: Python<'_>, loaded: exitcore::Loaded) -> PyResult<Self> {
        Ok(LoadResult {
            dataset: Py::new(py, PyDataset(loaded.dataset))?,
            problems: loaded.problems,
            rejected: loaded.rejected,
        })
    }
}

pub(crate) fn pseudonymiser(
    py: Python<'_>,
    key: Option<&Cow<'_, [u8]>>,
) -> PyResult<Option<exitcore::Pseudonymiser>> {
    key.map(|k| exitcore::Pseudonymiser::new(k))
        .transpose()
        .or_raise(py)
}

/// The mapping given, or without one the identity mapping of a table's
/// columns `names` (on the questionnaire given, or the standard one).
pub(crate) fn mapping_or_identity<'m>(
    py: Python<'_>,
    mapping: Option<&'m PyMapping>,
    questionnaire: Option<&PyQuestionnaire>,
    names: &[String],
) -> PyResult<Cow<'m, exitcore::Mapping>> {
    if let Some(m) = mapping {
        return Ok(Cow::Borrowed(&m.0));
    }
    let q = questionnaire.map_or_else(exitcore::Questionnaire::standard, |q| q.0.clone());
    exitcore::Mapping::identity(q, names)
        .map(Cow::Owned)
        .or_raise(py)
}

pub(crate) fn import_result(
    py: Python<'_>,
    outcome: exitcore::ImportOutcome,
) -> PyResult<ImportResult> {
    Ok(ImportResult {
        dataset: Py::new(py, PyDataset(outcome.loaded.dataset))?,
        problems: outcome.loaded.problems,
        rejected: outcome.loaded.rejected,
        summary: outcome.summary,
    })
}

#[pymethods]
impl PyDataset {
    /// Validates records (a list of dicts) and keeps the valid ones; each
    /// bad element becomes a problem naming its 1-based row, never an error.
    /// Each dict is read in turn (~30,000 a second): for large tables use
    /// `from_arrow` or `exitcore.from_pandas`.
    #[staticmethod]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_records(
        py: Python<'_>,
        questionnaire: &PyQuestionnaire,
        records: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<LoadResult> {
        // An element with no JSON equivalent (a set, a datetime, an int too
        // large) is handed to the core as a failed input, so it is rejected
        // and counted at its row while the others load.
        let mut inputs = Vec::with_capacity(records.len());
        for obj in &records {
            match to_value(obj, "record") {
                Ok(v) => inputs.push(Ok(v)),
                Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => {
                    inputs.push(Err(format!("cannot convert from python: {}", e.value(py))));
                }
                Err(e) => return Err(e),
            }
        }
        let q = &questionnaire.0;
        let loaded = py.detach(|| exitcore::Dataset::from_json_inputs(q, inputs));
        LoadResult::new(py, loaded)
    }

    /// Parses a JSON array of records and loads it like `from_records`.
    #[staticmethod]
    fn from_json(
        py: Python<'_>,
        questionnaire: &PyQuestionnaire,
        json: &str,
    ) -> PyResult<LoadResult> {
        let q = &questionnaire.0;
        let loaded = py
            .detach(|| exitcore::Dataset::from_json(q, json))
            .or_raise(py)?;
        LoadResult::new(py, loaded)
    }

    /// Imports a CSV file through `mapping`; with `pseudonymise_key`,
    /// respondent and manager ids are replaced by keyed hashes.
    #[staticmethod]
    #[pyo3(signature = (path, mapping, pseudonymise_key = None))]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_csv(
        py: Python<'_>,
        path: PathBuf,
        mapping: &PyMapping,
        pseudonymise_key: Option<Cow<'_, [u8]>>,
    ) -> PyResult<ImportResult> {
        let options = exitcore::ImportOptions {
            pseudonymiser: pseudonymiser(py, pseudonymise_key.as_ref())?,
        };
        let m = &mapping.0;
        let outcome = py.detach(|| m.import_path(&path, &options)).or_raise(py)?;
        import_result(py, outcome)
    }

    /// Imports CSV data given as bytes through `mapping`.
    #[staticmethod]
    #[pyo3(signature = (data, mapping, pseudonymise_key = None))]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_csv_bytes(
        py: Python<'_>,
        data: Cow<'_, [u8]>,
        mapping: &PyMapping,
        pseudonymise_key: Option<Cow<'_, [u8]>>,
    ) -> PyResult<ImportResult> {
        let options = exitcore::ImportOptions {
            pseudonymiser: pseudonymiser(py, pseudonymise_key.as_ref())?,
        };
        let m = &mapping.0;
        let bytes: &[u8] = &data;
        let outcome = py.detach(|| m.import_csv(bytes, &options)).or_raise(py)?;
        import_result(py, outcome)
    }

    /// Imports an Arrow table (anything with `__arrow_c_stream__` or
    /// `__arrow_c_array__`: a pyarrow `Table` or `RecordBatch`, a polars
    /// `DataFrame`) through `mapping`, or, without one, from columns named
    /// after the record's fields and question ids (see
    /// `Mapping.identity`). Rows are numbered from 1.
    #[staticmethod]
    #[pyo3(signature = (table, mapping = None, *, questionnaire = None, pseudonymise_key = None))]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_arrow(
        py: Python<'_>,
        table: pyo3_arrow::input::AnyRecordBatch,
        mapping: Option<&PyMapping>,
        questionnaire: Option<&PyQuestionnaire>,
        pseudonymise_key: Option<Cow<'_, [u8]>>,
    ) -> PyResult<ImportResult> {
        let options = exitcore::ImportOptions {
            pseudonymiser: pseudonymiser(py, pseudonymise_key.as_ref())?,
        };
        let reader = table.into_reader()?;
        let names: Vec<String> = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let batches: Vec<arrow_array::RecordBatch> = reader
            .collect::<Result<_, _>>()
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let m = mapping_or_identity(py, mapping, questionnaire, &names)?;
        let outcome = py
            .detach(|| -> PyResult<exitcore::Result<exitcore::ImportOutcome>> {
                let cells = crate::arrow::batches(&batches, &names)?;
                Ok(m.import_columns(
                    &names,
                    cells.iter().map(|b| b as &dyn exitcore::import::Columns),
                    &options,
                ))
            })?
            .or_raise(py)?;
        import_result(py, outcome)
    }

    /// The questionnaire the records answer.
    #[getter]
    fn questionnaire(&self) -> PyQuestionnaire {
        PyQuestionnaire(self.0.questionnaire().clone())
    }

    /// Size and shape of the dataset (no answers, no per-group counts).
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.0.summary())?.cast_into::<PyDict>()?)
    }

    /// Decides a release: which cells of the given tables may be shown
    /// under `policy`, with an audit. `tables` lists dimension names
    /// (`[["org_unit"], ["org_unit", "tenure_band"]]`); `distributions`
    /// lists questions whose answers are shown per cell. With `ledger`, the
    /// cells published by the releases recorded in it count as public. With
    /// `noise`, `epsilon` and `budget` (all three or none), counts are
    /// differentially private and `epsilon` is charged to `budget`.
    #[pyo3(signature = (
        tables, distributions = None, policy = None, *,
        ledger = None, noise = None, epsilon = None, budget = None
    ))]
    #[allow(clippy::too_many_arguments)] // the Python signature
    fn release<'py>(
        slf: &Bound<'py, Self>,
        tables: &Bound<'py, PyAny>,
        distributions: Option<&Bound<'py, PyAny>>,
        policy: Option<&crate::privacy::PyPolicy>,
        ledger: Option<&crate::release::PyLedger>,
        noise: Option<&crate::release::PyCellNoise>,
        epsilon: Option<Num<f64>>,
        budget: Option<&crate::release::PyBudget>,
    ) -> PyResult<PyRelease> {
        let py = slf.py();
        let mut spec = serde_json::Map::new();
        spec.insert("tables".into(), to_value(tables, "tables")?);
        if let Some(d) = distributions {
            spec.insert("distributions".into(), to_value(d, "distributions")?);
        }
        let spec = exitcore::privacy::ReleaseSpec::from_json_value(serde_json::Value::Object(spec))
            .or_raise(py)?;
        let policy = policy.map_or_else(exitcore::privacy::Policy::default, |p| p.0);
        let dp = match (noise, epsilon, budget) {
            (None, None, None) => None,
            (Some(n), Some(Num(e)), Some(b)) => Some((n, e, b)),
            (n, e, b) => {
                let missing = [
                    ("noise", n.is_none()),
                    ("epsilon", e.is_none()),
                    ("budget", b.is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(name, _)| *name)
                .collect::<Vec<_>>();
                return Err(crate::release::arg_error(
                    py,
                    missing[0],
                    format!(
                        "a differentially private release needs noise, epsilon and budget together; missing: {}",
                        missing.join(", ")
                    ),
                ));
            }
        };
        let ds = &slf.get().0;
        let decide = |l: Option<&exitcore::privacy::Ledger>| {
            let plan = spec.plan(ds, policy, l)?;
            match dp {
                None => Ok(plan.decide()),
                Some((n, e, b)) => b.with(|b| plan.decide_with_noise(&n.0, e, b)),
            }
        };
        let release = py
            .detach(|| match ledger {
                Some(l) => l.with(|l| decide(Some(l))),
                None => decide(None),
            })
            .or_raise(py)?;
        Ok(PyRelease::new(release, slf.clone().unbind()))
    }

    /// Analyses the data set on the cells a release under `policy` would
    /// show: reason shares, item means and eNPS per group, tests across
    /// groups, group-versus-rest findings with a false-discovery-rate
    /// correction, and insights. `by` lists breakdowns of one or two
    /// dimension names (`[["org_unit"], ["job_family", "tenure_band"]]`);
    /// `trend` is `"month"`, `"quarter"` or `"year"`. With `ledger`, the cells
    /// published by the releases recorded in it count as public. Argument
    /// errors name the field (`by[0][0]`, `confidence`).
    // Unset arguments take the core's defaults (the binding decides none);
    // the text signature shows those defaults, and a test checks that
    // passing them changes nothing.
    #[pyo3(
        signature = (
            by = None, *, policy = None, confidence = None, fdr = None,
            min_test_group = None, trend = None, ledger = None, headcount = None,
            stayers = None, roster = None, lang = None, comments = None,
            insights = None, drivers = None
        ),
        text_signature = "($self, by=None, *, policy=None, confidence=0.95, fdr=0.05, \
                          min_test_group=20, trend=None, ledger=None, headcount=None, \
                          stayers=None, roster=None, lang=\"en\", comments=True, \
                          insights=True, drivers=True)"
    )]
    #[allow(clippy::too_many_arguments)] // the Python signature
    fn analyse(
        &self,
        py: Python<'_>,
        by: Option<&Bound<'_, PyAny>>,
        policy: Option<&crate::privacy::PyPolicy>,
        confidence: Option<Num<f64>>,
        fdr: Option<Num<f64>>,
        min_test_group: Option<&Bound<'_, PyAny>>,
        trend: Option<&Bound<'_, PyAny>>,
        ledger: Option<&crate::release::PyLedger>,
        headcount: Option<&Bound<'_, PyAny>>,
        stayers: Option<&Bound<'_, PyAny>>,
        roster: Option<&Bound<'_, PyAny>>,
        lang: Option<&Bound<'_, PyAny>>,
        comments: Option<&Bound<'_, PyAny>>,
        insights: Option<&Bound<'_, PyAny>>,
        drivers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::analysis::PyAnalysis> {
        // The core reads the spec, so its errors name the failing path.
        // confidence and fdr may be NaN, which JSON cannot hold, so they are
        // set on the parsed spec (the core checks them when it runs).
        let mut spec = serde_json::Map::new();
        let fields = [
            ("by", by),
            ("min_test_group", min_test_group),
            ("trend", trend),
            ("lang", lang),
            ("comments", comments),
            ("insights", insights),
            ("drivers", drivers),
        ];
        for (name, value) in fields {
            if let Some(v) = value.filter(|v| !v.is_none()) {
                spec.insert(name.into(), to_value(v, name)?);
            }
        }
        let mut spec =
            exitcore::analysis::AnalysisSpec::from_json_value(serde_json::Value::Object(spec))
                .or_raise(py)?;
        if let Some(Num(c)) = confidence {
            spec.confidence = c;
        }
        if let Some(Num(f)) = fdr {
            spec.fdr = f;
        }
        let policy = policy.map_or_else(exitcore::privacy::Policy::default, |p| p.0);
        let extra = crate::inputs::Extra::read(py, headcount, stayers, roster)?;
        let (headcount, stayers, redactor) = (extra.headcount(), extra.stayers(), extra.redactor());
        let ds = &self.0;
        let run = |ledger: Option<&exitcore::privacy::Ledger>| {
            let inputs = exitcore::analysis::AnalysisInputs {
                ledger,
                headcount,
                stayers,
                redactor,
            };
            exitcore::analysis::Analysis::run_with(ds, policy, &spec, inputs)
        };
        let analysis = py
            .detach(|| match ledger {
                Some(l) => l.with(|l| run(Some(l))),
                None => run(None),
            })
            .or_raise(py)?;
        Ok(crate::analysis::PyAnalysis(analysis))
    }

    /// The report on this data set: the analysis of the default breakdowns
    /// (org unit, tenure band, job family, exit type; `by` replaces them)
    /// with quarterly trends, under `policy`, in `lang`, rendered by the
    /// core as JSON, Markdown or HTML. `headcount` and `stayers` add
    /// turnover and survival; `roster` names are redacted from comments.
    #[pyo3(signature = (*, lang = None, policy = None, by = None, headcount = None, stayers = None, roster = None, title = None))]
    #[allow(clippy::too_many_arguments)] // the Python signature
    fn report(
        &self,
        py: Python<'_>,
        lang: Option<&str>,
        policy: Option<&crate::privacy::PyPolicy>,
        by: Option<&Bound<'_, PyAny>>,
        headcount: Option<&Bound<'_, PyAny>>,
        stayers: Option<&Bound<'_, PyAny>>,
        roster: Option<&Bound<'_, PyAny>>,
        title: Option<String>,
    ) -> PyResult<crate::report::PyReport> {
        let lang = lang
            .map(str::parse::<exitcore::Lang>)
            .transpose()
            .or_raise(py)?;
        let by: Option<Vec<Vec<exitcore::privacy::Dimension>>> = by
            .filter(|b| !b.is_none())
            .map(|b| {
                let spec = serde_json::json!({ "by": to_value(b, "by")? });
                exitcore::analysis::AnalysisSpec::from_json_value(spec)
                    .map(|s| s.by)
                    .or_raise(py)
            })
            .transpose()?;
        let extra = crate::inputs::Extra::read(py, headcount, stayers, roster)?;
        let defaults = exitcore::report::ReportOptions::default();
        let options = exitcore::report::ReportOptions {
            lang: lang.unwrap_or(defaults.lang),
            policy: policy.map_or(defaults.policy, |p| p.0),
            by: by.unwrap_or(defaults.by.clone()),
            headcount: extra.headcount(),
            stayers: extra.stayers(),
            redactor: extra.redactor(),
            title,
            ..defaults
        };
        let ds = &self.0;
        let report = py
            .detach(|| exitcore::report::Report::build(ds, &options))
            .or_raise(py)?;
        Ok(crate::report::PyReport(report))
    }

    /// Every org unit path (all levels), sorted.
    fn org_units(&self) -> Vec<Vec<String>> {
        self.0.org_units()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        let q = self.0.questionnaire();
        format!(
            "Dataset(questionnaire={:?}, version={}, records={})",
            q.id,
            q.version,
            self.0.len()
        )
    }
}

#[pymethods]
impl LoadResult {
    /// The dataset of every valid record.
    #[getter]
    fn dataset(&self, py: Python<'_>) -> Py<PyDataset> {
        self.dataset.clone_ref(py)
    }

    /// Every problem, as dicts with keys row, respondent, field, kind, message.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.problems)?.cast_into::<PyList>()?)
    }

    /// How many input rows were rejected.
    #[getter]
    fn rejected(&self) -> usize {
        self.rejected
    }

    fn __repr__(&self) -> String {
        format!(
            "LoadResult(records={}, rejected={}, problems={})",
            self.dataset.get().0.len(),
            self.rejected,
            self.problems.len()
        )
    }
}

#[pymethods]
impl ImportResult {
    /// The dataset of every imported row.
    #[getter]
    fn dataset(&self, py: Python<'_>) -> Py<PyDataset> {
        self.dataset.clone_ref(py)
    }

    /// Every problem, as dicts with keys row, respondent, field, kind, message.
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.problems)?.cast_into::<PyList>()?)
    }

    /// How many rows were rejected.
    #[getter]
    fn rejected(&self) -> usize {
        self.rejected
    }

    /// Rows read, imported, rejected, and what happened to every column.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(to_py(py, &self.summary)?.cast_into::<PyDict>()?)
    }

    fn __repr__(&self) -> String {
        format!(
            "ImportResult(rows={}, imported={}, rejected={}, problems={})",
            self.summary.rows,
            self.summary.imported,
            self.rejected,
            self.problems.len()
        )
    }
}

#[pymethods]
impl PyMapping {
    /// Reads a mapping file; a questionnaire given as `{"path": ...}` is read
    /// relative to the mapping file's folder.
    #[staticmethod]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        exitcore::Mapping::from_path(&path)
            .map(PyMapping)
            .or_raise(py)
    }

    /// Parses a mapping whose questionnaire is `"standard"` or inline.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        exitcore::Mapping::from_json(json)
            .map(PyMapping)
            .or_raise(py)
    }

    /// Parses a mapping and uses `questionnaire` for it, whatever the mapping
    /// refers to.
    #[staticmethod]
    fn from_json_with_questionnaire(
        py: Python<'_>,
        json: &str,
        questionnaire: &PyQuestionnaire,
    ) -> PyResult<Self> {
        exitcore::Mapping::from_json_with_questionnaire(json, questionnaire.0.clone())
            .map(PyMapping)
            .or_raise(py)
    }

    /// The mapping `Dataset.from_arrow` uses without one: columns named
    /// after the record's fields (`org_unit` levels joined by `/`) and the
    /// questionnaire's question ids, holding canonical values.
    #[staticmethod]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn identity(
        py: Python<'_>,
        questionnaire: &PyQuestionnaire,
        columns: Vec<String>,
    ) -> PyResult<Self> {
        exitcore::Mapping::identity(questionnaire.0.clone(), &columns)
            .map(PyMapping)
            .or_raise(py)
    }

    /// The questionnaire the mapping fills.
    #[getter]
    fn questionnaire(&self) -> PyQuestionnaire {
        PyQuestionnaire(self.0.questionnaire().clone())
    }

    fn __repr__(&self) -> String {
        let q = self.0.questionnaire();
        format!("Mapping(questionnaire={:?}, version={})", q.id, q.version)
    }
}
