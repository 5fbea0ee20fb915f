//! pandas' object columns (one Python `str` per cell) as Arrow text
//! arrays, for `exitcore.from_pandas`.
//!
//! pyarrow converts such a column by checking and copying every cell's
//! text (~30 ms per column of a million rows). But a column of a few
//! hundred distinct values holds few distinct objects: pandas' CSV reader,
//! and Python's own string interning, share one object among equal cells.
//! So each cell is keyed by its object's identity first, and only a new
//! object is read as text, giving a dictionary array. A column of mostly
//! distinct objects (an id) is copied as plain text instead. This is a
//! translation, like pyarrow's: the result holds the same texts and nulls,
//! and the core judges them as it would any Arrow column.

use std::sync::Arc;

use arrow_array::builder::{LargeStringBuilder, StringBuilder};
use arrow_array::types::UInt32Type;
use arrow_array::{ArrayRef, DictionaryArray, UInt32Array};
use arrow_buffer::BooleanBuffer;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString};
use rustc_hash::FxHashMap;

/// Slots in the identity cache in front of the hash map; a power of two.
const CACHE: usize = 1024;

/// A null cell's key: the binding's Arrow reader takes the keys as they
/// are when every null holds this (`exitcore::import::Dictionary::NULL`).
const NULL: u32 = exitcore::import::Dictionary::NULL;

/// The column's cells as a pyarrow array of texts (a dictionary array, or
/// plain large strings for a column of mostly distinct objects), or `None`
/// when pyarrow's own conversion should be used: a cell that is neither a
/// `str` nor a missing marker (pyarrow then converts or rejects the column
/// as before), a non-contiguous array, or a column without any text.
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
    let na = na.as_ptr() as usize;
    let array = match dictionary(py, cells, na) {
        Keyed::Array(array) => array,
        Keyed::Distinct => match plain(py, cells, na) {
            Some(array) => array,
            None => return Ok(None),
        },
        Keyed::Unfit => return Ok(None),
    };
    let array = pyo3_arrow::PyArray::from_array_ref(array);
    let array = array.to_pyarrow(py)?.unbind();
    Ok(Some(array.into_bound(py)))
}

/// What keying a column by its objects gave.
enum Keyed {
    Array(ArrayRef),
    /// Mostly distinct objects: a dictionary would only add work.
    Distinct,
    /// Not a column of texts and missing markers, or no text at all.
    Unfit,
}

/// What one cell is, as pyarrow reads an object column.
enum Object<'a> {
    Text(&'a str),
    /// `None`, a float NaN or `pandas.NA`.
    Missing,
}

/// The cell's text or missing marker; `None` for anything else, and for
/// a text with a lone surrogate, which pyarrow rejects itself.
fn object<'a>(cell: &'a Bound<'_, PyAny>, na: usize) -> Option<Object<'a>> {
    if cell.is_none() || cell.as_ptr() as usize == na {
        return Some(Object::Missing);
    }
    if let Ok(f) = cell.cast::<PyFloat>() {
        return f.value().is_nan().then_some(Object::Missing);
    }
    cell.cast::<PyString>()
        .ok()?
        .to_str()
        .ok()
        .map(Object::Text)
}

/// Keys every cell by its object, reading each distinct object once.
fn dictionary(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Keyed {
    let mut cache = [(0usize, NULL); CACHE];
    let mut by_object: FxHashMap<usize, u32> = FxHashMap::default();
    let mut by_text: FxHashMap<&str, u32> = FxHashMap::default();
    let mut texts = StringBuilder::new();
    let mut keys = vec![NULL; cells.len()];
    let mut nulls = false;
    for (row, (key, cell)) in keys.iter_mut().zip(cells).enumerate() {
        let id = cell.as_ptr() as usize;
        // Objects are at least 16-byte aligned; the multiply spreads the
        // rest of the address over the slot bits.
        let slot = (id >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15_usize) >> 54 & (CACHE - 1);
        let (cached, k) = cache[slot];
        *key = if cached == id {
            k
        } else {
            let k = if let Some(&k) = by_object.get(&id) {
                k
            } else {
                // Stop before reading many distinct objects for a
                // dictionary that would be nearly as long as the column.
                if by_object.len() > row / 2 + 1024 {
                    return Keyed::Distinct;
                }
                let k = match object(cell.bind(py), na) {
                    Some(Object::Missing) => NULL,
                    Some(Object::Text(text)) => {
                        if let Some(&k) = by_text.get(text) {
                            k
                        } else {
                            // The dictionary's offsets are 32-bit: stay
                            // well inside them.
                            if texts.values_slice().len() + text.len() > (i32::MAX as usize) / 2 {
                                return Keyed::Distinct;
                            }
                            let Ok(k) = u32::try_from(by_text.len()) else {
                                return Keyed::Distinct;
                            };
                            texts.append_value(text);
                            by_text.insert(text, k);
                            k
                        }
                    }
                    None => return Keyed::Unfit,
                };
                nulls |= k == NULL;
                by_object.insert(id, k);
                k
            };
            cache[slot] = (id, k);
            k
        };
    }
    if by_text.is_empty() {
        return Keyed::Unfit;
    }
    let valid = nulls.then(|| BooleanBuffer::collect_bool(keys.len(), |i| keys[i] != NULL).into());
    let keys = UInt32Array::new(keys.into(), valid);
    let values = Arc::new(texts.finish());
    match DictionaryArray::<UInt32Type>::try_new(keys, values) {
        Ok(array) => Keyed::Array(Arc::new(array)),
        Err(_) => Keyed::Unfit,
    }
}

/// Every cell's text copied in turn (64-bit offsets: no column is too
/// long), for a column of mostly distinct objects.
fn plain(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Option<ArrayRef> {
    let mut texts = LargeStringBuilder::with_capacity(cells.len(), cells.len() * 16);
    let mut any = false;
    for cell in cells {
        match object(cell.bind(py), na)? {
            Object::Text(text) => {
                texts.append_value(text);
                any = true;
            }
            Object::Missing => texts.append_null(),
        }
    }
    any.then(|| Arc::new(texts.finish()) as ArrayRef)
}
