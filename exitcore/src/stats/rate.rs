//! Exact intervals and tests for event counts and rates (Poisson).

use serde::Serialize;

use super::contingency::{sum_at_most, weight_at};
use super::special::{beta_quantile, gamma_quantile};
use super::{Interval, alpha, f};
use crate::{Error, Result};

/// Exact (Garwood) interval for a Poisson count `k` observed over `exposure`
/// (person-years, headcount-months, ...), as a rate per unit of exposure.
///
/// Lower = χ²(α/2; 2k) / 2 (0 when k = 0), upper = χ²(1 - α/2; 2k + 2) / 2,
/// both divided by `exposure`; with `exposure = 1.0` it is the interval for
/// the count itself. Matches `scipy.stats.chi2.ppf(alpha/2, 2*k)/2` and
/// `chi2.ppf(1-alpha/2, 2*k+2)/2`. The quantiles come from Newton steps on
/// the tail that is asked for, so they are accurate to a few ulps. `exposure` must be finite and positive.
///
/// ```
/// use exitcore::stats::rate::poisson_interval;
/// let ci = poisson_interval(0, 1.0, 0.95).unwrap();
/// assert_eq!(ci.lower, 0.0);
/// assert!((ci.upper - 3.688879454113936).abs() < 1e-12);
/// ```
pub fn poisson_interval(k: u64, exposure: f64, confidence: f64) -> Result<Interval> {
    let alpha = alpha(confidence)?;
    check_exposure(exposure, "exposure")?;
    let lower = if k == 0 {
        0.0
    } else {
        gamma_quantile(f(k), alpha / 2.0, false)
    };
    let upper = gamma_quantile(f(k) + 1.0, alpha / 2.0, true);
    Ok(Interval {
        lower: lower / exposure,
        upper: upper / exposure,
    })
}

/// Rate ratio of a group against the rest, with an exact conditional test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateRatio {
    /// (k1 / t1) / (k2 / t2); infinite when only the rest has no events,
    /// `NaN` when neither has.
    pub ratio: f64,
    /// Two-sided exact p-value for a ratio of 1.
    pub p_value: f64,
    /// Exact conditional interval for the ratio.
    pub interval: Interval,
}

/// Compares the event rate `k1 / t1` of a group with the rate `k2 / t2` of
/// the rest, conditioning on the total k1 + k2: under equal rates
/// k1 ~ Binomial(k1 + k2, t1 / (t1 + t2)).
///
/// The p-value matches `scipy.stats.binomtest(k1, k1 + k2, t1 / (t1 + t2)).pvalue`:
/// it sums the probabilities of all outcomes at most (1 + 1e-7) times as
/// likely as k1, walking outwards from the mode. The interval is the
/// Clopper-Pearson interval `[π_L, π_U]` of the binomial proportion
/// (`binomtest(...).proportion_ci(confidence, method="exact")`) mapped to the
/// ratio by π / (1 - π) · t2 / t1, so it is exact (conservative) too; its
/// upper end is infinite when k2 = 0.
///
/// With no events at all the fields are `NaN`. Exposures must be finite and
/// positive.
///
/// ```
/// use exitcore::stats::rate::rate_ratio;
/// let r = rate_ratio(12, 100.0, 30, 600.0, 0.95).unwrap();
/// assert!((r.ratio - 2.4).abs() < 1e-12);
/// assert!(r.interval.contains(2.4) && r.p_value < 0.05);
/// ```
pub fn rate_ratio(k1: u64, t1: f64, k2: u64, t2: f64, confidence: f64) -> Result<RateRatio> {
    let alpha = alpha(confidence)?;
    check_exposure(t1, "t1")?;
    check_exposure(t2, "t2")?;
    let Some(n) = k1.checked_add(k2) else {
        return Err(Error::argument("k2", "counts sum beyond u64"));
    };
    if n == 0 {
        return Ok(RateRatio {
            ratio: f64::NAN,
            p_value: f64::NAN,
            interval: Interval::NAN,
        });
    }
    let ratio = (f(k1) / t1) / (f(k2) / t2);
    let p = t1 / (t1 + t2);
    let p_value = binomial_two_sided(k1, n, p);
    let to_ratio = |pi: f64| pi / (1.0 - pi) * (t2 / t1);
    let lower = if k1 == 0 {
        0.0
    } else {
        beta_quantile(f(k1), f(n - k1) + 1.0, alpha / 2.0, false)
    };
    let upper = if k1 == n {
        f64::INFINITY
    } else {
        to_ratio(beta_quantile(f(k1) + 1.0, f(n - k1), alpha / 2.0, true))
    };
    Ok(RateRatio {
        ratio,
        p_value,
        interval: Interval {
            lower: to_ratio(lower),
            upper,
        },
    })
}

/// Two-sided binomial test p-value as scipy's `binomtest` computes it.
fn binomial_two_sided(k: u64, n: u64, p: f64) -> f64 {
    // scipy's exact shortcut, kept so the two agree on where p = 1.
    #[allow(clippy::float_cmp)]
    let at_expectation = f(k) == p * f(n);
    if at_expectation {
        return 1.0;
    }
    let odds = p / (1.0 - p);
    let nf = f(n);
    let ratio = |at: f64| (nf - at) / (at + 1.0) * odds;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let mode = ((nf + 1.0) * p).floor().clamp(0.0, nf) as u64;
    let observed = weight_at(k, mode, ratio);
    sum_at_most(observed * (1.0 + 1e-7), mode, 0, n, ratio)
}

