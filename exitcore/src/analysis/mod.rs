//! Pattern analysis on the cell model: reasons for leaving, theme scores and
//! eNPS per group, tests of association, and the findings that survive a
//! false-discovery-rate correction.
//!
//! Every number here comes from a cell the privacy layer released: the
//! analysis decides one release for all its breakdowns first, and computes
//! statistics only from released cells. A withheld group appears with its
//! key and the reason, and nothing else; tests across groups use released
//! groups only, so no statistic carries information about a withheld one.
//!
//! ```
//! use exitcore::{Dataset, analysis::{Analysis, AnalysisSpec}, privacy::{Dimension, Policy}};
//! use exitcore::synthetic::{OrgConfig, generate};
//! let org = generate(&OrgConfig { exits: 2000, ..OrgConfig::default() }).unwrap();
//! let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
//! let spec = AnalysisSpec::by(&[&[Dimension::OrgUnit], &[Dimension::TenureBand]]);
//! let a = Analysis::run(&ds, Policy::default(), &spec).unwrap();
//! assert_eq!(a.overall.n, Some(2000));
//! // Nothing released is about fewer than k people.
//! assert!(a.breakdowns.iter().flat_map(|b| &b.groups).filter_map(|g| g.n).all(|n| n >= 5));
//! ```

pub mod comments;
mod insight;
mod lexicon;
pub mod study;
mod survival;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use insight::Insight;
pub use survival::{HORIZONS, Stayer, Survival, SurvivalComparison, SurvivalCurve, SurvivalPoint};

use crate::dataset::TENURE_NONE;
use crate::privacy::{CellKey, CellModel, Dimension, Ledger, Policy, ReleasePlan, Withheld};
use crate::stats::{self, Interval, contingency, enps, mean, multitest, proportion, rank};
use crate::tally::Tally;
use crate::{Dataset, Error, Headcount, Lang, QuestionKind, Result, Role, Theme};

/// What to analyse: the breakdowns (one dimension or a crossing of two),
/// the confidence level of intervals and the false discovery rate.
///
/// ```
/// use exitcore::analysis::AnalysisSpec;
/// let spec: AnalysisSpec = serde_json::from_str(r#"{"by": [["org_unit"], ["job_family", "tenure_band"]]}"#).unwrap();
/// assert_eq!(spec.by.len(), 2);
/// assert_eq!((spec.confidence, spec.fdr), (0.95, 0.05));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    /// Breakdowns: each a list of one or two dimensions.
    #[serde(default)]
    pub by: Vec<Vec<Dimension>>,
    /// Confidence level of every interval.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// False discovery rate for findings (Benjamini-Hochberg).
    #[serde(default = "default_fdr")]
    pub fdr: f64,
    /// Smallest group tested against the rest. Smaller groups are still
    /// shown (when released), but testing them would spend the false
    /// discovery budget on groups too small to show anything.
    #[serde(default = "default_min_test_group")]
    pub min_test_group: u64,
    /// Trends over exit quarters or years (none when absent).
    #[serde(default)]
    pub trend: Option<Period>,
    /// Language of comment placeholders and of stemming where a comment's
    /// own language cannot be told.
    #[serde(default = "default_lang")]
    pub lang: Lang,
    /// Whether to summarise the free-text comments (themes and distinctive
    /// words per cell whose comments may be shown).
    #[serde(default = "default_true")]
    pub comments: bool,
    /// Whether to rank the significant findings as insights, each told
    /// in Dutch and English. Without them an analysis at 100,000 records
    /// takes about a tenth less time, for callers that show the findings
    /// their own way.
    #[serde(default = "default_true")]
    pub insights: bool,
    /// Whether to correlate each Likert item with eNPS and "would
    /// return" (the drivers): a pass over the records per item.
    #[serde(default = "default_true")]
    pub drivers: bool,
}

fn default_true() -> bool {
    true
}

fn default_lang() -> Lang {
    Lang::En
}

/// A period for trends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar months of the exit date.
    Month,
    /// Calendar quarters of the exit date.
    Quarter,
    /// Calendar years of the exit date.
    Year,
}

impl Period {
    fn dimension(self) -> Dimension {
        match self {
            Period::Month => Dimension::ExitMonth,
            Period::Quarter => Dimension::ExitQuarter,
            Period::Year => Dimension::ExitYear,
        }
    }
}

fn default_min_test_group() -> u64 {
    20
}

fn default_confidence() -> f64 {
    0.95
}

fn default_fdr() -> f64 {
    0.05
}

impl Default for AnalysisSpec {
    fn default() -> Self {
        AnalysisSpec {
            by: Vec::new(),
            confidence: default_confidence(),
            fdr: default_fdr(),
            min_test_group: default_min_test_group(),
            trend: None,
            lang: default_lang(),
            comments: true,
            insights: true,
            drivers: true,
        }
    }
}

impl AnalysisSpec {
    /// A spec with these breakdowns and the default levels.
    pub fn by(tables: &[&[Dimension]]) -> Self {
        AnalysisSpec {
            by: tables.iter().map(|t| t.to_vec()).collect(),
            ..AnalysisSpec::default()
        }
    }

    /// Reads a spec from JSON-like data, naming the path of any error.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self> {
        serde_path_to_error::deserialize(value).map_err(|e| Error::InvalidArgument {
            name: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    fn check(&self) -> Result<()> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::argument(
                "confidence",
                format!(
                    "confidence must lie strictly between 0 and 1, got {}",
                    self.confidence
                ),
            ));
        }
        if !(self.fdr > 0.0 && self.fdr < 1.0) {
            return Err(Error::argument(
                "fdr",
                format!(
                    "the false discovery rate must lie strictly between 0 and 1, got {}",
                    self.fdr
                ),
            ));
        }
        Ok(())
    }
}

/// The share of respondents who chose one option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// The option's id.
    pub option: String,
    /// How many chose it.
    pub count: u64,
    /// `count` over the respondents who answered the question.
    pub share: f64,
    /// Wilson interval of the share.
    pub interval: Interval,
}

/// A Likert item's scores in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    /// The question's id.
    pub question: String,
    /// Its theme.
    pub theme: Option<Theme>,
    /// Mean with its Student-t interval.
    pub mean: mean::MeanEstimate,
    /// Mean of the rest of the organisation (absent for the whole
    /// organisation and when nobody else answered).
    pub rest_mean: Option<f64>,
    /// Mann-Whitney test of this group against the rest of the organisation
    /// (absent when `rest_mean` is).
    pub vs_rest: Option<rank::MannWhitney>,
}

