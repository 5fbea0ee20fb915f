//! Tenure survival: how long people stay, from leavers' tenure at exit and
//! current staff's tenure so far (censored), per released org unit.
//!
//! A full Kaplan-Meier step function would show when each leaver of a small
//! unit left, so curves are given at fixed horizons only, and a curve stops
//! before the first interval between horizons in which fewer than `k` (but
//! some) of the group's leavers left: such an interval is a group of fewer
//! than `k` people.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::GroupResult;
use crate::dataset::TENURE_NONE;
use crate::privacy::{CellKey, Dimension};
use crate::stats::Interval;
use crate::stats::survival::{LogRank, SurvivalRow, kaplan_meier, logrank};
use crate::{Dataset, Result};

/// One current employee: where, and how many whole months so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stayer {
    /// Path of the unit.
    pub org_unit: Vec<String>,
    /// Whole months employed so far.
    pub tenure_months: u32,
}

impl Stayer {
    /// Reads a list of current staff from JSON-like data, naming the path
    /// of any error (`stayers[2].tenure_months`).
    pub fn list_from_json_value(value: serde_json::Value) -> crate::Result<Vec<Stayer>> {
        serde_path_to_error::deserialize(value).map_err(|e| crate::Error::InvalidArgument {
            name: format!(
                "stayers{}",
                crate::headcount::path_suffix(&e.path().to_string())
            ),
            message: e.inner().to_string(),
        })
    }
}

/// The months at which curves are given.
pub const HORIZONS: [u32; 7] = [3, 6, 12, 24, 36, 60, 120];

/// The share still employed `months` after starting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalPoint {
    /// Months since starting.
    pub months: u32,
    /// Kaplan-Meier estimate of staying longer than `months`.
    pub survival: f64,
    /// Exponential-Greenwood interval.
    pub interval: Interval,
}

/// One group's curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalCurve {
    /// The group.
    pub key: CellKey,
    /// The curve at each horizon up to where it is cut (see the module docs).
    pub points: Vec<SurvivalPoint>,
    /// Whether horizons were left out to protect a small interval.
    pub truncated: bool,
}

/// A log-rank test across the released groups of one org tree level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalComparison {
    /// The org tree level (0 = top).
    pub level: u8,
    /// The groups compared.
    pub groups: Vec<CellKey>,
    /// The test.
    pub logrank: LogRank,
}

/// Tenure survival of the organisation and its released org units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survival {
    /// Leavers whose exact tenure is known (banded tenures cannot be used).
    pub leavers_used: u64,
    /// One curve per released group.
    pub curves: Vec<SurvivalCurve>,
    /// Log-rank tests per org tree level.
    pub comparisons: Vec<SurvivalComparison>,
}

/// Event and censoring times per org path: counted from the records and
/// the staff list alone, so before the release is decided (see [`times`]).
pub(crate) struct Times {
    /// Leaf path -> (months -> events).
    events: BTreeMap<Vec<String>, BTreeMap<u32, u64>>,
    /// Path -> (months -> censored).
    censored: BTreeMap<Vec<String>, BTreeMap<u32, u64>>,
    /// Leavers with an exact tenure, the events.
    leavers_used: u64,
}

impl Times {
    /// Calls `add(time, events, censored)` with every count of every path
    /// under `prefix`, events first.
    fn each_count(&self, prefix: &[String], mut add: impl FnMut(u32, u64, u64)) {
        for (maps, event) in [(&self.events, true), (&self.censored, false)] {
            for (path, times) in maps {
                if path.starts_with(prefix) {
                    for (&t, &n) in times {
                        if event { add(t, n, 0) } else { add(t, 0, n) }
                    }
                }
            }
        }
    }

    /// The rows of every path under `prefix`, summed per time, in time order.
    fn rows(&self, prefix: &[String]) -> Vec<SurvivalRow> {
        // Summed in an array over the months when they are few (tenures
        // run to 1,201 months; a staff list could say more): one curve per
        // released unit summed through map entries was most of the
        // survival step, and survival a fifth of a 100k report.
        let last = self
            .events
            .values()
            .chain(self.censored.values())
            .filter_map(|times| times.keys().next_back())
            .max()
            .copied()
            .unwrap_or(0);
        if last >= 4096 {
            return self.rows_by_map(prefix);
        }
        let mut by_time = vec![(0u64, 0u64); last as usize + 1];
        self.each_count(prefix, |t, e, c| {
            if let Some(slot) = by_time.get_mut(t as usize) {
                slot.0 += e;
                slot.1 += c;
            }
        });
        // Every stored count is at least one, so a time is present
        // exactly when something was added to it.
        (0..=last)
            .zip(by_time)
            .filter(|(_, (e, c))| e + c > 0)
            .map(|(t, (events, censored))| SurvivalRow {
                time: f64::from(t),
                events,
                censored,
            })
            .collect()
    }

