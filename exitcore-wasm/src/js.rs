//! The `#[wasm_bindgen]` surface: thin wrappers that move values across the
//! boundary and turn every failure into a JS `Error` with a `code`.

use std::rc::Rc;

use exitcore::{Error, Loaded};
use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeSeed;
use wasm_bindgen::prelude::*;

use crate::convert::{self, JsonValue, arg_error};

/// What every exported function returns: the value or a thrown JS `Error`.
pub(crate) type JsResult<T> = std::result::Result<T, JsValue>;

/// Turns a core error into a JS `Error` whose message is the core's text,
/// with `code`, `field` and (for invalid records) `problems` properties.
// By value so that it fits `map_err(to_js_error)`.
#[allow(clippy::needless_pass_by_value)]
pub fn to_js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    set(&err, "code", &JsValue::from_str(e.code()));
    set(
        &err,
        "field",
        &e.field().map_or(JsValue::UNDEFINED, JsValue::from_str),
    );
    if e.code() == "invalid_record" {
        let problems = serialize(e.problems()).unwrap_or_else(|_| Array::new().into());
        set(&err, "problems", &problems);
    }
    err.into()
}

/// Sets a property; only a frozen or exotic target can refuse, and the
/// objects set here are always fresh ones of ours.
pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Rust data to plain JS data: objects for maps, never ES `Map`s.
fn serialize<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    serialize(value).map_err(|e| {
        to_js_error(Error::Json {
            path: "(result)".into(),
            message: e.to_string(),
        })
    })
}

/// Any JS value to JSON data, or why it is not JSON data.
///
/// An object or array of plain data crosses as one JSON text written by
/// the JS engine (`js/records.mjs`, which writes only what the reading
/// below would see): property by property, the 35,000 small rows of a
/// headcount and staff list took ~140 ms of a 100k report in Node,
/// `JSON.stringify` ~10 ms. Anything else, and any text `serde_json`
/// refuses (a lone surrogate), is read property by property as before.
pub(crate) fn json_value(value: &JsValue) -> Result<serde_json::Value, String> {
    js_line(value)
        .and_then(|line| convert::json_line(&line))
        .unwrap_or_else(|| json_value_by_property(value))
}

/// An object or array of plain data as the JSON text `JSON.stringify`
/// writes for it, when that is exactly what [`json_value`] reads (`None`
/// too when reading it threw: [`json_value`] then says so).
pub(crate) fn plain_json(value: &JsValue) -> Option<String> {
    js_line(value).filter(|line| !line.is_empty() && !line.starts_with('!'))
}

/// `js/records.mjs`'s line for an object or array (see
/// [`convert::json_line`]); `None` for any other value.
fn js_line(value: &JsValue) -> Option<String> {
    value
        .is_object()
        .then(|| records_json(&Array::of1(value), 0, 1))
}

/// [`json_value`] the slow way, property by property through
/// `serde_wasm_bindgen` (with exitcore's depth limit and number checks).
fn json_value_by_property(value: &JsValue) -> Result<serde_json::Value, String> {
    JsonValue::root()
        .deserialize(serde_wasm_bindgen::Deserializer::from(value.clone()))
        .map_err(|e| {
            // The error is a JS `Error`; its message reads better than its `toString`.
            let e = JsValue::from(e);
            e.dyn_ref::<js_sys::Error>()
                .map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
        })
}

/// Any JS value to JSON data, or an `invalid_argument` error naming `name`.
pub(crate) fn json_arg(value: &JsValue, name: &str) -> Result<serde_json::Value, Error> {
    json_value(value).map_err(|e| arg_error(name, e))
}

pub(crate) fn string_arg(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| arg_error(name, format!("expected a string, got {}", type_of(value))))
}

/// A string (as UTF-8), a `Uint8Array` or an `ArrayBuffer` as bytes.
pub(crate) fn bytes_arg(value: &JsValue, name: &str, expected: &str) -> Result<Vec<u8>, Error> {
    if let Some(s) = value.as_string() {
        Ok(s.into_bytes())
    } else if let Some(a) = value.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else if let Some(b) = value.dyn_ref::<ArrayBuffer>() {
        Ok(Uint8Array::new(b).to_vec())
    } else {
        Err(arg_error(
            name,
            format!("expected {expected}, got {}", type_of(value)),
        ))
    }
}

