//! The release ledger: what earlier releases of a data set published, so a
//! new release cannot be subtracted from an old one.
//!
//! A team that had 12 leavers last quarter and 13 now has, by subtraction, a
//! group of one: the newcomer. The ledger keeps, per earlier release, which
//! respondents it covered (as 64-bit fingerprints of their pseudonymous ids)
//! and which cells it published. Deciding a new release with the ledger
//! treats those cells as already public, expressed in today's records, so
//! secondary suppression withholds whatever would complete such a
//! difference.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::release::{CellKey, Release};
use crate::{Dataset, Error, Result};

/// Earlier releases of one data set; persist it (it is serde JSON) between
/// releases and pass it to [`super::ReleasePlan::with_ledger`].
///
/// ```
/// use exitcore::{Dataset, privacy::{Dimension, Ledger, Policy, ReleasePlan}};
/// use exitcore::synthetic::{OrgConfig, generate};
/// let org = generate(&OrgConfig { exits: 300, ..OrgConfig::default() }).unwrap();
/// let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
/// let mut ledger = Ledger::default();
/// let first = ReleasePlan::new(&ds, Policy::default())
///     .table(&[Dimension::OrgUnit]).unwrap()
///     .with_ledger(&ledger)
///     .decide();
/// ledger.record(&ds, &first).unwrap();
/// let json = serde_json::to_string(&ledger).unwrap();
/// let ledger: Ledger = serde_json::from_str(&json).unwrap();
/// assert_eq!(ledger.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    releases: Vec<LedgerEntry>,
}

/// One earlier release: who it covered and which cells it published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    /// Fingerprints of the respondents in the released data set, sorted.
    #[serde(serialize_with = "hex_out", deserialize_with = "hex_in")]
    pub(crate) respondents: Vec<u64>,
    /// Cells whose numbers were published.
    pub(crate) cells: Vec<CellKey>,
    /// Cells whose comments were published.
    pub(crate) comment_cells: Vec<CellKey>,
}

impl Ledger {
    /// Adds `release`, decided on `dataset`, to the ledger.
    pub fn record(&mut self, dataset: &Dataset, release: &Release) -> Result<()> {
        if release.fingerprint != dataset_fingerprint(dataset) {
            return Err(Error::argument(
                "release",
                "the release was decided on another data set",
            ));
        }
        let mut respondents = dataset.respondent.clone();
        respondents.sort_unstable();
        respondents.dedup();
        let released = |comments: bool| {
            release
                .cells
                .iter()
                .filter(|c| c.n.is_some() && (!comments || c.comments))
                .map(|c| c.key.clone())
                .collect()
        };
        self.releases.push(LedgerEntry {
            respondents,
            cells: released(false),
            comment_cells: released(true),
        });
        Ok(())
    }

    /// Number of releases recorded.
    pub fn len(&self) -> usize {
        self.releases.len()
    }

    /// Whether no release is recorded.
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    pub(crate) fn entries(&self) -> &[LedgerEntry] {
        &self.releases
    }
}

impl LedgerEntry {
    pub(crate) fn covers(&self, fingerprint: u64) -> bool {
        self.respondents.binary_search(&fingerprint).is_ok()
    }
}

/// A fingerprint of a whole data set, so a release cannot be paired with
/// data it was not decided on.
pub(crate) fn dataset_fingerprint(dataset: &Dataset) -> u64 {
    dataset.respondent.iter().fold(dataset.len as u64, |h, &r| {
        (h ^ r).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(17)
    })
}

// JSON numbers above 2^53 lose precision in JavaScript, so fingerprints
// travel as one hex string, 16 characters each.
fn hex_out<S: Serializer>(v: &[u64], s: S) -> std::result::Result<S::Ok, S::Error> {
    use std::fmt::Write;
    let mut out = String::with_capacity(v.len() * 16);
    for x in v {
        let _ = write!(out, "{x:016x}");
    }
    s.serialize_str(&out)
}

fn hex_in<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<u64>, D::Error> {
    let s = String::deserialize(d)?;
    if s.len() % 16 != 0 {
        return Err(serde::de::Error::custom(
            "respondent fingerprints must be 16 hex digits each",
        ));
    }
    let mut out: Vec<u64> = s
        .as_bytes()
        .chunks(16)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|c| u64::from_str_radix(c, 16).ok())
                .ok_or_else(|| serde::de::Error::custom("respondent fingerprints must be hex"))
        })
        .collect::<std::result::Result<_, _>>()?;
    // Sorted order is what lookups rely on; do not trust the file for it.
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
