//! The columnar dataset: validated records of one questionnaire, stored by
//! column so that analyses are passes over memory, not over objects.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::questionnaire::Checked;
use crate::record::{ExitRecord, ExitType, InterviewerType, PartialDate, Tenure};
use crate::{Problem, ProblemKind, QuestionKind, Questionnaire};

/// A dimension column: values are codes into a dictionary (`0` = unknown,
/// `i + 1` = `dict[i]`), so grouping is integer work.
#[derive(Debug, Clone, Default)]
pub(crate) struct DictColumn {
    pub(crate) dict: Vec<String>,
    pub(crate) codes: Codes,
    lookup: FxHashMap<String, u32>,
}

/// Per-record dictionary codes. Two bytes each while the dictionary has
/// fewer than 65,536 values, which real dimensions (teams, roles, managers)
/// almost always do: at a million records that is 2 MB a column instead of
/// 4. A column that outgrows them is widened once, so no value is refused.
#[derive(Debug, Clone)]
pub(crate) enum Codes {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::Narrow(Vec::new())
    }
}

impl Codes {
    pub(crate) fn push(&mut self, code: u32) {
        match self {
            Codes::Narrow(v) => {
                if let Ok(c) = u16::try_from(code) {
                    v.push(c);
                } else {
                    let mut wide: Vec<u32> = Vec::with_capacity(v.capacity());
                    wide.extend(v.iter().map(|&c| u32::from(c)));
                    wide.push(code);
                    *self = Codes::Wide(wide);
                }
            }
            Codes::Wide(v) => v.push(code),
        }
    }

    fn reserve(&mut self, rows: usize) {
        match self {
            Codes::Narrow(v) => v.reserve(rows),
            Codes::Wide(v) => v.reserve(rows),
        }
    }

    /// Appends `codes`, widening the column once if one needs it.
    pub(crate) fn extend(&mut self, codes: &[u32]) {
        if let Codes::Narrow(v) = self
            && codes.iter().all(|&c| u16::try_from(c).is_ok())
        {
            v.extend(codes.iter().map(|&c| u16::try_from(c).unwrap_or(u16::MAX)));
            return;
        }
        for &c in codes {
            self.push(c);
        }
    }

    /// Record `i`'s code, `None` past the end.
    pub(crate) fn get(&self, i: usize) -> Option<u32> {
        match self {
            Codes::Narrow(v) => v.get(i).map(|&c| u32::from(c)),
            Codes::Wide(v) => v.get(i).copied(),
        }
    }

    #[allow(dead_code)] // read by the tests
    pub(crate) fn len(&self) -> usize {
        match self {
            Codes::Narrow(v) => v.len(),
            Codes::Wide(v) => v.len(),
        }
    }

    /// Every record's code, in record order.
    #[allow(dead_code)] // read by the tests
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn shrink(&mut self) {
        match self {
            Codes::Narrow(v) => v.shrink_to_fit(),
            Codes::Wide(v) => v.shrink_to_fit(),
        }
    }
}

impl From<&[u8]> for Codes {
    fn from(v: &[u8]) -> Self {
        Codes::Narrow(v.iter().map(|&c| u16::from(c)).collect())
    }
}

impl DictColumn {
    /// The code of `v`, added to the dictionary when new.
    pub(crate) fn code(&mut self, v: &str) -> u32 {
        if let Some(&c) = self.lookup.get(v) {
            c
        } else {
            self.dict.push(v.to_owned());
            let c = u32::try_from(self.dict.len()).unwrap_or(u32::MAX);
            self.lookup.insert(v.to_owned(), c);
            c
        }
    }

    fn finish(&mut self) {
        self.lookup = FxHashMap::default();
        self.codes.shrink();
    }
}

/// The org tree: every unit at every level, and each record's leaf unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrgTree {
    /// Node names.
    pub(crate) names: Vec<String>,
    /// Parent node index, `u32::MAX` for a top-level unit.
    pub(crate) parents: Vec<u32>,
    /// Depth from the top, 0 for top-level units.
    pub(crate) depths: Vec<u8>,
    /// The unit each record belongs to.
    pub(crate) leaf: Vec<u32>,
    lookup: FxHashMap<(u32, String), u32>,
}

impl OrgTree {
    /// The node of `path` (`u32::MAX` for an empty path), created with its
    /// ancestors when new.
    pub(crate) fn node(&mut self, path: &[String]) -> u32 {
        path.iter()
            .fold(u32::MAX, |parent, name| self.child(parent, name))
    }

    /// The child `name` of `parent` (`u32::MAX`: the top), created when new.
    pub(crate) fn child(&mut self, parent: u32, name: &str) -> u32 {
        // Looking up by an owned key costs an allocation; only a new node pays it.
        let key = (parent, name.to_owned());
        if let Some(&node) = self.lookup.get(&key) {
            return node;
        }
        let depth = match self.depths.get(parent as usize) {
            Some(d) => d.saturating_add(1),
            None => 0,
        };
        let node = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(key.1.clone());
        self.parents.push(parent);
        self.depths.push(depth);
        self.lookup.insert(key, node);
        node
    }

    /// The full path of node `node`.
    pub(crate) fn path(&self, node: u32) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = node;
        while let Some(name) = self.names.get(at as usize) {
            out.push(name.clone());
            at = self.parents[at as usize];
        }
        out.reverse();
        out
    }
}

/// Free-text answers, stored sparsely: only answered rows, in row order.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextColumn {
    pub(crate) rows: Vec<u32>,
    pub(crate) ends: Vec<u32>,
    pub(crate) bytes: String,
}

impl TextColumn {
    /// The answers with their row numbers.
    #[allow(dead_code)] // read by the comment analyses and the tests
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.iter_rows(0..u32::MAX)
    }

    /// The answers of the rows in `rows`, with their row numbers.
    pub(crate) fn iter_rows(
        &self,
        rows: std::ops::Range<u32>,
    ) -> impl Iterator<Item = (u32, &str)> {
        let from = self.rows.partition_point(|&r| r < rows.start);
        let to = self.rows.partition_point(|&r| r < rows.end);
        (from..to).map(move |i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
            (self.rows[i], &self.bytes[start..self.ends[i] as usize])
        })
    }
}

/// One question's answers.
#[derive(Debug, Clone)]
pub(crate) enum AnswerColumn {
    /// `0` unanswered, `1..=n` a point, [`LIKERT_NA`] not applicable.
    Likert(Vec<u8>),
    /// [`RATING_NONE`] unanswered, else the value.
    Rating(Vec<u8>),
    /// [`CHOICE_NONE`] unanswered, else the option index.
    Single(Vec<u16>),
    /// Which options each record ticked (see [`Ticks`]).
    Multiple(Ticks),
    /// `0` unanswered, `1` no, `2` yes.
    YesNo(Vec<u8>),
    /// Sparse free text.
    Text(TextColumn),
    /// Days since 0001-01-01 (CE), [`DATE_NONE`] unanswered.
    Date(Vec<i32>),
}

