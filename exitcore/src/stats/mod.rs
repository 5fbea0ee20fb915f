//! Statistical tests and estimates computed from counts.
//!
//! Every function here takes tables of counts rather than lists of rows:
//! the dataset is stored by column and partitions are merged by adding their
//! counts, so a test that needs only counts runs in O(levels) or O(cells) no
//! matter how many exits are behind them.
//!
//! Each submodule is one concept and states which reference implementation
//! (scipy, statsmodels, lifelines, pymannkendall, R) its results were checked
//! against, and where it deliberately differs.
//!
//! Degenerate input (no observations, one group, zero variance) never panics:
//! it yields `NaN` statistics and p-values, which `serde_json` writes as
//! `null`. Input that cannot be a table at all (ragged rows, a confidence
//! level outside (0, 1), more successes than trials) is an [`Error`].
//!
//! ```
//! use exitcore::stats::{contingency, proportion};
//! let ci = proportion::wilson(12, 40, 0.95).unwrap();
//! assert!(ci.lower < 0.3 && 0.3 < ci.upper);
//! let test = contingency::chi_square(&[[10, 20, 30], [6, 9, 17]]).unwrap();
//! assert_eq!(test.dof, 2);
//! ```

pub mod contingency;
pub mod correlation;
pub mod enps;
pub mod logodds;
pub mod mean;
pub mod multitest;
pub mod proportion;
pub mod rank;
pub mod rate;
pub(crate) mod special;
pub mod survival;
pub mod trend;

use crate::{Error, Result};
use serde::Serialize;

/// A two-sided confidence interval; both ends are `NaN` when the data
/// cannot support one (for example no observations).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Interval {
    /// The interval for data that cannot support one.
    pub const NAN: Interval = Interval {
        lower: f64::NAN,
        upper: f64::NAN,
    };

    /// Whether `x` lies in the closed interval (never true for a `NaN` interval).
    ///
    /// ```
    /// let ci = exitcore::stats::Interval { lower: 1.0, upper: 2.0 };
    /// assert!(ci.contains(1.5) && !ci.contains(3.0));
    /// ```
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
}

/// Counts become f64 for the final arithmetic; below 2^53 this is exact,
/// and no realistic exit count comes near it.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn f(x: u64) -> f64 {
    x as f64
}

/// As [`f`], for exact intermediate sums kept in 128 bits.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn f128(x: u128) -> f64 {
    x as f64
}

/// As [`f`], for signed exact intermediate sums.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn fi128(x: i128) -> f64 {
    x as f64
}

/// A key whose integer order is [`f64::total_cmp`]'s order, for sorting
/// large records by a float with `sort_by_cached_key`: that sorts (key,
/// position) pairs and moves each record once, where `sort_by` moves the
/// records themselves at every step (a finding is ~130 bytes, and an
/// analysis at 100,000 records sorts thousands).
pub(crate) fn total_order(x: f64) -> i64 {
    // As total_cmp does it: negative numbers' bits flipped but for the sign.
    let bits = x.to_bits().cast_signed();
    bits ^ (bits >> 63).cast_unsigned().wrapping_shr(1).cast_signed()
}

/// Validates a confidence level and returns alpha = 1 - confidence.
pub(crate) fn alpha(confidence: f64) -> Result<f64> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(1.0 - confidence)
    } else {
        Err(Error::argument(
            "confidence",
            format!("must lie strictly between 0 and 1, got {confidence}"),
        ))
    }
}

/// The standard normal quantile z with P(Z > z) = alpha / 2, from the lower
/// tail so that small alphas keep their precision.
pub(crate) fn z_critical(alpha: f64) -> f64 {
    // The last level asked for on this thread: an analysis asks for one
    // level thousands of times (every interval of every group), and each
    // answer costs a logarithm and two rational functions.
    thread_local! {
        static LAST: std::cell::Cell<(u64, f64)> = const { std::cell::Cell::new((u64::MAX, f64::NAN)) };
    }
    let bits = alpha.to_bits();
    LAST.with(|last| {
        let (at, z) = last.get();
        if at == bits {
            return z;
        }
        let z = -special::normal_quantile(alpha / 2.0);
        last.set((bits, z));
        z
    })
}

