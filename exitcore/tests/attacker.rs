//! A test-only attacker against the privacy layer.
//!
//! Given everything a release shows (the released cells and their sizes),
//! the attacker knows every group is a sum of "grid" counts (one unknown,
//! at least zero, per combination of leaf unit and dimension values, empty or
//! not) and computes, by linear programming, the interval each withheld cell
//! can still take. Every withheld cell that holds people must keep at least
//! two possible values. The attacker is written independently of the
//! library: it rebuilds groups from the records it generated itself.
//!
//! Covered: parent minus children in the org tree, two breakdowns over the
//! same people (a dimension alone and crossed with the org tree), the whole
//! organisation next to its parts, and a release next to an earlier one of
//! the same data set (through the ledger): then the grid is split further
//! into the respondents the earlier release covered and the newcomers, and
//! both parts of every cell must keep two values when they are small. Not
//! covered here: means next to counts (they share the counts' pattern: a
//! mean is withheld exactly when its count is), and an attacker who knows
//! the answers of all but one member of a group.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::collections::{BTreeMap, BTreeSet};

use exitcore::privacy::{Dimension, Ledger, Policy, Release, ReleasePlan, Withheld};
use exitcore::{Answer, Dataset, ExitRecord, Questionnaire, Tenure};
use good_lp::{Expression, Solution, SolverModel, default_solver, variable, variables};
use proptest::prelude::*;

/// A generated leaver: org path, tenure band index (0..3), reason index.
#[derive(Debug, Clone)]
struct Leaver {
    path: Vec<String>,
    tenure: usize,
    /// Left after the earlier release (only in the ledger tests).
    new: bool,
}

const TENURES: [u32; 3] = [6, 18, 40]; // months: bands <1y, 1-2y, 2-5y

fn dataset(leavers: &[Leaver]) -> Dataset {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = leavers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut r = ExitRecord::new(format!("r{i}"), &q, l.path.clone());
            r.context.tenure = Some(Tenure::months(TENURES[l.tenure]));
            r.answers.insert(
                "primary_reason".into(),
                Answer::text(if i % 3 == 0 { "pay" } else { "workload" }),
            );
            r.answers.insert("enps".into(), Answer::Number(5));
            r.answers.insert("would_return".into(), Answer::Bool(true));
            r
        })
        .collect();
    let loaded = Dataset::from_records(&q, &records);
    assert!(loaded.problems.is_empty());
    loaded.dataset
}

/// Grid cell: leaf path, tenure label, and whether its people are newcomers.
type Grid = (String, String, bool);

/// Which people of a cell an equation or a target is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    /// Those an earlier release covered.
    Old,
    /// Those who left since.
    New,
}

fn tenure_label(t: usize) -> String {
    Tenure::months(TENURES[t]).band_label()
}

/// Which grid cells a release cell covers, from its key alone.
fn covers(key: &[(Dimension, String)], scope: Scope, grid: &Grid) -> bool {
    let in_scope = match scope {
        Scope::All => true,
        Scope::Old => !grid.2,
        Scope::New => grid.2,
    };
    in_scope
        && key.iter().all(|(d, v)| match d {
            Dimension::OrgUnit => grid.0 == *v || grid.0.starts_with(&format!("{v}/")),
            Dimension::TenureBand => grid.1 == *v,
            other => panic!("attacker does not model {other:?}"),
        })
}

/// A cell as the attacker sees it: its key, its size if released, and
/// whose release it was.
type Shown = (Vec<(Dimension, String)>, Option<u64>, Scope);

fn shown(release: Release, scope: Scope) -> impl Iterator<Item = Shown> {
    release
        .cells
        .into_iter()
        .map(move |c| (c.key.0, c.n, scope))
}

/// Releases the tables and attacks the result; panics when a withheld cell
/// holding people is pinned to a single value. Returns how many were checked.
fn attack(leavers: &[Leaver], tables: &[&[Dimension]], k: u32) -> usize {
    let ds = dataset(leavers);
    let mut plan = ReleasePlan::new(&ds, Policy::new(k).unwrap());
    for t in tables {
        plan = plan.table(t).unwrap();
    }
    let shown: Vec<Shown> = shown(plan.decide(), Scope::All).collect();
    let (checked, pinned) = bounds(leavers, &shown, &[], k);
    assert!(pinned.is_empty(), "pinned by the release: {pinned:#?}");
    checked
}

