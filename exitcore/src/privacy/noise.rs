//! Differentially private noise for counts: the discrete Laplace law, keyed
//! per-cell noise so a repeated query gets the same answer, and an epsilon
//! budget per data set.
//!
//! The intended use: for a query with privacy parameter `epsilon`, build
//! [`DiscreteLaplace::for_epsilon`], [`Budget::charge`] the query, then add
//! [`CellNoise::noise`] to each cell's count before the k rule decides what is
//! withheld.

use std::collections::HashSet;

use hmac::{Hmac, Mac};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::stats::special;
use crate::{Error, Result};

/// The discrete Laplace (two-sided geometric) distribution on the integers:
/// P(X = x) = (1 − q)/(1 + q) · q^|x| with q = exp(−1/scale).
///
/// Adding it to a count whose sensitivity is `Δ` with scale `Δ/ε` gives
/// ε-differential privacy, like continuous Laplace noise, but the result stays
/// an integer. That matters beyond looks: continuous Laplace noise computed
/// in floating point leaks the true value through which doubles can and
/// cannot occur (Mironov, "On significance of the least significant bits for
/// differential privacy", CCS 2012). Integer noise added to an integer count
/// has no low-order bits to leak.
///
/// ```
/// use exitcore::privacy::DiscreteLaplace;
/// let d = DiscreteLaplace::new(2.0).unwrap();
/// assert!((d.pmf(0) - 0.244_918_662_403_709_1).abs() < 1e-15);
/// assert_eq!(d.pmf(3), d.pmf(-3));
/// assert!(DiscreteLaplace::new(0.0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscreteLaplace {
    scale: f64,
}

/// 2^63 as a double: the first value a non-negative double cannot be cast to
/// `i64` without saturating.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

