//! CSV quirks that real exports have, and mapping mistakes that must be caught.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use exitcore::import::ColumnStatus;
use exitcore::{Error, ImportOptions, Mapping, PartialDate, ProblemKind, Tenure};

const MAPPING: &str = r#"{
  "questionnaire": "standard",
  "missing": ["", "Not Stated", "N/A", "-"],
  "respondent": {"column": "Employee"},
  "context": {
    "org_unit": {"column": "Department", "separator": "/"},
    "exit_date": {"column": "Left", "formats": ["%Y-%m-%d", "%d-%m-%Y", "%m/%Y", "%Y"]},
    "tenure": {"column": "Years", "unit": "years"},
    "exit_type": {"column": "Type", "values": {"Resigned": "voluntary", "Dismissed": "involuntary"}},
    "regrettable": {"column": "Regret"}
  },
  "scales": {"codes": {"SD": 1, "D": 2, "N": 3, "A": 4, "SA": 5, "X": "n/a"}},
  "answers": {
    "primary_reason": {"column": "Main reason"},
    "contributing_reasons": {"flags": {"Pay flag": "pay", "Workload flag": "workload", "No other": null},
                              "ticked": ["TRUE"], "unticked": ["FALSE"]},
    "leadership_support": {"column": "Manager support", "scale": "codes"},
    "enps": {"column": "Recommend"},
    "would_return": {"column": "Come back"}
  },
  "ignore": ["Notes"]
}"#;

const HEADER: &str = "\u{feff}Employee, Department ,Left,Years,Type,Regret,Main reason,Pay flag,Workload flag,No other,Manager support,Recommend,Come back,Notes,Extra\r\n";

fn import(rows: &[&str]) -> exitcore::ImportOutcome {
    let csv = format!("{HEADER}{}", rows.join("\r\n"));
    Mapping::from_json(MAPPING)
        .unwrap()
        .import_csv(csv.as_bytes(), &ImportOptions::default())
        .unwrap()
}

#[test]
fn bom_crlf_padding_labels_flags_and_mixed_dates_just_work() {
    let out = import(&[
        "E1,Sales/North ,2012,3.5,Resigned,Yes,Pay and benefits,TRUE,FALSE,FALSE,SA,7,yes,,x",
        "E2, Sales / South,08/2012,0.5, resigned ,no,pay,FALSE,TRUE,FALSE,X,0,No,hello,",
        "E3,Sales,2013-02-28,Not Stated,Not Stated,N/A,  WORKLOAD  ,FALSE,FALSE,TRUE,-,10,ja,,",
        "E4,Sales,28-02-2013,12,Dismissed,-,leadership,-,-,-,D,5,nee,,",
    ]);
    assert!(out.loaded.problems.is_empty(), "{:#?}", out.loaded.problems);
    assert_eq!(out.loaded.dataset.len(), 4);
    let units = out.loaded.dataset.org_units();
    assert!(
        units.contains(&vec!["Sales".to_owned(), "South".to_owned()]),
        "{units:?}"
    );
    let cols = &out.summary.columns;
    assert_eq!(cols[1].column, "Department");
    assert_eq!(cols[13].status, ColumnStatus::Ignored);
    assert_eq!(cols[14].status, ColumnStatus::Unmapped);
    assert_eq!((cols[14].filled, cols[14].missing), (1, 3));
    // Type: three filled, one "Not Stated".
    assert_eq!((cols[4].filled, cols[4].missing), (3, 1));
}

