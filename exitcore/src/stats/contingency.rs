//! Tests of association in contingency tables of counts.
//!
//! Tables are given row by row as anything that borrows as `[u64]`
//! (`[[u64; C]; R]`, `Vec<Vec<u64>>`, `&[&[u64]]`); all rows must have the
//! same length.

use serde::Serialize;

use super::{chi2_sf, f, f128, fi128, table_shape};
use crate::{Error, Result};

/// Pearson's chi-square test of independence and the effect size built on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquare {
    /// Pearson's X² statistic (no continuity correction).
    pub statistic: f64,
    /// Degrees of freedom (r' - 1)(c' - 1) over the non-empty rows and columns.
    pub dof: u64,
    /// Upper-tail chi-square p-value.
    pub p_value: f64,
    /// Total count.
    pub n: u64,
    /// Cramér's V, sqrt(X² / (n (min(r', c') - 1))).
    pub cramers_v: f64,
    /// Expected counts under independence, in the shape of the input
    /// (0 in rows and columns whose total is 0).
    pub expected: Vec<Vec<f64>>,
}

/// Pearson's chi-square test of independence on an r x c table.
///
/// Matches `scipy.stats.chi2_contingency(table, correction=False)` (statistic,
/// dof, p-value, expected) and Cramér's V of
/// `scipy.stats.contingency.association(table, method="cramer")`.
///
/// Rows and columns whose total is zero are dropped before testing, because a
/// category nobody chose carries no information about association (scipy
/// rejects such tables instead); `dof` counts only the remaining ones.
/// With fewer than two non-empty rows or columns there is nothing to test:
/// `statistic`, `p_value` and `cramers_v` are `NaN` and `dof` is 0 (scipy
/// reports statistic 0 and p = 1 for such a table). Small expected counts are
/// not rejected; callers decide whether the asymptotic test is adequate.
///
/// ```
/// use exitcore::stats::contingency::chi_square;
/// let t = chi_square(&[[10, 20, 30], [6, 9, 17]]).unwrap();
/// assert_eq!(t.dof, 2);
/// assert!((t.statistic - 0.2715746515).abs() < 1e-9);
/// ```
pub fn chi_square<R: AsRef<[u64]>>(table: &[R]) -> Result<ChiSquare> {
    let m = Margins::of(table)?;
    let mut expected = vec![vec![0.0; m.col.len()]; m.row.len()];
    let kept_rows = m.row.iter().filter(|&&r| r > 0).count();
    let kept_cols = m.col.iter().filter(|&&c| c > 0).count();
    let mut statistic = 0.0;
    let nf = f(m.n);
    for ((row, &r), exp_row) in table.iter().zip(&m.row).zip(&mut expected) {
        for ((&o, &c), e) in row.as_ref().iter().zip(&m.col).zip(exp_row.iter_mut()) {
            if r == 0 || c == 0 {
                continue;
            }
            let rc = u128::from(r) * u128::from(c);
            *e = f128(rc) / nf;
            // (O - E)^2 / E = (O N - r c)^2 / (r c N): the numerator is exact
            // in integers, so no cancellation even when O is close to E.
            let d = fi128(i128::from(o) * i128::from(m.n) - rc.cast_signed());
            statistic += d * d / (f128(rc) * nf);
        }
    }
    if kept_rows < 2 || kept_cols < 2 {
        return Ok(ChiSquare {
            statistic: f64::NAN,
            dof: 0,
            p_value: f64::NAN,
            n: m.n,
            cramers_v: f64::NAN,
            expected,
        });
    }
    let dof = (kept_rows as u64 - 1) * (kept_cols as u64 - 1);
    let min_dim = kept_rows.min(kept_cols) as u64 - 1;
    Ok(ChiSquare {
        statistic,
        dof,
        p_value: chi2_sf(statistic, f(dof)),
        n: m.n,
        cramers_v: (statistic / (nf * f(min_dim))).sqrt(),
        expected,
    })
}