impl DiscreteLaplace {
    /// The distribution with `scale` (the `b` of Laplace(b); the variance is
    /// about 2·scale² for large scales). Fails unless `scale` is finite and
    /// greater than 0.
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// assert_eq!(DiscreteLaplace::new(1.5).unwrap().scale(), 1.5);
    /// for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
    ///     assert_eq!(DiscreteLaplace::new(bad).unwrap_err().field(), Some("scale"));
    /// }
    /// ```
    pub fn new(scale: f64) -> Result<Self> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::argument(
                "scale",
                format!("must be finite and greater than 0, got {scale}"),
            ));
        }
        Ok(DiscreteLaplace { scale })
    }

    /// The distribution that makes a query with the given L1 `sensitivity`
    /// (how much one person can change the sum of all its cells; 1 for a
    /// table of counts where each person is in one cell) `epsilon`-
    /// differentially private: scale = sensitivity / epsilon.
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// assert_eq!(DiscreteLaplace::for_epsilon(0.5, 1).unwrap().scale(), 2.0);
    /// assert_eq!(DiscreteLaplace::for_epsilon(1.0, 3).unwrap().scale(), 3.0);
    /// assert!(DiscreteLaplace::for_epsilon(0.0, 1).is_err());
    /// assert!(DiscreteLaplace::for_epsilon(1.0, 0).is_err());
    /// ```
    pub fn for_epsilon(epsilon: f64, sensitivity: u32) -> Result<Self> {
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(Error::argument(
                "epsilon",
                format!("must be finite and greater than 0, got {epsilon}"),
            ));
        }
        if sensitivity == 0 {
            return Err(Error::argument("sensitivity", "must be at least 1"));
        }
        let scale = f64::from(sensitivity) / epsilon;
        if !scale.is_finite() {
            return Err(Error::argument(
                "epsilon",
                format!("{epsilon} is so small that the noise scale overflows"),
            ));
        }
        DiscreteLaplace::new(scale)
    }

    /// The scale: q = exp(−1/scale).
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// assert_eq!(DiscreteLaplace::new(4.0).unwrap().scale(), 4.0);
    /// ```
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// P(X = x).
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// // scale 1/ln 2 makes q = 1/2: P(0) = (1/2)/(3/2) = 1/3, P(±1) = 1/6.
    /// let d = DiscreteLaplace::new(1.0 / std::f64::consts::LN_2).unwrap();
    /// assert!((d.pmf(0) - 1.0 / 3.0).abs() < 1e-15);
    /// assert!((d.pmf(-1) - 1.0 / 6.0).abs() < 1e-15);
    /// ```
    pub fn pmf(&self, x: i64) -> f64 {
        // (1 − q)/(1 + q) = tanh(1/(2·scale)), which stays accurate when q is
        // close to 1 where 1 − q would cancel; q^|x| = exp(−|x|/scale) avoids
        // the rounding of q compounding over |x| multiplications.
        special::tanh(0.5 / self.scale) * special::exp(-magnitude(x) / self.scale)
    }

    /// P(X ≤ x): q^|x|/(1 + q) for x < 0 and 1 − q^(x+1)/(1 + q) for x ≥ 0.
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// let d = DiscreteLaplace::new(1.0 / std::f64::consts::LN_2).unwrap(); // q = 1/2
    /// assert!((d.cdf(-1) - 1.0 / 3.0).abs() < 1e-15);
    /// assert!((d.cdf(0) - 2.0 / 3.0).abs() < 1e-15);
    /// assert!((d.cdf(1) - 5.0 / 6.0).abs() < 1e-15);
    /// ```
    pub fn cdf(&self, x: i64) -> f64 {
        let one_plus_q = 1.0 + special::exp(-1.0 / self.scale);
        if x < 0 {
            special::exp(-magnitude(x) / self.scale) / one_plus_q
        } else {
            1.0 - special::exp(-(magnitude(x) + 1.0) / self.scale) / one_plus_q
        }
    }

    /// One draw, as the difference of two independent geometric variables.
    ///
    /// Each geometric variable is G = ⌊−ln U · scale⌋ with U uniform on
    /// (0, 1]. Since ln q = −1/scale, G ≥ k exactly when U ≤ q^k, so
    /// P(G ≥ k) = q^k and P(G = k) = (1 − q) q^k: geometric with success
    /// probability 1 − q. For two independent draws and x ≥ 0,
    /// P(G₁ − G₂ = x) = Σₖ (1 − q) q^(k+x) · (1 − q) q^k = (1 − q)² q^x / (1 − q²)
    /// = (1 − q)/(1 + q) · q^x, and the same for −x by symmetry: the discrete
    /// Laplace law.
    ///
    /// U is (j + 1)/2⁵³ for 53 random bits j, so it is never 0 (no ln 0) and
    /// each probability is off by at most about 2⁻⁵³ from the exact law; the
    /// largest geometric draw is ⌊53 ln 2 · scale⌋ ≈ 36.7·scale, which cuts
    /// off a tail of mass about 2⁻⁵³. Strictly, then, the guarantee is
    /// (ε, δ)-privacy with δ of that order rather than pure ε; exact samplers
    /// (Canonne, Kamath and Steinke 2020) remove even that at the cost of
    /// big-number arithmetic. Draws beyond the `i64` range (only for absurd
    /// scales) are clamped, never wrapped.
    ///
    /// ```
    /// use exitcore::privacy::DiscreteLaplace;
    /// use rand::SeedableRng;
    /// let d = DiscreteLaplace::new(2.0).unwrap();
    /// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    /// let draws: Vec<i64> = (0..1000).map(|_| d.sample(&mut rng)).collect();
    /// let mean = draws.iter().sum::<i64>() as f64 / 1000.0;
    /// assert!(mean.abs() < 0.5);
    /// ```
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        // Both draws lie in [0, i64::MAX], so the difference cannot overflow.
        self.geometric(rng) - self.geometric(rng)
    }

    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    fn geometric<R: Rng + ?Sized>(self, rng: &mut R) -> i64 {
        // j + 1 ≤ 2^53 is exactly representable, so U is exact.
        let j = rng.next_u64() >> 11;
        let u = (j + 1) as f64 / (1u64 << 53) as f64;
        let g = (-special::ln(u) * self.scale).floor();
        if g >= TWO_POW_63 {
            i64::MAX
        } else {
            // 0 ≤ g < 2^63 and g is integral: the cast is exact.
            g as i64
        }
    }
}

/// |x| as a double; beyond 2^53 the rounding is far below anything the
/// exponentials that use it can resolve.
#[allow(clippy::cast_precision_loss)]
fn magnitude(x: i64) -> f64 {
    x.unsigned_abs() as f64
}

/// Deterministic noise per cell: the noise of a cell is a function of a
/// secret key, the query, the cell and the scale, so asking the same query
/// again gives the same noisy answer instead of a fresh draw that could be
/// averaged away.
///
/// The key must be secret. If the noise were a public function of the query
/// and cell, someone who knows every record but one could compute the true
/// count for each candidate value of the unknown record, add the (public)
/// noise, and see which candidate matches the released number: the noise
/// would protect nothing. With the key, the noise is a pseudorandom function
/// of the cell (HMAC-SHA256 seeding `ChaCha20`) and indistinguishable from a
/// fresh draw to anyone without the key. Keep one key per data set for as
/// long as its budget lives: a new key gives fresh noise, and fresh noise on
/// an old query must be charged again. Use a different key than the
/// [`Pseudonymiser`](crate::Pseudonymiser)'s (a domain-separation tag keeps
/// the two apart even if not, but one leaked key should not cost both).
///
/// ```
/// use exitcore::privacy::{CellNoise, DiscreteLaplace};
/// let noise = CellNoise::new(b"a secret key of at least 16 bytes").unwrap();
/// let d = DiscreteLaplace::for_epsilon(0.5, 1).unwrap();
/// let a = noise.noise("leavers by org", "org=Finance", &d);
/// assert_eq!(a, noise.noise("leavers by org", "org=Finance", &d));
/// assert_eq!(format!("{noise:?}"), "CellNoise { .. }");
/// assert!(CellNoise::new(b"short").is_err());
/// ```
#[derive(Clone)]
pub struct CellNoise {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for CellNoise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("CellNoise { .. }")
    }
}

