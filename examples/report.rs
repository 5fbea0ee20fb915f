//! The main job: exit interviews in, an anonymised report out.
//!
//! ```text
//! cargo run --release --example report        # the synthetic organisation -> report.html
//! cargo run --release --example report -- --data FILE.csv --mapping MAPPING.json \
//!     [--headcount FILE] [--k N] [--lang nl|en] [--out FILE] [--format html|md|json]
//! ```
//!
//! Also: `--exits N` and `--seed N` size the synthetic organisation;
//! `--key-env VAR` pseudonymises ids with the key in environment variable VAR.
//! `--headcount` reads a CSV with columns `org_unit` (path with `/`),
//! `year`, `quarter`, `headcount`, or the same rows as a JSON list. Progress
//! goes to stderr: on a terminal a live line per stage (spinner and elapsed
//! time), elsewhere (CI logs, files) one plain line per stage with its time.
//! Every user error ends with exit code 2 and one line.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use exitcore::analysis::Stayer;
use exitcore::privacy::Policy;
use exitcore::report::{Report, ReportOptions};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Dataset, Headcount, ImportOptions, Lang, Loaded, Mapping, Pseudonymiser};

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Html,
    Markdown,
    Json,
}

struct Args {
    data: Option<String>,
    mapping: Option<String>,
    headcount: Option<String>,
    k: u32,
    lang: Lang,
    out: Option<String>,
    format: Format,
    exits: usize,
    seed: u64,
    key_env: Option<String>,
}

const USAGE: &str = "usage: report [--data FILE --mapping FILE] [--headcount FILE] [--k N] [--lang nl|en] [--out FILE] [--format html|md|json] [--exits N] [--seed N] [--key-env VAR]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: None,
        mapping: None,
        headcount: None,
        k: Policy::DEFAULT_K,
        lang: Lang::En,
        out: None,
        format: Format::Html,
        exits: 10_000,
        seed: 42,
        key_env: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name} expects a whole number, got {v:?}"))
        };
        match flag.as_str() {
            "--data" => args.data = Some(value("--data")?),
            "--mapping" => args.mapping = Some(value("--mapping")?),
            "--headcount" => args.headcount = Some(value("--headcount")?),
            "--out" => args.out = Some(value("--out")?),
            "--key-env" => args.key_env = Some(value("--key-env")?),
            "--k" => {
                let v = value("--k")?;
                args.k =
                    u32::try_from(number("--k", v)?).map_err(|_| "--k is too large".to_owned())?;
            }
            "--exits" => {
                let v = value("--exits")?;
                args.exits = usize::try_from(number("--exits", v)?)
                    .map_err(|_| "--exits is too large".to_owned())?;
            }
            "--seed" => {
                let v = value("--seed")?;
                args.seed = number("--seed", v)?;
            }
            "--lang" => {
                args.lang = match value("--lang")?.as_str() {
                    "nl" => Lang::Nl,
                    "en" => Lang::En,
                    other => return Err(format!("--lang is nl or en, got {other:?}")),
                }
            }
            "--format" => {
                args.format = match value("--format")?.as_str() {
                    "html" => Format::Html,
                    "md" | "markdown" => Format::Markdown,
                    "json" => Format::Json,
                    other => return Err(format!("--format is html, md or json, got {other:?}")),
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    if args.data.is_some() != args.mapping.is_some() {
        return Err("--data and --mapping go together".into());
    }
    Ok(args)
}

/// Stage messages on stderr, with the time each took.
///
/// When stderr is a terminal, a running stage is one line redrawn every
/// 100 ms by a thread (a spinner, the stage and its elapsed time), replaced
/// by the stage's result when it is done; otherwise (a CI log, a file) the
/// stage's name is written when it starts and its result when it ends, with
/// no control characters.
struct Progress {
    started: Instant,
    stage: Instant,
    what: String,
    live: bool,
    ticker: Option<Ticker>,
}

/// The thread that redraws the running stage's line.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Progress {
            started: now,
            stage: now,
            what: String::new(),
            live: std::io::stderr().is_terminal(),
            ticker: None,
        }
    }

    fn start(&mut self, what: &str) {
        self.stop();
        self.stage = Instant::now();
        what.clone_into(&mut self.what);
        if !self.live {
            eprint!("{what} ... ");
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, what, since) = (Arc::clone(&stop), what.to_owned(), self.stage);
        let thread = thread::spawn(move || {
            const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
            let mut frame = 0;
            while !flag.load(Ordering::Relaxed) {
                let mut err = std::io::stderr().lock();
                // \r to the line's start, \x1b[K clears what is left of it.
                let _ = write!(
                    err,
                    "\r{} {what} {:.1} s\x1b[K",
                    FRAMES[frame % FRAMES.len()],
                    since.elapsed().as_secs_f64()
                );
                let _ = err.flush();
                drop(err);
                frame += 1;
                thread::park_timeout(Duration::from_millis(100));
            }
        });
        self.ticker = Some(Ticker { stop, thread });
    }

    fn done(&mut self, detail: &str) {
        let seconds = self.stage.elapsed().as_secs_f64();
        if self.stop() {
            eprint!("{} ... ", self.what);
        }
        eprintln!("{detail} ({seconds:.2} s)");
    }

    /// Stops the live line, if any, and clears it; whether there was one.
    fn stop(&mut self) -> bool {
        let Some(ticker) = self.ticker.take() else {
            return false;
        };
        ticker.stop.store(true, Ordering::Relaxed);
        ticker.thread.thread().unpark();
        let _ = ticker.thread.join();
        eprint!("\r\x1b[K");
        true
    }
}

