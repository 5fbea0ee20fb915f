//! `exitcore.generate` and `exitcore.SyntheticOrg`: the core's seeded
//! synthetic organisation.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::{Num, to_py};
use std::path::PathBuf;

use crate::dataset::{LoadResult, PyMapping};
use crate::errors::OrRaise;
use crate::questionnaire::PyQuestionnaire;

/// One planted effect, given as a dict
/// `{"unit": [...], "reason": "...", "odds_ratio": 2.0}`.
pub struct PlantArg {
    unit: Vec<String>,
    reason: String,
    odds_ratio: f64,
}

impl<'a, 'py> FromPyObject<'a, 'py> for PlantArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        let item = |key: &str| {
            obj.get_item(key).map_err(|e| {
                let wrong = PyTypeError::new_err(format!(
                    "a plant is a dict with \"unit\", \"reason\" and \"odds_ratio\"; \
                     cannot get {key:?}: {}",
                    e.value(py)
                ));
                wrong.set_cause(py, Some(e));
                wrong
            })
        };
        Ok(PlantArg {
            unit: item("unit")?.extract()?,
            reason: item("reason")?.extract()?,
            odds_ratio: item("odds_ratio")?.extract::<Num<f64>>()?.0,
        })
    }
}

/// A generated organisation: questionnaire, exit records, headcount per unit
/// and quarter, and the org units.
#[pyclass(frozen, name = "SyntheticOrg", module = "exitcore")]
pub struct PySyntheticOrg(exitcore::synthetic::SyntheticOrg);

/// Generates a seeded synthetic organisation. Every argument left at `None`
/// takes the core's default (`OrgConfig::default()`); the same arguments
/// always give the same organisation.
#[pyfunction]
#[pyo3(signature = (
    seed = None,
    exits = None,
    *,
    divisions = None,
    departments_per_division = None,
    teams_per_department = None,
    job_families = None,
    managers = None,
    quarters = None,
    start_year = None,
    comment_rate = None,
    plants = None,
    group_effects = None,
))]
#[allow(clippy::too_many_arguments)] // one keyword argument per config field
pub fn generate(
    py: Python<'_>,
    seed: Option<Num<u64>>,
    exits: Option<Num<usize>>,
    divisions: Option<Num<usize>>,
    departments_per_division: Option<Num<usize>>,
    teams_per_department: Option<Num<usize>>,
    job_families: Option<Num<usize>>,
    managers: Option<Num<usize>>,
    quarters: Option<Num<u32>>,
    start_year: Option<Num<i32>>,
    comment_rate: Option<Num<f64>>,
    plants: Option<Vec<PlantArg>>,
    group_effects: Option<bool>,
) -> PyResult<PySyntheticOrg> {
    let mut config = exitcore::synthetic::OrgConfig::default();
    if let Some(Num(v)) = seed {
        config.seed = v;
    }
    if let Some(Num(v)) = exits {
        config.exits = v;
    }
    if let Some(Num(v)) = divisions {
        config.divisions = v;
    }
    if let Some(Num(v)) = departments_per_division {
        config.departments_per_division = v;
    }
    if let Some(Num(v)) = teams_per_department {
        config.teams_per_department = v;
    }
    if let Some(Num(v)) = job_families {
        config.job_families = v;
    }
    if let Some(Num(v)) = managers {
        config.managers = v;
    }
    if let Some(Num(v)) = quarters {
        config.quarters = v;
    }
    if let Some(Num(v)) = start_year {
        config.start_year = v;
    }
    if let Some(Num(v)) = comment_rate {
        config.comment_rate = v;
    }
    if let Some(plants) = plants {
        config.plants = plants
            .into_iter()
            .map(|p| exitcore::synthetic::Plant {
                unit: p.unit,
                reason: p.reason,
                odds_ratio: p.odds_ratio,
            })
            .collect();
    }
    if let Some(v) = group_effects {
        config.group_effects = v;
    }
    py.detach(|| exitcore::synthetic::generate(&config))
        .map(PySyntheticOrg)
        .or_raise(py)
}

#[pymethods]
impl PySyntheticOrg {
    /// The questionnaire the records answer.
    #[getter]
    fn questionnaire(&self) -> PyQuestionnaire {
        PyQuestionnaire(self.0.questionnaire.clone())
    }

    /// The exit records, as a new list of dicts on every access.
    #[getter]
    fn records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.records)?.cast_into::<PyList>()?)
    }

    /// Headcount rows, as a new list of dicts on every access.
    #[getter]
    fn headcount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.headcount)?.cast_into::<PyList>()?)
    }

    /// Current staff with their tenure so far, as a new list of dicts on
    /// every access (`org_unit`, `tenure_months`).
    #[getter]
    fn stayers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(to_py(py, &self.0.stayers)?.cast_into::<PyList>()?)
    }

    /// Every org unit path.
    #[getter]
    fn units(&self) -> Vec<Vec<String>> {
        self.0.units.clone()
    }

    /// Loads the records into a dataset without converting them to Python
    /// first (the same result as `Dataset.from_records(org.questionnaire, org.records)`).
    fn load(&self, py: Python<'_>) -> PyResult<LoadResult> {
        let org = &self.0;
        let loaded =
            py.detach(|| exitcore::Dataset::from_records(&org.questionnaire, &org.records));
        LoadResult::new(py, loaded)
    }

    /// The records as CSV text, one row per record, in the layout that
    /// `csv_mapping()` reads back into the same data set as `load()` gives
    /// (for benchmarks, and to hand the same rows to pandas or polars).
    /// With `path`, the text is written to that file and `None` returned.
    #[pyo3(signature = (path = None))]
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
    fn to_csv(&self, py: Python<'_>, path: Option<PathBuf>) -> PyResult<Option<String>> {
        let org = &self.0;
        py.detach(|| {
            let csv = org.to_csv()?;
            match path {
                None => Ok(Some(csv)),
                Some(p) => {
                    std::fs::write(&p, csv)
                        .map(|()| None)
                        .map_err(|source| exitcore::Error::Io {
                            path: p.display().to_string(),
                            source,
                        })
                }
            }
        })
        .or_raise(py)
    }

    /// The import mapping that reads `to_csv()` back.
    fn csv_mapping(&self, py: Python<'_>) -> PyResult<PyMapping> {
        self.0.csv_mapping().map(PyMapping).or_raise(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "SyntheticOrg(records={}, units={}, headcount_rows={})",
            self.0.records.len(),
            self.0.units.len(),
            self.0.headcount.len()
        )
    }
}
