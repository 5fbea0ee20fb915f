//! `Release`, `Ledger`, `CellNoise` and `Budget`: decided releases and the
//! state later releases depend on (what was published, the noise key, the
//! epsilon spent).
//!
//! `dataset.release(spec, { ledger, noise, epsilon, budget })` receives the
//! class instances inside a plain options object; `crate::lend` says how.

use std::cell::RefCell;
use std::rc::Rc;

use exitcore::privacy::{self, Budget, CellKey, CellNoise, Ledger};
use exitcore::{Error, Lang};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::js::{
    Dataset, JsResult, json_arg, options_arg, string_arg, to_js, to_js_error, type_of,
};
use crate::lend::{Lent, borrow_option, lend};

fn number_option(options: &Object, name: &str) -> Result<Option<f64>, Error> {
    let field = format!("options.{name}");
    let value = Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| arg_error(&field, "unreadable"))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_f64().map(Some).ok_or_else(|| {
        arg_error(
            &field,
            format!("expected a number, got {}", type_of(&value)),
        )
    })
}

/// `dataset.release(spec, options)`.
pub(crate) fn release(
    dataset: &Rc<exitcore::Dataset>,
    spec: &JsValue,
    options: &JsValue,
) -> Result<JsRelease, Error> {
    let spec = crate::js::json_value(spec).map_err(|e| arg_error("spec", e))?;
    let options = options_arg(options, &["ledger", "noise", "epsilon", "budget"])?;
    let (mut ledger, mut noise, mut budget, mut epsilon) = (None, None, None, None);
    if let Some(o) = &options {
        let wrong = |name: &str, class: &str| {
            arg_error(format!("options.{name}"), format!("expected a {class}"))
        };
        ledger = match borrow_option(o, "ledger", "Ledger")? {
            None => None,
            Some(Lent::Ledger(l)) => Some(l),
            Some(_) => return Err(wrong("ledger", "Ledger")),
        };
        noise = match borrow_option(o, "noise", "CellNoise")? {
            None => None,
            Some(Lent::Noise(n)) => Some(n),
            Some(_) => return Err(wrong("noise", "CellNoise")),
        };
        budget = match borrow_option(o, "budget", "Budget")? {
            None => None,
            Some(Lent::Budget(b)) => Some(b),
            Some(_) => return Err(wrong("budget", "Budget")),
        };
        epsilon = number_option(o, "epsilon")?;
    }
    let dp = crate::privacy::noise_args(noise, epsilon, budget)?;
    let ledger = ledger
        .as_ref()
        .map(|l| l.try_borrow())
        .transpose()
        .map_err(|_| arg_error("options.ledger", "the Ledger is in use"))?;
    let inner = match dp {
        None => crate::privacy::release(dataset, spec, ledger.as_deref(), None)?,
        Some((noise, epsilon, budget)) => {
            let mut budget = budget
                .try_borrow_mut()
                .map_err(|_| arg_error("options.budget", "the Budget is in use"))?;
            crate::privacy::release(
                dataset,
                spec,
                ledger.as_deref(),
                Some((&noise, epsilon, &mut budget)),
            )?
        }
    };
    Ok(JsRelease {
        inner,
        dataset: Rc::clone(dataset),
    })
}

/// `dataset.analyse(spec, options)`: `options.ledger` lends a `Ledger`, the
/// rest is translated by `crate::analysis`.
pub(crate) fn analyse(
    dataset: &exitcore::Dataset,
    spec: &JsValue,
    options: &JsValue,
) -> Result<exitcore::analysis::Analysis, Error> {
    let spec = crate::js::json_value(spec).map_err(|e| arg_error("spec", e))?;
    let options = options_arg(options, &["ledger", "headcount", "stayers", "roster"])?;
    let ledger = match &options {
        None => None,
        Some(o) => match borrow_option(o, "ledger", "Ledger")? {
            None => None,
            Some(Lent::Ledger(l)) => Some(l),
            Some(_) => return Err(arg_error("options.ledger", "expected a Ledger")),
        },
    };
    let given = crate::inputs::Extra::given(options.as_ref())?;
    // Plain data options go to the core as JSON, which names bad rows.
    let data = |name: &str| -> Result<Option<serde_json::Value>, Error> {
        let Some(o) = &options else { return Ok(None) };
        if given.has(name) {
            return Ok(None);
        }
        let value = Reflect::get(o, &JsValue::from_str(name))
            .map_err(|_| arg_error(format!("options.{name}"), "unreadable"))?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        crate::js::json_value(&value)
            .map(Some)
            .map_err(|e| arg_error(format!("options.{name}"), e))
    };
    let roster: Option<Vec<String>> = data("roster")?
        .map(|v| serde_json::from_value(v).map_err(|e| arg_error("options.roster", e.to_string())))
        .transpose()?;
    let (headcount, stayers) = (data("headcount")?, data("stayers")?);
    let extra = given.or_read(headcount, stayers, roster)?;
    let ledger = ledger
        .as_ref()
        .map(|l| l.try_borrow())
        .transpose()
        .map_err(|_| arg_error("options.ledger", "the Ledger is in use"))?;
    let inputs = exitcore::analysis::AnalysisInputs {
        ledger: ledger.as_deref(),
        headcount: extra.headcount(),
        stayers: extra.stayers(),
        redactor: extra.redactor(),
    };
    crate::analysis::analyse(dataset, spec, inputs)
}