/// Separates noise seeds from every other use of HMAC in the crate, and lets
/// a future change of derivation use a new tag instead of silently changing
/// old answers.
const NOISE_TAG: &[u8] = b"exitcore/privacy/cell-noise/v1";

impl CellNoise {
    /// Shortest key accepted, in bytes: shorter keys can be brute-forced.
    ///
    /// ```
    /// use exitcore::privacy::CellNoise;
    /// assert!(CellNoise::new(&[7; CellNoise::MIN_KEY_LEN]).is_ok());
    /// assert!(CellNoise::new(&[7; CellNoise::MIN_KEY_LEN - 1]).is_err());
    /// ```
    pub const MIN_KEY_LEN: usize = 16;

    /// Noise keyed by `key`; fails when the key is shorter than
    /// [`CellNoise::MIN_KEY_LEN`] bytes.
    ///
    /// ```
    /// use exitcore::privacy::CellNoise;
    /// let err = CellNoise::new(b"too short").unwrap_err();
    /// assert_eq!(err.field(), Some("key"));
    /// ```
    pub fn new(key: &[u8]) -> Result<Self> {
        let mac = crate::pseudonym::keyed_mac(key, Self::MIN_KEY_LEN, "noise")?;
        Ok(CellNoise { mac })
    }

    /// The noise for `cell` of `query` under `dist`: one draw of `dist` from
    /// a `ChaCha20` generator seeded with HMAC-SHA256(key, tag ‖ len ‖ query ‖
    /// len ‖ cell ‖ scale bits). The length prefixes keep ("ab", "c") and
    /// ("a", "bc") apart; the scale is in the seed so that the same query at
    /// another epsilon gets its own noise rather than a rescaled copy.
    ///
    /// `query` must identify everything that determines the cells' true
    /// values (the question, filters and data set version), and `cell` the
    /// cell within it: two different queries sharing an id would get the same
    /// noise, which an attacker could subtract out between them.
    ///
    /// ```
    /// use exitcore::privacy::{CellNoise, DiscreteLaplace};
    /// let noise = CellNoise::new(b"a secret key of at least 16 bytes").unwrap();
    /// let d = DiscreteLaplace::new(2.0).unwrap();
    /// let cells = ["org=HR", "org=IT", "org=Sales"];
    /// let once: Vec<i64> = cells.iter().map(|c| noise.noise("q1", c, &d)).collect();
    /// let again: Vec<i64> = cells.iter().map(|c| noise.noise("q1", c, &d)).collect();
    /// assert_eq!(once, again);
    /// ```
    pub fn noise(&self, query: &str, cell: &str, dist: &DiscreteLaplace) -> i64 {
        let mut rng = ChaCha20Rng::from_seed(self.seed(query, cell, dist.scale()));
        dist.sample(&mut rng)
    }

