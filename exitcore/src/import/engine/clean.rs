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
//! check. Every other row is counted and stored as the row path would
//! count and store it, through the same [`Engine::store`], in row order:
//! the tests compare the two paths' outcomes, data set included.

use super::{Engine, Fields, Kind, Out, Slot, Val, decode};
use crate::import::columnar::Batch;
use crate::import::{Source, whole_months};
use crate::questionnaire::check_free_text;
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
    /// Per field: the index of its first input in `ids` and `classes`.
    base: Vec<usize>,
    /// Per field input: the entry of each row of the chunk.
    ids: Vec<Vec<u32>>,
    /// Per field input: the class of each of its entries so far.
    classes: Vec<Vec<Class>>,
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
}

impl Chunked {
    /// The chunked state for `engine`'s plan, or `None` when the plan
    /// has what only the row path handles: a row filter, multiple choice
    /// spread over flag columns, a condition on a free-text answer.
    pub(super) fn new(engine: &Engine<'_>) -> Option<Self> {
        if engine.keep.is_some()
            || engine
                .fields
                .iter()
                .any(|f| matches!(f.plan.source, Source::Flags(_)))
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
        Some(Chunked {
            respondent: engine
                .fields
                .iter()
                .position(|f| f.kind == Kind::Respondent),
            base,
            ids: vec![Vec::new(); inputs],
            classes: vec![Vec::new(); inputs],
            answered_by,
            free,
            holds: vec![Vec::new(); n],
            order,
            shown: vec![Vec::new(); n],
            slow: Vec::new(),
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
            *line += 1;
            let row = batch.row(start + r);
            let stored = classified
                && chunked
                    .as_ref()
                    .is_some_and(|c| !c.slow[r] && self.clean_row(c, &row, r, *line));
            if !stored {
                self.row(&row, *line);
            }
        }
        self.chunked = chunked;
    }

    /// Finds every cell's entry and marks the rows only the row path can
    /// import; false when a column has no keys this chunk (its values are
    /// too many to number), and the whole chunk goes row by row.
    fn classify(&mut self, ch: &mut Chunked, batch: &Batch, n: usize) -> bool {
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
                let mut ids = std::mem::take(&mut ch.ids[s]);
                ids.clear();
                if let Some(c) = self.fields[fi].inputs[ii].col {
                    let keys = batch.keys(c);
                    if keys.len() != n {
                        ch.ids[s] = ids;
                        return false;
                    }
                    for &k in keys {
                        ids.push(self.entry_id(fi, ii, Some(k), || batch.key_text(c, k)));
                    }
                } else {
                    let id = self.constant_entry(fi, ii);
                    ids.resize(n, id);
                }
                ch.ids[s] = ids;
                let entries = &self.fields[fi].inputs[ii].cache.entries;
                let classes = &mut ch.classes[s];
                if let Some(new) = entries.get(classes.len()..) {
                    classes.extend(new.iter().map(|e| class_of(kind, &e.out)));
                }
            }
            let levels =
                kind == Kind::Org && matches!(self.fields[fi].plan.source, Source::Columns(_));
            for r in 0..n {
                let slow = if levels {
                    // The path ends at the first missing level; it must not be empty.
                    let mut length = 0;
                    let mut row = false;
                    for ii in 0..inputs {
                        match ch.class(first + ii, ch.ids[first + ii][r]) {
                            Class::Missing => break,
                            Class::Value => length += 1,
                            Class::Nothing | Class::Row => {
                                row = true;
                                break;
                            }
                        }
                    }
                    row || length == 0
                } else {
                    let c = ch.class(first, ch.ids[first][r]);
                    c == Class::Row || (kind == Kind::Org && c != Class::Value)
                };
                if slow {
                    ch.slow[r] = true;
                }
            }
        }
        self.classify_questions(ch, n);
        true
    }

    /// Which questions each row shows, and the rows whose answers the
    /// questionnaire's conditions or required questions refuse (free text
    /// waits for the row's text, in [`Engine::clean_row`]).
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
                let first = ch.answered_by[qi].map(|f| ch.base[f]);
                for (r, &is_shown) in shown.iter().enumerate() {
                    let present = first.is_some_and(|s| ch.class(s, ch.ids[s][r]) == Class::Value);
                    if (present && !is_shown) || (!present && is_shown && question.required) {
                        ch.slow[r] = true;
                    }
                }
            }
            ch.shown[qi] = shown;
        }
    }

    /// Imports row `r` of the classified chunk if it has no problem:
    /// counts its cells and stores it as the row path would. False, with
    /// nothing counted or stored, when the row path must take it.
    fn clean_row(&mut self, ch: &Chunked, fields: &impl Fields, r: usize, line: u64) -> bool {
        if fields.count() != self.headers.len() {
            return false;
        }
        self.text.clear();
        self.context.clear();
        self.org_levels.clear();
        self.answers.fill(Slot::None);
        self.respondent.clear();
        let mut respondent_column = None;
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
                respondent_column = self.fields[fi].inputs[0].col;
            }
        }
        if let Some(p) = &self.options.pseudonymiser
            && !self.respondent.is_empty()
        {
            self.respondent = p.pseudonymise(&self.respondent);
        }
        if self.respondent.trim().is_empty() {
            return false;
        }
        // Free text: its own check, and the question's condition.
        for fi in 0..self.fields.len() {
            let (Kind::FreeText(qi), Some(col)) =
                (self.fields[fi].kind, self.fields[fi].inputs[0].col)
            else {
                continue;
            };
            let question = &self.q.questions[qi];
            let raw = decode(fields.field(col));
            let value = raw.trim();
            let field = &self.fields[fi];
            let present = !Self::is_missing(self.plan, field.marker_chars, value, Some(field.plan));
            let shown = ch.shown[qi][r];
            if (present && !shown) || (!present && shown && question.required) {
                return false;
            }
            if present {
                if check_free_text(question, value).is_err() {
                    return false;
                }
                let start = self.text.len();
                self.text.push_str(value);
                self.answers[qi] = Slot::Text(start, self.text.len());
            }
        }
        let Ok(start_tenure) = self.start_tenure_of(ch, r) else {
            return false;
        };
        if self.builder.is_duplicate(&self.respondent) {
            return false;
        }
        // The row has no problem: count and store it.
        self.counts.rows += 1;
        self.count_other(fields);
        if let Some(c) = respondent_column {
            self.stats[c].filled += 1;
        }
        let mut tenure = None;
        let mut exit_date = None;
        let mut codes = [0u8; 3];
        for fi in 0..self.fields.len() {
            let kind = self.fields[fi].kind;
            if kind == Kind::Respondent {
                continue;
            }
            if let Kind::FreeText(q) = kind {
                if let Some(c) = self.fields[fi].inputs[0].col {
                    if matches!(self.answers[q], Slot::Text(..)) {
                        self.stats[c].filled += 1;
                    } else {
                        self.stats[c].missing += 1;
                    }
                }
                continue;
            }
            let first = ch.base[fi];
            let levels =
                kind == Kind::Org && matches!(self.fields[fi].plan.source, Source::Columns(_));
            let mut slot = Slot::None;
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
                    // A missing org level ends the path (and its reading).
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
            match (kind, self.val(slot)) {
                (Kind::Answer(q), Some(v)) => {
                    self.checked[q] = match v {
                        Val::Answer(_, Some(Ok(c))) => Some(*c),
                        _ => None,
                    };
                    self.answers[q] = slot;
                    continue;
                }
                (Kind::Answer(_), None) => continue,
                (Kind::Tenure, Some(Val::Tenure(t))) => tenure = Some(*t),
                (Kind::Tenure, Some(Val::Start(..))) => tenure = start_tenure,
                (Kind::ExitDate, Some(Val::Date(d))) => exit_date = Some(*d),
                (Kind::ExitType, Some(Val::Code(c))) => codes[0] = *c,
                (Kind::Interviewer, Some(Val::Code(c))) => codes[1] = *c,
                (Kind::Regrettable, Some(Val::Bool(b))) => codes[2] = if *b { 2 } else { 1 },
                _ => {}
            }
            self.context.push(slot);
        }
        for (q, checked) in self.checked.iter_mut().enumerate() {
            if !matches!(self.answers[q], Slot::Entry(..)) {
                *checked = None;
            }
        }
        self.store(tenure, exit_date, codes);
        self.counts.imported += 1;
        true
    }

    /// A tenure given as a start date in row `r`: whole months to the exit
    /// date when the exit date's field comes first (as the row path reads
    /// them) and is a full date (`Ok(None)` when there is none); `Err`
    /// when the start is after the exit or the tenure out of range: the
    /// row path's problems.
    fn start_tenure_of(&self, ch: &Chunked, r: usize) -> Result<Option<Tenure>, ()> {
        let mut exit = None;
        for (fi, f) in self.fields.iter().enumerate() {
            if !matches!(f.kind, Kind::ExitDate | Kind::Tenure) {
                continue;
            }
            let Some(&id) = ch.ids.get(ch.base[fi]).and_then(|ids| ids.get(r)) else {
                return Err(());
            };
            let slot = Slot::Entry(fi, 0, id);
            match (f.kind, self.val(slot)) {
                (Kind::ExitDate, Some(Val::Date(d))) => exit = d.to_naive(),
                (Kind::Tenure, Some(Val::Start(start, _))) => {
                    let Some(end) = exit else {
                        return Ok(None);
                    };
                    if *start > end {
                        return Err(());
                    }
                    let t = Tenure::months(whole_months(*start, end));
                    return t.check().map(|()| Some(t)).map_err(|_| ());
                }
                _ => {}
            }
        }
        Ok(None)
    }
}
