//! Differentially private releases: noisy counts, deterministic per cell
//! and data set, paid from an epsilon budget.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp,
    missing_docs
)]

use exitcore::privacy::{Budget, CellNoise, Dimension, Policy, ReleasePlan};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Answer, Dataset, ExitRecord, Questionnaire};

fn key() -> CellNoise {
    CellNoise::new(b"a secret key of at least 16 bytes").unwrap()
}

fn data(exits: usize) -> Dataset {
    let org = generate(&OrgConfig {
        exits,
        ..OrgConfig::default()
    })
    .unwrap();
    Dataset::from_records(&org.questionnaire, &org.records).dataset
}

#[test]
fn the_scale_is_the_sensitivity_over_epsilon() {
    let ds = data(2000);
    let levels = ds.org_units().iter().map(Vec::len).max().unwrap();
    assert_eq!(levels, 3, "the synthetic tree has three levels");
    let plan = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap()
        .table(&[Dimension::TenureBand])
        .unwrap();
    let mut budget = Budget::new(1.0).unwrap();
    let r = plan.decide_with_noise(&key(), 0.5, &mut budget).unwrap();
    // One person is in the whole organisation (1), in one unit per level of
    // the tree (3) and in one tenure band (1): sensitivity 5, scale 5 / 0.5.
    let info = r.noise.unwrap();
    assert_eq!((info.epsilon, info.scale), (0.5, 10.0));
}

#[test]
fn noisy_counts_are_fixed_per_cell_and_paid_once() {
    let ds = data(2000);
    let plan = ReleasePlan::new(&ds, Policy::default())
        .table(&[Dimension::OrgUnit])
        .unwrap();
    let truth = plan.decide();
    let mut budget = Budget::new(1.0).unwrap();
    let a = plan.decide_with_noise(&key(), 0.5, &mut budget).unwrap();
    let b = plan.decide_with_noise(&key(), 0.5, &mut budget).unwrap();
    assert_eq!(a, b);
    assert_eq!(budget.spent(), 0.5);
    // The noise is real: some released counts differ from the true ones.
    let differ = a
        .cells
        .iter()
        .zip(&truth.cells)
        .filter(|(x, y)| x.n.is_some() && y.n.is_some() && x.n != y.n)
        .count();
    assert!(differ > 10, "{differ} noisy counts differ from the truth");
    // Nothing released is below k, neither the noisy nor the true count.
    for (x, y) in a.cells.iter().zip(&truth.cells) {
        if let Some(n) = x.n {
            assert!(n >= 5);
            assert!(y.n.is_some() || y.withheld.is_some());
        }
    }
    // Another key gives other noise.
    let other = CellNoise::new(b"another secret key, 16+ bytes").unwrap();
    let c = plan
        .decide_with_noise(&other, 0.5, &mut Budget::new(1.0).unwrap())
        .unwrap();
    assert_ne!(a, c);
}

#[test]
fn new_data_is_a_new_query_and_an_empty_budget_refuses() {
    let org = generate(&OrgConfig {
        exits: 500,
        ..OrgConfig::default()
    })
    .unwrap();
    let q = &org.questionnaire;
    let ds1 = Dataset::from_records(q, &org.records[..499]).dataset;
    let ds2 = Dataset::from_records(q, &org.records).dataset;
    let mut budget = Budget::new(1.0).unwrap();
    let decide = |ds: &Dataset, budget: &mut Budget| {
        ReleasePlan::new(ds, Policy::default())
            .table(&[Dimension::TenureBand])
            .unwrap()
            .decide_with_noise(&key(), 0.4, budget)
    };
    decide(&ds1, &mut budget).unwrap();
    // The same noise on one more record would give the difference exactly,
    // so the grown data set is a new query with fresh noise, paid again.
    decide(&ds2, &mut budget).unwrap();
    assert!((budget.spent() - 0.8).abs() < 1e-12);
    let before = budget.clone();
    let e = decide(&ds2, &mut budget.clone()).map(|_| ());
    assert!(e.is_ok(), "a repeat stays free");
    let e = ReleasePlan::new(&ds2, Policy::default())
        .decide_with_noise(&key(), 0.4, &mut budget)
        .unwrap_err();
    assert_eq!(e.code(), "budget_exhausted");
    assert_eq!(budget, before, "a refused query spends nothing");
    let e = ReleasePlan::new(&ds2, Policy::default())
        .decide_with_noise(&key(), 0.0, &mut budget)
        .unwrap_err();
    assert_eq!(e.field(), Some("epsilon"));
}

#[test]
fn k_minus_one_people_release_nothing_even_with_noise() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..4)
        .map(|i| {
            let mut r = ExitRecord::new(format!("r{i}"), &q, ["D", "T"]);
            r.answers
                .insert("primary_reason".into(), Answer::text("pay"));
            r.answers.insert("enps".into(), Answer::Number(5));
            r.answers.insert("would_return".into(), Answer::Bool(true));
            r
        })
        .collect();
    let loaded = Dataset::from_records(&q, &records);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let ds = loaded.dataset;
    assert_eq!(ds.len(), 4);
    // A large epsilon budget and many keys: some noisy count will exceed k,
    // but the true count still withholds it.
    for i in 0..50 {
        let key = CellNoise::new(format!("key number {i:04} for the test").as_bytes()).unwrap();
        let r = ReleasePlan::new(&ds, Policy::default())
            .table(&[Dimension::OrgUnit])
            .unwrap()
            .decide_with_noise(&key, 0.01, &mut Budget::new(1.0).unwrap())
            .unwrap();
        assert!(r.cells.iter().all(|c| c.n.is_none()), "{:?}", r.cells);
    }
}
