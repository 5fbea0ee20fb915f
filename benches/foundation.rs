//! Benches for the foundation: CSV import with a mapping and dataset build.
//!
//! `cargo bench -p exitcore --bench foundation`

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Dataset, ImportOptions, Mapping};

fn tafe(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let csv = std::fs::read(root.join("../shared/data/tafe_survey.csv")).unwrap();
    let mapping = Mapping::from_path(root.join("examples/mappings/tafe.json")).unwrap();
    let mut g = c.benchmark_group("import");
    g.throughput(Throughput::Bytes(csv.len() as u64));
    g.bench_function("tafe_csv", |b| {
        b.iter(|| mapping.import_csv(&csv, &ImportOptions::default()).unwrap());
    });
    g.finish();
}

fn dataset_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("dataset_build");
    g.sample_size(10);
    for exits in [10_000usize, 100_000] {
        let org = generate(&OrgConfig {
            exits,
            ..OrgConfig::default()
        })
        .unwrap();
        g.throughput(Throughput::Elements(exits as u64));
        g.bench_with_input(BenchmarkId::from_parameter(exits), &org, |b, org| {
            b.iter(|| Dataset::from_records(&org.questionnaire, &org.records));
        });
    }
    g.finish();
}

fn release_decide(c: &mut Criterion) {
    use exitcore::privacy::{Dimension, Policy, ReleasePlan};
    let mut g = c.benchmark_group("release_decide");
    g.sample_size(10);
    let org = generate(&OrgConfig {
        exits: 100_000,
        ..OrgConfig::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let shapes: [(&str, Vec<Vec<Dimension>>); 2] = [
        (
            "org_x_tenure",
            vec![
                vec![Dimension::OrgUnit],
                vec![Dimension::TenureBand],
                vec![Dimension::OrgUnit, Dimension::TenureBand],
            ],
        ),
        (
            "org_x_quarter",
            vec![
                vec![Dimension::OrgUnit],
                vec![Dimension::ExitQuarter],
                vec![Dimension::OrgUnit, Dimension::ExitQuarter],
            ],
        ),
    ];
    for (name, tables) in shapes {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut plan = ReleasePlan::new(&ds, Policy::default());
                for t in &tables {
                    plan = plan.table(t).unwrap();
                }
                plan.distribution("primary_reason").unwrap().decide()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, tafe, dataset_build, release_decide);
criterion_main!(benches);