/// LP bounds of every withheld cell holding people, and of every `extra`
/// group holding fewer than `k` people: how many were checked, and a
/// description of each one left with fewer than two possible values.
fn bounds(
    leavers: &[Leaver],
    shown: &[Shown],
    extra: &[(Vec<(Dimension, String)>, Scope)],
    k: u32,
) -> (usize, Vec<String>) {
    // The attacker's unknowns: every leaf unit crossed with every tenure
    // band, split into earlier and new leavers when there are new ones.
    let leaf_paths: BTreeSet<String> = leavers.iter().map(|l| l.path.join("/")).collect();
    let ages: Vec<bool> = if leavers.iter().any(|l| l.new) {
        vec![false, true]
    } else {
        vec![false]
    };
    let grid: Vec<Grid> = leaf_paths
        .iter()
        .flat_map(|p| (0..TENURES.len()).map(move |t| (p.clone(), tenure_label(t))))
        .flat_map(|(p, t)| ages.iter().map(move |&a| (p.clone(), t.clone(), a)))
        .collect();
    // Ground truth, to skip empty cells and for reporting.
    let mut truth: BTreeMap<Grid, u64> = BTreeMap::new();
    for l in leavers {
        *truth
            .entry((l.path.join("/"), tenure_label(l.tenure), l.new))
            .or_default() += 1;
    }
    let targets = shown
        .iter()
        .filter(|(_, n, _)| n.is_none())
        .map(|(key, _, scope)| (key, *scope, false))
        .chain(extra.iter().map(|(key, scope)| (key, *scope, true)));
    let mut checked = 0;
    let mut pinned = Vec::new();
    for (target, scope, small_only) in targets {
        let true_n: u64 = grid
            .iter()
            .filter(|g| covers(target, scope, g))
            .map(|g| truth.get(g).copied().unwrap_or(0))
            .sum();
        if true_n == 0 || (small_only && true_n >= u64::from(k)) {
            continue;
        }
        let bound = |maximise: bool| -> f64 {
            let mut vars = variables!();
            let x: Vec<_> = grid.iter().map(|_| vars.add(variable().min(0))).collect();
            let sum_of = |key: &[(Dimension, String)], scope: Scope| -> Expression {
                grid.iter()
                    .zip(&x)
                    .filter(|(g, _)| covers(key, scope, g))
                    .map(|(_, v)| *v)
                    .sum()
            };
            let objective = sum_of(target, scope);
            let problem = if maximise {
                vars.maximise(objective.clone())
            } else {
                vars.minimise(objective.clone())
            };
            let mut model = problem.using(default_solver);
            for (key, n, scope) in shown {
                if let Some(n) = n {
                    model = model.with(sum_of(key, *scope).eq(*n as f64));
                }
            }
            match model.solve() {
                Ok(solution) => solution.eval(&objective),
                // Nothing bounds the cell from above: infinitely many values.
                Err(good_lp::ResolutionError::Unbounded) if maximise => f64::INFINITY,
                Err(e) => panic!("the release is inconsistent with its own data: {e}"),
            }
        };
        let (lo, hi) = (bound(false), bound(true));
        let values = (hi + 1e-6).floor() - (lo - 1e-6).ceil() + 1.0;
        if values < 2.0 {
            pinned.push(format!(
                "{target:?} {scope:?} (n = {true_n}) in [{lo}, {hi}]"
            ));
        }
        checked += 1;
    }
    (checked, pinned)
}

fn leaver(div: usize, team: usize, tenure: usize) -> Leaver {
    Leaver {
        path: vec![format!("D{div}"), format!("T{team}")],
        tenure,
        new: false,
    }
}

#[test]
fn the_issue_example_releases_a_and_the_division_only() {
    // A division of 15 leavers: team A = 7, B = 2, C = 6.
    let mut leavers = Vec::new();
    for (team, n) in [(0, 7), (1, 2), (2, 6)] {
        leavers.extend((0..n).map(|i| leaver(0, team, i % 3)));
    }
    let ds = dataset(&leavers);
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .decide();
    let by_key: BTreeMap<String, (Option<u64>, Option<Withheld>)> = release
        .cells
        .iter()
        .map(|c| (c.key.to_string(), (c.n, c.withheld)))
        .collect();
    assert_eq!(by_key["org_unit=D0"], (Some(15), None));
    assert_eq!(by_key["org_unit=D0/T0"], (Some(7), None));
    assert_eq!(by_key["org_unit=D0/T1"], (None, Some(Withheld::Primary)));
    assert_eq!(by_key["org_unit=D0/T2"], (None, Some(Withheld::Secondary)));
    assert_eq!((release.audit.primary, release.audit.secondary), (1, 1));
    assert!(attack(&leavers, &[&[Dimension::OrgUnit]], 5) >= 2);
}

