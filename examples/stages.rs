//! One-shot timing of every stage of the report pipeline on the synthetic
//! organisation, per size, with the data set's memory: the per-stage
//! breakdown behind `benches/README.md` (criterion runs each stage many
//! times; this runs each once, so it also covers sizes too slow for that).
//!
//! ```text
//! cargo run --release --example stages                      # 10k, 100k, 1M
//! cargo run --release --example stages -- 10000 100000      # chosen sizes
//! EXITCORE_STAGES_SKIP=report cargo run --release --example stages -- 1000000
//! ```
//!
//! `EXITCORE_STAGES_SKIP` lists stages to leave out (comma-separated:
//! `release`, `analysis`, `comments`, `report`, `render`), for sizes where
//! they take too long. Times go to stdout as a table; the memory figures
//! are the live heap of the `Dataset` (a counting allocator), and the
//! process's resident set (`VmRSS`, peak `VmHWM`) at a few points.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use exitcore::analysis::{Analysis, AnalysisInputs, AnalysisSpec, Period, comments};
use exitcore::privacy::{Dimension, Policy, Redactor, ReleasePlan};
use exitcore::report::{Report, ReportOptions};
use exitcore::synthetic::{OrgConfig, generate};
use exitcore::{Dataset, Headcount, ImportOptions, Lang, QuestionKind, Role};

/// The system allocator, counting live bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged and only
// adds to or subtracts from a counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn mib(bytes: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    b / (1024.0 * 1024.0)
}

/// `VmRSS` and `VmHWM` of this process in MiB (0 where /proc is missing).
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Nanoseconds this process has spent on a CPU, all its threads together
/// (`utime` + `stime` of `/proc/self/stat`, which keeps the time of
/// threads that have ended; 10 ms resolution; 0 where it is missing). On a
/// busy machine this is about what the stage costs on a quiet one; the
/// comment summaries count cells on several threads, so there wall time
/// can be below CPU time.
fn cpu_ns() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // The fields after the command name, which is in parentheses and may
    // hold spaces: utime and stime are the 12th and 13th of those.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Linux reports these in USER_HZ, 100 per second on every platform it runs on.
    (ticks(11) + ticks(12)) * 10_000_000
}

/// Wall-clock and CPU seconds of `f`.
struct Took {
    wall: f64,
    cpu: f64,
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Took) {
    let (start, cpu) = (Instant::now(), cpu_ns());
    let out = f();
    #[allow(clippy::cast_precision_loss)]
    let cpu = cpu_ns().saturating_sub(cpu) as f64 / 1e9;
    (
        out,
        Took {
            wall: start.elapsed().as_secs_f64(),
            cpu,
        },
    )
}

fn row(size: usize, stage: &str, t: &Took, note: &str) {
    println!(
        "| {size} | {stage} | {:.3} | {:.3} | {note} |",
        t.wall, t.cpu
    );
}

