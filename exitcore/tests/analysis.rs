//! The analyses on the cell model: numbers only from released cells,
//! reference values from statsmodels / scipy or written-out arithmetic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp,
    clippy::many_single_char_names,
    missing_docs
)]

use exitcore::analysis::study::{StudyConfig, run};
use exitcore::analysis::{Analysis, AnalysisSpec, FindingKind};
use exitcore::privacy::{Dimension, Policy, Withheld};
use exitcore::{Answer, Dataset, ExitRecord, Questionnaire};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-3), "{a} vs {b}");
}

fn record(
    q: &Questionnaire,
    i: usize,
    team: &str,
    reason: &str,
    enps: i64,
    score: u8,
) -> ExitRecord {
    let mut r = ExitRecord::new(format!("r{i}"), q, ["D", team]);
    r.answers
        .insert("primary_reason".into(), Answer::text(reason));
    r.answers.insert("enps".into(), Answer::Number(enps));
    r.answers
        .insert("would_return".into(), Answer::Bool(i.is_multiple_of(2)));
    r.answers.insert(
        "leadership_support".into(),
        Answer::Number(i64::from(score)),
    );
    r
}

/// D/A: 12 leavers (pay 6, workload 4, culture 2); D/B: 10 (pay 2,
/// workload 3, culture 5); D/C: 3 (one each).
fn data() -> Dataset {
    let q = Questionnaire::standard();
    let mut records = Vec::new();
    let mut i = 0;
    for (team, reasons) in [
        ("A", [("pay", 6), ("workload", 4), ("culture", 2)]),
        ("B", [("pay", 2), ("workload", 3), ("culture", 5)]),
        ("C", [("pay", 1), ("workload", 1), ("culture", 1)]),
    ] {
        for (reason, n) in reasons {
            for _ in 0..n {
                let enps = [10, 9, 7, 3, 0][i % 5];
                let score = u8::try_from(i % 5 + 1).unwrap();
                records.push(record(&q, i, team, reason, enps, score));
                i += 1;
            }
        }
    }
    let loaded = Dataset::from_records(&q, &records);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.dataset
}

#[test]
fn shares_and_intervals_match_statsmodels_and_withheld_groups_are_empty() {
    let ds = data();
    let a = Analysis::run(
        &ds,
        Policy::default(),
        &AnalysisSpec::by(&[&[Dimension::OrgUnit]]),
    )
    .unwrap();
    assert_eq!(a.overall.n, Some(25));
    let pay = a
        .overall
        .primary_reasons
        .iter()
        .find(|s| s.option == "pay")
        .unwrap();
    assert_eq!(pay.count, 9);
    close(pay.share, 9.0 / 25.0);
    // statsmodels proportion_confint(9, 25, method="wilson")
    close(pay.interval.lower, 0.202_478_807_744_582_2);
    close(pay.interval.upper, 0.554_815_022_518_351_5);

    let groups = &a.breakdowns[0].groups;
    let by = |name: &str| groups.iter().find(|g| g.key.to_string() == name).unwrap();
    // C is below k; with D and A released, B would give C by subtraction.
    assert_eq!(by("org_unit=D/C").withheld, Some(Withheld::Primary));
    assert_eq!(by("org_unit=D/B").withheld, Some(Withheld::Secondary));
    for g in [by("org_unit=D/B"), by("org_unit=D/C")] {
        assert_eq!(g.n, None);
        assert!(g.primary_reasons.is_empty() && g.items.is_empty() && g.enps.is_none());
    }
    let team_a = by("org_unit=D/A");
    assert_eq!(team_a.n, Some(12));
    let pay = team_a
        .primary_reasons
        .iter()
        .find(|s| s.option == "pay")
        .unwrap();
    // statsmodels proportion_confint(6, 12, method="wilson")
    close(pay.interval.lower, 0.253_781_597_633_706);
    close(pay.interval.upper, 0.746_218_402_366_294);
    // eNPS of A: ratings 10,9,7,3,0 repeated over records 0..11 -> 10,9,7,3,0,10,9,7,3,0,10,9:
    // promoters 6, detractors 4, score 100 * (6 - 4) / 12.
    let e = team_a.enps.unwrap();
    assert_eq!((e.promoters, e.detractors), (6, 4));
    close(e.score, 100.0 * 2.0 / 12.0);

    // No test runs over a single released team; the level-0 "test" has only D.
    assert!(a.breakdowns[0].reasons.is_empty());
    // Findings compare A (12) with the rest; below the minimum test group of 20.
    assert!(a.findings.is_empty());
}