fn check_exposure(t: f64, name: &str) -> Result<()> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(Error::argument(
            name,
            format!("must be finite and positive, got {t}"),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};

    // Garwood: lower = scipy.stats.chi2.ppf(alpha/2, 2*k)/2, upper = chi2.ppf(1-alpha/2, 2*k+2)/2
    #[test]
    fn garwood_matches_scipy() {
        let cases = [
            // k, lower 95%, upper 95%, upper 99%
            (0, 0.0, 3.688_879_454_113_935_4, 5.298_317_366_548_036),
            (
                1,
                0.025_317_807_984_289_876,
                5.571_643_390_938_898,
                7.430_129_500_280_121,
            ),
            (
                5,
                1.623_486_390_118_420_7,
                11.668_332_079_322_67,
                14.149_759_411_023_012,
            ),
            (
                100,
                81.363_991_250_923_14,
                121.626_793_792_426_38,
                128.760_580_120_102_45,
            ),
        ];
        for (k, lo, hi, hi99) in cases {
            let ci = poisson_interval(k, 1.0, 0.95).unwrap();
            assert_close(ci.lower, lo, 1e-9);
            assert_close(ci.upper, hi, 1e-9);
            assert_close(poisson_interval(k, 1.0, 0.99).unwrap().upper, hi99, 1e-9);
            // As a rate over 2.5 units of exposure.
            let rate = poisson_interval(k, 2.5, 0.95).unwrap();
            assert_close(rate.upper, hi / 2.5, 1e-9);
        }
        assert!(poisson_interval(3, 0.0, 0.95).is_err());
        assert!(poisson_interval(3, f64::INFINITY, 0.95).is_err());
        assert!(poisson_interval(3, 1.0, 1.5).is_err());
    }

    // p = t1/(t1+t2); res = scipy.stats.binomtest(k1, k1+k2, p); res.pvalue
    // ci = res.proportion_ci(0.95, method="exact"); ratio = q/(1-q) * t2/t1 for q in ci
    #[test]
    fn rate_ratio_matches_scipy() {
        let cases = [
            // (12, 100, 30, 600) -> p 0.013877786248615588, ci (1.1190546410050164, 4.827174540216741)
            (
                12,
                100.0,
                30,
                600.0,
                0.013_877_786_248_615_588,
                1.119_054_641_005_016_4,
                4.827_174_540_216_741,
            ),
            // (0, 50, 7, 70) -> p 0.04653108768611397, ci (0.0, 0.9713395721352154)
            (
                0,
                50.0,
                7,
                70.0,
                0.046_531_087_686_113_97,
                0.0,
                0.971_339_572_135_215_4,
            ),
            // (5, 10, 0, 40) -> p 0.0003200000000000001, ci (3.66542342926184, inf)
            (
                5,
                10.0,
                0,
                40.0,
                0.000_320_000_000_000_000_1,
                3.665_423_429_261_84,
                f64::INFINITY,
            ),
            // (3, 10, 6, 20): k1 = n p exactly -> p 1.0, ci (0.16182242047983666, 4.682368981753095)
            (
                3,
                10.0,
                6,
                20.0,
                1.0,
                0.161_822_420_479_836_66,
                4.682_368_981_753_095,
            ),
        ];
        for (k1, t1, k2, t2, p, lo, hi) in cases {
            let r = rate_ratio(k1, t1, k2, t2, 0.95).unwrap();
            assert_rel(r.p_value, p, 1e-9);
            assert_close(r.interval.lower, lo, 1e-9);
            assert_close(r.interval.upper, hi, 1e-9);
        }
        let r = rate_ratio(12, 100.0, 30, 600.0, 0.95).unwrap();
        assert_close(r.ratio, 2.4, 1e-12);
    }

    #[test]
    fn rate_ratio_tiny_p_value() {
        // binomtest(200, 250, 100/1100).pvalue -> 6.19989831503163e-158,
        // ratio ci (29.211675377627056, 55.68565822348017)
        let r = rate_ratio(200, 100.0, 50, 1000.0, 0.95).unwrap();
        assert_rel(r.p_value, 6.199_898_315_031_63e-158, 1e-9);
        assert_close(r.interval.lower, 29.211_675_377_627_056, 1e-9);
        assert_close(r.interval.upper, 55.685_658_223_480_17, 1e-9);
    }

    #[test]
    fn rate_ratio_degenerate() {
        let r = rate_ratio(0, 10.0, 0, 20.0, 0.95).unwrap();
        assert!(r.ratio.is_nan() && r.p_value.is_nan() && r.interval.lower.is_nan());
        assert!(rate_ratio(1, 0.0, 1, 1.0, 0.95).is_err());
        assert!(rate_ratio(1, 1.0, 1, -1.0, 0.95).is_err());
        assert!(rate_ratio(u64::MAX, 1.0, 1, 1.0, 0.95).is_err());
    }
}