    fn seed(&self, query: &str, cell: &str, scale: f64) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(NOISE_TAG);
        for part in [query, cell] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(&scale.to_bits().to_le_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// Slack when comparing spent epsilon to the total, relative to totals of 1
/// or more: ten charges of 0.1 add up to 0.9999999999999999 and must fit a
/// total of 1.
const TOLERANCE: f64 = 1e-12;

/// The epsilon budget of one data set: each distinct query spends its epsilon
/// once, and a query that would overspend is refused.
///
/// Differential privacy composes: answering queries with ε₁, ε₂, … is
/// (ε₁ + ε₂ + …)-private, so the total bounds what all releases of a data set
/// together reveal about one person. A repeated query (same id, same epsilon)
/// costs nothing, because [`CellNoise`] gives it the same answer and a
/// repetition reveals nothing new. The same id with another epsilon gets new
/// noise and is a new charge.
///
/// Serialise the budget (serde) to keep it across sessions; it is stored as
/// its total and its charges in order, and loading replays the charges, so a
/// stored budget that was tampered into overspending does not load.
///
/// ```
/// use exitcore::privacy::Budget;
/// let mut b = Budget::new(1.0).unwrap();
/// b.charge("leavers by org", 0.5).unwrap();
/// b.charge("leavers by org", 0.5).unwrap(); // a repeat: free
/// assert_eq!(b.spent(), 0.5);
/// let err = b.charge("leavers by tenure", 0.6).unwrap_err();
/// assert_eq!(err.code(), "budget_exhausted");
/// assert_eq!(err.to_string(), "privacy budget exhausted: spent 0.5 of 1, this query needs 0.6");
/// assert_eq!(b.remaining(), 0.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBudget", into = "RawBudget")]
pub struct Budget {
    total: f64,
    spent: f64,
    charges: Vec<Charge>,
    /// (query, epsilon bits) of every charge, to find repeats without a scan.
    seen: HashSet<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Charge {
    query: String,
    epsilon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    total: f64,
    #[serde(default)]
    charges: Vec<Charge>,
}

impl TryFrom<RawBudget> for Budget {
    type Error = Error;

    fn try_from(raw: RawBudget) -> Result<Self> {
        let mut budget = Budget::new(raw.total)?;
        for c in raw.charges {
            budget.charge(&c.query, c.epsilon)?;
        }
        Ok(budget)
    }
}

impl From<Budget> for RawBudget {
    fn from(b: Budget) -> Self {
        RawBudget {
            total: b.total,
            charges: b.charges,
        }
    }
}

impl Budget {
    /// A budget of `total_epsilon`, nothing spent. Fails unless the total is
    /// finite and greater than 0.
    ///
    /// ```
    /// use exitcore::privacy::Budget;
    /// assert_eq!(Budget::new(2.0).unwrap().remaining(), 2.0);
    /// assert_eq!(Budget::new(f64::NAN).unwrap_err().field(), Some("total_epsilon"));
    /// ```
    pub fn new(total_epsilon: f64) -> Result<Self> {
        if !(total_epsilon.is_finite() && total_epsilon > 0.0) {
            return Err(Error::argument(
                "total_epsilon",
                format!("must be finite and greater than 0, got {total_epsilon}"),
            ));
        }
        Ok(Budget {
            total: total_epsilon,
            spent: 0.0,
            charges: Vec::new(),
            seen: HashSet::new(),
        })
    }

    /// Spends `epsilon` on `query`, or refuses with
    /// [`Error::BudgetExhausted`] (changing nothing) when the spent total
    /// would exceed the budget. A query id already charged with exactly this
    /// epsilon costs nothing again; with a different epsilon it is a new
    /// charge. Fails with [`Error::InvalidArgument`] unless `epsilon` is
    /// finite and greater than 0.
    ///
    /// ```
    /// use exitcore::privacy::Budget;
    /// let mut b = Budget::new(1.0).unwrap();
    /// for i in 0..10 {
    ///     b.charge(&format!("q{i}"), 0.1).unwrap();
    /// }
    /// assert!(b.charge("q10", 0.1).is_err());
    /// assert!(b.charge("q3", 0.1).is_ok()); // repeat
    /// assert!(b.charge("q3", 0.2).is_err()); // new epsilon, new charge
    /// ```
    pub fn charge(&mut self, query: &str, epsilon: f64) -> Result<()> {
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(Error::argument(
                "epsilon",
                format!("must be finite and greater than 0, got {epsilon}"),
            ));
        }
        let key = (query.to_owned(), epsilon.to_bits());
        if self.seen.contains(&key) {
            return Ok(());
        }
        if self.spent + epsilon > self.total + TOLERANCE * self.total.max(1.0) {
            return Err(Error::BudgetExhausted {
                spent: self.spent,
                requested: epsilon,
                total: self.total,
            });
        }
        self.spent += epsilon;
        self.charges.push(Charge {
            query: key.0.clone(),
            epsilon,
        });
        self.seen.insert(key);
        Ok(())
    }

    /// Epsilon spent so far.
    ///
    /// ```
    /// use exitcore::privacy::Budget;
    /// let mut b = Budget::new(1.0).unwrap();
    /// b.charge("q", 0.25).unwrap();
    /// assert_eq!(b.spent(), 0.25);
    /// ```
    pub fn spent(&self) -> f64 {
        self.spent
    }

    /// Epsilon left: total − spent, never below 0.
    ///
    /// ```
    /// use exitcore::privacy::Budget;
    /// let mut b = Budget::new(1.0).unwrap();
    /// b.charge("q", 0.25).unwrap();
    /// assert_eq!(b.remaining(), 0.75);
    /// ```
    pub fn remaining(&self) -> f64 {
        (self.total - self.spent).max(0.0)
    }

    /// The budget's total epsilon.
    ///
    /// ```
    /// use exitcore::privacy::Budget;
    /// assert_eq!(Budget::new(3.0).unwrap().total(), 3.0);
    /// ```
    pub fn total(&self) -> f64 {
        self.total
    }
}

#[cfg(test)]
// Counts and bin numbers here stay far below 2^53, and the exact float
// comparisons check values that are exact by construction (symmetry, 0, 1).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::float_cmp
)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Instant;