    /// [`Times::rows`] through a map of the times present.
    fn rows_by_map(&self, prefix: &[String]) -> Vec<SurvivalRow> {
        let mut by_time: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
        self.each_count(prefix, |t, e, c| {
            let slot = by_time.entry(t).or_default();
            slot.0 += e;
            slot.1 += c;
        });
        by_time
            .into_iter()
            .map(|(t, (events, censored))| SurvivalRow {
                time: f64::from(t),
                events,
                censored,
            })
            .collect()
    }
}

fn path_of(key: &CellKey) -> Option<Vec<String>> {
    match key.0.as_slice() {
        [] => Some(Vec::new()),
        [(Dimension::OrgUnit, label)] => Some(label.split('/').map(str::to_owned).collect()),
        _ => None,
    }
}

/// `(high, low, how many)` of each distinct `high << 32 | low` in `pairs`.
fn runs(mut pairs: Vec<u64>) -> impl Iterator<Item = (u32, u32, u64)> {
    pairs.sort_unstable();
    let mut out: Vec<(u32, u32, u64)> = Vec::new();
    for p in pairs {
        #[allow(clippy::cast_possible_truncation)] // the halves of a u64
        let (high, low) = ((p >> 32) as u32, p as u32);
        match out.last_mut() {
            Some((h, l, n)) if *h == high && *l == low => *n += 1,
            _ => out.push((high, low, 1)),
        }
    }
    out.into_iter()
}

/// The event and censoring times of `dataset`'s leavers and `stayers`.
pub(crate) fn times(dataset: &Dataset, stayers: &[Stayer]) -> Times {
    let org = &dataset.org;
    let mut times = Times {
        events: BTreeMap::new(),
        censored: BTreeMap::new(),
        leavers_used: 0,
    };
    // Counted per (unit, months) pair first and turned into paths once per
    // pair: a million leavers and a quarter million stayers fall on a few
    // thousand pairs, and a path per person meant cloning and comparing
    // strings per person.
    let mut pairs: Vec<u64> = Vec::with_capacity(dataset.len);
    for i in 0..dataset.len {
        let (lo, hi) = (dataset.tenure_min[i], dataset.tenure_max[i]);
        if lo == TENURE_NONE || hi != lo.saturating_add(1) {
            continue;
        }
        pairs.push(u64::from(org.leaf[i]) << 32 | u64::from(lo));
    }
    times.leavers_used = pairs.len() as u64;
    for (leaf, months, n) in runs(pairs) {
        *times
            .events
            .entry(org.path(leaf))
            .or_default()
            .entry(months)
            .or_default() += n;
    }
    let mut units: Vec<&[String]> = Vec::new();
    let mut unit_of: HashMap<&[String], u32> = HashMap::new();
    let mut last: Option<(&[String], u32)> = None;
    let mut pairs: Vec<u64> = Vec::with_capacity(stayers.len());
    for s in stayers {
        let path = s.org_unit.as_slice();
        // Staff lists usually come grouped by unit: skip the lookup then.
        let id = match last {
            Some((p, id)) if p == path => id,
            _ => *unit_of.entry(path).or_insert_with(|| {
                units.push(path);
                u32::try_from(units.len() - 1).unwrap_or(u32::MAX)
            }),
        };
        last = Some((path, id));
        pairs.push(u64::from(id) << 32 | u64::from(s.tenure_months));
    }
    for (unit, months, n) in runs(pairs) {
        if let Some(path) = units.get(unit as usize) {
            *times
                .censored
                .entry(path.to_vec())
                .or_default()
                .entry(months)
                .or_default() += n;
        }
    }
    times
}

