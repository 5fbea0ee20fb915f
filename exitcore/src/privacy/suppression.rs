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
//! Atoms can number in the hundreds of thousands (a department x tenure x
//! job family x quarter partition of a million exits), but the rows (cells)
//! number in the hundreds or thousands. [`spanning_atoms`] first keeps a set
//! of atoms whose columns span all columns, at most one per row; the
//! elimination then runs on vectors over those, which decides exactly the
//! same (see its doc for why, and the property test). The cost is one pass
//! over the atoms (the records only to find their atom), then work that
//! grows with the number of cells.
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
        // Only residuals with an entry at the new pivot change; work them
        // out first and commit only if none of them vanishes.
        let mut updated = Vec::new();
        for (slot, (_, g)) in guarded.iter().enumerate() {
            if let Some(val) = g.get(lead) {
                let Some(next) = g.sub_scaled(val / lead_val, &r) else {
                    return false;
                };
                if next.0.is_empty() {
                    return false;
                }
                updated.push((slot, next));
            }
        }
        for (slot, next) in updated {
            guarded[slot].1 = next;
        }
        basis.by_leading.insert(lead, basis.rows.len());
        basis.rows.push(r);
        true
    };
    for k in known {
        // An earlier release is public whatever we decide now; if it already
        // reveals a cell, no choice made here can hide it again.
        let _ = publish(Sparse::indicator(k), &mut basis, &mut guarded);
    }
    if guarded.is_empty() {
        // Nothing must stay hidden, so nothing more is withheld to protect
        // it: the elimination below could only ever publish (at a million
        // records with every cell released, it was a tenth of a report).
        return out;
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

/// The Mersenne prime 2^61 - 1: products of two residues fit in `u128` and
/// reduce with a shift and an add.
const P: u64 = (1 << 61) - 1;

fn mul_mod(a: u64, b: u64) -> u64 {
    let x = u128::from(a) * u128::from(b);
    // x = hi * 2^61 + lo and 2^61 = 1 (mod P).
    #[allow(clippy::cast_possible_truncation)]
    let folded = (x & u128::from(P)) as u64 + (x >> 61) as u64;
    if folded >= P { folded - P } else { folded }
}

fn sub_mod(a: u64, b: u64) -> u64 {
    if a >= b { a - b } else { a + P - b }
}

/// `a^(P-2) = a^-1 (mod P)` for `a != 0`.
fn inv_mod(a: u64) -> u64 {
    let (mut base, mut exp, mut out) = (a, P - 2, 1);
    while exp > 0 {
        if exp & 1 == 1 {
            out = mul_mod(out, base);
        }
        base = mul_mod(base, base);
        exp >>= 1;
    }
    out
}

fn add_mod(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= P { s - P } else { s }
}

/// Columns reduced modulo P to column echelon form, one pivot row each.
struct Echelon {
    /// `basis[r]`: the kept column whose first nonzero row is `r`, scaled to
    /// 1 there, with nonzeros only at rows `>= r`, sorted by row.
    basis: Vec<Option<Vec<(u32, u64)>>>,
    x: Vec<u64>,
    queue: std::collections::BinaryHeap<std::cmp::Reverse<u32>>,
    touched: Vec<u32>,
}

impl Echelon {
    fn new(rows: usize) -> Self {
        Echelon {
            basis: vec![None; rows],
            x: vec![0; rows],
            queue: std::collections::BinaryHeap::new(),
            touched: Vec::new(),
        }
    }

    /// Reduces the 0/1 column with a one at each of `column`'s rows (a
    /// repeat counts twice) and keeps it if it is independent of the basis;
    /// returns whether it was kept.
    fn insert(&mut self, column: &[u32]) -> bool {
        let Self {
            basis,
            x,
            queue,
            touched,
        } = self;
        for &r in column {
            if x[r as usize] == 0 {
                touched.push(r);
                queue.push(std::cmp::Reverse(r));
            }
            x[r as usize] = add_mod(x[r as usize], 1);
        }
        let mut pivot = None;
        while let Some(std::cmp::Reverse(r)) = queue.pop() {
            let v = x[r as usize];
            if v == 0 {
                continue;
            }
            let Some(col) = &basis[r as usize] else {
                pivot = Some(r);
                break;
            };
            for &(row, value) in col {
                let slot = &mut x[row as usize];
                if *slot == 0 {
                    touched.push(row);
                    queue.push(std::cmp::Reverse(row));
                }
                *slot = sub_mod(*slot, mul_mod(v, value));
            }
        }
        if let Some(r) = pivot {
            let scale = inv_mod(x[r as usize]);
            let mut col: Vec<(u32, u64)> = touched
                .iter()
                .copied()
                .filter(|&row| row >= r && x[row as usize] != 0)
                .map(|row| (row, mul_mod(x[row as usize], scale)))
                .collect();
            col.sort_unstable_by_key(|e| e.0);
            col.dedup_by_key(|e| e.0);
            basis[r as usize] = Some(col);
        }
        for &row in touched.iter() {
            x[row as usize] = 0;
        }
        touched.clear();
        queue.clear();
        pivot.is_some()
    }
}

/// Proofs, modulo P, that rows without a pivot depend on the others over
/// every atom, not just over the atoms reduced so far.
struct Certificate {
    /// `done[q]`: row `q` has no pivot and its relation was checked against
    /// every atom.
    done: Vec<bool>,
    y: Vec<u64>,
    reached: Vec<bool>,
    /// The sum, per atom, of the relation's coefficients over the rows
    /// containing it; all zero outside a check.
    z: Vec<u64>,
}

impl Certificate {
    fn new(rows: usize, atoms: usize) -> Self {
        Certificate {
            done: vec![false; rows],
            y: vec![0; rows],
            reached: vec![false; rows],
            z: vec![0; atoms],
        }
    }

    /// Checks the relation of every row without a pivot not yet checked.
    /// `Ok` when every such row is done: then the rows span a space of
    /// dimension at most the number of pivots, so the kept columns span all
    /// columns. `Err(atom)` names an atom whose column is outside the span
    /// of the kept ones.
    fn check(&mut self, echelon: &Echelon, rows: &[&[u32]]) -> Result<(), u32> {
        let n = rows.len();
        // below[i]: the pivots p != i whose column has a nonzero at row i.
        let mut below: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (p, col) in echelon.basis.iter().enumerate() {
            for &(i, _) in col.iter().flatten().skip(1) {
                below[i as usize].push(u32::try_from(p).unwrap_or(u32::MAX));
            }
        }
        for q in 0..n {
            if self.done[q] || echelon.basis[q].is_some() {
                continue;
            }
            let support = self.relation(echelon, &below, q);
            let failing = self.vanishes(rows, &support);
            for &r in &support {
                self.y[r as usize] = 0;
            }
            match failing {
                Some(atom) => return Err(atom),
                None => self.done[q] = true,
            }
        }
        Ok(())
    }

    /// Fills `y` with the relation of row `q`: `y[q] = 1`, zero at every
    /// other row without a pivot, and `y . b = 0` for every basis column
    /// `b`. A basis column has its leading one at its pivot row and other
    /// entries only below it, so the pivots' coefficients follow from the
    /// bottom up; only pivots reachable from `q` through `below` can be
    /// nonzero. Returns the rows where `y` may be nonzero.
    fn relation(&mut self, echelon: &Echelon, below: &[Vec<u32>], q: usize) -> Vec<u32> {
        let q32 = u32::try_from(q).unwrap_or(u32::MAX);
        let mut support = vec![q32];
        let mut stack = vec![q32];
        while let Some(i) = stack.pop() {
            for &p in &below[i as usize] {
                if !self.reached[p as usize] {
                    self.reached[p as usize] = true;
                    support.push(p);
                    stack.push(p);
                }
            }
        }
        self.y[q] = 1;
        let pivots = &mut support[1..];
        pivots.sort_unstable_by(|a, b| b.cmp(a));
        for &p in pivots.iter() {
            self.reached[p as usize] = false;
            let mut sum = 0;
            for &(i, value) in echelon.basis[p as usize].iter().flatten().skip(1) {
                sum = add_mod(sum, mul_mod(self.y[i as usize], value));
            }
            self.y[p as usize] = sub_mod(0, sum);
        }
        support
    }

    /// Whether `y . column = 0` for every atom's column; else an atom where
    /// it is not. Atoms in none of the `support` rows get 0 trivially.
    fn vanishes(&mut self, rows: &[&[u32]], support: &[u32]) -> Option<u32> {
        for &r in support {
            let c = self.y[r as usize];
            if c != 0 {
                for &a in rows[r as usize] {
                    self.z[a as usize] = add_mod(self.z[a as usize], c);
                }
            }
        }
        let mut failing = None;
        for &r in support {
            if self.y[r as usize] != 0 {
                for &a in rows[r as usize] {
                    if self.z[a as usize] != 0 {
                        failing = failing.or(Some(a));
                        self.z[a as usize] = 0;
                    }
                }
            }
        }
        failing
    }
}

/// A set of atoms whose columns span the columns of the row-by-atom matrix
/// of `rows` (each row listing its atoms), so the elimination can run on
/// vectors of at most `rows.len()` atoms instead of every atom.
///
/// Why this is safe: keeping only some atoms (columns) keeps every linear
/// relation between rows, so a row derivable from others over all atoms is
/// derivable over the kept ones too. When the kept columns span all
/// columns, every relation over them holds over all atoms as well, and the
/// decisions are exactly those made on the full matrix. The columns are
/// chosen by elimination modulo a 61-bit prime: columns independent modulo
/// P are independent over the rationals, and the rank modulo P equals the
/// rational rank unless P divides one particular minor of the matrix. Only
/// then could the kept columns fail to span, and then the narrowed rows
/// gain relations the full ones lack: mostly that withholds more, but a
/// guarded cell could also look already derivable from earlier releases
/// and go unguarded. For matrices of this size that needs P (about 2.3e18)
/// to divide a minor by chance, which is far less likely than a hardware
/// fault; the exact rational engine then decides on the narrowed rows.
///
/// How it proves the kept columns span all columns without reducing every
/// one: when many atoms in a row added no column, it writes each row `q`
/// without a pivot as a combination of the pivot rows over the kept
/// columns (the relation `y` with `y[q] = 1`) and checks `y . column = 0`
/// for every atom. Once every row without a pivot has a checked relation,
/// those relations are independent (each is 1 at its own row and 0 at the
/// others') and every column is orthogonal to them, so the column rank is
/// at most the number of kept columns: they span everything, modulo P,
/// exactly as if every column had been reduced. A relation that fails names
/// an atom outside the span, which is kept next.
///
/// Cost: the atoms up to the point where the kept columns span, each
/// reduced as a sparse column of the cells containing it, then one pass
/// over the cells in each relation; without the relations, every atom.
pub(crate) fn spanning_atoms(rows: &[&[u32]], atoms: usize) -> Vec<u32> {
    spanning_atoms_checking_after(rows, atoms, rows.len().max(64))
}

/// A step coprime to `n` near `0.618 n`, so `i * step mod n` visits every
/// index once.
fn golden_stride(n: usize) -> usize {
    fn gcd(mut a: usize, mut b: usize) -> usize {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }
    // 2^32 / golden ratio.
    let mut step = usize::try_from((n as u64).saturating_mul(2_654_435_769) >> 32)
        .unwrap_or(1)
        .max(1);
    while gcd(step, n) > 1 {
        step += 1;
    }
    step
}

/// [`spanning_atoms`], first checking the relations once `stall` atoms in a
/// row added no column (then after twice as many, and so on), so the
/// checks cost at most a few passes over the cells even when they fail.
fn spanning_atoms_checking_after(rows: &[&[u32]], atoms: usize, stall: usize) -> Vec<u32> {
    search(rows, atoms, stall).0
}

/// [`spanning_atoms_checking_after`], and how many atoms it reduced in turn.
fn search(rows: &[&[u32]], atoms: usize, stall: usize) -> (Vec<u32>, usize) {
    // Pivot on the most specific rows (fewest atoms) first: an atom's column
    // then reduces against columns that differ from it in a few rows, which
    // keeps fill-in, and so the cost per atom, small.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&r| (rows[r].len(), r));
    let rows: Vec<&[u32]> = order.iter().map(|&r| rows[r]).collect();
    // Transpose: the rows containing each atom.
    let mut start = vec![0usize; atoms + 1];
    for row in &rows {
        for &a in *row {
            start[a as usize + 1] += 1;
        }
    }
    for a in 0..atoms {
        start[a + 1] += start[a];
    }
    let mut fill = start.clone();
    let mut entries = vec![0u32; start[atoms]];
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for &a in *row {
            entries[fill[a as usize]] = r;
            fill[a as usize] += 1;
        }
    }
    drop(fill);
    let column = |a: usize| &entries[start[a]..start[a + 1]];

    let mut echelon = Echelon::new(rows.len());
    let mut certificate = None;
    let mut kept = Vec::new();
    let (mut stall, mut idle) = (stall.max(1), 0usize);
    // Atoms are numbered as they first occur in the records, which often
    // come sorted by date: an atom in a late quarter, a new direction of
    // the span, would then be met only near the end. A stride of about
    // 0.618 times the count visits the atoms in an order spread evenly
    // over that numbering, so the span is usually complete early.
    let step = golden_stride(atoms);
    let (mut a, mut reduced) = (0, 0);
    while reduced < atoms && kept.len() < rows.len() {
        a = if a + step >= atoms {
            a + step - atoms
        } else {
            a + step
        };
        reduced += 1;
        if echelon.insert(column(a)) {
            kept.push(u32::try_from(a).unwrap_or(u32::MAX));
            idle = 0;
            continue;
        }
        idle += 1;
        if idle < stall {
            continue;
        }
        let certificate = certificate.get_or_insert_with(|| Certificate::new(rows.len(), atoms));
        match certificate.check(&echelon, &rows) {
            Ok(()) => break,
            Err(outside) => {
                // Outside the span, so kept now; when the loop reaches it,
                // it reduces to zero.
                if echelon.insert(column(outside as usize)) {
                    kept.push(outside);
                }
            }
        }
        idle = 0;
        stall = stall.saturating_mul(2);
    }
    kept.sort_unstable();
    (kept, reduced)
}