pub(crate) fn type_of(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_owned()
    } else if Array::is_array(value) {
        "an array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

/// Checks that `value` is a plain options object (or absent) whose keys are
/// all in `known`, and returns it.
pub(crate) fn options_arg(value: &JsValue, known: &[&str]) -> Result<Option<Object>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(arg_error(
            "options",
            format!("expected an object, got {}", type_of(value)),
        ));
    }
    let object: Object = value.clone().unchecked_into();
    for key in Object::keys(&object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(arg_error(
                format!("options.{key}"),
                format!("unknown option; expected one of {}", known.join(", ")),
            ));
        }
    }
    Ok(Some(object))
}

#[wasm_bindgen(module = "/js/records.mjs")]
extern "C" {
    /// Elements `start..end` of `records` as JSON text, one line each; an
    /// empty line for an element that is not plain JSON data.
    #[wasm_bindgen(js_name = exitcoreRecordsJson)]
    fn records_json(records: &Array, start: u32, end: u32) -> String;
}

/// Elements per call of `records_json`: large enough that the calls cost
/// nothing, small enough that the text of one chunk stays a few MB.
const RECORDS_CHUNK: u32 = 4096;

/// The elements of a `fromRecords` array as the core's inputs, read a chunk
/// at a time as JSON text written by the JS engine (one string crosses the
/// boundary per chunk instead of every property of every record). An
/// element the JS side cannot write exactly is read by [`json_value`], so
/// it loads, or becomes a problem at its row, with the same message as when
/// every element was read that way.
struct RecordInputs<'a> {
    records: &'a Array,
    len: u32,
    next: u32,
    chunk: std::vec::IntoIter<Result<serde_json::Value, String>>,
}

impl<'a> RecordInputs<'a> {
    fn new(records: &'a Array) -> Self {
        RecordInputs {
            records,
            len: records.length(),
            next: 0,
            chunk: Vec::new().into_iter(),
        }
    }
}

impl Iterator for RecordInputs<'_> {
    type Item = Result<serde_json::Value, String>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(input) = self.chunk.next() {
                return Some(input);
            }
            if self.next >= self.len {
                return None;
            }
            let start = self.next;
            let end = start.saturating_add(RECORDS_CHUNK).min(self.len);
            let text = records_json(self.records, start, end);
            let records = self.records;
            self.chunk = convert::json_lines(&text, (end - start) as usize, |i| {
                let at = start.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
                json_value_by_property(&records.get(at))
                    .map_err(|e| format!("not a JSON value: {e}"))
            })
            .into_iter();
            self.next = end;
        }
    }
}

/// The `pseudonymiseKey` of an import's options.
fn key_option(options: &JsValue) -> Result<Option<Vec<u8>>, Error> {
    let Some(o) = options_arg(options, &["pseudonymiseKey"])? else {
        return Ok(None);
    };
    let key = Reflect::get(&o, &JsValue::from_str("pseudonymiseKey"))
        .map_err(|_| arg_error("options.pseudonymiseKey", "unreadable"))?;
    if key.is_undefined() || key.is_null() {
        return Ok(None);
    }
    bytes_arg(&key, "options.pseudonymiseKey", "a string or a Uint8Array").map(Some)
}

