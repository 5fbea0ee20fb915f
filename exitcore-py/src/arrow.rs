//! Arrow tables (pyarrow, polars, pandas through pyarrow) as the core's
//! `exitcore::import::Columns`: each Arrow column becomes cells, and the
//! core's import engine decides everything else.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use exitcore::import::{
    Cell, Columns, Dictionary, NumberColumn, Numbers, TextColumn, TextLayout, Validity,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// One Arrow column, in a form whose cells are cheap to read.
pub(crate) enum Column {
    Null,
    Utf8(arrow_array::StringArray),
    LargeUtf8(arrow_array::LargeStringArray),
    Utf8View(arrow_array::StringViewArray),
    /// A dictionary's values as text (shared by the batches that share
    /// the dictionary) and its keys (`Dictionary::NULL` for a null row;
    /// the array's validity is not used).
    Dict(arrow_array::StringArray, arrow_array::UInt32Array),
    Bool(arrow_array::BooleanArray),
    /// The primitive types the core reads in place (`Columns::numbers`).
    Numbers(Primitive),
    Int(Box<dyn Fn(usize) -> Option<i64> + Send + Sync>),
    Float(Box<dyn Fn(usize) -> Option<f64> + Send + Sync>),
}

pub(crate) enum Primitive {
    Int64(arrow_array::Int64Array),
    Int32(arrow_array::Int32Array),
    Float64(arrow_array::Float64Array),
    Date32(arrow_array::Date32Array),
}

impl Primitive {
    fn column(&self) -> NumberColumn<'_> {
        let (values, validity) = match self {
            Primitive::Int64(a) => (Numbers::Int64(&a.values()[..]), validity(a)),
            Primitive::Int32(a) => (Numbers::Int32(&a.values()[..]), validity(a)),
            Primitive::Float64(a) => (Numbers::Float64(&a.values()[..]), validity(a)),
            Primitive::Date32(a) => (Numbers::Date32(&a.values()[..]), validity(a)),
        };
        NumberColumn { values, validity }
    }
}

/// An array's validity bitmap as the core reads it.
fn validity(a: &dyn Array) -> Option<Validity<'_>> {
    a.nulls().map(|n| Validity {
        bits: n.validity(),
        offset: n.offset(),
    })
}

/// A record batch read as cells.
pub struct Batch {
    rows: usize,
    columns: Vec<Column>,
}

impl Columns for Batch {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cell(&self, column: usize, row: usize) -> Cell<'_> {
        self.columns.get(column).map_or(Cell::Null, |c| c.cell(row))
    }

    fn dictionary(&self, column: usize) -> Option<Dictionary<'_>> {
        self.columns.get(column)?.dictionary(self.rows)
    }

    fn texts(&self, column: usize) -> Option<TextColumn<'_>> {
        self.columns.get(column)?.texts()
    }

    fn numbers(&self, column: usize) -> Option<NumberColumn<'_>> {
        self.columns.get(column)?.numbers()
    }
}

