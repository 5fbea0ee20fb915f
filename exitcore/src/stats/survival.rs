//! Time to leaving: Kaplan-Meier survival and the log-rank test.
//!
//! Input is a table of distinct times with how many left (events) and how
//! many were last seen still employed (censored) at each, which is what a
//! columnar tenure column aggregates to.

use serde::Serialize;

use super::{Interval, alpha, chi2_sf, f, special, z_critical};
use crate::{Error, Result};

/// Events and censorings at one time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvivalRow {
    /// Time since start (e.g. months of tenure); finite and non-negative.
    pub time: f64,
    /// How many left at this time.
    pub events: u64,
    /// How many were still employed when last seen at this time.
    pub censored: u64,
}

/// One step of a Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KaplanMeierPoint {
    /// The time.
    pub time: f64,
    /// Still at risk just before this time (time >= this time).
    pub at_risk: u64,
    /// Events at this time.
    pub events: u64,
    /// Censored at this time.
    pub censored: u64,
    /// Estimated probability of staying beyond this time.
    pub survival: f64,
    /// Greenwood variance of `survival`.
    pub variance: f64,
    /// Exponential-Greenwood (log(-log)) confidence interval.
    pub interval: Interval,
}

/// Kaplan-Meier estimate with Greenwood variance and the exponential
/// Greenwood interval, one point per distinct time (rows with equal times are
/// merged, rows need not be sorted).
///
/// Matches `lifelines.KaplanMeierFitter().fit(durations, event_observed)`:
/// `survival_function_` and `confidence_interval_` at the same times (lifelines
/// adds a row at time 0). Like lifelines, the interval is [1, 1] before the
/// first event, a step where everyone at risk leaves adds 0 (not infinity) to
/// the Greenwood sum, and once survival reaches 0 the interval is [0, 0].
/// Empty input gives an empty curve; negative or non-finite times are errors.
///
/// ```
/// use exitcore::stats::survival::{SurvivalRow, kaplan_meier};
/// let rows = [
///     SurvivalRow { time: 3.0, events: 2, censored: 1 },
///     SurvivalRow { time: 12.0, events: 1, censored: 3 },
/// ];
/// let curve = kaplan_meier(&rows, 0.95).unwrap();
/// assert_eq!(curve[0].at_risk, 7);
/// assert!((curve[1].survival - 5.0 / 7.0 * 3.0 / 4.0).abs() < 1e-15);
/// ```
pub fn kaplan_meier(rows: &[SurvivalRow], confidence: f64) -> Result<Vec<KaplanMeierPoint>> {
    let z = z_critical(alpha(confidence)?);
    let merged = merge(rows, "rows")?;
    let mut at_risk = merged
        .iter()
        .try_fold(0u64, |acc, r| {
            acc.checked_add(r.events)
                .and_then(|x| x.checked_add(r.censored))
        })
        .ok_or_else(|| Error::argument("rows", "counts sum beyond u64"))?;
    let mut survival = 1.0;
    let mut greenwood = 0.0;
    let mut curve = Vec::with_capacity(merged.len());
    for r in merged {
        let (n, d) = (f(at_risk), f(r.events));
        survival *= 1.0 - d / n;
        if at_risk > r.events {
            greenwood += d / (n * (n - d));
        }
        let v = special::ln(survival);
        // Exact 1 and 0 are reached exactly (no events yet, everyone left).
        #[allow(clippy::float_cmp)]
        let interval = if survival == 1.0 {
            Interval {
                lower: 1.0,
                upper: 1.0,
            }
        } else if survival == 0.0 {
            Interval {
                lower: 0.0,
                upper: 0.0,
            }
        } else {
            let shift = z * greenwood.sqrt() / v;
            Interval {
                lower: special::exp(-special::exp(special::ln(-v) - shift)),
                upper: special::exp(-special::exp(special::ln(-v) + shift)),
            }
        };
        curve.push(KaplanMeierPoint {
            time: r.time,
            at_risk,
            events: r.events,
            censored: r.censored,
            survival,
            variance: survival * survival * greenwood,
            interval,
        });
        at_risk -= r.events + r.censored;
    }
    Ok(curve)
}

