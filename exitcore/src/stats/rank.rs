//! Rank tests on ordered levels (Likert items), computed from level counts.
//!
//! All observations on one level share the midrank of that level, so the
//! rank sums, and even twice the rank sums, are exact integers: they are
//! accumulated in 128-bit integers and only the final ratios are floating
//! point.

use serde::Serialize;

use super::{check_total, chi2_sf, f128, fi128, normal_two_sided, table_shape};
use crate::{Error, Result};

/// Mann-Whitney U test of two samples on the same ordered levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U of the first sample: pairs where the first is higher, ties counting half.
    pub u: f64,
    /// Size of the first sample.
    pub n1: u64,
    /// Size of the second sample.
    pub n2: u64,
    /// Tie- and continuity-corrected normal statistic for max(U1, U2) (>= 0).
    pub z: f64,
    /// Two-sided asymptotic p-value.
    pub p_value: f64,
    /// Rank-biserial correlation 1 - 2 U / (n1 n2), in [-1, 1]: positive
    /// when the second sample tends to lie on higher levels than the first.
    pub rank_biserial: f64,
}

/// Mann-Whitney U test from counts per level: `first[l]` and `second[l]` are
/// how many of each sample answered level `l` (levels in increasing order).
///
/// Matches `scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
/// method="asymptotic", use_continuity=True)` on the expanded samples, with
/// the tie correction for the variance. The p-value uses the normal tail
/// directly, so it stays accurate far below 1e-16.
///
/// With an empty sample, or when every observation is on the same level, the
/// variance is zero and `z`, `p_value` (and `rank_biserial` for an empty
/// sample) are `NaN`. Samples of different lengths are an error.
///
/// ```
/// use exitcore::stats::rank::mann_whitney;
/// // Likert 1..5: the second group answers higher.
/// let t = mann_whitney(&[5, 8, 4, 2, 1], &[1, 2, 5, 9, 6]).unwrap();
/// assert_eq!((t.n1, t.n2), (20, 23));
/// assert!(t.p_value < 1e-3 && t.rank_biserial > 0.5);
/// ```
pub fn mann_whitney(first: &[u64], second: &[u64]) -> Result<MannWhitney> {
    if first.len() != second.len() {
        return Err(Error::argument(
            "second",
            format!(
                "has {} levels but the first sample has {}",
                second.len(),
                first.len()
            ),
        ));
    }
    check_total(
        first.iter().chain(second).map(|&x| u128::from(x)).sum(),
        "first",
    )?;
    let mut n1 = 0u128;
    let mut n2 = 0u128;
    let mut below = 0u128;
    let mut twice_r1 = 0u128;
    let mut tie_term = 0u128;
    for (&a, &b) in first.iter().zip(second) {
        let (a, b) = (u128::from(a), u128::from(b));
        let t = a + b;
        // Twice the midrank of this level: 2 * below + t + 1.
        twice_r1 += a * (2 * below + t + 1);
        tie_term += t * t * t - t;
        below += t;
        n1 += a;
        n2 += b;
    }
    // U1 = R1 - n1 (n1 + 1) / 2, so 2 U1 is an exact integer.
    let doubled_u = twice_r1 - n1 * (n1 + 1);
    let nn = n1 * n2;
    let u = f128(doubled_u) / 2.0;
    let u_max = f128(doubled_u.max(2 * nn - doubled_u)) / 2.0;
    let n = n1 + n2;
    let nf = f128(n);
    let variance = if n < 2 {
        0.0
    } else {
        f128(nn) / 12.0 * ((nf + 1.0) - f128(tie_term) / (nf * (nf - 1.0)))
    };
    let (z, p_value) = if variance > 0.0 {
        let z = (u_max - f128(nn) / 2.0 - 0.5) / variance.sqrt();
        (z, normal_two_sided(z).min(1.0))
    } else {
        (f64::NAN, f64::NAN)
    };
    let rank_biserial = if nn == 0 {
        f64::NAN
    } else {
        1.0 - f128(doubled_u) / f128(nn)
    };
    Ok(MannWhitney {
        u,
        n1: u64::try_from(n1).unwrap_or(u64::MAX),
        n2: u64::try_from(n2).unwrap_or(u64::MAX),
        z,
        p_value,
        rank_biserial,
    })
}