impl Column {
    pub(crate) fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Null => Cell::Null,
            Column::Utf8(a) => {
                if a.is_valid(row) {
                    Cell::Text(a.value(row))
                } else {
                    Cell::Null
                }
            }
            Column::LargeUtf8(a) => {
                if a.is_valid(row) {
                    Cell::Text(a.value(row))
                } else {
                    Cell::Null
                }
            }
            Column::Utf8View(a) => {
                if a.is_valid(row) {
                    Cell::Text(a.value(row))
                } else {
                    Cell::Null
                }
            }
            Column::Dict(values, keys) => match keys.values().get(row) {
                Some(&k) if (k as usize) < values.len() && values.is_valid(k as usize) => {
                    Cell::Text(values.value(k as usize))
                }
                _ => Cell::Null,
            },
            Column::Bool(a) => {
                if a.is_valid(row) {
                    Cell::Bool(a.value(row))
                } else {
                    Cell::Null
                }
            }
            // The cells the core would read in place, by construction.
            Column::Numbers(p) => p.column().get(row),
            Column::Int(f) => f(row).map_or(Cell::Null, Cell::Int),
            Column::Float(f) => f(row).map_or(Cell::Null, Cell::Float),
        }
    }

    /// Dictionary columns (pandas categoricals, polars categoricals and
    /// enums) hand over their values and keys as they are, unless the
    /// dictionary has more values than the batch has rows: one dictionary
    /// shared by many small batches (`pyarrow.compute.dictionary_encode`
    /// over a chunked column, a polars global categorical) would then cost
    /// its whole size per batch, so its rows are read as cells instead.
    pub(crate) fn dictionary(&self, rows: usize) -> Option<Dictionary<'_>> {
        let Column::Dict(values, keys) = self else {
            return None;
        };
        if values.len() > rows {
            return None;
        }
        Some(Dictionary {
            values: values
                .iter()
                .map(|v| v.map_or(Cell::Null, Cell::Text))
                .collect(),
            keys: std::borrow::Cow::Borrowed(keys.values()),
        })
    }

    /// Text columns as their Arrow buffers, which the core reads in place.
    pub(crate) fn texts(&self) -> Option<TextColumn<'_>> {
        let (layout, validity) = match self {
            Column::Utf8(a) => (
                TextLayout::Offsets32 {
                    offsets: a.value_offsets(),
                    bytes: a.value_data(),
                },
                validity(a),
            ),
            Column::LargeUtf8(a) => (
                TextLayout::Offsets64 {
                    offsets: a.value_offsets(),
                    bytes: a.value_data(),
                },
                validity(a),
            ),
            Column::Utf8View(a) => (
                TextLayout::Views {
                    views: a.views().inner().as_slice(),
                    buffers: a
                        .data_buffers()
                        .iter()
                        .map(std::ops::Deref::deref)
                        .collect(),
                },
                validity(a),
            ),
            _ => return None,
        };
        Some(TextColumn { layout, validity })
    }

    /// 64- and 32-bit integers, doubles and dates as their Arrow buffers,
    /// which the core reads in place.
    pub(crate) fn numbers(&self) -> Option<NumberColumn<'_>> {
        match self {
            Column::Numbers(p) => Some(p.column()),
            _ => None,
        }
    }
}

fn ints<T>(a: &ArrayRef) -> Column
where
    T: arrow_array::ArrowPrimitiveType,
    T::Native: TryInto<i64>,
{
    let a = a.as_primitive::<T>().clone();
    Column::Int(Box::new(move |r| {
        a.is_valid(r)
            .then(|| a.value(r))
            .and_then(|v| v.try_into().ok())
    }))
}

fn floats<T>(a: &ArrayRef) -> Column
where
    T: arrow_array::ArrowPrimitiveType,
    T::Native: Into<f64>,
{
    let a = a.as_primitive::<T>().clone();
    Column::Float(Box::new(move |r| a.is_valid(r).then(|| a.value(r).into())))
}

/// The last dictionary's values of one column and their text: batches
/// that share a dictionary have it cast to text once, not once each.
#[derive(Default)]
pub(crate) struct LastValues(Option<(arrow_data::ArrayData, arrow_array::StringArray)>);

/// A dictionary column: its values as text, rows keep their keys.
fn dictionary(a: &ArrayRef, name: &str, last: &mut LastValues) -> PyResult<Column> {
    let DataType::Dictionary(_, _) = a.data_type() else {
        return Err(unsupported(name, a.data_type()));
    };
    let dict = a.as_any_dictionary();
    let data = dict.values().to_data();
    let texts = match &last.0 {
        Some((seen, texts)) if seen.ptr_eq(&data) => texts.clone(),
        _ => {
            let values = arrow_cast::cast(dict.values(), &DataType::Utf8)
                .map_err(|_| unsupported(name, a.data_type()))?;
            let texts = values.as_string::<i32>().clone();
            last.0 = Some((data, texts.clone()));
            texts
        }
    };
    // 32-bit unsigned keys (polars' categoricals) without nulls, or with
    // `Dictionary::NULL` under them, are read where they lie.
    if let Some(keys) = a
        .as_dictionary_opt::<UInt32Type>()
        .map(arrow_array::DictionaryArray::keys)
    {
        let marked = a.nulls().is_none_or(|nulls| {
            // The null rows' positions, a word of the bitmap at a time.
            (!nulls.inner())
                .set_indices()
                .all(|i| keys.values().get(i) == Some(&Dictionary::NULL))
        });
        if marked {
            return Ok(Column::Dict(texts, keys.clone()));
        }
    }
    // pandas' categoricals and Arrow's own dictionary_encode have signed
    // 32-bit keys: read them without a cast to a copy.
    if let Some(keys) = a
        .as_dictionary_opt::<Int32Type>()
        .map(arrow_array::DictionaryArray::keys)
    {
        let mut keys: Vec<u32> = keys
            .values()
            .iter()
            .map(|&k| u32::try_from(k).unwrap_or(Dictionary::NULL))
            .collect();
        if let Some(nulls) = a.nulls() {
            for (k, valid) in keys.iter_mut().zip(nulls.iter()) {
                if !valid {
                    *k = Dictionary::NULL;
                }
            }
        }
        return Ok(Column::Dict(texts, keys.into()));
    }
    let keys = arrow_cast::cast(dict.keys(), &DataType::UInt64)
        .map_err(|_| unsupported(name, a.data_type()))?;
    let keys = keys.as_primitive::<UInt64Type>();
    let keys: Vec<u32> = (0..keys.len())
        .map(|i| {
            (keys.is_valid(i) && a.is_valid(i))
                .then(|| u32::try_from(keys.value(i)).ok())
                .flatten()
                .unwrap_or(Dictionary::NULL)
        })
        .collect();
    Ok(Column::Dict(texts, keys.into()))
}

