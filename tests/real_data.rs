//! Imports the real HR files in ../shared/data through the shipped mappings:
//! the TAFE exit survey (702 rows) and the HR dataset v14 (311 staff, 104 leavers).
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

fn hrdataset() -> exitcore::ImportOutcome {
    let m = Mapping::from_path(root().join("examples/mappings/hrdataset.json")).unwrap();
    let key = Pseudonymiser::new(b"hr-dataset-test-key-0123").unwrap();
    m.import_path(
        root().join("../shared/data/HRDataset_v14.csv"),
        &ImportOptions {
            pseudonymiser: Some(key),
        },
    )
    .unwrap()
}

#[test]
fn the_hr_dataset_keeps_only_leavers_and_no_direct_identifiers() {
    let out = hrdataset();
    assert!(out.loaded.problems.is_empty(), "{:#?}", out.loaded.problems);
    // Counted in the raw file: Termd is 1 for 104 of 311 rows.
    assert_eq!(
        (out.summary.rows, out.summary.skipped, out.summary.imported),
        (311, 207, 104)
    );
    let s = out.loaded.dataset.summary();
    assert_eq!(s.records, 104);
    // Names, birth dates, zip codes and the like are ignored, never imported.
    for col in [
        "Employee_Name",
        "DOB",
        "Zip",
        "Sex",
        "RaceDesc",
        "MaritalDesc",
    ] {
        let c = out
            .summary
            .columns
            .iter()
            .find(|c| c.column == col)
            .unwrap();
        assert_eq!(c.status, ColumnStatus::Ignored, "{col}");
    }
    // Padded department names ("Production       ") become one unit each;
    // counted in the raw file: the 104 leavers come from 5 departments.
    assert_eq!(out.loaded.dataset.org_units().len(), 5);
}

#[test]
fn tenure_is_computed_from_hire_and_termination_dates() {
    // EmpID 10084 was hired 3/30/2015 and left 6/16/2016: 14 whole months.
    let csv = "EmpID,Termd,Department,DateofHire,DateofTermination,TermReason,EmploymentStatus\n\
               10084,1,IT/IS,3/30/2015,6/16/2016,career change,Voluntarily Terminated\n\
               10085,1,IT/IS,6/17/2016,6/16/2016,career change,Voluntarily Terminated\n";
    let m = Mapping::from_json_with_questionnaire(
        r#"{"questionnaire": {"path": "unused.json"}, "keep": {"column": "Termd", "equals": ["1"]},
            "respondent": {"column": "EmpID"},
            "context": {"org_unit": {"column": "Department"},
                        "exit_date": {"column": "DateofTermination", "formats": ["%m/%d/%Y"]},
                        "tenure": {"column": "DateofHire", "formats": ["%m/%d/%Y"]},
                        "exit_type": {"column": "EmploymentStatus", "values": {"Voluntarily Terminated": "voluntary"}}},
            "answers": {"term_reason": {"column": "TermReason", "values": {"career change": "career_change"}}}}"#,
        exitcore::Questionnaire::from_path(root().join("examples/mappings/hrdataset_questionnaire.json")).unwrap(),
    )
    .unwrap();
    let out = m
        .import_csv(csv.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(out.loaded.dataset.len(), 1);
    let p = &out.loaded.problems[0];
    assert_eq!((p.row, p.field.as_str()), (Some(3), "DateofHire"));
    assert!(
        p.message.contains("a start date before the exit date"),
        "{}",
        p.message
    );
}
