//! The import engine: one pass over rows whose fields are byte strings (a
//! CSV record, or a row of table columns written as text), writing codes
//! straight into the dataset's columns.
//!
//! The rules are those of the record path it replaced (kept as
//! `reference` in the tests, which compare the two on every file they
//! have): the same values are accepted, the same problems come out with
//! the same rows, respondents, fields and messages, in the same order.
//! What changes is where the work happens. A field's outcome depends only
//! on its cell's bytes (except a tenure given as a start date, which waits
//! for the exit date), and a column holds few distinct values (units, job
//! families, managers, labels, dates), so every field keeps a cache from
//! the bytes it saw to what they resolved to: normalising, matching labels,
//! parsing, mapping and checking the answer against its question happen
//! once per distinct value, and the dictionary code or org node of a value
//! is remembered once stored. Respondent ids and free text, unique per
//! row, skip the cache.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::{
    ColumnReport, FieldPlan, ImportOptions, Mapping, Plan, Source, decode, norm, normalised,
    parse_bool, parse_date, parse_number, parse_tenure, tenure_between,
};
use crate::dataset::{Builder, CodedRow, Dim};
use crate::questionnaire::{Checked, check_answer, check_free_text, describe_values};
use crate::record::{ExitType, InterviewerType, PartialDate, Tenure};
use crate::{Answer, Problem, ProblemKind, Question, QuestionKind, Questionnaire};

mod clean;

/// A map keyed by a cell's bytes.
type ByteMap<V> = FxHashMap<Box<[u8]>, V>;

/// Distinct values a field remembers; past it (a column of unique values
/// that the plan did not foresee) values are resolved every time. (Small
/// in tests, so that the manager column passes it part way through a
/// chunk: its rows with new values then take the row path between rows
/// taken a column at a time.)
const CACHE_CAP: usize = if cfg!(test) { 400 } else { 1 << 16 };

/// Entry index of a value resolved without being cached.
const SCRATCH: u32 = u32::MAX;

/// A distinct-value key whose entry is not known yet.
const UNSET: u32 = u32::MAX;

/// A key's stored value not yet worked out ([`Cache::stored_by_key`]);
/// a value that is this (every tick of a 64-bit multiple choice) is
/// worked out again each time rather than remembered.
const NOT_STORED: u64 = u64::MAX;

/// The fields of one input row.
pub(crate) trait Fields {
    /// Number of fields.
    fn count(&self) -> usize;
    /// Field `i` (empty past the end).
    fn field(&self, i: usize) -> &[u8];
    /// Which distinct value of its column field `i` is, when the input
    /// knows (a table column encoded once per batch): equal keys in one
    /// batch always mean equal bytes, so the entry is found without
    /// hashing the bytes again.
    fn key(&self, _i: usize) -> Option<u32> {
        None
    }
    /// Field `i` as text (bytes that are not UTF-8 read as Latin-1).
    fn text(&self, i: usize) -> Cow<'_, str> {
        decode(self.field(i))
    }
}

impl Fields for csv::ByteRecord {
    fn count(&self) -> usize {
        self.len()
    }

    fn field(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or_default()
    }
}

/// What one cell (or the constant) of a field resolved to.
#[derive(Debug)]
enum Out {
    /// Empty or a missing marker: counted missing, no value.
    Missing,
    /// Counted filled.
    Val(Val),
    /// Not recognised: counted, and a problem for the row.
    Bad { field: String, message: String },
}

#[derive(Debug)]
enum Val {
    /// A `values` entry mapped it to null: filled, but no value.
    Nothing,
    /// A dimension value (manager already pseudonymised) or an org level.
    Text(String),
    /// An org path from one column with a separator, or a constant.
    Path(Vec<String>),
    Tenure(Tenure),
    /// Tenure as a start date (and the value as written): whole months to the exit date.
    Start(chrono::NaiveDate, String),
    Date(PartialDate),
    /// `ExitType::ALL` / `InterviewerType::ALL` index + 1.
    Code(u8),
    Bool(bool),
    /// An answer and its check against the question (`None`: a text answer,
    /// checked where it is borrowed).
    Answer(
        Answer,
        Option<Result<Checked<'static>, (ProblemKind, String)>>,
    ),
    Unticked,
    Ticked(Option<String>),
}

#[derive(Debug)]
struct Entry {
    out: Out,
    /// Dictionary code or org node once stored (`u32::MAX`: not yet).
    code: u32,
}

impl Entry {
    fn new(out: Out) -> Self {
        Entry {
            out,
            code: u32::MAX,
        }
    }
}

/// Resolved values of one input (a column, or the constant) of a field.
#[derive(Debug, Default)]
struct Cache {
    index: FxHashMap<Box<[u8]>, u32>,
    entries: Vec<Entry>,
    scratch: Option<Entry>,
    /// Entry id by the input's distinct-value key ([`Fields::key`]) in the
    /// current batch; [`UNSET`] until that key is first seen.
    by_key: Vec<u32>,
    /// How many keys `by_key` holds an entry for: when as many as the
    /// batch has numbered, every key of a chunk is known without looking.
    known: usize,
    /// What a stored row holding each key stores, by key as `by_key`
    /// ([`NOT_STORED`] until a stored row first holds it), and whether
    /// the key's value is missing: the chunked path's copy of what it
    /// knows per entry, read straight from a chunk's keys.
    stored_by_key: Vec<u64>,
    missing_by_key: Vec<bool>,
}

impl Cache {
    /// The entry id remembered for `key`, if any.
    fn keyed(&self, key: Option<u32>) -> Option<u32> {
        let id = *self.by_key.get(key? as usize)?;
        (id != UNSET).then_some(id)
    }

    /// Remembers entry `id` for `key` (a scratch entry is not remembered).
    fn remember(&mut self, key: Option<u32>, id: u32) {
        let Some(k) = key else { return };
        let k = k as usize;
        if id == SCRATCH || k > CACHE_CAP {
            return;
        }
        if self.by_key.len() <= k {
            self.by_key.resize(k + 1, UNSET);
        }
        if self.by_key[k] == UNSET {
            self.known += 1;
        }
        self.by_key[k] = id;
    }

    /// Whether every key below `keys` (all a batch has numbered so far)
    /// has its entry remembered.
    fn knows_all(&self, keys: usize) -> bool {
        self.known == keys && self.by_key.len() == keys
    }

    /// Forgets the keys (their batch numbers its values anew).
    fn forget_keys(&mut self) {
        self.by_key.clear();
        self.known = 0;
        self.stored_by_key.clear();
        self.missing_by_key.clear();
    }