/// The options ticked per record of a multiple-choice question: bit `i`
/// ticks option `i`, the top bit marks an answer (possibly with no option
/// ticked). As narrow as the question's options allow: the standard reasons
/// question (15 options) takes 2 bytes a record, not 8.
#[derive(Debug, Clone)]
pub(crate) enum Ticks {
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Ticks {
    fn for_options(options: usize) -> Self {
        match options {
            0..=15 => Ticks::U16(Vec::new()),
            16..=31 => Ticks::U32(Vec::new()),
            _ => Ticks::U64(Vec::new()),
        }
    }

    fn reserve(&mut self, rows: usize) {
        match self {
            Ticks::U16(v) => v.reserve(rows),
            Ticks::U32(v) => v.reserve(rows),
            Ticks::U64(v) => v.reserve(rows),
        }
    }

    fn shrink(&mut self) {
        match self {
            Ticks::U16(v) => v.shrink_to_fit(),
            Ticks::U32(v) => v.shrink_to_fit(),
            Ticks::U64(v) => v.shrink_to_fit(),
        }
    }
}

/// No tenure bound: unknown, or (as an upper bound) open.
pub(crate) const TENURE_NONE: u16 = u16::MAX;
pub(crate) const LIKERT_NA: u8 = u8::MAX;
pub(crate) const RATING_NONE: u8 = u8::MAX;
pub(crate) const CHOICE_NONE: u16 = u16::MAX;
pub(crate) const DATE_NONE: i32 = i32::MIN;

impl AnswerColumn {
    fn for_kind(kind: &QuestionKind) -> Self {
        match kind {
            QuestionKind::Likert { .. } => AnswerColumn::Likert(Vec::new()),
            QuestionKind::Rating { .. } => AnswerColumn::Rating(Vec::new()),
            QuestionKind::SingleChoice { .. } => AnswerColumn::Single(Vec::new()),
            QuestionKind::MultipleChoice { options, .. } => {
                AnswerColumn::Multiple(Ticks::for_options(options.len()))
            }
            QuestionKind::YesNo => AnswerColumn::YesNo(Vec::new()),
            QuestionKind::FreeText { .. } => AnswerColumn::Text(TextColumn::default()),
            QuestionKind::Date => AnswerColumn::Date(Vec::new()),
        }
    }

    /// Appends the row's value (or "unanswered" for `None`).
    fn push(&mut self, row: u32, value: Option<Checked<'_>>) {
        if let AnswerColumn::Text(t) = self {
            if let Some(Checked::Text(s)) = value {
                t.rows.push(row);
                t.bytes.push_str(s);
                t.ends
                    .push(u32::try_from(t.bytes.len()).unwrap_or(u32::MAX));
            }
            return;
        }
        let cell = self.encode(value);
        self.extend_encoded(std::slice::from_ref(&cell));
    }

    /// The cell this column stores for a value (`None`: unanswered),
    /// widened to 64 bits: an import encodes each distinct value once and
    /// appends a run of rows' cells with [`AnswerColumn::extend_encoded`].
    /// (A text column keeps its text apart: 0.) Ticks keep the top bit of
    /// their width for "answered": a questionnaire check has limited the
    /// options, so the mask fits below it.
    fn encode(&self, value: Option<Checked<'_>>) -> u64 {
        use chrono::Datelike;
        let ticks = |top: u64| match value {
            Some(Checked::Choices(m)) => (m & (top - 1)) | top,
            _ => 0,
        };
        match (self, value) {
            (AnswerColumn::Likert(_), Some(Checked::Likert(0))) => u64::from(LIKERT_NA),
            (AnswerColumn::Likert(_), Some(Checked::Likert(p))) => u64::from(p),
            (AnswerColumn::Rating(_), Some(Checked::Rating(r))) => u64::from(r),
            (AnswerColumn::Rating(_), _) => u64::from(RATING_NONE),
            (AnswerColumn::Single(_), Some(Checked::Choice(c))) => u64::from(c),
            (AnswerColumn::Single(_), _) => u64::from(CHOICE_NONE),
            (AnswerColumn::Multiple(Ticks::U16(_)), _) => ticks(1 << 15),
            (AnswerColumn::Multiple(Ticks::U32(_)), _) => ticks(1 << 31),
            (AnswerColumn::Multiple(Ticks::U64(_)), _) => ticks(1 << 63),
            (AnswerColumn::YesNo(_), Some(Checked::YesNo(b))) => {
                if b {
                    2
                } else {
                    1
                }
            }
            (AnswerColumn::Likert(_) | AnswerColumn::YesNo(_) | AnswerColumn::Text(_), _) => 0,
            (AnswerColumn::Date(_), Some(Checked::Date(d))) => {
                u64::from(d.num_days_from_ce().cast_unsigned())
            }
            (AnswerColumn::Date(_), _) => u64::from(DATE_NONE.cast_unsigned()),
        }
    }

    /// Appends cells made by [`AnswerColumn::encode`] for this column.
    fn extend_encoded(&mut self, cells: &[u64]) {
        fn narrow<T: TryFrom<u64> + Default>(v: &mut Vec<T>, cells: &[u64]) {
            // Every cell came from `encode` for this column, so it fits.
            v.extend(cells.iter().map(|&c| T::try_from(c).unwrap_or_default()));
        }
        match self {
            AnswerColumn::Likert(v) | AnswerColumn::Rating(v) | AnswerColumn::YesNo(v) => {
                narrow(v, cells);
            }
            AnswerColumn::Single(v) | AnswerColumn::Multiple(Ticks::U16(v)) => narrow(v, cells),
            AnswerColumn::Multiple(Ticks::U32(v)) => narrow(v, cells),
            AnswerColumn::Multiple(Ticks::U64(v)) => v.extend_from_slice(cells),
            AnswerColumn::Date(v) => v.extend(
                cells
                    .iter()
                    .map(|&c| u32::try_from(c).map_or(DATE_NONE, u32::cast_signed)),
            ),
            AnswerColumn::Text(_) => {}
        }
    }

    fn reserve(&mut self, rows: usize) {
        match self {
            AnswerColumn::Likert(v) | AnswerColumn::Rating(v) | AnswerColumn::YesNo(v) => {
                v.reserve(rows);
            }
            AnswerColumn::Single(v) => v.reserve(rows),
            AnswerColumn::Multiple(t) => t.reserve(rows),
            AnswerColumn::Date(v) => v.reserve(rows),
            // Most rows leave most comments empty: no guess is better than growing.
            AnswerColumn::Text(_) => {}
        }
    }

