//! Runs the analysis core of `benches/compare_pandas.py` on the synthetic
//! organisation (by org unit, quarter trend, comments off; with `full`,
//! the insights and drivers as well) and prints the calls' least and
//! median wall time. Its use is timing the analysis beside
//! another build, and counting its instructions, which this VM's noise
//! does not move: (calls 4 - calls 1) / 3 is a warm call's count.
//!
//! ```text
//! cargo build --release --example analyse
//! valgrind --tool=callgrind target/release/examples/analyse 100000 1
//! valgrind --tool=callgrind target/release/examples/analyse 100000 4
//! ```
//!
//! Arguments: records (default 100,000), calls (default 1) and `full`.

use exitcore::Dataset;
use exitcore::analysis::{Analysis, AnalysisSpec, Period};
use exitcore::privacy::{Dimension, Policy};
use exitcore::synthetic::{OrgConfig, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let records: usize = args.first().map_or(Ok(100_000), |a| a.parse())?;
    let calls: usize = args.get(1).map_or(Ok(1), |a| a.parse())?;
    let full = args.get(2).is_some_and(|a| a == "full");
    let org = generate(&OrgConfig {
        exits: records,
        seed: 42,
        ..OrgConfig::default()
    })?;
    let dataset = Dataset::from_records(&org.questionnaire, &org.records).dataset;
    let spec = AnalysisSpec {
        trend: Some(Period::Quarter),
        comments: false,
        insights: full,
        drivers: full,
        ..AnalysisSpec::by(&[&[Dimension::OrgUnit]])
    };
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = std::time::Instant::now();
        let analysis = Analysis::run(&dataset, Policy::default(), &spec)?;
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(&analysis);
    }
    times.sort_by(f64::total_cmp);
    if let (Some(min), Some(median)) = (times.first(), times.get(times.len() / 2)) {
        println!(
            "{records} records, {calls} calls: min {:.2} ms, median {:.2} ms",
            min * 1e3,
            median * 1e3
        );
    }
    Ok(())
}
