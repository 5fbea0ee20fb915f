//! A table's rows a chunk at a time: the common row, one with no
//! problem, counted and stored without the row path's problem machinery.
//!
//! The row path ([`Engine::row`]) asks of every cell what it holds and of
//! every question whether it is shown and answered, building problems as
//! it goes, field by field and row by row. Whether a row can have a
//! problem depends mostly on which distinct value each of its cells holds,
//! so a chunk is classified a column at a time, each value's class worked
//! out once: a row goes through the row path, exactly as before, when a
//! cell holds a value that is bad or blank or needs the rest of the row (a
//! tenure from a start date), when a question is answered but not shown or
//! shown, required and not answered, when its org unit is missing, and when
//! its respondent is missing, blank or repeated or a free text fails its
//! check. Every other row waits in a run, which is stored a column at a
//! time before the next row the row path takes (and at the chunk's end),
//! counted and coded as the row path would count and code each row in
//! turn: the tests compare the two paths' outcomes, data set included.

use super::{
    CACHE_CAP, Engine, Fields, Kind, NOT_STORED, Out, SCRATCH, Slot, UNSET, Val, dim_index,
};
use crate::dataset::CodedRows;
use crate::import::columnar::Batch;
use crate::import::{Source, tenure_between};
use crate::questionnaire::check_free_text;
use crate::record::PartialDate;
use crate::record::Tenure;

/// What a cell's value means for a row with no problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Missing: counted missing, no value.
    Missing,
    /// A value that passes every check of its own.
    Value,
    /// Mapped to null: counted filled, no value.
    Nothing,
    /// Only the row path can tell: a bad value, a blank name, a tenure
    /// from a start date, an answer its question refuses.
    Row,
}

fn class_of(kind: Kind, out: &Out) -> Class {
    let blank = |t: &str| t.trim().is_empty();
    match out {
        Out::Missing => Class::Missing,
        Out::Bad { .. } => Class::Row,
        Out::Val(Val::Nothing) => Class::Nothing,
        Out::Val(v) => match (kind, v) {
            (Kind::Org, Val::Path(p)) if !p.is_empty() && !p.iter().any(|s| blank(s)) => {
                Class::Value
            }
            (Kind::Org | Kind::Dim(_), Val::Text(t)) if !blank(t) => Class::Value,
            (Kind::Tenure, Val::Tenure(t)) if t.check().is_ok() => Class::Value,
            // A start date: whole months to the exit date, worked out per row.
            (Kind::Tenure, Val::Start(..))
            | (Kind::ExitDate, Val::Date(_))
            | (Kind::ExitType | Kind::Interviewer, Val::Code(_))
            | (Kind::Regrettable, Val::Bool(_))
            | (Kind::Answer(_), Val::Answer(_, Some(Ok(_)))) => Class::Value,
            _ => Class::Row,
        },
    }
}

/// The state of chunked reading, kept from chunk to chunk.
#[derive(Debug)]
pub(super) struct Chunked {
    /// The field of the respondent id (`None`: rows are named by line).
    respondent: Option<usize>,
    /// The column of the respondent id.
    respondent_column: Option<usize>,
    /// The column whose text holds this chunk's respondent ids as they
    /// are claimed (see [`Engine::classify_respondents`]), and per row
    /// where its id lies in that text, trimmed (`None`: missing).
    ids_in_place: Option<usize>,
    id_spans: Vec<Option<(usize, usize)>>,
    /// Field, question and column of each free-text answer read from a column.
    texts: Vec<(usize, usize, usize)>,
    /// Per question: its place in `texts`, when there.
    text_of: Vec<Option<usize>>,
    /// Per free-text answer (as `texts`), per row of the chunk: the answer,
    /// trimmed, as a range of the row's text (`None`: missing); a row
    /// whose answer the row path must judge is marked slow instead.
    spans: Vec<Vec<Option<(u32, u32)>>>,
    /// The exit date and tenure fields, in field order.
    dated: Vec<usize>,
    /// Whether a tenure has been given as a start date so far (only then
    /// does a row's tenure wait for its exit date).
    starts: bool,
    /// Per field: the index of its first input in `ids` and `classes`.
    base: Vec<usize>,
    /// Per field input: the entry of each row of the chunk (not written
    /// when `keyed`).
    ids: Vec<Vec<u32>>,
    /// Per field input: whether only its field's storing reads its
    /// entries (one column, whose rows no condition, org path or start
    /// date looks at), so that they can be read from the chunk's keys.
    plain: Vec<bool>,
    /// Per field input: whether this chunk's entries are read from its
    /// keys, every one of which the input's cache knows, instead of
    /// written to `ids`: a plain input's usual chunk, which then costs
    /// classifying nothing unless an entry is slow.
    keyed: Vec<bool>,
    /// Per field input: the class of each of its entries so far.
    classes: Vec<Vec<Class>>,
    /// Per field input: whether a row holding each of its entries so far
    /// must take the row path (but an org unit's levels, judged together).
    slow_entries: Vec<Vec<bool>>,
    /// Per field input: whether any of its entries so far is slow, and
    /// whether any is missing (when none is, no row need be looked at).
    any_slow: Vec<bool>,
    any_missing: Vec<bool>,
    /// Per question: the field answering it, unless free text.
    answered_by: Vec<Option<usize>>,
    /// Per question: the free-text field answering it.
    free: Vec<Option<usize>>,
    /// Per question with a condition: whether it holds, by entry of the
    /// parent's field (`None`: not worked out yet).
    holds: Vec<Vec<Option<bool>>>,
    /// The questions, each after the one its condition looks at.
    order: Vec<usize>,
    /// Per question: whether it is shown, per row of the chunk.
    shown: Vec<Vec<bool>>,
    /// Per row of the chunk: whether it must go through the row path.
    slow: Vec<bool>,
    /// The rows accepted and not yet stored.
    run: Run,
    /// The run's columns as stored (kept for their buffers).
    out: RunColumns,
    /// Per field input: what each of its entries stores (`None` until a
    /// stored row first holds it): a dictionary code or org unit,
    /// an exit type's, interviewer's or regrettable's code, a tenure's
    /// band, an answer's cell.
    stored: Vec<Vec<Option<u64>>>,
    /// Each run row's entry of the field being stored.
    run_ids: Vec<u32>,
    /// The org unit of each org path stored so far, by its levels'
    /// entries (four at most, 32 bits each; `u32::MAX` past the path's end).
    org_paths: rustc_hash::FxHashMap<u128, u32>,
}

