//! `generate(options)`: the core's seeded synthetic organisation.

use exitcore::synthetic::{OrgConfig, Plant, SyntheticOrg};
use exitcore::{Error, Result};
use js_sys::Object;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::js::{JsQuestionnaire, JsResult, json_arg, set, to_js, to_js_error};

/// Deserializes an options object, naming the failing path under `name`
/// (`options.plants[0].oddsRatio`).
pub(crate) fn options_from_value<T: DeserializeOwned>(name: &str, value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            name.to_owned()
        } else if path.starts_with('[') {
            format!("{name}{path}")
        } else {
            format!("{name}.{path}")
        };
        arg_error(at, e.inner())
    })
}

/// The JS options of `generate`: [`OrgConfig`] in camelCase, every field
/// optional (the core's default), unknown names refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GenerateOptions {
    seed: Option<u64>,
    exits: Option<usize>,
    divisions: Option<usize>,
    departments_per_division: Option<usize>,
    teams_per_department: Option<usize>,
    job_families: Option<usize>,
    managers: Option<usize>,
    quarters: Option<u32>,
    start_year: Option<i32>,
    comment_rate: Option<f64>,
    plants: Option<Vec<PlantOptions>>,
    group_effects: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlantOptions {
    unit: Vec<String>,
    reason: String,
    odds_ratio: f64,
}

/// The core's configuration from JS options (`null` or absent: all defaults).
pub(crate) fn org_config(options: Value) -> Result<OrgConfig> {
    let mut config = OrgConfig::default();
    if options.is_null() {
        return Ok(config);
    }
    let o: GenerateOptions = options_from_value("options", options)?;
    if let Some(v) = o.seed {
        config.seed = v;
    }
    if let Some(v) = o.exits {
        config.exits = v;
    }
    if let Some(v) = o.divisions {
        config.divisions = v;
    }
    if let Some(v) = o.departments_per_division {
        config.departments_per_division = v;
    }
    if let Some(v) = o.teams_per_department {
        config.teams_per_department = v;
    }
    if let Some(v) = o.job_families {
        config.job_families = v;
    }
    if let Some(v) = o.managers {
        config.managers = v;
    }
    if let Some(v) = o.quarters {
        config.quarters = v;
    }
    if let Some(v) = o.start_year {
        config.start_year = v;
    }
    if let Some(v) = o.comment_rate {
        config.comment_rate = v;
    }
    if let Some(v) = o.group_effects {
        config.group_effects = v;
    }
    if let Some(plants) = o.plants {
        config.plants = plants
            .into_iter()
            .map(|p| Plant {
                unit: p.unit,
                reason: p.reason,
                odds_ratio: p.odds_ratio,
            })
            .collect();
    }
    Ok(config)
}

/// The JS name of an `OrgConfig` field path: `plants[0].odds_ratio` becomes
/// `options.plants[0].oddsRatio`.
fn js_option_path(path: &str) -> String {
    let mut out = String::from("options.");
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `generate(options)` without the JS part. The core's argument errors name
/// `OrgConfig` fields; they are renamed to the JS option names.
pub(crate) fn generate_org(options: Value) -> Result<SyntheticOrg> {
    exitcore::synthetic::generate(&org_config(options)?).map_err(|e| match e {
        Error::InvalidArgument { name, message } => Error::InvalidArgument {
            name: js_option_path(&name),
            message,
        },
        other => other,
    })
}

/// A seeded synthetic organisation: `{ questionnaire, records, headcount,
/// stayers, units }`. Options are exitcore's `OrgConfig` fields in camelCase; omitted
/// ones keep their defaults, unknown names throw (`invalid_argument`).
#[wasm_bindgen(unchecked_return_type = "SyntheticOrg")]
pub fn generate(
    #[wasm_bindgen(unchecked_optional_param_type = "OrgConfig")] options: &JsValue,
) -> JsResult<Object> {
    let options = json_arg(options, "options").map_err(to_js_error)?;
    let SyntheticOrg {
        questionnaire,
        records,
        headcount,
        stayers,
        units,
    } = generate_org(options).map_err(to_js_error)?;
    let records = to_js(&records)?;
    let headcount = to_js(&headcount)?;
    let stayers = to_js(&stayers)?;
    let units = to_js(&units)?;
    let out = Object::new();
    set(
        &out,
        "questionnaire",
        &JsValue::from(JsQuestionnaire {
            inner: questionnaire,
        }),
    );
    set(&out, "records", &records);
    set(&out, "headcount", &headcount);
    set(&out, "stayers", &stayers);
    set(&out, "units", &units);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exitcore::{Dataset, Questionnaire};
    use serde_json::json;

    #[test]
    fn options_map_onto_the_core_config() {
        let c = org_config(json!({
            "seed": 7, "exits": 120, "startYear": 2020, "commentRate": 0.5,
            "plants": [{"unit": ["D1"], "reason": "workload", "oddsRatio": 3.0}]
        }))
        .unwrap();
        let d = OrgConfig::default();
        assert_eq!((c.seed, c.exits, c.start_year), (7, 120, 2020));
        assert!((c.comment_rate - 0.5).abs() < f64::EPSILON);
        assert_eq!(c.quarters, d.quarters);
        assert_eq!(c.plants.len(), 1);
        assert_eq!(c.plants[0].reason, "workload");
        assert_eq!(org_config(Value::Null).unwrap().exits, d.exits);
        assert!(c.group_effects && d.group_effects);
        assert!(
            !org_config(json!({"groupEffects": false}))
                .unwrap()
                .group_effects
        );
        let err = org_config(json!({"groupEffects": "no"})).unwrap_err();
        assert_eq!(err.field(), Some("options.groupEffects"));
    }

    #[test]
    fn option_errors_name_the_js_path() {
        let err = org_config(json!({"exit": 10})).unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
        assert_eq!(err.field(), Some("options.exit"));
        assert!(err.to_string().contains("unknown field `exit`"), "{err}");
        let err = org_config(json!({"plants": [{"unit": [], "reason": "pay", "oddsRatio": "x"}]}))
            .unwrap_err();
        assert_eq!(err.field(), Some("options.plants[0].oddsRatio"));
        let err = org_config(json!({"seed": -1})).unwrap_err();
        assert_eq!(err.field(), Some("options.seed"));
        let err = org_config(json!(42)).unwrap_err();
        assert_eq!(err.field(), Some("options"));
    }

    #[test]
    fn core_errors_use_the_js_option_names() {
        let err = generate_org(json!({"commentRate": 2.0})).unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
        assert_eq!(err.field(), Some("options.commentRate"));
        assert!(
            err.to_string()
                .starts_with("invalid argument options.commentRate: "),
            "{err}"
        );
        let err =
            generate_org(json!({"plants": [{"unit": ["X"], "reason": "pay", "oddsRatio": 0.0}]}))
                .unwrap_err();
        assert_eq!(err.field(), Some("options.plants[0].oddsRatio"));
    }

    #[test]
    fn generated_records_load_cleanly() {
        let org = generate_org(json!({"seed": 1, "exits": 200})).unwrap();
        assert_eq!(org.records.len(), 200);
        let loaded = Dataset::from_records(&org.questionnaire, &org.records);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(org.questionnaire, Questionnaire::standard());
    }
}