/// Adjusted standardized residuals `(O - E) / sqrt(E (1 - r_i/N) (1 - c_j/N))`
/// per cell, approximately standard normal under independence, so |value| > 2
/// flags a cell that departs from independence.
///
/// Matches `statsmodels.stats.contingency_tables.Table(table).standardized_resids`.
/// Cells in a row or column whose total is zero, or in a table with a single
/// non-empty row or column, are `NaN`.
///
/// ```
/// use exitcore::stats::contingency::adjusted_residuals;
/// let r = adjusted_residuals(&[[20, 5], [5, 20]]).unwrap();
/// assert!((r[0][0] - 4.242640687).abs() < 1e-8 && (r[0][1] + r[0][0]).abs() < 1e-12);
/// ```
pub fn adjusted_residuals<R: AsRef<[u64]>>(table: &[R]) -> Result<Vec<Vec<f64>>> {
    let m = Margins::of(table)?;
    let nf = f(m.n);
    Ok(table
        .iter()
        .zip(&m.row)
        .map(|(row, &r)| {
            row.as_ref()
                .iter()
                .zip(&m.col)
                .map(|(&o, &c)| {
                    if r == 0 || c == 0 || r == m.n || c == m.n {
                        return f64::NAN;
                    }
                    let rc = u128::from(r) * u128::from(c);
                    let d = fi128(i128::from(o) * i128::from(m.n) - rc.cast_signed());
                    d / (f128(rc) * f(m.n - r) * f(m.n - c) / nf).sqrt()
                })
                .collect()
        })
        .collect())
}

/// Fisher's exact test on a 2 x 2 table with the sample odds ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FisherExact {
    /// Sample odds ratio a d / (b c); infinite when b or c is 0.
    pub odds_ratio: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Fisher's exact test, two-sided, on `[[a, b], [c, d]]`.
///
/// Matches `scipy.stats.fisher_exact(table)`: the p-value sums the
/// probabilities of all tables with the same margins that are at most
/// (1 + 1e-14) times as likely as the observed one, the relative tolerance
/// keeping tables that tie with the observed one up to rounding. The
/// probabilities are computed as ratios to the most likely table, walking
/// outwards until they underflow, so the cost grows with the spread of the
/// distribution rather than with the counts, and p-values below about 1e-300
/// come out as 0.
///
/// When a row or column total is zero the test has nothing to condition on:
/// both fields are `NaN` (scipy returns `NaN` and p = 1).
///
/// ```
/// use exitcore::stats::contingency::fisher_exact;
/// let t = fisher_exact([[8, 2], [1, 5]]);
/// assert!((t.p_value - 0.03496503496503).abs() < 1e-12);
/// assert_eq!(t.odds_ratio, 20.0);
/// ```
pub fn fisher_exact(table: [[u64; 2]; 2]) -> FisherExact {
    let nan = FisherExact {
        odds_ratio: f64::NAN,
        p_value: f64::NAN,
    };
    let [[a, b], [c, d]] = table;
    // Totals beyond u64 cannot come from real counts; they get NaN, not a panic.
    let (Some(r1), Some(r2), Some(c1), Some(c2)) = (
        a.checked_add(b),
        c.checked_add(d),
        a.checked_add(c),
        b.checked_add(d),
    ) else {
        return nan;
    };
    let Some(total) = r1.checked_add(r2) else {
        return nan;
    };
    if r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0 {
        return nan;
    }
    let odds_ratio = if b > 0 && c > 0 {
        f128(u128::from(a) * u128::from(d)) / f128(u128::from(b) * u128::from(c))
    } else {
        f64::INFINITY
    };
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    // P(x + 1) / P(x) for the hypergeometric count x in the top-left
    // cell, x given as an f64 counted up or down by the walks: a u64
    // becomes an f64 in several instructions on baseline x86-64, and the
    // walks take a hundred steps a table at 100,000 records, thousands at
    // a million. Exact all the same, as every term is an integer below 2^53.
    let (r1f, c1f, r2f) = (f(r1), f(c1), f(r2));
    let ratio = |at: f64| (r1f - at) * (c1f - at) / ((at + 1.0) * (r2f + at + 1.0 - c1f));
    let mode = u64::try_from((u128::from(c1) + 1) * (u128::from(r1) + 1) / (u128::from(total) + 2))
        .unwrap_or(hi)
        .clamp(lo, hi);
    let observed = weight_at(a, mode, ratio);
    if (observed - 1.0).abs() <= 1e-14 * observed.max(1.0) {
        return FisherExact {
            odds_ratio,
            p_value: 1.0,
        };
    }
    let p_value = sum_at_most(observed * (1.0 + 1e-14), mode, lo, hi, ratio);
    FisherExact {
        odds_ratio,
        p_value,
    }
}

