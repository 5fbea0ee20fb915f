//! `Headcount` and `Stayers`: the report's optional inputs read once, so an
//! app that reports again and again (per policy, per language, per
//! breakdown) does not send thousands of rows across the boundary on every
//! call. `dataset.analyse` and `dataset.report` take either these (and a
//! `Redactor` as `roster`) or the plain rows and names they are made from;
//! both end in the same core values.

use std::rc::Rc;

use exitcore::analysis::Stayer;
use exitcore::privacy::Redactor;
use exitcore::{Error, Headcount};
use js_sys::Object;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::convert::arg_error;
use crate::js::{JsResult, bytes_arg, json_arg, to_js, to_js_error};
use crate::lend::{Lent, lend, lent_option};

/// Headcount per org unit per quarter, checked and summed by the core once.
#[wasm_bindgen(js_name = Headcount)]
pub struct JsHeadcount {
    inner: Rc<Headcount>,
}

#[wasm_bindgen(js_class = Headcount)]
impl JsHeadcount {
    /// `new Headcount(rows)`: rows `{ org_unit, year, quarter, headcount }`;
    /// an error names the first bad row and field (`headcount[3].quarter`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "HeadcountRow[]")] rows: &JsValue,
    ) -> JsResult<JsHeadcount> {
        read_headcount(rows)
            .map(|inner| JsHeadcount { inner })
            .map_err(to_js_error)
    }

    /// `Headcount.fromCsv(text)`: CSV with the columns `org_unit` (levels
    /// joined by `/`), `year`, `quarter` and `headcount`; an error names the
    /// line.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] csv: &JsValue,
    ) -> JsResult<JsHeadcount> {
        let bytes = bytes_arg(csv, "csv", "a string or a Uint8Array").map_err(to_js_error)?;
        Headcount::from_csv(&bytes)
            .map(|h| JsHeadcount { inner: Rc::new(h) })
            .map_err(to_js_error)
    }

    /// The first and last quarter covered, `[[year, quarter], [year, quarter]]`.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "[[number, number], [number, number]] | null"
    )]
    pub fn span(&self) -> JsResult<JsValue> {
        to_js(&self.inner.span())
    }

    /// Person-years of the unit at `orgUnit` and everything under it.
    #[wasm_bindgen(js_name = personYears)]
    pub fn person_years(
        &self,
        #[wasm_bindgen(js_name = orgUnit, unchecked_param_type = "string[]")] org_unit: &JsValue,
    ) -> JsResult<f64> {
        let path = json_arg(org_unit, "orgUnit").and_then(|v| {
            serde_json::from_value::<Vec<String>>(v)
                .map_err(|e| arg_error("orgUnit", format!("expected an array of strings: {e}")))
        });
        Ok(self.inner.person_years(&path.map_err(to_js_error)?))
    }

    /// Lends the headcount to `dataset.analyse` and `dataset.report` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        lend(Lent::Headcount(Rc::clone(&self.inner)));
    }
}

/// Current staff with their tenure so far, read by the core once.
#[wasm_bindgen(js_name = Stayers)]
pub struct JsStayers {
    inner: Rc<[Stayer]>,
}

#[wasm_bindgen(js_class = Stayers)]
impl JsStayers {
    /// `new Stayers(rows)`: rows `{ org_unit, tenure_months }`; an error
    /// names the first bad row and field (`stayers[2].tenure_months`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "{ org_unit: string[]; tenure_months: number }[]")]
        rows: &JsValue,
    ) -> JsResult<JsStayers> {
        read_stayers(rows)
            .map(|inner| JsStayers { inner })
            .map_err(to_js_error)
    }

    /// How many people.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Lends the staff list to `dataset.analyse` and `dataset.report` (internal).
    #[wasm_bindgen(js_name = __exitcoreLend, skip_typescript)]
    pub fn lend(&self) {
        lend(Lent::Stayers(Rc::clone(&self.inner)));
    }
}

/// The optional inputs `analyse` and `report` share: each given as an
/// instance (lent) or read by the core from plain data.
#[derive(Default)]
pub(crate) struct Extra {
    headcount: Option<Rc<Headcount>>,
    stayers: Option<Rc<[Stayer]>>,
    redactor: Option<Rc<Redactor>>,
}

