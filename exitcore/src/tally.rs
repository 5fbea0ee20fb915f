//! Answer counts per cell of one table of a release: each record counted
//! into the cell of its own values, then org units rolled up into their
//! parents. A pass over the records per table, with counts the size of the
//! table; counts are sums, so they are mergeable across partitions.

use crate::dataset::{AnswerColumn, CHOICE_NONE, LIKERT_NA, RATING_NONE, Ticks};
use crate::{Dataset, QuestionKind};

/// The widest rows [`Tally::regroup`] sums into one group in registers.
const ONE_GROUP_WIDTH: usize = 16;

/// `$body` with `$w` bound to the row width: the standard questionnaire's
/// widths (Likert 5, rating 0 to 10, reasons 15) as constants, so that
/// their rows are added unrolled and vectorised; other widths as they come.
/// A macro, not a function taking a closure: through a closure the
/// constants did not reach the loops (9% more instructions per analysis).
macro_rules! at_width {
    ($width:expr, $w:ident => $body:expr) => {
        match $width {
            5 => {
                let $w = 5;
                $body
            }
            11 => {
                let $w = 11;
                $body
            }
            15 => {
                let $w = 15;
                $body
            }
            other => {
                let $w = other;
                $body
            }
        }
    };
}

/// Category counts of one question, per row (a table's cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Categories: Likert points `1..=L` at `0..L`, rating values `v` at
    /// `v - min`, choice options in order, yes/no as `[no, yes]`.
    pub(crate) width: usize,
    /// `atoms x width`, row-major.
    counts: Vec<u64>,
    /// Respondents who answered, per atom (a multiple-choice answer can tick
    /// several categories or none, so this is not the row sum).
    answered: Vec<u64>,
}

