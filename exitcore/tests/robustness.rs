//! No input, however broken, makes the import or the bulk loader panic, and
//! no row is lost without a trace: every row is imported or rejected.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use exitcore::{Dataset, ImportOptions, Mapping, Questionnaire};
use proptest::prelude::*;

const MAPPING: &str = r#"{
  "questionnaire": "standard",
  "respondent": {"column": "id"},
  "context": {"org_unit": {"column": "unit", "separator": "/"},
              "exit_date": {"column": "date", "formats": ["%Y", "%m/%Y", "%d-%m-%Y"]},
              "tenure": {"column": "tenure"}},
  "answers": {"primary_reason": {"column": "reason"}, "enps": {"column": "enps"},
              "would_return": {"column": "back"},
              "contributing_reasons": {"column": "others", "separator": ";"},
              "leadership_support": {"column": "lead"}}
}"#;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("-".to_owned()),
        Just("pay".to_owned()),
        Just("yes".to_owned()),
        Just("\"quoted, with comma\"".to_owned()),
        "[0-9]{1,3}",
        "[0-9]{2}/20[0-9]{2}",
        "[a-zA-Z /;é\u{0}\r\n\"]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn csv_import_never_panics_and_accounts_for_every_row(
        rows in prop::collection::vec(prop::collection::vec(cell(), 6..10), 0..20),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut csv = format!("id,unit,date,tenure,reason,enps,back,others,lead{nl}");
        for r in &rows {
            csv.push_str(&r.join(","));
            csv.push_str(nl);
        }
        let m = Mapping::from_json(MAPPING).unwrap();
        if let Ok(out) = m.import_csv(csv.as_bytes(), &ImportOptions::default()) {
            prop_assert_eq!(out.summary.imported + out.summary.rejected + out.summary.skipped, out.summary.rows);
            prop_assert_eq!(out.loaded.dataset.len(), out.summary.imported);
            prop_assert!(out.loaded.problems.len() >= out.summary.rejected);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let m = Mapping::from_json(MAPPING).unwrap();
        let _ = m.import_csv(&bytes, &ImportOptions::default());
    }

    #[test]
    fn arbitrary_json_records_never_panic(json in "[\\[\\]{}:,\"a-z0-9 .-]{0,200}") {
        let q = Questionnaire::standard();
        if let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(&json) {
            let n = values.len();
            let loaded = Dataset::from_json_values(&q, values);
            prop_assert_eq!(loaded.dataset.len() + loaded.rejected, n);
        }
        let _ = Questionnaire::from_json(&json);
        let _ = Mapping::from_json(&json);
    }
}
