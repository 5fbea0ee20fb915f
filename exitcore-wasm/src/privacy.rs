//! `Policy`, `Redactor`, `ibanIsValid` and `bsnIsValid`.

use std::rc::Rc;

use exitcore::privacy::{self, Policy};
use exitcore::{Error, Lang};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::js::{JsResult, json_value, string_arg, to_js, to_js_error};

/// The options object of `new Policy({ k, commentK, showZero })`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PolicyOptions {
    k: Option<u32>,
    comment_k: Option<u32>,
    show_zero: Option<bool>,
}

/// A policy from JS options; unset fields take the core's defaults.
pub(crate) fn policy_from_options(options: Option<serde_json::Value>) -> Result<Policy, Error> {
    let o: PolicyOptions = match options {
        None | Some(serde_json::Value::Null) => PolicyOptions::default(),
        Some(v) => serde_path_to_error::deserialize(v)
            .map_err(|e| arg_error(format!("options.{}", e.path()), e.inner().to_string()))?,
    };
    let p = match o.k {
        Some(k) => Policy::new(k)?,
        None => Policy::default(),
    }
    .with_show_zero(o.show_zero.unwrap_or(false));
    match o.comment_k {
        Some(c) => p.with_comment_threshold(c),
        None => Ok(p),
    }
}

/// Privacy rules: minimum group size `k` for numbers (at least 2), a
/// threshold for comments (not below `k`), whether empty cells are shown.
#[wasm_bindgen(js_name = Policy)]
pub struct JsPolicy {
    inner: Policy,
}

#[wasm_bindgen(js_class = Policy)]
impl JsPolicy {
    /// `new Policy()` or `new Policy({ k: 7, commentK: 12, showZero: false })`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "{ k?: number; commentK?: number; showZero?: boolean }"
        )]
        options: &JsValue,
    ) -> JsResult<JsPolicy> {
        let options = if options.is_undefined() || options.is_null() {
            None
        } else {
            Some(json_value(options).map_err(|e| to_js_error(arg_error("options", e)))?)
        };
        policy_from_options(options)
            .map(|inner| JsPolicy { inner })
            .map_err(to_js_error)
    }

    /// Minimum group size for any number.
    #[wasm_bindgen(getter)]
    pub fn k(&self) -> u32 {
        self.inner.k()
    }

    /// Minimum group size for comments.
    #[wasm_bindgen(getter = commentK)]
    pub fn comment_k(&self) -> u32 {
        self.inner.comment_k()
    }

    /// Whether empty cells are shown.
    #[wasm_bindgen(getter = showZero)]
    pub fn show_zero(&self) -> bool {
        self.inner.show_zero()
    }

    /// Whether a group of `n` respondents is withheld.
    pub fn withholds(&self, n: f64) -> JsResult<bool> {
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9.0e15) {
            return Err(to_js_error(arg_error(
                "n",
                format!("expected a whole number of respondents, got {n}"),
            )));
        }
        // Checked above: a non-negative whole number below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(self.inner.withholds(n as u64))
    }

    /// The policy as a plain object (`{ k, comment_k, show_zero }`, the JSON form).
    #[wasm_bindgen(js_name = toObject, unchecked_return_type = "{ k: number; comment_k: number; show_zero: boolean }")]
    pub fn to_object(&self) -> JsResult<JsValue> {
        to_js(&self.inner)
    }
}

/// Replaces e-mail addresses, phone numbers, IBANs (mod-97), BSNs
/// (elfproef) and roster names by typed placeholders.
#[wasm_bindgen(js_name = Redactor)]
pub struct JsRedactor {
    inner: Rc<privacy::Redactor>,
}

#[wasm_bindgen(js_class = Redactor)]
impl JsRedactor {
    /// `new Redactor(["Jan de Vries", "Team Noord"])`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string[] | undefined")] roster: &JsValue,
    ) -> JsResult<JsRedactor> {
        let names: Vec<String> = if roster.is_undefined() || roster.is_null() {
            Vec::new()
        } else {
            let value = json_value(roster).map_err(|e| to_js_error(arg_error("roster", e)))?;
            serde_json::from_value(value).map_err(|e| {
                to_js_error(arg_error(
                    "roster",
                    format!("expected an array of strings: {e}"),
                ))
            })?
        };
        privacy::Redactor::new(&names)
            .map(|inner| JsRedactor {
                inner: Rc::new(inner),
            })
            .map_err(to_js_error)
    }

    /// `text` with personal data replaced by placeholders in `lang` (`"nl"`, the default, or `"en"`).
    pub fn redact(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "\"nl\" | \"en\" | undefined")] lang: &JsValue,
    ) -> JsResult<String> {
        let text = string_arg(text, "text").map_err(to_js_error)?;
        let lang: Lang = if lang.is_undefined() {
            Lang::Nl
        } else {
            string_arg(lang, "lang")
                .and_then(|l| l.parse())
                .map_err(to_js_error)?
        };
        Ok(self.inner.redact(&text, lang))
    }

    /// Lends the redactor to `dataset.analyse` and `dataset.report` as
    /// `roster` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        crate::lend::lend(crate::lend::Lent::Redactor(Rc::clone(&self.inner)));
    }
}

/// Whether `candidate` is an IBAN with valid check digits (mod-97).
#[wasm_bindgen(js_name = ibanIsValid)]
pub fn iban_is_valid(candidate: &str) -> bool {
    privacy::iban_is_valid(candidate)
}

