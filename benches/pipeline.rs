//! Benches of the report pipeline on the synthetic organisation of the
//! design (200 teams, 20 job families, 2,000 managers, 40 quarters), per
//! size: CSV import with a mapping, dataset build from records, the release
//! decision, the analysis with and without breakdowns, trend and comments,
//! the comment summaries, the full `Report::build` (with headcount and
//! current staff, so turnover and survival are in) and its rendering.
//! Survival has no entry point of its own: `examples/stages.rs` shows it as
//! the difference between the analysis with and without headcount and staff.
//!
//! ```text
//! cargo bench -p exitcore --bench pipeline
//! EXITCORE_BENCH_SIZES=10000,100000,1000000 cargo bench -p exitcore --bench pipeline
//! EXITCORE_BENCH_SIZES=1000000 EXITCORE_BENCH_SLOW_MAX=1000000 cargo bench -p exitcore --bench pipeline -- report_build
//! cargo bench -p exitcore --bench pipeline -- --test     # every bench once, as a smoke test
//! ```
//!
//! `EXITCORE_BENCH_SIZES` (default `10000,100000`) lists the record counts.
//! Stages that take seconds per run at 1M records (release decision,
//! analyses, comments, report) only run up to `EXITCORE_BENCH_SLOW_MAX`
//! records (default 100,000): criterion runs every bench at least eleven
//! times, so 1M records (opt in through the variables) take many minutes;
//! the CSV import alone takes about 40 s per run there today.
//! `examples/stages.rs` times every stage once at any size instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use exitcore::analysis::{Analysis, AnalysisInputs, AnalysisSpec, Period, comments};
use exitcore::privacy::{Dimension, Policy, Redactor, ReleasePlan};
use exitcore::report::{Report, ReportOptions};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Dataset, Headcount, ImportOptions, Lang, QuestionKind, Role};

fn env_sizes(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_owned())
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: {s:?} is not a whole number"))
        })
        .collect()
}

/// The release plan `Report::build` decides with the default options: the
/// four default breakdowns, the quarter trend and every analysed question.
fn report_plan<'a>(ds: &'a Dataset, by: &[Vec<Dimension>], policy: Policy) -> ReleasePlan<'a> {
    let mut plan = ReleasePlan::new(ds, policy);
    for t in by {
        plan = plan.table(t).unwrap();
    }
    plan = plan.table(&[Dimension::ExitQuarter]).unwrap();
    for q in &ds.questionnaire().questions {
        let analysed = matches!(
            q.role,
            Some(Role::PrimaryReason | Role::ContributingReasons | Role::Enps)
        ) || matches!(q.kind, QuestionKind::Likert { .. });
        if analysed {
            plan = plan.distribution(&q.id).unwrap();
        }
    }
    plan
}

const FOUR: [&[Dimension]; 4] = [
    &[Dimension::OrgUnit],
    &[Dimension::TenureBand],
    &[Dimension::JobFamily],
    &[Dimension::ExitType],
];

fn spec(by: &[&[Dimension]], trend: bool, comments: bool) -> AnalysisSpec {
    AnalysisSpec {
        trend: trend.then_some(Period::Quarter),
        comments,
        ..AnalysisSpec::by(by)
    }
}

