//! `dataset.analyse(spec, options)`: the core's analysis as a plain object.
//!
//! The spec's camelCase names are renamed to the core's names and
//! the core reads the result, so every check (and the path in an error) is
//! the core's. As in `dataset.release`, `spec.policy` holds the options of
//! `new Policy(...)`, and `options.ledger` lends a `Ledger`.

use exitcore::analysis::{Analysis, AnalysisSpec};
use exitcore::privacy::Policy;
use exitcore::{Dataset, Error, Result};
use serde_json::{Map, Value};

use crate::convert::arg_error;
use crate::privacy::policy_from_options;

/// The spec's JS names and the core's names for them.
const NAMES: [(&str, &str); 9] = [
    ("by", "by"),
    ("confidence", "confidence"),
    ("fdr", "fdr"),
    ("minTestGroup", "min_test_group"),
    ("trend", "trend"),
    ("lang", "lang"),
    ("comments", "comments"),
    ("insights", "insights"),
    ("drivers", "drivers"),
];

/// The JS name of a path in the core's spec (`min_test_group` becomes
/// `minTestGroup`; `by[0][0]` stays).
fn js_path(path: &str) -> String {
    NAMES
        .iter()
        .find_map(|(js, core)| path.strip_prefix(core).map(|rest| format!("{js}{rest}")))
        .unwrap_or_else(|| path.to_owned())
}

/// The core's spec and the policy from the JS spec
/// `{ by, confidence, fdr, minTestGroup, trend, policy }` (`null` or
/// absent: all defaults).
pub(crate) fn analysis_spec(spec: Value) -> Result<(AnalysisSpec, Policy)> {
    let mut js = match spec {
        Value::Null => Map::new(),
        Value::Object(o) => o,
        _ => {
            return Err(arg_error(
                "spec",
                "expected an object like { by: [[\"org_unit\"]] }",
            ));
        }
    };
    let policy = policy_from_options(js.remove("policy"))?;
    let mut core = Map::new();
    for (key, value) in js {
        let Some((_, name)) = NAMES.iter().find(|(js, _)| *js == key) else {
            let known: Vec<&str> = NAMES.iter().map(|(js, _)| *js).collect();
            return Err(arg_error(
                format!("spec.{key}"),
                format!(
                    "unknown field; expected one of {}, policy",
                    known.join(", ")
                ),
            ));
        };
        // `undefined` and `null` mean the core's default.
        if !value.is_null() {
            core.insert((*name).to_owned(), value);
        }
    }
    let spec = AnalysisSpec::from_json_value(Value::Object(core)).map_err(rename)?;
    Ok((spec, policy))
}

/// A core argument error under its JS name.
fn rename(e: Error) -> Error {
    match e {
        Error::InvalidArgument { name, message } => Error::InvalidArgument {
            name: js_path(&name),
            message,
        },
        other => other,
    }
}

/// `dataset.analyse(spec, options)` without the JS part.
pub(crate) fn analyse(
    dataset: &Dataset,
    spec: Value,
    inputs: exitcore::analysis::AnalysisInputs<'_>,
) -> Result<Analysis> {
    let (spec, policy) = analysis_spec(spec)?;
    Analysis::run_with(dataset, policy, &spec, inputs).map_err(rename)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exitcore::analysis::{AnalysisInputs, Period};
    use exitcore::privacy::Dimension;
    use serde_json::json;

    fn dataset(exits: usize) -> Dataset {
        let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
            exits,
            ..Default::default()
        })
        .unwrap();
        Dataset::from_records(&org.questionnaire, &org.records).dataset
    }

    #[test]
    fn the_spec_is_renamed_to_the_core() {
        let (spec, policy) = analysis_spec(json!({
            "by": [["org_unit"]], "confidence": 0.9, "fdr": 0.1, "minTestGroup": 30,
            "trend": "year", "policy": {"k": 7}
        }))
        .unwrap();
        assert_eq!(spec.by, vec![vec![Dimension::OrgUnit]]);
        assert!((spec.confidence - 0.9).abs() < 1e-12 && (spec.fdr - 0.1).abs() < 1e-12);
        assert_eq!((spec.min_test_group, spec.trend), (30, Some(Period::Year)));
        assert_eq!(policy.k(), 7);
        let (spec, policy) = analysis_spec(Value::Null).unwrap();
        assert_eq!((spec, policy), (AnalysisSpec::default(), Policy::default()));
        let (spec, _) = analysis_spec(json!({"by": null, "trend": null})).unwrap();
        assert_eq!(spec, AnalysisSpec::default());
    }

    #[test]
    fn errors_name_the_js_field() {
        let field = |v: Value| analysis_spec(v).unwrap_err().field().map(str::to_owned);
        assert_eq!(
            field(json!({"by": [["nope"]]})).as_deref(),
            Some("by[0][0]")
        );
        assert_eq!(
            field(json!({"minTestGroup": -1})).as_deref(),
            Some("minTestGroup")
        );
        assert_eq!(
            field(json!({"min_test_group": 5})).as_deref(),
            Some("spec.min_test_group")
        );
        assert_eq!(field(json!({"trend": "week"})).as_deref(), Some("trend"));
        assert_eq!(field(json!([1])).as_deref(), Some("spec"));
        let ds = dataset(200);
        let e = analyse(&ds, json!({"confidence": 1.5}), AnalysisInputs::default()).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_argument", Some("confidence"))
        );
        let e = analyse(
            &ds,
            json!({"by": [["org_unit", "shoe"]]}),
            AnalysisInputs::default(),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("by[0][1]"));
    }

    #[test]
    fn analyse_runs_the_core() {
        let ds = dataset(500);
        let a = analyse(
            &ds,
            json!({"by": [["org_unit"]], "policy": {"k": 8}}),
            AnalysisInputs::default(),
        )
        .unwrap();
        assert_eq!(a.overall.n, Some(500));
        assert_eq!(a.policy.k(), 8);
        let groups = &a.breakdowns[0].groups;
        assert!(groups.iter().filter_map(|g| g.n).all(|n| n >= 8));
        let core = Analysis::run(
            &ds,
            Policy::new(8).unwrap(),
            &AnalysisSpec::by(&[&[Dimension::OrgUnit]]),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&core).unwrap()
        );
    }
}