#[test]
fn a_finding_compares_the_group_with_the_rest_by_fishers_exact_test() {
    let ds = data();
    let spec = AnalysisSpec {
        min_test_group: 10,
        ..AnalysisSpec::by(&[&[Dimension::OrgUnit]])
    };
    let a = Analysis::run(&ds, Policy::default(), &spec).unwrap();
    let f = a
        .findings
        .iter()
        .find(|f| {
            f.key.to_string() == "org_unit=D/A"
                && matches!(&f.kind, FindingKind::Reason { option, .. } if option == "pay")
        })
        .unwrap();
    // A: pay 6 of 12; the rest (B and C): pay 3 of 13.
    // scipy.stats.fisher_exact([[6, 6], [3, 10]]) -> (3.3333333333333335, 0.22619464261677208)
    assert_eq!(f.test, "fisher_exact");
    close(f.p_value, 0.226_194_642_616_772_08);
    let FindingKind::Reason {
        share,
        rest_share,
        odds_ratio,
        ..
    } = f.kind
    else {
        panic!()
    };
    close(share, 0.5);
    close(rest_share, 3.0 / 13.0);
    close(odds_ratio, 10.0 / 3.0);
    assert!(!f.significant);
    assert!(a.insights.is_empty());
}

#[test]
fn an_analysis_of_k_minus_one_people_releases_nothing() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..4)
        .map(|i| record(&q, i, "A", ["pay", "workload"][i % 2], 5, 3))
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    assert_eq!(ds.len(), 4);
    let spec = AnalysisSpec::by(&[
        &[Dimension::OrgUnit],
        &[Dimension::TenureBand],
        &[Dimension::OrgUnit, Dimension::ExitQuarter],
    ]);
    let a = Analysis::run(&ds, Policy::default(), &spec).unwrap();
    assert_eq!(a.overall.n, None);
    assert!(a.overall.primary_reasons.is_empty() && a.overall.enps.is_none());
    for b in &a.breakdowns {
        assert!(
            b.groups
                .iter()
                .all(|g| g.n.is_none() && g.primary_reasons.is_empty())
        );
        assert!(b.reasons.is_empty() && b.items.is_empty());
    }
    assert!(a.findings.is_empty() && a.insights.is_empty());
    assert_eq!(a.audit.released, 0);
}

#[test]
fn bad_specs_are_named() {
    let ds = data();
    let spec = AnalysisSpec {
        confidence: 1.0,
        ..AnalysisSpec::default()
    };
    let e = Analysis::run(&ds, Policy::default(), &spec).unwrap_err();
    assert_eq!(e.field(), Some("confidence"));
    let e = AnalysisSpec::from_json_value(serde_json::json!({"by": [["nope"]]})).unwrap_err();
    assert!(e.to_string().contains("by[0][0]"), "{e}");
    let spec = AnalysisSpec::by(&[&[Dimension::OrgUnit, Dimension::OrgUnit]]);
    let e = Analysis::run(&ds, Policy::default(), &spec).unwrap_err();
    assert_eq!(e.field(), Some("by[0]"));
}

#[test]
fn a_small_planted_pattern_study_finds_plants_and_no_false_insights() {
    // The full study is `cargo run --release --example planted` (200 + 200
    // organisations); this is its small version, with fixed seeds.
    let out = run(&StudyConfig {
        organisations: 6,
        exits: 4_000,
        odds_ratio: 4.0,
        ..StudyConfig::default()
    })
    .unwrap();
    assert!(out.found >= 5, "{out:?}");
    assert_eq!(out.false_alarms, 0, "{out:?}");
}

