//! Employee Net Promoter Score.

use serde::Serialize;

use super::{Interval, alpha, f, z_critical};
use crate::{Error, Result};

/// eNPS with its parts and a Wald interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Enps {
    /// Number of ratings.
    pub n: u64,
    /// Ratings of 9 or 10.
    pub promoters: u64,
    /// Ratings of 0 to 6.
    pub detractors: u64,
    /// 100 (promoters - detractors) / n, in [-100, 100]; `NaN` when `n` is 0.
    pub score: f64,
    /// Wald interval on the same scale, clamped to [-100, 100].
    pub interval: Interval,
}

/// eNPS from counts of the ratings 0..=10 (`counts[r]` = how many rated `r`).
///
/// The score is `100 (p_p - p_d)`; its variance, treating the rating as a
/// multinomial draw scoring +1, 0 or -1, is `(p_p + p_d - (p_p - p_d)²) / n`, and
/// the interval is score ± z 100 sqrt(variance), clamped to [-100, 100]. When
/// everyone is a promoter (or everyone a detractor) the variance is zero and
/// the interval collapses to the score; the Wald interval is known to be too
/// narrow for small groups, which a minimum group size should guard against.
/// `counts` must have exactly 11 entries; `n` = 0 gives `NaN` score and interval.
///
/// ```
/// use exitcore::stats::enps::enps;
/// let e = enps(&[0, 0, 1, 1, 2, 2, 4, 5, 5, 6, 4], 0.95).unwrap();
/// assert_eq!((e.n, e.promoters, e.detractors), (30, 10, 10));
/// assert_eq!(e.score, 0.0);
/// ```
pub fn enps(counts: &[u64], confidence: f64) -> Result<Enps> {
    let alpha = alpha(confidence)?;
    let Ok(counts) = <&[u64; 11]>::try_from(counts) else {
        return Err(Error::argument(
            "counts",
            format!("needs 11 entries for ratings 0..=10, got {}", counts.len()),
        ));
    };
    let sum = |part: &[u64]| part.iter().try_fold(0u64, |acc, &x| acc.checked_add(x));
    let (Some(detractors), Some(passives), Some(promoters)) =
        (sum(&counts[..7]), sum(&counts[7..9]), sum(&counts[9..]))
    else {
        return Err(Error::argument("counts", "counts sum beyond u64"));
    };
    let n = detractors
        .checked_add(passives)
        .and_then(|x| x.checked_add(promoters))
        .ok_or_else(|| Error::argument("counts", "counts sum beyond u64"))?;
    if n == 0 {
        return Ok(Enps {
            n,
            promoters,
            detractors,
            score: f64::NAN,
            interval: Interval::NAN,
        });
    }
    let nf = f(n);
    let (pp, pd) = (f(promoters) / nf, f(detractors) / nf);
    let diff = pp - pd;
    let variance = ((pp + pd - diff * diff) / nf).max(0.0);
    let half = z_critical(alpha) * variance.sqrt() * 100.0;
    let score = 100.0 * diff;
    Ok(Enps {
        n,
        promoters,
        detractors,
        score,
        interval: Interval {
            lower: (score - half).max(-100.0),
            upper: (score + half).min(100.0),
        },
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::assert_close;

    // Hand calculations; z = scipy.stats.norm.ppf(0.975) = 1.959963984540054.
    const Z95: f64 = 1.959_963_984_540_054;

    #[test]
    fn balanced_scores() {
        // 10 detractors (ratings 2..6), 10 passives, 10 promoters of 30:
        // score = 100 (1/3 - 1/3) = 0; variance = (1/3 + 1/3 - 0) / 30 = 1/45;
        // half width = 100 * 1.959963984540054 * sqrt(1/45) = 29.217418019219384.
        let e = enps(&[0, 0, 1, 1, 2, 2, 4, 5, 5, 6, 4], 0.95).unwrap();
        assert_eq!((e.n, e.promoters, e.detractors), (30, 10, 10));
        assert_eq!(e.score, 0.0);
        assert_close(e.interval.upper, 29.217_418_019_219_384, 1e-12);
        assert_close(e.interval.lower, -29.217_418_019_219_384, 1e-12);
        assert_close(
            e.interval.upper,
            100.0 * Z95 * (1.0_f64 / 45.0).sqrt(),
            1e-12,
        );
    }

    #[test]
    fn positive_score() {
        // 3 detractors (0, 5, 6), 5 passives, 12 promoters of 20: p_p = 0.6, p_d = 0.15,
        // score = 45; variance = (0.75 - 0.45^2) / 20 = 0.5475 / 20 = 0.027375;
        // half width = 100 * 1.959963984540054 * sqrt(0.027375) = 32.428372641330874.
        let e = enps(&[1, 0, 0, 0, 0, 1, 1, 3, 2, 5, 7], 0.95).unwrap();
        assert_eq!((e.n, e.promoters, e.detractors), (20, 12, 3));
        assert_close(e.score, 45.0, 1e-12);
        assert_close(e.interval.lower, 45.0 - 32.428_372_641_330_874, 1e-12);
        assert_close(e.interval.upper, 45.0 + 32.428_372_641_330_874, 1e-12);
    }

    #[test]
    fn clamped_and_degenerate() {
        // 1 detractor, 2 promoters: score 100/3, variance (1 - 1/9) / 3 = 8/27, half width
        // 100 * 1.959963984540054 * sqrt(8/27) = 106.687; the upper end clamps at 100 and
        // the lower is 33.333 - 106.687 = -73.35359280789578.
        let e = enps(&[0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2], 0.95).unwrap();
        assert_eq!(e.interval.upper, 100.0);
        assert_close(e.interval.lower, -73.353_592_807_895_78, 1e-12);
        // All promoters: zero variance, interval collapses to the score.
        let e = enps(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 6], 0.95).unwrap();
        assert_eq!(
            (e.score, e.interval.lower, e.interval.upper),
            (100.0, 100.0, 100.0)
        );
        let e = enps(&[0; 11], 0.95).unwrap();
        assert!(e.score.is_nan() && e.interval.lower.is_nan());
        assert!(enps(&[1; 10], 0.95).is_err());
        assert!(enps(&[u64::MAX; 11], 0.95).is_err());
    }
}