/// Kruskal-Wallis H test across groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KruskalWallis {
    /// Tie-corrected H statistic.
    pub statistic: f64,
    /// Degrees of freedom: non-empty groups minus one.
    pub dof: u64,
    /// Upper-tail chi-square p-value.
    pub p_value: f64,
}

/// Kruskal-Wallis H test from a groups x levels table of counts
/// (`table[g][l]` = how many in group `g` answered level `l`).
///
/// Matches `scipy.stats.kruskal(*samples)` on the expanded samples, with the
/// tie correction. H is computed as `12 / (N (N + 1)) Σ (R_g - n_g (N + 1) / 2)² / n_g`
/// with exact integer deviations, which avoids the cancellation of the
/// textbook form. Empty groups are left out (scipy rejects them). With fewer
/// than two non-empty groups, or all observations on one level, the fields
/// are `NaN` (and `dof` 0 for fewer than two groups).
///
/// ```
/// use exitcore::stats::rank::kruskal_wallis;
/// let t = kruskal_wallis(&[[5, 8, 4, 2, 1], [1, 2, 5, 9, 6], [3, 3, 3, 3, 3]]).unwrap();
/// assert_eq!(t.dof, 2);
/// assert!(t.p_value < 0.01);
/// ```
pub fn kruskal_wallis<R: AsRef<[u64]>>(table: &[R]) -> Result<KruskalWallis> {
    let (_, levels) = table_shape(table)?;
    let mut level_totals = vec![0u128; levels];
    for row in table {
        for (&x, t) in row.as_ref().iter().zip(&mut level_totals) {
            *t += u128::from(x);
        }
    }
    let n: u128 = level_totals.iter().sum();
    check_total(n, "table")?;
    let tie_term: u128 = level_totals.iter().map(|&t| t * t * t - t).sum();
    let mut groups = 0u64;
    let mut between = 0.0;
    for row in table {
        let mut size = 0u128;
        let mut twice_rank_sum = 0u128;
        let mut below = 0u128;
        for (&x, &t) in row.as_ref().iter().zip(&level_totals) {
            let x = u128::from(x);
            twice_rank_sum += x * (2 * below + t + 1);
            below += t;
            size += x;
        }
        if size == 0 {
            continue;
        }
        groups += 1;
        // 2 (R_g - n_g (N + 1) / 2), exact.
        let dev = fi128(twice_rank_sum.cast_signed() - (size * (n + 1)).cast_signed());
        between += dev * dev / (4.0 * f128(size));
    }
    if groups < 2 {
        return Ok(KruskalWallis {
            statistic: f64::NAN,
            dof: 0,
            p_value: f64::NAN,
        });
    }
    let nf = f128(n);
    let ties = 1.0 - f128(tie_term) / (nf * nf * nf - nf);
    let statistic = if ties > 0.0 {
        12.0 / (nf * (nf + 1.0)) * between / ties
    } else {
        f64::NAN
    };
    let dof = groups - 1;
    Ok(KruskalWallis {
        statistic,
        dof,
        p_value: chi2_sf(statistic, super::f(dof)),
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};

    // Samples are expanded from counts in Python with
    // np.repeat(np.arange(1, L + 1), counts).

    #[test]
    fn mann_whitney_matches_scipy() {
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
        //   use_continuity=True), x from [5,8,4,2,1], y from [1,2,5,9,6] (heavy ties)
        //   -> statistic 85.5, pvalue 0.0003332867434731655
        let t = mann_whitney(&[5, 8, 4, 2, 1], &[1, 2, 5, 9, 6]).unwrap();
        assert_close(t.u, 85.5, 1e-12);
        assert_rel(t.p_value, 0.000_333_286_743_473_165_5, 1e-9);
        // r = 1 - 2 * 85.5 / (20 * 23): positive, the second sample is higher.
        assert_close(t.rank_biserial, 1.0 - 171.0 / 460.0, 1e-12);
        // x from [3,0,0], y from [0,0,4] -> 0.0, 0.024744672046398936
        let t = mann_whitney(&[3, 0, 0], &[0, 0, 4]).unwrap();
        assert_close(t.u, 0.0, 1e-12);
        assert_rel(t.p_value, 0.024_744_672_046_398_936, 1e-9);
        assert_close(t.rank_biserial, 1.0, 1e-12);
    }

    #[test]
    fn mann_whitney_tiny_p_value() {
        // x from [200,100,0,0,0], y from [0,0,0,100,200] -> 0.0, 1.368992478227622e-108
        let t = mann_whitney(&[200, 100, 0, 0, 0], &[0, 0, 0, 100, 200]).unwrap();
        assert_close(t.u, 0.0, 1e-12);
        assert_rel(t.p_value, 1.368_992_478_227_622e-108, 1e-9);
    }

    #[test]
    fn mann_whitney_degenerate() {
        // All on one level: scipy returns p = 1.0 from a 0/0 z; we report NaN.
        let t = mann_whitney(&[0, 7, 0], &[0, 5, 0]).unwrap();
        assert_close(t.u, 17.5, 1e-12);
        assert!(t.p_value.is_nan() && t.z.is_nan());
        assert_close(t.rank_biserial, 0.0, 1e-12);
        let t = mann_whitney(&[0, 0], &[1, 2]).unwrap();
        assert!(t.p_value.is_nan() && t.rank_biserial.is_nan());
        assert!(mann_whitney(&[1, 2], &[1]).is_err());
        assert!(mann_whitney(&[u64::MAX, 1], &[1, 1]).is_err());
    }

    #[test]
    fn kruskal_matches_scipy() {
        // scipy.stats.kruskal(*samples), samples from
        // [[5,8,4,2,1],[1,2,5,9,6],[3,3,3,3,3]] -> 12.478354863588176, 0.001951460071839356
        let t = kruskal_wallis(&[[5, 8, 4, 2, 1], [1, 2, 5, 9, 6], [3, 3, 3, 3, 3]]).unwrap();
        assert_close(t.statistic, 12.478_354_863_588_176, 1e-9);
        assert_eq!(t.dof, 2);
        assert_rel(t.p_value, 0.001_951_460_071_839_356, 1e-9);
        // [[4,0,2],[1,3,3]] -> 1.4857142857142873, 0.2228826050355777; an empty
        // third group is left out (scipy would reject it).
        let t = kruskal_wallis(&[[4, 0, 2], [1, 3, 3], [0, 0, 0]]).unwrap();
        assert_close(t.statistic, 1.485_714_285_714_287_3, 1e-9);
        assert_eq!(t.dof, 1);
        assert_rel(t.p_value, 0.222_882_605_035_577_7, 1e-9);
    }

    #[test]
    fn kruskal_tiny_p_value() {
        // [[300,200,0],[0,100,400]] -> 719.0081632653059, 2.1995424254762544e-158
        let t = kruskal_wallis(&[[300, 200, 0], [0, 100, 400]]).unwrap();
        assert_close(t.statistic, 719.008_163_265_305_9, 1e-9);
        assert_rel(t.p_value, 2.199_542_425_476_254_4e-158, 1e-9);
    }

    #[test]
    fn kruskal_degenerate() {
        let t = kruskal_wallis(&[[0, 4, 0], [0, 6, 0]]).unwrap();
        assert!(t.statistic.is_nan() && t.p_value.is_nan());
        assert_eq!(t.dof, 1);
        let t = kruskal_wallis(&[[1, 4, 0], [0, 0, 0]]).unwrap();
        assert!(t.p_value.is_nan());
        assert_eq!(t.dof, 0);
        assert!(kruskal_wallis(&[vec![1, 2], vec![1]]).is_err());
    }
}