/// Log-rank test of equal survival across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRank {
    /// Chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom: groups with subjects minus one.
    pub dof: u64,
    /// Upper-tail chi-square p-value.
    pub p_value: f64,
    /// Observed events per group, in input order.
    pub observed: Vec<u64>,
    /// Expected events per group under equal survival.
    pub expected: Vec<f64>,
}

/// Log-rank test across two or more groups, each given as its own table of
/// times, events and censorings.
///
/// Matches `lifelines.statistics.multivariate_logrank_test(durations, groups,
/// event_observed)` (and `logrank_test` for two groups): the statistic is
/// (O - E)ᵀ V⁻¹ (O - E) over all groups but the last, with the hypergeometric
/// covariance V, solved by Gaussian elimination with partial pivoting. Groups
/// without subjects are left out. With fewer than two groups with subjects, or
/// no events at all (V singular), `statistic` and `p_value` are `NaN`.
///
/// ```
/// use exitcore::stats::survival::{SurvivalRow, logrank};
/// let row = |time, events, censored| SurvivalRow { time, events, censored };
/// let a = [row(1.0, 3, 0), row(2.0, 2, 1), row(5.0, 1, 3)];
/// let b = [row(2.0, 1, 0), row(6.0, 1, 2), row(9.0, 2, 4)];
/// let t = logrank(&[&a[..], &b[..]]).unwrap();
/// assert_eq!(t.observed, vec![6, 4]);
/// assert_eq!(t.dof, 1);
/// ```
pub fn logrank<G: AsRef<[SurvivalRow]>>(groups: &[G]) -> Result<LogRank> {
    let k = groups.len();
    let mut all = Vec::new();
    let mut at_risk = vec![0u64; k];
    let mut observed = vec![0u64; k];
    let overflow = || Error::argument("groups", "counts sum beyond u64");
    for (g, rows) in groups.iter().enumerate() {
        for r in rows.as_ref() {
            check_time(r.time, "groups")?;
            if let (Some(n), Some(o)) = (at_risk.get_mut(g), observed.get_mut(g)) {
                *n = n
                    .checked_add(r.events)
                    .and_then(|x| x.checked_add(r.censored))
                    .ok_or_else(overflow)?;
                *o = o.checked_add(r.events).ok_or_else(overflow)?;
            }
            all.push((r.time, g, r.events, r.censored));
        }
    }
    at_risk
        .iter()
        .try_fold(0u64, |acc, &x| acc.checked_add(x))
        .ok_or_else(overflow)?;
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let active: Vec<usize> = (0..k)
        .filter(|&g| at_risk.get(g).is_some_and(|&n| n > 0))
        .collect();
    let mut expected = vec![0.0; k];
    // Covariance over the active groups, row-major.
    let a = active.len();
    let mut cov = vec![0.0; a * a];
    let mut at_risk_active: Vec<f64> = Vec::with_capacity(a);
    let mut deaths = vec![0u64; k];
    let mut leaving = vec![0u64; k];
    // Rows at the same time form one risk set; times are compared exactly.
    #[allow(clippy::float_cmp)]
    let blocks = all.chunk_by(|x, y| x.0 == y.0);
    for block in blocks {
        deaths.fill(0);
        leaving.fill(0);
        for &(_, g, d, c) in block {
            if let (Some(dg), Some(lg)) = (deaths.get_mut(g), leaving.get_mut(g)) {
                *dg += d;
                *lg += d + c;
            }
        }
        let n: u64 = at_risk.iter().sum();
        let d: u64 = deaths.iter().sum();
        if d > 0 {
            let (nf, df) = (f(n), f(d));
            for (e, &ng) in expected.iter_mut().zip(&at_risk) {
                *e += df * f(ng) / nf;
            }
            if n > 1 {
                let scale = df * (nf - df) / (nf * nf * (nf - 1.0));
                // cov += scale * (diag(n) * n_total - n n^T), a row at a time
                // over a plain slice (with many groups, ~150 teams of one
                // org level, this loop was most of a 100k report in wasm).
                // The same operations in the same order as term by term:
                // off the diagonal `(scale * ni) * (0 - nj)`, on it
                // `(scale * ni) * (nf - ni)`, so the same bits.
                at_risk_active.clear();
                at_risk_active.extend(
                    active
                        .iter()
                        .map(|&g| at_risk.get(g).map_or(0.0, |&x| f(x))),
                );
                for (i, row) in cov.chunks_exact_mut(a.max(1)).enumerate() {
                    let ni = at_risk_active.get(i).copied().unwrap_or(0.0);
                    if ni == 0.0 {
                        // Adds only zeros (the sums are never -0.0).
                        continue;
                    }
                    let si = scale * ni;
                    let diagonal = row.get(i).copied().unwrap_or(0.0);
                    for (v, &nj) in row.iter_mut().zip(&at_risk_active) {
                        *v += si * (0.0 - nj);
                    }
                    if let Some(v) = row.get_mut(i) {
                        *v = diagonal + si * (nf - ni);
                    }
                }
            }
        }
        for (n, &l) in at_risk.iter_mut().zip(&leaving) {
            *n -= l;
        }
    }
    let dof = a.saturating_sub(1);
    // O - E over all active groups but the last.
    let mut diff: Vec<f64> = active
        .iter()
        .take(dof)
        .map(|&g| {
            f(observed.get(g).copied().unwrap_or(0)) - expected.get(g).copied().unwrap_or(0.0)
        })
        .collect();
    let rhs = diff.clone();
    let statistic = if dof == 0 {
        f64::NAN
    } else {
        let mut m: Vec<f64> = (0..dof)
            .flat_map(|i| (0..dof).map(move |j| (i, j)))
            .map(|(i, j)| cov.get(i * a + j).copied().unwrap_or(0.0))
            .collect();
        if solve(&mut m, &mut diff, dof) {
            rhs.iter().zip(&diff).map(|(x, y)| x * y).sum()
        } else {
            f64::NAN
        }
    };
    let dof = dof as u64;
    Ok(LogRank {
        statistic,
        dof,
        p_value: chi2_sf(statistic, f(dof)),
        observed,
        expected,
    })
}