#[test]
fn the_attacker_recovers_a_cell_when_only_primary_suppression_is_applied() {
    // The same division with only B withheld: 15 - 7 - 6 gives B = 2.
    let mut leavers = Vec::new();
    for (team, n) in [(0, 7), (1, 2), (2, 6)] {
        leavers.extend((0..n).map(|i| leaver(0, team, i % 3)));
    }
    let org = |p: &str| vec![(Dimension::OrgUnit, p.to_owned())];
    let naive: Vec<Shown> = vec![
        (vec![], Some(15), Scope::All),
        (org("D0"), Some(15), Scope::All),
        (org("D0/T0"), Some(7), Scope::All),
        (org("D0/T1"), None, Scope::All),
        (org("D0/T2"), Some(6), Scope::All),
    ];
    let (checked, pinned) = bounds(&leavers, &naive, &[], 5);
    assert_eq!(checked, 1);
    assert_eq!(pinned.len(), 1, "{pinned:?}");
    assert!(
        pinned[0].contains("D0/T1") && pinned[0].contains("[2, 2]"),
        "{pinned:?}"
    );
}

#[test]
fn a_data_set_of_k_minus_one_releases_nothing() {
    let leavers: Vec<Leaver> = (0..4).map(|i| leaver(i % 2, i, i % 3)).collect();
    let ds = dataset(&leavers);
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .table(&[Dimension::TenureBand])
        .unwrap()
        .table(&[Dimension::OrgUnit, Dimension::TenureBand])
        .unwrap()
        .distribution("primary_reason")
        .unwrap()
        .decide();
    assert!(
        release.cells.iter().all(|c| c.n.is_none() && !c.comments),
        "{:#?}",
        release.cells
    );
    assert_eq!(release.audit.released, 0);
}

#[test]
fn a_homogeneous_answer_is_withheld_even_in_a_large_group() {
    // Ten leavers in one team who all name the same reason: being in the team tells the answer.
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..10)
        .map(|i| {
            let mut r =
                ExitRecord::new(format!("r{i}"), &q, ["D", if i < 6 { "T1" } else { "T2" }]);
            let reason = if i < 6 {
                "pay"
            } else if i % 2 == 0 {
                "workload"
            } else {
                "culture"
            };
            r.answers
                .insert("primary_reason".into(), Answer::text(reason));
            r.answers.insert("enps".into(), Answer::Number(5));
            r.answers.insert("would_return".into(), Answer::Bool(true));
            r
        })
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    let release = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .distribution("primary_reason")
        .unwrap()
        .decide();
    let t1 = release
        .cells
        .iter()
        .find(|c| c.key.to_string() == "org_unit=D/T1")
        .unwrap();
    assert_eq!(t1.withheld, Some(Withheld::Homogeneous));
    assert_eq!(t1.n, None);
}

