//! The cell model: every number a release can contain belongs to a cell of
//! respondents (an org unit at any level, a value of a dimension, a crossing
//! of two). A [`ReleasePlan`] lists the tables of one release; deciding it
//! applies primary suppression (small, empty and homogeneous cells) and
//! secondary suppression over all tables at once, and sets the stricter
//! pattern for comments.

use std::collections::HashMap;
use std::fmt;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::ledger::{Ledger, dataset_fingerprint};
use super::suppression::{Hidden, restrict, spanning_atoms, suppress};
use super::{Budget, CellNoise, DiscreteLaplace, Policy, Redactor};
use crate::dataset::{AnswerColumn, Codes, DictColumn};
use crate::parallel::{interleaved, on_threads, threads};
use crate::tally::Tally;
use crate::{Dataset, Error, Lang, Result};

/// A way to group respondents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Org unit, at every level of the tree.
    OrgUnit,
    /// Job family.
    JobFamily,
    /// Manager (pseudonymous).
    Manager,
    /// Location.
    Location,
    /// Tenure band.
    TenureBand,
    /// Age band.
    AgeBand,
    /// Exit type.
    ExitType,
    /// Who held the interview.
    Interviewer,
    /// Year of exit.
    ExitYear,
    /// Quarter of exit (`2024-Q1`).
    ExitQuarter,
    /// Month of exit (`2024-05`).
    ExitMonth,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 11] = [
        Dimension::OrgUnit,
        Dimension::JobFamily,
        Dimension::Manager,
        Dimension::Location,
        Dimension::TenureBand,
        Dimension::AgeBand,
        Dimension::ExitType,
        Dimension::Interviewer,
        Dimension::ExitYear,
        Dimension::ExitQuarter,
        Dimension::ExitMonth,
    ];

    /// The dimension's name for a reader.
    pub fn label(self, lang: Lang) -> &'static str {
        let (en, nl) = match self {
            Dimension::OrgUnit => ("Org unit", "Organisatie-eenheid"),
            Dimension::JobFamily => ("Job family", "Functiegroep"),
            Dimension::Manager => ("Manager", "Leidinggevende"),
            Dimension::Location => ("Location", "Locatie"),
            Dimension::TenureBand => ("Tenure", "Diensttijd"),
            Dimension::AgeBand => ("Age", "Leeftijd"),
            Dimension::ExitType => ("Exit type", "Soort vertrek"),
            Dimension::Interviewer => ("Interviewer", "Interviewer"),
            Dimension::ExitYear => ("Year", "Jaar"),
            Dimension::ExitQuarter => ("Quarter", "Kwartaal"),
            Dimension::ExitMonth => ("Month", "Maand"),
        };
        match lang {
            Lang::En => en,
            Lang::Nl => nl,
        }
    }

    /// The snake-case name used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Dimension::OrgUnit => "org_unit",
            Dimension::JobFamily => "job_family",
            Dimension::Manager => "manager",
            Dimension::Location => "location",
            Dimension::TenureBand => "tenure_band",
            Dimension::AgeBand => "age_band",
            Dimension::ExitType => "exit_type",
            Dimension::Interviewer => "interviewer",
            Dimension::ExitYear => "exit_year",
            Dimension::ExitQuarter => "exit_quarter",
            Dimension::ExitMonth => "exit_month",
        }
    }
}

impl std::str::FromStr for Dimension {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned()))
            .map_err(|_| Error::argument("dimension", format!("unknown dimension {s:?}")))
    }
}

/// Which respondents a cell holds: a value for each of its table's dimensions
/// (none for the whole organisation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellKey(pub Vec<(Dimension, String)>);

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(all)");
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(d, v)| format!("{}={v}", d.id()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// Why a cell is withheld. Deliberately coarse: an audit must not tell an
/// empty cell from a small one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// Fewer than `k` respondents (or none).
    Primary,
    /// All, or all but one, gave the same answer to a question of the release.
    Homogeneous,
    /// Withheld so that a primary or homogeneous cell cannot be computed from the rest.
    Secondary,
}

/// The decision for one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellDecision {
    /// The cell.
    pub key: CellKey,
    /// The number of respondents, present only when the cell is released.
    pub n: Option<u64>,
    /// Why the cell is withheld, when it is.
    pub withheld: Option<Withheld>,
    /// Whether comments of this cell may be shown (a stricter threshold, and
    /// its own secondary suppression: comment lists are set differences too).
    pub comments: bool,
}

/// What a release withheld and why, without any withheld value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// Cells considered.
    pub cells: usize,
    /// Cells released.
    pub released: usize,
    /// Withheld for being small or empty.
    pub primary: usize,
    /// Withheld for a homogeneous answer distribution.
    pub homogeneous: usize,
    /// Withheld to protect the others.
    pub secondary: usize,
    /// Released cells whose comments are withheld (comment threshold or protection).
    pub comments_withheld: usize,
}

/// The decided release: every cell, and the audit.
///
/// Only [`ReleasePlan::decide`] makes one (it is serialisable but not
/// deserialisable), so a release handed to [`Release::comments`] or
/// [`Ledger::record`] is one the privacy layer decided, on that data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// The policy it was decided under.
    pub policy: Policy,
    /// Every cell of every table, in table order.
    pub cells: Vec<CellDecision>,
    /// Counts of withheld cells by reason.
    pub audit: Audit,
    /// The noise added to counts, when the release is differentially private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseInfo>,
    #[serde(skip)]
    pub(crate) fingerprint: u64,
}

/// How a differentially private release was noised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NoiseInfo {
    /// The privacy loss charged for the release.
    pub epsilon: f64,
    /// The discrete Laplace scale of the noise on each count.
    pub scale: f64,
}

impl Release {
    /// The decision for `key`, if the release has that cell.
    pub fn cell(&self, key: &CellKey) -> Option<&CellDecision> {
        self.cells.iter().find(|c| &c.key == key)
    }

    /// The cells whose comments may be shown (positions in `cells`) and an
    /// index of their members: what [`Release::comments`] decides per cell,
    /// for all cells at once.
    pub(crate) fn comment_cells(&self, dataset: &Dataset) -> Result<(Vec<usize>, CellIndex)> {
        if self.fingerprint != dataset_fingerprint(dataset) {
            return Err(Error::argument(
                "dataset",
                "the release was decided on another data set",
            ));
        }
        let shown: Vec<usize> = (0..self.cells.len())
            .filter(|&c| self.cells[c].comments && self.cells[c].n.is_some())
            .collect();
        let keys: Vec<&CellKey> = shown.iter().map(|&c| &self.cells[c].key).collect();
        Ok((shown, CellIndex::new(dataset, &keys)))
    }

    /// The comments on `question` of the people in cell `key`, redacted by
    /// `redactor`, or `None` when the release withholds that cell's comments
    /// (fewer than the comment threshold, or protecting another cell).
    ///
    /// The list is sorted by its redacted text, so its order says nothing
    /// about who answered first, and it carries no dates.
    ///
    /// ```
    /// use exitcore::{Dataset, Lang, privacy::{CellKey, Policy, ReleasePlan, Redactor}};
    /// use exitcore::synthetic::{OrgConfig, generate};
    /// let org = generate(&OrgConfig { exits: 300, ..OrgConfig::default() }).unwrap();
    /// let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    /// let release = ReleasePlan::new(&ds, Policy::default()).decide();
    /// let all = CellKey(vec![]);
    /// let comments = release
    ///     .comments(&ds, &all, "comment_leadership", &Redactor::new(["Jan de Vries"]).unwrap(), Lang::En)
    ///     .unwrap()
    ///     .unwrap();
    /// assert!(comments.windows(2).all(|w| w[0] <= w[1]));
    /// ```
    pub fn comments(
        &self,
        dataset: &Dataset,
        key: &CellKey,
        question: &str,
        redactor: &Redactor,
        lang: Lang,
    ) -> Result<Option<Vec<String>>> {
        if self.fingerprint != dataset_fingerprint(dataset) {
            return Err(Error::argument(
                "dataset",
                "the release was decided on another data set",
            ));
        }
        let cell = self
            .cell(key)
            .ok_or_else(|| Error::argument("key", format!("the release has no cell {key}")))?;
        let q = dataset.question_index(question)?;
        let AnswerColumn::Text(texts) = &dataset.answers[q] else {
            return Err(Error::argument(
                "question",
                format!("{question:?} is not a free-text question"),
            ));
        };
        if !cell.comments || cell.n.is_none() {
            return Ok(None);
        }
        let members = CellIndex::new(dataset, &[key]);
        let mut scratch = Vec::new();
        let mut out: Vec<String> = texts
            .iter()
            .filter(|(row, _)| {
                let mut holds = false;
                members.for_each_cell(*row as usize, &mut scratch, |_| holds = true);
                holds
            })
            .map(|(_, t)| redactor.redact(t, lang))
            .filter(|t| !t.trim().is_empty())
            .collect();
        out.sort_unstable();
        Ok(Some(out))
    }
}

