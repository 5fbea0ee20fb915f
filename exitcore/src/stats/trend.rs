//! Tests for trends: in proportions over ordered groups, and in a series.

use serde::Serialize;

use super::{chi2_sf, f, normal_two_sided};
use crate::{Error, Result};

/// Cochran-Armitage test for a linear trend in proportions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrendTest {
    /// Chi-square statistic with 1 degree of freedom.
    pub statistic: f64,
    /// Signed square root of the statistic: positive when the proportion
    /// rises with the score.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Cochran-Armitage trend test: `successes[i]` out of `totals[i]` in ordered
/// group `i` with score `scores[i]` (e.g. tenure bands scored 1, 2, 3, ...).
///
/// Matches R `prop.trend.test(successes, totals, scores)`: with p̄ the pooled
/// proportion, `X² = [Σ s_i (x_i - n_i p̄)]² / [p̄ (1 - p̄) (Σ n_i s_i² - (Σ n_i s_i)² / N)]`.
/// Both sums are taken around the weighted mean score, which is algebraically
/// the same and avoids cancellation. Groups with `totals[i]` = 0 contribute
/// nothing.
///
/// Degenerate cases give `NaN` fields: no observations, a pooled proportion of
/// 0 or 1, or a single distinct score among non-empty groups. Slices of
/// different lengths, `successes[i] > totals[i]` and non-finite scores are errors.
///
/// ```
/// use exitcore::stats::trend::cochran_armitage;
/// let t = cochran_armitage(&[15, 10, 5], &[50, 50, 50], &[1.0, 2.0, 3.0]).unwrap();
/// assert!(t.z < 0.0 && t.p_value < 0.05);
/// ```
pub fn cochran_armitage(successes: &[u64], totals: &[u64], scores: &[f64]) -> Result<TrendTest> {
    if successes.len() != totals.len() || scores.len() != totals.len() {
        return Err(Error::argument(
            "scores",
            "successes, totals and scores must have the same length",
        ));
    }
    let mut n = 0u128;
    let mut x = 0u128;
    let mut weighted = 0.0;
    for ((&xi, &ni), &si) in successes.iter().zip(totals).zip(scores) {
        if xi > ni {
            return Err(Error::argument(
                "successes",
                format!("{xi} successes exceed {ni} trials"),
            ));
        }
        if !si.is_finite() {
            return Err(Error::argument("scores", "must be finite"));
        }
        n += u128::from(ni);
        x += u128::from(xi);
        weighted += f(ni) * si;
    }
    let nan = TrendTest {
        statistic: f64::NAN,
        z: f64::NAN,
        p_value: f64::NAN,
    };
    if n == 0 || x == 0 || x == n {
        return Ok(nan);
    }
    let nf = super::f128(n);
    let pbar = super::f128(x) / nf;
    let mean_score = weighted / nf;
    let mut numerator = 0.0;
    let mut spread = 0.0;
    for ((&xi, &ni), &si) in successes.iter().zip(totals).zip(scores) {
        let d = si - mean_score;
        numerator += d * (f(xi) - f(ni) * pbar);
        spread += f(ni) * d * d;
    }
    let denominator = pbar * (1.0 - pbar) * spread;
    if denominator <= 0.0 {
        return Ok(nan);
    }
    let z = numerator / denominator.sqrt();
    Ok(TrendTest {
        statistic: z * z,
        z,
        p_value: chi2_sf(z * z, 1.0),
    })
}

/// Mann-Kendall trend test on a series, with Sen's slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannKendall {
    /// Number of points.
    pub n: u64,
    /// S: concordant minus discordant pairs (later point higher minus lower).
    pub s: i64,
    /// Variance of S under no trend, corrected for ties.
    pub variance: f64,
    /// Continuity-corrected normal statistic (S ∓ 1) / sqrt(variance), 0 when S = 0.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Kendall's tau-a, S / (n (n - 1) / 2).
    pub tau: f64,
    /// Sen's slope: median of `(x_j - x_i) / (j - i)` over all pairs `i < j`.
    pub slope: f64,
}