fn leavers_strategy() -> impl Strategy<Value = Vec<Leaver>> {
    prop::collection::vec((0..3usize, 0..4usize, 0..3usize), 1..60).prop_map(|v| {
        v.into_iter()
            .map(|(d, t, ten)| leaver(d, d * 10 + t, ten))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_withheld_cell_is_pinned_by_tree_and_crossing_tables(
        leavers in leavers_strategy(),
        k in 2u32..6,
        shape in 0usize..4,
    ) {
        let tables: Vec<&[Dimension]> = match shape {
            0 => vec![&[Dimension::OrgUnit]],
            1 => vec![&[Dimension::OrgUnit], &[Dimension::TenureBand]],
            2 => vec![&[Dimension::OrgUnit], &[Dimension::OrgUnit, Dimension::TenureBand]],
            _ => vec![&[Dimension::OrgUnit], &[Dimension::TenureBand], &[Dimension::OrgUnit, Dimension::TenureBand]],
        };
        attack(&leavers, &tables, k);
    }
}

/// Releases the tables over the earlier leavers, records that in a ledger,
/// releases them again over everyone (with the ledger, or without it for
/// the control), and attacks both releases together. Returns the pinned
/// groups and how many were checked.
fn attack_over_time(
    leavers: &[Leaver],
    tables: &[&[Dimension]],
    k: u32,
    use_ledger: bool,
) -> (usize, Vec<String>) {
    // Earlier leavers first, so respondent ids match across both data sets.
    let mut leavers = leavers.to_vec();
    leavers.sort_by_key(|l| l.new);
    let earlier: Vec<Leaver> = leavers.iter().filter(|l| !l.new).cloned().collect();
    let policy = Policy::new(k).unwrap();
    let decide = |ds: &Dataset, ledger: &Ledger| {
        let mut plan = ReleasePlan::new(ds, policy);
        for t in tables {
            plan = plan.table(t).unwrap();
        }
        if use_ledger {
            plan = plan.with_ledger(ledger);
        }
        plan.decide()
    };
    let mut ledger = Ledger::default();
    let ds1 = dataset(&earlier);
    let first = decide(&ds1, &ledger);
    ledger.record(&ds1, &first).unwrap();
    let ds2 = dataset(&leavers);
    let second = decide(&ds2, &ledger);
    let extra: Vec<(Vec<(Dimension, String)>, Scope)> = second
        .cells
        .iter()
        .flat_map(|c| [(c.key.0.clone(), Scope::Old), (c.key.0.clone(), Scope::New)])
        .collect();
    let all: Vec<Shown> = shown(first, Scope::Old)
        .chain(shown(second, Scope::All))
        .collect();
    bounds(&leavers, &all, &extra, k)
}

#[test]
fn a_newcomer_cannot_be_subtracted_from_last_months_release() {
    // Last month teams A and B had 6 leavers each; since then one more left A.
    let mut leavers: Vec<Leaver> = (0..12).map(|i| leaver(0, i % 2, i % 3)).collect();
    leavers.push(Leaver {
        new: true,
        ..leaver(0, 0, 1)
    });
    let tables: &[&[Dimension]] = &[&[Dimension::OrgUnit]];
    // Without the ledger, A (7) next to last month's A (6) pins the newcomer.
    let (_, pinned) = attack_over_time(&leavers, tables, 5, false);
    assert!(
        pinned
            .iter()
            .any(|p| p.contains("D0/T0") && p.contains("New")),
        "{pinned:?}"
    );
    // With it, nothing is pinned.
    let (checked, pinned) = attack_over_time(&leavers, tables, 5, true);
    assert!(pinned.is_empty(), "{pinned:?}");
    assert!(checked >= 1);
}

#[test]
fn a_ledger_survives_serialisation_and_refuses_a_foreign_release() {
    let leavers: Vec<Leaver> = (0..12).map(|i| leaver(0, i % 2, i % 3)).collect();
    let ds = dataset(&leavers);
    let other = dataset(&leavers[..11]);
    let release = ReleasePlan::new(&ds, Policy::default()).decide();
    let mut ledger = Ledger::default();
    assert!(ledger.record(&other, &release).is_err());
    ledger.record(&ds, &release).unwrap();
    let back: Ledger = serde_json::from_str(&serde_json::to_string(&ledger).unwrap()).unwrap();
    assert_eq!(back, ledger);
    assert!(
        serde_json::from_str::<Ledger>(
            r#"{"releases": [{"respondents": "xyz", "cells": [], "comment_cells": []}]}"#
        )
        .is_err()
    );
}

fn over_time_strategy() -> impl Strategy<Value = Vec<Leaver>> {
    prop::collection::vec(
        (0..2usize, 0..3usize, 0..3usize, prop::bool::weighted(0.3)),
        1..40,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(d, t, ten, new)| Leaver {
                new,
                ..leaver(d, d * 10 + t, ten)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_group_is_pinned_by_a_release_next_to_an_earlier_one(
        leavers in over_time_strategy(),
        k in 2u32..6,
        crossed in any::<bool>(),
    ) {
        let tables: Vec<&[Dimension]> = if crossed {
            vec![&[Dimension::OrgUnit], &[Dimension::OrgUnit, Dimension::TenureBand]]
        } else {
            vec![&[Dimension::OrgUnit], &[Dimension::TenureBand]]
        };
        let (_, pinned) = attack_over_time(&leavers, &tables, k, true);
        prop_assert!(pinned.is_empty(), "pinned: {:#?}", pinned);
    }
}