#[test]
fn unrecognised_values_reject_the_row_and_name_line_and_column() {
    let out = import(&[
        "E1,Sales,2012,3,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,",
        "E2,Sales,2012/08,3,Quit,maybe,salary,YES,FALSE,FALSE,AA,7.5,yes,,",
        "E3,Sales,2012,3,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,",
    ]);
    assert_eq!(out.loaded.dataset.len(), 2);
    assert_eq!(out.summary.rejected, 1);
    let got: Vec<(Option<u64>, &str, ProblemKind)> = out
        .loaded
        .problems
        .iter()
        .map(|p| (p.row, p.field.as_str(), p.kind))
        .collect();
    let u = ProblemKind::UnrecognisedValue;
    assert_eq!(
        got,
        vec![
            (Some(3), "Left", u),
            (Some(3), "Type", u),
            (Some(3), "Regret", u),
            (Some(3), "Main reason", u),
            (Some(3), "Pay flag", u),
            (Some(3), "Manager support", u),
            (Some(3), "Recommend", u),
        ]
    );
    assert!(
        out.loaded
            .problems
            .iter()
            .all(|p| p.respondent.as_deref() == Some("E2"))
    );
    assert_eq!(out.summary.columns[2].unrecognised, 1);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_a_problem_not_a_failure() {
    let out = import(&[
        "E1,Sales,2012,3,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,",
        "E2,Sales,2012",
    ]);
    assert_eq!(out.loaded.dataset.len(), 1);
    assert_eq!(out.loaded.problems[0].kind, ProblemKind::MalformedRow);
    assert_eq!(out.loaded.problems[0].row, Some(3));
}

#[test]
fn latin1_bytes_are_kept_not_dropped() {
    let mut csv = HEADER.as_bytes().to_vec();
    csv.extend_from_slice(b"E1,Caf\xe9,2012,3,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,\r\n");
    let out = Mapping::from_json(MAPPING)
        .unwrap()
        .import_csv(&csv, &ImportOptions::default())
        .unwrap();
    assert_eq!(
        out.loaded.dataset.org_units(),
        vec![vec!["Café".to_owned()]]
    );
}

#[test]
fn mapping_mistakes_are_errors_naming_the_spot() {
    let err = |json: &str| match Mapping::from_json(json) {
        Err(Error::Mapping { path, message }) => (path, message),
        other => panic!("expected a mapping error, got {other:?}"),
    };
    let (path, _) = err(r#"{"questionnaire": "standard", "context": {}}"#);
    assert_eq!(path, "context.org_unit");
    let (path, message) = err(
        r#"{"questionnaire": "standard", "context": {"org_unit": {"column": "D"}},
                                  "answers": {"nope": {"column": "X"}}}"#,
    );
    assert_eq!(
        (path.as_str(), message.as_str()),
        (
            "answers.nope",
            "the questionnaire \"exitcore.standard\" has no question \"nope\""
        )
    );
    let (path, _) = err(
        r#"{"questionnaire": "standard", "context": {"org_unit": {"column": "D"}},
                            "answers": {"enps": {"column": "X", "scale": "missing"}}}"#,
    );
    assert_eq!(path, "answers.enps.scale");
    let (path, _) =
        err(r#"{"questionnaire": {"path": "q.json"}, "context": {"org_unit": {"column": "D"}}}"#);
    assert_eq!(path, "questionnaire.path");
    let (path, message) =
        err(r#"{"questionnaire": "standard", "context": {"org_unit": {"colum": "D"}}}"#);
    assert_eq!(path, "context.org_unit.colum");
    assert!(message.contains("unknown field"), "{message}");
    // A mapped column that the file lacks fails the import before any row is read.
    let m = Mapping::from_json(
        r#"{"questionnaire": "standard", "context": {"org_unit": {"column": "Dept"}}}"#,
    )
    .unwrap();
    match m.import_csv(b"Department\nSales\n", &ImportOptions::default()) {
        Err(Error::Mapping { path, message }) => {
            assert_eq!(path, "context.org_unit.column");
            assert_eq!(message, "column \"Dept\" is not in the file");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn partial_dates_and_tenure_units_parse_as_documented() {
    assert_eq!(
        "2012".parse::<PartialDate>().unwrap(),
        PartialDate::year(2012).unwrap()
    );
    assert_eq!(Tenure::months(42).band_label(), "2-5y");
    // 3.5 years = 42 months, 0.5 years = 6 months: one of each band counted by hand.
    let out = import(&[
        "E1,Sales,2012,3.5,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,",
        "E2,Sales,2012,0.5,Resigned,Yes,pay,TRUE,FALSE,FALSE,SA,7,yes,,",
    ]);
    assert_eq!(out.loaded.dataset.len(), 2);
}

/// A field's own missing markers (here starting with letters and digits,
/// as values do) count the cell as missing; other values that start with
/// the same character are still read.
#[test]
fn a_field_s_own_missing_markers_count_as_missing() {
    let mapping = MAPPING.replace(
        r#""leadership_support": {"column": "Manager support", "scale": "codes"}"#,
        r#""leadership_support": {"column": "Manager support", "scale": "codes", "missing": ["Unknown", "9"]}"#,
    );
    let csv = format!(
        "{HEADER}{}",
        [
            "E1,Sales,2012,3,Resigned,Yes,workload,FALSE,FALSE,TRUE, unknown ,7,yes,,",
            "E2,Sales,2012,3,Resigned,Yes,workload,FALSE,FALSE,TRUE,9,7,yes,,",
            "E3,Sales,2012,3,Resigned,Yes,workload,FALSE,FALSE,TRUE,SA,7,yes,,",
            "E4,Sales,2012,3,Resigned,Yes,workload,FALSE,FALSE,TRUE,Unknown reason,7,yes,,",
        ]
        .join("\r\n")
    );
    let out = Mapping::from_json(&mapping)
        .unwrap()
        .import_csv(csv.as_bytes(), &ImportOptions::default())
        .unwrap();
    let support = &out.summary.columns[10];
    assert_eq!(support.column, "Manager support");
    // Two markers, one answer, and a value that only starts like a marker
    // (not on the scale: a problem naming it, not a silent "missing").
    assert_eq!(support.missing, 2);
    assert_eq!(out.loaded.dataset.len(), 3, "{:#?}", out.loaded.problems);
    assert_eq!(out.loaded.problems.len(), 1, "{:#?}", out.loaded.problems);
    assert!(
        out.loaded.problems[0]
            .to_string()
            .contains("Unknown reason")
    );
}