    use statrs::distribution::{ChiSquared, ContinuousCDF};

    use rand::RngCore;

    use super::*;

    const KEY: &[u8] = b"test key of at least sixteen bytes";

    /// Significance of the goodness-of-fit tests: a correct sampler fails one
    /// with probability at most 1e-6.
    const ALPHA: f64 = 1e-6;

    /// Pearson's chi-square of `counts` (value -> how often it was drawn)
    /// against the exact pmf of `dist`, with the returned degrees of freedom.
    ///
    /// Values with |x| < m get a bin each and the two tails x ≤ −m and x ≥ m
    /// are pooled, with m as large as possible while every bin expects at
    /// least 5 draws, so the chi-square approximation holds. (Tails can expect
    /// more than the last single bins, since P(X ≤ −m)/P(X = m − 1) = q/(1 − q),
    /// so both are checked.)
    fn chi_square(counts: &BTreeMap<i64, u64>, dist: DiscreteLaplace) -> (f64, f64) {
        let n = counts.values().sum::<u64>() as f64;
        let mut m = 1;
        while n * dist.pmf(m) >= 5.0 && n * dist.cdf(-(m + 1)) >= 5.0 {
            m += 1;
        }
        let observed = |range: &dyn Fn(i64) -> bool| -> f64 {
            counts
                .iter()
                .filter(|(x, _)| range(**x))
                .map(|(_, c)| *c as f64)
                .sum()
        };
        let mut bins = vec![
            (observed(&|x| x <= -m), n * dist.cdf(-m)),
            (observed(&|x| x >= m), n * dist.cdf(-m)),
        ];
        for v in (1 - m)..m {
            bins.push((observed(&|x| x == v), n * dist.pmf(v)));
        }
        assert!(bins.iter().all(|(_, e)| *e >= 5.0));
        let statistic = bins.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        (statistic, (bins.len() - 1) as f64)
    }

    fn critical(df: f64) -> f64 {
        ChiSquared::new(df).unwrap().inverse_cdf(1.0 - ALPHA)
    }

    fn histogram(draws: impl Iterator<Item = i64>) -> BTreeMap<i64, u64> {
        let mut counts = BTreeMap::new();
        for x in draws {
            *counts.entry(x).or_insert(0) += 1;
        }
        counts
    }

    /// Checks `counts` (drawn at scale 2) against the exact law at scale 2,
    /// and that the test would notice scales 1.6 and 2.4.
    fn assert_fits_scale_2(what: &str, counts: &BTreeMap<i64, u64>) {
        let (stat, df) = chi_square(counts, DiscreteLaplace::new(2.0).unwrap());
        let threshold = critical(df);
        eprintln!("{what}: scale 2.0: chi2 = {stat:.1}, df = {df}, threshold = {threshold:.1}");
        assert!(stat < threshold, "{what}: {stat} >= {threshold}");
        for wrong in [1.6, 2.4] {
            let (stat, df) = chi_square(counts, DiscreteLaplace::new(wrong).unwrap());
            let threshold = critical(df);
            eprintln!(
                "{what}: scale {wrong}: chi2 = {stat:.1}, df = {df}, threshold = {threshold:.1}"
            );
            assert!(
                stat > threshold,
                "{what}: scale {wrong} not rejected: {stat}"
            );
        }
    }

    // Why a fixed seed still proves something: the threshold is the chi-square
    // quantile at 1 − 1e-6, so over all seeds a correct sampler fails this test
    // with probability at most 1e-6. Fixing the seed makes the test
    // reproducible without making it weaker: had the seed been chosen before
    // looking (it was: 2024, the first one tried), a wrong sampler has no way
    // to be "lucky" except with that same tiny probability, while the
    // wrong-scale checks show a 20% scale error is rejected by a wide margin.
    #[test]
    fn samples_follow_the_exact_law() {
        let start = Instant::now();
        let d = DiscreteLaplace::new(2.0).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(2024);
        let counts = histogram((0..1_000_000).map(|_| d.sample(&mut rng)));
        assert_fits_scale_2("ChaCha20Rng, 1e6 draws", &counts);
        eprintln!("took {:?}", start.elapsed());
    }

