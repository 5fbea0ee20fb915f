//! Headcount: people per org unit per quarter, so exits become turnover
//! rates (exits per person-year).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// People in one org unit in one quarter.
///
/// ```
/// use exitcore::synthetic::{OrgConfig, generate};
/// let org = generate(&OrgConfig { exits: 100, ..OrgConfig::default() }).unwrap();
/// let row = &org.headcount[0];
/// assert_eq!((row.year, row.quarter), (2016, 1));
/// assert_eq!(row.org_unit, org.units[0]);
/// assert!(row.headcount > 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadcountRow {
    /// Path of the unit (a leaf, or any unit whose people are not also
    /// counted in rows of its sub-units).
    pub org_unit: Vec<String>,
    /// The year.
    pub year: i32,
    /// The quarter of the year, 1-4.
    pub quarter: u8,
    /// People employed in the unit during the quarter.
    pub headcount: u32,
}

/// Validated headcount rows, summed into person-years per unit.
///
/// ```
/// use exitcore::{Headcount, HeadcountRow};
/// let row = |unit: &str, q: u8, n: u32| HeadcountRow {
///     org_unit: unit.split('/').map(String::from).collect(), year: 2024, quarter: q, headcount: n,
/// };
/// let h = Headcount::new(vec![row("Sales/North", 1, 40), row("Sales/North", 2, 44), row("HR", 1, 8)]).unwrap();
/// // A quarter is a quarter of a person-year.
/// assert_eq!(h.person_years(&["Sales".to_string()]), 21.0);
/// assert!(Headcount::new(vec![row("HR", 5, 8)]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Headcount {
    by_unit: BTreeMap<Vec<String>, f64>,
    quarters: BTreeSet<(i32, u8)>,
}

impl Headcount {
    /// Checks and sums `rows`; an error names the first bad row and field.
    pub fn new(rows: Vec<HeadcountRow>) -> Result<Self> {
        let mut by_unit: BTreeMap<Vec<String>, f64> = BTreeMap::new();
        let mut quarters = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for (i, r) in rows.into_iter().enumerate() {
            let at = |field: &str| format!("headcount[{i}].{field}");
            if r.org_unit.is_empty() || r.org_unit.iter().any(|p| p.trim().is_empty()) {
                return Err(Error::argument(
                    at("org_unit"),
                    "an org unit path needs non-empty names",
                ));
            }
            if !(1..=4).contains(&r.quarter) {
                return Err(Error::argument(
                    at("quarter"),
                    format!("quarter must be 1-4, got {}", r.quarter),
                ));
            }
            if !seen.insert((r.org_unit.clone(), r.year, r.quarter)) {
                return Err(Error::argument(
                    at("org_unit"),
                    format!(
                        "{} appears twice for {}-Q{}",
                        r.org_unit.join("/"),
                        r.year,
                        r.quarter
                    ),
                ));
            }
            quarters.insert((r.year, r.quarter));
            *by_unit.entry(r.org_unit).or_default() += f64::from(r.headcount) / 4.0;
        }
        if by_unit.is_empty() {
            return Err(Error::argument("headcount", "no headcount rows"));
        }
        Ok(Headcount { by_unit, quarters })
    }

    /// Reads rows from JSON-like data (a list of `{org_unit, year, quarter,
    /// headcount}`), naming the path of any error (`headcount[3].quarter`).
    pub fn from_json_value(value: serde_json::Value) -> Result<Self> {
        let rows: Vec<HeadcountRow> =
            serde_path_to_error::deserialize(value).map_err(|e| Error::InvalidArgument {
                name: format!("headcount{}", path_suffix(&e.path().to_string())),
                message: e.inner().to_string(),
            })?;
        Self::new(rows)
    }

    /// Person-years of the unit at `path` and everything under it.
    pub fn person_years(&self, path: &[String]) -> f64 {
        self.by_unit
            .iter()
            .filter(|(unit, _)| unit.starts_with(path))
            .map(|(_, py)| *py)
            .sum()
    }

    /// Whether the rows cover a quarter.
    pub fn covers(&self, year: i32, quarter: u8) -> bool {
        self.quarters.contains(&(year, quarter))
    }

    /// The first and last quarter covered.
    pub fn span(&self) -> Option<((i32, u8), (i32, u8))> {
        Some((*self.quarters.first()?, *self.quarters.last()?))
    }
}

/// `[3].quarter` for a serde path `[3].quarter`, nothing for the root `.`.
pub(crate) fn path_suffix(path: &str) -> String {
    if path == "." {
        String::new()
    } else if path.starts_with('[') {
        path.to_owned()
    } else {
        format!(".{path}")
    }
}
