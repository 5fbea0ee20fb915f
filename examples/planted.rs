//! The planted-pattern study: on seeded synthetic organisations, how often
//! do the insights find a planted pattern (recall), and how often do they
//! report a pattern in organisations without one (false insight rate)?
//!
//! `cargo run --release --example planted [-- --organisations N --exits N --odds-ratio X]`

use exitcore::analysis::study::{StudyConfig, run};

fn main() {
    let mut config = StudyConfig::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).map_or("", String::as_str);
        let ok = match args[i].as_str() {
            "--organisations" => value.parse().map(|v| config.organisations = v).is_ok(),
            "--exits" => value.parse().map(|v| config.exits = v).is_ok(),
            "--odds-ratio" => value.parse().map(|v| config.odds_ratio = v).is_ok(),
            "--seed" => value.parse().map(|v| config.seed = v).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("error: unknown or malformed argument {:?}", args[i]);
            std::process::exit(2);
        }
        i += 2;
    }
    eprintln!(
        "{} planted and {} null organisations of {} exits; plant: odds x{} for one reason named by at least {:.0}% in one department of at least {} leavers",
        config.organisations,
        config.organisations,
        config.exits,
        config.odds_ratio,
        100.0 * config.min_base_share,
        config.min_group
    );
    match run(&config) {
        Ok(out) => {
            println!(
                "found {} of {} plants (mean department size {:.0}); false insights in {} of {} null organisations",
                out.found, out.organisations, out.mean_group, out.false_alarms, out.organisations
            );
            println!(
                "recall={:.3} false_insight_rate={:.3} organisations={}",
                out.recall, out.false_insight_rate, out.organisations
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