/// The cells of many keys at once: for each record, which of them hold it.
/// Built in one pass per dimension instead of one per key, so finding the
/// members of every cell of a release costs O(records x tables), not
/// O(records x cells).
pub(crate) struct CellIndex {
    /// Per shape (org unit or not, and the other dimensions in key order):
    /// the codes columns and the cells by (org node, codes).
    shapes: Vec<Shape>,
    parents: Vec<u32>,
    leaf: Vec<u32>,
    /// The codes of each dimension the keys name, once however many
    /// shapes use it, and its radix (labels + 1).
    columns: Vec<(Codes, u64)>,
}

struct Shape {
    org: bool,
    /// Indices into `columns`, in key order.
    codes: Vec<usize>,
    cells: FxHashMap<(u32, Vec<u32>), Vec<usize>>,
}

impl CellIndex {
    /// An index of `keys` (cell `i` is `keys[i]`); keys naming a unit or a
    /// label the data set does not have hold nobody.
    pub(crate) fn new(dataset: &Dataset, keys: &[&CellKey]) -> Self {
        let plan = ReleasePlan::new(dataset, Policy::default());
        let org = &dataset.org;
        let mut nodes: HashMap<String, u32> = HashMap::new();
        let mut codes: HashMap<Dimension, (Codes, HashMap<String, u32>)> = HashMap::new();
        let mut shapes: Vec<Shape> = Vec::new();
        let mut shape_of: HashMap<(bool, Vec<Dimension>), usize> = HashMap::new();
        // The dimensions in order of first use: a shape's columns by index.
        let mut order: Vec<Dimension> = Vec::new();
        let column_of = |d: Dimension, order: &mut Vec<Dimension>| {
            order.iter().position(|&o| o == d).unwrap_or_else(|| {
                order.push(d);
                order.len() - 1
            })
        };
        for (i, key) in keys.iter().enumerate() {
            let has_org = key.0.iter().any(|(d, _)| *d == Dimension::OrgUnit);
            let dims: Vec<Dimension> = key
                .0
                .iter()
                .map(|(d, _)| *d)
                .filter(|d| *d != Dimension::OrgUnit)
                .collect();
            let mut node = u32::MAX;
            let mut wanted = Vec::with_capacity(dims.len());
            let mut empty = false;
            for (d, label) in &key.0 {
                if *d == Dimension::OrgUnit {
                    if nodes.is_empty() {
                        nodes = (0..org.names.len())
                            .filter_map(|n| u32::try_from(n).ok())
                            .map(|n| (org.path(n).join("/"), n))
                            .collect();
                    }
                    match nodes.get(label) {
                        Some(&n) => node = n,
                        None => empty = true,
                    }
                } else {
                    let (_, labels) = codes.entry(*d).or_insert_with(|| {
                        let c = plan.codes(*d);
                        let labels = c
                            .labels
                            .iter()
                            .enumerate()
                            .map(|(p, l)| (l.clone(), u32::try_from(p + 1).unwrap_or(0)))
                            .collect();
                        (c.codes.into_owned(), labels)
                    });
                    match labels.get(label) {
                        Some(&c) => wanted.push(c),
                        None => empty = true,
                    }
                }
            }
            if empty {
                continue;
            }
            let s = *shape_of.entry((has_org, dims.clone())).or_insert_with(|| {
                shapes.push(Shape {
                    org: has_org,
                    codes: dims.iter().map(|d| column_of(*d, &mut order)).collect(),
                    cells: FxHashMap::default(),
                });
                shapes.len() - 1
            });
            shapes[s].cells.entry((node, wanted)).or_default().push(i);
        }
        let columns: Vec<(Codes, u64)> = order
            .iter()
            .filter_map(|d| codes.remove(d))
            .map(|(c, labels)| (c, labels.len() as u64 + 1))
            .collect();
        CellIndex {
            shapes,
            parents: org.parents.clone(),
            leaf: org.leaf.clone(),
            columns,
        }
    }

    /// Calls `f` with every cell that holds record `row`; `scratch` is
    /// working space, so a caller asking for every record allocates once.
    pub(crate) fn for_each_cell(
        &self,
        row: usize,
        scratch: &mut Vec<u32>,
        mut f: impl FnMut(usize),
    ) {
        for shape in &self.shapes {
            self.shape_cells(shape, row, scratch, &mut f);
        }
    }

    /// The cells of one shape that hold record `row`: the record's own
    /// cell, and with an org unit those of the unit's ancestors.
    fn shape_cells(
        &self,
        shape: &Shape,
        row: usize,
        scratch: &mut Vec<u32>,
        f: &mut impl FnMut(usize),
    ) {
        let mut wanted = std::mem::take(scratch);
        wanted.clear();
        wanted.extend(shape.codes.iter().map(|&c| {
            self.columns
                .get(c)
                .and_then(|(c, _)| c.get(row))
                .unwrap_or(0)
        }));
        let mut key = (u32::MAX, wanted);
        if shape.org {
            let mut at = self.leaf.get(row).copied().unwrap_or(u32::MAX);
            while (at as usize) < self.parents.len() {
                key.0 = at;
                for &c in shape.cells.get(&key).map_or(&[][..], Vec::as_slice) {
                    f(c);
                }
                at = self.parents[at as usize];
            }
        } else {
            for &c in shape.cells.get(&key).map_or(&[][..], Vec::as_slice) {
                f(c);
            }
        }
        *scratch = key.1;
    }

    /// Record `row`'s leaf unit (with an org unit) and codes in the
    /// shape's columns, packed (mixed radix): records with the same key
    /// are in the same cells of the shape. `None` when keys do not fit.
    fn packed(&self, shape: &Shape, row: usize) -> Option<u64> {
        let units = self.parents.len() as u64 + 1;
        let start = if shape.org {
            let leaf = self.leaf.get(row).map_or(u64::MAX, |&l| u64::from(l));
            leaf.min(units - 1)
        } else {
            0
        };
        // A code past its radix (none should be) would alias another
        // key: such a record takes the long way instead.
        shape.codes.iter().try_fold(start, |key, &col| {
            let (codes, radix) = self.columns.get(col)?;
            let c = u64::from(codes.get(row)?);
            (c < *radix).then_some(())?;
            key.checked_mul(*radix)?.checked_add(c)
        })
    }
}

/// [`CellIndex::for_each_cell`] remembered per shape by record values: a
/// shape's records share a few hundred or thousand combinations of unit
/// and codes, so a record costs one `u64` lookup per shape instead of one
/// per shape and org level, each with a `Vec` key. (Whole records share
/// few combinations only without fine dimensions such as the manager, so
/// the memo is per shape.)
pub(crate) struct CellMemo<'i> {
    index: &'i CellIndex,
    /// Per shape: packed key -> range of `cells`.
    seen: Vec<FxHashMap<u64, (u32, u32)>>,
    cells: Vec<usize>,
    scratch: Vec<u32>,
}