/// Survival for `overall` and the released org-unit `groups`, from the
/// [`times`] of the same data set.
pub(crate) fn survival(
    times: &Times,
    overall: &GroupResult,
    groups: &[GroupResult],
    k: u32,
    confidence: f64,
) -> Result<Option<Survival>> {
    if overall.n.is_none() {
        return Ok(None);
    }
    let curve = |key: &CellKey| -> Result<Option<SurvivalCurve>> {
        let Some(prefix) = path_of(key) else {
            return Ok(None);
        };
        let rows = times.rows(&prefix);
        if rows.iter().all(|r| r.events == 0) {
            return Ok(None);
        }
        let km = kaplan_meier(&rows, confidence)?;
        let mut points = Vec::new();
        let mut truncated = false;
        let mut from = 0u32;
        for h in HORIZONS {
            let events: u64 = rows
                .iter()
                .filter(|r| r.time >= f64::from(from) && r.time < f64::from(h))
                .map(|r| r.events)
                .sum();
            if events > 0 && events < u64::from(k) {
                truncated = true;
                break;
            }
            let at = km.iter().rev().find(|p| p.time <= f64::from(h));
            points.push(match at {
                Some(p) => SurvivalPoint {
                    months: h,
                    survival: p.survival,
                    interval: p.interval,
                },
                None => SurvivalPoint {
                    months: h,
                    survival: 1.0,
                    interval: Interval {
                        lower: 1.0,
                        upper: 1.0,
                    },
                },
            });
            from = h;
        }
        Ok(Some(SurvivalCurve {
            key: key.clone(),
            points,
            truncated,
        }))
    };
    let mut curves = Vec::new();
    curves.extend(curve(&overall.key)?);
    let released: Vec<&GroupResult> = groups.iter().filter(|g| g.n.is_some()).collect();
    for g in &released {
        curves.extend(curve(&g.key)?);
    }
    // Org levels: groups of one level are disjoint.
    let mut by_level: BTreeMap<usize, Vec<&GroupResult>> = BTreeMap::new();
    for g in &released {
        if let Some(p) = path_of(&g.key).filter(|p| !p.is_empty()) {
            by_level.entry(p.len() - 1).or_default().push(g);
        }
    }
    let mut comparisons = Vec::new();
    for (level, gs) in by_level {
        if gs.len() < 2 {
            continue;
        }
        let tables: Vec<Vec<SurvivalRow>> = gs
            .iter()
            .map(|g| path_of(&g.key).map(|p| times.rows(&p)).unwrap_or_default())
            .collect();
        let test = logrank(&tables)?;
        if test.p_value.is_nan() {
            continue;
        }
        comparisons.push(SurvivalComparison {
            level: u8::try_from(level).unwrap_or(u8::MAX),
            groups: gs.iter().map(|g| g.key.clone()).collect(),
            logrank: test,
        });
    }
    Ok(Some(Survival {
        leavers_used: times.leavers_used,
        curves,
        comparisons,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Summing in an array gives the rows the map gives, for every prefix.
    #[test]
    fn rows_in_an_array_equal_rows_through_a_map() {
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let times = |pairs: &[(u32, u64)]| pairs.iter().copied().collect::<BTreeMap<u32, u64>>();
        let t = Times {
            events: [
                (path(&["A", "x"]), times(&[(0, 2), (5, 1), (1201, 3)])),
                (path(&["A", "y"]), times(&[(5, 4), (7, 1)])),
                (path(&["B"]), times(&[(3, 1)])),
            ]
            .into_iter()
            .collect(),
            censored: [
                (path(&["A", "x"]), times(&[(5, 2), (9, 1)])),
                (path(&["B"]), times(&[(0, 1), (4000, 2)])),
            ]
            .into_iter()
            .collect(),
            leavers_used: 12,
        };
        for prefix in [
            path(&[]),
            path(&["A"]),
            path(&["A", "x"]),
            path(&["B"]),
            path(&["C"]),
        ] {
            let rows = t.rows(&prefix);
            assert_eq!(rows, t.rows_by_map(&prefix), "{prefix:?}");
        }
        // Written out: events and censorings per time over every path.
        let all: Vec<(f64, u64, u64)> = t
            .rows(&[])
            .iter()
            .map(|r| (r.time, r.events, r.censored))
            .collect();
        assert_eq!(
            all,
            [
                (0.0, 2, 1),
                (3.0, 1, 0),
                (5.0, 5, 2),
                (7.0, 1, 0),
                (9.0, 0, 1),
                (1201.0, 3, 0),
                (4000.0, 0, 2)
            ]
        );
    }
}
