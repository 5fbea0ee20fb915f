//! The privacy invariant, walked through every public way numbers leave the
//! library: with a data set of k - 1 people nothing may come out.
//!
//! Entry points: `ReleasePlan::decide`, `ReleasePlan::decide_with_noise`,
//! `ReleaseSpec::decide` / `decide_with_ledger`, `Release::comments`,
//! `Analysis::run` / `run_with_ledger` / `run_with` (shares, means, eNPS,
//! tests, trends, drivers, turnover, survival, findings, insights). `Dataset::summary` and the import summaries
//! are diagnostics about the caller's own data, not releases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use exitcore::analysis::{Analysis, AnalysisInputs, AnalysisSpec, Period, Stayer};
use exitcore::privacy::{
    Budget, CellNoise, Dimension, Ledger, Policy, Redactor, Release, ReleasePlan, ReleaseSpec,
};
use exitcore::{Answer, Dataset, ExitRecord, Headcount, HeadcountRow, Lang, Questionnaire, Tenure};

const ALL: [Dimension; 11] = Dimension::ALL;

/// k - 1 leavers with every context field and varied answers.
fn tiny(k: usize) -> Dataset {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..k - 1)
        .map(|i| {
            let mut r = ExitRecord::new(format!("r{i}"), &q, ["D", ["A", "B"][i % 2]]);
            let c = &mut r.context;
            c.job_family = Some("Engineering".into());
            c.manager = Some(format!("m{}", i % 2));
            c.location = Some("Utrecht".into());
            c.tenure = Some(Tenure::months(u32::try_from(6 + 12 * i).unwrap()));
            c.age_band = Some("26-30".into());
            c.exit_date = Some(format!("202{}-0{}-15", i % 3, i % 9 + 1).parse().unwrap());
            r.answers.insert(
                "primary_reason".into(),
                Answer::text(["pay", "workload", "culture"][i % 3]),
            );
            r.answers.insert(
                "enps".into(),
                Answer::Number(i64::try_from(i % 11).unwrap()),
            );
            r.answers
                .insert("would_return".into(), Answer::Bool(i % 2 == 1));
            r.answers.insert(
                "leadership_support".into(),
                Answer::Number(i64::try_from(i % 5 + 1).unwrap()),
            );
            r.answers.insert(
                "comment_leadership".into(),
                Answer::text(format!("comment {i}")),
            );
            r
        })
        .collect();
    let loaded = Dataset::from_records(&q, &records);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.dataset.len(), k - 1);
    loaded.dataset
}

fn tables() -> Vec<Vec<Dimension>> {
    let mut t: Vec<Vec<Dimension>> = ALL.iter().map(|&d| vec![d]).collect();
    for (i, &a) in ALL.iter().enumerate() {
        for &b in &ALL[i + 1..] {
            t.push(vec![a, b]);
        }
    }
    t
}

fn assert_silent(release: &Release, ds: &Dataset) {
    assert_eq!(release.audit.released, 0);
    let r = Redactor::new(Vec::<String>::new()).unwrap();
    for c in &release.cells {
        assert!(
            c.n.is_none() && !c.comments && c.withheld.is_some(),
            "{c:?}"
        );
        let shown = release
            .comments(ds, &c.key, "comment_leadership", &r, Lang::En)
            .unwrap();
        assert_eq!(shown, None);
    }
}

fn assert_analysis_silent(a: &Analysis) {
    assert_eq!(a.overall.n, None);
    assert_eq!(a.audit.released, 0);
    let json = serde_json::to_value(a).unwrap();
    // Nothing numeric about any group: no released n, no shares, no tests.
    for b in json["breakdowns"].as_array().unwrap() {
        for g in b["groups"].as_array().unwrap() {
            assert!(
                g["n"].is_null() && g["primary_reasons"].as_array().unwrap().is_empty(),
                "{g}"
            );
            assert!(g["items"].as_array().unwrap().is_empty() && g["enps"].is_null());
            assert!(g["early_leavers"].is_null() && g["regrettable"].is_null());
        }
        assert!(b["reasons"].as_array().unwrap().is_empty());
        assert!(b["items"].as_array().unwrap().is_empty());
    }
    assert!(a.findings.is_empty() && a.insights.is_empty() && a.drivers.is_empty());
    assert!(a.comments.is_empty());
    if let Some(t) = &a.trends {
        assert!(t.periods.iter().all(|p| p.n.is_none()));
        assert!(
            t.reasons
                .iter()
                .all(|r| r.shares.iter().all(Option::is_none))
        );
        assert!(t.items.iter().all(|i| i.means.iter().all(Option::is_none)));
    }
}

#[test]
fn k_minus_one_people_release_nothing_through_any_entry_point() {
    for k in [2usize, 5, 10] {
        let ds = tiny(k);
        let policy = Policy::new(u32::try_from(k).unwrap()).unwrap();
        let spec = ReleaseSpec {
            tables: tables(),
            distributions: vec![
                "primary_reason".into(),
                "enps".into(),
                "leadership_support".into(),
            ],
        };
        assert_silent(&spec.decide(&ds, policy).unwrap(), &ds);

        let mut ledger = Ledger::default();
        let first = spec.decide(&ds, policy).unwrap();
        ledger.record(&ds, &first).unwrap();
        assert_silent(
            &spec.decide_with_ledger(&ds, policy, Some(&ledger)).unwrap(),
            &ds,
        );

        let plan = ReleasePlan::new(&ds, policy)
            .table(&[Dimension::OrgUnit])
            .unwrap();
        assert_silent(&plan.decide(), &ds);
        let key = CellNoise::new(b"a secret key of at least 16 bytes").unwrap();
        // A tiny epsilon: noisy counts far above k, still nothing released.
        let noisy = plan
            .decide_with_noise(&key, 0.01, &mut Budget::new(1.0).unwrap())
            .unwrap();
        assert_silent(&noisy, &ds);

        for trend in [
            None,
            Some(Period::Month),
            Some(Period::Quarter),
            Some(Period::Year),
        ] {
            let spec = AnalysisSpec {
                by: tables(),
                trend,
                min_test_group: 1,
                ..AnalysisSpec::default()
            };
            assert_analysis_silent(&Analysis::run(&ds, policy, &spec).unwrap());
            let rows = ["A", "B"]
                .iter()
                .flat_map(|t| (2020..2023).flat_map(move |y| (1..=4).map(move |q| (t, y, q))))
                .map(|(t, year, quarter)| HeadcountRow {
                    org_unit: vec!["D".into(), (*t).into()],
                    year,
                    quarter,
                    headcount: 30,
                })
                .collect();
            let headcount = Headcount::new(rows).unwrap();
            let stayers: Vec<Stayer> = (0..40)
                .map(|i| Stayer {
                    org_unit: vec!["D".into(), ["A", "B"][i % 2].into()],
                    tenure_months: u32::try_from(i).unwrap(),
                })
                .collect();
            let inputs = AnalysisInputs {
                ledger: Some(&ledger),
                headcount: Some(&headcount),
                stayers: Some(&stayers),
                redactor: None,
            };
            let a = Analysis::run_with(&ds, policy, &spec, inputs).unwrap();
            assert!(a.survival.is_none());
            assert!(a.overall.turnover.is_none());
            assert_analysis_silent(&a);
            assert_analysis_silent(
                &Analysis::run_with_ledger(&ds, policy, &spec, Some(&ledger)).unwrap(),
            );
        }
    }
}