impl<'i> CellMemo<'i> {
    pub(crate) fn new(index: &'i CellIndex) -> Self {
        CellMemo {
            index,
            seen: vec![FxHashMap::default(); index.shapes.len()],
            cells: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The cells holding record `row`, in the order `for_each_cell` gives.
    pub(crate) fn cells(&mut self, row: usize, out: &mut Vec<usize>) {
        out.clear();
        let index = self.index;
        for (shape, seen) in index.shapes.iter().zip(&mut self.seen) {
            let Some(key) = index.packed(shape, row) else {
                index.shape_cells(shape, row, &mut self.scratch, &mut |c| out.push(c));
                continue;
            };
            let (from, to) = if let Some(&range) = seen.get(&key) {
                range
            } else {
                let from = self.cells.len();
                let cells = &mut self.cells;
                index.shape_cells(shape, row, &mut self.scratch, &mut |c| cells.push(c));
                let range = (
                    u32::try_from(from).unwrap_or(u32::MAX),
                    u32::try_from(self.cells.len()).unwrap_or(u32::MAX),
                );
                seen.insert(key, range);
                range
            };
            out.extend_from_slice(
                self.cells
                    .get(from as usize..to as usize)
                    .unwrap_or_default(),
            );
        }
    }
}

/// A release described as data (what Python and JS pass in): tables as
/// lists of dimension names and the questions shown as distributions.
///
/// ```
/// use exitcore::privacy::ReleaseSpec;
/// let spec: ReleaseSpec = serde_json::from_str(
///     r#"{"tables": [["org_unit"], ["org_unit", "tenure_band"]], "distributions": ["primary_reason"]}"#,
/// ).unwrap();
/// assert_eq!(spec.tables.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSpec {
    /// Tables over one dimension or the crossing of two.
    #[serde(default)]
    pub tables: Vec<Vec<Dimension>>,
    /// Question ids whose answers are shown per cell.
    #[serde(default)]
    pub distributions: Vec<String>,
}

impl ReleaseSpec {
    /// Reads a spec from JSON-like data, naming the path of any error.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self> {
        serde_path_to_error::deserialize(value).map_err(|e| Error::InvalidArgument {
            name: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// Decides this release of `dataset` under `policy`.
    pub fn decide(&self, dataset: &Dataset, policy: Policy) -> Result<Release> {
        self.decide_with_ledger(dataset, policy, None)
    }

    /// Decides this release of `dataset` under `policy`, with the cells
    /// published by the earlier releases in `ledger` counted as public.
    pub fn decide_with_ledger(
        &self,
        dataset: &Dataset,
        policy: Policy,
        ledger: Option<&Ledger>,
    ) -> Result<Release> {
        Ok(self.plan(dataset, policy, ledger)?.decide())
    }

    /// The plan of this release, to decide with or without noise.
    pub fn plan<'a>(
        &self,
        dataset: &'a Dataset,
        policy: Policy,
        ledger: Option<&'a Ledger>,
    ) -> Result<ReleasePlan<'a>> {
        let mut plan = ReleasePlan::new(dataset, policy);
        if let Some(l) = ledger {
            plan = plan.with_ledger(l);
        }
        for (i, t) in self.tables.iter().enumerate() {
            plan = plan
                .table(t)
                .map_err(|e| e.at_argument(&format!("tables[{i}]")))?;
        }
        for (i, q) in self.distributions.iter().enumerate() {
            plan = plan
                .distribution(q)
                .map_err(|e| e.at_argument(&format!("distributions[{i}]")))?;
        }
        Ok(plan)
    }
}

/// The tables of one release, to be decided together.
///
/// ```
/// use exitcore::{Dataset, privacy::{Dimension, Policy, ReleasePlan}};
/// use exitcore::synthetic::{OrgConfig, generate};
/// let org = generate(&OrgConfig { exits: 300, ..OrgConfig::default() }).unwrap();
/// let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
/// let release = ReleasePlan::new(&ds, Policy::default())
///     .table(&[Dimension::OrgUnit]).unwrap()
///     .table(&[Dimension::OrgUnit, Dimension::TenureBand]).unwrap()
///     .distribution("primary_reason").unwrap()
///     .decide();
/// // Nothing released is about fewer than k people.
/// assert!(release.cells.iter().filter_map(|c| c.n).all(|n| n >= 5));
/// assert_eq!(release.audit.cells, release.cells.len());
/// ```
#[derive(Debug, Clone)]
pub struct ReleasePlan<'a> {
    dataset: &'a Dataset,
    policy: Policy,
    tables: Vec<Vec<Dimension>>,
    distributions: Vec<usize>,
    ledger: Option<&'a Ledger>,
}

/// Per-record codes of one dimension and their labels (code 0 = unknown).
struct DimCodes<'d> {
    codes: std::borrow::Cow<'d, Codes>,
    labels: Vec<String>,
}

impl<'a> ReleasePlan<'a> {
    /// An empty plan; the whole-organisation cell is always part of it.
    pub fn new(dataset: &'a Dataset, policy: Policy) -> Self {
        ReleasePlan {
            dataset,
            policy,
            tables: vec![Vec::new()],
            distributions: Vec::new(),
            ledger: None,
        }
    }

    /// Counts the cells published by the earlier releases in `ledger` as
    /// public, so that nothing this release withholds can be had by
    /// comparing it with them.
    #[must_use]
    pub fn with_ledger(mut self, ledger: &'a Ledger) -> Self {
        self.ledger = Some(ledger);
        self
    }

    /// Adds a table over one dimension or the crossing of two.
    pub fn table(mut self, dims: &[Dimension]) -> Result<Self> {
        if dims.len() > 2 {
            return Err(Error::argument(
                "dims",
                "a table has at most two dimensions",
            ));
        }
        if dims.len() == 2 && dims[0] == dims[1] {
            return Err(Error::argument(
                "dims",
                "a dimension cannot be crossed with itself",
            ));
        }
        if !self.tables.iter().any(|t| t == dims) {
            self.tables.push(dims.to_vec());
        }
        Ok(self)
    }

    /// Adds a question whose answers the release shows per cell: a cell in
    /// which all, or all but one, gave the same answer is withheld.
    pub fn distribution(mut self, question: &str) -> Result<Self> {
        let q = self.dataset.question_index(question)?;
        if matches!(
            self.dataset.answers[q],
            AnswerColumn::Text(_) | AnswerColumn::Date(_)
        ) {
            return Err(Error::argument(
                "question",
                format!("{question:?} has no categories to show as a distribution"),
            ));
        }
        if !self.distributions.contains(&q) {
            self.distributions.push(q);
        }
        Ok(self)
    }