/// Solves m x = b in place (x in `b`) by Gaussian elimination with partial
/// pivoting; false when m is singular up to rounding.
fn solve(m: &mut [f64], b: &mut [f64], size: usize) -> bool {
    let scale = m.iter().fold(0.0_f64, |acc, x| acc.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return false;
    }
    for col in 0..size {
        let Some(pivot_row) = (col..size)
            .max_by(|&i, &j| m[i * size + col].abs().total_cmp(&m[j * size + col].abs()))
        else {
            return false;
        };
        if m[pivot_row * size + col].abs() <= scale * 1e-12 {
            return false;
        }
        for j in 0..size {
            m.swap(col * size + j, pivot_row * size + j);
        }
        b.swap(col, pivot_row);
        let pivot = m[col * size + col];
        for i in 0..size {
            if i == col {
                continue;
            }
            let factor = m[i * size + col] / pivot;
            if factor == 0.0 {
                continue;
            }
            for j in col..size {
                m[i * size + j] -= factor * m[col * size + j];
            }
            b[i] -= factor * b[col];
        }
    }
    for (i, x) in b.iter_mut().enumerate() {
        *x /= m[i * size + i];
    }
    true
}

fn check_time(time: f64, name: &str) -> Result<()> {
    if time.is_finite() && time >= 0.0 {
        Ok(())
    } else {
        Err(Error::argument(
            name,
            format!("times must be finite and non-negative, got {time}"),
        ))
    }
}

