//! Secondary (complementary) suppression by exact Gaussian elimination.
//!
//! Every cell of a release is a sum of *atoms*: the finest groups of
//! respondents that the release's tables can tell apart (for a table of
//! departments crossed with tenure next to departments alone, an atom is one
//! department-and-tenure-band group). A published cell gives the attacker one
//! linear equation over the atoms. A withheld cell stays hidden exactly when
//! its atom vector is *not* in the span of the published cells' vectors: then
//! the equations leave at least one free direction along which its value can
//! move.
//!
//! The engine keeps a row-reduced basis of the published vectors and, for
//! every cell that must stay hidden, its residual after reduction by that
//! basis. Candidates are offered in order of preference; one that would make
//! some residual vanish is withheld as well (secondary suppression), any other
//! is published. Arithmetic is exact (rationals over `i128`); should an entry
//! ever overflow, the candidate is withheld, which errs on the safe side.
//!
//! This is the approach of the `SSBtools` R package's `GaussSuppression` (Langsrud, 2024),
//! with a greedy candidate order: the caller lists the cells it most wants
//! published first (margins before small siblings).

use std::collections::BTreeMap;

use num_rational::Ratio;
use num_traits::{CheckedMul, CheckedSub, Zero};

type Q = Ratio<i128>;

/// A sparse vector over atoms, sorted by atom index, without zeros.
#[derive(Debug, Clone, PartialEq)]
struct Sparse(Vec<(u32, Q)>);

impl Sparse {
    fn indicator(atoms: &[u32]) -> Self {
        let mut v: Vec<u32> = atoms.to_vec();
        v.sort_unstable();
        v.dedup();
        Sparse(v.into_iter().map(|a| (a, Q::from_integer(1))).collect())
    }

    fn get(&self, atom: u32) -> Option<Q> {
        self.0
            .binary_search_by_key(&atom, |(a, _)| *a)
            .ok()
            .map(|i| self.0[i].1)
    }

    fn leading(&self) -> Option<(u32, Q)> {
        self.0.first().copied()
    }

    /// `self - factor * other`, or `None` on overflow.
    fn sub_scaled(&self, factor: Q, other: &Sparse) -> Option<Sparse> {
        let mut out = Vec::with_capacity(self.0.len() + other.0.len());
        let (mut left, mut right) = (self.0.iter().peekable(), other.0.iter().peekable());
        loop {
            let entry = match (left.peek(), right.peek()) {
                (None, None) => break,
                (Some(&&(atom, mine)), Some(&&(theirs_atom, theirs))) if atom == theirs_atom => {
                    left.next();
                    right.next();
                    (atom, mine.checked_sub(&factor.checked_mul(&theirs)?)?)
                }
                (Some(&&(atom, mine)), Some(&&(theirs_atom, _))) if atom < theirs_atom => {
                    left.next();
                    (atom, mine)
                }
                (Some(&&(atom, mine)), None) => {
                    left.next();
                    (atom, mine)
                }
                (_, Some(&&(atom, theirs))) => {
                    right.next();
                    (atom, Q::zero().checked_sub(&factor.checked_mul(&theirs)?)?)
                }
            };
            if !entry.1.is_zero() {
                out.push(entry);
            }
        }
        Some(Sparse(out))
    }
}

/// A row-reduced basis: each row's leading atom is unique to it.
#[derive(Debug, Default)]
struct Basis {
    rows: Vec<Sparse>,
    by_leading: BTreeMap<u32, usize>,
}

impl Basis {
    /// Reduces `v` by the basis, or `None` on overflow.
    fn reduce(&self, v: &Sparse) -> Option<Sparse> {
        let mut v = v.clone();
        let mut from = 0u32;
        loop {
            // The first entry at or after `from` whose atom leads a basis row.
            let hit =
                v.0.iter()
                    .filter(|(a, _)| *a >= from)
                    .find_map(|(a, val)| self.by_leading.get(a).map(|&r| (*a, *val, r)));
            let Some((atom, val, r)) = hit else {
                return Some(v);
            };
            let row = &self.rows[r];
            let lead = row.get(atom)?;
            v = v.sub_scaled(val / lead, row)?;
            from = atom + 1;
        }
    }
}

/// Why a cell is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// It must stay hidden in its own right (too few people, homogeneous, ...).
    Primary,
    /// Publishing it would reveal a primary cell.
    Secondary,
}

