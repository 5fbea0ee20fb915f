//! Rank correlation of two ordered answers, from their joint counts.

use serde::Serialize;

use super::{check_total, f128, fi128, t_two_sided, table_shape};
use crate::Result;

/// Spearman's rank correlation with its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spearman {
    /// Spearman's rho (Pearson correlation of the average ranks).
    pub rho: f64,
    /// Number of pairs.
    pub n: u64,
    /// Two-sided p-value from Student's t with n - 2 degrees of freedom.
    pub p_value: f64,
}

/// Spearman's rho from a joint table: `table[i][j]` = how many answered
/// level `i` on the first item and level `j` on the second (levels in
/// increasing order on both).
///
/// Matches `scipy.stats.spearmanr(x, y)` on the expanded pairs: ties get
/// average ranks and the p-value uses t = rho sqrt((n - 2) / (1 - rho²)).
/// Twice each centred average rank is an integer, so the covariance and the
/// variances are summed exactly in 128-bit integers; only their final ratio
/// is rounded.
///
/// When either item has a single answered level (zero variance) or there are
/// fewer than three pairs, `rho` (first case) and `p_value` are `NaN`; |rho| = 1
/// gives p = 0. Ragged tables are errors.
///
/// ```
/// use exitcore::stats::correlation::spearman;
/// let s = spearman(&[[5, 2, 0], [1, 6, 2], [0, 2, 7]]).unwrap();
/// assert_eq!(s.n, 25);
/// assert!(s.rho > 0.6 && s.p_value < 1e-3);
/// ```
pub fn spearman<R: AsRef<[u64]>>(table: &[R]) -> Result<Spearman> {
    let (_, cols) = table_shape(table)?;
    let mut col_totals = vec![0u128; cols];
    let mut row_totals = Vec::with_capacity(table.len());
    for row in table {
        let mut total = 0u128;
        for (&x, c) in row.as_ref().iter().zip(&mut col_totals) {
            *c += u128::from(x);
            total += u128::from(x);
        }
        row_totals.push(total);
    }
    let n: u128 = row_totals.iter().sum();
    check_total(n, "table")?;
    // 2 * average rank - (n + 1): the centred rank, doubled to stay integral.
    let centred = |totals: &[u128]| -> Vec<i128> {
        let mut below = 0u128;
        totals
            .iter()
            .map(|&t| {
                let c = (2 * below + t + 1).cast_signed() - (n + 1).cast_signed();
                below += t;
                c
            })
            .collect()
    };
    let a = centred(&row_totals);
    let b = centred(&col_totals);
    let sum_sq = |ranks: &[i128], totals: &[u128]| -> i128 {
        ranks
            .iter()
            .zip(totals)
            .map(|(&r, &t)| r * r * t.cast_signed())
            .sum()
    };
    let sxx = sum_sq(&a, &row_totals);
    let syy = sum_sq(&b, &col_totals);
    let mut sxy = 0i128;
    for (row, &ai) in table.iter().zip(&a) {
        for (&x, &bj) in row.as_ref().iter().zip(&b) {
            sxy += ai * bj * i128::from(x);
        }
    }
    let rho = if sxx == 0 || syy == 0 {
        f64::NAN
    } else {
        (fi128(sxy) / (fi128(sxx).sqrt() * fi128(syy).sqrt())).clamp(-1.0, 1.0)
    };
    let n_pairs = u64::try_from(n).unwrap_or(u64::MAX);
    let p_value = if n < 3 || rho.is_nan() {
        f64::NAN
    } else {
        let dof = f128(n) - 2.0;
        let t = rho * (dof / ((1.0 - rho) * (1.0 + rho))).sqrt();
        t_two_sided(t, dof)
    };
    Ok(Spearman {
        rho,
        n: n_pairs,
        p_value,
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::{assert_close, assert_rel};

    // Pairs are expanded in Python (level i of x, level j of y, table[i][j] times);
    // scipy.stats.spearmanr(X, Y) -> (statistic, pvalue).
    #[test]
    fn spearman_matches_scipy() {
        // [[5,2,0],[1,6,2],[0,2,7]] -> 0.7687714441770493, 7.1436744279513616e-06
        let s = spearman(&[[5, 2, 0], [1, 6, 2], [0, 2, 7]]).unwrap();
        assert_close(s.rho, 0.768_771_444_177_049_3, 1e-9);
        assert_rel(s.p_value, 7.143_674_427_951_361_6e-6, 1e-9);
        // [[2,3,1],[0,0,4]] -> 0.7715167498104596, 0.008955218355084643
        let s = spearman(&[[2, 3, 1], [0, 0, 4]]).unwrap();
        assert_close(s.rho, 0.771_516_749_810_459_6, 1e-9);
        assert_rel(s.p_value, 0.008_955_218_355_084_643, 1e-9);
    }

    #[test]
    fn spearman_tiny_p_value() {
        // [[30,5,0],[5,30,5],[0,5,30]] -> 0.8571428571428571, 6.793724652055876e-33
        let s = spearman(&[[30, 5, 0], [5, 30, 5], [0, 5, 30]]).unwrap();
        assert_close(s.rho, 0.857_142_857_142_857_1, 1e-9);
        assert_rel(s.p_value, 6.793_724_652_055_876e-33, 1e-9);
    }

    #[test]
    fn spearman_degenerate() {
        // [[3,0],[0,2]] -> 1.0, 0.0
        let s = spearman(&[[3, 0], [0, 2]]).unwrap();
        assert_eq!((s.rho, s.p_value), (1.0, 0.0));
        // One answered level on x: zero variance.
        let s = spearman(&[[3, 4, 5], [0, 0, 0]]).unwrap();
        assert!(s.rho.is_nan() && s.p_value.is_nan());
        let s = spearman(&[[1, 0], [0, 1]]).unwrap();
        assert!(s.p_value.is_nan());
        let empty: [[u64; 0]; 0] = [];
        assert!(spearman(&empty).unwrap().rho.is_nan());
        assert!(spearman(&[vec![1u64], vec![1, 2]]).is_err());
    }
}