    fn shrink(&mut self) {
        match self {
            AnswerColumn::Likert(v) | AnswerColumn::Rating(v) | AnswerColumn::YesNo(v) => {
                v.shrink_to_fit();
            }
            AnswerColumn::Single(v) => v.shrink_to_fit(),
            AnswerColumn::Multiple(t) => t.shrink(),
            AnswerColumn::Date(v) => v.shrink_to_fit(),
            AnswerColumn::Text(t) => {
                t.rows.shrink_to_fit();
                t.ends.shrink_to_fit();
                t.bytes.shrink_to_fit();
            }
        }
    }
}

/// Validated exit records of one questionnaire, stored by column.
///
/// Build one with [`Dataset::from_records`], [`Dataset::from_json_values`] or
/// a CSV import ([`crate::Mapping::import_csv`]). Row-level data stays inside:
/// what leaves a dataset goes through the analyses and the privacy layer.
///
/// ```
/// use exitcore::{Answer, Dataset, ExitRecord, Questionnaire};
/// let q = Questionnaire::standard();
/// let mut good = ExitRecord::new("r1", &q, ["Sales"]);
/// good.answers.insert("primary_reason".into(), Answer::text("pay"));
/// good.answers.insert("enps".into(), Answer::Number(6));
/// good.answers.insert("would_return".into(), Answer::Bool(true));
/// let mut bad = good.clone();
/// bad.respondent = "r2".into();
/// bad.answers.insert("enps".into(), Answer::Number(11));
/// let loaded = Dataset::from_records(&q, [good, bad]);
/// assert_eq!(loaded.dataset.len(), 1);
/// assert_eq!(loaded.problems[0].to_string(), "row 2, record r2, field answers.enps: 11 is outside 0..=10");
/// ```
#[derive(Debug, Clone)]
pub struct Dataset {
    pub(crate) questionnaire: Questionnaire,
    pub(crate) len: usize,
    pub(crate) org: OrgTree,
    pub(crate) job_family: DictColumn,
    pub(crate) manager: DictColumn,
    pub(crate) location: DictColumn,
    pub(crate) age_band: DictColumn,
    pub(crate) tenure_band: DictColumn,
    /// Tenure lower bound in months, [`TENURE_NONE`] unknown (a checked
    /// tenure is at most [`crate::record::TENURE_MAX_MONTHS`], so two bytes do).
    pub(crate) tenure_min: Vec<u16>,
    /// Tenure upper bound in months (exclusive), [`TENURE_NONE`] open or unknown.
    pub(crate) tenure_max: Vec<u16>,
    /// Exit year, `0` unknown.
    pub(crate) exit_year: Vec<i16>,
    /// Exit month 1-12, `0` unknown.
    pub(crate) exit_month: Vec<u8>,
    /// Exit day 1-31, `0` unknown.
    pub(crate) exit_day: Vec<u8>,
    /// `0` unknown, else `ExitType::ALL` index + 1.
    pub(crate) exit_type: Vec<u8>,
    /// `0` unknown, else `InterviewerType::ALL` index + 1.
    pub(crate) interviewer: Vec<u8>,
    /// `0` unknown, `1` no, `2` yes.
    pub(crate) regrettable: Vec<u8>,
    /// One column per question, in questionnaire order.
    pub(crate) answers: Vec<AnswerColumn>,
    /// A 64-bit fingerprint of each respondent id ([`fingerprint`]), so a
    /// release ledger can tell which of today's respondents an earlier
    /// release covered without the dataset keeping the ids themselves.
    pub(crate) respondent: Vec<u64>,
}

/// The result of a bulk load: the dataset of every valid record, and every
/// problem found in the others. The caller decides whether problems are fatal.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The valid records.
    pub dataset: Dataset,
    /// Every problem, with row, respondent and field.
    pub problems: Vec<Problem>,
    /// How many input rows were rejected.
    pub rejected: usize,
}

/// Size and shape of a dataset; contains no answer data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Questionnaire id.
    pub questionnaire: String,
    /// Questionnaire version.
    pub version: u32,
    /// Number of records.
    pub records: usize,
    /// Number of org units at any level.
    pub org_units: usize,
    /// Depth of the org tree.
    pub org_levels: usize,
    /// Number of questions.
    pub questions: usize,
    /// Distinct job families.
    pub job_families: usize,
    /// Distinct managers.
    pub managers: usize,
    /// Distinct locations.
    pub locations: usize,
}

/// A dimension column of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dim {
    JobFamily,
    Manager,
    Location,
    AgeBand,
    TenureBand,
}

/// One valid row in the dataset's codes (see [`Builder::store_row`]).
#[derive(Debug)]
pub(crate) struct CodedRow<'a> {
    pub(crate) respondent: &'a str,
    /// Leaf org node ([`OrgTree::node`]).
    pub(crate) org: u32,
    /// Codes of job family, manager, location, age band, tenure band (0 unknown).
    pub(crate) dims: [u32; 5],
    pub(crate) tenure: Option<Tenure>,
    pub(crate) exit_date: Option<PartialDate>,
    pub(crate) exit_type: u8,
    pub(crate) interviewer: u8,
    pub(crate) regrettable: u8,
}