/// Whether `candidate` is a Dutch BSN by the elfproef.
#[wasm_bindgen(js_name = bsnIsValid)]
pub fn bsn_is_valid(candidate: &str) -> bool {
    privacy::bsn_is_valid(candidate)
}

/// `dataset.release({ tables, distributions, policy }, options)`: `policy`
/// holds the options of `new Policy(...)`; the rest is the core's release
/// spec. With `ledger`, earlier releases count as public; with `noise`, the
/// counts are differentially private.
pub(crate) fn release(
    dataset: &exitcore::Dataset,
    spec: serde_json::Value,
    ledger: Option<&privacy::Ledger>,
    noise: Option<(&privacy::CellNoise, f64, &mut privacy::Budget)>,
) -> Result<exitcore::privacy::Release, Error> {
    let serde_json::Value::Object(mut spec) = spec else {
        return Err(arg_error(
            "spec",
            "expected an object like { tables: [[\"org_unit\"]] }",
        ));
    };
    let policy = policy_from_options(spec.remove("policy"))?;
    let spec = exitcore::privacy::ReleaseSpec::from_json_value(serde_json::Value::Object(spec))?;
    let plan = spec.plan(dataset, policy, ledger)?;
    match noise {
        None => Ok(plan.decide()),
        Some((n, epsilon, budget)) => plan.decide_with_noise(n, epsilon, budget),
    }
}

/// `options.noise`, `options.epsilon` and `options.budget` together, none of
/// them, or an error naming the first one missing.
pub(crate) fn noise_args<N, B>(
    noise: Option<N>,
    epsilon: Option<f64>,
    budget: Option<B>,
) -> Result<Option<(N, f64, B)>, Error> {
    match (noise, epsilon, budget) {
        (None, None, None) => Ok(None),
        (Some(n), Some(e), Some(b)) => Ok(Some((n, e, b))),
        (n, e, b) => {
            let missing: Vec<&str> = [
                ("options.noise", n.is_none()),
                ("options.epsilon", e.is_none()),
                ("options.budget", b.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, m)| m.then_some(name))
            .collect();
            Err(arg_error(
                missing.first().copied().unwrap_or("options"),
                format!(
                    "a differentially private release needs noise, epsilon and budget together; missing: {}",
                    missing.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_default_to_the_core_and_reject_unknown_names() {
        assert_eq!(policy_from_options(None).unwrap(), Policy::default());
        let p =
            policy_from_options(Some(json!({"k": 7, "commentK": 12, "showZero": true}))).unwrap();
        assert_eq!((p.k(), p.comment_k(), p.show_zero()), (7, 12, true));
        let e = policy_from_options(Some(json!({"kk": 7}))).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        let e = policy_from_options(Some(json!({"k": 1}))).unwrap_err();
        assert_eq!(e.field(), Some("k"));
    }

    #[test]
    fn release_takes_its_policy_from_the_spec() {
        let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
            exits: 200,
            ..Default::default()
        })
        .unwrap();
        let ds = exitcore::Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let r = release(
            &ds,
            json!({"tables": [["org_unit"]], "policy": {"k": 7}}),
            None,
            None,
        )
        .unwrap();
        assert_eq!(r.policy.k(), 7);
        assert!(r.cells.iter().filter_map(|c| c.n).all(|n| n >= 7));
        let e = release(&ds, json!({"tables": [["nope"]]}), None, None).unwrap_err();
        assert_eq!(e.field(), Some("tables[0][0]"));
        assert!(release(&ds, json!([1]), None, None).is_err());
    }

    #[test]
    fn noise_options_go_together_and_name_the_missing_one() {
        assert!(noise_args::<(), ()>(None, None, None).unwrap().is_none());
        assert!(noise_args(Some(()), Some(0.5), Some(())).unwrap().is_some());
        let e = noise_args::<(), ()>(Some(()), None, None).unwrap_err();
        assert_eq!(e.field(), Some("options.epsilon"));
        assert!(e.to_string().contains("options.budget"));
        let e = noise_args::<(), ()>(None, Some(1.0), Some(())).unwrap_err();
        assert_eq!(e.field(), Some("options.noise"));
        let e = noise_args::<(), ()>(Some(()), Some(1.0), None).unwrap_err();
        assert_eq!(e.field(), Some("options.budget"));
    }

    #[test]
    fn release_with_noise_charges_the_budget_once() {
        let org = exitcore::synthetic::generate(&exitcore::synthetic::OrgConfig {
            exits: 200,
            ..Default::default()
        })
        .unwrap();
        let ds = exitcore::Dataset::from_records(&org.questionnaire, &org.records).dataset;
        let key = privacy::CellNoise::new(b"a secret key of at least 16 bytes").unwrap();
        let mut budget = privacy::Budget::new(1.0).unwrap();
        let spec = json!({"tables": [["org_unit"]]});
        let a = release(&ds, spec.clone(), None, Some((&key, 0.5, &mut budget))).unwrap();
        let b = release(&ds, spec.clone(), None, Some((&key, 0.5, &mut budget))).unwrap();
        assert_eq!(a, b);
        assert!(a.noise.is_some());
        assert!((budget.spent() - 0.5).abs() < 1e-12);
        let e = release(&ds, spec, None, Some((&key, 0.6, &mut budget))).unwrap_err();
        assert_eq!(e.code(), "budget_exhausted");
    }
}
