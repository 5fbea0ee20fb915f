//! Means with Student-t confidence intervals.

use serde::Serialize;

use super::{Interval, alpha, f};
use crate::{Error, Result};

/// A sample mean with its spread and Student-t confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanEstimate {
    /// Number of observations.
    pub n: u64,
    /// Sample mean (`NaN` when `n` is 0).
    pub mean: f64,
    /// Sample standard deviation with n - 1 in the denominator (`NaN` when `n` < 2).
    pub sd: f64,
    /// Standard error sd / sqrt(n).
    pub sem: f64,
    /// Confidence interval mean ± t(1 - α/2, n - 1) sem; `NaN` when `n` < 2.
    pub interval: Interval,
}

/// Mean of answers on numbered levels from their counts: `counts[i]` is how
/// many answered `first_level + i` (e.g. `first_level = 1.0` for a 1..5 Likert
/// item).
///
/// Matches `numpy.mean`, `numpy.std(ddof=1)` and
/// `scipy.stats.t.interval(confidence, n - 1, loc=mean, scale=sem)` on the
/// expanded sample. The variance is summed around the mean level by level, so
/// it has none of the cancellation of the sum-of-squares form.
///
/// With `n` = 0 everything but `n` is `NaN`; with `n` = 1 only the mean is
/// defined. When every answer is the same the interval is the single point
/// [mean, mean] (scipy returns `NaN` for a zero scale).
///
/// ```
/// use exitcore::stats::mean::from_level_counts;
/// let m = from_level_counts(&[1, 2, 3, 2, 2], 1.0, 0.95).unwrap();
/// assert_eq!(m.n, 10);
/// assert!((m.mean - 3.2).abs() < 1e-12);
/// ```
pub fn from_level_counts(
    counts: &[u64],
    first_level: f64,
    confidence: f64,
) -> Result<MeanEstimate> {
    let alpha = alpha(confidence)?;
    if !first_level.is_finite() {
        return Err(Error::argument("first_level", "must be finite"));
    }
    let mut n = 0u64;
    let mut weighted = 0.0;
    let mut offset = 0.0;
    for &c in counts {
        n = n
            .checked_add(c)
            .ok_or_else(|| Error::argument("counts", "counts sum beyond u64"))?;
        weighted += f(c) * offset;
        offset += 1.0;
    }
    if n == 0 {
        return Ok(estimate(0, f64::NAN, f64::NAN, alpha));
    }
    let nf = f(n);
    let mean_offset = weighted / nf;
    let mut squares = 0.0;
    let mut offset = 0.0;
    for &c in counts {
        let d = offset - mean_offset;
        squares += f(c) * d * d;
        offset += 1.0;
    }
    let variance = if n > 1 {
        squares / (nf - 1.0)
    } else {
        f64::NAN
    };
    Ok(estimate(n, first_level + mean_offset, variance, alpha))
}

/// Mean from running sums: the count, the sum and the sum of squares of the
/// observations, as kept by a streaming or partitioned aggregation.
///
/// Same reference and degenerate cases as [`from_level_counts`]. The variance
/// (Σx² - (Σx)²/n) / (n - 1) loses precision when the spread is tiny compared
/// with the mean; prefer [`from_level_counts`] when the values are levels.
/// A variance that rounds below zero is taken as zero.
///
/// ```
/// use exitcore::stats::mean::from_sums;
/// let m = from_sums(10, 32.0, 118.0, 0.95).unwrap();
/// assert!((m.mean - 3.2).abs() < 1e-12);
/// ```
pub fn from_sums(n: u64, sum: f64, sum_squares: f64, confidence: f64) -> Result<MeanEstimate> {
    let alpha = alpha(confidence)?;
    if !sum.is_finite() || !sum_squares.is_finite() || sum_squares < 0.0 {
        return Err(Error::argument(
            "sum_squares",
            "sums must be finite and the sum of squares non-negative",
        ));
    }
    if n == 0 {
        return Ok(estimate(0, f64::NAN, f64::NAN, alpha));
    }
    let nf = f(n);
    let variance = if n > 1 {
        ((sum_squares - sum * sum / nf) / (nf - 1.0)).max(0.0)
    } else {
        f64::NAN
    };
    Ok(estimate(n, sum / nf, variance, alpha))
}

