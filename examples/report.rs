//! The main job: data in, a validated and summarised dataset out.
//!
//! ```text
//! cargo run --release --example report                       # the built-in synthetic organisation
//! cargo run --release --example report -- --data FILE.csv --mapping MAPPING.json
//! ```
//!
//! Options: `--exits N` and `--seed N` size the synthetic organisation;
//! `--key-env VAR` pseudonymises ids with the key in environment variable VAR;
//! `--json` prints the summary as JSON. Every user error ends with exit
//! code 2 and a one-line message.

use std::process::ExitCode;
use std::time::Instant;

use exitcore::import::{ColumnStatus, ImportSummary};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Dataset, ImportOptions, Loaded, Mapping, Pseudonymiser};

#[derive(Default)]
struct Args {
    data: Option<String>,
    mapping: Option<String>,
    exits: Option<usize>,
    seed: Option<u64>,
    key_env: Option<String>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--data" => args.data = Some(value("--data")?),
            "--mapping" => args.mapping = Some(value("--mapping")?),
            "--exits" => {
                let v = value("--exits")?;
                args.exits = Some(
                    v.parse()
                        .map_err(|_| format!("--exits expects a whole number, got {v:?}"))?,
                );
            }
            "--seed" => {
                let v = value("--seed")?;
                args.seed = Some(
                    v.parse()
                        .map_err(|_| format!("--seed expects a whole number, got {v:?}"))?,
                );
            }
            "--key-env" => args.key_env = Some(value("--key-env")?),
            "--json" => args.json = true,
            "-h" | "--help" => {
                return Err("usage: report [--data FILE --mapping FILE] [--key-env VAR] [--exits N] [--seed N] [--json]".into());
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    if args.data.is_some() != args.mapping.is_some() {
        return Err("--data and --mapping go together".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let started = Instant::now();
    let (source, loaded, import) = if let (Some(data), Some(mapping)) = (&args.data, &args.mapping)
    {
        let mapping = Mapping::from_path(mapping).map_err(|e| e.to_string())?;
        let pseudonymiser = match &args.key_env {
            None => None,
            Some(var) => {
                let key = std::env::var(var)
                    .map_err(|_| format!("environment variable {var} is not set"))?;
                Some(Pseudonymiser::new(key.as_bytes()).map_err(|e| e.to_string())?)
            }
        };
        let out = mapping
            .import_path(data, &ImportOptions { pseudonymiser })
            .map_err(|e| e.to_string())?;
        (data.clone(), out.loaded, Some(out.summary))
    } else {
        let config = OrgConfig {
            exits: args.exits.unwrap_or(10_000),
            seed: args.seed.unwrap_or(42),
            ..OrgConfig::default()
        };
        let org = generate(&config).map_err(|e| e.to_string())?;
        let loaded = Dataset::from_records(&org.questionnaire, &org.records);
        (
            format!(
                "synthetic organisation (seed {}, {} exits)",
                config.seed, config.exits
            ),
            loaded,
            None,
        )
    };
    let elapsed = started.elapsed();
    if args.json {
        let doc = serde_json::json!({
            "source": source,
            "dataset": loaded.dataset.summary(),
            "rejected": loaded.rejected,
            "problems": loaded.problems,
            "import": import,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    print_summary(&source, &loaded, import.as_ref(), elapsed);
    Ok(())
}

fn print_summary(
    source: &str,
    loaded: &Loaded,
    import: Option<&ImportSummary>,
    elapsed: std::time::Duration,
) {
    let s = loaded.dataset.summary();
    println!("exitcore report: {source}");
    println!(
        "  questionnaire   {}@{} ({} questions)",
        s.questionnaire, s.version, s.questions
    );
    if let Some(i) = import {
        let count = |st: ColumnStatus| i.columns.iter().filter(|c| c.status == st).count();
        println!(
            "  columns         {} mapped, {} ignored, {} unmapped",
            count(ColumnStatus::Mapped),
            count(ColumnStatus::Ignored),
            count(ColumnStatus::Unmapped)
        );
        for c in i
            .columns
            .iter()
            .filter(|c| c.status == ColumnStatus::Unmapped)
        {
            println!(
                "    unmapped: {:?} ({} values not imported)",
                c.column, c.filled
            );
        }
        for c in i.columns.iter().filter(|c| c.unrecognised > 0) {
            println!("    {:?}: {} unrecognised values", c.column, c.unrecognised);
        }
        println!("  rows            {} read", i.rows);
    }
    println!(
        "  records         {} imported, {} rejected",
        s.records, loaded.rejected
    );
    println!(
        "  org tree        {} units over {} levels; {} job families, {} managers, {} locations",
        s.org_units, s.org_levels, s.job_families, s.managers, s.locations
    );
    if loaded.problems.is_empty() {
        println!("  problems        none");
    } else {
        println!("  problems        {}", loaded.problems.len());
        for p in loaded.problems.iter().take(10) {
            println!("    {p}");
        }
        if loaded.problems.len() > 10 {
            println!(
                "    ... and {} more (use --json for all)",
                loaded.problems.len() - 10
            );
        }
    }
    println!("  time            {:.1} ms", elapsed.as_secs_f64() * 1000.0);
    println!("{} records imported", s.records);
}