/// A decided release: every cell (released with a count, or withheld with
/// a reason), the audit, the policy and, when differentially private, the
/// noise. Only `dataset.release` makes one.
#[wasm_bindgen(js_name = Release)]
pub struct JsRelease {
    inner: privacy::Release,
    dataset: Rc<exitcore::Dataset>,
}

/// A cell key from an array of `[dimension, value]` pairs or a plain object
/// `{ dimension: value }` (its pairs in the object's key order).
fn cell_key(key: &JsValue) -> Result<CellKey, Error> {
    let value = if key.is_object() && !Array::is_array(key) {
        let pairs: Vec<serde_json::Value> = Object::entries(key.unchecked_ref())
            .iter()
            .map(|entry| json_arg(&entry, "key"))
            .collect::<Result<_, _>>()?;
        serde_json::Value::Array(pairs)
    } else {
        json_arg(key, "key")?
    };
    serde_json::from_value(value).map_err(|e| {
        arg_error(
            "key",
            format!("expected an array of [dimension, value] pairs or an object: {e}"),
        )
    })
}

#[wasm_bindgen(js_class = Release)]
impl JsRelease {
    /// Every cell of every table, in table order.
    #[wasm_bindgen(getter, unchecked_return_type = "CellDecision[]")]
    pub fn cells(&self) -> JsResult<JsValue> {
        to_js(&self.inner.cells)
    }

    /// Cells considered, released, and withheld by reason.
    #[wasm_bindgen(getter, unchecked_return_type = "Audit")]
    pub fn audit(&self) -> JsResult<JsValue> {
        to_js(&self.inner.audit)
    }

    /// The policy the release was decided under (`{ k, comment_k, show_zero }`).
    #[wasm_bindgen(getter, unchecked_return_type = "PolicyDocument")]
    pub fn policy(&self) -> JsResult<JsValue> {
        to_js(&self.inner.policy)
    }

    /// `{ epsilon, scale }` for a differentially private release, else `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "NoiseInfo | null")]
    pub fn noise(&self) -> JsResult<JsValue> {
        to_js(&self.inner.noise)
    }

    /// The release as a plain object (its JSON form), so `JSON.stringify` works.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ReleaseData")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&self.inner)
    }

    /// The redacted comments on free-text `question` of the people in cell
    /// `key`, sorted, or `null` when the release withholds that cell's
    /// comments. `key` is `[["org_unit", "D/A"]]` or `{ org_unit: "D/A" }`
    /// (`[]` is everyone); `options.roster` names (or a `Redactor`'s) are
    /// redacted too and placeholders are in `options.lang` (`"en"`, the
    /// default, or `"nl"`).
    #[wasm_bindgen(unchecked_return_type = "string[] | null")]
    pub fn comments(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CellKey | Record<string, string>")] key: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] question: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CommentOptions")] options: &JsValue,
    ) -> JsResult<JsValue> {
        self.comments_of(key, question, options)
            .map_err(to_js_error)
            .and_then(|c| to_js(&c))
    }
}

impl JsRelease {
    fn comments_of(
        &self,
        key: &JsValue,
        question: &JsValue,
        options: &JsValue,
    ) -> Result<Option<Vec<String>>, Error> {
        let key = cell_key(key)?;
        let question = string_arg(question, "question")?;
        let options = options_arg(options, &["roster", "lang"])?;
        let get = |name: &str| {
            options
                .as_ref()
                .and_then(|o| Reflect::get(o, &JsValue::from_str(name)).ok())
                .filter(|v| !v.is_undefined() && !v.is_null())
        };
        // A `Redactor` made once, or names.
        let given = crate::inputs::Extra::given(options.as_ref())?;
        let roster: Option<Vec<String>> = match get("roster").filter(|_| !given.has("roster")) {
            None => None,
            Some(v) => Some(
                serde_json::from_value(json_arg(&v, "options.roster")?).map_err(|e| {
                    arg_error(
                        "options.roster",
                        format!("expected an array of strings: {e}"),
                    )
                })?,
            ),
        };
        let lang: Lang = match get("lang") {
            None => Lang::En,
            Some(v) => string_arg(&v, "options.lang")?.parse()?,
        };
        let extra = given.or_read(None, None, roster)?;
        // No roster: the redactor of e-mail addresses, numbers and the like.
        let plain;
        let redactor = if let Some(r) = extra.redactor() {
            r
        } else {
            plain = privacy::Redactor::new(&[] as &[String])?;
            &plain
        };
        self.inner
            .comments(&self.dataset, &key, &question, redactor, lang)
    }

    /// The core release.
    pub(crate) fn inner(&self) -> &privacy::Release {
        &self.inner
    }
}