#[allow(clippy::too_many_lines)]
fn pipeline(c: &mut Criterion) {
    let slow_max = env_sizes("EXITCORE_BENCH_SLOW_MAX", "100000")
        .first()
        .copied()
        .unwrap_or(100_000);
    for n in env_sizes("EXITCORE_BENCH_SIZES", "10000,100000") {
        let org = generate(&OrgConfig {
            exits: n,
            ..OrgConfig::default()
        })
        .unwrap();
        let id = BenchmarkId::from_parameter(n);
        let elements = Throughput::Elements(n as u64);

        // CSV import with the mapping of the synthetic export.
        {
            let csv = org.to_csv().unwrap();
            let mapping = org.csv_mapping().unwrap();
            eprintln!("{n} records: CSV export of {} bytes", csv.len());
            let mut g = c.benchmark_group("import_csv_mapping");
            g.sample_size(10).measurement_time(Duration::from_secs(3));
            g.throughput(Throughput::Bytes(csv.len() as u64));
            g.bench_function(id.clone(), |b| {
                b.iter(|| {
                    mapping
                        .import_csv(csv.as_bytes(), &ImportOptions::default())
                        .unwrap()
                });
            });
            g.finish();
        }

        {
            let mut g = c.benchmark_group("dataset_from_records");
            g.sample_size(10).measurement_time(Duration::from_secs(3));
            g.throughput(elements.clone());
            g.bench_function(id.clone(), |b| {
                b.iter(|| Dataset::from_records(&org.questionnaire, &org.records));
            });
            g.finish();
        }

        if n > slow_max {
            eprintln!(
                "{n} records: release, analysis, comments and report skipped (over EXITCORE_BENCH_SLOW_MAX={slow_max}); see examples/stages.rs"
            );
            continue;
        }
        let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let headcount = Headcount::new(org.headcount.clone()).unwrap();
        let options = ReportOptions {
            headcount: Some(&headcount),
            stayers: Some(&org.stayers),
            ..ReportOptions::default()
        };
        let policy = Policy::default();

        let release = {
            let plan = report_plan(&ds, &options.by, policy);
            let release = plan.decide();
            eprintln!(
                "{n} records: the report's release has {} cells, {} released",
                release.audit.cells, release.audit.released
            );
            let mut g = c.benchmark_group("release_decide_report_plan");
            g.sample_size(10).measurement_time(Duration::from_secs(5));
            g.bench_function(id.clone(), |b| b.iter(|| plan.decide()));
            g.finish();
            release
        };

        {
            let mut g = c.benchmark_group("analysis");
            g.sample_size(10).measurement_time(Duration::from_secs(5));
            let none = AnalysisInputs::default();
            let cases = [
                ("overall_only", spec(&[], false, false)),
                (
                    "org_unit_quarter_no_comments",
                    spec(&[&[Dimension::OrgUnit]], true, false),
                ),
                (
                    "four_breakdowns_quarter_no_comments",
                    spec(&FOUR, true, false),
                ),
                ("four_breakdowns_quarter_comments", spec(&FOUR, true, true)),
            ];
            for (name, s) in &cases {
                g.bench_function(BenchmarkId::new(*name, n), |b| {
                    b.iter(|| Analysis::run_with(&ds, policy, s, none).unwrap());
                });
            }
            g.finish();
        }

        {
            let texts: Vec<&str> = ds
                .questionnaire()
                .questions
                .iter()
                .filter(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
                .map(|q| q.id.as_str())
                .collect();
            let redactor = Redactor::new(Vec::<String>::new()).unwrap();
            let mut g = c.benchmark_group("comments_summarise");
            g.sample_size(10).measurement_time(Duration::from_secs(5));
            g.bench_function(id.clone(), |b| {
                b.iter(|| comments::summarise(&ds, &release, &texts, &redactor, Lang::En).unwrap());
            });
            g.finish();
        }

        {
            let mut g = c.benchmark_group("report_build");
            g.sample_size(10).measurement_time(Duration::from_secs(5));
            g.bench_function(id.clone(), |b| {
                b.iter(|| Report::build(&ds, &options).unwrap());
            });
            g.finish();
            let report = Report::build(&ds, &options).unwrap();
            let mut g = c.benchmark_group("report_render");
            g.sample_size(10).measurement_time(Duration::from_secs(2));
            g.bench_function(BenchmarkId::new("json", n), |b| {
                b.iter(|| report.to_json().unwrap());
            });
            g.bench_function(BenchmarkId::new("html", n), |b| b.iter(|| report.to_html()));
            g.bench_function(BenchmarkId::new("markdown", n), |b| {
                b.iter(|| report.to_markdown());
            });
            g.finish();
        }
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