    // The path releases actually use: one keyed seed per cell, one draw each.
    // Over distinct cells the draws must be independent with the exact law.
    // A cell costs about 7 µs in a debug build (HMAC and ChaCha setup are
    // generic, so instantiated unoptimised here), so this uses 200,000 cells
    // to stay near 1.5 s. The power is still ample: a 20% scale error gives
    // a statistic around 6,000 to 13,000 against a threshold near 100.
    #[test]
    fn keyed_cell_noise_follows_the_exact_law() {
        let start = Instant::now();
        let noise = CellNoise::new(KEY).unwrap();
        let d = DiscreteLaplace::new(2.0).unwrap();
        let counts = histogram((0..200_000).map(|i| noise.noise("q", &format!("cell {i}"), &d)));
        assert_fits_scale_2("CellNoise, 200k cells", &counts);
        eprintln!("took {:?}", start.elapsed());
    }

    #[test]
    fn pmf_and_cdf_match_hand_calculation() {
        // scale 2: q = e^(-1/2) = 0.6065306597126334,
        // (1 - q)/(1 + q) = 0.3934693402873666/1.6065306597126334 = 0.24491866240370913,
        // P(3) = 0.24491866240370913 * q^3 (0.22313016014842982) = 0.054648740365478836,
        // P(X <= -3) = q^3/(1 + q) = 0.13888945025695432, P(X <= 2) = 1 - that.
        let d = DiscreteLaplace::new(2.0).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-15;
        assert!(close(d.pmf(0), 0.244_918_662_403_709_13));
        assert!(close(d.pmf(3), 0.054_648_740_365_478_836));
        assert!(close(d.pmf(-3), 0.054_648_740_365_478_836));
        assert!(close(d.cdf(-3), 0.138_889_450_256_954_32));
        assert!(close(d.cdf(2), 0.861_110_549_743_045_7));
        // scale 1/ln 2: q = 1/2, (1 - q)/(1 + q) = 1/3, P(x) = (1/3) 2^-|x|;
        // P(X <= -1) = (1/2)/(3/2) = 1/3, P(X <= 0) = 2/3, P(X <= 1) = 1 - (1/4)/(3/2) = 5/6.
        let half = DiscreteLaplace::new(1.0 / std::f64::consts::LN_2).unwrap();
        for (x, p) in [
            (0, 1.0 / 3.0),
            (1, 1.0 / 6.0),
            (-2, 1.0 / 12.0),
            (5, 1.0 / 96.0),
        ] {
            assert!(close(half.pmf(x), p), "pmf({x})");
        }
        for (x, p) in [
            (-2, 1.0 / 6.0),
            (-1, 1.0 / 3.0),
            (0, 2.0 / 3.0),
            (1, 5.0 / 6.0),
        ] {
            assert!(close(half.cdf(x), p), "cdf({x})");
        }
    }

    #[test]
    fn pmf_sums_to_one_and_cdf_is_consistent_and_symmetric() {
        for scale in [0.1, 0.5, 1.0, 2.0, 7.5, 50.0] {
            let d = DiscreteLaplace::new(scale).unwrap();
            // Beyond 60 scales the tail is below e^-60.
            let reach = (60.0 * scale).ceil() as i64;
            let total: f64 = (-reach..=reach).map(|x| d.pmf(x)).sum();
            assert!((total - 1.0).abs() < 1e-12, "scale {scale}: sum {total}");
            for x in -40..=40 {
                assert_eq!(d.pmf(x), d.pmf(-x));
                assert!(
                    (d.cdf(x) + d.cdf(-x - 1) - 1.0).abs() < 1e-14,
                    "scale {scale}, x {x}"
                );
                assert!(
                    (d.cdf(x) - d.cdf(x - 1) - d.pmf(x)).abs() < 1e-14,
                    "scale {scale}, x {x}"
                );
            }
        }
    }

    #[test]
    fn invalid_parameters_are_refused() {
        for bad in [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(
                DiscreteLaplace::new(bad).unwrap_err().field(),
                Some("scale")
            );
            let err = DiscreteLaplace::for_epsilon(bad, 1).unwrap_err();
            assert_eq!(err.field(), Some("epsilon"));
            assert_eq!(err.code(), "invalid_argument");
        }
        assert_eq!(
            DiscreteLaplace::for_epsilon(1.0, 0).unwrap_err().field(),
            Some("sensitivity")
        );
        // 1/5e-324 overflows: refused as an epsilon problem, not a scale one.
        let tiny = DiscreteLaplace::for_epsilon(5e-324, 1).unwrap_err();
        assert_eq!(tiny.field(), Some("epsilon"));
        assert!(tiny.to_string().contains("overflows"), "{tiny}");
    }