impl Extra {
    /// The inputs given in `options` as instances, and the headcount and
    /// staff rows that cross as plain JSON text (read straight into the
    /// core's rows); the rest are left for [`Extra::or_read`]. An instance
    /// of another class is refused by the option's name.
    pub(crate) fn given(options: Option<&Object>) -> Result<Self, Error> {
        let Some(options) = options else {
            return Ok(Extra::default());
        };
        let wrong = |name: &str, expected: &str, other: &Lent| {
            arg_error(
                format!("options.{name}"),
                format!("expected {expected}, got a {}", other.class()),
            )
        };
        let headcount = match lent_option(options, "headcount")? {
            Some(Lent::Headcount(h)) => Some(h),
            Some(other) => return Err(wrong("headcount", "rows or a Headcount", &other)),
            None => typed_option(options, "headcount")
                .map(Headcount::new)
                .transpose()?
                .map(Rc::new),
        };
        let stayers = match lent_option(options, "stayers")? {
            Some(Lent::Stayers(s)) => Some(s),
            Some(other) => return Err(wrong("stayers", "rows or a Stayers", &other)),
            None => typed_option(options, "stayers").map(Rc::from),
        };
        let redactor = match lent_option(options, "roster")? {
            Some(Lent::Redactor(r)) => Some(r),
            Some(other) => return Err(wrong("roster", "names or a Redactor", &other)),
            None => None,
        };
        Ok(Extra {
            headcount,
            stayers,
            redactor,
        })
    }

    /// Whether the option `name` was read here (so its JSON value is not
    /// to be read again).
    pub(crate) fn has(&self, name: &str) -> bool {
        match name {
            "headcount" => self.headcount.is_some(),
            "stayers" => self.stayers.is_some(),
            "roster" => self.redactor.is_some(),
            _ => false,
        }
    }

    /// A shallow copy of `options` without the fields read here, so that
    /// reading the rest as JSON does not write and parse their rows again.
    /// Each field is read once, here: one whose getter throws is named.
    pub(crate) fn rest(&self, options: &Object) -> Result<Object, Error> {
        let rest = Object::new();
        for key in Object::keys(options).iter() {
            let name = key.as_string().unwrap_or_default();
            if self.has(&name) {
                continue;
            }
            let value = js_sys::Reflect::get(options, &key)
                .map_err(|_| arg_error(format!("options.{name}"), "unreadable"))?;
            let _ = js_sys::Reflect::set(&rest, &key, &value);
        }
        Ok(rest)
    }

    /// Every input [`Extra::given`] did not read, read by the core from
    /// its plain data.
    pub(crate) fn or_read(
        self,
        headcount: Option<Value>,
        stayers: Option<Value>,
        roster: Option<Vec<String>>,
    ) -> Result<Self, Error> {
        /// The value read already, else one read from `data` if given.
        fn given_or<V, T: ?Sized>(
            given: Option<Rc<T>>,
            data: Option<V>,
            read: impl FnOnce(V) -> Result<Rc<T>, Error>,
        ) -> Result<Option<Rc<T>>, Error> {
            match given {
                Some(given) => Ok(Some(given)),
                None => data.map(read).transpose(),
            }
        }
        Ok(Extra {
            headcount: given_or(self.headcount, headcount, |v| {
                Headcount::from_json_value(v).map(Rc::new)
            })?,
            stayers: given_or(self.stayers, stayers, |v| {
                Stayer::list_from_json_value(v).map(Rc::from)
            })?,
            redactor: given_or(self.redactor, roster, |names| {
                Redactor::new(names).map(Rc::new)
            })?,
        })
    }

    pub(crate) fn headcount(&self) -> Option<&Headcount> {
        self.headcount.as_deref()
    }

    pub(crate) fn stayers(&self) -> Option<&[Stayer]> {
        self.stayers.as_deref()
    }

    pub(crate) fn redactor(&self) -> Option<&Redactor> {
        self.redactor.as_deref()
    }
}

/// Rows given as plain JS data, read straight from the JSON text the JS
/// engine writes for them into the core's row type (for the 100k
/// organisation's 27,646 staff rows about half the time of building JSON
/// values first). `None` when they cannot be read so (not plain data, or
/// not rows of `R`): the JSON value way then reads them, and its errors
/// name the failing row and field.
fn typed<R: serde::de::DeserializeOwned>(value: &JsValue) -> Option<Vec<R>> {
    let text = crate::js::plain_json(value)?;
    serde_json::from_str(&text).ok()
}

/// [`typed`] rows of `options[name]`.
fn typed_option<R: serde::de::DeserializeOwned>(options: &Object, name: &str) -> Option<Vec<R>> {
    let value = js_sys::Reflect::get(options, &JsValue::from_str(name)).ok()?;
    typed(&value)
}

fn read_headcount(rows: &JsValue) -> Result<Rc<Headcount>, Error> {
    match typed(rows) {
        Some(rows) => Headcount::new(rows).map(Rc::new),
        None => Headcount::from_json_value(json_arg(rows, "headcount")?).map(Rc::new),
    }
}

fn read_stayers(rows: &JsValue) -> Result<Rc<[Stayer]>, Error> {
    match typed(rows) {
        Some(rows) => Ok(Rc::from(rows)),
        None => Stayer::list_from_json_value(json_arg(rows, "stayers")?).map(Rc::from),
    }
}