/// Everything released about one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// The group.
    pub key: CellKey,
    /// Its size, when released.
    pub n: Option<u64>,
    /// Why it is withheld, when it is; then every field below is empty.
    pub withheld: Option<Withheld>,
    /// Shares of the primary reason for leaving.
    pub primary_reasons: Vec<Share>,
    /// Shares of each contributing reason (respondents may tick several).
    pub contributing_reasons: Vec<Share>,
    /// Likert items.
    pub items: Vec<ItemScore>,
    /// eNPS.
    pub enps: Option<enps::Enps>,
    /// Leavers with less than a year of tenure, among those whose tenure is known.
    pub early_leavers: Option<Proportion>,
    /// Leavers the organisation regrets losing, among those marked either way.
    pub regrettable: Option<Proportion>,
    /// Exits per person-year, for the whole organisation and org units, when
    /// headcount is given.
    pub turnover: Option<Turnover>,
}

/// Exits per person-year of a group, against the rest of the organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turnover {
    /// Exits (the group's released size).
    pub exits: u64,
    /// Person-years of headcount.
    pub person_years: f64,
    /// Exits per person-year.
    pub rate: f64,
    /// Exact (Garwood) Poisson interval of the rate.
    pub interval: Interval,
    /// The rest of the organisation's rate (absent for the whole organisation).
    pub rest_rate: Option<f64>,
    /// Rate ratio against the rest with its exact conditional test.
    pub vs_rest: Option<stats::rate::RateRatio>,
}

/// Optional inputs of an analysis beyond the data set.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalysisInputs<'a> {
    /// Earlier releases, counted as public.
    pub ledger: Option<&'a Ledger>,
    /// Headcount per unit and quarter, for turnover rates.
    pub headcount: Option<&'a Headcount>,
    /// Current staff with their tenure so far, for survival curves.
    pub stayers: Option<&'a [Stayer]>,
    /// Redacts comments before they are summarised (names from the
    /// caller's roster); without it, the default patterns only.
    pub redactor: Option<&'a crate::privacy::Redactor>,
}

/// A share of a group with its Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proportion {
    /// How many have the property.
    pub count: u64,
    /// How many it is known for.
    pub n: u64,
    /// `count / n`.
    pub share: f64,
    /// Wilson interval of the share.
    pub interval: Interval,
}

/// A test of whether primary reasons differ between the released groups
/// of one breakdown (of one level of the org tree, for breakdowns by org
/// unit: groups on different levels overlap).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Association {
    /// The org tree level (0 = top) of the groups tested, for breakdowns by org unit.
    pub level: Option<u8>,
    /// The groups tested, in the order of the residuals' rows.
    pub groups: Vec<CellKey>,
    /// Pearson chi-square test with Cramér's V.
    pub chi_square: contingency::ChiSquare,
    /// Adjusted standardized residuals, groups x reasons.
    pub residuals: Vec<Vec<f64>>,
    /// Whether more than a fifth of the expected counts are below 5, where
    /// the chi-square approximation is rough (the per-group findings use
    /// Fisher's exact test throughout).
    pub small_expected: bool,
}

/// A Likert item compared across the released groups of one breakdown
/// (of one level of the org tree, for breakdowns by org unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemComparison {
    /// The org tree level (0 = top) of the groups compared, for breakdowns by org unit.
    pub level: Option<u8>,
    /// The question's id.
    pub question: String,
    /// Kruskal-Wallis test across the released groups.
    pub kruskal_wallis: rank::KruskalWallis,
}

/// One breakdown: its groups and the tests across them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// The dimensions.
    pub by: Vec<Dimension>,
    /// Every group, released or withheld.
    pub groups: Vec<GroupResult>,
    /// Primary reasons against the groups (one test per org tree level for
    /// breakdowns by org unit).
    pub reasons: Vec<Association>,
    /// Likert items across the groups (per org tree level likewise).
    pub items: Vec<ItemComparison>,
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    /// A group names a primary reason more or less often than the rest.
    Reason {
        /// The reason's option id.
        option: String,
        /// Share in the group.
        share: f64,
        /// Share in the rest of the organisation.
        rest_share: f64,
        /// Odds ratio of the group against the rest.
        odds_ratio: f64,
    },
    /// A primary reason is named more (or less) often over time.
    ReasonTrend {
        /// The reason's option id.
        option: String,
        /// Share in the first half of the released periods.
        first_share: f64,
        /// Share in the second half.
        second_share: f64,
        /// Signed Cochran-Armitage z (positive: rising).
        z: f64,
    },
    /// A Likert item's mean rises or falls over time.
    ItemTrend {
        /// The question's id.
        question: String,
        /// Mean in the first half of the released periods.
        first_mean: f64,
        /// Mean in the second half.
        second_mean: f64,
        /// Kendall's tau of the per-period means.
        tau: f64,
    },
    /// A unit's turnover rate differs from the rest of the organisation's.
    Turnover {
        /// Exits per person-year in the unit.
        rate: f64,
        /// Exits per person-year in the rest.
        rest_rate: f64,
        /// `rate / rest_rate`.
        ratio: f64,
    },
    /// A group scores a Likert item higher or lower than the rest.
    Item {
        /// The question's id.
        question: String,
        /// Mean in the group.
        mean: f64,
        /// Mean in the rest of the organisation.
        rest_mean: f64,
        /// Rank-biserial correlation (positive: the rest scores higher).
        rank_biserial: f64,
    },
}

/// A finding flattened for a table row: what kind, about what, the group's
/// value, the comparison value and the effect statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FindingRow<'a> {
    /// `reason`, `item`, `turnover`, `reason_trend` or `item_trend`.
    pub kind: &'static str,
    /// The reason option or question id (`turnover` for turnover).
    pub subject: &'a str,
    /// The group's share, mean or rate (the second half's, for trends).
    pub estimate: f64,
    /// The rest's share, mean or rate (the first half's, for trends).
    pub reference: f64,
    /// Odds ratio, rank-biserial, rate ratio, trend z or Kendall's tau.
    pub statistic: f64,
}