#[test]
fn trends_follow_the_hand_calculated_cochran_armitage_and_mann_kendall() {
    // Four years of 10 leavers; "pay" is named by 2, 4, 6, 8 of them, the
    // rest split over workload and culture; leadership_support averages
    // rise year on year.
    let q = Questionnaire::standard();
    let mut records = Vec::new();
    for (y, pay) in [(2021, 2), (2022, 4), (2023, 6), (2024, 8)] {
        for j in 0..10 {
            let i = records.len();
            let reason = if j < pay {
                "pay"
            } else if j % 2 == 0 {
                "workload"
            } else {
                "culture"
            };
            let score = u8::try_from((y - 2021) / 2 + 1 + j % 3).unwrap();
            // eNPS varies: a homogeneous distribution would withhold the year.
            let mut r = record(&q, i, "A", reason, [10, 9, 7, 3, 0][j % 5], score);
            r.context.exit_date = Some(format!("{y}-06").parse().unwrap());
            records.push(r);
        }
    }
    let ds = Dataset::from_records(&q, &records).dataset;
    let spec = AnalysisSpec {
        trend: Some(exitcore::analysis::Period::Year),
        ..AnalysisSpec::default()
    };
    let a = Analysis::run(&ds, Policy::default(), &spec).unwrap();
    let t = a.trends.unwrap();
    let labels: Vec<&str> = t.periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2021", "2022", "2023", "2024"]);
    let pay = t.reasons.iter().find(|r| r.option == "pay").unwrap();
    // p = 20/40 = 0.5, scores 0..3 (shift-invariant; 1..4 below):
    // numerator (sum s_i (x_i - n_i p))^2 = (1*-3 + 2*-1 + 3*1 + 4*3)^2 = 10^2 = 100
    // denominator p(1-p) (sum n s^2 - (sum n s)^2 / N) = 0.25 (300 - 100^2/40) = 12.5
    // statistic 8; scipy.stats.chi2.sf(8, 1) = 0.004677734981047266
    close(pay.test.statistic, 8.0);
    close(pay.test.p_value, 0.004_677_734_981_047_266);
    assert!(pay.test.z > 0.0);
    close(pay.first_share, 6.0 / 20.0);
    close(pay.second_share, 14.0 / 20.0);
    // Yearly means of leadership_support: j % 3 over 0..9 adds 0.9 on
    // average, the year adds 1, 1, 2, 2: means 1.9, 1.9, 2.9, 2.9.
    let item = t
        .items
        .iter()
        .find(|i| i.question == "leadership_support")
        .unwrap();
    let means: Vec<f64> = item.means.iter().map(|m| m.unwrap()).collect();
    for (m, e) in means.iter().zip([1.9, 1.9, 2.9, 2.9]) {
        close(*m, e);
    }
    // Mann-Kendall on 1.9, 1.9, 2.9, 2.9: S = 4 (pairs up: 4, ties: 2),
    // var = (4*3*13 - 2*(2*1*9)) / 18 = (156 - 36) / 18 = 6.6667,
    // z = (S - 1) / sqrt(var) = 3 / 2.5820 = 1.1619;
    // scipy.stats.norm.sf(1.161895003862225) * 2 = 0.24528...
    assert_eq!(item.test.s, 4);
    close(item.test.variance, 120.0 / 18.0);
    close(item.test.z, 3.0 / (120.0f64 / 18.0).sqrt());
    // The reason trend is a finding about the whole organisation.
    let f = a
        .findings
        .iter()
        .find(|f| matches!(&f.kind, FindingKind::ReasonTrend { option, .. } if option == "pay"))
        .unwrap();
    assert!(f.key.0.is_empty());
    assert_eq!(f.test, "cochran_armitage");
}

#[test]
fn drivers_correlate_every_likert_item_with_enps_and_would_return() {
    let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
        exits: 3000,
        ..Default::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let a = Analysis::run(&ds, Policy::default(), &AnalysisSpec::default()).unwrap();
    assert_eq!(a.drivers.len(), 20);
    // The generator moves scores, eNPS and "would return" with one latent
    // satisfaction, so every correlation is clearly positive.
    assert!(
        a.drivers
            .iter()
            .all(|d| d.spearman.rho > 0.1 && d.spearman.p_value < 1e-6),
        "{:#?}",
        a.drivers
    );
}

