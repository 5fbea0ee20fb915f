//! How the release decision (k rule, homogeneity and secondary suppression
//! over all tables at once) scales with the number of cells: release plans
//! of about 200, 2,000 and 20,000 cells on the synthetic organisation.
//!
//! ```text
//! cargo bench -p exitcore --bench suppression
//! EXITCORE_BENCH_SUPPRESSION_RECORDS=10000 cargo bench -p exitcore --bench suppression
//! ```
//!
//! The data set has `EXITCORE_BENCH_SUPPRESSION_RECORDS` records (default
//! 100,000). The plans, with their cell counts (the tables listed plus the
//! whole organisation; no margins are added) printed at the start:
//! - `cells_200`: org unit (225 units on 3 levels): 226 cells;
//! - `cells_2000`: org unit x tenure band and org unit x exit type: 2,251;
//! - `cells_20000`: manager x tenure band and manager x exit type: 20,001.
//!
//! No distributions are added, so only the size rule and secondary
//! suppression decide. Plans of more than `EXITCORE_BENCH_SUPPRESSION_MAX`
//! cells (default 20,000, so all three) are timed once instead of by
//! criterion, for quick runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use exitcore::Dataset;
use exitcore::privacy::{Dimension, Policy, ReleasePlan};
use exitcore::synthetic::{OrgConfig, generate};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| {
        v.trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {v:?} is not a whole number"))
    })
}

/// Nanoseconds this thread has spent on a CPU (0 where
/// `/proc/thread-self/schedstat` is missing): on a busy machine, the time a
/// decision would take on a quiet one.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn plan<'a>(ds: &'a Dataset, tables: &[&[Dimension]]) -> ReleasePlan<'a> {
    let mut plan = ReleasePlan::new(ds, Policy::default());
    for t in tables {
        plan = plan.table(t).unwrap();
    }
    plan
}

fn suppression(c: &mut Criterion) {
    let records = env_usize("EXITCORE_BENCH_SUPPRESSION_RECORDS", 100_000);
    let max = env_usize("EXITCORE_BENCH_SUPPRESSION_MAX", 20_000);
    let org = generate(&OrgConfig {
        exits: records,
        ..OrgConfig::default()
    })
    .unwrap();
    let ds = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let shapes: [(&str, usize, Vec<&[Dimension]>); 3] = [
        ("cells_200", 200, vec![&[Dimension::OrgUnit]]),
        (
            "cells_2000",
            2_000,
            vec![
                &[Dimension::OrgUnit, Dimension::TenureBand],
                &[Dimension::OrgUnit, Dimension::ExitType],
            ],
        ),
        (
            "cells_20000",
            20_000,
            vec![
                &[Dimension::Manager, Dimension::TenureBand],
                &[Dimension::Manager, Dimension::ExitType],
            ],
        ),
    ];
    let mut g = c.benchmark_group("suppression_scaling");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    for (name, nominal, tables) in &shapes {
        let p = plan(&ds, tables);
        let (start, cpu) = (std::time::Instant::now(), cpu_ns());
        let release = p.decide();
        #[allow(clippy::cast_precision_loss)]
        let cpu = cpu_ns().saturating_sub(cpu) as f64 / 1e9;
        let withheld = release.audit.cells - release.audit.released;
        eprintln!(
            "{name}: {records} records, {} cells ({} released, {withheld} withheld); one decision took {:.3} s wall, {cpu:.3} s cpu",
            release.audit.cells,
            release.audit.released,
            start.elapsed().as_secs_f64()
        );
        if *nominal > max {
            eprintln!("{name}: timed once only (over EXITCORE_BENCH_SUPPRESSION_MAX={max})");
            continue;
        }
        g.bench_function(BenchmarkId::new(*name, release.audit.cells), |b| {
            b.iter(|| p.decide());
        });
    }
    g.finish();
}

criterion_group!(benches, suppression);
criterion_main!(benches);