impl FindingKind {
    /// The finding as one flat row.
    pub fn row(&self) -> FindingRow<'_> {
        let row = |kind, subject, estimate, reference, statistic| FindingRow {
            kind,
            subject,
            estimate,
            reference,
            statistic,
        };
        match self {
            FindingKind::Reason {
                option,
                share,
                rest_share,
                odds_ratio,
            } => row("reason", option, *share, *rest_share, *odds_ratio),
            FindingKind::Item {
                question,
                mean,
                rest_mean,
                rank_biserial,
            } => row("item", question, *mean, *rest_mean, *rank_biserial),
            FindingKind::Turnover {
                rate,
                rest_rate,
                ratio,
            } => row("turnover", "turnover", *rate, *rest_rate, *ratio),
            FindingKind::ReasonTrend {
                option,
                first_share,
                second_share,
                z,
            } => row("reason_trend", option, *second_share, *first_share, *z),
            FindingKind::ItemTrend {
                question,
                first_mean,
                second_mean,
                tau,
            } => row("item_trend", question, *second_mean, *first_mean, *tau),
        }
    }
}

/// A group-versus-rest test, with its p-value adjusted for every test of
/// the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The group.
    pub key: CellKey,
    /// Its size.
    pub n: u64,
    /// What differs.
    #[serde(flatten)]
    pub kind: FindingKind,
    /// Which test: `fisher_exact` (reasons), `mann_whitney` (scores),
    /// `rate_ratio` (turnover, exact conditional binomial),
    /// `cochran_armitage` (reason trends) or `mann_kendall` (score trends).
    pub test: &'static str,
    /// Unadjusted p-value.
    pub p_value: f64,
    /// Benjamini-Hochberg adjusted p-value across all tests of the analysis.
    pub q_value: f64,
    /// Whether `q_value` is below the analysis's false discovery rate.
    pub significant: bool,
}

/// The result of an analysis: released numbers only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The policy the release was decided under.
    pub policy: Policy,
    /// Counts of withheld cells by reason.
    pub audit: crate::privacy::Audit,
    /// The whole organisation.
    pub overall: GroupResult,
    /// One per breakdown of the spec.
    pub breakdowns: Vec<Breakdown>,
    /// Trends over time, when the spec asks for them.
    pub trends: Option<Trends>,
    /// Tenure survival, when current staff are given.
    pub survival: Option<Survival>,
    /// Themes and distinctive words of the free-text comments, per cell
    /// whose comments may be shown.
    pub comments: Vec<comments::CommentSummary>,
    /// Spearman correlations of Likert items with eNPS and with "would
    /// return", over the whole organisation.
    pub drivers: Vec<Driver>,
    /// Every group-versus-rest test, most significant first.
    pub findings: Vec<Finding>,
    /// The significant findings, strongest effect first, as sentences.
    pub insights: Vec<Insight>,
}

/// The questions the analyses read, found by role and kind.
struct Questions {
    primary: Option<usize>,
    contributing: Option<usize>,
    enps: Option<usize>,
    likert: Vec<usize>,
}

impl Questions {
    fn of(ds: &Dataset) -> Self {
        let qs = &ds.questionnaire.questions;
        let role = |r: Role| qs.iter().position(|q| q.role == Some(r));
        Questions {
            primary: role(Role::PrimaryReason),
            contributing: role(Role::ContributingReasons),
            enps: role(Role::Enps),
            likert: qs
                .iter()
                .enumerate()
                .filter(|(_, q)| matches!(q.kind, QuestionKind::Likert { .. }))
                .map(|(i, _)| i)
                .collect(),
        }
    }

    fn all(&self) -> impl Iterator<Item = usize> + '_ {
        self.primary
            .into_iter()
            .chain(self.contributing)
            .chain(self.enps)
            .chain(self.likert.iter().copied())
    }
}

fn option_ids(ds: &Dataset, q: usize) -> Vec<String> {
    match ds.questionnaire.questions.get(q).map(|q| &q.kind) {
        Some(
            QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options, .. },
        ) => options.iter().map(|o| o.id.clone()).collect(),
        _ => Vec::new(),
    }
}

impl Analysis {
    /// Runs the analysis of `dataset` under `policy`.
    pub fn run(dataset: &Dataset, policy: Policy, spec: &AnalysisSpec) -> Result<Analysis> {
        Self::run_with_ledger(dataset, policy, spec, None)
    }

    /// Runs the analysis with the cells published by the earlier releases in
    /// `ledger` counted as public.
    pub fn run_with_ledger(
        dataset: &Dataset,
        policy: Policy,
        spec: &AnalysisSpec,
        ledger: Option<&Ledger>,
    ) -> Result<Analysis> {
        Self::run_with(
            dataset,
            policy,
            spec,
            AnalysisInputs {
                ledger,
                ..AnalysisInputs::default()
            },
        )
    }