/// The weight of point `x` relative to `mode`'s, from the step ratio
/// P(x + 1) / P(x) (given x as an f64).
pub(crate) fn weight_at(x: u64, mode: u64, ratio: impl Fn(f64) -> f64) -> f64 {
    let mut w = 1.0;
    // Each product taken in order of x, as before (it decides the last bit).
    let mut at = f(mode.min(x));
    for _ in mode..x {
        w *= ratio(at);
        at += 1.0;
    }
    for _ in x..mode {
        w /= ratio(at);
        at += 1.0;
    }
    w
}

/// Sums a unimodal discrete distribution given by the step ratio
/// P(x + 1) / P(x) (x given as an f64), relative to its mode, and returns
/// the share of the mass on points whose weight is at most `threshold`.
/// Walks outwards from the mode and stops where the weights can no longer
/// change either sum.
///
/// Away from the mode the weights never grow, so once a weight is below
/// half a unit in the last place of both sums (`total` is at least 1, and
/// `tail` only grows), adding it and every later weight leaves both sums
/// as they are: stopping there gives the bits the walk to underflow gives,
/// in a fraction of the steps when the counts are large (at a million
/// records a one-vs-rest table spans thousands of points per side).
pub(crate) fn sum_at_most(
    threshold: f64,
    mode: u64,
    lo: u64,
    hi: u64,
    ratio: impl Fn(f64) -> f64,
) -> f64 {
    // 2^-54: below half an ulp of any number in [1, 2), and of x when scaled by x.
    const QUARTER_EPSILON: f64 = f64::EPSILON / 4.0;
    let spent = |w: f64, tail: f64| w < QUARTER_EPSILON && w < tail * QUARTER_EPSILON;
    let mut total = 1.0;
    let mut tail = if 1.0 <= threshold { 1.0 } else { 0.0 };
    let mut w = 1.0;
    let mut at = f(mode);
    for _ in mode..hi {
        w *= ratio(at);
        at += 1.0;
        if w == 0.0 || spent(w, tail) {
            break;
        }
        total += w;
        if w <= threshold {
            tail += w;
        }
    }
    w = 1.0;
    at = f(mode);
    for _ in lo..mode {
        at -= 1.0;
        w /= ratio(at);
        if w == 0.0 || spent(w, tail) {
            break;
        }
        total += w;
        if w <= threshold {
            tail += w;
        }
    }
    (tail / total).min(1.0)
}

/// The 2 x 2 table of one cell against the rest of an r x c table:
/// `[[in row and column, in row not column], [in column not row, neither]]`,
/// ready for [`fisher_exact`] (for example "this department" x "left for pay").
///
/// ```
/// use exitcore::stats::contingency::one_vs_rest;
/// let t = one_vs_rest(&[[1, 2, 3], [4, 5, 6]], 1, 2).unwrap();
/// assert_eq!(t, [[6, 9], [3, 3]]);
/// ```
pub fn one_vs_rest<R: AsRef<[u64]>>(table: &[R], row: usize, col: usize) -> Result<[[u64; 2]; 2]> {
    let m = Margins::of(table)?;
    let (Some(&r), Some(&c)) = (m.row.get(row), m.col.get(col)) else {
        return Err(Error::argument(
            "row",
            format!(
                "cell ({row}, {col}) is outside the {} x {} table",
                m.row.len(),
                m.col.len()
            ),
        ));
    };
    let o = table
        .get(row)
        .and_then(|x| x.as_ref().get(col))
        .copied()
        .unwrap_or(0);
    // n - r - (c - o) rather than n - r - c + o: the latter underflows first.
    Ok([[o, r - o], [c - o, m.n - r - (c - o)]])
}