#[test]
fn turnover_rates_match_garwood_and_binomtest() {
    use exitcore::analysis::AnalysisInputs;
    use exitcore::{Headcount, HeadcountRow};
    let ds = data();
    // 2024, four quarters: D/A 40 people, D/B 60, D/C 20 -> 40, 60, 20 person-years.
    let rows = ["A", "B", "C"]
        .iter()
        .zip([40, 60, 20])
        .flat_map(|(team, n)| {
            (1..=4).map(move |q| HeadcountRow {
                org_unit: vec!["D".into(), (*team).into()],
                year: 2024,
                quarter: q,
                headcount: n,
            })
        })
        .collect();
    let headcount = Headcount::new(rows).unwrap();
    let spec = AnalysisSpec {
        min_test_group: 10,
        ..AnalysisSpec::by(&[&[Dimension::OrgUnit]])
    };
    let inputs = AnalysisInputs {
        headcount: Some(&headcount),
        ..AnalysisInputs::default()
    };
    let a = Analysis::run_with(&ds, Policy::default(), &spec, inputs).unwrap();
    let all = a.overall.turnover.as_ref().unwrap();
    // 25 exits over 120 person-years.
    close(all.rate, 25.0 / 120.0);
    // scipy.stats.chi2.ppf(0.025, 50) / 2 / 120, chi2.ppf(0.975, 52) / 2 / 120
    close(all.interval.lower, 0.134_822_348_731_911_07);
    close(all.interval.upper, 0.307_541_097_479_419_7);
    let team_a = a.breakdowns[0]
        .groups
        .iter()
        .find(|g| g.key.to_string() == "org_unit=D/A")
        .unwrap()
        .turnover
        .as_ref()
        .unwrap();
    close(team_a.rate, 12.0 / 40.0);
    close(team_a.rest_rate.unwrap(), 13.0 / 80.0);
    // chi2.ppf(0.025, 24) / 2 / 40, chi2.ppf(0.975, 26) / 2 / 40
    close(team_a.interval.lower, 0.155_014_377_718_055_43);
    close(team_a.interval.upper, 0.524_039_626_204_424);
    // scipy.stats.binomtest(12, 25, 40 / 120).pvalue
    close(team_a.vs_rest.unwrap().p_value, 0.137_993_550_697_987_7);
    let f = a.findings.iter().find(|f| f.test == "rate_ratio").unwrap();
    close(f.p_value, 0.137_993_550_697_987_7);

    // Headcount that misses a quarter with exits is refused.
    let q = Questionnaire::standard();
    let mut r = record(&q, 0, "A", "pay", 5, 3);
    r.context.exit_date = Some("2023-05".parse().unwrap());
    let ds = Dataset::from_records(&q, [r]).dataset;
    let e = Analysis::run_with(&ds, Policy::default(), &spec, inputs).unwrap_err();
    assert_eq!(e.field(), Some("headcount"));
    assert!(e.to_string().contains("2023-Q2"), "{e}");
}

#[test]
fn survival_matches_lifelines_and_stops_before_a_small_interval() {
    use exitcore::Tenure;
    use exitcore::analysis::{AnalysisInputs, Stayer};
    let q = Questionnaire::standard();
    let leavers_a = [2, 2, 4, 5, 5, 7, 8, 10, 14, 20, 30, 40];
    let leavers_b = [1, 3, 3, 6, 9, 9, 11, 18, 25, 50];
    let mut records = Vec::new();
    for (team, months) in [("A", &leavers_a[..]), ("B", &leavers_b[..])] {
        for &m in months {
            let i = records.len();
            let mut r = record(
                &q,
                i,
                team,
                ["pay", "workload", "culture"][i % 3],
                [10, 9, 7, 3, 0][i % 5],
                u8::try_from(i % 5 + 1).unwrap(),
            );
            r.context.tenure = Some(Tenure::months(m));
            records.push(r);
        }
    }
    let ds = Dataset::from_records(&q, &records).dataset;
    let stayer = |team: &str, m: u32| Stayer {
        org_unit: vec!["D".into(), team.into()],
        tenure_months: m,
    };
    let stayers: Vec<Stayer> = [3, 6, 12, 24, 36, 48, 60, 100]
        .iter()
        .map(|&m| stayer("A", m))
        .chain([5, 10, 20, 30, 40].iter().map(|&m| stayer("B", m)))
        .collect();
    let inputs = AnalysisInputs {
        stayers: Some(&stayers),
        ..AnalysisInputs::default()
    };
    let spec = AnalysisSpec::by(&[&[Dimension::OrgUnit]]);
    let a = Analysis::run_with(&ds, Policy::new(2).unwrap(), &spec, inputs).unwrap();
    let s = a.survival.unwrap();
    assert_eq!(s.leavers_used, 22);
    let curve = |name: &str| s.curves.iter().find(|c| c.key.to_string() == name).unwrap();
    // lifelines KaplanMeierFitter().fit(A + B + stayers, events) at 3, 6, ..., 120 months
    // (survival_function_ and confidence_interval_ at the last time <= h).
    let all = curve("(all)");
    let expected = [
        (
            3,
            0.857_142_857_142_857_3,
            0.690_269_383_158_600_2,
            0.937_905_458_624_672_3,
        ),
        (
            6,
            0.737_733_990_147_783_6,
            0.556_018_236_219_313_2,
            0.854_167_224_893_209_7,
        ),
        (
            12,
            0.543_394_857_193_252_2,
            0.358_561_186_080_568_3,
            0.695_797_972_474_106_7,
        ),
        (
            24,
            0.434_715_885_754_601_8,
            0.257_791_861_373_980_1,
            0.599_329_087_304_277_6,
        ),
        (
            36,
            0.347_772_708_603_681_3,
            0.180_409_875_084_833_42,
            0.521_305_275_344_399,
        ),
        (
            60,
            0.193_207_060_335_378_5,
            0.047_507_381_765_835_66,
            0.411_870_843_567_715_9,
        ),
        (
            120,
            0.193_207_060_335_378_5,
            0.047_507_381_765_835_66,
            0.411_870_843_567_715_9,
        ),
    ];
    assert!(!all.truncated);
    assert_eq!(all.points.len(), 7);
    for (p, (h, sv, lo, hi)) in all.points.iter().zip(expected) {
        assert_eq!(p.months, h);
        close(p.survival, sv);
        close(p.interval.lower, lo);
        close(p.interval.upper, hi);
    }
    // Team A: one leaver between 24 and 36 months is a group of one (k = 2),
    // so the curve stops at 24.
    let team_a = curve("org_unit=D/A");
    assert!(team_a.truncated);
    assert_eq!(
        team_a.points.iter().map(|p| p.months).collect::<Vec<_>>(),
        [3, 6, 12, 24]
    );
    close(team_a.points[3].survival, 0.443_438_914_027_149_13);
    close(team_a.points[3].interval.lower, 0.210_248_453_550_639_65);
    // lifelines.statistics.logrank_test(A, B, ...) -> 0.14604473352877737, p 0.702344176216086
    let cmp = s.comparisons.iter().find(|c| c.level == 1).unwrap();
    close(cmp.logrank.statistic, 0.146_044_733_528_777_37);
    close(cmp.logrank.p_value, 0.702_344_176_216_086);
}

