//! Words that distinguish one group's free-text answers from the rest.

use serde::Serialize;

use super::f;
use crate::{Error, Result};

/// Log-odds ratio of one word, group against the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LogOdds {
    /// δ: log-odds of the word in the group minus in the rest, both smoothed
    /// by the prior.
    pub delta: f64,
    /// Approximate variance of δ.
    pub variance: f64,
    /// δ / sqrt(variance): positive when the word is typical of the group.
    pub z: f64,
}

/// Weighted log-odds ratios with an informative Dirichlet prior (Monroe,
/// Colaresi & Quinn 2008, "Fightin' Words", section 3.5), per word.
///
/// `group[w]` and `rest[w]` count word `w` in the group and in everyone else;
/// `background[w]` sets the prior: `α_w = alpha0 ·` background share of `w`
/// (pass `group + rest` for the usual choice, or a larger reference corpus).
/// With n the word totals:
/// `δ_w = ln((y_gw + α_w) / (n_g + α0 - y_gw - α_w)) - ln((y_rw + α_w) / (n_r + α0 - y_rw - α_w))`,
/// `σ²_w ≈ 1 / (y_gw + α_w) + 1 / (y_rw + α_w)`, `z_w = δ_w / σ_w`.
/// The prior shrinks rare words towards zero, so z ranks words by evidence
/// rather than by raw ratio.
///
/// A word with zero background share gets `α_w = 0` and, when it occurs in
/// neither group, `NaN` fields. Slices of different lengths, an all-zero
/// background or an `alpha0` that is not finite and positive are errors.
///
/// ```
/// use exitcore::stats::logodds::log_odds_dirichlet;
/// let g = [30, 5, 10];
/// let r = [20, 40, 50];
/// let bg = [50, 45, 60];
/// let words = log_odds_dirichlet(&g, &r, &bg, 100.0).unwrap();
/// assert!(words[0].z > 2.0 && words[1].z < -2.0);
/// ```
pub fn log_odds_dirichlet(
    group: &[u64],
    rest: &[u64],
    background: &[u64],
    alpha0: f64,
) -> Result<Vec<LogOdds>> {
    if group.len() != rest.len() || background.len() != rest.len() {
        return Err(Error::argument(
            "background",
            "group, rest and background must have one count per word",
        ));
    }
    let total = |x: &[u64]| x.iter().map(|&c| u128::from(c)).sum::<u128>();
    let model = LogOddsModel::new(total(group), total(rest), total(background), alpha0)?;
    Ok(group
        .iter()
        .zip(rest)
        .zip(background)
        .map(|((&yg, &yr), &bg)| model.score(yg, yr, bg))
        .collect())
}

/// The totals and prior of [`log_odds_dirichlet`], for scoring words one at
/// a time: a word's score depends on the others only through the totals, so
/// a caller that needs a few words of a large vocabulary scores just those,
/// and gets the same numbers, bit for bit, as the whole-vocabulary call.
///
/// ```
/// use exitcore::stats::logodds::{LogOddsModel, log_odds_dirichlet};
/// let (g, r, bg) = ([30, 5, 10], [20, 40, 50], [50, 45, 60]);
/// let all = log_odds_dirichlet(&g, &r, &bg, 100.0).unwrap();
/// let model = LogOddsModel::new(45, 110, 155, 100.0).unwrap();
/// assert_eq!(model.score(5, 40, 45), all[1]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LogOddsModel {
    n_g: f64,
    n_r: f64,
    bg_total: f64,
    alpha0: f64,
}

