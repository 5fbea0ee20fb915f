//! Host-testable translation between JS-shaped input and exitcore calls.
//!
//! Nothing here validates, parses or computes anything of the domain: it
//! turns loosely typed input into the core's types (or the core's errors)
//! and hands it to the core. The `#[wasm_bindgen]` wrappers in `js.rs` only
//! move values across the boundary.

use std::fmt;

use exitcore::{
    Dataset, Error, ExitRecord, ImportOptions, ImportOutcome, Loaded, Mapping, Problem,
    Pseudonymiser, Questionnaire, Result,
};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted from JS, as in `serde_json`'s own parser; it
/// also stops circular objects before they exhaust the wasm stack.
pub(crate) const MAX_DEPTH: usize = 128;

/// An [`Error::InvalidArgument`] for the JS argument `name`.
pub(crate) fn arg_error(name: impl Into<String>, message: impl fmt::Display) -> Error {
    Error::InvalidArgument {
        name: name.into(),
        message: message.to_string(),
    }
}

/// A [`DeserializeSeed`] that builds a [`serde_json::Value`] from any
/// self-describing deserializer (here: a JS value), refusing what JSON cannot
/// hold (non-finite numbers, binary data) and nesting deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonValue {
    depth: usize,
}

impl JsonValue {
    /// The seed for a top-level value.
    pub(crate) fn root() -> Self {
        JsonValue { depth: 0 }
    }

    fn child<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            Err(E::custom(format!(
                "nested more than {MAX_DEPTH} levels deep (or circular)"
            )))
        } else {
            Ok(JsonValue {
                depth: self.depth + 1,
            })
        }
    }
}

impl<'de> DeserializeSeed<'de> for JsonValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value (null, boolean, number, string, array or plain object)")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a JSON number")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let child = self.child()?;
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(child)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let child = self.child()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(child)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A record from a JSON value, through the core's own parser so that errors
/// name the JSON path (`code` `json`).
pub(crate) fn record_from_value(value: &Value) -> Result<ExitRecord> {
    ExitRecord::from_json_value(value.clone())
}

/// A record as a JSON value (for handing back to JS).
pub(crate) fn record_to_value(record: &ExitRecord) -> Result<Value> {
    serde_json::to_value(record).map_err(|e| Error::Json {
        path: "(result)".into(),
        message: e.to_string(),
    })
}

/// `Questionnaire.problems(record)`.
pub(crate) fn record_problems(q: &Questionnaire, record: &Value) -> Result<Vec<Problem>> {
    Ok(q.problems(&record_from_value(record)?))
}

/// `Questionnaire.validate(record)`.
pub(crate) fn validate_record(q: &Questionnaire, record: &Value) -> Result<()> {
    q.validate(&record_from_value(record)?)
}

/// `Questionnaire.migrate(record)`.
pub(crate) fn migrate_record(q: &Questionnaire, record: &Value) -> Result<Value> {
    record_to_value(&q.migrate(&record_from_value(record)?)?)
}

/// `Dataset.fromRecords(q, records)`: every element is a row; the core turns
/// malformed ones (and ones that were not JSON at all) into problems.
pub(crate) fn load_records<I>(q: &Questionnaire, records: I) -> Loaded
where
    I: IntoIterator<Item = std::result::Result<Value, String>>,
{
    Dataset::from_json_inputs(q, records)
}

/// `count` elements from JSON text with one line per element (what
/// `js/records.mjs` writes). A line that is not JSON (the JS side leaves it
/// empty for an element it cannot write exactly) is read by `slow(i)`
/// instead; so is every element when the text does not have `count` lines,
/// which would mean the lines no longer match the elements. A line of
/// [`json_line`]'s error (reading the element threw) is that error.
pub(crate) fn json_lines<F>(
    text: &str,
    count: usize,
    mut slow: F,
) -> Vec<std::result::Result<Value, String>>
where
    F: FnMut(usize) -> std::result::Result<Value, String>,
{
    let aligned = count > 0 && text.split('\n').count() == count;
    let mut lines = text.split('\n').filter(|_| aligned);
    (0..count)
        .map(|i| match lines.next().map(json_line) {
            Some(Some(Ok(value))) => Ok(value),
            Some(Some(Err(threw))) => Err(format!("not a JSON value: {threw}")),
            _ => slow(i),
        })
        .collect()
}