impl Tally {
    /// Counts question `q` of `dataset` per atom; `None` for free text and
    /// dates, which have no categories.
    pub(crate) fn count(
        dataset: &Dataset,
        q: usize,
        record_atom: &[u32],
        atoms: usize,
    ) -> Option<Tally> {
        let kind = &dataset.questionnaire.questions.get(q)?.kind;
        let (width, min) = match kind {
            QuestionKind::Likert { scale, .. } => (scale.len(), 0),
            QuestionKind::Rating { min, max, .. } => {
                (usize::from(max.saturating_sub(*min)) + 1, *min)
            }
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options, .. } => (options.len(), 0),
            QuestionKind::YesNo => (2, 0),
            QuestionKind::FreeText { .. } | QuestionKind::Date => return None,
        };
        // A one-byte column's values mapped to their columns (see `by_columns`).
        let byte_columns = |category: &dyn Fn(u8) -> Option<usize>| -> [usize; 256] {
            let mut out = [width + 1; 256];
            for (x, o) in (0..=u8::MAX).zip(out.iter_mut()) {
                *o = category(x).map_or(width + 1, |c| c.min(width));
            }
            out
        };
        let t = match &dataset.answers[q] {
            AnswerColumn::Likert(v) => {
                let col = byte_columns(&|x| (x != 0 && x != LIKERT_NA).then(|| usize::from(x - 1)));
                Self::by_columns(width, v, record_atom, atoms, |x| col[usize::from(x)])
            }
            AnswerColumn::Rating(v) => {
                let col = byte_columns(&|x| {
                    (x != RATING_NONE).then(|| usize::from(x.saturating_sub(min)))
                });
                Self::by_columns(width, v, record_atom, atoms, |x| col[usize::from(x)])
            }
            AnswerColumn::YesNo(v) => {
                let col = byte_columns(&|x| x.checked_sub(1).map(usize::from));
                Self::by_columns(width, v, record_atom, atoms, |x| col[usize::from(x)])
            }
            AnswerColumn::Single(v) => Self::by_columns(width, v, record_atom, atoms, |x| {
                if x == CHOICE_NONE {
                    width + 1
                } else {
                    usize::from(x).min(width)
                }
            }),
            AnswerColumn::Multiple(t) => match t {
                Ticks::U16(v) => Self::ticks(width, v, record_atom, atoms),
                Ticks::U32(v) => Self::ticks(width, v, record_atom, atoms),
                Ticks::U64(v) => Self::ticks(width, v, record_atom, atoms),
            },
            AnswerColumn::Text(_) | AnswerColumn::Date(_) => return None,
        };
        Some(t)
    }

    /// Counts a multiple-choice column per atom: each ticked option below
    /// `width` once, and the record as answered when the top bit is set.
    ///
    /// A walk over each record's ticked bits mispredicted its end once a
    /// record (~9 ns a record at a million). Instead each byte of ticks is
    /// spread over the eight byte lanes of a word (`SPREAD`) and the words
    /// summed per atom, eight options an addition; an atom's lanes are
    /// emptied into its counts every 255 answers, before a lane can overflow.
    fn ticks<T: Copy + Into<u64>>(
        width: usize,
        v: &[T],
        record_atom: &[u32],
        atoms: usize,
    ) -> Tally {
        const SPREAD: [u64; 256] = {
            let mut out = [0u64; 256];
            let mut b = 0;
            while b < 256 {
                let mut i = 0;
                while i < 8 {
                    out[b] |= ((b as u64 >> i) & 1) << (8 * i);
                    i += 1;
                }
                b += 1;
            }
            out
        };
        let bits = std::mem::size_of::<T>() * 8;
        let answered = 1u64 << (bits - 1);
        // Options past the answered bit cannot be stored; none are counted.
        let options = width.min(bits - 1);
        let kept = (1u64 << options) - 1;
        let words = options.div_ceil(8);
        let mut tally = Tally {
            width,
            counts: vec![0; atoms * width],
            answered: vec![0; atoms],
        };
        // Per atom a row of `words` lane words and then its number of
        // answers, so a record touches one place. One spare row past the
        // atoms takes the records that count nowhere (no answer, no atom):
        // a branch on that mispredicted often, as whether someone ticked
        // anything varies record to record.
        let stride = words + 1;
        let mut rows = vec![0u64; (atoms + 1) * stride];
        let empty = |lanes: &[u64], counts: &mut [u64]| {
            for (w, word) in lanes.iter().enumerate() {
                for (lane, count) in counts.iter_mut().skip(w * 8).take(8).enumerate() {
                    *count += (word >> (8 * lane)) & 0xff;
                }
            }
        };
        let mut spare = vec![0u64; width];
        for (&x, &a) in v.iter().zip(record_atom) {
            let x: u64 = x.into();
            let a = if x & answered == 0 {
                atoms
            } else {
                (a as usize).min(atoms)
            };
            let x = x & kept;
            let row = &mut rows[a * stride..(a + 1) * stride];
            let (lanes, n) = row.split_at_mut(words);
            for (w, word) in lanes.iter_mut().enumerate() {
                *word += SPREAD[((x >> (8 * w)) & 0xff) as usize];
            }
            n[0] += 1;
            if n[0] % 255 == 0 {
                let counts = tally.counts.get_mut(a * width..(a + 1) * width);
                empty(lanes, counts.unwrap_or(&mut spare));
                lanes.fill(0);
            }
        }
        for (a, row) in rows.chunks_exact(stride).take(atoms).enumerate() {
            if let Some(counts) = tally.counts.get_mut(a * width..(a + 1) * width) {
                empty(&row[..words], counts);
            }
            tally.answered[a] = row[words];
        }
        tally
    }

    /// Counts a one-answer column per atom, `column(x)` telling where a
    /// stored value `x` goes: a category below `width`, `width` for an
    /// answer outside the categories (answered, counted nowhere), `width +
    /// 1` for no answer. Each record adds one to one slot, with no branch on
    /// the value; whoever answered is the sum of the first `width + 1`
    /// columns afterwards.
    fn by_columns<T: Copy>(
        width: usize,
        values: &[T],
        record_atom: &[u32],
        atoms: usize,
        column: impl Fn(T) -> usize,
    ) -> Tally {
        // Counted in 32 bits when no count can pass them: half the memory
        // to clear and to hold in cache (the table is atoms x stride, ~400
        // kB a question at 100,000 records, touched in no order).
        if u32::try_from(values.len()).is_ok() {
            Self::by_columns_in::<u32, T>(width, values, record_atom, atoms, column)
        } else {
            Self::by_columns_in::<u64, T>(width, values, record_atom, atoms, column)
        }
    }

    /// [`Tally::by_columns`] with counters of type `C`, which must hold
    /// the number of values.
    fn by_columns_in<C, T: Copy>(
        width: usize,
        values: &[T],
        record_atom: &[u32],
        atoms: usize,
        column: impl Fn(T) -> usize,
    ) -> Tally
    where
        C: Copy + Default + From<u8> + Into<u64> + std::ops::AddAssign,
    {
        let stride = width + 2;
        // One spare row past the atoms takes the records of no atom, so
        // the loop has no branch on that.
        let mut wide = vec![C::default(); (atoms + 1) * stride];
        for (&x, &a) in values.iter().zip(record_atom) {
            let a = (a as usize).min(atoms);
            if let Some(slot) = wide.get_mut(a * stride + column(x).min(width + 1)) {
                *slot += C::from(1);
            }
        }
        let mut t = Tally {
            width,
            counts: Vec::with_capacity(atoms * width),
            answered: Vec::with_capacity(atoms),
        };
        for row in wide.chunks_exact(stride).take(atoms) {
            t.counts.extend(row[..width].iter().map(|&c| c.into()));
            t.answered
                .push(row[..=width].iter().map(|&c| c.into()).sum());
        }
        t
    }

    /// Counts a per-record category (`None`: no answer) per atom.
    pub(crate) fn of_records(
        width: usize,
        record_atom: &[u32],
        atoms: usize,
        category: impl Fn(usize) -> Option<usize>,
    ) -> Tally {
        let mut t = Tally {
            width,
            counts: vec![0; atoms * width],
            answered: vec![0; atoms],
        };
        for (i, &a) in record_atom.iter().enumerate() {
            let a = a as usize;
            if let Some(c) = category(i).filter(|&c| c < width)
                && let Some(slot) = t.counts.get_mut(a * width + c)
            {
                *slot += 1;
                if let Some(s) = t.answered.get_mut(a) {
                    *s += 1;
                }
            }
        }
        t
    }

    /// The category counts of `row` and the number who answered in it.
    pub(crate) fn row(&self, row: usize) -> (&[u64], u64) {
        (
            self.counts
                .get(row * self.width..(row + 1) * self.width)
                .unwrap_or_default(),
            self.answered.get(row).copied().unwrap_or(0),
        )
    }

    /// The rows summed into groups: row `r` goes to `group_of[r]` (rows
    /// with `u32::MAX`, or any group past `groups`, go nowhere).
    pub(crate) fn regroup(&self, group_of: &[u32], groups: usize) -> Tally {
        let w = self.width;
        let mut out = Tally {
            width: w,
            counts: vec![0; groups * w],
            answered: vec![0; groups],
        };
        if w == 0 {
            for (&answered, &g) in self.answered.iter().zip(group_of) {
                if let Some(n) = out.answered.get_mut(g as usize) {
                    *n += answered;
                }
            }
            return out;
        }
        // Into one group (a table of one cell, the whole organisation):
        // summed in registers, not into the same memory row after row,
        // which made each row's sums wait for the one before.
        if groups == 1 && w <= ONE_GROUP_WIDTH {
            at_width!(w, w => self.regroup_one(w, group_of, &mut out));
        } else {
            at_width!(w, w => self.regroup_into(w, group_of, &mut out));
        }
        out
    }

    /// [`Tally::regroup_into`] for an `out` of one group: the rows of
    /// group 0 summed in a local array. `w` is at most [`ONE_GROUP_WIDTH`].
    #[allow(clippy::inline_always)] // each call site needs its own constant `w`
    #[inline(always)]
    fn regroup_one(&self, w: usize, group_of: &[u32], out: &mut Tally) {
        let mut sum = [0u64; ONE_GROUP_WIDTH];
        let mut answered_sum = 0u64;
        let (Some(sum_w), Some(to)) = (sum.get_mut(..w), out.counts.get_mut(..w)) else {
            return;
        };
        for ((from, &answered), &g) in self
            .counts
            .chunks_exact(w)
            .zip(&self.answered)
            .zip(group_of)
        {
            if g == 0 {
                for (s, f) in sum_w.iter_mut().zip(from) {
                    *s += f;
                }
                answered_sum += answered;
            }
        }
        for (t, s) in to.iter_mut().zip(sum_w.iter()) {
            *t += s;
        }
        if let Some(n) = out.answered.first_mut() {
            *n += answered_sum;
        }
    }

    /// Adds row `r` into row `group_of[r]` of `out`, rows of width `w`
    /// (not 0). Rows are walked as chunks, not looked up one by one: this
    /// runs once per atom, question and table (~350,000 rows an analysis
    /// at 100,000 records), and the lookups' checks cost more than the sums.
    #[allow(clippy::inline_always)] // each call site needs its own constant `w`
    #[inline(always)]
    fn regroup_into(&self, w: usize, group_of: &[u32], out: &mut Tally) {
        for ((from, &answered), &g) in self
            .counts
            .chunks_exact(w)
            .zip(&self.answered)
            .zip(group_of)
        {
            let g = g as usize;
            if let (Some(to), Some(n)) = (
                out.counts.get_mut(g * w..(g + 1) * w),
                out.answered.get_mut(g),
            ) {
                for (t, f) in to.iter_mut().zip(from) {
                    *t += f;
                }
                *n += answered;
            }
        }
    }

    /// Adds `from`'s counts into `to`'s.
    pub(crate) fn add_row(&mut self, from: usize, to: usize) {
        let w = self.width;
        if from == to || (from + 1) * w > self.counts.len() || (to + 1) * w > self.counts.len() {
            return;
        }
        for c in 0..w {
            self.counts[to * w + c] += self.counts[from * w + c];
        }
        if let (Some(&a), true) = (self.answered.get(from), to < self.answered.len()) {
            self.answered[to] += a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{OrgConfig, generate};
    use crate::{Answer, ExitRecord};

    /// The categories a record's answer ticks, read from the record itself
    /// (`None`: not answered, including "not applicable").
    fn ticked(kind: &QuestionKind, answer: Option<&Answer>) -> Option<Vec<usize>> {
        let option = |options: &[crate::questionnaire::ChoiceOption], id: &str| {
            options.iter().position(|o| o.id == id)
        };
        match (kind, answer?) {
            (QuestionKind::Likert { .. }, Answer::Number(v)) => {
                Some(vec![usize::try_from(*v - 1).ok()?])
            }
            (QuestionKind::Rating { min, .. }, Answer::Number(v)) => {
                Some(vec![usize::try_from(*v - i64::from(*min)).ok()?])
            }
            (QuestionKind::SingleChoice { options }, Answer::Text(id)) => {
                Some(vec![option(options, id)?])
            }
            (QuestionKind::MultipleChoice { options, .. }, Answer::List(ids)) => {
                ids.iter().map(|id| option(options, id)).collect()
            }
            (QuestionKind::YesNo, Answer::Bool(b)) => Some(vec![usize::from(*b)]),
            _ => None,
        }
    }

    /// Every kind of question counted per atom equals the count written
    /// out from the records' answers; records in no atom count nowhere.
    #[test]
    fn counts_equal_the_records_answers() {
        let org = generate(&OrgConfig {
            exits: 2000,
            seed: 3,
            ..OrgConfig::default()
        })
        .unwrap();
        let records: &[ExitRecord] = &org.records;
        let ds = crate::Dataset::from_records(&org.questionnaire, records).dataset;
        assert_eq!(ds.len(), records.len());
        let atoms = 7;
        let atom: Vec<u32> = (0..records.len())
            .map(|i| {
                if i % 11 == 0 {
                    u32::MAX
                } else {
                    u32::try_from(i % atoms).unwrap()
                }
            })
            .collect();
        let mut kinds = std::collections::BTreeSet::new();
        for (q, question) in ds.questionnaire.questions.iter().enumerate() {
            let Some(t) = Tally::count(&ds, q, &atom, atoms) else {
                assert!(matches!(
                    question.kind,
                    QuestionKind::FreeText { .. } | QuestionKind::Date
                ));
                continue;
            };
            let mut counts = vec![vec![0u64; t.width]; atoms];
            let mut answered = vec![0u64; atoms];
            let mut not_applicable = 0;
            for (r, &a) in records.iter().zip(&atom) {
                let given = r.answers.get(&question.id);
                not_applicable += usize::from(
                    matches!(given, Some(Answer::Text(x)) if x == Answer::NOT_APPLICABLE),
                );
                let (Some(ticks), Some(a)) = (
                    ticked(&question.kind, given),
                    usize::try_from(a).ok().filter(|&a| a < atoms),
                ) else {
                    continue;
                };
                for c in ticks {
                    counts[a][c] += 1;
                }
                answered[a] += 1;
            }
            for a in 0..atoms {
                assert_eq!(
                    t.row(a),
                    (&counts[a][..], answered[a]),
                    "question {} atom {a}",
                    question.id
                );
            }
            assert!(answered.iter().sum::<u64>() > 0, "{}", question.id);
            kinds.insert(format!(
                "{:?}{}",
                std::mem::discriminant(&question.kind),
                not_applicable > 0
            ));
        }
        // Likert (with "not applicable" answers), rating, single, multiple, yes/no.
        assert!(kinds.len() >= 5, "{kinds:?}");
    }

    /// Ticks add up in byte lanes that hold 255: an atom whose every
    /// answer ticks every option, 600 times, still counts 600 each (a lane
    /// emptied one answer late overflows into its neighbour).
    #[test]
    fn ticks_lanes_empty_before_they_overflow() {
        let one_atom = vec![0u32; 600];
        let t = Tally::ticks(15, &vec![u16::MAX; 600], &one_atom, 1);
        assert_eq!(t.row(0), (&[600u64; 15][..], 600));
        let t = Tally::ticks(63, &vec![u64::MAX; 600], &one_atom, 1);
        assert_eq!(t.row(0), (&[600u64; 63][..], 600));
    }

    /// Multiple-choice answers are stored in 2, 4 or 8 bytes by the number
    /// of options; at each width (and at its last option, next to the bit
    /// that marks an answer) the counts equal the records' own ticks, and an
    /// answer ticking nothing still counts as answered.
    #[test]
    fn ticks_count_the_same_at_every_width() {
        use crate::Questionnaire;
        use crate::dataset::{AnswerColumn, Ticks};
        let question = |id: &str, n: usize| {
            let options: Vec<String> = (0..n)
                .map(|o| format!(r#"{{"id": "o{o}", "text": {{"nl": "O", "en": "O"}}}}"#))
                .collect();
            format!(
                r#"{{"id": "{id}", "kind": "multiple_choice", "text": {{"nl": "Q", "en": "Q"}}, "options": [{}]}}"#,
                options.join(",")
            )
        };
        let sizes = [
            ("q15", 15),
            ("q16", 16),
            ("q31", 31),
            ("q32", 32),
            ("q63", 63),
        ];
        let json = format!(
            r#"{{"id": "t", "version": 1, "title": {{"nl": "T", "en": "T"}}, "questions": [{}]}}"#,
            sizes
                .iter()
                .map(|&(id, n)| question(id, n))
                .collect::<Vec<_>>()
                .join(",")
        );
        let q = Questionnaire::from_json(&json).unwrap();
        let mut records = Vec::new();
        // Over 255 answers an atom, so each atom's lanes are emptied part way.
        for i in 0..1200_usize {
            let mut r = ExitRecord::new(format!("r{i}"), &q, ["Unit"]);
            for &(id, n) in &sizes {
                // Every option, the last one often; every 7th answer ticks
                // nothing; every 5th record leaves the question out.
                let ticks: Vec<String> = match i % 7 {
                    0 => Vec::new(),
                    1 => vec![format!("o{}", n - 1)],
                    _ => (0..n)
                        .filter(|o| (o * 3 + i) % 4 == 0 || *o == n - 1)
                        .map(|o| format!("o{o}"))
                        .collect(),
                };
                if i % 5 != 0 {
                    r.answers.insert(id.into(), Answer::choices(ticks));
                }
            }
            records.push(r);
        }
        let loaded = crate::Dataset::from_records(&q, &records);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let ds = loaded.dataset;
        let widths: Vec<&str> = ds
            .answers
            .iter()
            .map(|c| match c {
                AnswerColumn::Multiple(Ticks::U16(_)) => "u16",
                AnswerColumn::Multiple(Ticks::U32(_)) => "u32",
                AnswerColumn::Multiple(Ticks::U64(_)) => "u64",
                _ => "other",
            })
            .collect();
        assert_eq!(widths, ["u16", "u32", "u32", "u64", "u64"]);
        let atoms = 3;
        let atom: Vec<u32> = (0..records.len())
            .map(|i| u32::try_from(i % atoms).unwrap())
            .collect();
        for (qi, &(id, n)) in sizes.iter().enumerate() {
            let t = Tally::count(&ds, qi, &atom, atoms).unwrap();
            assert_eq!(t.width, n);
            for a in 0..atoms {
                let mut counts = vec![0u64; n];
                let mut answered = 0;
                for (r, _) in records.iter().zip(&atom).filter(|(_, x)| **x as usize == a) {
                    if let Some(ticks) = ticked(&q.questions[qi].kind, r.answers.get(id)) {
                        for c in ticks {
                            counts[c] += 1;
                        }
                        answered += 1;
                    }
                }
                assert!(counts[n - 1] > 0 && answered > 0);
                assert_eq!(t.row(a), (&counts[..], answered), "{id} atom {a}");
            }
        }
    }

    /// Rows summed into their groups, by hand: rows 0 and 2 into group 1,
    /// row 1 into group 0, row 3 nowhere (past the groups) and row 4
    /// nowhere (`u32::MAX`); with no categories, only who answered.
    #[test]
    fn regroup_sums_rows_into_their_groups() {
        let t = Tally {
            width: 2,
            counts: vec![1, 2, 10, 20, 100, 200, 7, 7, 9, 9],
            answered: vec![3, 30, 300, 14, 18],
        };
        let g = t.regroup(&[1, 0, 1, 2, u32::MAX], 2);
        assert_eq!(g.row(0), (&[10, 20][..], 30));
        assert_eq!(g.row(1), (&[1 + 100, 2 + 200][..], 3 + 300));
        // Into one group: rows 0, 1 and 3; row 2's group is past the end.
        let one = t.regroup(&[0, 0, 1, 0, u32::MAX], 1);
        assert_eq!(one.row(0), (&[1 + 10 + 7, 2 + 20 + 7][..], 3 + 30 + 14));
        let none = Tally {
            width: 0,
            counts: vec![],
            answered: vec![3, 30, 300, 14, 18],
        };
        let g = none.regroup(&[1, 0, 1, 2, u32::MAX], 2);
        assert_eq!(g.answered, [30, 303]);
    }
}