    /// Runs the analysis with optional inputs: a ledger of earlier
    /// releases, and headcount for turnover rates (the headcount must cover
    /// every quarter in which someone left).
    pub fn run_with(
        dataset: &Dataset,
        policy: Policy,
        spec: &AnalysisSpec,
        inputs: AnalysisInputs<'_>,
    ) -> Result<Analysis> {
        let ledger = inputs.ledger;
        spec.check()?;
        if let Some(h) = inputs.headcount {
            check_coverage(dataset, h)?;
        }
        let questions = Questions::of(dataset);
        let mut plan = ReleasePlan::new(dataset, policy);
        for (i, t) in spec.by.iter().enumerate() {
            plan = plan
                .table(t)
                .map_err(|e| e.at_argument(&format!("by[{i}]")))?;
        }
        if let Some(p) = spec.trend {
            plan = plan.table(&[p.dimension()])?;
        }
        for q in questions.all() {
            let id = &dataset.questionnaire.questions[q].id;
            plan = plan.distribution(id)?;
        }
        if let Some(l) = ledger {
            plan = plan.with_ledger(l);
        }
        // The drivers and survival times need no release: they are worked
        // out beside the cell model, whose atoms are found on one thread
        // (~8 ms at a million records; its counting is shared out itself).
        let (model, (drivers, times)) = crate::parallel::join(
            "analysis",
            || plan.model(),
            || {
                (
                    spec.drivers.then(|| drivers(dataset, &questions)),
                    inputs.stayers.map(|s| survival::times(dataset, s)),
                )
            },
        )?;
        // The release decision is serial; the tables' other counts are
        // made beside it.
        let (release, counts) = crate::parallel::join(
            "analysis",
            || plan.decide_on(&model, None),
            || Counts::of_tables(dataset, &questions, &model),
        )?;
        let table_of: Vec<usize> = model
            .tables
            .iter()
            .enumerate()
            .flat_map(|(t, range)| range.clone().map(move |_| t))
            .collect();
        let mut ctx = Context {
            dataset,
            spec,
            primary_ids: questions.primary.map(|q| option_ids(dataset, q)),
            contributing_ids: questions.contributing.map(|q| option_ids(dataset, q)),
            counts,
            first: model.tables.iter().map(|r| r.start).collect(),
            table_of,
            likert_totals: Vec::new(),
        };
        ctx.likert_totals = ctx
            .counts
            .first()
            .map(|whole| {
                whole
                    .likert
                    .iter()
                    .map(|(_, t)| {
                        let (counts, n) = t.row(0);
                        (counts.to_vec(), n)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ctx = ctx;
        let group = |c: usize, overall: bool| -> Result<GroupResult> {
            let cell = &release.cells[c];
            ctx.group(cell.key.clone(), cell.n, cell.withheld, c, overall)
        };
        let mut overall = group(0, true)?;
        if let Some(h) = inputs.headcount {
            overall.turnover = turnover(h, &overall, None, spec.confidence)?;
        }
        let mut breakdowns = Vec::with_capacity(spec.by.len());
        let mut findings = Vec::new();
        let overall_reasons = ctx.overall_reasons();
        for dims in &spec.by {
            let Some(t) = plan.table_index(dims) else {
                continue;
            };
            let range = model.tables[t].clone();
            // Each group's intervals, tests against the rest and findings
            // (a few hundred groups of a few dozen each), shared out over
            // the threads in one go. From 100,000 records: Fisher's exact
            // test walks more points the larger the counts (thousands per
            // table at a million records).
            let cells: Vec<usize> = range.clone().collect();
            let threaded = dataset.len >= crate::parallel::FROM_RECORDS;
            let headcount = match dims.as_slice() {
                [Dimension::OrgUnit] => inputs.headcount,
                _ => None,
            };
            let (groups, found): (Vec<GroupResult>, Vec<Vec<Finding>>) =
                crate::parallel::map("groups", &cells, threaded, &|&c| {
                    let mut g = group(c, false)?;
                    if let Some(h) = headcount {
                        g.turnover = turnover(h, &g, Some(&overall), spec.confidence)?;
                    }
                    let found = ctx.group_findings(&g, &overall_reasons);
                    Ok((g, found))
                })?
                .into_iter()
                .unzip();
            // Groups of one org tree level are disjoint; levels overlap.
            let mut levels: Vec<Option<u8>> = range.clone().map(|c| model.org_depth[c]).collect();
            levels.sort_unstable();
            levels.dedup();
            let mut reasons = Vec::new();
            let mut items = Vec::new();
            for level in levels {
                let released: Vec<usize> = range
                    .clone()
                    .filter(|&c| release.cells[c].n.is_some() && model.org_depth[c] == level)
                    .collect();
                let keys: Vec<CellKey> = released
                    .iter()
                    .map(|&c| release.cells[c].key.clone())
                    .collect();
                let (r, i) = ctx.across(level, keys, &released)?;
                reasons.extend(r);
                items.extend(i);
            }
            findings.extend(found.into_iter().flatten());
            breakdowns.push(Breakdown {
                by: dims.clone(),
                groups,
                reasons,
                items,
            });
        }
        let trends = match spec.trend {
            Some(period) => {
                let t = plan
                    .table_index(&[period.dimension()])
                    .map(|t| (t, model.tables[t].clone()));
                match t {
                    Some((t, range)) => Some(ctx.trends(period, t, range, &release)?),
                    None => None,
                }
            }
            None => None,
        };
        if let (Some(t), Some(n)) = (&trends, overall.n) {
            findings.extend(t.findings(n));
        }
        let survival = match &times {
            Some(times) => {
                let org_groups = breakdowns
                    .iter()
                    .find(|b| b.by == [Dimension::OrgUnit])
                    .map(|b| b.groups.as_slice())
                    .unwrap_or_default();
                survival::survival(times, &overall, org_groups, policy.k(), spec.confidence)?
            }
            None => None,
        };
        let texts: Vec<&str> = dataset
            .questionnaire
            .questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
            .map(|q| q.id.as_str())
            .collect();
        let default_redactor;
        let redactor = if let Some(r) = inputs.redactor {
            r
        } else {
            default_redactor = crate::privacy::Redactor::new(Vec::<String>::new())?;
            &default_redactor
        };
        let comments = if texts.is_empty() || !spec.comments {
            Vec::new()
        } else {
            comments::summarise(dataset, &release, &texts, redactor, spec.lang)?
        };
        // Counted whatever the release; shown only with the whole
        // organisation released.
        let drivers = match drivers {
            Some(drivers) if overall.n.is_some() => drivers?,
            _ => Vec::new(),
        };
        let p: Vec<f64> = findings.iter().map(|f: &Finding| f.p_value).collect();
        for (f, q) in findings.iter_mut().zip(multitest::benjamini_hochberg(&p)) {
            f.q_value = q;
            f.significant = q < spec.fdr;
        }
        findings.sort_by_cached_key(|f| crate::stats::total_order(f.p_value));
        Ok(Analysis {
            policy,
            audit: release.audit,
            overall,
            breakdowns,
            trends,
            survival,
            comments,
            drivers,
            insights: if spec.insights {
                insight::insights(dataset, &findings)?
            } else {
                Vec::new()
            },
            findings,
        })
    }
}

/// Answer counts of every cell of one table of the release.
struct Counts<'m> {
    primary: Option<Cow<'m, Tally>>,
    contributing: Option<Cow<'m, Tally>>,
    enps: Option<Cow<'m, Tally>>,
    likert: Vec<(usize, Cow<'m, Tally>)>,
    /// `[not early, early]`.
    early: Tally,
    /// `[no, yes]`.
    regrettable: Tally,
}

impl<'m> Counts<'m> {
    /// The counts of every table: the release decision's own tallies of the
    /// questions it decided on (the same numbers; counting them again cost
    /// ~0.1 s CPU at a million records), fresh ones for anything else.
    fn of_tables(
        dataset: &Dataset,
        questions: &Questions,
        model: &'m CellModel,
    ) -> Vec<Counts<'m>> {
        // Two per-record counts, side by side on two threads from 100,000
        // records (each is a pass over the records).
        let early = |of: &[u32], groups: usize| {
            Tally::of_records(2, of, groups, |i| {
                let (lo, hi) = (dataset.tenure_min[i], dataset.tenure_max[i]);
                if hi != TENURE_NONE && hi <= 12 {
                    Some(1)
                } else if lo != TENURE_NONE && lo >= 12 {
                    Some(0)
                } else {
                    None
                }
            })
        };
        let regrettable = |of: &[u32], groups: usize| {
            Tally::of_records(2, of, groups, |i| {
                dataset.regrettable[i].checked_sub(1).map(usize::from)
            })
        };
        let both = |which: &bool| -> Result<Vec<Tally>> {
            Ok(if *which {
                model.count_each_table(early)
            } else {
                model.count_each_table(regrettable)
            })
        };
        let parts: &[bool] =
            if dataset.len >= crate::parallel::FROM_RECORDS && crate::parallel::threads(2) == 2 {
                &[true, false]
            } else {
                &[]
            };
        let mut counted = crate::parallel::on_threads("analysis", parts, &both)
            .unwrap_or_default()
            .into_iter();
        let (early, regrettable) = match (counted.next(), counted.next()) {
            (Some(e), Some(r)) => (e, r),
            _ => (
                model.count_each_table(early),
                model.count_each_table(regrettable),
            ),
        };
        early
            .into_iter()
            .zip(regrettable)
            .enumerate()
            .map(|(table, (early, regrettable))| {
                Counts::of(dataset, questions, model, table, early, regrettable)
            })
            .collect()
    }

    /// The counts of `table`, given its early-leaver and regrettable tallies.
    fn of(
        dataset: &Dataset,
        questions: &Questions,
        model: &'m CellModel,
        table: usize,
        early: Tally,
        regrettable: Tally,
    ) -> Counts<'m> {
        // Only questions the release did not decide on need the records'
        // cells (none, in the analysis's own plan).
        let mut record_cells: Option<Vec<u32>> = None;
        let mut tally = |q: Option<usize>| -> Option<Cow<'m, Tally>> {
            let q = q?;
            if let Some(t) = model.tally(table, q) {
                Some(Cow::Borrowed(t))
            } else {
                let cells = record_cells.get_or_insert_with(|| model.record_cells(table));
                model
                    .count_question(dataset, table, q, cells)
                    .map(Cow::Owned)
            }
        };
        Counts {
            primary: tally(questions.primary),
            contributing: tally(questions.contributing),
            enps: tally(questions.enps),
            likert: questions
                .likert
                .iter()
                .filter_map(|&q| tally(Some(q)).map(|t| (q, t)))
                .collect(),
            early,
            regrettable,
        }
    }
}

struct Context<'a> {
    dataset: &'a Dataset,
    spec: &'a AnalysisSpec,
    primary_ids: Option<Vec<String>>,
    contributing_ids: Option<Vec<String>>,
    /// Per table of the release.
    counts: Vec<Counts<'a>>,
    /// Per table: its first cell.
    first: Vec<usize>,
    /// Per cell: its table.
    table_of: Vec<usize>,
    /// Per Likert question (as in `likert`): counts and answers of the whole organisation.
    likert_totals: Vec<(Vec<u64>, u64)>,
}