impl LogOddsModel {
    /// The model for word totals `group` and `rest` (all words' counts
    /// summed), background total `background` and prior weight `alpha0`;
    /// an empty background or an `alpha0` that is not finite and positive
    /// is an error.
    pub fn new(group: u128, rest: u128, background: u128, alpha0: f64) -> Result<Self> {
        if !(alpha0.is_finite() && alpha0 > 0.0) {
            return Err(Error::argument(
                "alpha0",
                format!("must be finite and positive, got {alpha0}"),
            ));
        }
        let bg_total = super::f128(background);
        if bg_total == 0.0 {
            return Err(Error::argument("background", "has no words"));
        }
        Ok(LogOddsModel {
            n_g: super::f128(group),
            n_r: super::f128(rest),
            bg_total,
            alpha0,
        })
    }

    /// The score of one word counted `yg` times in the group, `yr` in the
    /// rest and `bg` in the background.
    pub fn score(&self, yg: u64, yr: u64, bg: u64) -> LogOdds {
        let (n_g, n_r, alpha0) = (self.n_g, self.n_r, self.alpha0);
        let a = alpha0 * f(bg) / self.bg_total;
        let (yg, yr) = (f(yg), f(yr));
        let delta = super::special::ln((yg + a) / (n_g + alpha0 - yg - a))
            - super::special::ln((yr + a) / (n_r + alpha0 - yr - a));
        let variance = 1.0 / (yg + a) + 1.0 / (yr + a);
        LogOdds {
            delta,
            variance,
            z: delta / variance.sqrt(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact values (0, 1, clamps) are compared exactly on purpose
mod tests {
    use super::*;
    use crate::stats::assert_close;

    #[test]
    fn hand_checked_example() {
        // group [30, 5, 10] (n_g = 45), rest [20, 40, 50] (n_r = 110),
        // background [50, 45, 60] (total 155), alpha0 = 100.
        // Word 0: α = 100 * 50 / 155 = 32.25806451612903
        //   group: (30 + α) / (45 + 100 - 30 - α) = 62.25806451612903 / 82.74193548387098
        //   rest:  (20 + α) / (110 + 100 - 20 - α) = 52.25806451612903 / 157.74193548387098
        //   δ = ln(0.752437...) - ln(0.331288...) = 0.8203276785365493
        //   σ² = 1 / 62.25806451612903 + 1 / 52.25806451612903 = 0.03519797863493891
        //   z = 0.8203276785365493 / sqrt(0.03519797863493891) = 4.372486764901175
        // Word 1: α = 100 * 45 / 155 = 29.032258064516128
        //   δ = ln((5 + α) / (140 - α)) - ln((40 + α) / (170 - α)) = -0.46797352438353834
        //   σ² = 1 / (5 + α) + 1 / (40 + α) = 0.04386986756433539, z = -2.2342826952270713
        let words = log_odds_dirichlet(&[30, 5, 10], &[20, 40, 50], &[50, 45, 60], 100.0).unwrap();
        assert_close(words[0].delta, 0.820_327_678_536_549_3, 1e-12);
        assert_close(words[0].variance, 0.035_197_978_634_938_91, 1e-12);
        assert_close(words[0].z, 4.372_486_764_901_175, 1e-12);
        assert_close(words[1].delta, -0.467_973_524_383_538_34, 1e-12);
        assert_close(words[1].variance, 0.043_869_867_564_335_39, 1e-12);
        assert_close(words[1].z, -2.234_282_695_227_071_3, 1e-12);
    }

    #[test]
    fn degenerate_and_invalid() {
        // A word absent everywhere, background included: α = 0, 0/0 -> NaN.
        let words = log_odds_dirichlet(&[3, 2, 0], &[4, 1, 0], &[7, 3, 0], 10.0).unwrap();
        assert!(words[2].z.is_nan());
        assert!(words[0].z.is_finite());
        assert!(log_odds_dirichlet(&[1], &[1], &[0], 10.0).is_err());
        assert!(log_odds_dirichlet(&[1], &[1], &[1], 0.0).is_err());
        assert!(log_odds_dirichlet(&[1], &[1, 2], &[1], 1.0).is_err());
        assert!(log_odds_dirichlet(&[], &[], &[], 1.0).is_err());
    }
}
