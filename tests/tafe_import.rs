//! Imports the real TAFE exit survey (702 rows) through the shipped mapping.
//!
//! Expected counts were taken from the raw file independently of exitcore
//! (a value count per column with Python's csv module), not from our output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use exitcore::import::ColumnStatus;
use exitcore::{ImportOptions, Mapping, ProblemKind, Pseudonymiser};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tafe_csv() -> Vec<u8> {
    std::fs::read(root().join("../shared/data/tafe_survey.csv")).unwrap()
}

fn mapping() -> Mapping {
    Mapping::from_path(root().join("examples/mappings/tafe.json")).unwrap()
}

#[test]
fn every_row_of_the_tafe_survey_becomes_a_record() {
    let out = mapping()
        .import_csv(&tafe_csv(), &ImportOptions::default())
        .unwrap();
    assert!(
        out.loaded.problems.is_empty(),
        "{:#?}",
        &out.loaded.problems[..out.loaded.problems.len().min(5)]
    );
    assert_eq!(out.summary.rows, 702);
    assert_eq!(out.summary.imported, 702);
    assert_eq!(out.summary.rejected, 0);
    assert_eq!(out.loaded.dataset.len(), 702);
    let summary = out.loaded.dataset.summary();
    // 12 institutes, each with up to two work areas.
    assert_eq!(summary.org_levels, 2);
    assert_eq!(
        out.loaded
            .dataset
            .org_units()
            .iter()
            .filter(|p| p.len() == 1)
            .count(),
        12
    );
}

#[test]
fn the_summary_accounts_for_every_column() {
    let out = mapping()
        .import_csv(&tafe_csv(), &ImportOptions::default())
        .unwrap();
    let cols = &out.summary.columns;
    assert_eq!(cols.len(), 72);
    assert!(
        cols.iter().all(|c| c.status != ColumnStatus::Unmapped),
        "{:?}",
        cols.iter()
            .filter(|c| c.status == ColumnStatus::Unmapped)
            .map(|c| &c.column)
            .collect::<Vec<_>>()
    );
    let by_name = |prefix: &str| cols.iter().find(|c| c.column.starts_with(prefix)).unwrap();
    // Counted from the raw file: Main Factor is blank in 589 rows, filled in 113.
    let main = by_name("Main Factor.");
    assert_eq!(
        (main.filled, main.missing, main.unrecognised),
        (113, 589, 0)
    );
    assert_eq!(main.target.as_deref(), Some("answers.main_factor"));
    // Contributing factors: 265 rows left every box blank; "-" means unticked, which counts as filled.
    let study = by_name("Contributing Factors. Study");
    assert_eq!((study.filled, study.missing), (437, 265));
    // Topic 1: 94 blanks, 608 answers (5 of them "Not Applicable").
    let topic1 = by_name("InstituteViews. Topic:1.");
    assert_eq!((topic1.filled, topic1.missing), (608, 94));
    // CESSATION YEAR is blank in 7 rows.
    assert_eq!(by_name("CESSATION YEAR").missing, 7);
    // Gender is deliberately not imported.
    assert_eq!(by_name("Gender.").status, ColumnStatus::Ignored);
}

#[test]
fn a_bad_row_is_reported_by_line_and_column_and_the_rest_are_kept() {
    let text = String::from_utf8(tafe_csv()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Line 3 of the file (second data row): make its first Likert answer unknown.
    lines[2] = lines[2].replacen(",Agree,", ",Agreed,", 1);
    // Line 5: a respondent id seen before.
    let first_id = lines[1].split(',').next().unwrap().to_owned();
    let rest = lines[4].split_once(',').unwrap().1.to_owned();
    lines[4] = format!("{first_id},{rest}");
    let out = mapping()
        .import_csv(lines.join("\n").as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(out.loaded.dataset.len(), 700);
    assert_eq!(out.summary.rejected, 2);
    let p = &out.loaded.problems;
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(p[0].row, Some(3));
    assert_eq!(p[0].kind, ProblemKind::UnrecognisedValue);
    assert!(
        p[0].field.starts_with("InstituteViews. Topic:1."),
        "{}",
        p[0].field
    );
    assert!(p[0].message.contains("\"Agreed\""), "{}", p[0].message);
    assert_eq!(p[1].row, Some(5));
    assert_eq!(p[1].kind, ProblemKind::DuplicateRespondent);
}

#[test]
fn pseudonymised_import_carries_no_record_ids() {
    let key = Pseudonymiser::new(b"tafe-test-key-0123456789").unwrap();
    let options = ImportOptions {
        pseudonymiser: Some(key.clone()),
    };
    let out = mapping().import_csv(&tafe_csv(), &options).unwrap();
    assert_eq!(out.loaded.dataset.len(), 702);
    // A duplicate injected under the real id must still be caught after hashing.
    let text = String::from_utf8(tafe_csv()).unwrap();
    let first = text.lines().nth(1).unwrap();
    let doubled = format!("{text}{first}\n");
    let out = mapping().import_csv(doubled.as_bytes(), &options).unwrap();
    assert_eq!(out.loaded.dataset.len(), 702);
    let dup = &out.loaded.problems[0];
    assert_eq!(dup.kind, ProblemKind::DuplicateRespondent);
    let real_id = first.split(',').next().unwrap();
    assert_eq!(
        dup.respondent.as_deref(),
        Some(key.pseudonymise(real_id).as_str())
    );
}
