//! pandas' object columns (one Python `str` per cell) as Arrow dictionary
//! arrays, for `exitcore.from_pandas`.
//!
//! pyarrow converts such a column by reading and copying every cell's text
//! (~30 ms per column of a million rows). But a column of a few hundred
//! distinct values holds few distinct objects: pandas' CSV reader, and
//! Python's own string interning, share one object among equal cells. So
//! each cell is keyed by its object's identity first, and only a new object
//! is read as text. This is a translation, like pyarrow's: the result holds
//! the same texts and nulls, and the core judges them as it would any
//! Arrow column.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString};
use rustc_hash::FxHashMap;

/// What one distinct object in a column reads as.
#[derive(Clone, Copy)]
enum Seen {
    /// A text, as its key in the dictionary.
    Text(i32),
    /// `None`, a float NaN or `pandas.NA`: pyarrow reads these as null.
    Null,
}

/// Slots in the identity cache in front of the hash map; a power of two.
const CACHE: usize = 1024;

/// The column's cells as a pyarrow dictionary array of texts, or `None`
/// when this route does not fit and pyarrow's own conversion should be
/// used: a cell that is neither a `str` nor a missing marker (pyarrow then
/// converts or rejects the column as before), a non-contiguous array, a
/// column of mostly distinct values (a dictionary would only add work), or
/// one without any text.
#[pyfunction]
#[pyo3(name = "_texts_from_objects")]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn texts_from_objects<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, Py<PyAny>>,
    na: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Ok(cells) = values.as_slice() else {
        return Ok(None);
    };
    let Some(array) = dictionary(py, cells, na.as_ptr() as usize)? else {
        return Ok(None);
    };
    let array = pyo3_arrow::PyArray::from_array_ref(array);
    let array = array.to_pyarrow(py)?.unbind();
    Ok(Some(array.into_bound(py)))
}

/// Keys every cell by its object, reading each distinct object once.
fn dictionary(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> PyResult<Option<ArrayRef>> {
    let mut cache = [(0usize, Seen::Null); CACHE];
    let mut by_object: FxHashMap<usize, Seen> = FxHashMap::default();
    let mut by_text: FxHashMap<String, i32> = FxHashMap::default();
    let mut texts = StringBuilder::new();
    let mut keys = Vec::with_capacity(cells.len());
    let mut valid: Option<Vec<bool>> = None;
    for (row, cell) in cells.iter().enumerate() {
        let object = cell.as_ptr() as usize;
        // Objects are at least 16-byte aligned; the multiply spreads the
        // rest of the address over the slot bits.
        let slot = (object >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15_usize) >> 54 & (CACHE - 1);
        let seen = if cache[slot].0 == object {
            cache[slot].1
        } else {
            let seen = if let Some(&seen) = by_object.get(&object) {
                seen
            } else {
                // Mostly distinct objects (an id column): give the column
                // to pyarrow before reading many of them for nothing.
                if by_object.len() > row / 2 + 1024 {
                    return Ok(None);
                }
                let Some(seen) = read(cell.bind(py), na, &mut by_text, &mut texts) else {
                    return Ok(None);
                };
                by_object.insert(object, seen);
                seen
            };
            cache[slot] = (object, seen);
            seen
        };
        match seen {
            Seen::Text(key) => {
                keys.push(key);
                if let Some(v) = &mut valid {
                    v.push(true);
                }
            }
            Seen::Null => {
                keys.push(0);
                valid
                    .get_or_insert_with(|| {
                        let mut v = Vec::with_capacity(cells.len());
                        v.resize(row, true);
                        v
                    })
                    .push(false);
            }
        }
    }
    if by_text.is_empty() {
        return Ok(None);
    }
    let keys = Int32Array::new(keys.into(), valid.map(Into::into));
    let values = Arc::new(texts.finish());
    let array = DictionaryArray::<Int32Type>::try_new(keys, values)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(Some(Arc::new(array)))
}

/// One distinct object: its key (a new text is added to the dictionary),
/// null, or `None` when it is not a text or missing marker.
fn read(
    object: &Bound<'_, PyAny>,
    na: usize,
    by_text: &mut FxHashMap<String, i32>,
    texts: &mut StringBuilder,
) -> Option<Seen> {
    if object.is_none() || object.as_ptr() as usize == na {
        return Some(Seen::Null);
    }
    if let Ok(f) = object.cast::<PyFloat>() {
        return f.value().is_nan().then_some(Seen::Null);
    }
    let Ok(s) = object.cast::<PyString>() else {
        return None;
    };
    // A text pyarrow could not encode (a lone surrogate) goes to pyarrow,
    // which reports it as it always has.
    let text = s.to_cow().ok()?;
    if let Some(&key) = by_text.get(text.as_ref()) {
        return Some(Seen::Text(key));
    }
    // The dictionary's offsets are 32-bit: stay well inside them.
    let key = i32::try_from(by_text.len()).ok()?;
    if texts.values_slice().len() + text.len() > (i32::MAX as usize) / 2 {
        return None;
    }
    texts.append_value(text.as_ref());
    by_text.insert(text.into_owned(), key);
    Some(Seen::Text(key))
}