    fn codes(&self, dim: Dimension) -> DimCodes<'a> {
        let ds = self.dataset;
        let dict = |d: &'a DictColumn| DimCodes {
            codes: std::borrow::Cow::Borrowed(&d.codes),
            labels: d.dict.clone(),
        };
        let small = |v: &[u8], labels: Vec<String>| DimCodes {
            codes: std::borrow::Cow::Owned(Codes::from(v)),
            labels,
        };
        match dim {
            Dimension::OrgUnit => DimCodes {
                codes: std::borrow::Cow::Owned(Codes::default()),
                labels: Vec::new(),
            },
            Dimension::JobFamily => dict(&ds.job_family),
            Dimension::Manager => dict(&ds.manager),
            Dimension::Location => dict(&ds.location),
            Dimension::TenureBand => dict(&ds.tenure_band),
            Dimension::AgeBand => dict(&ds.age_band),
            Dimension::ExitType => small(
                &ds.exit_type,
                crate::ExitType::ALL
                    .iter()
                    .map(|t| t.id().to_owned())
                    .collect(),
            ),
            Dimension::Interviewer => small(
                &ds.interviewer,
                crate::InterviewerType::ALL
                    .iter()
                    .map(|t| t.id().to_owned())
                    .collect(),
            ),
            Dimension::ExitYear | Dimension::ExitQuarter | Dimension::ExitMonth => {
                // A period is (year, part) with part 0 for a year, 1..=4 for
                // a quarter, 1..=12 for a month: numbered in a dense table
                // over the years present (a binary search per record cost
                // ~30 ms at a million records).
                // The part of each month (`NONE`: no such period).
                const NONE: u8 = u8::MAX;
                let mut part_of = [NONE; 256];
                for (m, p) in (0..=u8::MAX).zip(part_of.iter_mut()) {
                    *p = match dim {
                        Dimension::ExitYear => 0,
                        _ if m == 0 => NONE,
                        Dimension::ExitQuarter => (m - 1) / 3 + 1,
                        _ => m.min(12),
                    };
                }
                let (lo, hi) = ds
                    .exit_year
                    .iter()
                    .filter(|&&y| y != 0)
                    .fold((i16::MAX, i16::MIN), |(lo, hi), &y| (lo.min(y), hi.max(y)));
                let years = usize::try_from(i32::from(hi) - i32::from(lo) + 1).unwrap_or(0);
                // First each record's slot + 1 in the dense table (0: none),
                // then slots renumbered in order among those present.
                let mut codes: Vec<u32> = ds
                    .exit_year
                    .iter()
                    .zip(&ds.exit_month)
                    .map(|(&y, &m)| {
                        let p = part_of[usize::from(m)];
                        if y == 0 || p == NONE {
                            return 0;
                        }
                        let year = u32::try_from(i32::from(y) - i32::from(lo)).unwrap_or(0);
                        year * 13 + u32::from(p) + 1
                    })
                    .collect();
                let mut number = vec![0u32; years * 13 + 1];
                for &c in &codes {
                    if let Some(n) = number.get_mut(c as usize) {
                        *n = 1;
                    }
                }
                number[0] = 0;
                let mut seen: Vec<(i16, u8)> = Vec::new();
                for (at, n) in number.iter_mut().enumerate().skip(1) {
                    if *n != 0 {
                        let y = i16::try_from((at - 1) / 13)
                            .ok()
                            .and_then(|d| lo.checked_add(d))
                            .unwrap_or(lo);
                        #[allow(clippy::cast_possible_truncation)] // below 13
                        seen.push((y, ((at - 1) % 13) as u8));
                        *n = u32::try_from(seen.len()).unwrap_or(0);
                    }
                }
                for c in &mut codes {
                    *c = number.get(*c as usize).copied().unwrap_or(0);
                }
                let labels = seen
                    .iter()
                    .map(|(y, q)| match dim {
                        Dimension::ExitQuarter => format!("{y}-Q{q}"),
                        Dimension::ExitMonth => format!("{y}-{q:02}"),
                        _ => y.to_string(),
                    })
                    .collect();
                DimCodes {
                    codes: std::borrow::Cow::Owned(Codes::Wide(codes)),
                    labels,
                }
            }
        }
    }

    /// The position of table `dims` in the plan (the whole organisation is 0).
    pub(crate) fn table_index(&self, dims: &[Dimension]) -> Option<usize> {
        self.tables.iter().position(|t| t == dims)
    }

    /// Decides the release: which cells are released, which withheld and why.
    pub fn decide(&self) -> Release {
        self.decide_on(&self.model(), None)
    }

    /// Decides the release with differentially private counts: each cell's
    /// count gets discrete Laplace noise, keyed by `noise` and fixed per
    /// cell and data set, and the k rule is applied to the noisy count (and,
    /// so that nothing is ever said about fewer than k people, to the true
    /// one as well).
    /// `epsilon` is charged to `budget` (nothing is charged, and nothing
    /// released, when the budget cannot pay); asking the same release of the
    /// same data again gives the same answer and costs nothing.
    ///
    /// The noise scale is the release's sensitivity over `epsilon`: one
    /// person is counted once per table, and once per level of the org tree
    /// in tables by org unit, so adding or removing one person moves that
    /// many counts by one.
    ///
    /// What the guarantee covers: the released counts are `epsilon`-DP (up
    /// to the sampler's 2^-53 granularity). Which cells are withheld for
    /// homogeneity or to protect others still depends on the true data, as
    /// in any suppression; that pattern is protected by the k rule, not by
    /// the noise.
    ///
    /// ```
    /// use exitcore::{Dataset, privacy::{Budget, CellNoise, Dimension, Policy, ReleasePlan}};
    /// use exitcore::synthetic::{OrgConfig, generate};
    /// let org = generate(&OrgConfig { exits: 300, ..OrgConfig::default() }).unwrap();
    /// let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    /// let key = CellNoise::new(b"a secret key of at least 16 bytes").unwrap();
    /// let mut budget = Budget::new(1.0).unwrap();
    /// let plan = ReleasePlan::new(&ds, Policy::default()).table(&[Dimension::TenureBand]).unwrap();
    /// let a = plan.decide_with_noise(&key, 0.5, &mut budget).unwrap();
    /// let b = plan.decide_with_noise(&key, 0.5, &mut budget).unwrap(); // free repeat
    /// assert_eq!(a, b);
    /// assert_eq!(budget.spent(), 0.5);
    /// assert!(plan.decide_with_noise(&key, 0.6, &mut budget).is_err()); // over budget
    /// ```
    pub fn decide_with_noise(
        &self,
        noise: &CellNoise,
        epsilon: f64,
        budget: &mut Budget,
    ) -> Result<Release> {
        let levels = self
            .dataset
            .org
            .depths
            .iter()
            .map(|&d| u32::from(d) + 1)
            .max()
            .unwrap_or(1);
        let sensitivity: u32 = self
            .tables
            .iter()
            .map(|t| {
                if t.contains(&Dimension::OrgUnit) {
                    levels
                } else {
                    1
                }
            })
            .sum();
        let dist = DiscreteLaplace::for_epsilon(epsilon, sensitivity)?;
        let mut tables: Vec<String> = self
            .tables
            .iter()
            .map(|t| t.iter().map(|d| d.id()).collect::<Vec<_>>().join("*"))
            .collect();
        tables.sort();
        let mut questions: Vec<usize> = self.distributions.clone();
        questions.sort_unstable();
        // Everything that decides the true counts: the data set and the tables.
        let query = format!(
            "release/v1/{:016x}/{}/{questions:?}/k{}",
            dataset_fingerprint(self.dataset),
            tables.join(","),
            self.policy.k()
        );
        budget.charge(&query, epsilon)?;
        let model = self.model();
        let shown: Vec<u64> = model
            .keys
            .iter()
            .zip(&model.n)
            .map(|(key, &n)| {
                let shifted =
                    i128::from(n) + i128::from(noise.noise(&query, &key.to_string(), &dist));
                u64::try_from(shifted.max(0)).unwrap_or(u64::MAX)
            })
            .collect();
        let mut release = self.decide_on(&model, Some(&shown));
        release.noise = Some(NoiseInfo {
            epsilon,
            scale: dist.scale(),
        });
        Ok(release)
    }

    /// The cells of the plan's tables and the atoms they are made of.
    pub(crate) fn model(&self) -> CellModel {
        let ds = self.dataset;
        let org = &ds.org;
        let entries = self.ledger.map(Ledger::entries).unwrap_or_default();
        let ledger_dims = entries
            .iter()
            .flat_map(|e| e.cells.iter().chain(&e.comment_cells))
            .flat_map(|k| k.0.iter().map(|(d, _)| *d));
        let mut dims: Vec<Dimension> = self
            .tables
            .iter()
            .flatten()
            .copied()
            .chain(ledger_dims)
            .filter(|d| *d != Dimension::OrgUnit)
            .collect();
        dims.sort();
        dims.dedup();
        let codes: HashMap<Dimension, DimCodes> =
            dims.iter().map(|&d| (d, self.codes(d))).collect();
        let uses_org = self
            .tables
            .iter()
            .flatten()
            .chain(
                entries
                    .iter()
                    .flat_map(|e| e.cells.iter().chain(&e.comment_cells))
                    .flat_map(|k| k.0.iter().map(|(d, _)| d)),
            )
            .any(|d| *d == Dimension::OrgUnit);

        // Atoms: the finest groups the tables can tell apart. A record's
        // atom key is its leaf unit, its code in every dimension and, per
        // earlier release, whether that release covered it; packed into one
        // number (mixed radix) so finding the atom costs no allocation.
        let radix: Vec<u64> = std::iter::once(if uses_org {
            org.names.len() as u64 + 1
        } else {
            1
        })
        .chain(dims.iter().map(|d| codes[d].labels.len() as u64 + 1))
        .chain(entries.iter().map(|_| 2))
        .collect();
        let span = radix.iter().try_fold(1u64, |acc, &r| acc.checked_mul(r));
        // Looked up once, not per record and dimension.
        let dim_codes: Vec<&Codes> = dims.iter().map(|d| &*codes[d].codes).collect();
        let key_of = |i: usize, key: &mut Vec<u32>| {
            key.clear();
            key.push(if uses_org { org.leaf[i] } else { 0 });
            key.extend(dim_codes.iter().map(|c| c.get(i).unwrap_or(0)));
            // Who an earlier release covered splits today's groups too.
            key.extend(
                entries
                    .iter()
                    .map(|e| u32::from(e.covers(ds.respondent[i]))),
            );
        };
        let mut atom_keys = AtomKeys::new(radix.len());
        let mut atom_n: Vec<u64> = Vec::new();
        let mut atom_rep: Vec<usize> = Vec::new();
        let mut record_atom: Vec<u32> = Vec::with_capacity(ds.len);
        let mut key = Vec::with_capacity(radix.len());
        let mut new_atom = |key: &Vec<u32>, i: usize| {
            atom_keys.push(key);
            atom_n.push(0);
            atom_rep.push(i);
            u32::try_from(atom_keys.len() - 1).unwrap_or(u32::MAX)
        };
        let direct_max = (1 << 22).max(4 * ds.len as u64);
        // Every record's key packed (mixed radix, leaf unit first), a
        // column at a time, when keys fit in 64 bits.
        let packed_keys: Vec<u64> = if span.is_some() {
            let mut out: Vec<u64> = if uses_org {
                org.leaf.iter().map(|&l| u64::from(l)).collect()
            } else {
                vec![0; ds.len]
            };
            for (codes, &r) in dim_codes.iter().zip(&radix[1..]) {
                match codes {
                    Codes::Narrow(v) => pack_column(&mut out, v, r),
                    Codes::Wide(v) => pack_column(&mut out, v, r),
                }
            }
            for e in entries {
                for (p, &who) in out.iter_mut().zip(&ds.respondent) {
                    *p = *p * 2 + u64::from(e.covers(who));
                }
            }
            out
        } else {
            Vec::new()
        };
        let groups = span
            .filter(|&s| s > direct_max)
            .and_then(|s| key_groups(ds.len, s, |i| packed_keys[i]));
        match (span, groups) {
            // Few possible keys: a direct table.
            (Some(span), _) if span <= direct_max => {
                let mut table = vec![u32::MAX; usize::try_from(span).unwrap_or(0)];
                for (i, &p) in packed_keys.iter().enumerate() {
                    #[allow(clippy::cast_possible_truncation)] // below span, a usize
                    let slot = &mut table[p as usize];
                    if *slot == u32::MAX {
                        key_of(i, &mut key);
                        *slot = new_atom(&key, i);
                    }
                    record_atom.push(*slot);
                }
            }
            // Atoms are numbered in order of first appearance, as above.
            (_, Some(groups)) => {
                let mut atom_of = vec![u32::MAX; groups.count];
                for (i, &g) in groups.of.iter().enumerate() {
                    let slot = &mut atom_of[g as usize];
                    if *slot == u32::MAX {
                        key_of(i, &mut key);
                        *slot = new_atom(&key, i);
                    }
                    record_atom.push(*slot);
                }
            }
            (Some(_), None) => {
                // Packed keys are plain integers: no need for SipHash's
                // protection against chosen keys, and it cost a third of this pass.
                let mut index: FxHashMap<u64, u32> = FxHashMap::default();
                for (i, &p) in packed_keys.iter().enumerate() {
                    let a = *index.entry(p).or_insert_with(|| {
                        key_of(i, &mut key);
                        new_atom(&key, i)
                    });
                    record_atom.push(a);
                }
            }
            (None, _) => {
                let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
                for i in 0..ds.len {
                    key_of(i, &mut key);
                    let a = if let Some(&a) = index.get(&key) {
                        a
                    } else {
                        let a = new_atom(&key, i);
                        index.insert(key.clone(), a);
                        a
                    };
                    record_atom.push(a);
                }
            }
        }
        for &a in &record_atom {
            atom_n[a as usize] += 1;
        }
        // Every org unit with its ancestors, itself first.
        let ancestors: Vec<Vec<u32>> = (0..org.names.len())
            .map(|node| {
                let mut out = Vec::new();
                let mut at = u32::try_from(node).unwrap_or(u32::MAX);
                while (at as usize) < org.names.len() {
                    out.push(at);
                    at = org.parents[at as usize];
                }
                out
            })
            .collect();

        // Cells: every combination of known values of a table's dimensions,
        // in the order `cross` lists them (first dimension slowest).
        let mut keys: Vec<CellKey> = Vec::new();
        let mut cell_atoms: Vec<Vec<u32>> = Vec::new();
        let mut tables = Vec::with_capacity(self.tables.len());
        let mut layouts = Vec::with_capacity(self.tables.len());
        let mut org_depth = Vec::new();
        let count = |d: Dimension| -> usize {
            if d == Dimension::OrgUnit {
                org.names.len()
            } else {
                codes[&d].labels.len()
            }
        };
        for table in &self.tables {
            let values = |d: Dimension| -> Vec<u32> {
                (0..u32::try_from(count(d)).unwrap_or(0))
                    .map(|v| if d == Dimension::OrgUnit { v } else { v + 1 })
                    .collect()
            };
            let label = |d: Dimension, v: u32| -> String {
                if d == Dimension::OrgUnit {
                    org.path(v).join("/")
                } else {
                    codes[&d].labels[v as usize - 1].clone()
                }
            };
            let combos = cross(table, values);
            let first = cell_atoms.len();
            let org_at = table.iter().position(|d| *d == Dimension::OrgUnit);
            for combo in &combos {
                org_depth.push(org_at.and_then(|p| org.depths.get(combo[p] as usize).copied()));
                keys.push(CellKey(
                    table
                        .iter()
                        .zip(combo)
                        .map(|(&d, &v)| (d, label(d, v)))
                        .collect(),
                ));
            }
            cell_atoms.resize(first + combos.len(), Vec::new());
            let mut atom_cell = vec![u32::MAX; atom_keys.len()];
            // Strides of the table's dimensions and where each sits in an atom key.
            let mut stride = vec![1usize; table.len()];
            for i in (0..table.len().saturating_sub(1)).rev() {
                stride[i] = stride[i + 1] * count(table[i + 1]);
            }
            let at: Vec<usize> = table
                .iter()
                .map(|d| dims.iter().position(|x| x == d).map_or(0, |p| p + 1))
                .collect();
            // Each atom joins the cells whose values it has (all ancestors for org units).
            for (a, key) in atom_keys.iter().enumerate() {
                let a = u32::try_from(a).unwrap_or(u32::MAX);
                let mut offset = first;
                let mut known = true;
                for (i, &d) in table.iter().enumerate() {
                    if d != Dimension::OrgUnit {
                        let c = key[at[i]] as usize;
                        if c == 0 {
                            known = false;
                            break;
                        }
                        offset += (c - 1) * stride[i];
                    }
                }
                if !known {
                    continue;
                }
                match org_at {
                    None => {
                        cell_atoms[offset].push(a);
                        atom_cell[a as usize] = u32::try_from(offset - first).unwrap_or(u32::MAX);
                    }
                    Some(p) => {
                        let own = offset + key[0] as usize * stride[p];
                        atom_cell[a as usize] = u32::try_from(own - first).unwrap_or(u32::MAX);
                        for &node in &ancestors[key[0] as usize] {
                            cell_atoms[offset + node as usize * stride[p]].push(a);
                        }
                    }
                }
            }
            // Counts roll up from each unit to its parent, deepest units
            // first, so a parent's cell holds its whole subtree.
            let mut rollup = Vec::new();
            if let Some(p) = org_at {
                let mut nodes: Vec<usize> = (0..org.names.len())
                    .filter(|&node| (org.parents[node] as usize) < org.names.len())
                    .collect();
                nodes.sort_by_key(|&node| std::cmp::Reverse(org.depths[node]));
                let outer = stride[p] * org.names.len();
                let cells = combos.len();
                for node in nodes {
                    let parent = org.parents[node] as usize;
                    for hi in (0..cells).step_by(outer.max(1)) {
                        for lo in 0..stride[p] {
                            let from = hi + node * stride[p] + lo;
                            let to = hi + parent * stride[p] + lo;
                            rollup.push((
                                u32::try_from(from).unwrap_or(u32::MAX),
                                u32::try_from(to).unwrap_or(u32::MAX),
                            ));
                        }
                    }
                }
            }
            layouts.push(TableLayout { atom_cell, rollup });
            tables.push(first..cell_atoms.len());
        }
        let n: Vec<u64> = cell_atoms
            .iter()
            .map(|atoms| atoms.iter().map(|&a| atom_n[a as usize]).sum())
            .collect();
        let mut model = CellModel {
            keys,
            tables,
            org_depth,
            cell_atoms,
            n,
            atom_keys,
            atom_n,
            atom_rep,
            record_atom,
            layouts,
            ledger_at: 1 + dims.len(),
            questions: self.distributions.clone(),
            tallies: Vec::new(),
        };
        model.tallies = model.count_tables(ds, model.counts_atoms_first());
        model
    }

    /// Decides the release of the cells of `m`, showing `shown` counts
    /// (noisy ones) instead of the true ones when given.
    pub(crate) fn decide_on(&self, m: &CellModel, shown: Option<&[u64]>) -> Release {
        let ds = self.dataset;
        let entries = self.ledger.map(Ledger::entries).unwrap_or_default();
        let CellModel {
            keys,
            cell_atoms,
            n,
            atom_keys,
            atom_n,
            atom_rep,
            ..
        } = m;
        let keys = keys.clone();
        // Which cells hold anyone is structure the engine needs (empty cells
        // have no atoms); every rule and every released value uses `shown`.
        let holds_people: Vec<bool> = n.iter().map(|&x| x > 0).collect();
        let true_n = n;
        let n = shown.unwrap_or(n);

        // Primary: small or empty cells, and homogeneous distributions.
        let homogeneous = self.homogeneous(m);
        let reason: Vec<Option<Withheld>> = (0..keys.len())
            .map(|c| {
                // Noise does not lift the invariant: a group of fewer than k
                // stays withheld whatever its noisy count says.
                if self.policy.withholds(n[c]) || self.policy.withholds(true_n[c]) {
                    Some(Withheld::Primary)
                } else if homogeneous[c] {
                    Some(Withheld::Homogeneous)
                } else {
                    None
                }
            })
            .collect();
        // Empty cells have no atoms: nobody is in them, so there is nothing to
        // derive; they are withheld but need no protection of their own.
        let guard: Vec<bool> = (0..keys.len())
            .map(|c| reason[c].is_some() && holds_people[c])
            .collect();
        let blocked: Vec<bool> = reason.iter().map(Option::is_some).collect();
        let mut order: Vec<usize> = (0..keys.len()).filter(|&c| !blocked[c]).collect();
        // Publish large cells (margins) first, so small siblings are the ones withheld.
        order.sort_by(|&a, &b| n[b].cmp(&n[a]).then(a.cmp(&b)));
        let known = |comments: bool| -> Vec<Vec<u32>> {
            let mut out = Vec::new();
            for (e, entry) in entries.iter().enumerate() {
                let cells = if comments {
                    &entry.comment_cells
                } else {
                    &entry.cells
                };
                // One index for all of an entry's cells: a pass per entry,
                // not per earlier cell.
                let index = CellIndex::new(ds, &cells.iter().collect::<Vec<_>>());
                let at = m.ledger_at + e;
                let first = out.len();
                out.resize(first + cells.len(), Vec::new());
                let mut scratch = Vec::new();
                for (a, key) in atom_keys.iter().enumerate() {
                    if key[at] == 1 {
                        let a = u32::try_from(a).unwrap_or(u32::MAX);
                        index.for_each_cell(atom_rep[a as usize], &mut scratch, |c| {
                            out[first + c].push(a);
                        });
                    }
                }
            }
            out
        };
        // What an earlier release covered and what came since are groups of
        // their own: a cell published then and now gives the newcomers by
        // subtraction. Guard both parts of every cell when they are small.
        let parts = |threshold: u64| -> Vec<Vec<u32>> {
            let mut out = Vec::new();
            for e in 0..entries.len() {
                let at = m.ledger_at + e;
                for atoms in cell_atoms {
                    for side in [0, 1] {
                        let part: Vec<u32> = atoms
                            .iter()
                            .copied()
                            .filter(|&a| atom_keys[a as usize][at] == side)
                            .collect();
                        let size: u64 = part.iter().map(|&a| atom_n[a as usize]).sum();
                        if size > 0 && size < threshold && part.len() < atoms.len() {
                            out.push(part);
                        }
                    }
                }
            }
            out.sort();
            out.dedup();
            out
        };
        let (known_numbers, known_comments) = (known(false), known(true));
        let (parts_numbers, parts_comments) = (
            parts(u64::from(self.policy.k())),
            parts(u64::from(self.policy.comment_k())),
        );
        // The elimination runs on a spanning set of atoms: at most one per
        // row instead of one per group of the joint partition.
        let all_rows: Vec<&[u32]> = cell_atoms
            .iter()
            .chain(&known_numbers)
            .chain(&known_comments)
            .chain(&parts_numbers)
            .chain(&parts_comments)
            .map(Vec::as_slice)
            .collect();
        let kept = spanning_atoms(&all_rows, atom_keys.len());
        let narrow = |rows: &[Vec<u32>]| restrict(rows, &kept, atom_keys.len());
        let cell_atoms = &narrow(cell_atoms);
        let hidden = suppress_blocked(
            cell_atoms,
            &guard,
            &blocked,
            &order,
            &narrow(&known_numbers),
            &narrow(&parts_numbers),
        );
        let withheld: Vec<Option<Withheld>> = (0..keys.len())
            .map(|c| reason[c].or(hidden[c].map(|_| Withheld::Secondary)))
            .collect();

        // Comments: a stricter threshold, and protected the same way.
        let comment_small: Vec<bool> = (0..keys.len())
            .map(|c| withheld[c].is_some() || n[c] < u64::from(self.policy.comment_k()))
            .collect();
        let comment_guard: Vec<bool> = (0..keys.len())
            .map(|c| comment_small[c] && holds_people[c])
            .collect();
        let comment_order: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&c| !comment_small[c])
            .collect();
        let comment_hidden = suppress_blocked(
            cell_atoms,
            &comment_guard,
            &comment_small,
            &comment_order,
            &narrow(&known_comments),
            &narrow(&parts_comments),
        );

        let mut audit = Audit {
            cells: keys.len(),
            ..Audit::default()
        };
        let cells: Vec<CellDecision> = keys
            .into_iter()
            .enumerate()
            .map(|(c, key)| {
                let comments = withheld[c].is_none() && comment_hidden[c].is_none();
                match withheld[c] {
                    None => {
                        audit.released += 1;
                        if !comments {
                            audit.comments_withheld += 1;
                        }
                    }
                    Some(Withheld::Primary) => audit.primary += 1,
                    Some(Withheld::Homogeneous) => audit.homogeneous += 1,
                    Some(Withheld::Secondary) => audit.secondary += 1,
                }
                CellDecision {
                    key,
                    n: withheld[c].is_none().then_some(n[c]),
                    withheld: withheld[c],
                    comments,
                }
            })
            .collect();
        Release {
            policy: self.policy,
            cells,
            audit,
            noise: None,
            fingerprint: dataset_fingerprint(ds),
        }
    }

    /// Per cell: whether some distribution of the release is homogeneous in
    /// it (all, or all but one, who answered gave the same answer).
    fn homogeneous(&self, m: &CellModel) -> Vec<bool> {
        let mut out = vec![false; m.keys.len()];
        for (t, range) in m.tables.iter().enumerate() {
            for &q in &self.distributions {
                let Some(tally) = m.tally(t, q) else {
                    continue;
                };
                for (local, c) in range.clone().enumerate() {
                    let (counts, answered) = tally.row(local);
                    let top = counts.iter().copied().max().unwrap_or(0);
                    if answered > 0 && top + 1 >= answered {
                        out[c] = true;
                    }
                }
            }
        }
        out
    }
}