/// The columns of `importColumns`: names and values. A plain array
/// crosses the boundary as one `JSON.stringify` text; typed arrays are
/// copied as numbers.
fn columns_arg(value: &JsValue) -> Result<(Vec<String>, Vec<convert::ColumnValues>), Error> {
    use convert::ColumnValues;
    if !value.is_object() || Array::is_array(value) {
        return Err(arg_error(
            "columns",
            format!(
                "expected an object of columns ({{ name: array }}), got {}",
                type_of(value)
            ),
        ));
    }
    let object: &Object = value.unchecked_ref();
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for entry in Object::entries(object).iter() {
        let entry: Array = entry.unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        let v = entry.get(1);
        let at = format!("columns.{name}");
        let column = if let Some(a) = v.dyn_ref::<Array>() {
            let parsed = js_sys::JSON::stringify(a)
                .ok()
                .and_then(|t| t.as_string())
                .map(|t| ColumnValues::from_json(&t));
            match parsed {
                Some(Ok(c)) if c.len() == a.length() as usize => c,
                _ => return Err(bad_element(a, &at)),
            }
        } else if ArrayBuffer::is_view(&v) && !v.is_instance_of::<js_sys::DataView>() {
            if v.is_instance_of::<js_sys::BigInt64Array>()
                || v.is_instance_of::<js_sys::BigUint64Array>()
            {
                return Err(arg_error(
                    at,
                    "BigInt arrays are not read; use a Float64Array, an Int32Array or a plain array",
                ));
            }
            let is_int = v.is_instance_of::<js_sys::Int8Array>()
                || v.is_instance_of::<js_sys::Int16Array>()
                || v.is_instance_of::<js_sys::Int32Array>()
                || v.is_instance_of::<js_sys::Uint8Array>()
                || v.is_instance_of::<js_sys::Uint8ClampedArray>()
                || v.is_instance_of::<js_sys::Uint16Array>()
                || v.is_instance_of::<js_sys::Uint32Array>();
            // The Float64Array constructor converts any other typed array exactly.
            let floats = js_sys::Float64Array::new(&v).to_vec();
            if is_int {
                #[allow(clippy::cast_possible_truncation)] // whole numbers within ±2^32
                ColumnValues::Ints(floats.into_iter().map(|x| x as i64).collect())
            } else {
                ColumnValues::Floats(floats)
            }
        } else {
            return Err(arg_error(
                at,
                format!("expected an array or a typed array, got {}", type_of(&v)),
            ));
        };
        names.push(name);
        columns.push(column);
    }
    if names.is_empty() {
        return Err(arg_error("columns", "the table has no columns"));
    }
    Ok((names, columns))
}

/// The error for a plain-array column whose JSON text could not be read:
/// names the first element that is not a string, number, boolean or missing.
fn bad_element(a: &Array, at: &str) -> Error {
    for i in 0..a.length() {
        let v = a.get(i);
        let ok = v.is_undefined()
            || v.is_null()
            || v.as_string().is_some()
            || v.as_bool().is_some()
            || v.as_f64().is_some();
        if !ok {
            return arg_error(
                format!("{at}[{i}]"),
                format!(
                    "expected a string, number, boolean, null or undefined, got {}",
                    type_of(&v)
                ),
            );
        }
    }
    arg_error(at, "the column's values could not be read")
}

/// `{ dataset, problems, rejected }` as a plain object.
fn loaded_to_js(loaded: Loaded) -> JsResult<Object> {
    let Loaded {
        dataset,
        problems,
        rejected,
    } = loaded;
    let problems = to_js(&problems)?;
    let rejected = to_js(&rejected)?;
    let out = Object::new();
    set(
        &out,
        "dataset",
        &JsValue::from(Dataset {
            inner: Rc::new(dataset),
        }),
    );
    set(&out, "problems", &problems);
    set(&out, "rejected", &rejected);
    Ok(out)
}

/// A versioned questionnaire: themes, questions, skip logic.
#[wasm_bindgen(js_name = Questionnaire)]
pub struct JsQuestionnaire {
    pub(crate) inner: exitcore::Questionnaire,
}

#[wasm_bindgen(js_class = Questionnaire)]
impl JsQuestionnaire {
    /// The standard exit questionnaire shipped with exitcore (nl and en).
    pub fn standard() -> JsQuestionnaire {
        JsQuestionnaire {
            inner: exitcore::Questionnaire::standard(),
        }
    }