/// Reads a document given as a plain object or as JSON text.
fn document<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, Error> {
    let json_error = |e: serde_path_to_error::Error<serde_json::Error>| Error::Json {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    };
    if let Some(text) = value.as_string() {
        let mut de = serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(&mut de).map_err(json_error)
    } else {
        serde_path_to_error::deserialize(json_arg(value, "value")?).map_err(json_error)
    }
}

/// What earlier releases of a data set published, so that a new release
/// cannot be subtracted from them. Keep it (`toJSON`) between releases.
#[wasm_bindgen(js_name = Ledger)]
pub struct JsLedger {
    inner: Rc<RefCell<Ledger>>,
}

#[wasm_bindgen(js_class = Ledger)]
impl JsLedger {
    /// An empty ledger.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)] // a JS constructor
    pub fn new() -> JsLedger {
        JsLedger {
            inner: Rc::new(RefCell::new(Ledger::default())),
        }
    }

    /// Adds `release`, decided on `dataset`, to the ledger.
    pub fn record(&self, dataset: &Dataset, release: &JsRelease) -> JsResult<()> {
        self.inner
            .try_borrow_mut()
            .map_err(|_| arg_error("ledger", "the Ledger is in use"))
            .and_then(|mut l| l.record(dataset.core(), release.inner()))
            .map_err(to_js_error)
    }

    /// Number of releases recorded.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.borrow().len()
    }

    /// The ledger as a plain object (`JSON.stringify` works).
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "LedgerDocument")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&*self.inner.borrow())
    }

    /// Reads a ledger from `toJSON`'s object or its JSON text.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "LedgerDocument | string")] value: &JsValue,
    ) -> JsResult<JsLedger> {
        document(value)
            .map(|l| JsLedger {
                inner: Rc::new(RefCell::new(l)),
            })
            .map_err(to_js_error)
    }

    /// Lends the ledger to `dataset.release` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        lend(Lent::Ledger(Rc::clone(&self.inner)));
    }
}

/// The secret key of the noise on differentially private counts (at least
/// 16 bytes; a string counts as its UTF-8 bytes).
#[wasm_bindgen(js_name = CellNoise)]
pub struct JsCellNoise {
    inner: Rc<CellNoise>,
}

#[wasm_bindgen(js_class = CellNoise)]
impl JsCellNoise {
    /// `new CellNoise("a secret key of at least 16 bytes")`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key: &JsValue,
    ) -> JsResult<JsCellNoise> {
        let key =
            crate::js::bytes_arg(key, "key", "a string or a Uint8Array").map_err(to_js_error)?;
        CellNoise::new(&key)
            .map(|n| JsCellNoise { inner: Rc::new(n) })
            .map_err(to_js_error)
    }

    /// Lends the key to `dataset.release` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        lend(Lent::Noise(Rc::clone(&self.inner)));
    }
}

/// The epsilon budget of one data set: each distinct release spends its
/// epsilon once (a repeat is free), and one that would overspend throws
/// with `code` `budget_exhausted`. Keep it (`toJSON`) between sessions.
#[wasm_bindgen(js_name = Budget)]
pub struct JsBudget {
    inner: Rc<RefCell<Budget>>,
}

#[wasm_bindgen(js_class = Budget)]
impl JsBudget {
    /// `new Budget(1.0)`: a total epsilon, finite and above 0.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = totalEpsilon, unchecked_param_type = "number")]
        total_epsilon: &JsValue,
    ) -> JsResult<JsBudget> {
        let total = total_epsilon
            .as_f64()
            .ok_or_else(|| {
                arg_error(
                    "total_epsilon",
                    format!("expected a number, got {}", type_of(total_epsilon)),
                )
            })
            .and_then(Budget::new)
            .map_err(to_js_error)?;
        Ok(JsBudget {
            inner: Rc::new(RefCell::new(total)),
        })
    }

    /// Epsilon spent so far.
    #[wasm_bindgen(getter)]
    pub fn spent(&self) -> f64 {
        self.inner.borrow().spent()
    }

    /// Epsilon left.
    #[wasm_bindgen(getter)]
    pub fn remaining(&self) -> f64 {
        self.inner.borrow().remaining()
    }

    /// The total epsilon.
    #[wasm_bindgen(getter)]
    pub fn total(&self) -> f64 {
        self.inner.borrow().total()
    }

    /// The budget (total and charges) as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "BudgetDocument")]
    pub fn to_json(&self) -> JsResult<JsValue> {
        to_js(&*self.inner.borrow())
    }

    /// Reads a budget from `toJSON`'s object or its JSON text (its charges
    /// are replayed, so one edited into overspending does not load).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "BudgetDocument | string")] value: &JsValue,
    ) -> JsResult<JsBudget> {
        document(value)
            .map(|b| JsBudget {
                inner: Rc::new(RefCell::new(b)),
            })
            .map_err(to_js_error)
    }

    /// Lends the budget to `dataset.release` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        lend(Lent::Budget(Rc::clone(&self.inner)));
    }
}