/// Two-sided normal p-value 2 * P(Z > |z|), through erfc so tiny p-values
/// keep their relative precision instead of rounding to zero.
pub(crate) fn normal_two_sided(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    special::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Upper tail of the chi-square distribution, `NaN` for a `NaN` statistic or
/// non-positive degrees of freedom.
pub(crate) fn chi2_sf(x: f64, dof: f64) -> f64 {
    if x.is_nan() || dof.is_nan() || dof <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    special::gamma_pq(dof / 2.0, x / 2.0).1
}

/// Two-sided Student-t p-value 2 * P(T > |t|).
pub(crate) fn t_two_sided(t: f64, dof: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    2.0 * special::t_sf(t.abs(), dof)
}

/// The largest total count the rank-based tests accept: 2^40 (about 10^12)
/// keeps cubes of level totals and products of rank sums inside 128 bits.
pub(crate) const MAX_TOTAL: u128 = 1 << 40;

/// Rejects totals above [`MAX_TOTAL`] instead of letting exact sums overflow.
pub(crate) fn check_total(n: u128, name: &str) -> Result<()> {
    if n > MAX_TOTAL {
        Err(Error::argument(
            name,
            format!("total count {n} exceeds the supported 2^40"),
        ))
    } else {
        Ok(())
    }
}

/// Rejects tables whose rows differ in length and returns (rows, columns).
pub(crate) fn table_shape<R: AsRef<[u64]>>(table: &[R]) -> Result<(usize, usize)> {
    let cols = table.first().map_or(0, |r| r.as_ref().len());
    if let Some(i) = table.iter().position(|r| r.as_ref().len() != cols) {
        return Err(Error::argument(
            "table",
            format!("row {i} has a different number of columns than row 0"),
        ));
    }
    Ok((table.len(), cols))
}

/// Relative comparison for tests against reference values, with an absolute
/// floor of 1e-12 for values that are zero up to rounding.
#[cfg(test)]
#[allow(clippy::float_cmp)]
pub(crate) fn assert_close(actual: f64, expected: f64, rel: f64) {
    if expected.is_nan() {
        assert!(actual.is_nan(), "expected NaN, got {actual}");
        return;
    }
    if expected.is_infinite() {
        assert_eq!(actual, expected);
        return;
    }
    let tol = (rel * expected.abs()).max(1e-12);
    assert!(
        (actual - expected).abs() <= tol,
        "actual {actual:e} vs expected {expected:e} (diff {:e}, tol {tol:e})",
        (actual - expected).abs()
    );
}

/// Purely relative comparison, for p-values deep in a tail where an absolute
/// floor would make the check vacuous.
#[cfg(test)]
pub(crate) fn assert_rel(actual: f64, expected: f64, rel: f64) {
    let tol = rel * expected.abs();
    assert!(
        (actual - expected).abs() <= tol,
        "actual {actual:e} vs expected {expected:e} (rel diff {:e})",
        ((actual - expected) / expected).abs()
    );
}

#[cfg(test)]
mod z_tests {
    /// The remembered level gives the bits a fresh computation gives, as
    /// levels alternate (and NaN stays NaN).
    #[test]
    fn z_critical_remembers_only_the_same_level() {
        for alpha in [0.05, 0.05, 0.1, 0.05, 0.2, 0.2, 1e-9, 0.05] {
            let fresh = -super::special::normal_quantile(alpha / 2.0);
            assert_eq!(
                super::z_critical(alpha).to_bits(),
                fresh.to_bits(),
                "{alpha}"
            );
        }
        assert!(super::z_critical(f64::NAN).is_nan());
        assert_eq!(
            super::z_critical(0.05).to_bits(),
            (-super::special::normal_quantile(0.025)).to_bits()
        );
    }
}

#[cfg(test)]
mod total_order_tests {
    use super::total_order;

    /// The key orders every pair as `total_cmp` does, signed zeros, NaNs
    /// of both signs, infinities and subnormals included.
    #[test]
    fn total_order_is_total_cmp() {
        let xs = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1.0,
            -1.0,
            0.05,
            0.049_999_999_999_999_996,
            1e-300,
            f64::MAX,
            f64::MIN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    total_order(a).cmp(&total_order(b)),
                    a.total_cmp(&b),
                    "{a} vs {b}"
                );
            }
        }
    }
}