    fn get(&self, id: u32) -> Option<&Entry> {
        if id == SCRATCH {
            self.scratch.as_ref()
        } else {
            self.entries.get(id as usize)
        }
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut Entry> {
        if id == SCRATCH {
            self.scratch.as_mut()
        } else {
            self.entries.get_mut(id as usize)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Respondent,
    Org,
    Dim(Dim),
    Tenure,
    ExitDate,
    ExitType,
    Interviewer,
    Regrettable,
    /// Question index.
    Answer(usize),
    /// A free-text question without a `values` table: no cache.
    FreeText(usize),
}

#[derive(Debug)]
struct Input {
    col: Option<usize>,
    cache: Cache,
}

#[derive(Debug)]
struct FieldState<'p> {
    plan: &'p FieldPlan,
    kind: Kind,
    /// One per source column (flags, org levels), or the one column or constant.
    inputs: Vec<Input>,
    /// Most characters a missing marker of this field has (see [`Engine::is_missing`]).
    marker_chars: usize,
    /// Org nodes by (parent node, level entry), for org levels in columns.
    nodes: FxHashMap<(u32, u32), u32>,
}

/// A field's value in the current row.
#[derive(Debug, Clone, Copy)]
enum Slot {
    None,
    /// Field index, input index, entry id.
    Entry(usize, usize, u32),
    /// Byte range in the row's text buffer (a free-text answer).
    Text(usize, usize),
    /// Index into the row's owned answers (flags).
    Owned(usize),
}

/// Counts of one import, for its summary.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) rows: usize,
    pub(crate) imported: usize,
    pub(crate) skipped: usize,
}

pub(crate) struct Engine<'p> {
    q: &'p Questionnaire,
    plan: &'p Plan,
    headers: &'p [String],
    options: &'p ImportOptions,
    pub(crate) stats: Vec<ColumnReport>,
    pub(crate) builder: Builder,
    pub(crate) counts: Counts,
    fields: Vec<FieldState<'p>>,
    /// Missing or not, per unmapped or ignored column.
    other: Vec<Option<Cache>>,
    keep: Option<(usize, ByteMap<bool>)>,
    /// Most characters a global missing marker has.
    marker_chars: usize,
    /// Per question: the index of the question its `show_if` looks at
    /// (`None` with a condition: a question the questionnaire lacks).
    parents: Vec<Option<usize>>,
    // Per-row scratch, reused.
    problems: Vec<Problem>,
    respondent: String,
    text: String,
    owned: Vec<Answer>,
    context: Vec<Slot>,
    answers: Vec<Slot>,
    org_levels: Vec<(usize, u32)>,
    checked: Vec<Option<Checked<'static>>>,
    /// The row's exit date as read, for a tenure given as a start date.
    exit_date: Option<PartialDate>,
    /// The row's tenure computed from a start date.
    start_tenure: Option<Tenure>,
    /// Chunked reading of table columns (`None`: the plan needs the row path).
    chunked: Option<clean::Chunked>,
}

fn marker_chars<'a>(markers: impl IntoIterator<Item = &'a String>) -> usize {
    markers
        .into_iter()
        .map(|m| m.chars().count())
        .max()
        .unwrap_or(0)
}