    /// A generator that hands out fixed words, to reach the extremes of U.
    struct Words(Vec<u64>);

    impl RngCore for Words {
        fn next_u32(&mut self) -> u32 {
            unreachable!("the sampler draws whole words")
        }
        fn next_u64(&mut self) -> u64 {
            self.0.remove(0)
        }
        fn fill_bytes(&mut self, _: &mut [u8]) {
            unreachable!("the sampler draws whole words")
        }
    }

    #[test]
    fn extreme_uniforms_and_scales_stay_in_range() {
        // U = 1 (all ones) gives a geometric draw of 0; U = 2^-53 (all zeros)
        // gives the largest, floor(53 ln 2 * scale) = floor(73.47) = 73 at scale 2.
        let d = DiscreteLaplace::new(2.0).unwrap();
        assert_eq!(d.sample(&mut Words(vec![u64::MAX, u64::MAX])), 0);
        assert_eq!(d.sample(&mut Words(vec![0, u64::MAX])), 73);
        assert_eq!(d.sample(&mut Words(vec![u64::MAX, 0])), -73);
        assert_eq!(d.sample(&mut Words(vec![0, 0])), 0);
        // Absurd scales clamp instead of wrapping or panicking.
        let huge = DiscreteLaplace::new(f64::MAX).unwrap();
        assert_eq!(huge.sample(&mut Words(vec![0, u64::MAX])), i64::MAX);
        assert_eq!(huge.sample(&mut Words(vec![u64::MAX, 0])), -i64::MAX);
        assert_eq!(huge.sample(&mut Words(vec![1 << 11, u64::MAX])), i64::MAX);
        let tiny = DiscreteLaplace::new(f64::MIN_POSITIVE).unwrap();
        assert_eq!(tiny.sample(&mut Words(vec![0, u64::MAX])), 0);
        assert_eq!(tiny.pmf(0), 1.0);
        assert_eq!(tiny.pmf(1), 0.0);
        assert_eq!(tiny.cdf(-1), 0.0);
        assert_eq!(tiny.cdf(0), 1.0);
        assert_eq!(huge.pmf(i64::MIN), huge.pmf(i64::MAX));
        assert!(huge.cdf(i64::MIN) > 0.0 && huge.cdf(i64::MAX) < 1.0);
        assert_eq!(d.cdf(i64::MAX), 1.0);
        assert_eq!(d.cdf(i64::MIN), 0.0);
    }

    fn cells(noise: &CellNoise, query: &str, d: DiscreteLaplace) -> Vec<i64> {
        (0..64)
            .map(|i| noise.noise(query, &format!("cell {i}"), &d))
            .collect()
    }

