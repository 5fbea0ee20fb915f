//! The planted-pattern study: do the insights find a pattern that is there,
//! and stay silent when there is none?
//!
//! For each seed, a synthetic organisation is generated twice: once with a
//! planted effect (one department's odds of one primary reason multiplied),
//! once without any effect of units or managers (a null organisation). The
//! analysis by org unit runs on both. Recall is the share of planted
//! organisations where an insight names the planted department (or a unit
//! inside it) and the planted reason as more frequent; the false-insight
//! rate is the share of null organisations with any insight about reasons.

use serde::{Deserialize, Serialize};

use super::{Analysis, AnalysisSpec, FindingKind};
use crate::privacy::{Dimension, Policy};
use crate::synthetic::{OrgConfig, Plant, generate};
use crate::{Dataset, Error, QuestionKind, Result};

/// The design of a study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StudyConfig {
    /// Organisations per arm (planted and null).
    pub organisations: usize,
    /// Exits per organisation.
    pub exits: usize,
    /// Factor on the odds of the planted reason in the planted department.
    pub odds_ratio: f64,
    /// Smallest number of leavers in the planted department.
    pub min_group: usize,
    /// Smallest share of leavers naming the planted reason in the null
    /// organisation (rarer reasons need larger groups to be detectable).
    pub min_base_share: f64,
    /// First seed; organisation `i` uses `seed + i`.
    pub seed: u64,
}

impl Default for StudyConfig {
    fn default() -> Self {
        StudyConfig {
            organisations: 200,
            exits: 10_000,
            odds_ratio: 3.0,
            min_group: 40,
            min_base_share: 0.05,
            seed: 1,
        }
    }
}

/// What a study found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyOutcome {
    /// Organisations per arm.
    pub organisations: usize,
    /// Planted organisations whose plant an insight found.
    pub found: usize,
    /// Null organisations with at least one insight about reasons.
    pub false_alarms: usize,
    /// `found / organisations`.
    pub recall: f64,
    /// `false_alarms / organisations`.
    pub false_insight_rate: f64,
    /// Mean size of the planted departments.
    pub mean_group: f64,
}

/// Runs the study.
///
/// ```
/// use exitcore::analysis::study::{StudyConfig, run};
/// let out = run(&StudyConfig { organisations: 2, ..StudyConfig::default() }).unwrap();
/// assert_eq!(out.organisations, 2);
/// assert!(out.recall >= 0.0 && out.false_insight_rate <= 1.0);
/// ```
// Counts of organisations and leavers are far below 2^52.
#[allow(clippy::cast_precision_loss)]
pub fn run(config: &StudyConfig) -> Result<StudyOutcome> {
    if config.organisations == 0 {
        return Err(Error::argument(
            "organisations",
            "a study needs at least one organisation",
        ));
    }
    let spec = AnalysisSpec {
        comments: false,
        ..AnalysisSpec::by(&[&[Dimension::OrgUnit]])
    };
    let mut found = 0;
    let mut false_alarms = 0;
    let mut group_sizes = 0usize;
    for i in 0..config.organisations {
        let seed = config.seed.wrapping_add(i as u64);
        let null_config = OrgConfig {
            seed,
            exits: config.exits,
            group_effects: false,
            ..OrgConfig::default()
        };
        let null = generate(&null_config)?;
        let ds = Dataset::from_records(&null.questionnaire, &null.records).dataset;
        let analysis = Analysis::run(&ds, Policy::default(), &spec)?;
        if analysis
            .insights
            .iter()
            .any(|x| matches!(x.finding.kind, FindingKind::Reason { .. }))
        {
            false_alarms += 1;
        }

        let (unit, reason, size) = choose_plant(&null.records, &null.questionnaire, config, seed)?;
        group_sizes += size;
        let planted = generate(&OrgConfig {
            plants: vec![Plant {
                unit: unit.clone(),
                reason: reason.clone(),
                odds_ratio: config.odds_ratio,
            }],
            ..null_config
        })?;
        let ds = Dataset::from_records(&planted.questionnaire, &planted.records).dataset;
        let analysis = Analysis::run(&ds, Policy::default(), &spec)?;
        let prefix = unit.join("/");
        if analysis.insights.iter().any(|x| {
            let in_unit = x.finding.key.0.iter().any(|(d, v)| {
                *d == Dimension::OrgUnit && (*v == prefix || v.starts_with(&format!("{prefix}/")))
            });
            matches!(&x.finding.kind, FindingKind::Reason { option, share, rest_share, .. }
                if *option == reason && share > rest_share)
                && in_unit
        }) {
            found += 1;
        }
    }
    let n = config.organisations as f64;
    Ok(StudyOutcome {
        organisations: config.organisations,
        found,
        false_alarms,
        recall: found as f64 / n,
        false_insight_rate: false_alarms as f64 / n,
        mean_group: group_sizes as f64 / n,
    })
}

/// A department with at least `min_group` leavers and a reason at least
/// `min_base_share` of them name, picked by the seed.
#[allow(clippy::cast_precision_loss)]
fn choose_plant(
    records: &[crate::ExitRecord],
    questionnaire: &crate::Questionnaire,
    config: &StudyConfig,
    seed: u64,
) -> Result<(Vec<String>, String, usize)> {
    let mut sizes: std::collections::BTreeMap<Vec<String>, usize> =
        std::collections::BTreeMap::new();
    let mut reasons: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for r in records {
        if r.context.org_unit.len() >= 2 {
            *sizes.entry(r.context.org_unit[..2].to_vec()).or_default() += 1;
        }
        if let Some(crate::Answer::Text(t)) = r.answers.get("primary_reason") {
            *reasons.entry(t.clone()).or_default() += 1;
        }
    }
    let units: Vec<(Vec<String>, usize)> = sizes
        .into_iter()
        .filter(|(_, n)| *n >= config.min_group)
        .collect();
    let options: Vec<String> = questionnaire
        .questions
        .iter()
        .find(|q| q.id == "primary_reason")
        .map(|q| match &q.kind {
            QuestionKind::SingleChoice { options } => {
                options.iter().map(|o| o.id.clone()).collect()
            }
            _ => Vec::new(),
        })
        .unwrap_or_default();
    let common: Vec<String> = options
        .into_iter()
        .filter(|o| {
            reasons.get(o).copied().unwrap_or(0) as f64
                >= config.min_base_share * records.len() as f64
        })
        .collect();
    if units.is_empty() || common.is_empty() {
        return Err(Error::argument(
            "exits",
            "no department or reason is large enough to plant a pattern in",
        ));
    }
    // A cheap, seed-determined pick (splitmix64), so the study is reproducible.
    let mut x = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    let pick = |n: usize, bits: u64| usize::try_from(bits % n as u64).unwrap_or(0);
    let (unit, size) = units[pick(units.len(), x)].clone();
    let reason = common[pick(common.len(), x >> 32)].clone();
    Ok((unit, reason, size))
}