fn estimate(n: u64, mean: f64, variance: f64, alpha: f64) -> MeanEstimate {
    let sd = variance.sqrt();
    let sem = sd / f(n).sqrt();
    let interval = if n < 2 {
        Interval::NAN
    } else if sem == 0.0 {
        Interval {
            lower: mean,
            upper: mean,
        }
    } else {
        let q = super::special::t_upper_quantile(alpha / 2.0, f(n - 1));
        Interval {
            lower: mean - q * sem,
            upper: mean + q * sem,
        }
    };
    MeanEstimate {
        n,
        mean,
        sd,
        sem,
        interval,
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::assert_close;

    // xs = np.repeat(np.arange(first, first + L), counts).astype(float); n = len(xs)
    // m = xs.mean(); sd = xs.std(ddof=1); sem = sd / np.sqrt(n)
    // scipy.stats.t.interval(conf, n - 1, loc=m, scale=sem)
    #[test]
    fn level_counts_match_scipy() {
        // counts [1,2,3,2,2], first 1 -> m 3.2, sd 1.3165611772087666, sem 0.41633319989322654,
        // 95% (2.2581888697508408, 4.14181113024916), 99% (1.8469855698422135, 4.553014430157787)
        let m = from_level_counts(&[1, 2, 3, 2, 2], 1.0, 0.95).unwrap();
        assert_close(m.mean, 3.2, 1e-12);
        assert_close(m.sd, 1.316_561_177_208_766_6, 1e-12);
        assert_close(m.sem, 0.416_333_199_893_226_54, 1e-12);
        assert_close(m.interval.lower, 2.258_188_869_750_840_8, 1e-9);
        assert_close(m.interval.upper, 4.141_811_130_249_16, 1e-9);
        let m = from_level_counts(&[1, 2, 3, 2, 2], 1.0, 0.99).unwrap();
        assert_close(m.interval.lower, 1.846_985_569_842_213_5, 1e-9);
        assert_close(m.interval.upper, 4.553_014_430_157_787, 1e-9);
        // counts [0,0,5,1,0], first 1 -> m 3.1666666666666665, sd 0.408248290463863,
        // 95% (2.7382363607272806, 3.5950969726060524)
        let m = from_level_counts(&[0, 0, 5, 1, 0], 1.0, 0.95).unwrap();
        assert_close(m.mean, 3.166_666_666_666_666_5, 1e-12);
        assert_close(m.sd, 0.408_248_290_463_863, 1e-12);
        assert_close(m.interval.lower, 2.738_236_360_727_280_6, 1e-9);
        assert_close(m.interval.upper, 3.595_096_972_606_052_4, 1e-9);
        // counts [4,0,0,0,0,0,0,9], first 0 -> m 4.846153846153846, sd 3.3626912299068294,
        // 95% (2.8140998732180096, 6.878207819089682)
        let m = from_level_counts(&[4, 0, 0, 0, 0, 0, 0, 9], 0.0, 0.95).unwrap();
        assert_close(m.mean, 4.846_153_846_153_846, 1e-12);
        assert_close(m.sd, 3.362_691_229_906_829_4, 1e-12);
        assert_close(m.interval.lower, 2.814_099_873_218_009_6, 1e-9);
        assert_close(m.interval.upper, 6.878_207_819_089_682, 1e-9);
    }

    #[test]
    fn sums_match_scipy() {
        // Same samples as above: (n, sum, sum of squares) = (10, 32, 118) and (13, 63, 441).
        let m = from_sums(10, 32.0, 118.0, 0.95).unwrap();
        assert_close(m.sd, 1.316_561_177_208_766_6, 1e-12);
        assert_close(m.interval.lower, 2.258_188_869_750_840_8, 1e-9);
        assert_close(m.interval.upper, 4.141_811_130_249_16, 1e-9);
        let m = from_sums(13, 63.0, 441.0, 0.99).unwrap();
        // scipy.stats.t.interval(0.99, 12, loc=m, scale=sem) -> (1.9973596663143405, 7.694948025993352)
        assert_close(m.interval.lower, 1.997_359_666_314_340_5, 1e-9);
        assert_close(m.interval.upper, 7.694_948_025_993_352, 1e-9);
    }

    #[test]
    fn degenerate_means() {
        let m = from_level_counts(&[0, 0, 0], 1.0, 0.95).unwrap();
        assert_eq!(m.n, 0);
        assert!(m.mean.is_nan() && m.interval.lower.is_nan());
        let m = from_level_counts(&[0, 1, 0], 1.0, 0.95).unwrap();
        assert_close(m.mean, 2.0, 1e-15);
        assert!(m.sd.is_nan() && m.interval.upper.is_nan());
        // Zero variance: a point interval (scipy gives NaN for scale 0).
        let m = from_level_counts(&[0, 0, 4], 1.0, 0.95).unwrap();
        assert_eq!((m.interval.lower, m.interval.upper), (3.0, 3.0));
        let m = from_sums(4, 12.0, 36.0, 0.95).unwrap();
        assert_eq!((m.interval.lower, m.interval.upper), (3.0, 3.0));
        assert!(from_sums(0, 0.0, 0.0, 0.95).unwrap().mean.is_nan());
        assert!(from_sums(3, f64::NAN, 1.0, 0.95).is_err());
        assert!(from_level_counts(&[1, 2], f64::INFINITY, 0.95).is_err());
        assert!(from_level_counts(&[1, 2], 1.0, 0.0).is_err());
    }
}