/// Rows in the dataset's codes, a column each (see [`Builder::store_rows`]):
/// every column holds at least as many rows as `respondents`.
#[derive(Debug)]
pub(crate) struct CodedRows<'a> {
    /// Fingerprints of the respondents, claimed ([`Builder::claim_all`]).
    pub(crate) respondents: &'a [u64],
    pub(crate) org: &'a [u32],
    pub(crate) dims: [&'a [u32]; 5],
    pub(crate) tenure: &'a [Option<Tenure>],
    pub(crate) exit_date: &'a [Option<PartialDate>],
    /// Exit type, interviewer and regrettable codes.
    pub(crate) codes: [&'a [u8]; 3],
}

/// The respondent ids seen so far, for the duplicate check. A million
/// owned `String`s in a set cost more than the rest of an import, so ids
/// live in one buffer, and the table holds their index and a tag. Ids that
/// share a fingerprint are told apart by their text.
///
/// The table is open addressing with linear probing, at most half full,
/// and an id's first slot is the top bits of its slot hash: ids sorted by
/// that hash are in table order. An import claims a run of ids that way
/// ([`Respondents::insert_run`]), so one id's slots are next to the last
/// one's and in cache, instead of a trip to memory (and, for a table of
/// megabytes, a page walk) each; a hash table whose slot comes from the
/// hash's low bits (hashbrown's) cannot be walked in order.
#[derive(Debug, Default)]
struct Respondents {
    /// 0: empty; else the id's index + 1 in the low 32 bits and the top
    /// 32 bits of its slot hash (the tag) above. A power of two long.
    slots: Vec<u64>,
    /// Per id: its fingerprint and where its text ends.
    fingerprints: Vec<u64>,
    ends: Vec<usize>,
    text: String,
}

impl Respondents {
    fn slot_hash(fingerprint: u64) -> u64 {
        // FNV's bits are not all equally mixed; a multiply by an odd 64-bit
        // constant makes each top bit (the probe's start and the tag) depend
        // on every bit below it. Not `FxHasher`: it hashes in `usize`, so on
        // wasm32 the top half was zero, every probe started at slot 0 and
        // `fromRecords` took quadratic time (100k records: 22 s).
        fingerprint.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// A full slot: the tag of slot hash `hash` and `index` (the id's + 1).
    fn slot(hash: u64, index: u32) -> u64 {
        (hash & !0xFFFF_FFFF) | u64::from(index)
    }

    /// Where the probe for slot hash `hash` starts.
    fn home(&self, hash: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        if bits == 0 {
            return 0;
        }
        usize::try_from(hash >> (64 - bits)).unwrap_or(0)
    }

    /// Whether the id stored at `index` is `id`, with fingerprint `fingerprint`.
    fn is(&self, index: usize, fingerprint: u64, id: &str) -> bool {
        let start = index.checked_sub(1).and_then(|p| self.ends.get(p)).copied();
        self.fingerprints.get(index) == Some(&fingerprint)
            && self
                .ends
                .get(index)
                .and_then(|&end| self.text.get(start.unwrap_or(0)..end))
                == Some(id)
    }

    /// The slot holding `id` (`Ok`), or the empty slot where it would go.
    fn find(&self, fingerprint: u64, hash: u64, id: &str) -> std::result::Result<usize, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = hash >> 32;
        let mut at = self.home(hash);
        // At most half the slots are full, so the probe meets an empty one.
        for _ in 0..self.slots.len() {
            let slot = self.slots.get(at).copied().unwrap_or(0);
            if slot == 0 {
                return Err(at);
            }
            let index = usize::try_from((slot & 0xFFFF_FFFF) - 1).unwrap_or(usize::MAX);
            if slot >> 32 == tag && self.is(index, fingerprint, id) {
                return Ok(at);
            }
            at = (at + 1) & mask;
        }
        Err(usize::MAX)
    }

    /// Whether `id` (whose fingerprint is `fingerprint`) was stored.
    fn contains(&self, fingerprint: u64, id: &str) -> bool {
        !self.slots.is_empty()
            && self
                .find(fingerprint, Self::slot_hash(fingerprint), id)
                .is_ok()
    }

    /// Stores `id` unless it was stored before; whether it is new.
    fn insert(&mut self, fingerprint: u64, id: &str) -> bool {
        self.reserve(1);
        self.insert_hashed(fingerprint, Self::slot_hash(fingerprint), id)
    }

    /// [`Respondents::insert`] with the slot hash worked out, in a table
    /// with room.
    fn insert_hashed(&mut self, fingerprint: u64, hash: u64, id: &str) -> bool {
        let Ok(index) = u32::try_from(self.fingerprints.len() + 1) else {
            // Past 4 billion ids: none is new to a table that cannot grow.
            return false;
        };
        match self.find(fingerprint, hash, id) {
            Ok(_) => false,
            Err(at) => {
                let Some(slot) = self.slots.get_mut(at) else {
                    return false;
                };
                *slot = Self::slot(hash, index);
                self.fingerprints.push(fingerprint);
                self.text.push_str(id);
                self.ends.push(self.text.len());
                true
            }
        }
    }

    /// Inserts the ids of a run (`fingerprints[i]` is `ids[i]`'s), in
    /// table order, and says which were new: the same answers as inserting
    /// them one after another, as a repeated id has the same slot hash as
    /// its first and the sort keeps their order.
    fn insert_run(&mut self, fingerprints: &[u64], ids: &[&str], new: &mut Vec<bool>) {
        /// Ids are put in table order by the top bits of their slot hash:
        /// 4,096 parts, each a few kilobytes of slots in a million-id table.
        const BITS: u32 = 12;
        self.reserve(ids.len());
        let hashes: Vec<u64> = fingerprints.iter().map(|&f| Self::slot_hash(f)).collect();
        let part = |h: u64| usize::try_from(h >> (64 - BITS)).unwrap_or(0);
        // A counting sort: stable, so a repeated id comes after its first.
        let mut starts = vec![0usize; (1 << BITS) + 1];
        for &h in &hashes {
            starts[part(h) + 1] += 1;
        }
        for p in 1..starts.len() {
            starts[p] += starts[p - 1];
        }
        let mut order = vec![0usize; hashes.len()];
        for (i, &h) in hashes.iter().enumerate() {
            let p = part(h);
            if let Some(o) = order.get_mut(starts[p]) {
                *o = i;
            }
            starts[p] += 1;
        }
        // Every id's first slot brought into cache before any insert: the
        // loads have no branch waiting on them, so dozens are in flight at
        // once, where an insert waits on its own before the next can start.
        let warm = order.iter().fold(0u64, |acc, &i| {
            let at = hashes.get(i).map_or(0, |&h| self.home(h));
            acc ^ self.slots.get(at).copied().unwrap_or(0)
        });
        std::hint::black_box(warm);
        new.clear();
        new.resize(ids.len(), false);
        for i in order {
            if let (Some(&f), Some(&h), Some(id)) = (fingerprints.get(i), hashes.get(i), ids.get(i))
            {
                new[i] = self.insert_hashed(f, h, id);
            }
        }
    }

    /// Room for `more` ids with the table at most half full.
    fn reserve(&mut self, more: usize) {
        let need = (self.fingerprints.len() + more).saturating_mul(2).max(16);
        if need <= self.slots.len() {
            return;
        }
        let size = need.next_power_of_two();
        self.slots = vec![0; size];
        let mask = size - 1;
        for (i, &f) in self.fingerprints.iter().enumerate() {
            let hash = Self::slot_hash(f);
            let mut at = self.home(hash);
            while self.slots.get(at).is_some_and(|&s| s != 0) {
                at = (at + 1) & mask;
            }
            let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = Self::slot(hash, index);
            }
        }
        self.fingerprints.reserve(more);
        self.ends.reserve(more);
    }
}

/// Builds a [`Dataset`] row by row, validating each record as it comes.
#[derive(Debug)]
pub(crate) struct Builder {
    ds: Dataset,
    seen: Respondents,
    problems: Vec<Problem>,
    rejected: usize,
}

impl Builder {
    pub(crate) fn new(questionnaire: &Questionnaire) -> Self {
        let answers = questionnaire
            .questions
            .iter()
            .map(|q| AnswerColumn::for_kind(&q.kind))
            .collect();
        Builder {
            ds: Dataset {
                questionnaire: questionnaire.clone(),
                len: 0,
                org: OrgTree::default(),
                job_family: DictColumn::default(),
                manager: DictColumn::default(),
                location: DictColumn::default(),
                age_band: DictColumn::default(),
                tenure_band: DictColumn::default(),
                tenure_min: Vec::new(),
                tenure_max: Vec::new(),
                exit_year: Vec::new(),
                exit_month: Vec::new(),
                exit_day: Vec::new(),
                exit_type: Vec::new(),
                interviewer: Vec::new(),
                regrettable: Vec::new(),
                answers,
                respondent: Vec::new(),
            },
            seen: Respondents::default(),
            problems: Vec::new(),
            rejected: 0,
        }
    }