/// Every atom's key (its leaf unit, its code in each dimension, and per
/// earlier release whether that covered it), one after another in one
/// buffer: thousands of atoms a call, each its own allocation before.
#[derive(Debug, Clone)]
struct AtomKeys {
    width: usize,
    flat: Vec<u32>,
}

impl AtomKeys {
    fn new(width: usize) -> Self {
        AtomKeys {
            width: width.max(1),
            flat: Vec::new(),
        }
    }

    fn push(&mut self, key: &[u32]) {
        // Every key has the width (the radix's); pad or cut one that does not.
        let start = self.flat.len();
        self.flat.extend(key.iter().take(self.width));
        self.flat.resize(start + self.width, 0);
    }

    fn len(&self) -> usize {
        self.flat.len() / self.width
    }

    fn iter(&self) -> std::slice::ChunksExact<'_, u32> {
        self.flat.chunks_exact(self.width)
    }
}

impl std::ops::Index<usize> for AtomKeys {
    type Output = [u32];

    fn index(&self, atom: usize) -> &[u32] {
        &self.flat[atom * self.width..(atom + 1) * self.width]
    }
}

/// The cells of a plan and the atoms (finest groups) they sum over.
pub(crate) struct CellModel {
    /// Every cell, tables in plan order.
    pub(crate) keys: Vec<CellKey>,
    /// The cells of each table of the plan.
    pub(crate) tables: Vec<std::ops::Range<usize>>,
    /// The depth of each cell's org unit in the tree (0 = top level), for
    /// cells of tables by org unit: the cells of one depth are disjoint.
    pub(crate) org_depth: Vec<Option<u8>>,
    /// The atoms of each cell.
    pub(crate) cell_atoms: Vec<Vec<u32>>,
    /// The true size of each cell (internal: never released as such).
    pub(crate) n: Vec<u64>,
    atom_keys: AtomKeys,
    atom_n: Vec<u64>,
    atom_rep: Vec<usize>,
    /// The atom of each record.
    pub(crate) record_atom: Vec<u32>,
    /// How records are counted into each table's cells.
    layouts: Vec<TableLayout>,
    ledger_at: usize,
    /// The plan's distribution questions.
    questions: Vec<usize>,
    /// Per table, per question of `questions`: its answers counted per
    /// cell. The homogeneity rule needs them and the analysis shows them,
    /// so they are counted once, here (`None`: a question without categories).
    tallies: Vec<Vec<Option<Tally>>>,
}