/// Row and column totals, checked for overflow.
struct Margins {
    row: Vec<u64>,
    col: Vec<u64>,
    n: u64,
}

impl Margins {
    fn of<R: AsRef<[u64]>>(table: &[R]) -> Result<Margins> {
        let (_, cols) = table_shape(table)?;
        let overflow = || Error::argument("table", "counts sum beyond u64");
        let mut col = vec![0u64; cols];
        let mut row = Vec::with_capacity(table.len());
        let mut n = 0u64;
        for r in table {
            let mut total = 0u64;
            for (&x, c) in r.as_ref().iter().zip(&mut col) {
                total = total.checked_add(x).ok_or_else(overflow)?;
                *c = c.checked_add(x).ok_or_else(overflow)?;
            }
            n = n.checked_add(total).ok_or_else(overflow)?;
            row.push(total);
        }
        Ok(Margins { row, col, n })
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};
    use proptest::prelude::*;

    /// `sum_at_most` as it was: every weight down to underflow.
    fn sum_to_underflow(
        threshold: f64,
        mode: u64,
        lo: u64,
        hi: u64,
        ratio: impl Fn(u64) -> f64,
    ) -> f64 {
        let mut total = 1.0;
        let mut tail = if 1.0 <= threshold { 1.0 } else { 0.0 };
        let mut w = 1.0;
        for x in mode..hi {
            w *= ratio(x);
            if w == 0.0 {
                break;
            }
            total += w;
            if w <= threshold {
                tail += w;
            }
        }
        w = 1.0;
        for x in (lo..mode).rev() {
            w /= ratio(x);
            if w == 0.0 {
                break;
            }
            total += w;
            if w <= threshold {
                tail += w;
            }
        }
        (tail / total).min(1.0)
    }