    #[test]
    fn noise_is_deterministic_per_key_query_cell_and_scale() {
        let d = DiscreteLaplace::new(2.0).unwrap();
        let a = CellNoise::new(KEY).unwrap();
        let same = CellNoise::new(KEY).unwrap();
        let base = cells(&a, "q", d);
        assert_eq!(base, cells(&same, "q", d));
        assert_eq!(base, cells(&a.clone(), "q", d));
        // 64 draws with P(0) < 1/4 each: all equal by chance is out of reach.
        let other_key = CellNoise::new(b"another key, also sixteen bytes+").unwrap();
        assert_ne!(base, cells(&other_key, "q", d));
        assert_ne!(base, cells(&a, "q2", d));
        assert_ne!(base, cells(&a, "q", DiscreteLaplace::new(2.5).unwrap()));
        // The length prefixes keep (query, cell) splits apart.
        assert_ne!(
            (0..64)
                .map(|i| a.noise(&format!("q{i}"), "x", &d))
                .collect::<Vec<_>>(),
            (0..64)
                .map(|i| a.noise("q", &format!("{i}x"), &d))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn seed_derivation_is_pinned() {
        // Changing the derivation would give every old query fresh noise, which
        // must be charged again: pin it against a hand-built HMAC input and
        // pin a few published values.
        let noise = CellNoise::new(KEY).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY).unwrap();
        mac.update(b"exitcore/privacy/cell-noise/v1");
        mac.update(&[2, 0, 0, 0, 0, 0, 0, 0]);
        mac.update(b"q1");
        mac.update(&[6, 0, 0, 0, 0, 0, 0, 0]);
        mac.update(b"org=HR");
        mac.update(&2.0f64.to_bits().to_le_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(noise.seed("q1", "org=HR", 2.0), expected);
        let d = DiscreteLaplace::new(2.0).unwrap();
        let pinned: Vec<i64> = (0..8)
            .map(|i| noise.noise("q1", &format!("cell {i}"), &d))
            .collect();
        assert_eq!(pinned, PINNED);
    }

    const PINNED: [i64; 8] = [5, 1, -2, 1, -1, 1, 0, -3];

    #[test]
    fn debug_hides_the_key() {
        let noise = CellNoise::new(KEY).unwrap();
        let shown = format!("{noise:?} {noise:#?}");
        assert!(!shown.contains("test key"), "{shown}");
        assert_eq!(format!("{noise:?}"), "CellNoise { .. }");
        let err = CellNoise::new(&KEY[..15]).unwrap_err();
        assert_eq!(err.field(), Some("key"));
        assert!(!err.to_string().contains("test key"), "{err}");
    }

    #[test]
    fn budget_refuses_overspending_and_changes_nothing() {
        let mut b = Budget::new(1.0).unwrap();
        for i in 0..9 {
            b.charge(&format!("q{i}"), 0.1).unwrap();
        }
        let before = b.clone();
        let err = b.charge("big", 0.2).unwrap_err();
        let Error::BudgetExhausted {
            spent,
            requested,
            total,
        } = err
        else {
            panic!("wrong error: {err:?}");
        };
        assert!((spent - 0.9).abs() < 1e-12);
        assert_eq!((requested, total), (0.2, 1.0));
        assert_eq!(
            err.to_string(),
            "privacy budget exhausted: spent 0.9 of 1, this query needs 0.2"
        );
        assert_eq!(b, before);
        // The refused query was not recorded: it can still be charged later
        // for what is left, and the tenth 0.1 fits despite rounding.
        b.charge("q9", 0.1).unwrap();
        assert!(b.spent() <= 1.0 && b.remaining() < 1e-12);
        assert_eq!(b.charge("q10", 0.1).unwrap_err().code(), "budget_exhausted");
    }

    #[test]
    fn repeats_are_free_and_a_new_epsilon_is_a_new_charge() {
        let mut b = Budget::new(1.0).unwrap();
        b.charge("q", 0.4).unwrap();
        for _ in 0..100 {
            b.charge("q", 0.4).unwrap();
        }
        assert_eq!(b.spent(), 0.4);
        b.charge("q", 0.3).unwrap();
        assert!((b.spent() - 0.7).abs() < 1e-15);
        b.charge("q", 0.3).unwrap();
        assert!(b.charge("q", 0.400_000_1).is_err());
        // A repeat is free even when the budget is spent.
        b.charge("other", 0.3).unwrap();
        b.charge("q", 0.4).unwrap();
        assert_eq!(b.total(), 1.0);
    }

    #[test]
    fn budget_round_trips_through_serde() {
        let mut b = Budget::new(2.0).unwrap();
        for (q, e) in [("a", 0.1), ("b", 0.7), ("a", 0.2), ("c", 0.3)] {
            b.charge(q, e).unwrap();
        }
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(
            json,
            r#"{"total":2.0,"charges":[{"query":"a","epsilon":0.1},{"query":"b","epsilon":0.7},{"query":"a","epsilon":0.2},{"query":"c","epsilon":0.3}]}"#
        );
        let mut back: Budget = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        assert_eq!(back.spent().to_bits(), b.spent().to_bits());
        // Repeats stay free after loading, new queries still cost.
        back.charge("b", 0.7).unwrap();
        assert_eq!(back.spent(), b.spent());
        let err = back.charge("d", 0.8).unwrap_err();
        assert_eq!(err.code(), "budget_exhausted");
        let fresh: Budget = serde_json::from_str(r#"{"total": 1.5}"#).unwrap();
        assert_eq!((fresh.spent(), fresh.remaining()), (0.0, 1.5));
    }

    #[test]
    fn invalid_budgets_do_not_load() {
        for bad in [
            r#"{"total": 0}"#,
            r#"{"total": -1}"#,
            r#"{"total": 1, "charges": [{"query": "a", "epsilon": 0}]}"#,
            r#"{"total": 1, "charges": [{"query": "a", "epsilon": 0.6}, {"query": "b", "epsilon": 0.6}]}"#,
            r#"{"total": 1, "spent": 0}"#,
            r#"{"charges": []}"#,
        ] {
            assert!(serde_json::from_str::<Budget>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invalid_totals_and_epsilons_are_errors() {
        for bad in [0.0, -0.0, -0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = Budget::new(bad).unwrap_err();
            assert_eq!(
                (err.code(), err.field()),
                ("invalid_argument", Some("total_epsilon"))
            );
            let mut b = Budget::new(1.0).unwrap();
            let err = b.charge("q", bad).unwrap_err();
            assert_eq!(
                (err.code(), err.field()),
                ("invalid_argument", Some("epsilon"))
            );
            assert_eq!(b, Budget::new(1.0).unwrap());
        }
    }
}