    /// Parses a questionnaire from JSON text and checks it for consistency.
    /// Throws an `Error` with `code` `questionnaire` and `field` the JSON path.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] json: &JsValue,
    ) -> JsResult<JsQuestionnaire> {
        let json = string_arg(json, "json").map_err(to_js_error)?;
        exitcore::Questionnaire::from_json(&json)
            .map(|inner| JsQuestionnaire { inner })
            .map_err(to_js_error)
    }

    /// The questionnaire as pretty-printed JSON text.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The questionnaire as a plain object (its JSON document).
    #[wasm_bindgen(js_name = toObject, unchecked_return_type = "QuestionnaireDocument")]
    pub fn to_object(&self) -> JsResult<JsValue> {
        to_js(&self.inner)
    }

    /// Stable id of the questionnaire family.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id.clone()
    }

    /// Version number, from 1.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> u32 {
        self.inner.version
    }

    /// The question ids, in the order they are asked.
    #[wasm_bindgen(js_name = questionIds)]
    pub fn question_ids(&self) -> Vec<String> {
        self.inner.questions.iter().map(|q| q.id.clone()).collect()
    }

    /// Checks one record; throws an `Error` with `code` `invalid_record` and
    /// `problems`, or `code` `json` when the object is not a record at all.
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExitRecord")] record: &JsValue,
    ) -> JsResult<()> {
        let record = json_arg(record, "record").map_err(to_js_error)?;
        convert::validate_record(&self.inner, &record).map_err(to_js_error)
    }

    /// Every problem of one record (empty when it is valid); throws with
    /// `code` `json` when the object is not a record at all.
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn problems(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExitRecord")] record: &JsValue,
    ) -> JsResult<JsValue> {
        let record = json_arg(record, "record").map_err(to_js_error)?;
        let problems = convert::record_problems(&self.inner, &record).map_err(to_js_error)?;
        to_js(&problems)
    }

    /// Carries a record of an earlier version over to this version.
    #[wasm_bindgen(unchecked_return_type = "ExitRecord")]
    pub fn migrate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExitRecord")] record: &JsValue,
    ) -> JsResult<JsValue> {
        let record = json_arg(record, "record").map_err(to_js_error)?;
        let migrated = convert::migrate_record(&self.inner, &record).map_err(to_js_error)?;
        to_js(&migrated)
    }
}

/// A checked CSV import mapping together with the questionnaire it fills.
#[wasm_bindgen(js_name = Mapping)]
pub struct JsMapping {
    inner: exitcore::Mapping,
}

#[wasm_bindgen(js_class = Mapping)]
impl JsMapping {
    /// Parses a mapping whose questionnaire is `"standard"` or inline.
    /// Throws an `Error` with `code` `mapping` and `field` the JSON path.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] json: &JsValue,
    ) -> JsResult<JsMapping> {
        let json = string_arg(json, "json").map_err(to_js_error)?;
        exitcore::Mapping::from_json(&json)
            .map(|inner| JsMapping { inner })
            .map_err(to_js_error)
    }

    /// Parses a mapping and uses `questionnaire` for it, whatever the mapping
    /// refers to (a browser has no file system to read a questionnaire file from).
    #[wasm_bindgen(js_name = fromJsonWithQuestionnaire)]
    pub fn from_json_with_questionnaire(
        #[wasm_bindgen(unchecked_param_type = "string")] json: &JsValue,
        questionnaire: &JsQuestionnaire,
    ) -> JsResult<JsMapping> {
        let json = string_arg(json, "json").map_err(to_js_error)?;
        exitcore::Mapping::from_json_with_questionnaire(&json, questionnaire.inner.clone())
            .map(|inner| JsMapping { inner })
            .map_err(to_js_error)
    }

    /// The mapping of a table whose columns are named after the record's
    /// fields (`respondent`, `org_unit` with levels joined by `/`,
    /// `exit_date`, ...) and the questionnaire's question ids, holding
    /// canonical values: what `importColumns` needs for such a table (as
    /// Python's `Mapping.identity`). Throws `mapping` when a required
    /// column is missing.
    pub fn identity(
        questionnaire: &JsQuestionnaire,
        #[wasm_bindgen(unchecked_param_type = "string[]")] columns: &JsValue,
    ) -> JsResult<JsMapping> {
        let names: Vec<String> = json_arg(columns, "columns")
            .and_then(|v| {
                serde_json::from_value(v)
                    .map_err(|_| convert::arg_error("columns", "expected an array of column names"))
            })
            .map_err(to_js_error)?;
        exitcore::Mapping::identity(questionnaire.inner.clone(), &names)
            .map(|inner| JsMapping { inner })
            .map_err(to_js_error)
    }

    /// The questionnaire the mapping fills (a copy).
    #[wasm_bindgen(getter)]
    pub fn questionnaire(&self) -> JsQuestionnaire {
        JsQuestionnaire {
            inner: self.inner.questionnaire().clone(),
        }
    }
}