/// Mann-Kendall test for a monotonic trend in an equally spaced series (for
/// example the monthly share leaving for pay).
///
/// Matches `pymannkendall.original_test(series)` (`s`, `var_s`, `z`, `p`, `Tau`) and
/// `pymannkendall.sens_slope(series).slope`, except that the p-value is
/// computed from the normal tail directly: pymannkendall's 2 (1 - Φ(|z|))
/// rounds to 0 below about 1e-16, this one stays accurate.
/// Cost is O(n²) in the length of the series, meant for tens to hundreds of
/// periods.
///
/// Fewer than two points, or all points equal, give a zero variance and `NaN`
/// `z` and `p_value` (and `NaN` tau and slope for fewer than two points).
/// Non-finite values are errors: leave missing periods out or fill them first.
///
/// ```
/// use exitcore::stats::trend::mann_kendall;
/// let t = mann_kendall(&[1.0, 2.0, 2.0, 4.0, 5.0, 7.0]).unwrap();
/// assert_eq!(t.s, 14);
/// assert!((t.slope - 1.0).abs() < 1e-12);
/// ```
pub fn mann_kendall(series: &[f64]) -> Result<MannKendall> {
    if series.iter().any(|x| !x.is_finite()) {
        return Err(Error::argument("series", "values must be finite"));
    }
    let len = series.len();
    let n = len as u64;
    let mut s = 0i64;
    let mut slopes = Vec::with_capacity(len * len.saturating_sub(1) / 2);
    for (i, &a) in series.iter().enumerate() {
        for (gap, &b) in (1u32..).zip(series.get(i + 1..).unwrap_or_default()) {
            // Plain comparisons, so -0.0 and 0.0 tie as they do in numpy.
            s += i64::from(b > a) - i64::from(b < a);
            slopes.push((b - a) / f64::from(gap));
        }
    }
    let mut sorted = series.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut tie_term = 0u128;
    // Exact equality groups ties as numpy.unique does.
    #[allow(clippy::float_cmp)]
    for run in sorted.chunk_by(|a, b| a == b) {
        let t = run.len() as u128;
        tie_term += t * (t - 1) * (2 * t + 5);
    }
    let nn = u128::from(n);
    let full = nn * nn.saturating_sub(1) * (2 * nn + 5);
    let variance = super::f128(full - tie_term) / 18.0;
    #[allow(clippy::cast_precision_loss)]
    let sf = s as f64;
    let (z, p_value) = if variance > 0.0 {
        let z = match s.signum() {
            1 => (sf - 1.0) / variance.sqrt(),
            -1 => (sf + 1.0) / variance.sqrt(),
            _ => 0.0,
        };
        (z, normal_two_sided(z))
    } else {
        (f64::NAN, f64::NAN)
    };
    let pairs = f(n) * (f(n) - 1.0) / 2.0;
    let tau = if n < 2 { f64::NAN } else { sf / pairs };
    Ok(MannKendall {
        n,
        s,
        variance,
        z,
        p_value,
        tau,
        slope: median(&mut slopes),
    })
}