/// The release plan that `Report::build` decides with the default options.
fn report_plan<'a>(ds: &'a Dataset, options: &ReportOptions<'_>) -> ReleasePlan<'a> {
    let mut plan = ReleasePlan::new(ds, options.policy);
    for t in &options.by {
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

#[allow(clippy::too_many_lines)]
fn main() {
    let sizes: Vec<usize> = {
        let args: Vec<usize> = std::env::args()
            .skip(1)
            .map(|a| a.replace('_', "").parse().expect("sizes are whole numbers"))
            .collect();
        if args.is_empty() {
            vec![10_000, 100_000, 1_000_000]
        } else {
            args
        }
    };
    let skip = std::env::var("EXITCORE_STAGES_SKIP").unwrap_or_default();
    let skipped = |stage: &str| skip.split(',').any(|s| s.trim() == stage);
    println!("| records | stage | wall s | cpu s | note |");
    println!("| ---: | --- | ---: | ---: | --- |");
    for &n in &sizes {
        let (org, t) = time(|| {
            generate(&OrgConfig {
                exits: n,
                ..OrgConfig::default()
            })
            .unwrap()
        });
        row(n, "generate (synthetic records)", &t, "");
        let (csv, t) = time(|| org.to_csv().unwrap());
        row(n, "write CSV", &t, &format!("{:.1} MB", mb(csv.len())));
        let mapping = org.csv_mapping().unwrap();
        let before = LIVE.load(Ordering::Relaxed);
        let (imported, t) = time(|| {
            mapping
                .import_csv(csv.as_bytes(), &ImportOptions::default())
                .unwrap()
        });
        let heap_import = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        assert_eq!(imported.summary.imported, n);
        row(
            n,
            "CSV import with mapping",
            &t,
            &format!(
                "{:.1} MB/s wall, {:.1} MB/s cpu",
                mb(csv.len()) / t.wall,
                mb(csv.len()) / t.cpu
            ),
        );
        drop(imported);
        drop(csv);
        let before = LIVE.load(Ordering::Relaxed);
        let (loaded, t) = time(|| Dataset::from_records(&org.questionnaire, &org.records));
        let heap = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        let ds = loaded.dataset;
        row(
            n,
            "dataset build (from records)",
            &t,
            &format!(
                "dataset heap {:.1} MiB (after CSV import: {:.1} MiB)",
                mib(heap),
                mib(heap_import)
            ),
        );
        let headcount = Headcount::new(org.headcount.clone()).unwrap();
        let options = ReportOptions {
            headcount: Some(&headcount),
            stayers: Some(&org.stayers),
            ..ReportOptions::default()
        };
        let plan = report_plan(&ds, &options);
        let mut release = None;
        if !skipped("release") {
            let (r, t) = time(|| plan.decide());
            row(
                n,
                "release decision (report's plan, secondary suppression)",
                &t,
                &format!("{} cells, {} released", r.audit.cells, r.audit.released),
            );
            release = Some(r);
        }
        let spec = |by: &[&[Dimension]], trend: bool, comments: bool| AnalysisSpec {
            trend: trend.then_some(Period::Quarter),
            comments,
            ..AnalysisSpec::by(by)
        };
        let four: [&[Dimension]; 4] = [
            &[Dimension::OrgUnit],
            &[Dimension::TenureBand],
            &[Dimension::JobFamily],
            &[Dimension::ExitType],
        ];
        if !skipped("analysis") {
            let policy = Policy::default();
            let run = |s: &AnalysisSpec, inputs: AnalysisInputs<'_>| {
                time(|| Analysis::run_with(&ds, policy, s, inputs).unwrap()).1
            };
            let none = AnalysisInputs::default();
            row(
                n,
                "analysis: whole org only",
                &run(&spec(&[], false, false), none),
                "",
            );
            row(
                n,
                "analysis: by org unit, no trend, no comments",
                &run(&spec(&[&[Dimension::OrgUnit]], false, false), none),
                "",
            );
            row(
                n,
                "analysis: by org unit + quarter trend, no comments",
                &run(&spec(&[&[Dimension::OrgUnit]], true, false), none),
                "compare_pandas.py's exitcore part",
            );
            row(
                n,
                "analysis: 4 breakdowns + trend, no comments",
                &run(&spec(&four, true, false), none),
                "",
            );
            row(
                n,
                "analysis: 4 breakdowns + trend + comments",
                &run(&spec(&four, true, true), none),
                "",
            );
            let full = AnalysisInputs {
                headcount: Some(&headcount),
                stayers: Some(&org.stayers),
                ..AnalysisInputs::default()
            };
            row(
                n,
                "analysis: as the report (+ headcount, survival)",
                &run(&spec(&four, true, true), full),
                "",
            );
        }
        if !skipped("comments")
            && let Some(release) = &release
        {
            let texts: Vec<&str> = ds
                .questionnaire()
                .questions
                .iter()
                .filter(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
                .map(|q| q.id.as_str())
                .collect();
            let redactor = Redactor::new(Vec::<String>::new()).unwrap();
            let (s, t) =
                time(|| comments::summarise(&ds, release, &texts, &redactor, Lang::En).unwrap());
            row(
                n,
                "comments (summarise on the report's release)",
                &t,
                &format!("{} cells summarised", s.len()),
            );
        }
        if !skipped("report") {
            let (report, t) = time(|| Report::build(&ds, &options).unwrap());
            row(
                n,
                "Report::build (full report)",
                &t,
                "4 breakdowns, quarter trend, comments, headcount, survival",
            );
            if !skipped("render") {
                let (json, t) = time(|| report.to_json().unwrap());
                row(n, "render JSON", &t, &format!("{:.1} MB", mb(json.len())));
                let (html, t) = time(|| report.to_html());
                row(n, "render HTML", &t, &format!("{:.1} MB", mb(html.len())));
                let (md, t) = time(|| report.to_markdown());
                row(n, "render Markdown", &t, &format!("{:.1} MB", mb(md.len())));
            }
        }
        let (now, peak) = rss();
        println!(
            "| {n} | memory | - | - | dataset heap {:.1} MiB; process RSS now {now:.0} MiB, peak {peak:.0} MiB (records and CSV included) |",
            mib(heap)
        );
    }
}

fn mb(bytes: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    b / 1e6
}