/// Rows accepted ([`Engine::accept`]) and waiting to be stored together.
#[derive(Debug, Default)]
struct Run {
    /// Their rows in the chunk.
    rows: Vec<usize>,
    /// Their respondent ids, one after another, and where each ends
    /// (empty when the chunk's ids are claimed where they lie).
    ids: String,
    id_ends: Vec<usize>,
    /// Their input lines.
    lines: Vec<u64>,
    /// Their respondents' fingerprints, once claimed.
    respondents: Vec<u64>,
    /// Their tenures from a start date.
    start_tenure: Vec<Option<Tenure>>,
}

impl Run {
    /// Drops rows `gone` (ascending) from the run, but not their ids.
    fn remove(&mut self, gone: &[usize]) {
        fn keep<T>(v: &mut Vec<T>, gone: &[usize]) {
            let mut i = 0;
            let mut next = gone.iter().peekable();
            v.retain(|_| {
                let drop = next.next_if_eq(&&i).is_some();
                i += 1;
                !drop
            });
        }
        keep(&mut self.rows, gone);
        keep(&mut self.lines, gone);
        keep(&mut self.start_tenure, gone);
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.id_ends.clear();
        self.lines.clear();
        self.rows.clear();
        self.respondents.clear();
        self.start_tenure.clear();
    }
}

/// A run's values, a column each, in the data set's codes.
#[derive(Debug, Default)]
struct RunColumns {
    org: Vec<u32>,
    dims: [Vec<u32>; 5],
    tenure: Vec<Option<Tenure>>,
    exit_date: Vec<Option<PartialDate>>,
    codes: [Vec<u8>; 3],
    /// Per question: each row's answer as its column stores it
    /// ([`crate::dataset::Builder::encode`]; empty: unanswered by the
    /// mapping, or free text).
    cells: Vec<Vec<u64>>,
}

impl RunColumns {
    /// `n` rows of what a row with nothing in its fields stores.
    fn reset(&mut self, n: usize, questions: usize) {
        fn fill<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
            v.clear();
            v.resize(n, value);
        }
        fill(&mut self.org, n, u32::MAX);
        for d in &mut self.dims {
            fill(d, n, 0);
        }
        fill(&mut self.tenure, n, None);
        fill(&mut self.exit_date, n, None);
        for c in &mut self.codes {
            fill(c, n, 0);
        }
        self.cells.resize_with(questions, Vec::new);
        for c in &mut self.cells {
            c.clear();
        }
    }
}

