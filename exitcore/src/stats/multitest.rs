//! Corrections for testing many hypotheses at once.

/// Benjamini-Hochberg adjusted p-values (false discovery rate), in the order
/// of the input.
///
/// Matches `statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`.
/// `NaN` p-values (tests that could not be run, such as a cell with no
/// observations) stay `NaN` and do not count towards the number of tests m:
/// an untestable cell should not make the others harder to detect.
/// Reject hypothesis i at FDR q when `adjusted[i] <= q`.
///
/// ```
/// use exitcore::stats::multitest::benjamini_hochberg;
/// let adj = benjamini_hochberg(&[0.01, 0.04, f64::NAN, 0.03]);
/// assert!((adj[0] - 0.03).abs() < 1e-15 && (adj[1] - 0.04).abs() < 1e-15);
/// assert!(adj[2].is_nan() && (adj[3] - 0.04).abs() < 1e-15);
/// ```
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| p_values.get(i).is_some_and(|p| !p.is_nan()))
        .collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
    let mut adjusted = vec![f64::NAN; p_values.len()];
    #[allow(clippy::cast_precision_loss)]
    let m = order.len() as f64;
    let mut running = 1.0_f64;
    // From the largest p down, so each adjusted value is the minimum of
    // p_(k) m / k over all k at or above its rank.
    for (rank, &i) in order.iter().enumerate().rev() {
        #[allow(clippy::cast_precision_loss)]
        let k = (rank + 1) as f64;
        running = running.min(p_values[i] * m / k);
        if let Some(slot) = adjusted.get_mut(i) {
            *slot = running;
        }
    }
    adjusted
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::assert_close;

    #[test]
    fn bh_matches_statsmodels() {
        // statsmodels.stats.multitest.multipletests([0.01,0.04,0.03,0.2,0.5,0.001,0.04],
        //   method="fdr_bh")[1]
        //   -> [0.035, 0.056, 0.056, 0.23333333333333336, 0.5, 0.007, 0.056]
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04]);
        let expected = [
            0.035,
            0.056,
            0.056,
            0.233_333_333_333_333_36,
            0.5,
            0.007,
            0.056,
        ];
        for (a, e) in adj.iter().zip(expected) {
            assert_close(*a, e, 1e-12);
        }
    }

    #[test]
    fn bh_excludes_nan_from_m() {
        // multipletests([0.01,0.04,0.03], method="fdr_bh")[1]
        //   -> [0.030000000000000002, 0.04, 0.04]: the NaN does not count as a test.
        let adj = benjamini_hochberg(&[f64::NAN, 0.01, 0.04, f64::NAN, 0.03]);
        assert!(adj[0].is_nan() && adj[3].is_nan());
        assert_close(adj[1], 0.03, 1e-12);
        assert_close(adj[2], 0.04, 1e-12);
        assert_close(adj[4], 0.04, 1e-12);
        assert!(benjamini_hochberg(&[]).is_empty());
        assert!(benjamini_hochberg(&[f64::NAN])[0].is_nan());
        // Never above 1.
        assert_eq!(benjamini_hochberg(&[0.9, 0.95, 1.0]), vec![1.0, 1.0, 1.0]);
    }
}