/// Validated exit records, stored by column for analysis.
#[wasm_bindgen(js_name = Dataset)]
pub struct Dataset {
    // Shared with the releases decided on it, which need it for comments.
    inner: Rc<exitcore::Dataset>,
}

impl Dataset {
    /// The core data set.
    pub(crate) fn core(&self) -> &exitcore::Dataset {
        &self.inner
    }
}

#[wasm_bindgen(js_class = Dataset)]
impl Dataset {
    /// Validates record objects and keeps the valid ones. A malformed
    /// element becomes a problem with its 1-based `row`; it never fails the
    /// call. Throws (`invalid_argument`) only when `records` is not an array.
    #[wasm_bindgen(js_name = fromRecords, unchecked_return_type = "LoadResult")]
    pub fn from_records(
        questionnaire: &JsQuestionnaire,
        #[wasm_bindgen(unchecked_param_type = "ExitRecord[]")] records: &JsValue,
    ) -> JsResult<Object> {
        let Some(array) = records.dyn_ref::<Array>() else {
            return Err(to_js_error(arg_error(
                "records",
                format!("expected an array of records, got {}", type_of(records)),
            )));
        };
        loaded_to_js(convert::load_records(
            &questionnaire.inner,
            RecordInputs::new(array),
        ))
    }