/// Where a run's values of a field of one input go, and how they narrow
/// to the column's cells.
enum RunCells<'o> {
    /// Dictionary codes or org units, and the cell of a value that has none.
    Codes(&'o mut [u32], u32),
    /// Exit type, interviewer or regrettable codes.
    Small(&'o mut [u8]),
    /// An answer's cells as its column encodes them.
    Answers(&'o mut Vec<u64>),
    None,
}

impl<'o> RunCells<'o> {
    fn of(out: &'o mut RunColumns, kind: Kind) -> Self {
        match kind {
            Kind::Dim(d) => RunCells::Codes(&mut out.dims[dim_index(d)], 0),
            Kind::Org => RunCells::Codes(&mut out.org, u32::MAX),
            Kind::ExitType => RunCells::Small(&mut out.codes[0]),
            Kind::Interviewer => RunCells::Small(&mut out.codes[1]),
            Kind::Regrettable => RunCells::Small(&mut out.codes[2]),
            Kind::Answer(q) => out
                .cells
                .get_mut(q)
                .map_or(RunCells::None, RunCells::Answers),
            Kind::Respondent | Kind::FreeText(_) | Kind::ExitDate | Kind::Tenure => RunCells::None,
        }
    }

    /// Writes a run's stored values, in row order, narrowed to the
    /// column's cells.
    fn fill(self, values: impl Iterator<Item = u64>) {
        match self {
            RunCells::Codes(cells, none) => {
                for (cell, v) in cells.iter_mut().zip(values) {
                    *cell = u32::try_from(v).unwrap_or(none);
                }
            }
            RunCells::Small(cells) => {
                for (cell, v) in cells.iter_mut().zip(values) {
                    *cell = u8::try_from(v).unwrap_or(0);
                }
            }
            RunCells::Answers(cells) => {
                cells.clear();
                cells.extend(values);
            }
            RunCells::None => {}
        }
    }
}

impl Chunked {
    /// The chunked state for `engine`'s plan, or `None` when the plan
    /// has what only the row path handles: a row filter, multiple choice
    /// spread over flag columns, a condition on a free-text answer.
    pub(super) fn new(engine: &Engine<'_>) -> Option<Self> {
        if engine.keep.is_some()
            || engine.fields.iter().any(|f| {
                matches!(f.plan.source, Source::Flags(_))
                    || (matches!(f.kind, Kind::Answer(_)) && f.inputs.len() != 1)
            })
        {
            return None;
        }
        let n = engine.q.questions.len();
        let (mut answered_by, mut free) = (vec![None; n], vec![None; n]);
        let mut base = Vec::with_capacity(engine.fields.len());
        let mut inputs = 0;
        for (fi, f) in engine.fields.iter().enumerate() {
            base.push(inputs);
            inputs += f.inputs.len();
            match f.kind {
                Kind::Answer(q) => answered_by[q] = Some(fi),
                Kind::FreeText(q) => free[q] = Some(fi),
                _ => {}
            }
        }
        // Depth of each question in its chain of conditions; a chain longer
        // than the questionnaire is a cycle, left to the row path.
        let mut depth = vec![0usize; n];
        for (i, d) in depth.iter_mut().enumerate() {
            let mut at = i;
            while engine.q.questions[at].show_if.is_some()
                && let Some(p) = engine.parents[at]
            {
                if free[p].is_some() {
                    return None;
                }
                *d += 1;
                if *d > n {
                    return None;
                }
                at = p;
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| depth[i]);
        let respondent = engine
            .fields
            .iter()
            .position(|f| f.kind == Kind::Respondent);
        let fields = engine.fields.iter().enumerate();
        let texts: Vec<(usize, usize, usize)> = fields
            .clone()
            .filter_map(
                |(fi, f)| match (f.kind, f.inputs.first().and_then(|i| i.col)) {
                    (Kind::FreeText(qi), Some(col)) => Some((fi, qi, col)),
                    _ => None,
                },
            )
            .collect();
        let parent = |q: usize| engine.parents.contains(&Some(q));
        let plain = engine
            .fields
            .iter()
            .flat_map(|f| {
                let plain = f.inputs.len() == 1
                    && f.inputs.first().is_some_and(|i| i.col.is_some())
                    && match f.kind {
                        Kind::Org
                        | Kind::Dim(_)
                        | Kind::ExitType
                        | Kind::Interviewer
                        | Kind::Regrettable => true,
                        Kind::Answer(q) => engine.q.questions[q].show_if.is_none() && !parent(q),
                        Kind::Respondent | Kind::FreeText(_) | Kind::Tenure | Kind::ExitDate => {
                            false
                        }
                    };
                std::iter::repeat_n(plain, f.inputs.len())
            })
            .collect();
        let mut text_of = vec![None; n];
        for (t, &(_, qi, _)) in texts.iter().enumerate() {
            if let Some(o) = text_of.get_mut(qi) {
                *o = Some(t);
            }
        }
        Some(Chunked {
            respondent,
            respondent_column: respondent
                .and_then(|fi| engine.fields[fi].inputs.first())
                .and_then(|i| i.col),
            ids_in_place: None,
            id_spans: Vec::new(),
            spans: vec![Vec::new(); texts.len()],
            text_of,
            texts,
            dated: fields
                .filter(|(_, f)| matches!(f.kind, Kind::ExitDate | Kind::Tenure))
                .map(|(fi, _)| fi)
                .collect(),
            starts: false,
            base,
            ids: vec![Vec::new(); inputs],
            plain,
            keyed: vec![false; inputs],
            classes: vec![Vec::new(); inputs],
            slow_entries: vec![Vec::new(); inputs],
            any_slow: vec![false; inputs],
            any_missing: vec![false; inputs],
            answered_by,
            free,
            holds: vec![Vec::new(); n],
            order,
            shown: vec![Vec::new(); n],
            slow: Vec::new(),
            run: Run::default(),
            out: RunColumns::default(),
            stored: vec![Vec::new(); inputs],
            run_ids: Vec::new(),
            org_paths: rustc_hash::FxHashMap::default(),
        })
    }

    fn class(&self, slot: usize, id: u32) -> Class {
        self.classes[slot]
            .get(id as usize)
            .copied()
            .unwrap_or(Class::Row)
    }
}

impl Engine<'_> {
    /// Imports rows `start..end` of `batch` (its current chunk), the first
    /// at input line `*line + 1`; `*line` ends at the last row's line.
    pub(crate) fn chunk(&mut self, batch: &Batch, start: usize, end: usize, line: &mut u64) {
        let n = end - start;
        let mut chunked = self.chunked.take();
        let classified = match &mut chunked {
            Some(c) => self.classify(c, batch, n),
            None => false,
        };
        for r in 0..n {
            *line = batch.line(start + r).unwrap_or(*line + 1);
            let row = batch.row(start + r);
            let accepted = classified
                && chunked
                    .as_mut()
                    .is_some_and(|c| !c.slow[r] && self.accept(c, &row, r, *line));
            if !accepted {
                // The rows before this one are stored before it can be.
                if let Some(c) = chunked.as_mut() {
                    self.flush(c, batch, start);
                }
                self.row(&row, *line);
            }
        }
        if let Some(c) = chunked.as_mut() {
            self.flush(c, batch, start);
        }
        self.chunked = chunked;
    }

    /// Finds every cell's entry (or that its key's is known, for a plain
    /// input) and marks the rows only the row path can
    /// import; false when a column has no keys this chunk (its values are
    /// too many to number), and the whole chunk goes row by row.
    fn classify(&mut self, ch: &mut Chunked, batch: &Batch, n: usize) -> bool {
        ch.ids_in_place = None;
        ch.slow.clear();
        ch.slow.resize(n, false);
        for fi in 0..self.fields.len() {
            let kind = self.fields[fi].kind;
            if matches!(kind, Kind::Respondent | Kind::FreeText(_)) {
                continue;
            }
            let first = ch.base[fi];
            let inputs = self.fields[fi].inputs.len();
            for ii in 0..inputs {
                let s = first + ii;
                ch.keyed[s] = false;
                if let Some(c) = self.fields[fi].inputs[ii].col {
                    let keys = batch.keys(c);
                    if keys.len() != n {
                        return false;
                    }
                    ch.keyed[s] = ch.plain[s] && self.know_every_key(fi, ii, c, batch, n);
                }
                let mut ids = std::mem::take(&mut ch.ids[s]);
                ids.clear();
                if ch.keyed[s] {
                    // Every entry is known: nothing to number or look up.
                } else if let Some(c) = self.fields[fi].inputs[ii].col {
                    let keys = batch.keys(c);
                    // Known keys in one pass; the rest resolved in row order,
                    // so new entries are numbered as the row path numbers them.
                    let by_key = &self.fields[fi].inputs[ii].cache.by_key;
                    let mut unset = false;
                    ids.extend(keys.iter().map(|&k| {
                        let id = by_key.get(k as usize).copied().unwrap_or(UNSET);
                        unset |= id == UNSET;
                        id
                    }));
                    if unset {
                        for (id, &k) in ids.iter_mut().zip(keys) {
                            if *id == UNSET {
                                // A key resolved at an earlier row of this chunk
                                // (every row of a batch's first chunk is new).
                                let cache = &self.fields[fi].inputs[ii].cache;
                                *id = match cache.keyed(Some(k)) {
                                    Some(known) => known,
                                    None => self.entry_id(fi, ii, Some(k), || batch.key_text(c, k)),
                                };
                                // Only a real entry can be stored (never the scratch one).
                                ch.any_slow[s] |= *id == SCRATCH;
                            }
                        }
                    }
                } else {
                    let id = self.constant_entry(fi, ii);
                    ids.resize(n, id);
                }
                ch.ids[s] = ids;
                let entries = &self.fields[fi].inputs[ii].cache.entries;
                let (classes, slow_entries) = (&mut ch.classes[s], &mut ch.slow_entries[s]);
                if let Some(new) = entries.get(classes.len()..) {
                    ch.starts |= kind == Kind::Tenure
                        && new
                            .iter()
                            .any(|e| matches!(e.out, Out::Val(Val::Start(..))));
                    classes.extend(new.iter().map(|e| class_of(kind, &e.out)));
                    // An org unit must be there (the path's levels are
                    // judged together, below), and so must the answer to a
                    // required question every row shows.
                    let needed = kind == Kind::Org
                        || matches!(kind, Kind::Answer(q) if {
                            let question = &self.q.questions[q];
                            question.required && question.show_if.is_none()
                        });
                    let judged = slow_entries.len();
                    slow_entries.extend(
                        classes[judged..]
                            .iter()
                            .map(|&c| c == Class::Row || (needed && c != Class::Value)),
                    );
                    ch.any_slow[s] |= slow_entries[judged..].contains(&true);
                    ch.any_missing[s] |= classes[judged..].contains(&Class::Missing);
                }
            }
            let levels =
                kind == Kind::Org && matches!(self.fields[fi].plan.source, Source::Columns(_));
            if !levels {
                if ch.any_slow[first] {
                    // Only a real entry can be stored (never the scratch one).
                    let slow_entries = &ch.slow_entries[first];
                    let slow_entry =
                        |id: u32| slow_entries.get(id as usize).copied().unwrap_or(true);
                    let input = &self.fields[fi].inputs[0];
                    match input.col.filter(|_| ch.keyed[first]) {
                        Some(c) => {
                            let by_key = &input.cache.by_key;
                            for (slow, &k) in ch.slow.iter_mut().zip(batch.keys(c)) {
                                *slow |=
                                    slow_entry(by_key.get(k as usize).copied().unwrap_or(UNSET));
                            }
                        }
                        None => {
                            for (slow, &id) in ch.slow.iter_mut().zip(&ch.ids[first]) {
                                *slow |= slow_entry(id);
                            }
                        }
                    }
                }
                continue;
            }
            let range = first..first + inputs;
            let (ids, classes) = (&ch.ids[range.clone()], &ch.classes[range]);
            for (r, slow) in ch.slow.iter_mut().enumerate() {
                // The path ends at the first missing level; it must not be empty.
                let mut length = 0;
                for (ids, classes) in ids.iter().zip(classes) {
                    let id = ids.get(r).copied().unwrap_or(UNSET);
                    match classes.get(id as usize).copied().unwrap_or(Class::Row) {
                        Class::Missing => break,
                        Class::Value => length += 1,
                        Class::Nothing | Class::Row => {
                            length = 0;
                            break;
                        }
                    }
                }
                *slow |= length == 0;
            }
        }
        self.classify_questions(ch, n);
        self.classify_texts(ch, batch, n);
        self.classify_respondents(ch, batch, n);
        true
    }

    /// Whether the cache of input `ii` (column `c`) of field `fi` knows
    /// the entry of every key its batch has numbered, once the keys it
    /// does not are resolved, in key order, when they are no more than
    /// the chunk's `n` rows (a binding's dictionary can hold values no
    /// row holds, which would otherwise never be known). An entry's id is
    /// internal: codes are still given in row order, as rows are stored.
    fn know_every_key(&mut self, fi: usize, ii: usize, c: usize, batch: &Batch, n: usize) -> bool {
        let count = batch.key_count(c);
        let cache = &self.fields[fi].inputs[ii].cache;
        if cache.knows_all(count) {
            return true;
        }
        if count > CACHE_CAP || count.saturating_sub(cache.known) > n {
            return false;
        }
        for k in (0..count).filter_map(|k| u32::try_from(k).ok()) {
            if self.fields[fi].inputs[ii].cache.keyed(Some(k)).is_none() {
                self.entry_id(fi, ii, Some(k), || batch.key_text(c, k));
            }
        }
        self.fields[fi].inputs[ii].cache.knows_all(count)
    }

    /// Finds each row's respondent id where it lies in the chunk, trimmed,
    /// when the ids are claimed as they are (not pseudonymised) from a
    /// column the reader wrote out as text: [`Engine::accept`] then copies
    /// none. A row whose id is missing is marked slow, as `accept` would
    /// refuse it.
    fn classify_respondents(&self, ch: &mut Chunked, batch: &Batch, n: usize) {
        ch.id_spans.clear();
        let column = ch.respondent.zip(ch.respondent_column);
        let (Some((fi, col)), None) = (column, &self.options.pseudonymiser) else {
            return;
        };
        let Some((text, ends)) = batch.strs(col).filter(|(_, ends)| ends.len() == n) else {
            return;
        };
        let mut start = 0;
        for (&end, slow) in ends.iter().zip(&mut ch.slow) {
            let span = self.id_span(fi, text.get(start..end).unwrap_or_default());
            *slow |= span.is_none();
            ch.id_spans
                .push(span.map(|id| (start + id.start, start + id.end)));
            start = end;
        }
        ch.ids_in_place = Some(col);
    }

    /// Judges each row's free-text answers a column at a time, as the row
    /// path would: a row whose answer is there but not shown, shown,
    /// required and missing, too long, or not UTF-8 as it lies is marked
    /// slow; the rest keep where their trimmed answer lies.
    fn classify_texts(&self, ch: &mut Chunked, batch: &Batch, n: usize) {
        for (t, &(fi, qi, col)) in ch.texts.iter().enumerate() {
            let (field, question) = (&self.fields[fi], &self.q.questions[qi]);
            let judge = |raw: &str, shown: bool| {
                let trimmed = raw.trim_start();
                let value = trimmed.trim_end();
                // A blank answer is missing (as the markers are).
                if value.is_empty()
                    || Self::is_missing(self.plan, field.marker_chars, value, Some(field.plan))
                {
                    return (!(shown && question.required)).then_some(None);
                }
                if !shown || check_free_text(question, value).is_err() {
                    return None;
                }
                let start = u32::try_from(raw.len() - trimmed.len()).ok()?;
                let end = start.checked_add(u32::try_from(value.len()).ok()?)?;
                Some(Some((start, end)))
            };
            let (shown, spans) = (&ch.shown[qi], &mut ch.spans[t]);
            let slow = ch.slow.get_mut(..n).unwrap_or_default();
            spans.clear();
            if let Some((text, ends)) = batch.strs(col) {
                // Most answers are blank: told by their ends alone.
                let blank = (!question.required).then_some(None);
                let mut start = 0;
                for ((&end, slow), &shown) in ends.iter().zip(slow).zip(shown) {
                    let judged = if end == start {
                        if shown { blank } else { Some(None) }
                    } else {
                        text.get(start..end).and_then(|raw| judge(raw, shown))
                    };
                    start = end;
                    *slow |= judged.is_none();
                    spans.push(judged.flatten());
                }
            } else {
                for ((r, slow), &shown) in slow.iter_mut().enumerate().zip(shown) {
                    let judged = batch.row_str(col, r).and_then(|raw| judge(raw, shown));
                    *slow |= judged.is_none();
                    spans.push(judged.flatten());
                }
            }
        }
    }

    /// Which questions each row shows, and the rows whose answers the
    /// questionnaire's conditions or required questions refuse (free text
    /// is judged with its text, by [`Engine::classify_texts`]).
    fn classify_questions(&self, ch: &mut Chunked, n: usize) {
        for oi in 0..ch.order.len() {
            let qi = ch.order[oi];
            let question = &self.q.questions[qi];
            let mut shown = std::mem::take(&mut ch.shown[qi]);
            shown.clear();
            match (&question.show_if, self.parents[qi]) {
                (None, _) => shown.resize(n, true),
                (Some(condition), Some(pq)) => match ch.answered_by[pq] {
                    Some(pf) => {
                        let first = ch.base[pf];
                        let cache = &self.fields[pf].inputs[0].cache;
                        let (ids, classes) = (&ch.ids[first], &ch.classes[first]);
                        let (parent, holds) = (&ch.shown[pq], &mut ch.holds[qi]);
                        for r in 0..n {
                            let id = ids[r] as usize;
                            // Only a real entry is a value (never the scratch one).
                            let value = classes.get(id) == Some(&Class::Value);
                            shown.push(
                                parent[r] && value && {
                                    if holds.len() <= id {
                                        holds.resize(id + 1, None);
                                    }
                                    *holds[id].get_or_insert_with(|| {
                                        let answer = cache.get(ids[r]).and_then(|e| match &e.out {
                                            Out::Val(Val::Answer(a, _)) => Some(a),
                                            _ => None,
                                        });
                                        condition.holds(answer)
                                    })
                                },
                            );
                        }
                    }
                    // An unanswered question holds no condition.
                    None => shown.resize(n, false),
                },
                (Some(_), None) => shown.resize(n, false),
            }
            if ch.free[qi].is_none() {
                match ch.answered_by[qi].map(|f| ch.base[f]) {
                    // Every row shows it: its entries judged it (classify).
                    Some(_) if question.show_if.is_none() => {}
                    Some(s) => {
                        let (ids, classes) = (&ch.ids[s], &ch.classes[s]);
                        for ((slow, &is_shown), &id) in ch.slow.iter_mut().zip(&shown).zip(ids) {
                            let present = classes.get(id as usize) == Some(&Class::Value);
                            *slow |= (present && !is_shown)
                                || (!present && is_shown && question.required);
                        }
                    }
                    None if question.required => {
                        for (slow, &is_shown) in ch.slow.iter_mut().zip(&shown) {
                            *slow |= is_shown;
                        }
                    }
                    None => {}
                }
            }
            ch.shown[qi] = shown;
        }
    }

    /// Takes row `r` of the classified chunk if it can have no problem
    /// but a repeated respondent: adds it to the run of rows waiting to be
    /// stored ([`Engine::flush`] claims their respondents and counts
    /// them). False, with nothing counted, when the row path must take it.
    fn accept(&mut self, ch: &mut Chunked, fields: &impl Fields, r: usize, line: u64) -> bool {
        if fields.count() != self.headers.len() {
            return false;
        }
        // Ids found by `classify_respondents` are claimed where they lie.
        if ch.ids_in_place.is_none() && !self.respondent_of(ch, fields, line) {
            return false;
        }
        let start_tenure = if ch.starts {
            self.start_tenure_of(ch, r)
        } else {
            Ok(None)
        };
        let Ok(start_tenure) = start_tenure else {
            return false;
        };
        // The respondent is claimed (and the row counted) with its run:
        // claims one after another overlap their trips to memory.
        let run = &mut ch.run;
        if ch.ids_in_place.is_none() {
            run.ids.push_str(&self.respondent);
            run.id_ends.push(run.ids.len());
        }
        run.lines.push(line);
        run.rows.push(r);
        run.start_tenure.push(start_tenure);
        true
    }

    /// Puts the respondent id of a row in `self.respondent` (named by
    /// its line when no column holds ids, pseudonymised when asked); false
    /// when the row has none.
    fn respondent_of(&mut self, ch: &Chunked, fields: &impl Fields, line: u64) -> bool {
        self.respondent.clear();
        match ch.respondent {
            None => {
                use std::fmt::Write as _;
                let _ = write!(self.respondent, "row-{line}");
            }
            Some(fi) => {
                let mut id = std::mem::take(&mut self.respondent);
                let present = self.respondent_in(fi, fields, &mut id);
                self.respondent = id;
                if !present {
                    return false;
                }
            }
        }
        if let Some(p) = &self.options.pseudonymiser
            && !self.respondent.is_empty()
        {
            self.respondent = p.pseudonymise(&self.respondent);
        }
        !self.respondent.trim().is_empty()
    }

    /// Claims the run's respondents, in row order; a row whose respondent
    /// was stored before (or earlier in the run) leaves the run and takes
    /// the row path, which reports it. Then counts the rows that stay.
    fn claim_run(&mut self, ch: &mut Chunked, batch: &Batch, start: usize) {
        let run = &mut ch.run;
        run.respondents.clear();
        let mut repeats = Vec::new();
        let ids: Vec<&str> = if let Some(col) = ch.ids_in_place {
            let text = batch.strs(col).map_or("", |(text, _)| text);
            run.rows
                .iter()
                .map(|&r| {
                    ch.id_spans
                        .get(r)
                        .copied()
                        .flatten()
                        .and_then(|(from, to)| text.get(from..to))
                        .unwrap_or_default()
                })
                .collect()
        } else {
            run.id_ends
                .iter()
                .scan(0, |from, &end| {
                    let id = run.ids.get(*from..end).unwrap_or_default();
                    *from = end;
                    Some(id)
                })
                .collect()
        };
        self.builder
            .claim_all(&ids, &mut run.respondents, &mut repeats);
        if !repeats.is_empty() {
            for &i in &repeats {
                let (r, line) = (run.rows[i], run.lines[i]);
                self.row(&batch.row(start + r), line);
            }
            run.remove(&repeats);
        }
        let run = &ch.run;
        let n = run.rows.len();
        self.counts.rows += n;
        self.counts.imported += n;
        self.count_other_rows(batch, start, &run.rows);
        if let Some(col) = ch.respondent_column {
            self.stats[col].filled += n;
        }
        for (&(_, _, col), spans) in ch.texts.iter().zip(&ch.spans) {
            let filled = run
                .rows
                .iter()
                .filter(|&&r| spans.get(r).copied().flatten().is_some())
                .count();
            self.stats[col].filled += filled;
            self.stats[col].missing += n - filled;
        }
    }

    /// Counts the unmapped and ignored cells of rows `rows` (in the
    /// current chunk, which starts at row `start` of `batch`), a column
    /// at a time: what [`Engine::count_other`] counts row by row.
    fn count_other_rows(&mut self, batch: &Batch, start: usize, rows: &[usize]) {
        for (i, cache) in self.other.iter_mut().enumerate() {
            let Some(cache) = cache else { continue };
            let keys = batch.keys(i);
            let mut missing = 0;
            for &r in rows {
                let key = keys.get(r).copied();
                let row = batch.row(start + r);
                let m =
                    Self::other_missing(self.plan, self.marker_chars, cache, key, || row.field(i));
                missing += usize::from(m);
            }
            self.stats[i].missing += missing;
            self.stats[i].filled += rows.len() - missing;
        }
    }

    /// Stores the run of accepted rows (but the repeats
    /// [`Engine::claim_run`] finds), a column at a time, as the row path
    /// would store each in turn: every dictionary and the org tree see
    /// their column's values in row order, so codes come out the same.
    fn flush(&mut self, ch: &mut Chunked, batch: &Batch, start: usize) {
        if ch.run.rows.is_empty() {
            return;
        }
        self.claim_run(ch, batch, start);
        let n = ch.run.rows.len();
        if n == 0 {
            // Every row was a repeat: the run's ids go too, or the next
            // run's would be read against rows they are not.
            ch.run.clear();
            return;
        }
        let mut out = std::mem::take(&mut ch.out);
        out.reset(n, self.q.questions.len());
        for fi in 0..self.fields.len() {
            let kind = self.fields[fi].kind;
            if matches!(kind, Kind::Respondent | Kind::FreeText(_)) {
                continue;
            }
            if self.fields[fi].inputs.len() != 1 {
                // Org levels in columns (the one field of several inputs
                // a chunked plan has): a path a row.
                let levels = matches!(self.fields[fi].plan.source, Source::Columns(_));
                if levels && self.fields[fi].inputs.len() <= 4 {
                    self.store_paths(ch, &mut out.org, fi);
                } else {
                    for i in 0..n {
                        let slot = self.run_slot(ch, fi, ch.run.rows[i], levels);
                        out.org[i] = self.store_org(fi, slot);
                    }
                }
                continue;
            }
            // One input: each row's entry (or key), its cells counted a
            // column at a time.
            let s = ch.base[fi];
            let col = self.fields[fi].inputs[0].col;
            let keyed = ch.keyed[s];
            let chunk_ids = std::mem::take(&mut ch.ids[s]);
            let chunk = match col {
                Some(c) if keyed => batch.keys(c),
                _ => &chunk_ids,
            };
            let mut ids = std::mem::take(&mut ch.run_ids);
            let rows = &ch.run.rows;
            // Most runs are every row from one to another: their entries
            // are the chunk's, as they are.
            let from = rows.first().copied().unwrap_or(0);
            let run = match chunk.get(from..from + n) {
                Some(run) if rows.last().is_some_and(|&last| last + 1 == from + n) => run,
                _ => {
                    ids.clear();
                    ids.extend(rows.iter().map(|&r| chunk.get(r).copied().unwrap_or(UNSET)));
                    &ids
                }
            };
            let missing = self.store_field(ch, &mut out, kind, fi, run, keyed);
            if let Some(c) = col {
                self.stats[c].filled += n - missing;
                self.stats[c].missing += missing;
            }
            ch.run_ids = ids;
            ch.ids[s] = chunk_ids;
        }
        let run = &ch.run;
        let rows = CodedRows {
            respondents: &run.respondents,
            org: &out.org,
            dims: [
                &out.dims[0],
                &out.dims[1],
                &out.dims[2],
                &out.dims[3],
                &out.dims[4],
            ],
            tenure: &out.tenure,
            exit_date: &out.exit_date,
            codes: [&out.codes[0], &out.codes[1], &out.codes[2]],
        };
        // A text answer read through a field's entries is checked per row,
        // which only the row path does: the run's text answers are free
        // text, read where they lie in the chunk.
        let (texts, text_of, spans) = (&ch.texts, &ch.text_of, &ch.spans);
        self.builder
            .store_rows(&rows, &out.cells, |question, answers| {
                let Some(t) = text_of.get(question).copied().flatten() else {
                    return;
                };
                let (Some(spans), Some(&(_, _, column))) = (spans.get(t), texts.get(t)) else {
                    return;
                };
                for (at, &row) in run.rows.iter().enumerate() {
                    if let Some((from, to)) = spans.get(row).copied().flatten()
                        && let Some(text) = batch.row_str(column, row)
                        && let Some(answer) = text.get(from as usize..to as usize)
                    {
                        answers.push((at, answer));
                    }
                }
            });
        ch.out = out;
        ch.run.clear();
    }

    /// Stores field `fi` (one input) for the run, whose rows hold its
    /// entries `ids` (or, when `keyed`, its keys): each entry's stored
    /// value is worked out at the first row holding it, in row order, so
    /// dictionary codes and org units are numbered as the row path
    /// numbers them, then copied to the rest. The number of rows whose
    /// value is missing.
    fn store_field(
        &mut self,
        ch: &mut Chunked,
        out: &mut RunColumns,
        kind: Kind,
        fi: usize,
        ids: &[u32],
        keyed: bool,
    ) -> usize {
        let s = ch.base[fi];
        let classes = &ch.classes[s];
        // A keyed field's missing rows are counted as its keys are read.
        let mut missing = if !keyed && ch.any_missing[s] {
            ids.iter()
                .filter(|&&id| classes.get(id as usize) == Some(&Class::Missing))
                .count()
        } else {
            0
        };
        let entry_slot = |id: u32| {
            if classes.get(id as usize) == Some(&Class::Missing) {
                Slot::None
            } else {
                Slot::Entry(fi, 0, id)
            }
        };
        match kind {
            Kind::ExitDate => {
                for (o, &id) in out.exit_date.iter_mut().zip(ids) {
                    if let Some(Val::Date(d)) = self.val(entry_slot(id)) {
                        *o = Some(*d);
                    }
                }
                return missing;
            }
            Kind::Tenure => {
                let mut bands = std::mem::take(&mut ch.stored[s]);
                for (i, &id) in ids.iter().enumerate() {
                    let slot = entry_slot(id);
                    let tenure = match self.val(slot) {
                        // A start date's tenure is the row's own.
                        Some(Val::Start(..)) => ch.run.start_tenure.get(i).copied().flatten(),
                        Some(Val::Tenure(t)) => Some(*t),
                        _ => continue,
                    };
                    let k = id as usize;
                    let band = if let Some(&Some(b)) = bands.get(k) {
                        b
                    } else {
                        let b = u64::from(self.tenure_band_code(slot, tenure));
                        if let Some(Val::Tenure(_)) = self.val(slot) {
                            if bands.len() <= k {
                                bands.resize(k + 1, None);
                            }
                            bands[k] = Some(b);
                        }
                        b
                    };
                    out.tenure[i] = tenure;
                    out.dims[4][i] = u32::try_from(band).unwrap_or(0);
                }
                ch.stored[s] = bands;
                return missing;
            }
            _ => {}
        }
        let mut stored = std::mem::take(&mut ch.stored[s]);
        let entries = self.fields[fi].inputs[0].cache.entries.len();
        if stored.len() < entries {
            stored.resize(entries, None);
        }
        let mut value_of = |engine: &mut Self, id: u32| {
            if let Some(&Some(known)) = stored.get(id as usize) {
                known
            } else {
                let v = engine.stored_value(kind, fi, entry_slot(id));
                if let Some(k) = stored.get_mut(id as usize) {
                    *k = Some(v);
                }
                v
            }
        };
        if keyed {
            // Each key's value and whether it is missing, kept by key and
            // read straight from the run's keys.
            let cache = &mut self.fields[fi].inputs[0].cache;
            let mut stored_by_key = std::mem::take(&mut cache.stored_by_key);
            let mut missing_by_key = std::mem::take(&mut cache.missing_by_key);
            let keys = cache.by_key.len();
            stored_by_key.resize(keys, NOT_STORED);
            missing_by_key.resize(keys, false);
            // A key's first row works out its value (rarely: kept out of
            // the loop, behind a call).
            let mut resolve = |key: usize| {
                let cache = &self.fields[fi].inputs[0].cache;
                let id = cache.by_key.get(key).copied().unwrap_or(UNSET);
                let value = value_of(self, id);
                (value, classes.get(id as usize) == Some(&Class::Missing))
            };
            let resolve: &mut dyn FnMut(usize) -> (u64, bool) = &mut resolve;
            RunCells::of(out, kind).fill(ids.iter().map(|&k| {
                let key = k as usize;
                let (value, is_missing) = match (stored_by_key.get(key), missing_by_key.get(key)) {
                    (Some(&known), Some(&is)) if known != NOT_STORED => (known, is),
                    _ => {
                        let (value, is) = resolve(key);
                        if let (Some(at), Some(flag)) =
                            (stored_by_key.get_mut(key), missing_by_key.get_mut(key))
                        {
                            *at = value;
                            *flag = is;
                        }
                        (value, is)
                    }
                };
                missing += usize::from(is_missing);
                value
            }));
            let cache = &mut self.fields[fi].inputs[0].cache;
            cache.stored_by_key = stored_by_key;
            cache.missing_by_key = missing_by_key;
        } else {
            RunCells::of(out, kind).fill(ids.iter().map(|&id| value_of(self, id)));
        }
        ch.stored[s] = stored;
        missing
    }

    /// What a stored row holding `slot` in a field of `kind` stores (see
    /// [`Chunked::stored`]), as the row path codes it.
    fn stored_value(&mut self, kind: Kind, fi: usize, slot: Slot) -> u64 {
        match kind {
            Kind::Dim(d) => u64::from(self.dim_code(d, slot)),
            Kind::Org => u64::from(self.store_org(fi, slot)),
            Kind::ExitType | Kind::Interviewer => match self.val(slot) {
                Some(Val::Code(c)) => u64::from(*c),
                _ => 0,
            },
            Kind::Regrettable => match self.val(slot) {
                Some(Val::Bool(b)) => {
                    if *b {
                        2
                    } else {
                        1
                    }
                }
                _ => 0,
            },
            Kind::Answer(q) => {
                let checked = match self.val(slot) {
                    Some(Val::Answer(_, Some(Ok(c)))) => Some(*c),
                    _ => None,
                };
                self.builder.encode(q, checked)
            }
            Kind::Respondent | Kind::FreeText(_) | Kind::ExitDate | Kind::Tenure => 0,
        }
    }

    /// The org units of the run's rows for field `fi`, an org path in up
    /// to four level columns, into `org`, its cells counted: what
    /// [`Engine::run_slot`] and [`Engine::store_org`] do row by row, with
    /// each distinct path's unit remembered (by its levels' entries).
    fn store_paths(&mut self, ch: &mut Chunked, org: &mut [u32], fi: usize) {
        let first = ch.base[fi];
        let inputs = self.fields[fi].inputs.len();
        // Rows by the length of their path (it ends at the first missing level).
        let mut lengths = [0usize; 5];
        for (o, &r) in org.iter_mut().zip(&ch.run.rows) {
            let mut path = [u32::MAX; 4];
            let mut length = 0;
            for (ii, level) in path.iter_mut().enumerate().take(inputs) {
                let id = ch.ids[first + ii].get(r).copied().unwrap_or(u32::MAX);
                if ch.class(first + ii, id) == Class::Missing {
                    break;
                }
                *level = id;
                length += 1;
            }
            lengths[length] += 1;
            let key = path
                .iter()
                .fold(0u128, |key, &id| (key << 32) | u128::from(id));
            *o = if let Some(&node) = ch.org_paths.get(&key) {
                node
            } else {
                self.org_levels.clear();
                self.org_levels.extend(
                    path.iter()
                        .take(length)
                        .enumerate()
                        .map(|(ii, &id)| (ii, id)),
                );
                let node = self.store_org(fi, Slot::Entry(fi, usize::MAX, 0));
                ch.org_paths.insert(key, node);
                node
            };
        }
        for ii in 0..inputs.min(4) {
            if let Some(c) = self.fields[fi].inputs[ii].col {
                self.stats[c].missing += lengths[ii];
                self.stats[c].filled += lengths[ii + 1..].iter().sum::<usize>();
            }
        }
    }

    /// The slot of field `fi` in chunk row `r`, counting its cells as
    /// filled or missing: the row path's reading of a field (an org path
    /// ends at its first missing level, then in `org_levels`).
    fn run_slot(&mut self, ch: &Chunked, fi: usize, r: usize, levels: bool) -> Slot {
        let first = ch.base[fi];
        let mut slot = Slot::None;
        if levels {
            self.org_levels.clear();
        }
        for ii in 0..self.fields[fi].inputs.len() {
            let id = ch.ids[first + ii][r];
            let class = ch.class(first + ii, id);
            if let Some(c) = self.fields[fi].inputs[ii].col {
                if class == Class::Missing {
                    self.stats[c].missing += 1;
                } else {
                    self.stats[c].filled += 1;
                }
            }
            if class == Class::Missing {
                break;
            }
            slot = Slot::Entry(fi, ii, id);
            if levels {
                self.org_levels.push((ii, id));
            }
        }
        if levels {
            slot = Slot::Entry(fi, usize::MAX, 0);
        }
        slot
    }

    /// A tenure given as a start date in row `r`: whole months to the exit
    /// date when the exit date's field comes first (as the row path reads
    /// them) and is a full date (`Ok(None)` when there is none); `Err`
    /// when the start is after the exit or the tenure out of range: the
    /// row path's problems.
    fn start_tenure_of(&self, ch: &Chunked, r: usize) -> Result<Option<Tenure>, ()> {
        let mut exit = None;
        for &fi in &ch.dated {
            let f = &self.fields[fi];
            let Some(&id) = ch.ids.get(ch.base[fi]).and_then(|ids| ids.get(r)) else {
                return Err(());
            };
            let slot = Slot::Entry(fi, 0, id);
            match (f.kind, self.val(slot)) {
                // The date is only made when a start needs it (rarely).
                (Kind::ExitDate, Some(Val::Date(d))) => exit = Some(d),
                (Kind::Tenure, Some(Val::Start(start, _))) => {
                    let Some(end) = exit.and_then(PartialDate::to_naive) else {
                        return Ok(None);
                    };
                    let Some(t) = tenure_between(*start, end) else {
                        return Err(());
                    };
                    return t.check().map(|()| Some(t)).map_err(|_| ());
                }
                _ => {}
            }
        }
        Ok(None)
    }
}
