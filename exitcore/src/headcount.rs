//! Headcount: people per org unit per quarter, so exits become turnover
//! rates (exits per person-year).

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

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
/// // A unit without rows has none, not minus none.
/// assert!(h.person_years(&["Finance".to_string()]).is_sign_positive());
/// assert!(Headcount::new(vec![row("HR", 5, 8)]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Headcount {
    by_unit: BTreeMap<Vec<String>, f64>,
    quarters: BTreeSet<(i32, u8)>,
}

impl Headcount {
    /// Checks and sums `rows`; an error names the first bad row and field.
    // Taken by value since the first release; only borrowed now.
    #[allow(clippy::needless_pass_by_value)]
    pub fn new(rows: Vec<HeadcountRow>) -> Result<Self> {
        // Rows are checked and summed by borrowed paths, so only the few
        // distinct units are copied: thousands of rows (one per unit and
        // quarter) each cloned their path into an ordered set before.
        let mut by_unit: FxHashMap<&[String], f64> = FxHashMap::default();
        let mut quarters = BTreeSet::new();
        let mut seen: FxHashSet<(&[String], i32, u8)> = FxHashSet::default();
        for (i, r) in rows.iter().enumerate() {
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
            if !seen.insert((&r.org_unit, r.year, r.quarter)) {
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
            *by_unit.entry(&r.org_unit).or_default() += f64::from(r.headcount) / 4.0;
        }
        if by_unit.is_empty() {
            return Err(Error::argument("headcount", "no headcount rows"));
        }
        let by_unit: BTreeMap<Vec<String>, f64> = by_unit
            .into_iter()
            .map(|(unit, years)| (unit.to_vec(), years))
            .collect();
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

    /// Reads a headcount file: JSON rows when the name ends in `.json`,
    /// otherwise CSV as in [`Headcount::from_csv`].
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            let value: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::Json {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            Self::from_json_value(value)
        } else {
            Self::from_csv(&bytes)
        }
    }

    /// Reads rows from CSV with the columns `org_unit` (a path with `/`
    /// between levels), `year`, `quarter` and `headcount`; an error names
    /// the line and column.
    ///
    /// ```
    /// use exitcore::Headcount;
    /// let csv = "org_unit,year,quarter,headcount\nSales/North,2024,1,40\nSales/North,2024,2,44\n";
    /// let h = Headcount::from_csv(csv.as_bytes()).unwrap();
    /// assert_eq!(h.person_years(&["Sales".to_string()]), 21.0);
    /// let bad = "org_unit,year,quarter,headcount\nSales,2024,Q1,40\n";
    /// assert!(Headcount::from_csv(bad.as_bytes()).unwrap_err().to_string().contains("line 2"));
    /// ```
    pub fn from_csv(bytes: &[u8]) -> Result<Self> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader.headers().map_err(|e| Error::Csv {
            line: Some(1),
            message: e.to_string(),
        })?;
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| Error::Csv {
                    line: Some(1),
                    message: format!("the headcount file has no column {name:?}"),
                })
        };
        let (unit, year, quarter, count) = (
            column("org_unit")?,
            column("year")?,
            column("quarter")?,
            column("headcount")?,
        );
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let record = record.map_err(|e| Error::Csv {
                line: Some(line),
                message: e.to_string(),
            })?;
            let field = |at: usize, name: &str| -> Result<&str> {
                record.get(at).ok_or_else(|| Error::Csv {
                    line: Some(line),
                    message: format!("no value for {name}"),
                })
            };
            let number = |at: usize, name: &str| -> Result<i64> {
                let v = field(at, name)?;
                v.parse().map_err(|_| Error::Csv {
                    line: Some(line),
                    message: format!("{name} is not a whole number: {v:?}"),
                })
            };
            let out_of_range = |name: &str| Error::Csv {
                line: Some(line),
                message: format!("{name} is out of range"),
            };
            rows.push(HeadcountRow {
                org_unit: field(unit, "org_unit")?
                    .split('/')
                    .map(|p| p.trim().to_owned())
                    .collect(),
                year: i32::try_from(number(year, "year")?).map_err(|_| out_of_range("year"))?,
                quarter: u8::try_from(number(quarter, "quarter")?)
                    .map_err(|_| out_of_range("quarter"))?,
                headcount: u32::try_from(number(count, "headcount")?)
                    .map_err(|_| out_of_range("headcount"))?,
            });
        }
        Self::new(rows)
    }

    /// Person-years of the unit at `path` and everything under it.
    pub fn person_years(&self, path: &[String]) -> f64 {
        self.by_unit
            .iter()
            .filter(|(unit, _)| unit.starts_with(path))
            // From +0: `sum` of no f64s is -0, which JS and JSON show as such.
            .fold(0.0, |total, (_, py)| total + py)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(unit: &str, year: i32, quarter: u8, headcount: u32) -> HeadcountRow {
        HeadcountRow {
            org_unit: unit.split('/').map(String::from).collect(),
            year,
            quarter,
            headcount,
        }
    }

    /// Rows of one unit wherever they stand sum into its person-years (a
    /// quarter's headcount is a quarter of a person-year), a unit's
    /// ancestors sum its sub-units, and the first bad row is the one named.
    #[test]
    #[allow(clippy::float_cmp)] // quarters of whole numbers: exact
    fn rows_sum_per_unit_and_the_first_bad_row_is_named() {
        let h = Headcount::new(vec![
            row("Sales/North", 2024, 1, 40),
            row("HR", 2024, 1, 8),
            row("Sales/South", 2024, 1, 20),
            row("Sales/North", 2024, 2, 44),
            row("HR", 2024, 2, 12),
        ])
        .unwrap();
        let path = |p: &str| p.split('/').map(String::from).collect::<Vec<_>>();
        assert_eq!(h.person_years(&path("Sales/North")), (40.0 + 44.0) / 4.0);
        assert_eq!(h.person_years(&path("Sales")), (40.0 + 44.0 + 20.0) / 4.0);
        assert_eq!(h.person_years(&path("HR")), (8.0 + 12.0) / 4.0);
        assert_eq!(h.span(), Some(((2024, 1), (2024, 2))));

        let named = |rows: Vec<HeadcountRow>| match Headcount::new(rows) {
            Err(Error::InvalidArgument { name, message }) => (name, message),
            other => panic!("{other:?}"),
        };
        let (name, message) = named(vec![
            row("HR", 2024, 1, 8),
            row("Sales/North", 2024, 1, 40),
            row("HR", 2024, 2, 8),
            row("Sales/North", 2024, 1, 41),
            row("HR", 2024, 1, 9),
        ]);
        assert_eq!(name, "headcount[3].org_unit");
        assert_eq!(message, "Sales/North appears twice for 2024-Q1");
        let (name, _) = named(vec![row("HR", 2024, 1, 8), row("Sales/ ", 2024, 1, 4)]);
        assert_eq!(name, "headcount[1].org_unit");
        let (name, _) = named(vec![row("HR", 2024, 1, 8), row("HR", 2024, 0, 8)]);
        assert_eq!(name, "headcount[1].quarter");
        let (name, _) = named(vec![]);
        assert_eq!(name, "headcount");
    }
}