/// One line of `js/records.mjs`: the element's value, the error that
/// reading it threw (a line starting `!`: no JSON text does), or `None`
/// when the JS side could not write it (the element is read the slow way).
pub(crate) fn json_line(line: &str) -> Option<std::result::Result<Value, String>> {
    if let Some(message) = line.strip_prefix('!') {
        return Some(Err(format!("reading it threw an error: {message}")));
    }
    serde_json::from_str(line).ok().map(Ok)
}

/// `Dataset.importCsv(csv, mapping, { pseudonymiseKey })`.
pub(crate) fn import_csv(
    mapping: &Mapping,
    csv: &[u8],
    key: Option<&[u8]>,
) -> Result<ImportOutcome> {
    let pseudonymiser = key.map(Pseudonymiser::new).transpose()?;
    mapping.import_csv(csv, &ImportOptions { pseudonymiser })
}

/// A value in a plain-array column of `Dataset.importColumns`.
#[derive(Debug, Clone)]
pub(crate) enum Scalar {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// Read by hand: serde's untagged enums buffer every value first, which
/// made a million-row column several times slower than its CSV text.
impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Bool(b))
            }
            #[allow(clippy::cast_precision_loss)] // JS numbers are f64 already
            fn visit_i64<E: de::Error>(self, n: i64) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Number(n as f64))
            }
            #[allow(clippy::cast_precision_loss)] // JS numbers are f64 already
            fn visit_u64<E: de::Error>(self, n: u64) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Number(n as f64))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Number(x))
            }
            fn visit_str<E: de::Error>(self, t: &str) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Text(t.to_owned()))
            }
            fn visit_string<E: de::Error>(self, t: String) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Text(t))
            }
        }
        d.deserialize_any(V)
    }
}

/// One column of `Dataset.importColumns` as read from JS.
#[derive(Debug, Clone)]
pub(crate) enum ColumnValues {
    /// A plain array: strings, numbers, booleans; `None` for null/undefined.
    Cells(Vec<Option<Scalar>>),
    /// An integer typed array.
    Ints(Vec<i64>),
    /// A float typed array (`NaN`, JS's missing number, is missing).
    Floats(Vec<f64>),
}

impl ColumnValues {
    pub(crate) fn len(&self) -> usize {
        match self {
            ColumnValues::Cells(v) => v.len(),
            ColumnValues::Ints(v) => v.len(),
            ColumnValues::Floats(v) => v.len(),
        }
    }

    /// A plain array's elements from their `JSON.stringify` text.
    pub(crate) fn from_json(text: &str) -> std::result::Result<Self, String> {
        serde_json::from_str(text)
            .map(ColumnValues::Cells)
            .map_err(|e| e.to_string())
    }
}

/// The columns of `Dataset.importColumns`, read by the core as cells.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) rows: usize,
    pub(crate) columns: Vec<ColumnValues>,
}