/// How to count a table's cells straight from the records: each record
/// into the one cell of its own values (its own org unit), then units into
/// their parents. Counting this way costs a pass over the records per
/// table, with counts the size of the table; summing the joint partition's
/// atoms per cell would hold counts for every atom (hundreds of thousands
/// at a million records) and visit each atom once per cell it is in.
struct TableLayout {
    /// Per atom: the table-local cell of its own values, `u32::MAX` when
    /// one of them is unknown (it is in no cell of the table).
    atom_cell: Vec<u32>,
    /// `(from, to)` table-local cells: add `from`'s counts into `to`'s, in
    /// this order.
    rollup: Vec<(u32, u32)>,
}

impl CellModel {
    /// Per record, the table-local cell that counts it first (`u32::MAX`:
    /// none); counts so made are complete after [`CellModel::roll_up`].
    pub(crate) fn record_cells(&self, table: usize) -> Vec<u32> {
        let Some(layout) = self.layouts.get(table) else {
            return vec![u32::MAX; self.record_atom.len()];
        };
        self.record_atom
            .iter()
            .map(|&a| {
                layout
                    .atom_cell
                    .get(a as usize)
                    .copied()
                    .unwrap_or(u32::MAX)
            })
            .collect()
    }

    /// Question `q`'s answers counted per cell of `table`, when `q` is one
    /// of the plan's distributions.
    pub(crate) fn tally(&self, table: usize, q: usize) -> Option<&Tally> {
        let at = self.questions.iter().position(|&x| x == q)?;
        self.tallies.get(table)?.get(at)?.as_ref()
    }