/// Decides which cells to publish.
///
/// `cells[i]` lists the atoms cell `i` sums over; `primary[i]` marks the
/// cells that must stay hidden; `order` lists every non-primary cell once,
/// the most wanted first; `known` are atom vectors the attacker already has
/// equations for (earlier releases), which are published before anything
/// else. Returns, per cell, `None` when published or why it is hidden.
pub(crate) fn suppress(
    cells: &[Vec<u32>],
    primary: &[bool],
    order: &[usize],
    known: &[Vec<u32>],
) -> Vec<Option<Hidden>> {
    let mut out: Vec<Option<Hidden>> = primary
        .iter()
        .map(|&p| p.then_some(Hidden::Primary))
        .collect();
    let mut basis = Basis::default();
    // Residuals of the cells that must stay hidden, reduced by the basis so far.
    let mut guarded: Vec<(usize, Sparse)> = (0..cells.len())
        .filter(|&i| primary[i])
        .map(|i| (i, Sparse::indicator(&cells[i])))
        .collect();
    let publish = |v: Sparse, basis: &mut Basis, guarded: &mut Vec<(usize, Sparse)>| -> bool {
        let Some(r) = basis.reduce(&v) else {
            return false;
        };
        let Some((lead, lead_val)) = r.leading() else {
            // Already implied by what is published: publishing it adds nothing.
            return true;
        };
        let mut updated = Vec::with_capacity(guarded.len());
        for (i, g) in guarded.iter() {
            let next = match g.get(lead) {
                None => g.clone(),
                Some(val) => match g.sub_scaled(val / lead_val, &r) {
                    Some(n) => n,
                    None => return false,
                },
            };
            if next.0.is_empty() {
                return false;
            }
            updated.push((*i, next));
        }
        *guarded = updated;
        basis.by_leading.insert(lead, basis.rows.len());
        basis.rows.push(r);
        true
    };
    for k in known {
        // An earlier release is public whatever we decide now; if it already
        // reveals a cell, no choice made here can hide it again.
        let _ = publish(Sparse::indicator(k), &mut basis, &mut guarded);
    }
    for &c in order {
        if out[c].is_some() {
            continue;
        }
        if !publish(Sparse::indicator(&cells[c]), &mut basis, &mut guarded) {
            out[c] = Some(Hidden::Secondary);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_division_of_three_teams() {
        // Atoms: team A (7), B (2), C (6). Cells: division, A, B, C.
        let cells = vec![vec![0, 1, 2], vec![0], vec![1], vec![2]];
        let primary = [false, false, true, false];
        // Publish the division first, then teams from large to small.
        let out = suppress(&cells, &primary, &[0, 1, 3], &[]);
        assert_eq!(
            out,
            vec![None, None, Some(Hidden::Primary), Some(Hidden::Secondary)]
        );
    }

    #[test]
    fn two_breakdowns_over_the_same_people() {
        // Atoms: department x tenure, 2 x 2: (d0,t0)=0 (d0,t1)=1 (d1,t0)=2 (d1,t1)=3.
        // Cells: d0, d1, t0, t1, and the four crossings.
        let cells = vec![
            vec![0, 1],
            vec![2, 3],
            vec![0, 2],
            vec![1, 3],
            vec![0],
            vec![1],
            vec![2],
            vec![3],
        ];
        // (d0,t0) is small.
        let mut primary = [false; 8];
        primary[4] = true;
        let out = suppress(&cells, &primary, &[0, 1, 2, 3, 5, 6, 7], &[]);
        // All margins published; the crossing table then loses every cell,
        // because any one published crossing plus the margins pins down (d0,t0).
        assert_eq!(&out[..4], &[None, None, None, None]);
        assert!(
            out[5..].iter().all(|h| *h == Some(Hidden::Secondary)),
            "{out:?}"
        );
    }

    #[test]
    fn an_earlier_release_counts_as_published() {
        let cells = vec![vec![0, 1, 2], vec![0], vec![1], vec![2]];
        let primary = [false, false, true, false];
        // Last month C was published on its own; now A must go instead.
        let out = suppress(&cells, &primary, &[0, 1, 3], &[vec![2]]);
        assert_eq!(out[1], Some(Hidden::Secondary));
        assert_eq!(out[3], None);
    }
}