impl exitcore::import::Columns for Table {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cell(&self, column: usize, row: usize) -> exitcore::import::Cell<'_> {
        use exitcore::import::Cell;
        match self.columns.get(column) {
            Some(ColumnValues::Cells(v)) => match v.get(row) {
                Some(Some(Scalar::Text(t))) => Cell::Text(t),
                Some(Some(Scalar::Number(x))) => Cell::Float(*x),
                Some(Some(Scalar::Bool(b))) => Cell::Bool(*b),
                _ => Cell::Null,
            },
            Some(ColumnValues::Ints(v)) => v.get(row).map_or(Cell::Null, |&n| Cell::Int(n)),
            Some(ColumnValues::Floats(v)) => v
                .get(row)
                .filter(|x| !x.is_nan())
                .map_or(Cell::Null, |&x| Cell::Float(x)),
            None => Cell::Null,
        }
    }

    /// An integer typed array is read in place (a float one is not: its
    /// `NaN`s are missing, which an Arrow-style column has no way to say).
    fn numbers(&self, column: usize) -> Option<exitcore::import::NumberColumn<'_>> {
        match self.columns.get(column)? {
            ColumnValues::Ints(v) => Some(exitcore::import::NumberColumn {
                values: exitcore::import::Numbers::Int64(v),
                validity: None,
            }),
            ColumnValues::Cells(_) | ColumnValues::Floats(_) => None,
        }
    }
}

/// `Dataset.importColumns(columns, mapping?, { pseudonymiseKey })`: through
/// `mapping`, or without one the identity mapping of the standard
/// questionnaire (columns named after the record's fields).
pub(crate) fn import_columns(
    mapping: Option<&Mapping>,
    names: &[String],
    columns: Vec<ColumnValues>,
    key: Option<&[u8]>,
) -> Result<ImportOutcome> {
    let rows = columns.first().map_or(0, ColumnValues::len);
    if let Some((name, c)) = names.iter().zip(&columns).find(|(_, c)| c.len() != rows) {
        return Err(arg_error(
            format!("columns.{name}"),
            format!("has {} values, the first column has {rows}", c.len()),
        ));
    }
    let pseudonymiser = key.map(Pseudonymiser::new).transpose()?;
    let options = ImportOptions { pseudonymiser };
    let table = Table { rows, columns };
    let identity;
    let mapping = if let Some(m) = mapping {
        m
    } else {
        identity = Mapping::identity(Questionnaire::standard(), names)?;
        &identity
    };
    mapping.import_columns(names, [&table as &dyn exitcore::import::Columns], &options)
}

