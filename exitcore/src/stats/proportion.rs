//! Intervals for a single proportion.

use super::{Interval, alpha, f, z_critical};
use crate::{Error, Result};

/// Wilson score interval for `successes` out of `n` trials.
///
/// Matches `statsmodels.stats.proportion.proportion_confint(successes, n,
/// alpha=1-confidence, method="wilson")`. Unlike the Wald interval it stays
/// inside [0, 1] and keeps sensible coverage for small groups, which is the
/// normal case for exit interviews split by team.
///
/// With `n == 0` the interval is [`Interval::NAN`]; `successes > n` and a
/// confidence outside (0, 1) are errors.
///
/// ```
/// let ci = exitcore::stats::proportion::wilson(7, 20, 0.95).unwrap();
/// assert!((ci.lower - 0.1811918).abs() < 1e-6 && (ci.upper - 0.5671457).abs() < 1e-6);
/// ```
pub fn wilson(successes: u64, n: u64, confidence: f64) -> Result<Interval> {
    let alpha = alpha(confidence)?;
    if successes > n {
        return Err(Error::argument(
            "successes",
            format!("{successes} successes exceed {n} trials"),
        ));
    }
    if n == 0 {
        return Ok(Interval::NAN);
    }
    let nf = f(n);
    let q = f(successes) / nf;
    let z = z_critical(alpha);
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (q + z2 / (2.0 * nf)) / denom;
    let dist = z * (q * (1.0 - q) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Ok(Interval {
        lower: center - dist,
        upper: center + dist,
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::assert_close;

    // statsmodels.stats.proportion.proportion_confint(k, n, alpha=1-c, method="wilson")
    #[test]
    fn wilson_matches_statsmodels() {
        let cases = [
            // (7, 20, 0.95) -> (0.18119182410108206, 0.5671457233147638)
            (
                7,
                20,
                0.95,
                0.181_191_824_101_082_06,
                0.567_145_723_314_763_8,
            ),
            // (0, 10, 0.95) -> (0.0, 0.2775327998628892)
            (0, 10, 0.95, 0.0, 0.277_532_799_862_889_2),
            // (10, 10, 0.99) -> (0.6011459066950919, 1.0)
            (10, 10, 0.99, 0.601_145_906_695_091_9, 1.0),
            // (1234, 5000, 0.9) -> (0.23690942661189274, 0.25696444263610774)
            (
                1234,
                5000,
                0.9,
                0.236_909_426_611_892_74,
                0.256_964_442_636_107_74,
            ),
        ];
        for (k, n, c, lo, hi) in cases {
            let ci = wilson(k, n, c).unwrap();
            assert_close(ci.lower, lo, 1e-9);
            assert_close(ci.upper, hi, 1e-9);
        }
    }

    #[test]
    fn wilson_degenerate_and_invalid() {
        let ci = wilson(0, 0, 0.95).unwrap();
        assert!(ci.lower.is_nan() && ci.upper.is_nan());
        assert!(wilson(3, 2, 0.95).is_err());
        assert!(wilson(1, 2, 1.0).is_err());
        assert!(wilson(1, 2, f64::NAN).is_err());
    }
}