impl Context<'_> {
    /// The counts of cell `c`'s table and its row in them.
    fn at(&self, c: usize) -> Option<(&Counts<'_>, usize)> {
        let t = *self.table_of.get(c)?;
        Some((self.counts.get(t)?, c - self.first.get(t)?))
    }

    fn shares(
        tally: Option<&Tally>,
        ids: Option<&Vec<String>>,
        row: usize,
        confidence: f64,
    ) -> Result<Vec<Share>> {
        let (Some(tally), Some(ids)) = (tally, ids) else {
            return Ok(Vec::new());
        };
        let (counts, answered) = tally.row(row);
        ids.iter()
            .zip(counts)
            .map(|(id, &count)| {
                Ok(Share {
                    option: id.clone(),
                    count,
                    share: ratio(count, answered),
                    interval: if answered == 0 {
                        Interval::NAN
                    } else {
                        proportion::wilson(count, answered, confidence)?
                    },
                })
            })
            .collect()
    }

    fn group(
        &self,
        key: CellKey,
        n: Option<u64>,
        withheld: Option<Withheld>,
        c: usize,
        overall: bool,
    ) -> Result<GroupResult> {
        let mut g = GroupResult {
            key,
            n,
            withheld,
            primary_reasons: Vec::new(),
            contributing_reasons: Vec::new(),
            items: Vec::new(),
            enps: None,
            early_leavers: None,
            regrettable: None,
            turnover: None,
        };
        let (true, Some((counts, row))) = (n.is_some(), self.at(c)) else {
            return Ok(g);
        };
        let confidence = self.spec.confidence;
        g.early_leavers = proportion_of(&counts.early, row, confidence)?;
        g.regrettable = proportion_of(&counts.regrettable, row, confidence)?;
        g.primary_reasons = Self::shares(
            counts.primary.as_deref(),
            self.primary_ids.as_ref(),
            row,
            confidence,
        )?;
        g.contributing_reasons = Self::shares(
            counts.contributing.as_deref(),
            self.contributing_ids.as_ref(),
            row,
            confidence,
        )?;
        if let Some(t) = &counts.enps
            && t.width == 11
            && t.row(row).0.iter().sum::<u64>() > 0
        {
            g.enps = Some(enps::enps(t.row(row).0, confidence)?);
        }
        for ((q, tally), (total, total_n)) in counts.likert.iter().zip(&self.likert_totals) {
            let (counts, answered) = tally.row(row);
            if answered == 0 {
                continue;
            }
            let question = &self.dataset.questionnaire.questions[*q];
            // The rest of the organisation by subtraction: exact counts, and
            // one pass over the group's atoms instead of over all the others.
            let rest: Vec<u64> = total
                .iter()
                .zip(counts)
                .map(|(t, c)| t.saturating_sub(*c))
                .collect();
            let rest_n = total_n.saturating_sub(answered);
            let (rest_mean, vs_rest) = if overall || rest_n == 0 {
                (None, None)
            } else {
                (
                    Some(mean::from_level_counts(&rest, 1.0, self.spec.confidence)?.mean),
                    Some(rank::mann_whitney(counts, &rest)?),
                )
            };
            g.items.push(ItemScore {
                question: question.id.clone(),
                theme: question.theme,
                mean: mean::from_level_counts(counts, 1.0, self.spec.confidence)?,
                rest_mean,
                vs_rest,
            });
        }
        Ok(g)
    }

    fn across(
        &self,
        level: Option<u8>,
        groups: Vec<CellKey>,
        released: &[usize],
    ) -> Result<(Option<Association>, Vec<ItemComparison>)> {
        // The released cells of one table: their rows in its counts.
        let rows: Vec<usize> = released
            .iter()
            .filter_map(|&c| self.at(c).map(|(_, r)| r))
            .collect();
        let Some((counts, _)) = released.first().and_then(|&c| self.at(c)) else {
            return Ok((None, Vec::new()));
        };
        if rows.len() < 2 {
            return Ok((None, Vec::new()));
        }
        let reasons = match &counts.primary {
            Some(tally) => {
                let table: Vec<Vec<u64>> = rows.iter().map(|&r| tally.row(r).0.to_vec()).collect();
                let chi = contingency::chi_square(&table)?;
                let cells = chi.expected.iter().flatten().filter(|&&e| e > 0.0).count();
                let small = chi
                    .expected
                    .iter()
                    .flatten()
                    .filter(|&&e| e > 0.0 && e < 5.0)
                    .count();
                Some(Association {
                    level,
                    groups,
                    residuals: contingency::adjusted_residuals(&table)?,
                    small_expected: small * 5 > cells,
                    chi_square: chi,
                })
            }
            None => None,
        };
        let items = counts
            .likert
            .iter()
            .map(|(q, tally)| {
                let table: Vec<Vec<u64>> = rows.iter().map(|&r| tally.row(r).0.to_vec()).collect();
                Ok(ItemComparison {
                    level,
                    question: self.dataset.questionnaire.questions[*q].id.clone(),
                    kruskal_wallis: rank::kruskal_wallis(&table)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((reasons, items))
    }

    /// The findings of group `g` against the rest of the organisation.
    fn group_findings(&self, g: &GroupResult, overall_reasons: &[u64]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(n) = g.n.filter(|&n| n >= self.spec.min_test_group) else {
            return out;
        };
        let answered: u64 = g.primary_reasons.iter().map(|s| s.count).sum();
        let all_answered: u64 = overall_reasons.iter().sum();
        for (s, &all) in g.primary_reasons.iter().zip(overall_reasons) {
            let rest = all.saturating_sub(s.count);
            let rest_answered = all_answered.saturating_sub(answered);
            if rest_answered == 0 || all == 0 {
                continue;
            }
            let table = [[s.count, answered - s.count], [rest, rest_answered - rest]];
            // Fisher's exact test for every cell, not only sparse ones:
            // BH needs p-values around 1e-5 and below, where Pearson's
            // chi-square is far too small once an expected count is in
            // the single digits (the planted-pattern study's null
            // organisations showed 4 in 20 with a false insight).
            let fisher = contingency::fisher_exact(table);
            let (test, p) = ("fisher_exact", fisher.p_value);
            if p.is_nan() {
                continue;
            }
            out.push(Finding {
                key: g.key.clone(),
                n,
                kind: FindingKind::Reason {
                    option: s.option.clone(),
                    share: s.share,
                    rest_share: ratio(rest, rest_answered),
                    odds_ratio: fisher.odds_ratio,
                },
                test,
                p_value: p,
                q_value: f64::NAN,
                significant: false,
            });
        }
        if let Some(t) = &g.turnover
            && let (Some(rr), Some(rest_rate)) = (t.vs_rest, t.rest_rate)
            && !rr.p_value.is_nan()
        {
            out.push(Finding {
                key: g.key.clone(),
                n,
                kind: FindingKind::Turnover {
                    rate: t.rate,
                    rest_rate,
                    ratio: rr.ratio,
                },
                test: "rate_ratio",
                p_value: rr.p_value,
                q_value: f64::NAN,
                significant: false,
            });
        }
        for item in &g.items {
            let (Some(mw), Some(rest_mean)) = (item.vs_rest, item.rest_mean) else {
                continue;
            };
            if mw.p_value.is_nan() {
                continue;
            }
            out.push(Finding {
                key: g.key.clone(),
                n,
                kind: FindingKind::Item {
                    question: item.question.clone(),
                    mean: item.mean.mean,
                    rest_mean,
                    rank_biserial: mw.rank_biserial,
                },
                test: "mann_whitney",
                p_value: mw.p_value,
                q_value: f64::NAN,
                significant: false,
            });
        }
        out
    }

    fn overall_reasons(&self) -> Vec<u64> {
        self.at(0)
            .and_then(|(counts, row)| counts.primary.as_ref().map(|t| t.row(row).0.to_vec()))
            .unwrap_or_default()
    }
}

/// The share of `[no, yes]` counts that say yes in `row`.
fn proportion_of(tally: &Tally, row: usize, confidence: f64) -> Result<Option<Proportion>> {
    let (counts, n) = tally.row(row);
    let count = counts.get(1).copied().unwrap_or(0);
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(Proportion {
        count,
        n,
        share: ratio(count, n),
        interval: proportion::wilson(count, n, confidence)?,
    }))
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        stats::f(a) / stats::f(b)
    }
}

/// A period of a trend: released or withheld.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodPoint {
    /// The period (`2024-Q1`, `2024`).
    pub label: String,
    /// Exits in it, when released.
    pub n: Option<u64>,
    /// Why it is withheld, when it is.
    pub withheld: Option<Withheld>,
}