    proptest! {
        /// Stopping once the weights cannot change the sums gives the same
        /// bits as walking to underflow, for the hypergeometric of
        /// one-vs-rest tables from a few people to a million, observed
        /// anywhere from the mode to the far tails (p-values down to
        /// underflow), and for thresholds below and above the mode's weight.
        #[test]
        fn stopping_early_changes_no_bit(
            r1 in 1u64..200_000,
            r2 in 1u64..1_000_000,
            share in 0.0f64..1.0,
            at in 0.0f64..1.0,
            threshold in prop_oneof![Just(0.0), 1e-300f64..1e-3, 1e-3f64..2.0],
        ) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let c1 = (((r1 + r2) as f64 * share) as u64).clamp(1, r1 + r2 - 1);
            let total = r1 + r2;
            let lo = c1.saturating_sub(r2);
            let hi = r1.min(c1);
            let ratio = |x: u64| f(r1 - x) * f(c1 - x) / (f(x + 1) * f(r2 + x + 1 - c1));
            // As the walks give it, x counted in f64.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ratio_f = |at: f64| ratio(at as u64);
            let mode = u64::try_from((u128::from(c1) + 1) * (u128::from(r1) + 1) / (u128::from(total) + 2))
                .unwrap_or(hi)
                .clamp(lo, hi);
            // The observed count's weight, as fisher_exact finds it.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let a = lo + ((hi - lo) as f64 * at) as u64;
            let mut observed = 1.0;
            for x in mode..a {
                observed *= ratio(x);
            }
            for x in a..mode {
                observed /= ratio(x);
            }
            prop_assert_eq!(weight_at(a, mode, ratio_f).to_bits(), observed.to_bits());
            for t in [threshold, observed * (1.0 + 1e-14)] {
                let fast = sum_at_most(t, mode, lo, hi, ratio_f);
                let slow = sum_to_underflow(t, mode, lo, hi, ratio);
                prop_assert_eq!(fast.to_bits(), slow.to_bits(), "threshold {} table {} {} {}", t, r1, r2, c1);
            }
        }
    }

    #[test]
    fn chi_square_matches_scipy() {
        // scipy.stats.chi2_contingency([[10,20,30],[6,9,17]], correction=False)
        //   -> statistic 0.27157465150403504, dof 2, p 0.873028283380073,
        //      expected [[10.434782608695652, 18.91304347826087, 30.652173913043477],
        //                [5.565217391304348, 10.08695652173913, 16.347826086956523]]
        // scipy.stats.contingency.association(same, method="cramer") -> 0.05433137570422292
        let t = chi_square(&[[10, 20, 30], [6, 9, 17]]).unwrap();
        assert_close(t.statistic, 0.271_574_651_504_035_04, 1e-9);
        assert_eq!(t.dof, 2);
        assert_close(t.p_value, 0.873_028_283_380_073, 1e-9);
        assert_close(t.cramers_v, 0.054_331_375_704_222_92, 1e-9);
        let expected = [
            [
                10.434_782_608_695_652,
                18.913_043_478_260_87,
                30.652_173_913_043_477,
            ],
            [
                5.565_217_391_304_348,
                10.086_956_521_739_13,
                16.347_826_086_956_523,
            ],
        ];
        for (row, exp) in t.expected.iter().zip(expected) {
            for (&a, e) in row.iter().zip(exp) {
                assert_close(a, e, 1e-12);
            }
        }
    }

    #[test]
    fn chi_square_tiny_p_value() {
        // scipy.stats.chi2_contingency([[500,100],[100,500]], correction=False)
        //   -> 533.3333333333334, 1, 5.318244953897286e-118; association -> 0.6666666666666667
        let t = chi_square(&[[500, 100], [100, 500]]).unwrap();
        assert_close(t.statistic, 533.333_333_333_333_4, 1e-12);
        assert_rel(t.p_value, 5.318_244_953_897_286e-118, 1e-9);
        assert_close(t.cramers_v, 0.666_666_666_666_666_7, 1e-12);
    }

    #[test]
    fn chi_square_drops_empty_rows_and_columns() {
        // scipy rejects zero margins, so the reference is the reduced table:
        // scipy.stats.chi2_contingency([[10,30],[6,17]], correction=False)
        //   -> 0.009106151711378338, 1, 0.9239763394647299; association -> 0.01202256589321926
        let t = chi_square(&[[10, 0, 30], [0, 0, 0], [6, 0, 17]]).unwrap();
        assert_eq!(t.dof, 1);
        assert_close(t.statistic, 0.009_106_151_711_378_338, 1e-9);
        assert_close(t.p_value, 0.923_976_339_464_729_9, 1e-9);
        assert_close(t.cramers_v, 0.012_022_565_893_219_26, 1e-9);
        assert_close(t.expected[0][2], 29.841_269_841_269_842, 1e-12);
        assert!(t.expected[1].iter().all(|&e| e == 0.0));
        assert_eq!(t.expected[0][1], 0.0);
    }

    #[test]
    fn chi_square_degenerate() {
        for t in [
            chi_square(&[[0u64, 0], [0, 0]]).unwrap(),
            chi_square(&[[5u64, 7, 1]]).unwrap(),
            chi_square(&[[5u64, 0], [7, 0]]).unwrap(),
        ] {
            assert!(t.statistic.is_nan() && t.p_value.is_nan() && t.cramers_v.is_nan());
            assert_eq!(t.dof, 0);
        }
        let empty: [[u64; 0]; 0] = [];
        assert!(chi_square(&empty).unwrap().p_value.is_nan());
        assert!(chi_square(&[vec![1u64, 2], vec![3]]).is_err());
        assert!(chi_square(&[[u64::MAX, 1]]).is_err());
    }

    #[test]
    fn adjusted_residuals_match_statsmodels() {
        // statsmodels Table(np.array([[10,20,30],[6,9,17]])).standardized_resids
        //   -> [[-0.2510940971310061, 0.5121226989905664, -0.2855876112298007],
        //       [0.2510940971310061, -0.5121226989905672, 0.2855876112297991]]
        let r = adjusted_residuals(&[[10, 20, 30], [6, 9, 17]]).unwrap();
        let expected = [
            [
                -0.251_094_097_131_006_1,
                0.512_122_698_990_566_4,
                -0.285_587_611_229_800_7,
            ],
            [
                0.251_094_097_131_006_1,
                -0.512_122_698_990_567_2,
                0.285_587_611_229_799_1,
            ],
        ];
        for (row, exp) in r.iter().zip(expected) {
            for (&a, e) in row.iter().zip(exp) {
                assert_close(a, e, 1e-9);
            }
        }
        // Table([[20,5],[5,20]]).standardized_resids -> ±4.242640687119285
        let r = adjusted_residuals(&[[20, 5], [5, 20]]).unwrap();
        assert_close(r[0][0], 4.242_640_687_119_285, 1e-12);
        assert_close(r[1][0], -4.242_640_687_119_285, 1e-12);
        // Degenerate: a zero column and a single non-empty row give NaN.
        let r = adjusted_residuals(&[[3, 0], [4, 0]]).unwrap();
        assert!(r.iter().flatten().all(|x| x.is_nan()));
    }

    #[test]
    fn fisher_matches_scipy() {
        // scipy.stats.fisher_exact(t) -> (statistic, pvalue)
        let cases = [
            // [[8,2],[1,5]] -> 20.0, 0.034965034965034975
            ([[8, 2], [1, 5]], 20.0, 0.034_965_034_965_034_975),
            // [[3,1],[1,3]] -> 9.0, 0.48571428571428565 (the mirror table ties
            // with the observed one: only the relative tolerance includes it)
            ([[3, 1], [1, 3]], 9.0, 0.485_714_285_714_285_65),
            // [[5,0],[0,4]] -> inf, 0.007936507936507934
            ([[5, 0], [0, 4]], f64::INFINITY, 0.007_936_507_936_507_934),
            // [[2,7],[8,2]] -> 0.07142857142857142, 0.02301413756522116
            (
                [[2, 7], [8, 2]],
                0.071_428_571_428_571_42,
                0.023_014_137_565_221_16,
            ),
            // [[1,9],[11,3]] -> 0.030303030303030304, 0.0027594561852200836
            (
                [[1, 9], [11, 3]],
                0.030_303_030_303_030_304,
                0.002_759_456_185_220_083_6,
            ),
            // [[100,2],[3,90]] -> 1500.0, 3.178668974128125e-49
            ([[100, 2], [3, 90]], 1500.0, 3.178_668_974_128_125e-49),
        ];
        for (t, odds, p) in cases {
            let r = fisher_exact(t);
            assert_close(r.odds_ratio, odds, 1e-12);
            assert_rel(r.p_value, p, 1e-9);
        }
    }

    #[test]
    fn fisher_degenerate() {
        // scipy.stats.fisher_exact([[0,5],[0,7]]) -> (nan, 1.0); we report NaN for both.
        let r = fisher_exact([[0, 5], [0, 7]]);
        assert!(r.odds_ratio.is_nan() && r.p_value.is_nan());
        assert!(fisher_exact([[0, 0], [0, 0]]).p_value.is_nan());
        assert!(fisher_exact([[u64::MAX, 1], [1, 1]]).p_value.is_nan());
    }

    #[test]
    fn one_vs_rest_table() {
        let t = [[1u64, 2, 3], [4, 5, 6]];
        let cell = one_vs_rest(&t, 0, 1).unwrap();
        assert_eq!(cell, [[2, 4], [5, 10]]);
        // Off-diagonal cell with a large column total: the corner must not underflow.
        assert_eq!(one_vs_rest(&t, 1, 2).unwrap(), [[6, 9], [3, 3]]);
        assert_eq!(cell.iter().flatten().sum::<u64>(), 21);
        assert!(one_vs_rest(&t, 2, 0).is_err());
        assert!(one_vs_rest(&t, 0, 3).is_err());
    }
}
