//! Answer counts per cell of one table of a release: each record counted
//! into the cell of its own values, then org units rolled up into their
//! parents. A pass over the records per table, with counts the size of the
//! table; counts are sums, so they are mergeable across partitions.

use crate::dataset::{AnswerColumn, CHOICE_NONE, LIKERT_NA, MULTI_ANSWERED, RATING_NONE};
use crate::{Dataset, QuestionKind};

/// Category counts of one question, per row (a table's cell).
#[derive(Debug, Clone)]
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
        let mut t = Tally {
            width,
            counts: vec![0; atoms * width],
            answered: vec![0; atoms],
        };
        // Counting straight into the table: one pass over the column, no
        // per-record scratch.
        let (counts, answered) = (&mut t.counts, &mut t.answered);
        let mut add = |a: u32, c: usize| {
            let a = a as usize;
            if c < width
                && let Some(slot) = counts.get_mut(a * width + c)
            {
                *slot += 1;
            }
        };
        let mut answer = |a: u32| {
            if let Some(s) = answered.get_mut(a as usize) {
                *s += 1;
            }
        };
        match &dataset.answers[q] {
            AnswerColumn::Likert(v) => {
                for (&x, &a) in v.iter().zip(record_atom) {
                    if x != 0 && x != LIKERT_NA {
                        add(a, usize::from(x - 1));
                        answer(a);
                    }
                }
            }
            AnswerColumn::Rating(v) => {
                for (&x, &a) in v.iter().zip(record_atom) {
                    if x != RATING_NONE {
                        add(a, usize::from(x.saturating_sub(min)));
                        answer(a);
                    }
                }
            }
            AnswerColumn::YesNo(v) => {
                for (&x, &a) in v.iter().zip(record_atom) {
                    if x != 0 {
                        add(a, usize::from(x - 1));
                        answer(a);
                    }
                }
            }
            AnswerColumn::Single(v) => {
                for (&x, &a) in v.iter().zip(record_atom) {
                    if x != CHOICE_NONE {
                        add(a, usize::from(x));
                        answer(a);
                    }
                }
            }
            AnswerColumn::Multiple(v) => {
                for (&x, &a) in v.iter().zip(record_atom) {
                    if x & MULTI_ANSWERED != 0 {
                        let mut bits = x & !MULTI_ANSWERED;
                        while bits != 0 {
                            add(a, bits.trailing_zeros() as usize);
                            bits &= bits - 1;
                        }
                        answer(a);
                    }
                }
            }
            AnswerColumn::Text(_) | AnswerColumn::Date(_) => return None,
        }
        Some(t)
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