/// A primary reason's share over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonTrend {
    /// The reason's option id.
    pub option: String,
    /// Share per period (`None` for withheld periods).
    pub shares: Vec<Option<f64>>,
    /// Cochran-Armitage test over the released periods, scored by their
    /// position on the time line (so gaps keep their width).
    pub test: stats::trend::TrendTest,
    /// Share in the first half of the released periods.
    pub first_share: f64,
    /// Share in the second half.
    pub second_share: f64,
}

/// A Likert item's mean over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemTrend {
    /// The question's id.
    pub question: String,
    /// Mean per period (`None` for withheld periods or no answers).
    pub means: Vec<Option<f64>>,
    /// Mann-Kendall test on the released periods' means.
    pub test: stats::trend::MannKendall,
    /// Mean in the first half of the released periods.
    pub first_mean: f64,
    /// Mean in the second half.
    pub second_mean: f64,
}

/// Trends over exit periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    /// Quarters or years.
    pub period: Period,
    /// Every period with exits, in order.
    pub periods: Vec<PeriodPoint>,
    /// One per primary reason.
    pub reasons: Vec<ReasonTrend>,
    /// One per Likert item.
    pub items: Vec<ItemTrend>,
}

impl Trends {
    fn findings(&self, n: u64) -> Vec<Finding> {
        let whole = CellKey(Vec::new());
        let reasons = self
            .reasons
            .iter()
            .filter(|r| !r.test.p_value.is_nan())
            .map(|r| Finding {
                key: whole.clone(),
                n,
                kind: FindingKind::ReasonTrend {
                    option: r.option.clone(),
                    first_share: r.first_share,
                    second_share: r.second_share,
                    z: r.test.z,
                },
                test: "cochran_armitage",
                p_value: r.test.p_value,
                q_value: f64::NAN,
                significant: false,
            });
        let items = self
            .items
            .iter()
            .filter(|i| !i.test.p_value.is_nan())
            .map(|i| Finding {
                key: whole.clone(),
                n,
                kind: FindingKind::ItemTrend {
                    question: i.question.clone(),
                    first_mean: i.first_mean,
                    second_mean: i.second_mean,
                    tau: i.test.tau,
                },
                test: "mann_kendall",
                p_value: i.test.p_value,
                q_value: f64::NAN,
                significant: false,
            });
        reasons.chain(items).collect()
    }
}