    /// Whether the plan's questions are best counted per atom once and
    /// the atoms summed per table: so when there are few atoms next to the
    /// records (an analysis by org unit and quarter has ~8,000 at a million
    /// records) and more than one table. With many dimensions, atoms come
    /// near the records in number, and each table counts from the records.
    fn counts_atoms_first(&self) -> bool {
        self.tables.len() > 1 && self.atom_n.len().saturating_mul(8) <= self.record_atom.len()
    }

    /// The plan's questions counted per cell of every table: per record and
    /// table, or (`atoms_first`) per atom once and then per table. From
    /// 100,000 records the questions are shared out over the machine's
    /// threads (each is a pass over the records of its own).
    fn count_tables(&self, dataset: &Dataset, atoms_first: bool) -> Vec<Vec<Option<Tally>>> {
        let parts = if self.record_atom.len() >= crate::parallel::FROM_RECORDS {
            threads(self.questions.len())
        } else {
            1
        };
        self.count_tables_on(dataset, atoms_first, parts)
    }

    /// [`CellModel::count_tables`] on `parts` threads.
    fn count_tables_on(
        &self,
        dataset: &Dataset,
        atoms_first: bool,
        parts: usize,
    ) -> Vec<Vec<Option<Tally>>> {
        let n = self.questions.len();
        let groups = interleaved(n, parts);
        let counted = on_threads("release", &groups, &|qs: &Vec<usize>| {
            Ok(self.count_questions(dataset, atoms_first, qs))
        });
        let Ok(counted) = counted else {
            // A failed thread is a bug; counting here gives the numbers or
            // shows the bug where it is.
            return self.count_questions(dataset, atoms_first, &(0..n).collect::<Vec<_>>());
        };
        let mut out: Vec<Vec<Option<Tally>>> = vec![vec![None; n]; self.tables.len()];
        for (qs, per_table) in groups.iter().zip(counted) {
            for (row, counts) in out.iter_mut().zip(per_table) {
                for (&q, tally) in qs.iter().zip(counts) {
                    row[q] = tally;
                }
            }
        }
        out
    }

    /// The plan's questions at positions `qs` counted per cell of every
    /// table (`[table][j]` for `qs[j]`), as [`CellModel::count_tables`] says.
    fn count_questions(
        &self,
        dataset: &Dataset,
        atoms_first: bool,
        qs: &[usize],
    ) -> Vec<Vec<Option<Tally>>> {
        let questions: Vec<usize> = qs
            .iter()
            .filter_map(|&j| self.questions.get(j).copied())
            .collect();
        if !atoms_first {
            return (0..self.tables.len())
                .map(|t| self.count(dataset, t, &questions))
                .collect();
        }
        let atoms = self.atom_n.len();
        // A question at a time: its per-atom counts (a few hundred kB at
        // 100,000 records) are summed into every table while still in
        // cache, then dropped.
        let mut out: Vec<Vec<Option<Tally>>> = (0..self.tables.len())
            .map(|_| Vec::with_capacity(questions.len()))
            .collect();
        for &q in &questions {
            let per_atom = Tally::count(dataset, q, &self.record_atom, atoms);
            for (t, row) in out.iter_mut().enumerate() {
                let tally = match (&per_atom, self.layouts.get(t), self.tables.get(t)) {
                    (Some(a), Some(layout), Some(range)) => {
                        let mut tally = a.regroup(&layout.atom_cell, range.len());
                        self.roll_up(t, &mut tally);
                        Some(tally)
                    }
                    _ => None,
                };
                row.push(tally);
            }
        }
        out
    }

    /// A per-record count made per cell of every table, the cells rolled up:
    /// `count(groups, of)` counts the records into `of[record]` (`u32::MAX`:
    /// nowhere) among `groups`, once per atom or once per table (see
    /// [`CellModel::counts_atoms_first`]).
    pub(crate) fn count_each_table(&self, count: impl Fn(&[u32], usize) -> Tally) -> Vec<Tally> {
        self.count_each_table_by(self.counts_atoms_first(), count)
    }

    fn count_each_table_by(
        &self,
        atoms_first: bool,
        count: impl Fn(&[u32], usize) -> Tally,
    ) -> Vec<Tally> {
        if atoms_first {
            let per_atom = count(&self.record_atom, self.atom_n.len());
            self.layouts
                .iter()
                .zip(&self.tables)
                .enumerate()
                .map(|(t, (layout, range))| {
                    let mut tally = per_atom.regroup(&layout.atom_cell, range.len());
                    self.roll_up(t, &mut tally);
                    tally
                })
                .collect()
        } else {
            (0..self.tables.len())
                .map(|t| {
                    let size = self.tables.get(t).map_or(0, ExactSizeIterator::len);
                    let mut tally = count(&self.record_cells(t), size);
                    self.roll_up(t, &mut tally);
                    tally
                })
                .collect()
        }
    }

    /// Counts `questions` per cell of `table` from the records.
    pub(crate) fn count(
        &self,
        dataset: &Dataset,
        table: usize,
        questions: &[usize],
    ) -> Vec<Option<Tally>> {
        let cells = self.record_cells(table);
        questions
            .iter()
            .map(|&q| self.count_question(dataset, table, q, &cells))
            .collect()
    }

    /// Counts question `q` per cell of `table`, given each record's cell
    /// of that table ([`CellModel::record_cells`]); `None` for a question
    /// without categories.
    pub(crate) fn count_question(
        &self,
        dataset: &Dataset,
        table: usize,
        q: usize,
        record_cells: &[u32],
    ) -> Option<Tally> {
        let size = self.tables.get(table).map_or(0, ExactSizeIterator::len);
        let mut tally = Tally::count(dataset, q, record_cells, size)?;
        self.roll_up(table, &mut tally);
        Some(tally)
    }

    /// Completes counts made with [`CellModel::record_cells`].
    pub(crate) fn roll_up(&self, table: usize, tally: &mut Tally) {
        if let Some(layout) = self.layouts.get(table) {
            for &(from, to) in &layout.rollup {
                tally.add_row(from as usize, to as usize);
            }
        }
    }
}

/// The records' keys numbered densely (in key order, not in order of
/// first appearance): `of[i]` is record `i`'s number, below `count`.
struct KeyGroups {
    of: Vec<u32>,
    count: usize,
}

/// Appends one column to packed mixed-radix keys: `key * radix + code`.
fn pack_column<T: Copy + Into<u64>>(keys: &mut [u64], codes: &[T], radix: u64) {
    for (p, &c) in keys.iter_mut().zip(codes) {
        *p = *p * radix + c.into();
    }
}

/// Groups `n` records by `key(i)` (each below `span`) by sorting packed
/// (key, record) pairs. With hundreds of thousands of distinct keys, a hash
/// map from key to group missed cache on nearly every record (~0.12 s CPU at
/// a million records); a sort walks memory in order. `None` when a key and
/// a record position do not fit in 64 bits together.
fn key_groups(n: usize, span: u64, mut key: impl FnMut(usize) -> u64) -> Option<KeyGroups> {
    let position_bits = usize::BITS - n.leading_zeros();
    let key_bits = u64::BITS - span.saturating_sub(1).leading_zeros();
    if position_bits + key_bits > u64::BITS || u32::try_from(n).is_err() {
        return None;
    }
    let mut pairs: Vec<u64> = (0..n).map(|i| key(i) << position_bits | i as u64).collect();
    pairs.sort_unstable();
    let mask = (1u64 << position_bits) - 1;
    let mut of = vec![0u32; n];
    let mut count = 0u32;
    let mut last = None;
    for p in pairs {
        let k = p >> position_bits;
        if last != Some(k) {
            last = Some(k);
            count += 1;
        }
        #[allow(clippy::cast_possible_truncation)] // below n, a usize
        let i = (p & mask) as usize;
        of[i] = count - 1;
    }
    Some(KeyGroups {
        of,
        count: count as usize,
    })
}

/// Every combination of one value per dimension of `table` (one empty
/// combination for the whole-organisation table), `values` giving each
/// dimension's values.
fn cross(table: &[Dimension], values: impl Fn(Dimension) -> Vec<u32>) -> Vec<Vec<u32>> {
    table.iter().fold(vec![Vec::new()], |partial, &d| {
        let vs = values(d);
        partial
            .iter()
            .flat_map(|p| {
                vs.iter().map(move |&v| {
                    let mut next = p.clone();
                    next.push(v);
                    next
                })
            })
            .collect()
    })
}