impl<'p> Engine<'p> {
    pub(crate) fn new(
        m: &'p Mapping,
        plan: &'p Plan,
        headers: &'p [String],
        options: &'p ImportOptions,
    ) -> Self {
        let q = &m.questionnaire;
        let stats = plan.column_reports(headers);
        let global = marker_chars(&plan.missing);
        let mut fields = Vec::new();
        let mut add = |plan: &'p FieldPlan, kind: Kind| {
            let inputs = match &plan.source {
                Source::Column(i) => vec![Some(*i)],
                Source::Columns(cols) => cols.iter().map(|&c| Some(c)).collect(),
                Source::Flags(cols) => cols.iter().map(|(c, _)| Some(*c)).collect(),
                Source::Constant(_) => vec![None],
            };
            fields.push(FieldState {
                plan,
                kind,
                inputs: inputs
                    .into_iter()
                    .map(|col| Input {
                        col,
                        cache: Cache::default(),
                    })
                    .collect(),
                marker_chars: global.max(marker_chars(&plan.missing)),
                nodes: FxHashMap::default(),
            });
        };
        if let Some(f) = &plan.respondent {
            add(f, Kind::Respondent);
        }
        for (name, f) in &plan.context {
            let kind = match *name {
                "org_unit" => Kind::Org,
                "job_family" => Kind::Dim(Dim::JobFamily),
                "manager" => Kind::Dim(Dim::Manager),
                "location" => Kind::Dim(Dim::Location),
                "age_band" => Kind::Dim(Dim::AgeBand),
                "tenure" => Kind::Tenure,
                "exit_date" => Kind::ExitDate,
                "exit_type" => Kind::ExitType,
                "interviewer" => Kind::Interviewer,
                _ => Kind::Regrettable,
            };
            add(f, kind);
        }
        for (qid, f) in &plan.answers {
            let Some(i) = q.questions.iter().position(|x| &x.id == qid) else {
                continue;
            };
            let free = matches!(q.questions[i].kind, QuestionKind::FreeText { .. })
                && f.values.is_empty()
                && matches!(f.source, Source::Column(_));
            add(
                f,
                if free {
                    Kind::FreeText(i)
                } else {
                    Kind::Answer(i)
                },
            );
        }
        let other = plan
            .status
            .iter()
            .map(|s| (*s != super::ColumnStatus::Mapped).then(Cache::default))
            .collect();
        let parents = q
            .questions
            .iter()
            .map(|x| {
                x.show_if
                    .as_ref()
                    .and_then(|c| q.questions.iter().position(|p| p.id == c.question))
            })
            .collect();
        let n = q.questions.len();
        let mut engine = Engine {
            q,
            plan,
            headers,
            options,
            stats,
            builder: Builder::new(q),
            counts: Counts::default(),
            fields,
            other,
            keep: plan.keep.as_ref().map(|(c, _)| (*c, FxHashMap::default())),
            marker_chars: global,
            parents,
            problems: Vec::new(),
            respondent: String::new(),
            text: String::new(),
            owned: Vec::new(),
            context: Vec::new(),
            answers: vec![Slot::None; n],
            org_levels: Vec::new(),
            checked: vec![None; n],
            exit_date: None,
            start_tenure: None,
            chunked: None,
        };
        engine.chunked = clean::Chunked::new(&engine);
        engine
    }

    /// Room for `rows` more stored rows (see [`Builder::reserve`]).
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.builder.reserve(rows);
    }

    /// Forgets the distinct-value keys of the columns whose keys start
    /// afresh (`restart`, per column: a new batch numbering them anew).
    pub(crate) fn restart(&mut self, restart: &[bool]) {
        let restarts =
            |c: Option<usize>| c.is_some_and(|c| restart.get(c).copied().unwrap_or(true));
        for f in &mut self.fields {
            for i in &mut f.inputs {
                if restarts(i.col) {
                    i.cache.forget_keys();
                }
            }
        }
        for (c, cache) in self.other.iter_mut().enumerate() {
            if let Some(cache) = cache
                && restarts(Some(c))
            {
                cache.forget_keys();
            }
        }
    }

    /// Per column: whether a field reads it without a cache (respondent
    /// ids, free text), so keying its values would only cost time.
    pub(crate) fn uncached_columns(&self) -> Vec<bool> {
        let mut out = vec![false; self.headers.len()];
        for f in &self.fields {
            if matches!(f.kind, Kind::Respondent | Kind::FreeText(_)) {
                for c in f.inputs.iter().filter_map(|i| i.col) {
                    if let Some(o) = out.get_mut(c) {
                        *o = true;
                    }
                }
            }
        }
        out
    }

    /// The outcome, once every row is in.
    pub(crate) fn finish(self) -> super::ImportOutcome {
        let c = self.counts;
        super::ImportOutcome {
            summary: super::ImportSummary {
                rows: c.rows,
                imported: c.imported,
                rejected: c.rows - c.imported - c.skipped,
                skipped: c.skipped,
                columns: self.stats,
            },
            loaded: self.builder.finish(),
        }
    }

    /// The plan's missing test, skipping the normalisation for a value
    /// with more non-space characters than any marker: lowercasing never
    /// yields fewer characters, so such a value cannot normalise to one.
    fn is_missing(plan: &Plan, limit: usize, v: &str, f: Option<&FieldPlan>) -> bool {
        // Most values (ids, comments) start with a character no marker starts
        // with (a normalised value starts with its first character
        // lowercased), most often as their first byte.
        let starts = plan.starts | f.map_or(0, |f| f.starts);
        let unmarked = |c: char| {
            c.is_ascii_alphanumeric() && starts & (1u128 << (c.to_ascii_lowercase() as u32)) == 0
        };
        if v.as_bytes()
            .first()
            .is_some_and(|&b| unmarked(char::from(b)))
        {
            return false;
        }
        let mut chars = v.chars().filter(|c| !c.is_whitespace());
        let Some(first) = chars.next() else {
            return true;
        };
        if unmarked(first) {
            return false;
        }
        if chars.take(limit).count() >= limit {
            return false;
        }
        plan.is_missing(v, f)
    }

    /// A malformed line (a CSV parse error): one problem, the row rejected.
    pub(crate) fn malformed(&mut self, line: u64, message: String) {
        self.counts.rows += 1;
        self.reject_malformed(line, message);
    }

    fn reject_malformed(&mut self, line: u64, message: String) {
        self.builder
            .reject([Problem::new(ProblemKind::MalformedRow, "(row)", message).at_row(line)]);
    }

    /// Imports one row at 1-based input line `line`.
    pub(crate) fn row(&mut self, fields: &impl Fields, line: u64) {
        self.counts.rows += 1;
        if fields.count() != self.headers.len() {
            let message = format!(
                "has {} fields, the header has {}",
                fields.count(),
                self.headers.len()
            );
            self.reject_malformed(line, message);
            return;
        }
        if let Some((col, seen)) = &mut self.keep {
            let raw = fields.field(*col);
            let kept = if let Some(&k) = seen.get(raw) {
                k
            } else {
                let k = self
                    .plan
                    .keep
                    .as_ref()
                    .is_some_and(|(_, keep)| keep.contains(&norm(&decode(raw))));
                if seen.len() < CACHE_CAP {
                    seen.insert(raw.into(), k);
                }
                k
            };
            if !kept {
                self.counts.skipped += 1;
                return;
            }
        }
        self.count_other(fields);
        self.problems.clear();
        self.respondent.clear();
        self.text.clear();
        self.owned.clear();
        self.context.clear();
        self.org_levels.clear();
        self.answers.fill(Slot::None);
        self.exit_date = None;
        self.start_tenure = None;
        let mut has_respondent = self.plan.respondent.is_none();
        if has_respondent {
            use std::fmt::Write as _;
            let _ = write!(self.respondent, "row-{line}");
        }
        for fi in 0..self.fields.len() {
            match self.fields[fi].kind {
                Kind::Respondent => has_respondent = self.read_respondent(fi, fields),
                Kind::FreeText(q) => self.answers[q] = self.read_text(fi, fields),
                Kind::Org => {
                    let slot = self.read_org(fi, fields);
                    self.context.push(slot);
                }
                Kind::Answer(q) if matches!(self.fields[fi].plan.source, Source::Flags(_)) => {
                    self.answers[q] = self.read_flags(fi, fields);
                }
                Kind::Answer(q) => self.answers[q] = self.read_single(fi, 0, fields),
                kind => {
                    let slot = self.read_single(fi, 0, fields);
                    match (kind, self.val(slot)) {
                        (Kind::ExitDate, Some(Val::Date(d))) => self.exit_date = Some(*d),
                        (Kind::Tenure, Some(Val::Start(start, raw))) => {
                            let (start, raw) = (*start, raw.clone());
                            self.tenure_from_start(fi, start, &raw);
                        }
                        _ => {}
                    }
                    self.context.push(slot);
                }
            }
        }
        if !has_respondent {
            self.problems.push(Problem::new(
                ProblemKind::Missing,
                "respondent",
                "respondent id is missing",
            ));
        }
        if has_respondent
            && let Some(p) = &self.options.pseudonymiser
            && !self.respondent.is_empty()
        {
            self.respondent = p.pseudonymise(&self.respondent);
        }
        if self.problems.is_empty() {
            self.check_and_store(line);
        } else {
            let headers = self.headers;
            // Report a row's problems in column order, as a person reads the row.
            self.problems.sort_by_key(|p| {
                headers
                    .iter()
                    .position(|h| *h == p.field)
                    .unwrap_or(usize::MAX)
            });
            let located = located(self.problems.drain(..), line, &self.respondent);
            self.builder.reject(located);
        }
    }

    /// Counts the row's unmapped and ignored cells as missing or filled.
    fn count_other(&mut self, fields: &impl Fields) {
        for (i, cache) in self.other.iter_mut().enumerate() {
            let Some(cache) = cache else { continue };
            let missing =
                Self::other_missing(self.plan, self.marker_chars, cache, fields.key(i), || {
                    fields.field(i)
                });
            if missing {
                self.stats[i].missing += 1;
            } else {
                self.stats[i].filled += 1;
            }
        }
    }

    /// Whether an unmapped or ignored cell (distinct-value key `key`,
    /// bytes `raw`) is missing, remembered in the column's `cache`.
    fn other_missing<'r>(
        plan: &Plan,
        limit: usize,
        cache: &mut Cache,
        key: Option<u32>,
        raw: impl FnOnce() -> &'r [u8],
    ) -> bool {
        if let Some(m) = cache.keyed(key) {
            return m == 1;
        }
        let raw = raw();
        if let Some(&m) = cache.index.get(raw) {
            cache.remember(key, m);
            return m == 1;
        }
        let m = Self::is_missing(plan, limit, &decode(raw), None);
        if cache.index.len() < CACHE_CAP {
            cache.index.insert(raw.into(), u32::from(m));
            cache.remember(key, u32::from(m));
        }
        m
    }

    /// The respondent id into `self.respondent`, counted; false when missing.
    fn read_respondent(&mut self, fi: usize, fields: &impl Fields) -> bool {
        let mut id = std::mem::take(&mut self.respondent);
        let present = self.respondent_in(fi, fields, &mut id);
        self.respondent = id;
        if let Some(c) = self.fields[fi].inputs[0].col {
            if present {
                self.stats[c].filled += 1;
            } else {
                self.stats[c].missing += 1;
            }
        }
        present
    }

    /// Where the respondent id lies in `raw`, a cell of field `fi`'s
    /// column: the cell trimmed; `None` when it is missing.
    fn id_span(&self, fi: usize, raw: &str) -> Option<std::ops::Range<usize>> {
        let f = &self.fields[fi];
        let trimmed = raw.trim_start();
        let id = trimmed.trim_end();
        let from = raw.len() - trimmed.len();
        (!Self::is_missing(self.plan, f.marker_chars, id, Some(f.plan)))
            .then(|| from..from + id.len())
    }

    /// The respondent id (field `fi`) appended to `out`; false when missing.
    fn respondent_in(&self, fi: usize, fields: &impl Fields, out: &mut String) -> bool {
        let f = &self.fields[fi];
        match (f.inputs[0].col, &f.plan.source) {
            (Some(c), _) => {
                let raw = fields.text(c);
                let Some(span) = self.id_span(fi, &raw) else {
                    return false;
                };
                out.push_str(raw.get(span).unwrap_or_default());
                true
            }
            (None, Source::Constant(serde_json::Value::String(s))) => {
                out.push_str(s);
                true
            }
            (None, Source::Constant(v)) if !v.is_null() => {
                out.push_str(&v.to_string());
                true
            }
            (None, _) => false,
        }
    }

    /// A free-text answer, borrowed into the row's text buffer.
    fn read_text(&mut self, fi: usize, fields: &impl Fields) -> Slot {
        let f = &self.fields[fi];
        let Some(c) = f.inputs[0].col else {
            return Slot::None;
        };
        let raw = fields.text(c);
        let v = raw.trim();
        if Self::is_missing(self.plan, f.marker_chars, v, Some(f.plan)) {
            self.stats[c].missing += 1;
            return Slot::None;
        }
        self.stats[c].filled += 1;
        let start = self.text.len();
        self.text.push_str(v);
        Slot::Text(start, self.text.len())
    }

    /// Looks up (or resolves and remembers) input `ii` of field `fi` for
    /// this row's bytes, counts it, and reports a problem if bad.
    fn read_single(&mut self, fi: usize, ii: usize, fields: &impl Fields) -> Slot {
        let col = self.fields[fi].inputs[ii].col;
        let id = match col {
            Some(c) => self.entry_id(fi, ii, fields.key(c), || fields.field(c)),
            None => self.constant_entry(fi, ii),
        };
        let input = &self.fields[fi].inputs[ii];
        let Some(entry) = input.cache.get(id) else {
            return Slot::None;
        };
        match (&entry.out, col) {
            (Out::Missing, Some(c)) => {
                self.stats[c].missing += 1;
                Slot::None
            }
            (Out::Missing, None) => Slot::None,
            (Out::Val(_), Some(c)) => {
                self.stats[c].filled += 1;
                Slot::Entry(fi, ii, id)
            }
            (Out::Val(_), None) => Slot::Entry(fi, ii, id),
            (Out::Bad { field, message }, c) => {
                if let Some(c) = c {
                    self.stats[c].unrecognised += 1;
                }
                self.problems.push(Problem::new(
                    ProblemKind::UnrecognisedValue,
                    field.clone(),
                    message.clone(),
                ));
                Slot::None
            }
        }
    }

    /// The entry of input `ii` (a column) of field `fi` for a cell with
    /// distinct-value key `key` and bytes `raw`: found by the key or the
    /// bytes, or resolved and remembered ([`SCRATCH`] past the cap).
    fn entry_id<'r>(
        &mut self,
        fi: usize,
        ii: usize,
        key: Option<u32>,
        raw: impl FnOnce() -> &'r [u8],
    ) -> u32 {
        let q = self.q;
        let f = &mut self.fields[fi];
        let plan = f.plan;
        let kind = f.kind;
        let limit = f.marker_chars;
        let input = &mut f.inputs[ii];
        if let Some(id) = input.cache.keyed(key) {
            return id;
        }
        let raw = raw();
        if let Some(&id) = input.cache.index.get(raw) {
            input.cache.remember(key, id);
            return id;
        }
        let text = decode(raw);
        let v = text.trim();
        let header = input.col.and_then(|c| self.headers.get(c));
        let missing = |v: &str| Self::is_missing(self.plan, limit, v, Some(plan));
        let out = if let Source::Flags(cols) = &plan.source {
            resolve_flag(
                plan,
                cols.get(ii).and_then(|(_, o)| o.clone()),
                v,
                header.map_or("", String::as_str),
                missing,
            )
        } else if missing(v) {
            Out::Missing
        } else {
            resolve(q, kind, plan, v, header)
        };
        let cache = &mut input.cache;
        if cache.entries.len() < CACHE_CAP {
            let id = u32::try_from(cache.entries.len()).unwrap_or(SCRATCH);
            cache.entries.push(Entry::new(out));
            cache.index.insert(raw.into(), id);
            cache.remember(key, id);
            id
        } else {
            cache.scratch = Some(Entry::new(out));
            SCRATCH
        }
    }

    /// The entry of a constant input (always 0), resolved on first use.
    fn constant_entry(&mut self, fi: usize, ii: usize) -> u32 {
        let q = self.q;
        let f = &mut self.fields[fi];
        let (plan, kind) = (f.plan, f.kind);
        let input = &mut f.inputs[ii];
        if input.cache.entries.is_empty() {
            let out = match &plan.source {
                Source::Constant(serde_json::Value::Array(levels)) if kind == Kind::Org => {
                    Out::Val(Val::Path(
                        levels
                            .iter()
                            .filter_map(|l| l.as_str().map(str::to_owned))
                            .collect(),
                    ))
                }
                Source::Constant(serde_json::Value::String(s)) => resolve(q, kind, plan, s, None),
                Source::Constant(v) if !v.is_null() => resolve(q, kind, plan, &v.to_string(), None),
                _ => Out::Missing,
            };
            input.cache.entries.push(Entry::new(out));
        }
        0
    }

    fn read_org(&mut self, fi: usize, fields: &impl Fields) -> Slot {
        if !matches!(self.fields[fi].plan.source, Source::Columns(_)) {
            return self.read_single(fi, 0, fields);
        }
        for ii in 0..self.fields[fi].inputs.len() {
            // A missing level ends the path: the record belongs to the level above.
            match self.read_single(fi, ii, fields) {
                Slot::Entry(_, _, id) => self.org_levels.push((ii, id)),
                _ => break,
            }
        }
        Slot::Entry(fi, usize::MAX, 0)
    }

    fn read_flags(&mut self, fi: usize, fields: &impl Fields) -> Slot {
        let mut answered = false;
        let mut ids = Vec::new();
        for ii in 0..self.fields[fi].inputs.len() {
            if let Slot::Entry(_, _, id) = self.read_single(fi, ii, fields)
                && let Some(entry) = self.fields[fi].inputs[ii].cache.get(id)
            {
                match &entry.out {
                    Out::Val(Val::Unticked) => answered = true,
                    Out::Val(Val::Ticked(opt)) => {
                        answered = true;
                        if let Some(o) = opt {
                            ids.push(o.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        if answered {
            self.owned.push(Answer::List(ids));
            Slot::Owned(self.owned.len() - 1)
        } else {
            Slot::None
        }
    }

    fn val(&self, slot: Slot) -> Option<&Val> {
        val_in(&self.fields, slot)
    }

    /// The answer to question `i` in this row, for `show_if`.
    fn answer_of(&self, i: usize) -> Option<Cow<'_, Answer>> {
        match self.answers[i] {
            Slot::None => None,
            Slot::Text(s, e) => Some(Cow::Owned(Answer::Text(self.text[s..e].to_owned()))),
            Slot::Owned(k) => self.owned.get(k).map(Cow::Borrowed),
            slot @ Slot::Entry(..) => match self.val(slot) {
                Some(Val::Answer(a, _)) => Some(Cow::Borrowed(a)),
                _ => None,
            },
        }
    }

    fn is_shown(&self, q: &Question, i: usize) -> bool {
        match &q.show_if {
            None => true,
            Some(c) => {
                let Some(p) = self.parents[i] else {
                    return false;
                };
                self.is_shown(&self.q.questions[p], p) && c.holds(self.answer_of(p).as_deref())
            }
        }
    }

    /// The checks of `Questionnaire::check_record` and the duplicate test,
    /// in their order, on a row the mapping accepted; stores it if clean.
    fn check_and_store(&mut self, line: u64) {
        use ProblemKind as K;
        let mut problems = Vec::new();
        if self.respondent.trim().is_empty() {
            problems.push(Problem::new(
                K::Missing,
                "respondent",
                "respondent id is empty",
            ));
        }
        // Context, in `check_context`'s order.
        let mut org_path_len = 0usize;
        let mut org_blank = None;
        let mut dims: [Option<&str>; 4] = [None; 4];
        let mut tenure = None;
        let mut exit_date = None;
        let mut exit_type = 0u8;
        let mut interviewer = 0u8;
        let mut regrettable = 0u8;
        for (k, fs) in self
            .fields
            .iter()
            .filter(|f| {
                !matches!(
                    f.kind,
                    Kind::Respondent | Kind::Answer(_) | Kind::FreeText(_)
                )
            })
            .enumerate()
        {
            let slot = self.context[k];
            if fs.kind == Kind::Org {
                if let Slot::Entry(_, usize::MAX, _) = slot {
                    org_path_len = self.org_levels.len();
                    org_blank = self.org_levels.iter().position(|&(ii, id)| {
                        matches!(fs.inputs[ii].cache.get(id), Some(Entry { out: Out::Val(Val::Text(t)), .. }) if t.trim().is_empty())
                    });
                } else {
                    match self.val(slot) {
                        Some(Val::Path(p)) => {
                            org_path_len = p.len();
                            org_blank = p.iter().position(|s| s.trim().is_empty());
                        }
                        Some(Val::Text(t)) => {
                            org_path_len = 1;
                            org_blank = t.trim().is_empty().then_some(0);
                        }
                        _ => {}
                    }
                }
                continue;
            }
            let Some(v) = self.val(slot) else { continue };
            match (fs.kind, v) {
                (Kind::Dim(d), Val::Text(t)) => {
                    let i = match d {
                        Dim::JobFamily => 0,
                        Dim::Manager => 1,
                        Dim::Location => 2,
                        _ => 3,
                    };
                    dims[i] = Some(t);
                }
                (Kind::Tenure, Val::Tenure(t)) => tenure = Some(*t),
                (Kind::ExitDate, Val::Date(d)) => exit_date = Some(*d),
                (Kind::ExitType, Val::Code(c)) => exit_type = *c,
                (Kind::Interviewer, Val::Code(c)) => interviewer = *c,
                (Kind::Regrettable, Val::Bool(b)) => regrettable = if *b { 2 } else { 1 },
                _ => {}
            }
        }
        if self.start_tenure.is_some() {
            tenure = self.start_tenure;
        }
        if org_path_len == 0 {
            problems.push(Problem::new(
                K::Missing,
                "context.org_unit",
                "org unit is missing",
            ));
        } else if let Some(k) = org_blank {
            problems.push(Problem::new(
                K::Missing,
                format!("context.org_unit[{k}]"),
                "org unit path has an empty level",
            ));
        }
        // A pseudonym is never blank; ids are pseudonymised when the row has a respondent.
        let pseudonymised = self.options.pseudonymiser.is_some() && !self.respondent.is_empty();
        for (name, v) in ["job_family", "manager", "location", "age_band"]
            .iter()
            .zip(dims)
        {
            if v.is_some_and(|s| s.trim().is_empty()) && !(pseudonymised && *name == "manager") {
                problems.push(Problem::new(
                    K::Missing,
                    format!("context.{name}"),
                    "is empty; leave it out when unknown",
                ));
            }
        }
        if let Some(Err(m)) = tenure.as_ref().map(Tenure::check) {
            problems.push(Problem::new(K::OutOfRange, "context.tenure", m));
        }
        // Answers, in questionnaire order.
        let q = self.q;
        for (i, question) in q.questions.iter().enumerate() {
            let field = || format!("answers.{}", question.id);
            let slot = self.answers[i];
            let present =
                !matches!(slot, Slot::None) && !matches!(self.val(slot), Some(Val::Nothing));
            let shown = self.is_shown(question, i);
            self.checked[i] = None;
            if !present {
                if shown && question.required {
                    problems.push(Problem::new(
                        K::Missing,
                        field(),
                        "required answer is missing",
                    ));
                }
                continue;
            }
            if !shown {
                problems.push(Problem::new(
                    K::NotShown,
                    field(),
                    format!(
                        "answered, but the question is only shown when {:?} is answered with {}",
                        question
                            .show_if
                            .as_ref()
                            .map_or("", |c| c.question.as_str()),
                        question
                            .show_if
                            .as_ref()
                            .map_or_else(String::new, |c| describe_values(c.values())),
                    ),
                ));
                continue;
            }
            let result = match slot {
                Slot::Text(s, e) => check_free_text(question, &self.text[s..e]).map(|()| None),
                Slot::Owned(k) => match self.owned.get(k) {
                    Some(a) => check_answer(question, a).map(|c| Some(static_checked(c))),
                    None => continue,
                },
                _ => match self.val(slot) {
                    Some(Val::Answer(_, Some(r))) => r.clone().map(Some),
                    Some(Val::Answer(a, None)) => {
                        check_answer(question, a).map(|c| Some(static_checked(c)))
                    }
                    _ => continue,
                },
            };
            match result {
                Ok(c) => self.checked[i] = c,
                Err((kind, message)) => problems.push(Problem::new(kind, field(), message)),
            }
        }
        if !self.respondent.is_empty() && self.builder.is_duplicate(&self.respondent) {
            problems.push(Problem::new(
                K::DuplicateRespondent,
                "respondent",
                format!(
                    "respondent {:?} appears more than once; only the first is kept",
                    self.respondent
                ),
            ));
        }
        if !problems.is_empty() {
            self.builder
                .reject(located(problems, line, &self.respondent));
            return;
        }
        self.store(tenure, exit_date, [exit_type, interviewer, regrettable]);
        self.counts.imported += 1;
    }

    /// Tenure from a start date runs to the exit date (read before it);
    /// a start after the exit is the mapping's problem for the tenure
    /// field, as with any value it does not recognise.
    fn tenure_from_start(&mut self, fi: usize, start: chrono::NaiveDate, raw: &str) {
        let Some(end) = self.exit_date.and_then(|d| d.to_naive()) else {
            return;
        };
        if let Some(tenure) = tenure_between(start, end) {
            self.start_tenure = Some(tenure);
            return;
        }
        let f = &self.fields[fi];
        let expected = "a start date before the exit date";
        let problem = match f.inputs[0].col {
            Some(c) => {
                self.stats[c].unrecognised += 1;
                self.stats[c].filled = self.stats[c].filled.saturating_sub(1);
                unrecognised(&self.headers[c], &f.plan.target, raw, expected)
            }
            None => constant_bad(&f.plan.target, raw, expected),
        };
        if let Out::Bad { field, message } = problem {
            self.problems
                .push(Problem::new(ProblemKind::UnrecognisedValue, field, message));
        }
    }

    fn store(&mut self, tenure: Option<Tenure>, exit_date: Option<PartialDate>, codes: [u8; 3]) {
        let mut dims = [0u32; 5];
        let mut org = u32::MAX;
        let mut k = 0;
        for fi in 0..self.fields.len() {
            let kind = self.fields[fi].kind;
            if matches!(kind, Kind::Respondent | Kind::Answer(_) | Kind::FreeText(_)) {
                continue;
            }
            let slot = self.context[k];
            k += 1;
            match kind {
                Kind::Org => org = self.store_org(fi, slot),
                Kind::Dim(d) => dims[dim_index(d)] = self.dim_code(d, slot),
                Kind::Tenure => dims[4] = self.tenure_band_code(slot, tenure),
                _ => {}
            }
        }
        let (fields, text) = (&self.fields, &self.text);
        let answers = self
            .checked
            .iter()
            .zip(&self.answers)
            .map(|(c, slot)| stored_answer(fields, text, *c, *slot));
        let row = CodedRow {
            respondent: &self.respondent,
            org,
            dims,
            tenure,
            exit_date,
            exit_type: codes[0],
            interviewer: codes[1],
            regrettable: codes[2],
        };
        self.builder.store_row(&row, answers);
    }

    /// The tenure band's code for a row whose tenure field holds `slot`
    /// and whose tenure is `tenure`: a band label per distinct tenure
    /// value, unless the tenure came from a start date.
    fn tenure_band_code(&mut self, slot: Slot, tenure: Option<Tenure>) -> u32 {
        match (self.val(slot), tenure) {
            (Some(Val::Tenure(_)), Some(_)) => self.dim_code(Dim::TenureBand, slot),
            (_, Some(t)) => self.builder.dict(Dim::TenureBand).code(&t.band_label()),
            _ => 0,
        }
    }

    /// The dictionary code of a dimension value, remembered in its entry.
    fn dim_code(&mut self, dim: Dim, slot: Slot) -> u32 {
        let Slot::Entry(fi, ii, id) = slot else {
            return 0;
        };
        let Some(entry) = self.fields[fi].inputs[ii].cache.get_mut(id) else {
            return 0;
        };
        if entry.code != u32::MAX {
            return entry.code;
        }
        let code = match (&entry.out, &self.options.pseudonymiser, dim) {
            // Stored rows have a respondent, so their manager is pseudonymised.
            (Out::Val(Val::Text(t)), Some(p), Dim::Manager) => {
                self.builder.dict(dim).code(&p.pseudonymise(t))
            }
            (Out::Val(Val::Text(t)), _, _) => self.builder.dict(dim).code(t),
            (Out::Val(Val::Tenure(t)), _, _) => self.builder.dict(dim).code(&t.band_label()),
            _ => return 0,
        };
        if id != SCRATCH {
            entry.code = code;
        }
        code
    }

    fn store_org(&mut self, fi: usize, slot: Slot) -> u32 {
        if let Slot::Entry(_, usize::MAX, _) = slot {
            let mut node = u32::MAX;
            for &(ii, id) in &self.org_levels {
                let fs = &mut self.fields[fi];
                if id != SCRATCH
                    && let Some(&n) = fs.nodes.get(&(node, pack(ii, id)))
                {
                    node = n;
                    continue;
                }
                let Some(Entry {
                    out: Out::Val(Val::Text(name)),
                    ..
                }) = fs.inputs[ii].cache.get(id)
                else {
                    continue;
                };
                let n = self.builder.org().child(node, name);
                if id != SCRATCH {
                    fs.nodes.insert((node, pack(ii, id)), n);
                }
                node = n;
            }
            return node;
        }
        let Slot::Entry(fi, ii, id) = slot else {
            return u32::MAX;
        };
        let Some(entry) = self.fields[fi].inputs[ii].cache.get_mut(id) else {
            return u32::MAX;
        };
        if entry.code != u32::MAX {
            return entry.code;
        }
        let node = match &entry.out {
            Out::Val(Val::Path(p)) => self.builder.org().node(p),
            Out::Val(Val::Text(t)) => self.builder.org().node(std::slice::from_ref(t)),
            _ => u32::MAX,
        };
        if id != SCRATCH {
            entry.code = node;
        }
        node
    }
}

/// Where a dimension's codes go among a stored row's `dims`.
fn dim_index(d: Dim) -> usize {
    match d {
        Dim::JobFamily => 0,
        Dim::Manager => 1,
        Dim::Location => 2,
        _ => 3,
    }
}

/// What the data set stores for a question, given the row's checked
/// answer and slot; `text` is the buffer a `Slot::Text` points into.
fn stored_answer<'a>(
    fields: &'a [FieldState<'_>],
    text: &'a str,
    checked: Option<Checked<'a>>,
    slot: Slot,
) -> Option<Checked<'a>> {
    match (checked, slot) {
        (_, Slot::Text(s, e)) => text.get(s..e).map(Checked::Text),
        (Some(Checked::Text(_)), slot) => match val_in(fields, slot) {
            Some(Val::Answer(Answer::Text(t), None)) => Some(Checked::Text(t)),
            _ => None,
        },
        (Some(c), _) => Some(c),
        (None, _) => None,
    }
}

fn val_in<'a>(fields: &'a [FieldState<'_>], slot: Slot) -> Option<&'a Val> {
    let Slot::Entry(fi, ii, id) = slot else {
        return None;
    };
    match fields.get(fi)?.inputs.get(ii)?.cache.get(id) {
        Some(Entry {
            out: Out::Val(v), ..
        }) => Some(v),
        _ => None,
    }
}

/// One key for an org level entry: the level in the high bits.
fn pack(level: usize, id: u32) -> u32 {
    (u32::try_from(level).unwrap_or(0) << 24) | (id & 0x00FF_FFFF)
}

/// `Checked` without its borrow; text never reaches here (it stays in the row).
fn static_checked(c: Checked<'_>) -> Checked<'static> {
    match c {
        Checked::Likert(p) => Checked::Likert(p),
        Checked::Rating(r) => Checked::Rating(r),
        Checked::Choice(c) => Checked::Choice(c),
        Checked::Choices(m) => Checked::Choices(m),
        Checked::YesNo(b) => Checked::YesNo(b),
        Checked::Date(d) => Checked::Date(d),
        Checked::Text(_) => Checked::Text(""),
    }
}

/// The problem for a column value the field does not recognise.
fn unrecognised(header: &str, target: &str, value: &str, expected: &str) -> Out {
    Out::Bad {
        field: header.to_owned(),
        message: format!("{value:?} is not a recognised value for {target} (expected {expected})"),
    }
}

/// The problem for a constant the field does not recognise.
fn constant_bad(target: &str, raw: &str, expected: &str) -> Out {
    Out::Bad {
        field: target.to_owned(),
        message: format!("constant {raw:?}: expected {expected}"),
    }
}

/// One cell of a flag column: unticked, missing, ticked or not recognised.
fn resolve_flag(
    f: &FieldPlan,
    option: Option<String>,
    v: &str,
    header: &str,
    missing: impl Fn(&str) -> bool,
) -> Out {
    let n = norm(v);
    if f.spec.unticked.iter().flatten().any(|u| norm(u) == n) {
        return Out::Val(Val::Unticked);
    }
    if missing(v) {
        return Out::Missing;
    }
    match &f.spec.ticked {
        Some(t) if !t.iter().any(|x| norm(x) == n) => {
            unrecognised(header, &f.target, v, "a ticked or unticked marker")
        }
        _ => Out::Val(Val::Ticked(option)),
    }
}

/// What a present value (trimmed cell, or a constant as written) of a
/// field means: the rules of the record path's `Plan::record`, once per
/// distinct value.
fn resolve(
    q: &Questionnaire,
    kind: Kind,
    f: &FieldPlan,
    raw: &str,
    header: Option<&String>,
) -> Out {
    let bad = |expected: &str| match header {
        Some(h) => unrecognised(h, &f.target, raw, expected),
        None => constant_bad(&f.target, raw, expected),
    };
    match kind {
        Kind::Respondent | Kind::FreeText(_) => Out::Val(Val::Text(raw.to_owned())),
        Kind::Org => {
            let rename = |v: &str| match f.values.get(normalised(v).as_ref()) {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => v.to_owned(),
            };
            match (&f.source, &f.spec.separator) {
                (Source::Columns(_), _) => Out::Val(Val::Text(rename(raw))),
                (_, Some(sep)) => Out::Val(Val::Path(
                    raw.split(sep.as_str())
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(rename)
                        .collect(),
                )),
                (_, None) => Out::Val(Val::Path(vec![rename(raw)])),
            }
        }
        Kind::Answer(i) => match q.questions.get(i) {
            Some(question) => resolve_answer(question, f, raw, bad),
            None => Out::Val(Val::Nothing),
        },
        _ => {
            // A `values` table renames labels; unlisted labels pass through as written.
            let text = match f.values.get(normalised(raw).as_ref()) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) => return Out::Val(Val::Nothing),
                Some(v) => v.to_string(),
                None => raw.to_owned(),
            };
            resolve_context(kind, f, text, bad)
        }
    }
}

fn resolve_context(kind: Kind, f: &FieldPlan, text: String, bad: impl Fn(&str) -> Out) -> Out {
    let val = match kind {
        Kind::Dim(_) => Val::Text(text),
        Kind::Tenure if f.spec.formats.is_some() => {
            let formats = f.spec.formats.as_deref().unwrap_or_default();
            match parse_date(&text, formats).and_then(|d| d.to_naive()) {
                Some(start) => Val::Start(start, text),
                None => {
                    return bad(&format!(
                        "a full start date in one of the formats {}",
                        formats.join(", ")
                    ));
                }
            }
        }
        Kind::Tenure => match parse_tenure(&text, &f.spec) {
            Some(t) => Val::Tenure(t),
            None => return bad("a number or a listed band"),
        },
        Kind::ExitDate => {
            let formats = f
                .spec
                .formats
                .clone()
                .unwrap_or_else(|| vec!["%Y-%m-%d".into(), "%Y-%m".into(), "%Y".into()]);
            match parse_date(&text, &formats) {
                Some(d) => Val::Date(d),
                None => {
                    return bad(&format!(
                        "a date in one of the formats {}",
                        formats.join(", ")
                    ));
                }
            }
        }
        Kind::ExitType => {
            let id = norm(&text).replace(' ', "_");
            match ExitType::ALL.iter().position(|t| t.id() == id) {
                Some(p) => Val::Code(u8::try_from(p + 1).unwrap_or(0)),
                None => {
                    return bad(
                        "a label listed in values, or voluntary, involuntary, end_of_contract, retirement, other",
                    );
                }
            }
        }
        Kind::Interviewer => {
            let id = norm(&text).replace(' ', "_");
            match InterviewerType::ALL.iter().position(|t| t.id() == id) {
                Some(p) => Val::Code(u8::try_from(p + 1).unwrap_or(0)),
                None => {
                    return bad(
                        "a label listed in values, or hr, independent, manager, self_service",
                    );
                }
            }
        }
        Kind::Regrettable => match parse_bool(&text) {
            Some(b) => Val::Bool(b),
            None => return bad("yes or no"),
        },
        Kind::Respondent | Kind::Org | Kind::Answer(_) | Kind::FreeText(_) => Val::Nothing,
    };
    Out::Val(val)
}

fn resolve_answer(q: &Question, f: &FieldPlan, raw: &str, bad: impl Fn(&str) -> Out) -> Out {
    let answer = match answer_of(q, f, raw) {
        Ok(Some(a)) => a,
        Ok(None) => return Out::Val(Val::Nothing),
        Err(expected) => return bad(&expected),
    };
    let checked = if matches!(q.kind, QuestionKind::FreeText { .. }) {
        None
    } else {
        Some(check_answer(q, &answer).map(static_checked))
    };
    Out::Val(Val::Answer(answer, checked))
}

/// The answer a value stands for (`None`: mapped to null), or what was expected.
fn answer_of(q: &Question, f: &FieldPlan, raw: &str) -> Result<Option<Answer>, String> {
    if let QuestionKind::MultipleChoice { options, .. } = &q.kind {
        let parts: Vec<&str> = match &f.spec.separator {
            Some(sep) => raw
                .split(sep.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect(),
            None => vec![raw],
        };
        let mut ids = Vec::new();
        for p in parts {
            let p = normalised(p);
            match f.values.get(p.as_ref()) {
                Some(serde_json::Value::String(s)) => ids.push(s.clone()),
                Some(serde_json::Value::Null) => {}
                Some(_) => return Err("an option id in values".into()),
                None => match f.choice(options, &p) {
                    Some(id) => ids.push(id),
                    None => {
                        return Err(
                            "an option id or label of the question, or a label listed in values"
                                .into(),
                        );
                    }
                },
            }
        }
        return Ok(Some(Answer::List(ids)));
    }
    let raw_normalised = normalised(raw);
    if let Some(v) = f.values.get(raw_normalised.as_ref()) {
        if v.is_null() {
            return Ok(None);
        }
        return serde_json::from_value::<Answer>(v.clone())
            .map(Some)
            .map_err(|_| "a valid answer in values".into());
    }
    match &q.kind {
        QuestionKind::Likert {
            scale,
            not_applicable,
        } => {
            if let Ok(n) = raw.parse::<i64>() {
                return Ok(Some(Answer::Number(n)));
            }
            let n = raw_normalised;
            if let Some(p) = scale
                .iter()
                .position(|t| t.translations().values().any(|l| norm(l) == n))
            {
                return Ok(Some(Answer::Number(
                    i64::try_from(p + 1).unwrap_or(i64::MAX),
                )));
            }
            if not_applicable
                .as_ref()
                .is_some_and(|t| t.translations().values().any(|l| norm(l) == n))
            {
                return Ok(Some(Answer::not_applicable()));
            }
            Err("a scale point, a scale label, or a label listed in values/scale".into())
        }
        QuestionKind::Rating { .. } => match parse_number(raw) {
            // Within ±2^53 an integral f64 converts to i64 exactly.
            #[allow(clippy::cast_possible_truncation)]
            Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(Answer::Number(x as i64))),
            _ => Err("a whole number".into()),
        },
        QuestionKind::SingleChoice { options } => match f.choice(options, &raw_normalised) {
            Some(id) => Ok(Some(Answer::Text(id))),
            None => {
                Err("an option id or label of the question, or a label listed in values".into())
            }
        },
        QuestionKind::YesNo => match parse_bool(raw) {
            Some(b) => Ok(Some(Answer::Bool(b))),
            None => Err("yes or no".into()),
        },
        QuestionKind::FreeText { .. } => Ok(Some(Answer::Text(raw.to_owned()))),
        QuestionKind::Date => {
            let formats = f
                .spec
                .formats
                .clone()
                .unwrap_or_else(|| vec!["%Y-%m-%d".into()]);
            match parse_date(raw, &formats) {
                Some(d) if d.day.is_some() => Ok(Some(Answer::Text(d.to_string()))),
                _ => Err(format!(
                    "a full date in one of the formats {}",
                    formats.join(", ")
                )),
            }
        }
        QuestionKind::MultipleChoice { .. } => Ok(None),
    }
}

/// A row's problems with its line and, when it has one, its respondent.
fn located(problems: impl IntoIterator<Item = Problem>, line: u64, who: &str) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|p| {
            let p = p.at_row(line);
            if who.is_empty() {
                p
            } else {
                p.for_respondent(who.to_owned())
            }
        })
        .collect()
}