/// `rows` over the atoms of `kept` only, renumbered 0.. in that order.
pub(crate) fn restrict(rows: &[Vec<u32>], kept: &[u32], atoms: usize) -> Vec<Vec<u32>> {
    let mut index = vec![u32::MAX; atoms];
    for (i, &a) in kept.iter().enumerate() {
        index[a as usize] = u32::try_from(i).unwrap_or(u32::MAX);
    }
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|&a| index[a as usize])
                .filter(|&i| i != u32::MAX)
                .collect()
        })
        .collect()
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

    /// With no cell to protect nothing is withheld, whatever the earlier
    /// releases, even cells that sum to each other.
    #[test]
    fn nothing_to_protect_withholds_nothing() {
        let cells = vec![vec![0, 1, 2], vec![0], vec![1], vec![2], vec![0, 1]];
        let out = suppress(
            &cells,
            &[false; 5],
            &[0, 1, 2, 3, 4],
            &[vec![2], vec![0, 2]],
        );
        assert_eq!(out, vec![None; 5]);
        // One primary cell brings the elimination back: with the total and
        // atom 0 published, atom 1 or atoms 0+1 would each give atom 2.
        let mut primary = [false; 5];
        primary[3] = true;
        let out = suppress(&cells, &primary, &[0, 1, 2, 4], &[]);
        let s = Some(Hidden::Secondary);
        assert_eq!(out, vec![None, None, s, Some(Hidden::Primary), s]);
    }

    /// Atom sets over few atoms, so rows depend on each other often.
    fn instance() -> impl proptest::strategy::Strategy<Value = (usize, Vec<Vec<u32>>, Vec<bool>)> {
        use proptest::prelude::*;
        (1usize..10).prop_flat_map(|atoms| {
            let row = proptest::collection::btree_set(0..u32::try_from(atoms).unwrap(), 1..=atoms)
                .prop_map(|set| set.into_iter().collect::<Vec<u32>>());
            (
                Just(atoms),
                proptest::collection::vec(row, 1..16),
                proptest::collection::vec(proptest::bool::weighted(0.3), 16),
            )
        })
    }

    /// Tables over the people of a small organisation, as a release plan
    /// makes them: the whole, a 2-level org tree (leaves, and parents
    /// grouping them), three other breakdowns, and optionally a crossing of
    /// leaves with the first breakdown. Atoms are the groups of the joint
    /// partition that hold someone, numbered as they first occur. The rows
    /// depend on each other in many ways (every table sums to the whole,
    /// every parent to its children), as in the report's plan.
    fn tables() -> impl proptest::strategy::Strategy<Value = (usize, Vec<Vec<u32>>)> {
        use proptest::prelude::*;
        (
            1u32..7,
            proptest::collection::vec(0u32..3, 6),
            (1u32..4, 1u32..6, 1u32..8),
            any::<bool>(),
        )
            .prop_flat_map(|(leaves, parent, (d1, d2, d3), cross)| {
                let person = (0..leaves, 0..d1, 0..d2, 0..d3);
                (
                    Just((parent, cross)),
                    proptest::collection::vec(person, 1..120),
                )
            })
            .prop_map(|((parent, cross), people)| {
                let mut atom_of = BTreeMap::new();
                let mut keys = Vec::new();
                for p in people {
                    let next = u32::try_from(keys.len()).unwrap();
                    if *atom_of.entry(p).or_insert(next) == next {
                        keys.push(p);
                    }
                }
                let mut cells: BTreeMap<(u8, u32, u32), Vec<u32>> = BTreeMap::new();
                for (a, &(leaf, x, y, z)) in keys.iter().enumerate() {
                    let a = u32::try_from(a).unwrap();
                    let mut of = vec![
                        (0, 0, 0),
                        (1, parent[leaf as usize], 0),
                        (2, leaf, 0),
                        (3, x, 0),
                        (4, y, 0),
                        (5, z, 0),
                    ];
                    if cross {
                        of.push((6, leaf, x));
                    }
                    for cell in of {
                        cells.entry(cell).or_default().push(a);
                    }
                }
                (keys.len(), cells.into_values().collect())
            })
    }

    /// The rank of the rows over the rationals, by the suppression engine's
    /// own exact elimination.
    fn rank(rows: &[Vec<u32>]) -> usize {
        let mut basis = Basis::default();
        for row in rows {
            let r = basis.reduce(&Sparse::indicator(row)).unwrap();
            if let Some((lead, _)) = r.leading() {
                basis.by_leading.insert(lead, basis.rows.len());
                basis.rows.push(r);
            }
        }
        basis.rows.len()
    }

    /// The kept atoms' columns are independent and span all columns, over
    /// the rationals: the narrowed rows have the rank of the full ones, and
    /// that rank is the number of kept atoms.
    fn assert_spanning(rows: &[Vec<u32>], atoms: usize, kept: &[u32]) {
        let full = rank(rows);
        assert_eq!(rank(&restrict(rows, kept, atoms)), full, "kept {kept:?}");
        assert_eq!(kept.len(), full, "kept {kept:?}");
    }

    proptest::proptest! {
        // The engine on the spanning atoms decides exactly as on all atoms.
        #[test]
        fn spanning_atoms_change_no_decision((atoms, rows, primary) in instance(), stall in 1usize..4) {
            let primary = &primary[..rows.len()];
            let order: Vec<usize> = (0..rows.len()).filter(|&c| !primary[c]).rev().collect();
            let refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
            // By default and with the relations checked early and often.
            for kept in [spanning_atoms(&refs, atoms), spanning_atoms_checking_after(&refs, atoms, stall)] {
                // Never more atoms than rows or than atoms there are.
                proptest::prop_assert!(kept.len() <= rows.len().min(atoms));
                let narrow = restrict(&rows, &kept, atoms);
                proptest::prop_assert_eq!(
                    suppress(&narrow, primary, &order, &[]),
                    suppress(&rows, primary, &order, &[])
                );
            }
        }

        #[test]
        fn kept_atoms_have_the_rank_of_all_atoms((atoms, rows, _) in instance(), stall in 1usize..4) {
            let refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
            assert_spanning(&rows, atoms, &spanning_atoms(&refs, atoms));
            assert_spanning(&rows, atoms, &spanning_atoms_checking_after(&refs, atoms, stall));
        }

        #[test]
        fn kept_atoms_span_tables_of_one_organisation((atoms, rows) in tables(), stall in 1usize..9) {
            let refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
            assert_spanning(&rows, atoms, &spanning_atoms(&refs, atoms));
            assert_spanning(&rows, atoms, &spanning_atoms_checking_after(&refs, atoms, stall));
        }
    }

    #[test]
    fn checked_relations_end_the_search_early() {
        // 4 org units crossed with 40 quarters, every pair in use, atoms
        // numbered unit by unit: rank 1 + 3 + 39, long reached before the
        // last of the 160 atoms, and proven by the relations.
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); 45];
        for unit in 0..4u32 {
            for quarter in 0..40u32 {
                let a = unit * 40 + quarter;
                rows[0].push(a);
                rows[1 + unit as usize].push(a);
                rows[5 + quarter as usize].push(a);
            }
        }
        let refs: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let (kept, reduced) = search(&refs, 160, 4);
        assert_spanning(&rows, 160, &kept);
        assert_eq!(kept.len(), 43);
        assert!(reduced < 160, "{reduced}");
    }

    #[test]
    fn modular_inverse_and_product() {
        for a in [1, 2, 3, 12_345, P - 1, P - 2] {
            assert_eq!(mul_mod(a, inv_mod(a)), 1, "{a}");
        }
        // (P - 1)^2 = 1 (mod P).
        assert_eq!(mul_mod(P - 1, P - 1), 1);
        assert_eq!(sub_mod(1, 3), P - 2);
    }
}