/// Runs the suppression engine where `blocked` cells are never published
/// and neither `guard` cells nor the `extra` groups may become derivable.
fn suppress_blocked(
    cells: &[Vec<u32>],
    guard: &[bool],
    blocked: &[bool],
    order: &[usize],
    known: &[Vec<u32>],
    extra: &[Vec<u32>],
) -> Vec<Option<Hidden>> {
    let mut out = if extra.is_empty() {
        suppress(cells, guard, order, known)
    } else {
        let all: Vec<Vec<u32>> = cells.iter().chain(extra).cloned().collect();
        let guards: Vec<bool> = guard
            .iter()
            .copied()
            .chain(extra.iter().map(|_| true))
            .collect();
        let mut out = suppress(&all, &guards, order, known);
        out.truncate(cells.len());
        out
    };
    for (c, o) in out.iter_mut().enumerate() {
        if blocked[c] && o.is_none() {
            *o = Some(Hidden::Primary);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{OrgConfig, generate};

    /// Records with one key share a group number and records with
    /// different keys do not; keys too wide to pack are declined.
    #[test]
    fn key_groups_number_equal_keys_alike() {
        let keys = [7u64, 3, 7, 0, 3, 9, 7];
        let g = key_groups(keys.len(), 10, |i| keys[i]).unwrap();
        assert_eq!(g.count, 4);
        for i in 0..keys.len() {
            for j in 0..keys.len() {
                assert_eq!(keys[i] == keys[j], g.of[i] == g.of[j], "{i} {j}");
            }
        }
        assert!(g.of.iter().all(|&x| (x as usize) < g.count));
        assert!(key_groups(keys.len(), u64::MAX, |i| keys[i]).is_none());
        assert_eq!(key_groups(0, 10, |_| 0).unwrap().count, 0);
    }

    /// Year, quarter and month codes number the periods present in
    /// order (1-based, 0 for a record without one) and label them, as a
    /// sorted set of the records' periods gives them; records without a
    /// month have a year but no quarter or month.
    #[test]
    fn period_codes_number_the_periods_present_in_order() {
        let org = generate(&OrgConfig {
            exits: 1500,
            seed: 9,
            ..OrgConfig::default()
        })
        .unwrap();
        let mut records = org.records.clone();
        for (i, r) in records.iter_mut().enumerate() {
            match i % 9 {
                0 => r.context.exit_date = None,
                1 => {
                    if let Some(d) = &mut r.context.exit_date {
                        d.month = None;
                        d.day = None;
                    }
                }
                2 => {
                    if let Some(d) = &mut r.context.exit_date {
                        d.year = 1999 + i32::try_from(i % 3).unwrap();
                    }
                }
                _ => {}
            }
        }
        let ds = Dataset::from_records(&org.questionnaire, &records).dataset;
        assert_eq!(ds.len(), records.len());
        let plan = ReleasePlan::new(&ds, Policy::default());
        for dim in [
            Dimension::ExitYear,
            Dimension::ExitQuarter,
            Dimension::ExitMonth,
        ] {
            let period = |r: &crate::ExitRecord| -> Option<(i32, u8)> {
                let d = r.context.exit_date.as_ref()?;
                match (dim, d.month) {
                    (Dimension::ExitYear, _) => Some((d.year, 0)),
                    (_, None) => None,
                    (Dimension::ExitQuarter, Some(m)) => Some((d.year, (m - 1) / 3 + 1)),
                    (_, Some(m)) => Some((d.year, m)),
                }
            };
            let present: Vec<(i32, u8)> = records
                .iter()
                .filter_map(period)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let codes = plan.codes(dim);
            let labels: Vec<String> = present
                .iter()
                .map(|&(y, p)| match dim {
                    Dimension::ExitYear => y.to_string(),
                    Dimension::ExitQuarter => format!("{y}-Q{p}"),
                    _ => format!("{y}-{p:02}"),
                })
                .collect();
            assert_eq!(codes.labels, labels, "{dim:?}");
            for (r, c) in records.iter().zip(codes.codes.iter()) {
                let want = period(r).map_or(0, |k| present.binary_search(&k).unwrap() + 1);
                assert_eq!(c as usize, want, "{dim:?}");
            }
            assert!(codes.codes.iter().any(|c| c == 0) || dim == Dimension::ExitYear);
        }
    }

    /// Per-table counts (each record into its own cell, units rolled up
    /// into their parents) equal counts made record by record through the
    /// cells' keys, which `CellIndex` resolves without strides or roll-up;
    /// so do the tallies the model keeps for the release decision and the
    /// analysis.
    #[test]
    fn table_counts_equal_counts_through_the_cell_keys() {
        let org = generate(&OrgConfig {
            exits: 3000,
            seed: 7,
            ..OrgConfig::default()
        })
        .unwrap();
        let mut records = org.records.clone();
        // Some leavers sit at a division or department, not a team, so
        // units hold records of their own as well as their children's.
        for (i, r) in records.iter_mut().enumerate() {
            if i % 7 == 0 {
                r.context.org_unit.truncate(1 + i % 2);
            }
        }
        let ds = Dataset::from_records(&org.questionnaire, &records).dataset;
        let ids = ["primary_reason", "contributing_reasons", "enps"];
        let questions: Vec<usize> = ids
            .iter()
            .map(|id| ds.question_index(id).unwrap())
            .collect();
        // The first two as distributions: the model keeps their tallies (the
        // homogeneity rule's, which the analysis reuses); enps is counted
        // fresh only, so both ways are checked against the members.
        let plan = ReleasePlan::new(&ds, Policy::default())
            .distribution(ids[0])
            .unwrap()
            .distribution(ids[1])
            .unwrap()
            .table(&[Dimension::OrgUnit])
            .unwrap()
            .table(&[Dimension::OrgUnit, Dimension::TenureBand])
            .unwrap()
            .table(&[Dimension::ExitQuarter, Dimension::OrgUnit])
            .unwrap()
            .table(&[Dimension::JobFamily, Dimension::ExitType])
            .unwrap();
        let m = plan.model();
        let keys: Vec<&CellKey> = m.keys.iter().collect();
        let index = CellIndex::new(&ds, &keys);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
        for row in 0..ds.len() {
            index.for_each_cell(row, &mut Vec::new(), |c| members[c].push(row));
        }
        for (c, rows) in members.iter().enumerate() {
            assert_eq!(m.n[c], rows.len() as u64, "size of cell {}", m.keys[c]);
        }
        // The memo gives every record the cells the index gives, in order,
        // whether it has seen the record's values before or not.
        let mut memo = CellMemo::new(&index);
        let (mut direct, mut remembered) = (Vec::new(), Vec::new());
        for row in (0..ds.len()).chain(0..ds.len()) {
            direct.clear();
            index.for_each_cell(row, &mut Vec::new(), |c| direct.push(c));
            memo.cells(row, &mut remembered);
            assert_eq!(direct, remembered, "record {row}");
        }
        assert!(memo.seen.iter().filter(|s| s.len() > 1).count() >= 4);
        let (mut checked, mut reused) = (0, 0);
        // Any per-record count per table, made either way.
        let each_table: Vec<Vec<Tally>> = questions
            .iter()
            .flat_map(|&q| {
                [false, true].map(|atoms_first| {
                    m.count_each_table_by(atoms_first, |of, groups| {
                        Tally::count(&ds, q, of, groups).unwrap()
                    })
                })
            })
            .collect();
        for (t, range) in m.tables.iter().enumerate() {
            let cells = m.record_cells(t);
            for (at, &q) in questions.iter().enumerate() {
                let mut tally = Tally::count(&ds, q, &cells, range.len()).unwrap();
                m.roll_up(t, &mut tally);
                assert_eq!(each_table[2 * at][t], tally);
                assert_eq!(each_table[2 * at + 1][t], tally);
                for (local, c) in range.clone().enumerate() {
                    // The same question counted over the cell's members only.
                    let mut member = vec![u32::MAX; ds.len()];
                    for &row in &members[c] {
                        member[row] = 0;
                    }
                    let direct = Tally::count(&ds, q, &member, 1).unwrap();
                    assert_eq!(
                        tally.row(local),
                        direct.row(0),
                        "question {q} in cell {}",
                        m.keys[c]
                    );
                    if let Some(kept) = m.tally(t, q) {
                        assert_eq!(
                            kept.row(local),
                            direct.row(0),
                            "kept tally of question {q} in cell {}",
                            m.keys[c]
                        );
                        reused += 1;
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        assert_eq!(reused * 3, checked * 2);
        assert!(m.tally(0, questions[2]).is_none());
        // Counting per atom once and summing the atoms per table (the way
        // taken when atoms are few) gives the tallies checked above.
        let per_record = m.count_tables_on(&ds, false, 1);
        assert_eq!(m.tallies, per_record);
        assert_eq!(m.count_tables_on(&ds, true, 1), per_record);
        // Questions shared out over threads come back in their places.
        for parts in [2, 3] {
            assert_eq!(m.count_tables_on(&ds, false, parts), per_record);
            assert_eq!(m.count_tables_on(&ds, true, parts), per_record);
        }
    }
}