    /// Records a problem found before the record could be built (parsing, mapping).
    pub(crate) fn reject(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.extend(problems);
        self.rejected += 1;
    }

    /// Validates `record` (1-based input row `row`) and stores it when valid.
    pub(crate) fn push(&mut self, row: u64, record: &ExitRecord) -> bool {
        let migrated;
        let q = &self.ds.questionnaire;
        let record = if record.version != q.version && record.questionnaire == q.id {
            match q.migrate(record) {
                Ok(r) => {
                    migrated = r;
                    &migrated
                }
                Err(e) => {
                    let p = Problem::new(ProblemKind::WrongQuestionnaire, "version", e.to_string());
                    self.reject_located(row, record, vec![p]);
                    return false;
                }
            }
        } else {
            record
        };
        let mut problems = Vec::new();
        let mut values: Vec<(usize, Checked<'_>)> = Vec::new();
        q.check_record(record, |p| problems.push(p), |i, v| values.push((i, v)));
        if !record.respondent.is_empty() && self.is_duplicate(&record.respondent) {
            problems.push(Problem::new(
                ProblemKind::DuplicateRespondent,
                "respondent",
                format!(
                    "respondent {:?} appears more than once; only the first is kept",
                    record.respondent
                ),
            ));
        }
        if !problems.is_empty() {
            self.reject_located(row, record, problems);
            return false;
        }
        self.store(record, &values);
        true
    }

    fn reject_located(&mut self, row: u64, record: &ExitRecord, problems: Vec<Problem>) {
        let located = problems.into_iter().map(|p| {
            let p = p.at_row(row);
            if record.respondent.is_empty() {
                p
            } else {
                p.for_respondent(record.respondent.clone())
            }
        });
        self.reject(located.collect::<Vec<_>>());
    }

    fn store(&mut self, record: &ExitRecord, values: &[(usize, Checked<'_>)]) {
        let c = &record.context;
        let ds = &mut self.ds;
        let org = ds.org.node(&c.org_unit);
        let band = c.tenure.map(|t| t.band_label());
        let code = |d: &mut DictColumn, v: Option<&str>| v.map_or(0, |v| d.code(v));
        let dims = [
            code(&mut ds.job_family, c.job_family.as_deref()),
            code(&mut ds.manager, c.manager.as_deref()),
            code(&mut ds.location, c.location.as_deref()),
            code(&mut ds.age_band, c.age_band.as_deref()),
            code(&mut ds.tenure_band, band.as_deref()),
        ];
        let mut answers = vec![None; ds.answers.len()];
        for (i, v) in values {
            answers[*i] = Some(*v);
        }
        self.store_row(
            &CodedRow {
                respondent: &record.respondent,
                org,
                dims,
                tenure: c.tenure,
                exit_date: c.exit_date,
                exit_type: code_of(c.exit_type, &ExitType::ALL),
                interviewer: code_of(c.interviewer, &InterviewerType::ALL),
                regrettable: match c.regrettable {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                },
            },
            answers,
        );
    }

    /// The dictionary of a dimension column, to code a value before [`Builder::store_row`].
    pub(crate) fn dict(&mut self, dim: Dim) -> &mut DictColumn {
        let ds = &mut self.ds;
        match dim {
            Dim::JobFamily => &mut ds.job_family,
            Dim::Manager => &mut ds.manager,
            Dim::Location => &mut ds.location,
            Dim::AgeBand => &mut ds.age_band,
            Dim::TenureBand => &mut ds.tenure_band,
        }
    }

    /// The org tree, to find a row's unit before [`Builder::store_row`].
    pub(crate) fn org(&mut self) -> &mut OrgTree {
        &mut self.ds.org
    }

    /// Whether `respondent` was stored before.
    pub(crate) fn is_duplicate(&self, respondent: &str) -> bool {
        self.seen.contains(fingerprint(respondent), respondent)
    }

    /// Stores a row that has passed every check, already coded: the
    /// shared last step of the record path and the import engine.
    /// `answers` has one entry per question, in questionnaire order.
    pub(crate) fn store_row<'c>(
        &mut self,
        r: &CodedRow<'_>,
        answers: impl IntoIterator<Item = Option<Checked<'c>>>,
    ) {
        let fingerprint = fingerprint(r.respondent);
        self.seen.insert(fingerprint, r.respondent);
        let d = r.dims;
        let rows = CodedRows {
            respondents: &[fingerprint],
            org: &[r.org],
            dims: [&[d[0]], &[d[1]], &[d[2]], &[d[3]], &[d[4]]],
            tenure: &[r.tenure],
            exit_date: &[r.exit_date],
            codes: [&[r.exit_type], &[r.interviewer], &[r.regrettable]],
        };
        let (first, _) = self.store_context(&rows);
        // Every column takes a cell, answered or not.
        let mut answers = answers.into_iter();
        for col in &mut self.ds.answers {
            col.push(first, answers.next().flatten());
        }
    }

    /// Room for `rows` more rows, for an import that knows how many it
    /// reads: the columns and the duplicate check's index then grow once,
    /// not by doubling and copying (and `finish` gives back what the
    /// rejected rows leave unused).
    pub(crate) fn reserve(&mut self, rows: usize) {
        let ds = &mut self.ds;
        self.seen.reserve(rows);
        ds.respondent.reserve(rows);
        ds.org.leaf.reserve(rows);
        for d in ds.dims_mut() {
            d.codes.reserve(rows);
        }
        ds.tenure_min.reserve(rows);
        ds.tenure_max.reserve(rows);
        ds.exit_year.reserve(rows);
        ds.exit_month.reserve(rows);
        ds.exit_day.reserve(rows);
        ds.exit_type.reserve(rows);
        ds.interviewer.reserve(rows);
        ds.regrettable.reserve(rows);
        for col in &mut ds.answers {
            col.reserve(rows);
        }
    }

    /// The cell question `q`'s column stores for a value (`None`:
    /// unanswered), for [`Builder::store_rows`] (0 for a text question).
    pub(crate) fn encode(&self, q: usize, value: Option<Checked<'_>>) -> u64 {
        self.ds.answers.get(q).map_or(0, |col| col.encode(value))
    }

    /// Marks each id of a run as stored, for the duplicate check, in
    /// order, unless it was stored before (or earlier in the run), for
    /// [`Builder::store_rows`]. The fingerprints of the ids claimed go to
    /// `claimed`, the indices (in `ids`) of the ids stored before, or
    /// earlier in the run, to `repeats`.
    pub(crate) fn claim_all(
        &mut self,
        ids: &[&str],
        claimed: &mut Vec<u64>,
        repeats: &mut Vec<usize>,
    ) {
        let fingerprints: Vec<u64> = ids.iter().map(|id| fingerprint(id)).collect();
        let mut new = Vec::new();
        self.seen.insert_run(&fingerprints, ids, &mut new);
        for (i, (&f, new)) in fingerprints.iter().zip(new).enumerate() {
            if new {
                claimed.push(f);
            } else {
                repeats.push(i);
            }
        }
    }

    /// Stores rows that have passed every check, already coded and their
    /// respondents claimed, a column at a time: what [`Builder::store_row`]
    /// does for each in turn. `cells[q]` holds each row's answer to
    /// question `q` as [`Builder::encode`] makes it; `texts(q, answers)`
    /// puts a text question's answers in `answers`, in row order, each
    /// with its row (counted from 0); a row not among them has none.
    pub(crate) fn store_rows<'c>(
        &mut self,
        rows: &CodedRows<'_>,
        cells: &[Vec<u64>],
        mut texts: impl FnMut(usize, &mut Vec<(usize, &'c str)>),
    ) {
        let (first, n) = self.store_context(rows);
        let mut answers = Vec::new();
        for (q, col) in self.ds.answers.iter_mut().enumerate() {
            if matches!(col, AnswerColumn::Text(_)) {
                answers.clear();
                texts(q, &mut answers);
                for &(i, text) in answers.iter().take_while(|&&(i, _)| i < n) {
                    let row = u32::try_from(i).map_or(u32::MAX, |i| first.saturating_add(i));
                    col.push(row, Some(Checked::Text(text)));
                }
                continue;
            }
            let cells = cells.get(q).map_or(&[][..], |c| &c[..n.min(c.len())]);
            col.extend_encoded(cells);
            // A question the caller gave too few cells for is unanswered,
            // so every column keeps one cell a row.
            if cells.len() < n {
                let none = col.encode(None);
                col.extend_encoded(&vec![none; n - cells.len()]);
            }
        }
    }

    /// Stores the rows' columns other than the answers: the first row's
    /// index and the number of rows stored.
    fn store_context(&mut self, rows: &CodedRows<'_>) -> (u32, usize) {
        // The columns are as long as each other (the engine fills them
        // together); were one short, no column would take the extra rows.
        let n = [rows.respondents.len(), rows.org.len(), rows.tenure.len()]
            .into_iter()
            .chain([rows.exit_date.len()])
            .chain(rows.dims.iter().map(|d| d.len()))
            .chain(rows.codes.iter().map(|c| c.len()))
            .min()
            .unwrap_or(0);
        let ds = &mut self.ds;
        let first = u32::try_from(ds.len).unwrap_or(u32::MAX);
        ds.respondent.extend_from_slice(&rows.respondents[..n]);
        ds.org.leaf.extend_from_slice(&rows.org[..n]);
        for (d, codes) in ds.dims_mut().into_iter().zip(rows.dims) {
            d.codes.extend(&codes[..n]);
        }
        let months = |m: Option<u32>| m.and_then(|m| u16::try_from(m).ok()).unwrap_or(TENURE_NONE);
        let tenure = &rows.tenure[..n];
        ds.tenure_min
            .extend(tenure.iter().map(|t| months(t.map(|t| t.min_months))));
        ds.tenure_max
            .extend(tenure.iter().map(|t| months(t.and_then(|t| t.max_months))));
        let exit = &rows.exit_date[..n];
        ds.exit_year.extend(
            exit.iter()
                .map(|d| d.map_or(0, |d| i16::try_from(d.year).unwrap_or(0))),
        );
        ds.exit_month
            .extend(exit.iter().map(|d| d.and_then(|d| d.month).unwrap_or(0)));
        ds.exit_day
            .extend(exit.iter().map(|d| d.and_then(|d| d.day).unwrap_or(0)));
        ds.exit_type.extend_from_slice(&rows.codes[0][..n]);
        ds.interviewer.extend_from_slice(&rows.codes[1][..n]);
        ds.regrettable.extend_from_slice(&rows.codes[2][..n]);
        ds.len += n;
        (first, n)
    }

    pub(crate) fn finish(mut self) -> Loaded {
        let ds = &mut self.ds;
        for d in ds.dims_mut() {
            d.finish();
        }
        ds.org.lookup = FxHashMap::default();
        // Columns grow by doubling: without this, a data set just past a
        // power of two would hold up to twice the memory it needs.
        ds.org.leaf.shrink_to_fit();
        ds.tenure_min.shrink_to_fit();
        ds.tenure_max.shrink_to_fit();
        ds.exit_year.shrink_to_fit();
        ds.exit_month.shrink_to_fit();
        ds.exit_day.shrink_to_fit();
        ds.exit_type.shrink_to_fit();
        ds.interviewer.shrink_to_fit();
        ds.regrettable.shrink_to_fit();
        ds.respondent.shrink_to_fit();
        for col in &mut ds.answers {
            col.shrink();
        }
        Loaded {
            dataset: self.ds,
            problems: self.problems,
            rejected: self.rejected,
        }
    }
}

/// FNV-1a (64 bit) of a respondent id. It must stay stable across versions
/// and platforms because ledgers persist it; it need not be secret, since a
/// ledger only says who was in an earlier release, and who left is known.
pub(crate) fn fingerprint(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn code_of<T: PartialEq + Copy>(value: Option<T>, all: &[T]) -> u8 {
    value
        .and_then(|v| all.iter().position(|a| *a == v))
        .and_then(|p| u8::try_from(p + 1).ok())
        .unwrap_or(0)
}

impl Dataset {
    /// The dimension columns in the order of a coded row's `dims`.
    fn dims_mut(&mut self) -> [&mut DictColumn; 5] {
        [
            &mut self.job_family,
            &mut self.manager,
            &mut self.location,
            &mut self.age_band,
            &mut self.tenure_band,
        ]
    }

    /// Validates records and stores the valid ones; every problem is
    /// collected with its 1-based position in the input as the row.
    /// Records of an earlier version of the questionnaire are carried over
    /// through its `previous_versions` mapping.
    pub fn from_records<I>(questionnaire: &Questionnaire, records: I) -> Loaded
    where
        I: IntoIterator,
        I::Item: std::borrow::Borrow<ExitRecord>,
    {
        let mut b = Builder::new(questionnaire);
        for (i, r) in records.into_iter().enumerate() {
            b.push(i as u64 + 1, std::borrow::Borrow::borrow(&r));
        }
        b.finish()
    }

    /// Like [`Dataset::from_records`], from JSON-like values (what Python
    /// dicts and JS objects arrive as): a value that is not a record at all
    /// becomes a problem naming its path, and the rest still load.
    ///
    /// ```
    /// use exitcore::{Dataset, Questionnaire};
    /// let values: Vec<serde_json::Value> = serde_json::from_str(r#"[
    ///   {"respondent": "a", "questionnaire": "exitcore.standard", "version": 1,
    ///    "context": {"org_unit": ["Sales"]},
    ///    "answers": {"primary_reason": "pay", "enps": 7, "would_return": true}},
    ///   {"respondent": "b", "questionnaire": "exitcore.standard", "version": 1,
    ///    "context": {"org_unit": ["Sales"], "tenure": "long"}}
    /// ]"#).unwrap();
    /// let loaded = Dataset::from_json_values(&Questionnaire::standard(), values);
    /// assert_eq!(loaded.dataset.len(), 1);
    /// assert_eq!(loaded.problems[0].field, "context.tenure");
    /// ```
    pub fn from_json_values(
        questionnaire: &Questionnaire,
        values: Vec<serde_json::Value>,
    ) -> Loaded {
        Self::from_json_inputs(questionnaire, values.into_iter().map(Ok))
    }

    /// Like [`Dataset::from_json_values`], for bindings whose elements may
    /// fail to become JSON at all (a Python `set`, a JS function): an `Err`
    /// becomes a problem at its row with the given reason, and the other
    /// rows still load.
    ///
    /// ```
    /// use exitcore::{Dataset, Questionnaire};
    /// let loaded = Dataset::from_json_inputs(&Questionnaire::standard(), [Err("a set is not JSON".to_owned())]);
    /// assert_eq!(loaded.problems[0].message, "a set is not JSON");
    /// ```
    pub fn from_json_inputs<I>(questionnaire: &Questionnaire, inputs: I) -> Loaded
    where
        I: IntoIterator<Item = std::result::Result<serde_json::Value, String>>,
    {
        let mut b = Builder::new(questionnaire);
        for (i, input) in inputs.into_iter().enumerate() {
            let row = i as u64 + 1;
            let v = match input {
                Ok(v) => v,
                Err(reason) => {
                    b.reject(
                        [Problem::new(ProblemKind::WrongType, "(record)", reason).at_row(row)],
                    );
                    continue;
                }
            };
            let respondent = v
                .get("respondent")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            // Path tracking doubles the cost, so it only runs for a value that failed.
            let parsed = <ExitRecord as serde::Deserialize>::deserialize(&v)
                .or_else(|_| serde_path_to_error::deserialize::<_, ExitRecord>(&v));
            match parsed {
                Ok(r) => {
                    b.push(row, &r);
                }
                Err(e) => {
                    let field = e.path().to_string();
                    let mut p = Problem::new(
                        ProblemKind::WrongType,
                        if field == "." {
                            "(record)".to_owned()
                        } else {
                            field
                        },
                        e.inner().to_string(),
                    )
                    .at_row(row);
                    if let Some(r) = respondent {
                        p = p.for_respondent(r);
                    }
                    b.reject([p]);
                }
            }
        }
        b.finish()
    }

    /// Parses a JSON array of records and loads it like [`Dataset::from_json_values`].
    pub fn from_json(questionnaire: &Questionnaire, json: &str) -> crate::Result<Loaded> {
        let values: Vec<serde_json::Value> =
            serde_json::from_str(json).map_err(|e| crate::Error::Json {
                path: "(root)".into(),
                message: format!("expected an array of records: {e}"),
            })?;
        Ok(Self::from_json_values(questionnaire, values))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the dataset holds no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The questionnaire the records answer.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    /// The position of question `id` in the questionnaire.
    pub(crate) fn question_index(&self, id: &str) -> crate::Result<usize> {
        self.questionnaire
            .questions
            .iter()
            .position(|q| q.id == id)
            .ok_or_else(|| {
                crate::Error::argument(
                    "question",
                    format!("the questionnaire has no question {id:?}"),
                )
            })
    }

    /// Every org unit path (all levels), sorted: the structure, not the counts.
    pub fn org_units(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = (0..self.org.names.len())
            .map(|n| self.org.path(u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        out.sort();
        out
    }

    /// Size and shape; no answers, no per-group counts.
    pub fn summary(&self) -> DatasetSummary {
        DatasetSummary {
            questionnaire: self.questionnaire.id.clone(),
            version: self.questionnaire.version,
            records: self.len,
            org_units: self.org.names.len(),
            org_levels: self
                .org
                .depths
                .iter()
                .max()
                .map_or(0, |d| usize::from(*d) + 1),
            questions: self.questionnaire.questions.len(),
            job_families: self.job_family.dict.len(),
            managers: self.manager.dict.len(),
            locations: self.location.dict.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes stay two bytes until a column has more than 65,535 values,
    /// then widen without changing any code stored before.
    #[test]
    fn codes_widen_past_two_bytes_and_keep_every_code() {
        let mut dict = DictColumn::default();
        let values: Vec<String> = (0..70_000)
            .map(|i| format!("manager {}", i % 66_000))
            .collect();
        for (i, v) in values.iter().enumerate() {
            let code = dict.code(v);
            dict.codes.push(code);
            if i == 65_534 {
                assert!(matches!(dict.codes, Codes::Narrow(_)));
            }
        }
        assert!(matches!(dict.codes, Codes::Wide(_)));
        assert_eq!(dict.codes.len(), values.len());
        for (i, (v, c)) in values.iter().zip(dict.codes.iter()).enumerate() {
            assert_eq!(&dict.dict[c as usize - 1], v, "record {i}");
        }
        assert_eq!(dict.codes.get(values.len()), None);
    }

    /// Two ids can share a 64-bit fingerprint: the second is still told
    /// apart (a duplicate test that trusted the fingerprint alone would
    /// call it a duplicate and drop a valid record).
    #[test]
    fn codes_extended_at_once_equal_codes_pushed_one_by_one() {
        let narrow = [3, 0, 65_535];
        let wide = [7, 70_000, 2];
        let mut pushed = Codes::default();
        let mut extended = Codes::default();
        extended.extend(&narrow);
        assert!(matches!(extended, Codes::Narrow(_)));
        extended.extend(&wide);
        assert!(matches!(extended, Codes::Wide(_)));
        extended.extend(&narrow);
        for &c in narrow.iter().chain(&wide).chain(&narrow) {
            pushed.push(c);
        }
        assert_eq!(
            extended.iter().collect::<Vec<_>>(),
            pushed.iter().collect::<Vec<_>>()
        );
        assert_eq!(
            extended.iter().collect::<Vec<_>>(),
            [3, 0, 65_535, 7, 70_000, 2, 3, 0, 65_535]
        );
    }

    /// The probe starts at the slot hash's top bits, so those must be mixed
    /// on every target (`FxHasher`'s are zero on wasm32, which put every id at
    /// slot 0 there): 4,096 ids differing in their last digits over 4,096
    /// buckets hit about 4096 * (1 - 1/e) = 2,589 of them when uniform.
    #[test]
    fn slot_hashes_spread_over_the_top_bits() {
        let tops: std::collections::HashSet<u64> = (0..4096)
            .map(|i| Respondents::slot_hash(fingerprint(&format!("r-{i:06}"))) >> 52)
            .collect();
        assert!(tops.len() > 2400, "{} buckets", tops.len());
    }

    #[test]
    fn respondents_sharing_a_fingerprint_are_told_apart() {
        let mut seen = Respondents::default();
        assert!(seen.insert(7, "a"));
        assert!(seen.contains(7, "a"));
        assert!(!seen.contains(7, "b"));
        assert!(seen.insert(7, "b"));
        assert!(seen.contains(7, "a"));
        assert!(seen.contains(7, "b"));
        assert!(!seen.contains(8, "c"));
        assert!(!seen.insert(7, "a"));
        assert!(!seen.insert(7, "b"));
        assert_eq!(seen.text, "ab");
        // Growing the table places every id again by its own fingerprint.
        for i in 0..1000_u64 {
            assert!(seen.insert(i % 13, &format!("id{i}")));
        }
        assert!(seen.contains(7, "a") && seen.contains(7, "b"));
        assert!((0..1000_u64).all(|i| seen.contains(i % 13, &format!("id{i}"))));
        assert!(!seen.contains(7, "id8"));
        assert!(!seen.insert(12, "id12"));
    }

    /// Every column stores what its doc comment says, pushed a row at a
    /// time or encoded and appended as a run: the expected cells are the
    /// documented layout written out (0 / point / `LIKERT_NA` for Likert,
    /// the top bit of the width marking an answered multiple choice, days
    /// since 0001-01-01 for dates).
    #[test]
    fn encoded_cells_are_the_documented_column_values() {
        fn cells(col: &AnswerColumn) -> Vec<i64> {
            match col {
                AnswerColumn::Likert(v) | AnswerColumn::Rating(v) | AnswerColumn::YesNo(v) => {
                    v.iter().map(|&x| i64::from(x)).collect()
                }
                AnswerColumn::Single(v) | AnswerColumn::Multiple(Ticks::U16(v)) => {
                    v.iter().map(|&x| i64::from(x)).collect()
                }
                AnswerColumn::Multiple(Ticks::U32(v)) => v.iter().map(|&x| i64::from(x)).collect(),
                AnswerColumn::Multiple(Ticks::U64(v)) => {
                    v.iter().map(|&x| i64::try_from(x).unwrap_or(-1)).collect()
                }
                AnswerColumn::Date(v) => v.iter().map(|&x| i64::from(x)).collect(),
                AnswerColumn::Text(t) => t.rows.iter().map(|&x| i64::from(x)).collect(),
            }
        }
        let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default();
        // 2024-03-01: 2023 whole years of 365 days plus 490 leap days
        // (505 multiples of 4, less 20 of 100, plus 5 of 400), plus
        // January's 31 and February's 29 days, plus the day itself.
        let days = 2023 * 365 + 490 + 31 + 29 + 1;
        let cases: Vec<(AnswerColumn, Vec<Option<Checked<'_>>>, Vec<i64>)> = vec![
            (
                AnswerColumn::Likert(Vec::new()),
                vec![Some(Checked::Likert(4)), Some(Checked::Likert(0)), None],
                vec![4, 255, 0],
            ),
            (
                AnswerColumn::Rating(Vec::new()),
                vec![Some(Checked::Rating(0)), Some(Checked::Rating(10)), None],
                vec![0, 10, 255],
            ),
            (
                AnswerColumn::Single(Vec::new()),
                vec![Some(Checked::Choice(0)), Some(Checked::Choice(3)), None],
                vec![0, 3, 65_535],
            ),
            (
                AnswerColumn::Multiple(Ticks::for_options(15)),
                vec![
                    Some(Checked::Choices(0b101)),
                    Some(Checked::Choices(0)),
                    None,
                ],
                vec![0x8005, 0x8000, 0],
            ),
            (
                AnswerColumn::Multiple(Ticks::for_options(20)),
                vec![Some(Checked::Choices(1 << 19)), None],
                vec![(1 << 31) | (1 << 19), 0],
            ),
            (
                AnswerColumn::YesNo(Vec::new()),
                vec![
                    Some(Checked::YesNo(true)),
                    Some(Checked::YesNo(false)),
                    None,
                ],
                vec![2, 1, 0],
            ),
            (
                AnswerColumn::Date(Vec::new()),
                vec![Some(Checked::Date(date)), None],
                vec![days, i64::from(i32::MIN)],
            ),
        ];
        for (empty, values, expected) in cases {
            let (mut pushed, mut appended) = (empty.clone(), empty);
            for (row, v) in (0..).zip(&values) {
                pushed.push(row, *v);
            }
            let encoded: Vec<u64> = values.iter().map(|v| appended.encode(*v)).collect();
            appended.extend_encoded(&encoded);
            assert_eq!(cells(&pushed), expected, "{pushed:?}");
            assert_eq!(cells(&appended), expected, "{appended:?}");
        }
    }

    /// A run inserted in table order says what inserting its ids one
    /// after another says: the first of a repeated id is new, the rest
    /// (and ids stored before) are not; fingerprints that collide are
    /// still told apart by their text.
    #[test]
    fn a_run_is_claimed_as_one_id_after_another() {
        let mut one_by_one = Respondents::default();
        let mut by_runs = Respondents::default();
        let ids: Vec<String> = (0..5000_u64)
            .map(|i| format!("r{}", (i * 7919) % 3001))
            .collect();
        // Every third id shares its fingerprint with the others that do.
        let fingerprint_of = |id: &str| {
            let n: u64 = id[1..].parse().unwrap_or(0);
            if n.is_multiple_of(3) {
                42
            } else {
                fingerprint(id)
            }
        };
        let expected: Vec<bool> = ids
            .iter()
            .map(|id| one_by_one.insert(fingerprint_of(id), id))
            .collect();
        let mut got = Vec::new();
        // Runs long enough to hold an id and its repeat.
        for run in ids.chunks(3500) {
            let refs: Vec<&str> = run.iter().map(String::as_str).collect();
            let prints: Vec<u64> = refs.iter().map(|id| fingerprint_of(id)).collect();
            let mut new = Vec::new();
            by_runs.insert_run(&prints, &refs, &mut new);
            got.extend(new);
        }
        assert_eq!(got, expected);
        // 3001 is prime and 7919 is not a multiple of it, so the first
        // 3001 ids are every residue once and the other 1999 repeat them.
        assert_eq!(expected.iter().filter(|&&n| n).count(), 3001);
        for id in &ids {
            assert!(by_runs.contains(fingerprint_of(id), id));
        }
        assert!(!by_runs.contains(fingerprint("r3001"), "r3001"));
    }
}