/// Median by selection (O(len)); `NaN` for an empty slice.
fn median(values: &mut [f64]) -> f64 {
    let len = values.len();
    if len == 0 {
        return f64::NAN;
    }
    let (_, &mut upper, _) = values.select_nth_unstable_by(len / 2, f64::total_cmp);
    if len % 2 == 1 {
        return upper;
    }
    // The lower middle is the largest value left of the upper middle.
    let lower = values
        .get(..len / 2)
        .unwrap_or_default()
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(upper);
    f64::midpoint(lower, upper)
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};

    // Cochran-Armitage references: R's prop.trend.test is not installed here, so
    // statsmodels' linear-by-linear association test on the 2 x k table is used:
    //   t = Table(np.array([n - x, x])); res = t.test_ordinal_association(
    //       row_scores=np.array([0, 1]), col_scores=np.array(scores, float))
    //   chi = res.zscore**2 * N / (N - 1); p = scipy.stats.chi2.sf(chi, 1)
    // (the linear-by-linear statistic is (N - 1) r², prop.trend.test's is N r²).
    #[test]
    fn cochran_armitage_matches_reference() {
        // x [15,10,5], n [50,50,50], s [1,2,3] -> zscore -2.4916527312876755,
        // chi 6.25, p 0.01241933065155227
        let t = cochran_armitage(&[15, 10, 5], &[50, 50, 50], &[1.0, 2.0, 3.0]).unwrap();
        assert_close(t.statistic, 6.25, 1e-9);
        assert_close(t.z, -2.5, 1e-9);
        assert_rel(t.p_value, 0.012_419_330_651_552_27, 1e-9);
        // R documentation example: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
        // prints X-squared = 8.2249, p-value = 0.004132; statsmodels as above
        // -> chi 8.224922285197652, p 0.004131897477641618
        let t = cochran_armitage(
            &[83, 90, 129, 70],
            &[86, 93, 136, 82],
            &[1.0, 2.0, 3.0, 4.0],
        )
        .unwrap();
        assert_close(t.statistic, 8.224_922_285_197_652, 1e-9);
        assert_rel(t.p_value, 0.004_131_897_477_641_618, 1e-9);
        assert!(t.z < 0.0);
    }

    #[test]
    fn cochran_armitage_tiny_p_value() {
        // x [2,30,150,400], n [500]*4, s [0,1,2,5] -> zscore 30.674063871696546,
        // chi 941.3688788443415, p 9.975743172759333e-207
        let t = cochran_armitage(&[2, 30, 150, 400], &[500; 4], &[0.0, 1.0, 2.0, 5.0]).unwrap();
        assert_close(t.statistic, 941.368_878_844_341_5, 1e-9);
        assert!(t.z > 0.0);
        assert_rel(t.p_value, 9.975_743_172_759_333e-207, 1e-9);
    }

    #[test]
    fn cochran_armitage_degenerate() {
        let nan = |t: TrendTest| t.statistic.is_nan() && t.p_value.is_nan() && t.z.is_nan();
        assert!(nan(cochran_armitage(&[0, 0], &[5, 5], &[1.0, 2.0]).unwrap()));
        assert!(nan(cochran_armitage(&[5, 5], &[5, 5], &[1.0, 2.0]).unwrap()));
        assert!(nan(cochran_armitage(&[1, 4], &[5, 5], &[2.0, 2.0]).unwrap()));
        assert!(nan(cochran_armitage(&[1, 0], &[5, 0], &[1.0, 2.0]).unwrap()));
        assert!(nan(cochran_armitage(&[], &[], &[]).unwrap()));
        assert!(cochran_armitage(&[6], &[5], &[1.0]).is_err());
        assert!(cochran_armitage(&[1], &[5], &[f64::NAN]).is_err());
        assert!(cochran_armitage(&[1], &[5, 3], &[1.0]).is_err());
    }

    #[test]
    fn mann_kendall_matches_pymannkendall() {
        // pymannkendall.original_test(np.array([1,2,2,4,5,7,6,8,8,10.])) (ties)
        //   -> s 41, var_s 123, z 3.606678538669729, p 0.0003101414891824028,
        //      Tau 0.9111111111111111, slope 1.0
        let t = mann_kendall(&[1.0, 2.0, 2.0, 4.0, 5.0, 7.0, 6.0, 8.0, 8.0, 10.0]).unwrap();
        assert_eq!(t.s, 41);
        assert_close(t.variance, 123.0, 1e-12);
        assert_close(t.z, 3.606_678_538_669_729, 1e-9);
        assert_rel(t.p_value, 0.000_310_141_489_182_402_8, 1e-9);
        assert_close(t.tau, 0.911_111_111_111_111_1, 1e-12);
        assert_close(t.slope, 1.0, 1e-12);
        // original_test([3,1,4,1,5,9,2,6.]) -> s 11, var_s 64.33333333333333,
        //   z 1.2467574523850742, p 0.21248644570250086, Tau 0.39285714285714285,
        //   slope 0.4642857142857143
        let t = mann_kendall(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]).unwrap();
        assert_eq!(t.s, 11);
        assert_close(t.variance, 64.333_333_333_333_33, 1e-12);
        assert_close(t.z, 1.246_757_452_385_074_2, 1e-9);
        assert_rel(t.p_value, 0.212_486_445_702_500_86, 1e-9);
        assert_close(t.tau, 0.392_857_142_857_142_85, 1e-12);
        assert_close(t.slope, 0.464_285_714_285_714_3, 1e-12);
    }

    #[test]
    fn mann_kendall_tiny_p_value() {
        // x = np.arange(60.) + 0.5 * np.sin(np.arange(60.)); original_test(x)
        //   -> s 1770, var_s 24583.333333333332, z 11.282554705294634, p 0.0 (1 - cdf
        //      underflows), Tau 1.0, slope 1.0001056401870292;
        //   2 * scipy.stats.norm.sf(11.282554705294634) -> 1.6003001648355794e-29
        let x: Vec<f64> = (0..60)
            .map(|i| f64::from(i) + 0.5 * crate::stats::special::sin(f64::from(i)))
            .collect();
        let t = mann_kendall(&x).unwrap();
        assert_eq!(t.s, 1770);
        assert_close(t.variance, 24_583.333_333_333_332, 1e-12);
        assert_close(t.z, 11.282_554_705_294_634, 1e-9);
        assert_rel(t.p_value, 1.600_300_164_835_579_4e-29, 1e-9);
        assert_close(t.slope, 1.000_105_640_187_029_2, 1e-9);
    }

    #[test]
    fn mann_kendall_degenerate() {
        // original_test([2,2,2.]) -> var_s 0, z 0, p 1.0; we report NaN z and p for a
        // zero variance instead of a p-value of 1.
        let t = mann_kendall(&[2.0, 2.0, 2.0]).unwrap();
        assert_eq!(t.s, 0);
        assert!(t.z.is_nan() && t.p_value.is_nan());
        assert_close(t.tau, 0.0, 1e-15);
        assert_close(t.slope, 0.0, 1e-15);
        let t = mann_kendall(&[]).unwrap();
        assert!(t.tau.is_nan() && t.slope.is_nan() && t.p_value.is_nan());
        let t = mann_kendall(&[1.0]).unwrap();
        assert!(t.p_value.is_nan());
        assert!(mann_kendall(&[1.0, f64::NAN]).is_err());
        assert_eq!(mann_kendall(&[-0.0, 0.0]).unwrap().s, 0);
    }
}