/// `pseudonymise(key, id)`.
pub(crate) fn pseudonymise(key: &[u8], id: &str) -> Result<String> {
    Ok(Pseudonymiser::new(key)?.pseudonymise(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, F64Deserializer};
    use serde_json::json;

    fn standard_record(id: &str) -> Value {
        json!({
            "respondent": id, "questionnaire": "exitcore.standard", "version": 1,
            "context": {"org_unit": ["Sales", "North"]},
            "answers": {"primary_reason": "pay", "enps": 7, "would_return": true}
        })
    }

    #[test]
    fn json_value_round_trips_and_limits_depth() {
        let v = standard_record("a");
        assert_eq!(JsonValue::root().deserialize(v.clone()).unwrap(), v);

        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(JsonValue::root().deserialize(deep.clone()).is_ok());
        let err = JsonValue::root().deserialize(json!([deep])).unwrap_err();
        assert!(err.to_string().contains("levels deep"), "{err}");
    }

    #[test]
    fn json_value_refuses_non_finite_numbers() {
        let err = JsonValue::root()
            .deserialize(F64Deserializer::<ValueError>::new(f64::NAN))
            .unwrap_err();
        assert!(
            err.to_string().contains("NaN is not a JSON number"),
            "{err}"
        );
        let ok = JsonValue::root()
            .deserialize(F64Deserializer::<ValueError>::new(2.5))
            .unwrap();
        assert_eq!(ok, json!(2.5));
    }

    #[test]
    fn record_errors_come_from_the_core_with_a_path() {
        let q = Questionnaire::standard();
        let mut bad = standard_record("a");
        bad["context"]["tenure"] = json!("long");
        let err = validate_record(&q, &bad).unwrap_err();
        assert_eq!(err.code(), "json");
        assert_eq!(err.field(), Some("context.tenure"));

        let err = validate_record(&q, &Value::Null).unwrap_err();
        assert_eq!(err.code(), "json");

        let mut out_of_range = standard_record("b");
        out_of_range["answers"]["enps"] = json!(11);
        let err = validate_record(&q, &out_of_range).unwrap_err();
        assert_eq!(err.code(), "invalid_record");
        assert_eq!(err.field(), Some("answers.enps"));
        assert_eq!(record_problems(&q, &out_of_range).unwrap().len(), 1);
        assert!(validate_record(&q, &standard_record("c")).is_ok());
        assert_eq!(
            migrate_record(&q, &standard_record("c")).unwrap(),
            standard_record("c")
        );
    }

    #[test]
    fn load_keeps_valid_rows_and_reports_the_rest() {
        let q = Questionnaire::standard();
        let loaded = load_records(
            &q,
            vec![
                Ok(standard_record("a")),
                Err("not a JSON value: NaN is not a JSON number".to_owned()),
                Ok(standard_record("a")),
                Ok(json!(42)),
            ],
        );
        assert_eq!(loaded.dataset.len(), 1);
        assert_eq!(loaded.rejected, 3);
        let rows: Vec<_> = loaded.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [Some(2), Some(3), Some(4)]);
        assert!(loaded.problems[0].message.contains("NaN"));
    }

    #[test]
    fn json_lines_reads_each_line_and_leaves_the_rest_to_the_slow_way() {
        let slow = |i: usize| Err(format!("slow {i}"));
        let out = json_lines("{\"a\":1}\n\n42\n[\"\\ud800\"]\nnull", 5, slow);
        assert_eq!(
            out,
            [
                Ok(json!({"a": 1})),
                Err("slow 1".to_owned()),
                Ok(json!(42)),
                // A lone surrogate is not JSON text.
                Err("slow 3".to_owned()),
                Ok(Value::Null),
            ]
        );
        // An element whose reading threw (a getter) is a problem on its row,
        // never read again (which would throw out of the whole call).
        let out = json_lines("1\n!boom: no\n3", 3, slow);
        assert_eq!(
            out,
            [
                Ok(json!(1)),
                Err("not a JSON value: reading it threw an error: boom: no".to_owned()),
                Ok(json!(3)),
            ]
        );
        assert_eq!(
            json_line("!x"),
            Some(Err("reading it threw an error: x".to_owned()))
        );
        assert_eq!(json_line(""), None);
        // Lines that do not match the elements one to one are not trusted.
        for (text, count) in [("1\n2", 3), ("1\n2\n3", 2), ("", 0)] {
            let out = json_lines(text, count, |i| Ok(json!(format!("slow {i}"))));
            let expected: Vec<_> = (0..count).map(|i| Ok(json!(format!("slow {i}")))).collect();
            assert_eq!(out, expected, "{text:?}");
        }
    }

    #[test]
    fn pseudonymise_needs_a_long_key() {
        let err = pseudonymise(b"short", "E1").unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
        let p = pseudonymise(b"0123456789abcdef", " E1 ").unwrap();
        assert_eq!(p, pseudonymise(b"0123456789abcdef", "E1").unwrap());
    }

    #[test]
    fn import_passes_the_key_to_the_core() {
        let mapping = Mapping::from_json(
            r#"{"questionnaire": "standard", "respondent": {"column": "ID"},
                "context": {"org_unit": {"column": "Unit"}},
                "answers": {"primary_reason": {"column": "Reason"}, "enps": {"column": "NPS"},
                            "would_return": {"column": "Back"}}}"#,
        )
        .unwrap();
        let csv = b"ID,Unit,Reason,NPS,Back\n1,Sales,pay,7,Yes\n2,Sales,pay,12,No\n";
        let out = import_csv(&mapping, csv, Some(b"0123456789abcdef")).unwrap();
        assert_eq!(out.loaded.dataset.len(), 1);
        assert_eq!(out.loaded.problems[0].row, Some(3));
        let err = import_csv(&mapping, csv, Some(b"short")).unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
    }
}