impl Drop for Progress {
    /// A stage cut short by an error leaves its plain line for the error
    /// message to end, as without a terminal.
    fn drop(&mut self) {
        if self.stop() {
            eprint!("{} ... ", self.what);
        }
    }
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

fn read_headcount(path: &str) -> Result<Headcount, String> {
    Headcount::from_path(path).map_err(|e| format!("{path}: {e}"))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let policy = Policy::new(args.k).map_err(|e| e.to_string())?;
    let mut progress = Progress::new();
    let mut headcount = match &args.headcount {
        Some(path) => Some(read_headcount(path)?),
        None => None,
    };
    let mut stayers: Option<Vec<Stayer>> = None;
    let (source, loaded): (String, Loaded) =
        if let (Some(data), Some(mapping)) = (&args.data, &args.mapping) {
            progress.start(&format!("importing {data}"));
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
            progress.done(&format!(
                "{} of {} rows",
                out.summary.imported, out.summary.rows
            ));
            (data.clone(), out.loaded)
        } else {
            progress.start(&format!(
                "generating a synthetic organisation of {} exits",
                args.exits
            ));
            let org = generate(&OrgConfig {
                exits: args.exits,
                seed: args.seed,
                ..OrgConfig::default()
            })
            .map_err(|e| e.to_string())?;
            if headcount.is_none() {
                headcount = Some(Headcount::new(org.headcount.clone()).map_err(|e| e.to_string())?);
            }
            stayers = Some(org.stayers.clone());
            let loaded = Dataset::from_records(&org.questionnaire, &org.records);
            progress.done("done");
            (
                format!("synthetic organisation (seed {})", args.seed),
                loaded,
            )
        };
    for p in loaded.problems.iter().take(5) {
        eprintln!("  rejected: {p}");
    }
    if loaded.problems.len() > 5 {
        eprintln!("  ... and {} more rejected", loaded.problems.len() - 5);
    }
    progress.start("analysing");
    let options = ReportOptions {
        lang: args.lang,
        policy,
        headcount: headcount.as_ref(),
        stayers: stayers.as_deref(),
        ..ReportOptions::default()
    };
    let report = Report::build(&loaded.dataset, &options).map_err(|e| e.to_string())?;
    progress.done(&format!(
        "{} groups, {} shown, {} findings",
        report.analysis.audit.cells,
        report.analysis.audit.released,
        report.analysis.insights.len()
    ));
    let default_out = match args.format {
        Format::Html => "report.html",
        Format::Markdown => "report.md",
        Format::Json => "report.json",
    };
    let out = args.out.as_deref().unwrap_or(default_out);
    progress.start(&format!("writing {out}"));
    let body = match args.format {
        Format::Html => report.to_html(),
        Format::Markdown => report.to_markdown(),
        Format::Json => report.to_json().map_err(|e| e.to_string())?,
    };
    std::fs::write(out, &body).map_err(|e| format!("cannot write {out}: {e}"))?;
    progress.done(&format!("{} kB", body.len().div_ceil(1000)));

    println!("exitcore report: {source}");
    println!(
        "  {} exit interviews, {} rejected; groups under k = {} withheld",
        loaded.dataset.len(),
        loaded.rejected,
        policy.k()
    );
    let top: Vec<&str> = report
        .analysis
        .insights
        .iter()
        .take(5)
        .map(|i| i.text(args.lang))
        .collect();
    if top.is_empty() {
        println!("  no finding stands out from chance");
    }
    for line in top {
        println!("  - {line}");
    }
    println!(
        "  written to {out} in {:.2} s",
        progress.started.elapsed().as_secs_f64()
    );
    println!("{} records imported", loaded.dataset.len());
    Ok(())
}
