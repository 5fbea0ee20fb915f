//! The privacy layer: the rules that decide what may leave the library.
//!
//! - [`Policy`]: the minimum group size `k` for numbers, a higher threshold
//!   for comments, and whether empty cells may be shown.
//! - [`Redactor`]: removes e-mail addresses, phone numbers, IBANs, BSNs and
//!   roster names from free text before it can be shown.
//! - [`ReleasePlan`] / [`ReleaseSpec`]: the cells of one release, decided
//!   together; [`Release::comments`] hands out redacted comments of the
//!   cells that may show them.
//! - [`Ledger`]: what earlier releases published, so a new one cannot be
//!   subtracted from them.
//! - Secondary suppression (internal): picks extra cells to withhold so that
//!   no withheld cell can be computed from the released ones.
//! - [`DiscreteLaplace`], [`CellNoise`] and [`Budget`]: integer noise for
//!   counts, deterministic per cell, with an epsilon budget per data set.

mod ledger;
mod noise;
mod redact;
mod release;
mod suppression;

use serde::{Deserialize, Serialize};

pub use ledger::{Ledger, LedgerEntry};
pub use noise::{Budget, CellNoise, DiscreteLaplace};
pub use redact::{Redacted, Redactor, bsn_is_valid, iban_is_valid};
pub use release::{
    Audit, CellDecision, CellKey, Dimension, NoiseInfo, Release, ReleasePlan, ReleaseSpec, Withheld,
};
pub(crate) use release::{CellIndex, CellMemo, CellModel};

use crate::{Error, Result};

/// The caller's privacy rules for one release.
///
/// ```
/// use exitcore::privacy::Policy;
/// let p = Policy::default();
/// assert_eq!((p.k(), p.comment_k(), p.show_zero()), (5, 10, false));
/// let strict = Policy::new(10).unwrap().with_comment_threshold(20).unwrap();
/// assert_eq!(strict.comment_k(), 20);
/// assert!(Policy::new(1).is_err());
/// assert!(Policy::new(5).unwrap().with_comment_threshold(3).is_err());
/// let from_json: Policy = serde_json::from_str(r#"{"k": 7}"#).unwrap();
/// assert_eq!(from_json.comment_k(), 10);
/// assert!(serde_json::from_str::<Policy>(r#"{"k": 1}"#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPolicy", into = "RawPolicy")]
pub struct Policy {
    k: u32,
    comment_k: u32,
    show_zero: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default = "default_k")]
    k: u32,
    #[serde(default)]
    comment_k: Option<u32>,
    #[serde(default)]
    show_zero: bool,
}

fn default_k() -> u32 {
    Policy::DEFAULT_K
}

impl TryFrom<RawPolicy> for Policy {
    type Error = Error;

    fn try_from(raw: RawPolicy) -> Result<Self> {
        let p = Policy::new(raw.k)?.with_show_zero(raw.show_zero);
        match raw.comment_k {
            Some(c) => p.with_comment_threshold(c),
            None => Ok(Policy {
                comment_k: p.comment_k.max(p.k),
                ..p
            }),
        }
    }
}

impl From<Policy> for RawPolicy {
    fn from(p: Policy) -> Self {
        RawPolicy {
            k: p.k,
            comment_k: Some(p.comment_k),
            show_zero: p.show_zero,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            k: Self::DEFAULT_K,
            comment_k: Self::DEFAULT_COMMENT_K,
            show_zero: false,
        }
    }
}

impl Policy {
    /// Default minimum group size for numbers.
    pub const DEFAULT_K: u32 = 5;
    /// Default minimum group size for comments.
    pub const DEFAULT_COMMENT_K: u32 = 10;

    /// A policy with minimum group size `k` (at least 2) and the default
    /// comment threshold (10, or `k` when that is higher).
    pub fn new(k: u32) -> Result<Self> {
        if k < 2 {
            return Err(Error::argument(
                "k",
                format!("k must be at least 2, got {k}: a group of one is one person"),
            ));
        }
        Ok(Policy {
            k,
            comment_k: Self::DEFAULT_COMMENT_K.max(k),
            show_zero: false,
        })
    }

    /// The same policy with comments shown only for groups of at least
    /// `comment_k` people (not below `k`).
    pub fn with_comment_threshold(self, comment_k: u32) -> Result<Self> {
        if comment_k < self.k {
            return Err(Error::argument(
                "comment_k",
                format!(
                    "the comment threshold ({comment_k}) cannot be below k ({})",
                    self.k
                ),
            ));
        }
        Ok(Policy { comment_k, ..self })
    }

    /// The same policy, showing empty cells (`true`) or withholding them like
    /// small ones (`false`, the default: an empty cell then looks the same as
    /// a cell of one to four people).
    #[must_use]
    pub fn with_show_zero(self, show_zero: bool) -> Self {
        Policy { show_zero, ..self }
    }

    /// Minimum group size for any number.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// Minimum group size for comments.
    pub fn comment_k(&self) -> u32 {
        self.comment_k
    }

    /// Whether empty cells are shown.
    pub fn show_zero(&self) -> bool {
        self.show_zero
    }

    /// Whether a group of `n` respondents is too small to release: `0 < n < k`,
    /// or `n == 0` unless empty cells are shown.
    pub fn withholds(&self, n: u64) -> bool {
        if n == 0 {
            !self.show_zero
        } else {
            n < u64::from(self.k)
        }
    }
}