/// Sorts rows by time and merges rows with equal times.
fn merge(rows: &[SurvivalRow], name: &str) -> Result<Vec<SurvivalRow>> {
    for r in rows {
        check_time(r.time, name)?;
    }
    let mut sorted = rows.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut merged: Vec<SurvivalRow> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match merged.last_mut() {
            #[allow(clippy::float_cmp)]
            Some(last) if last.time == r.time => {
                last.events = last
                    .events
                    .checked_add(r.events)
                    .ok_or_else(|| Error::argument(name, "counts sum beyond u64"))?;
                last.censored = last
                    .censored
                    .checked_add(r.censored)
                    .ok_or_else(|| Error::argument(name, "counts sum beyond u64"))?;
            }
            _ => merged.push(r),
        }
    }
    // Times where nothing happened carry no information and would divide by
    // an empty risk set at the end.
    merged.retain(|r| r.events > 0 || r.censored > 0);
    Ok(merged)
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};

    fn row(time: f64, events: u64, censored: u64) -> SurvivalRow {
        SurvivalRow {
            time,
            events,
            censored,
        }
    }

    // Rows are expanded in Python to durations T and event flags E (d ones, c zeros
    // per row); k = lifelines.KaplanMeierFitter().fit(T, E) and read at each time:
    // k.survival_function_, k.confidence_interval_, k._cumulative_sq_ (Greenwood sum).
    #[test]
    fn kaplan_meier_matches_lifelines() {
        // Unsorted, with a repeated time (12.0) and a censor-only time (7.5).
        let rows = [
            row(3.0, 2, 1),
            row(12.0, 1, 3),
            row(1.0, 1, 0),
            row(7.5, 0, 2),
            row(20.0, 2, 0),
            row(12.0, 1, 0),
        ];
        let curve = kaplan_meier(&rows, 0.95).unwrap();
        // time, survival, lower, upper, Greenwood sum
        let expected = [
            (
                1.0,
                0.923_076_923_076_923_1,
                0.566_359_466_130_521_5,
                0.988_794_062_303_689_4,
                0.006_410_256_410_256_41,
            ),
            (
                3.0,
                0.769_230_769_230_769_4,
                0.442_141_497_926_556_3,
                0.919_115_326_239_281_2,
                0.023_076_923_076_923_078,
            ),
            (
                7.5,
                0.769_230_769_230_769_4,
                0.442_141_497_926_556_3,
                0.919_115_326_239_281_2,
                0.023_076_923_076_923_078,
            ),
            (
                12.0,
                0.549_450_549_450_549_6,
                0.220_201_370_457_574_62,
                0.789_004_993_649_602,
                0.080_219_780_219_780_21,
            ),
            (20.0, 0.0, 0.0, 0.0, 0.080_219_780_219_780_21),
        ];
        assert_eq!(curve.len(), expected.len());
        for (p, (time, s, lo, hi, sq)) in curve.iter().zip(expected) {
            assert_eq!(p.time, time);
            assert_close(p.survival, s, 1e-9);
            assert_close(p.interval.lower, lo, 1e-9);
            assert_close(p.interval.upper, hi, 1e-9);
            assert_close(p.variance, s * s * sq, 1e-9);
        }
        assert_eq!(curve[0].at_risk, 13);
        assert_eq!(curve[3].at_risk, 7);
        assert_eq!(curve[3].events, 2);
        // KaplanMeierFitter().fit(T, E, alpha=0.1).confidence_interval_
        //   -> [[1,1], [0.6604568498768814, 0.9846739322040963], [0.506608784422316, 0.903729182748122],
        //       [same], [0.2715283478513515, 0.7595192491141648], [0, 0]] (first row is time 0)
        let curve = kaplan_meier(&rows, 0.9).unwrap();
        assert_close(curve[0].interval.lower, 0.660_456_849_876_881_4, 1e-9);
        assert_close(curve[0].interval.upper, 0.984_673_932_204_096_3, 1e-9);
        assert_close(curve[3].interval.lower, 0.271_528_347_851_351_5, 1e-9);
        assert_close(curve[3].interval.upper, 0.759_519_249_114_164_8, 1e-9);
    }

    #[test]
    fn kaplan_meier_degenerate() {
        assert!(kaplan_meier(&[], 0.95).unwrap().is_empty());
        // Only censoring: survival stays 1 with interval [1, 1] (lifelines' fillna(1.0)).
        let curve = kaplan_meier(&[row(2.0, 0, 3), row(1.0, 0, 0)], 0.95).unwrap();
        assert_eq!(curve.len(), 1);
        assert_eq!(curve[0].survival, 1.0);
        assert_eq!(
            (curve[0].interval.lower, curve[0].interval.upper),
            (1.0, 1.0)
        );
        assert!(kaplan_meier(&[row(-1.0, 1, 0)], 0.95).is_err());
        assert!(kaplan_meier(&[row(f64::NAN, 1, 0)], 0.95).is_err());
        assert!(kaplan_meier(&[row(1.0, u64::MAX, 1)], 0.95).is_err());
    }

    // Groups expanded as above; lifelines.statistics.logrank_test(Ta, Tb, Ea, Eb) and
    // multivariate_logrank_test(T, G, E) -> (test_statistic, p_value).
    #[test]
    fn logrank_matches_lifelines() {
        let a = [row(1.0, 3, 0), row(2.0, 2, 1), row(5.0, 1, 3)];
        let b = [row(2.0, 1, 0), row(6.0, 1, 2), row(9.0, 2, 4)];
        let c = [row(1.0, 1, 1), row(4.0, 4, 0), row(9.0, 0, 2)];
        // logrank_test(a, b) -> 5.7530258717261535, 0.016460281168864523
        let t = logrank(&[&a[..], &b[..]]).unwrap();
        assert_close(t.statistic, 5.753_025_871_726_153_5, 1e-9);
        assert_rel(t.p_value, 0.016_460_281_168_864_523, 1e-9);
        assert_close(t.expected.iter().sum::<f64>(), 10.0, 1e-12);
        // multivariate_logrank_test(a, b, c) -> 4.810303582545602, 0.09025179513514818, dof 2
        let t = logrank(&[&a[..], &b[..], &c[..]]).unwrap();
        assert_close(t.statistic, 4.810_303_582_545_602, 1e-9);
        assert_eq!(t.dof, 2);
        assert_rel(t.p_value, 0.090_251_795_135_148_18, 1e-9);
        // An empty group is left out.
        let t = logrank(&[&a[..], &[][..], &b[..]]).unwrap();
        assert_eq!(t.dof, 1);
        assert_close(t.statistic, 5.753_025_871_726_153_5, 1e-9);
    }

    #[test]
    fn logrank_tiny_p_value() {
        // x = [(1.0, 300, 0)], y = [(10.0, 200, 100)] -> 599.0, 2.7625318201124618e-132
        let t = logrank(&[[row(1.0, 300, 0)], [row(10.0, 200, 100)]]).unwrap();
        assert_close(t.statistic, 599.0, 1e-9);
        assert_rel(t.p_value, 2.762_531_820_112_461_8e-132, 1e-9);
        // x = [(1,30,5),(2,20,10),(4,15,0)], y = [(1.5,5,20),(3,10,30),(4,5,40)]
        //   -> 95.27020765075358, 1.660940467681765e-22
        let x = [row(1.0, 30, 5), row(2.0, 20, 10), row(4.0, 15, 0)];
        let y = [row(1.5, 5, 20), row(3.0, 10, 30), row(4.0, 5, 40)];
        let t = logrank(&[x, y]).unwrap();
        assert_close(t.statistic, 95.270_207_650_753_58, 1e-9);
        assert_rel(t.p_value, 1.660_940_467_681_765e-22, 1e-9);
    }

    #[test]
    fn logrank_degenerate() {
        let a = [row(1.0, 0, 3)];
        let b = [row(2.0, 0, 2)];
        let t = logrank(&[a, b]).unwrap();
        assert!(t.statistic.is_nan() && t.p_value.is_nan());
        let t = logrank(&[[row(1.0, 2, 1)]]).unwrap();
        assert!(t.statistic.is_nan());
        assert_eq!(t.dof, 0);
        let none: [[SurvivalRow; 0]; 0] = [];
        assert!(logrank(&none).unwrap().p_value.is_nan());
        assert!(logrank(&[[row(-1.0, 1, 0)]]).is_err());
    }
}