fn unsupported(name: &str, t: &DataType) -> PyErr {
    PyTypeError::new_err(format!(
        "column {name:?} has Arrow type {t}, which exitcore cannot read: use text, numbers, booleans or dates"
    ))
}

pub(crate) fn column(a: &ArrayRef, name: &str, last: &mut LastValues) -> PyResult<Column> {
    Ok(match a.data_type() {
        DataType::Null => Column::Null,
        DataType::Utf8 => Column::Utf8(a.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Column::LargeUtf8(a.as_string::<i64>().clone()),
        DataType::Utf8View => Column::Utf8View(a.as_string_view().clone()),
        DataType::Dictionary(_, _) => dictionary(a, name, last)?,
        DataType::Boolean => Column::Bool(a.as_boolean().clone()),
        DataType::Int8 => ints::<Int8Type>(a),
        DataType::Int16 => ints::<Int16Type>(a),
        DataType::Int32 => Column::Numbers(Primitive::Int32(a.as_primitive::<Int32Type>().clone())),
        DataType::Int64 => Column::Numbers(Primitive::Int64(a.as_primitive::<Int64Type>().clone())),
        DataType::UInt8 => ints::<UInt8Type>(a),
        DataType::UInt16 => ints::<UInt16Type>(a),
        DataType::UInt32 => ints::<UInt32Type>(a),
        DataType::UInt64 => ints::<UInt64Type>(a),
        DataType::Float16 => {
            let a = a.as_primitive::<Float16Type>().clone();
            Column::Float(Box::new(move |r| {
                a.is_valid(r).then(|| a.value(r).to_f64())
            }))
        }
        DataType::Float32 => floats::<Float32Type>(a),
        DataType::Float64 => {
            Column::Numbers(Primitive::Float64(a.as_primitive::<Float64Type>().clone()))
        }
        DataType::Date32 => {
            Column::Numbers(Primitive::Date32(a.as_primitive::<Date32Type>().clone()))
        }
        DataType::Date64 | DataType::Timestamp(_, _) => {
            // Dates with a time of day: the day is what the import reads.
            let days = arrow_cast::cast(a, &DataType::Date32)
                .map_err(|_| unsupported(name, a.data_type()))?;
            Column::Numbers(Primitive::Date32(days.as_primitive::<Date32Type>().clone()))
        }
        other => return Err(unsupported(name, other)),
    })
}

/// The batches of an Arrow table with their column names, read as cells.
pub fn batches(batches: &[RecordBatch], names: &[String]) -> PyResult<Vec<Batch>> {
    let mut last: Vec<LastValues> = names.iter().map(|_| LastValues::default()).collect();
    batches
        .iter()
        .map(|b| {
            let columns = b
                .columns()
                .iter()
                .zip(names)
                .zip(&mut last)
                .map(|((a, n), last)| column(a, n, last))
                .collect::<PyResult<_>>()?;
            Ok(Batch {
                rows: b.num_rows(),
                columns,
            })
        })
        .collect()
}