impl Context<'_> {
    fn trends(
        &self,
        period: Period,
        table: usize,
        range: std::ops::Range<usize>,
        release: &crate::privacy::Release,
    ) -> Result<Trends> {
        let periods: Vec<PeriodPoint> = range
            .clone()
            .map(|c| PeriodPoint {
                label: release.cells[c]
                    .key
                    .0
                    .first()
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                n: release.cells[c].n,
                withheld: release.cells[c].withheld,
            })
            .collect();
        // (period index, row in the table's counts) of each released period.
        let released: Vec<(usize, usize)> = range
            .clone()
            .enumerate()
            .filter(|(_, c)| release.cells[*c].n.is_some())
            .filter_map(|(i, c)| self.at(c).map(|(_, row)| (i, row)))
            .collect();
        let Some(counts) = self.counts.get(table) else {
            return Err(Error::argument(
                "trend",
                "the release has no table of periods",
            ));
        };
        let half = released.len() / 2;
        let (first, second) = released.split_at(half);
        let scores: Vec<f64> = released.iter().map(|&(i, _)| stats::f(i as u64)).collect();
        let mut reasons = Vec::new();
        if let (Some(tally), Some(ids)) = (&counts.primary, &self.primary_ids) {
            let per: Vec<(&[u64], u64)> = released.iter().map(|&(_, r)| tally.row(r)).collect();
            let totals: Vec<u64> = per.iter().map(|(_, n)| *n).collect();
            let sum = |part: &[(usize, usize)], o: usize| -> (u64, u64) {
                part.iter().fold((0, 0), |(x, n), &(_, r)| {
                    let (counts, answered) = tally.row(r);
                    (x + counts.get(o).copied().unwrap_or(0), n + answered)
                })
            };
            for (o, id) in ids.iter().enumerate() {
                let successes: Vec<u64> = per
                    .iter()
                    .map(|(counts, _)| counts.get(o).copied().unwrap_or(0))
                    .collect();
                let mut shares = vec![None; periods.len()];
                for (&(i, _), (counts, n)) in released.iter().zip(&per) {
                    shares[i] = Some(ratio(counts.get(o).copied().unwrap_or(0), *n));
                }
                let (x1, n1) = sum(first, o);
                let (x2, n2) = sum(second, o);
                reasons.push(ReasonTrend {
                    option: id.clone(),
                    shares,
                    test: stats::trend::cochran_armitage(&successes, &totals, &scores)?,
                    first_share: ratio(x1, n1),
                    second_share: ratio(x2, n2),
                });
            }
        }
        let mut items = Vec::new();
        for (q, tally) in &counts.likert {
            let mut means = vec![None; periods.len()];
            let mut series = Vec::new();
            for &(i, r) in &released {
                let (counts, n) = tally.row(r);
                if n > 0 {
                    let m = mean::from_level_counts(counts, 1.0, self.spec.confidence)?.mean;
                    means[i] = Some(m);
                    series.push(m);
                }
            }
            let half_mean = |part: &[(usize, usize)]| -> Result<f64> {
                let mut total = vec![0u64; tally.width];
                for &(_, r) in part {
                    for (t, x) in total.iter_mut().zip(tally.row(r).0) {
                        *t += x;
                    }
                }
                Ok(mean::from_level_counts(&total, 1.0, self.spec.confidence)?.mean)
            };
            items.push(ItemTrend {
                question: self.dataset.questionnaire.questions[*q].id.clone(),
                means,
                test: stats::trend::mann_kendall(&series)?,
                first_mean: half_mean(first)?,
                second_mean: half_mean(second)?,
            });
        }
        Ok(Trends {
            period,
            periods,
            reasons,
            items,
        })
    }
}

/// A Likert item's rank correlation with eNPS or with "would return".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// The Likert item's id.
    pub question: String,
    /// Its theme.
    pub theme: Option<Theme>,
    /// `enps` or `would_return`.
    pub target: &'static str,
    /// Spearman correlation over respondents who answered both.
    pub spearman: stats::correlation::Spearman,
}

/// Drivers over the whole organisation (released as a whole).
fn drivers(dataset: &Dataset, questions: &Questions) -> Result<Vec<Driver>> {
    // Items shared out over the machine's threads from 100,000 records.
    drivers_on(
        dataset,
        questions,
        dataset.len >= crate::parallel::FROM_RECORDS,
    )
}