#[test]
fn the_synthetic_organisation_supports_turnover_and_survival() {
    use exitcore::Headcount;
    use exitcore::analysis::AnalysisInputs;
    let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
        exits: 3000,
        ..Default::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let headcount = Headcount::new(org.headcount.clone()).unwrap();
    let inputs = AnalysisInputs {
        headcount: Some(&headcount),
        stayers: Some(&org.stayers),
        ..AnalysisInputs::default()
    };
    let spec = AnalysisSpec::by(&[&[Dimension::OrgUnit]]);
    let a = Analysis::run_with(&ds, Policy::default(), &spec, inputs).unwrap();
    let t = a.overall.turnover.as_ref().unwrap();
    close(t.rate, 3000.0 / t.person_years);
    let s = a.survival.as_ref().unwrap();
    assert_eq!(s.leavers_used, 3000);
    let all = &s.curves[0];
    assert!(
        all.points
            .windows(2)
            .all(|w| w[1].survival <= w[0].survival)
    );
    assert!(!s.comparisons.is_empty());
}

#[test]
fn comment_summaries_come_only_from_cells_that_may_show_comments() {
    let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
        exits: 3000,
        ..Default::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let spec = AnalysisSpec::by(&[&[Dimension::OrgUnit]]);
    let a = Analysis::run(&ds, Policy::default(), &spec).unwrap();
    assert!(a.comments.len() > 10);
    let released: std::collections::HashMap<String, u64> = a.breakdowns[0]
        .groups
        .iter()
        .chain([&a.overall])
        .filter_map(|g| g.n.map(|n| (g.key.to_string(), n)))
        .collect();
    for c in &a.comments {
        // Comment cells are released cells of at least the comment threshold.
        assert!(released[&c.key.to_string()] >= 10, "{}", c.key);
        assert!(c.words.iter().all(|w| w.comments >= 3));
    }
    let off = AnalysisSpec {
        comments: false,
        ..spec
    };
    assert!(
        Analysis::run(&ds, Policy::default(), &off)
            .unwrap()
            .comments
            .is_empty()
    );
}

#[test]
fn monthly_trends_label_and_order_the_months() {
    let q = Questionnaire::standard();
    let records: Vec<ExitRecord> = (0..60)
        .map(|i| {
            let mut r = record(
                &q,
                i,
                ["A", "B"][i % 2],
                ["pay", "workload", "culture"][i % 3],
                [10, 9, 7, 3, 0][i % 5],
                u8::try_from(i % 5 + 1).unwrap(),
            );
            // Ten consecutive leavers a month, so answers vary within each month.
            r.context.exit_date = Some(format!("2024-{:02}-10", i / 10 + 1).parse().unwrap());
            r
        })
        .collect();
    let ds = Dataset::from_records(&q, &records).dataset;
    let spec = AnalysisSpec {
        trend: Some(exitcore::analysis::Period::Month),
        ..AnalysisSpec::default()
    };
    let t = Analysis::run(&ds, Policy::default(), &spec)
        .unwrap()
        .trends
        .unwrap();
    let labels: Vec<&str> = t.periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"
        ]
    );
    assert!(t.periods.iter().all(|p| p.n == Some(10)));
}