    /// Imports a CSV export (text, `Uint8Array` or `ArrayBuffer`) through a
    /// mapping. Bad rows become problems; throws only when the file cannot be
    /// used at all (`csv`, `mapping`) or an argument is wrong (`invalid_argument`).
    #[wasm_bindgen(js_name = importCsv, unchecked_return_type = "ImportResult")]
    pub fn import_csv(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] csv: &JsValue,
        mapping: &JsMapping,
        #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: &JsValue,
    ) -> JsResult<Object> {
        let bytes = bytes_arg(csv, "csv", "CSV text, a Uint8Array or an ArrayBuffer")
            .map_err(to_js_error)?;
        let key = key_option(options).map_err(to_js_error)?;
        let outcome =
            convert::import_csv(&mapping.inner, &bytes, key.as_deref()).map_err(to_js_error)?;
        let out = loaded_to_js(outcome.loaded)?;
        set(&out, "summary", &to_js(&outcome.summary)?);
        Ok(out)
    }

    /// Imports a table given by column: `{ name: Array | TypedArray }`,
    /// every column as long as the first. Array elements are strings,
    /// numbers, booleans, or `null`/`undefined` (missing); `NaN` (and, in a
    /// plain array, `Infinity`, which JSON cannot hold) is missing too.
    /// Through `mapping` the columns import exactly like the same data
    /// in a CSV file, problems included (rows numbered from 1). Throws
    /// `invalid_argument` for a value that is not such a table (naming the
    /// column, and the element when one is neither text, number, boolean
    /// nor missing) and `mapping` for a mapped column that is not there.
    #[wasm_bindgen(js_name = importColumns, unchecked_return_type = "ImportResult")]
    pub fn import_columns(
        #[wasm_bindgen(unchecked_param_type = "Record<string, ColumnData>")] columns: &JsValue,
        mapping: &JsMapping,
        #[wasm_bindgen(unchecked_optional_param_type = "ImportOptions")] options: &JsValue,
    ) -> JsResult<Object> {
        let (names, values) = columns_arg(columns).map_err(to_js_error)?;
        let key = key_option(options).map_err(to_js_error)?;
        let outcome = convert::import_columns(Some(&mapping.inner), &names, values, key.as_deref())
            .map_err(to_js_error)?;
        let out = loaded_to_js(outcome.loaded)?;
        set(&out, "summary", &to_js(&outcome.summary)?);
        Ok(out)
    }

    /// Number of records.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Size and shape of the dataset; no answers.
    #[wasm_bindgen(unchecked_return_type = "DatasetSummary")]
    pub fn summary(&self) -> JsResult<JsValue> {
        to_js(&self.inner.summary())
    }

    /// Decides a release: which cells of the given tables may be shown, and
    /// an audit. `spec` is `{ tables: [["org_unit"], ["org_unit", "tenure_band"]],
    /// distributions?: ["primary_reason"], policy?: { k, commentK, showZero } }`.
    /// `options.ledger` counts the cells of the releases recorded in it as
    /// public; `options.noise`, `options.epsilon` and `options.budget`
    /// (all three or none) make the counts differentially private.
    pub fn release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReleaseSpec")] spec: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ReleaseOptions")] options: &JsValue,
    ) -> JsResult<crate::release::JsRelease> {
        crate::release::release(&self.inner, spec, options).map_err(to_js_error)
    }

    /// Analyses the data set on the cells a release would show: reason
    /// shares, item means and eNPS per group, tests across groups,
    /// group-versus-rest findings with a false-discovery-rate correction,
    /// and insights in Dutch and English. `spec` is `{ by?: [["org_unit"],
    /// ["job_family", "tenure_band"]], confidence?, fdr?, minTestGroup?,
    /// trend?: "month" | "quarter" | "year", policy?: { k, commentK, showZero } }`
    /// (omitted: the core's defaults); `options.ledger` counts the cells of
    /// the releases recorded in it as public. Returns a plain object (the
    /// analysis's JSON form, `snake_case` keys like a release's).
    #[wasm_bindgen(unchecked_return_type = "AnalysisData")]
    pub fn analyse(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "AnalysisSpec")] spec: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AnalyseOptions")] options: &JsValue,
    ) -> JsResult<JsValue> {
        let analysis = crate::release::analyse(&self.inner, spec, options).map_err(to_js_error)?;
        to_js(&analysis)
    }

    /// The report: `options = { lang?: "nl" | "en", policy?, by?, headcount?,
    /// stayers?, roster?, title? }`, rendered by the core with `toJson()`,
    /// `toMarkdown()` and `toHtml()`.
    pub fn report(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ReportOptions")] options: &JsValue,
    ) -> JsResult<crate::report::JsReport> {
        let (given, rest) = match options.dyn_ref::<Object>() {
            Some(o) if !Array::is_array(o) => {
                let given = crate::inputs::Extra::given(Some(o)).map_err(to_js_error)?;
                let rest = JsValue::from(given.rest(o).map_err(to_js_error)?);
                (given, rest)
            }
            _ => (crate::inputs::Extra::default(), options.clone()),
        };
        let options = if rest.is_undefined() || rest.is_null() {
            None
        } else {
            Some(json_value(&rest).map_err(|e| to_js_error(arg_error("options", e)))?)
        };
        crate::report::build(&self.inner, options, given)
            .map(crate::report::JsReport::new)
            .map_err(to_js_error)
    }

    /// Every org unit path (all levels), sorted.
    #[wasm_bindgen(js_name = orgUnits, unchecked_return_type = "string[][]")]
    pub fn org_units(&self) -> JsResult<JsValue> {
        to_js(&self.inner.org_units())
    }

    /// The questionnaire the records answer (a copy).
    #[wasm_bindgen(getter)]
    pub fn questionnaire(&self) -> JsQuestionnaire {
        JsQuestionnaire {
            inner: self.inner.questionnaire().clone(),
        }
    }
}

/// The pseudonym of `id` under `key` (at least 16 bytes): `p_` and 32 hex
/// digits of HMAC-SHA256. The same key gives the same pseudonym.
#[wasm_bindgen]
pub fn pseudonymise(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
) -> JsResult<String> {
    let key = bytes_arg(key, "key", "a string or a Uint8Array").map_err(to_js_error)?;
    let id = string_arg(id, "id").map_err(to_js_error)?;
    convert::pseudonymise(&key, &id).map_err(to_js_error)
}