/// [`drivers`] with the items shared out over the threads when `threaded`;
/// the drivers come back in item order either way.
fn drivers_on(dataset: &Dataset, questions: &Questions, threaded: bool) -> Result<Vec<Driver>> {
    use crate::dataset::{AnswerColumn, LIKERT_NA, RATING_NONE};
    // A target's level for a record without an answer.
    const NONE: u16 = u16::MAX;
    let qs = &dataset.questionnaire.questions;
    let would_return = qs.iter().position(|q| q.role == Some(Role::WouldReturn));
    // Each target's level per record, decoded once instead of through a
    // closure per item and record.
    let target = |t: Option<usize>| -> Option<(usize, Vec<u16>)> {
        let t = t?;
        match &dataset.answers[t] {
            AnswerColumn::Rating(v) => {
                let (min, max) = match &qs[t].kind {
                    QuestionKind::Rating { min, max, .. } => (*min, *max),
                    _ => (0, 10),
                };
                let levels = v
                    .iter()
                    .map(|&r| {
                        if r == RATING_NONE {
                            NONE
                        } else {
                            u16::from(r.saturating_sub(min))
                        }
                    })
                    .collect();
                Some((usize::from(max.saturating_sub(min)) + 1, levels))
            }
            AnswerColumn::YesNo(v) => Some((
                2,
                v.iter()
                    .map(|&x| x.checked_sub(1).map_or(NONE, u16::from))
                    .collect(),
            )),
            _ => None,
        }
    };
    let targets: Vec<(&'static str, usize, Vec<u16>)> = [
        ("enps", target(questions.enps)),
        ("would_return", target(would_return)),
    ]
    .into_iter()
    .filter_map(|(name, t)| t.map(|(levels, y)| (name, levels, y)))
    .collect();
    // Both targets in one code per record (a target's missing answer is a
    // level of its own), so each item takes one pass over the records for
    // both tables rather than one per target; the tables come out of the
    // joint counts by summing over the other target.
    let mut strides = Vec::with_capacity(targets.len());
    let mut joint_levels = 1usize;
    for (_, levels, _) in &targets {
        strides.push(joint_levels);
        joint_levels = joint_levels.saturating_mul(levels + 1);
    }
    let mut joint = vec![0u32; dataset.len];
    for ((_, levels, y), &stride) in targets.iter().zip(&strides) {
        for (j, &y) in joint.iter_mut().zip(y) {
            let level = if y == NONE || usize::from(y) >= *levels {
                *levels
            } else {
                usize::from(y)
            };
            *j += u32::try_from(level * stride).unwrap_or(0);
        }
    }
    // One item's drivers (a pass over the records for both targets).
    let of_item = |item: usize| -> Result<Vec<Driver>> {
        let AnswerColumn::Likert(x) = &dataset.answers[item] else {
            return Ok(Vec::new());
        };
        let QuestionKind::Likert { scale, .. } = &qs[item].kind else {
            return Ok(Vec::new());
        };
        let width = scale.len();
        // Where each stored answer's counts start; unanswered, "not
        // applicable" and out-of-scale answers count in a spare last row.
        let spare = width * joint_levels;
        let mut start = [spare; 256];
        for (a, s) in start.iter_mut().enumerate().take(width + 1).skip(1) {
            if a != usize::from(LIKERT_NA) {
                *s = (a - 1) * joint_levels;
            }
        }
        let mut counts = vec![0u64; spare + joint_levels];
        for (&a, &j) in x.iter().zip(&joint) {
            if let Some(c) = counts.get_mut(start[usize::from(a)] + j as usize) {
                *c += 1;
            }
        }
        let mut out = Vec::with_capacity(targets.len());
        for ((name, levels, _), &stride) in targets.iter().zip(&strides) {
            let mut table = vec![vec![0u64; *levels]; width];
            for (r, row) in table.iter_mut().enumerate() {
                let from = r * joint_levels;
                for (j, &c) in counts[from..from + joint_levels].iter().enumerate() {
                    let level = j / stride % (levels + 1);
                    if let Some(cell) = row.get_mut(level) {
                        *cell += c;
                    }
                }
            }
            out.push(Driver {
                question: qs[item].id.clone(),
                theme: qs[item].theme,
                target: name,
                spearman: stats::correlation::spearman(&table)?,
            });
        }
        Ok(out)
    };
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let per_item = crate::parallel::map("drivers", &questions.likert, threaded, &|&item| {
        of_item(item)
    })?;
    Ok(per_item.into_iter().flatten().collect())
}

/// Every quarter with an exit must have headcount, or rates would divide
/// exits by too little exposure.
fn check_coverage(dataset: &Dataset, headcount: &Headcount) -> Result<()> {
    // A few hundred distinct months among a million exits: each looked up once.
    let mut known: rustc_hash::FxHashMap<(i32, u8), bool> = rustc_hash::FxHashMap::default();
    for i in 0..dataset.len {
        let (y, m) = (i32::from(dataset.exit_year[i]), dataset.exit_month[i]);
        if y == 0 {
            continue;
        }
        let covered = *known.entry((y, m)).or_insert_with(|| {
            if m == 0 {
                (1..=4).any(|q| headcount.covers(y, q))
            } else {
                headcount.covers(y, (m - 1) / 3 + 1)
            }
        });
        if !covered {
            let span = headcount
                .span()
                .map(|((y0, q0), (y1, q1))| format!("{y0}-Q{q0} to {y1}-Q{q1}"))
                .unwrap_or_default();
            let when = if m == 0 {
                y.to_string()
            } else {
                format!("{y}-Q{}", (m - 1) / 3 + 1)
            };
            return Err(Error::argument(
                "headcount",
                format!("the headcount covers {span}, but there are exits in {when}"),
            ));
        }
    }
    Ok(())
}

/// The turnover of a released group (org unit or the whole organisation).
fn turnover(
    headcount: &Headcount,
    g: &GroupResult,
    overall: Option<&GroupResult>,
    confidence: f64,
) -> Result<Option<Turnover>> {
    let Some(exits) = g.n else { return Ok(None) };
    let path: Vec<String> = match g.key.0.as_slice() {
        [] => Vec::new(),
        [(Dimension::OrgUnit, label)] => label.split('/').map(str::to_owned).collect(),
        _ => return Ok(None),
    };
    let person_years = headcount.person_years(&path);
    if person_years <= 0.0 {
        return Ok(None);
    }
    let mut t = Turnover {
        exits,
        person_years,
        rate: stats::f(exits) / person_years,
        interval: stats::rate::poisson_interval(exits, person_years, confidence)?,
        rest_rate: None,
        vs_rest: None,
    };
    if let Some(all) = overall.and_then(|o| o.n) {
        let rest_py = headcount.person_years(&[]) - person_years;
        let rest = all.saturating_sub(exits);
        if rest_py > 0.0 {
            t.rest_rate = Some(stats::f(rest) / rest_py);
            t.vs_rest = Some(stats::rate::rate_ratio(
                exits,
                person_years,
                rest,
                rest_py,
                confidence,
            )?);
        }
    }
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{OrgConfig, generate};

    /// Items shared out over threads give the drivers of one thread, in
    /// the same order (`drivers_equal_spearman_on_the_raw_answer_pairs`
    /// checks the one-thread numbers against the records).
    #[test]
    fn drivers_on_threads_equal_one_thread() {
        let org = generate(&OrgConfig {
            exits: 3000,
            seed: 5,
            ..OrgConfig::default()
        })
        .unwrap();
        let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let questions = Questions::of(&ds);
        let one = drivers_on(&ds, &questions, false).unwrap();
        assert_eq!(one.len(), 20);
        assert_eq!(drivers_on(&ds, &questions, true).unwrap(), one);
    }
}