/// Spearman's rho written out on the raw pairs: average ranks of each
/// side, then Pearson's correlation of the ranks.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn spearman_of_pairs(pairs: &[(f64, f64)]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut out = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            // Positions i..=j (0-based) share the mean of ranks i+1..=j+1.
            let mean = (i + j) as f64 / 2.0 + 1.0;
            for &k in &order[i..=j] {
                out[k] = mean;
            }
            i = j + 1;
        }
        out
    }
    let x = ranks(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let y = ranks(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(&y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

#[test]
fn drivers_equal_spearman_on_the_raw_answer_pairs() {
    let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
        exits: 4000,
        seed: 11,
        ..Default::default()
    })
    .unwrap();
    let mut records = org.records.clone();
    // Unanswered targets and items, differently per target, so a record
    // counts for one target's table and not the other's.
    for (i, r) in records.iter_mut().enumerate() {
        if i % 5 == 0 {
            r.answers.remove("enps");
        }
        if i % 3 == 1 {
            r.answers.remove("would_return");
        }
        if i % 7 == 2 {
            let first = r
                .answers
                .keys()
                .find(|k| k.starts_with("leadership"))
                .cloned();
            if let Some(k) = first {
                r.answers.remove(&k);
            }
        }
    }
    // Both targets optional, so records lack one, the other or both.
    let mut questionnaire = org.questionnaire.clone();
    for q in &mut questionnaire.questions {
        if q.id == "enps" || q.id == "would_return" {
            q.required = false;
        }
    }
    // Where a removed answer was required, the record is not valid: the
    // pairs come from the records the data set keeps.
    records.retain(|r| Dataset::from_records(&questionnaire, [r]).rejected == 0);
    assert!(records.len() > 3000, "{}", records.len());
    let ds = Dataset::from_records(&questionnaire, &records).dataset;
    assert_eq!(ds.len(), records.len());
    let a = Analysis::run(&ds, Policy::default(), &AnalysisSpec::default()).unwrap();
    assert_eq!(a.drivers.len(), 20);
    let value = |x: &exitcore::Answer| match x {
        exitcore::Answer::Number(v) => i32::try_from(*v).ok().map(f64::from),
        exitcore::Answer::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    for d in &a.drivers {
        let pairs: Vec<(f64, f64)> = records
            .iter()
            .filter_map(|r| {
                Some((
                    value(r.answers.get(&d.question)?)?,
                    value(r.answers.get(d.target)?)?,
                ))
            })
            .collect();
        assert_eq!(
            d.spearman.n,
            pairs.len() as u64,
            "{} x {}",
            d.question,
            d.target
        );
        let rho = spearman_of_pairs(&pairs);
        assert!(
            (d.spearman.rho - rho).abs() < 1e-12,
            "{} x {}: {} vs {rho}",
            d.question,
            d.target,
            d.spearman.rho
        );
    }
}

/// Insights and drivers can be left out: they come back empty and every
/// other part of the analysis is what the full analysis gives.
#[test]
fn insights_and_drivers_can_be_left_out() {
    let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
        exits: 3_000,
        ..exitcore::synthetic::OrgConfig::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let full_spec = AnalysisSpec {
        trend: Some(exitcore::analysis::Period::Quarter),
        comments: false,
        ..AnalysisSpec::by(&[&[Dimension::OrgUnit]])
    };
    let full = Analysis::run(&ds, Policy::default(), &full_spec).unwrap();
    assert!(!full.insights.is_empty() && !full.drivers.is_empty());
    let spec: AnalysisSpec = serde_json::from_value(serde_json::json!({
        "by": [["org_unit"]], "trend": "quarter", "comments": false,
        "insights": false, "drivers": false
    }))
    .unwrap();
    let lean = Analysis::run(&ds, Policy::default(), &spec).unwrap();
    assert!(lean.insights.is_empty() && lean.drivers.is_empty());
    let without = Analysis {
        insights: Vec::new(),
        drivers: Vec::new(),
        ..full
    };
    assert_eq!(lean, without);
}
