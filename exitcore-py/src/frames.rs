//! pandas frames in: `exitcore.from_pandas`, with object columns (one
//! Python `str` per cell) read here rather than converted by pyarrow.
//!
//! pyarrow converts such a column by checking and copying every cell's
//! text (~30 ms per column of a million rows). But a column of a few
//! hundred distinct values holds few distinct objects: pandas' CSV reader,
//! and Python's own string interning, share one object among many equal
//! cells. So each cell is keyed by its object's identity first (the object
//! last seen in its slot of a cache), and only an object not found there
//! is read as text and looked up by it, giving a dictionary array. A
//! column of mostly distinct objects (an id) is copied as plain text
//! instead. This is a translation, like pyarrow's: the result holds the
//! same texts and nulls, and the core judges them as it would any Arrow
//! column. A column holding other objects (numbers, dates) is read cell by
//! cell, each as the number or text it is, so the import judges every cell
//! instead of failing.
//!
//! The frame is imported in eight row batches. The object columns of each
//! are read, under the GIL, by a helper thread ahead of the import (or by
//! the import's reader, whichever comes first), so reading them overlaps
//! with importing the batches before.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{LargeStringBuilder, StringBuilder};
use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, LargeStringArray, UInt32Array};
use arrow_buffer::BooleanBuffer;
use exitcore::import::{Cell, Columns, Dictionary, NumberColumn, TextColumn};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use rustc_hash::FxHashMap;

use crate::dataset::{ImportResult, PyMapping, import_result, mapping_or_identity, pseudonymiser};
use crate::errors::OrRaise;
use crate::questionnaire::PyQuestionnaire;

/// Bits of an object's address that pick its slot in the identity cache
/// (16,384 slots, 256 kB: an object that recurs a few thousand rows later
/// is mostly still there).
const CACHE_BITS: u32 = 14;

/// A null cell's key: `arrow::Column::Dict` holds keys so, and the core
/// reads the keys, not a validity bitmap.
const NULL: u32 = Dictionary::NULL;

/// Batches a frame is imported in, so that reading its object columns
/// overlaps with importing; a batch has at least [`MIN_BATCH`] rows.
const BATCHES: usize = 8;
const MIN_BATCH: usize = 1 << 14;

/// Imports a pandas frame's columns: numpy object arrays, read here, and
/// pyarrow arrays (every other column, converted by pyarrow).
#[pyfunction]
#[pyo3(name = "_import_frame", signature = (names, columns, na, mapping = None, *, questionnaire = None, pseudonymise_key = None))]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn import_frame(
    py: Python<'_>,
    names: Vec<String>,
    columns: Vec<Bound<'_, PyAny>>,
    na: &Bound<'_, PyAny>,
    mapping: Option<&PyMapping>,
    questionnaire: Option<&PyQuestionnaire>,
    pseudonymise_key: Option<Cow<'_, [u8]>>,
) -> PyResult<ImportResult> {
    let options = exitcore::ImportOptions {
        pseudonymiser: pseudonymiser(py, pseudonymise_key.as_ref())?,
    };
    if names.len() != columns.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} column names for {} columns",
            names.len(),
            columns.len()
        )));
    }
    // Object arrays are borrowed (the borrows outlive the import); every
    // other column is an Arrow array.
    let held = columns
        .iter()
        .map(|column| {
            Ok(match column.extract::<PyReadonlyArray1<'_, Py<PyAny>>>() {
                Ok(a) => Held::Objects(a),
                Err(_) => Held::Arrow(column.extract::<pyo3_arrow::PyArray>()?.into_inner().0),
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let sources = held
        .iter()
        .map(|h| match h {
            Held::Objects(a) => a.as_slice().map(Source::Objects).map_err(|_| {
                pyo3::exceptions::PyValueError::new_err(
                    "an object column must be a contiguous array",
                )
            }),
            Held::Arrow(a) => Ok(Source::Arrow(a.clone())),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let rows = sources.first().map_or(0, Source::len);
    if let Some(i) = sources.iter().position(|s| s.len() != rows) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "column {:?} has {} rows, the first column {rows}",
            names[i],
            sources[i].len()
        )));
    }
    let m = mapping_or_identity(py, mapping, questionnaire, &names)?;
    let na = na.as_ptr() as usize;
    let outcome = py
        .detach(|| -> PyResult<exitcore::Result<exitcore::ImportOutcome>> {
            let batches = frame_batches(&sources, &names, na, rows)?;
            Ok(std::thread::scope(|scope| {
                // Reads the object columns ahead of the import; the
                // import's reader waits for a batch only if it gets there
                // first, or reads it itself.
                scope.spawn(|| {
                    for b in &batches {
                        b.read_objects();
                    }
                });
                m.import_columns(&names, batches.iter().map(|b| b as &dyn Columns), &options)
            }))
        })?
        .or_raise(py)?;
    import_result(py, outcome)
}

/// A column as handed over from Python.
enum Held<'py> {
    Objects(PyReadonlyArray1<'py, Py<PyAny>>),
    Arrow(ArrayRef),
}

/// One column of the frame.
enum Source<'a> {
    Objects(&'a [Py<PyAny>]),
    Arrow(ArrayRef),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Objects(cells) => cells.len(),
            Source::Arrow(a) => a.len(),
        }
    }
}

/// The frame's rows in batches: Arrow columns sliced (no copy), object
/// columns as their cells, read later.
fn frame_batches<'a>(
    sources: &[Source<'a>],
    names: &[String],
    na: usize,
    rows: usize,
) -> PyResult<Vec<FrameBatch<'a>>> {
    // The import waits for the first batch to be read: keep it short.
    let size = rows.div_ceil(BATCHES).max(MIN_BATCH);
    let first = (size / 4).max(MIN_BATCH);
    let mut last: Vec<crate::arrow::LastValues> = sources
        .iter()
        .map(|_| crate::arrow::LastValues::default())
        .collect();
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows || (rows == 0 && batches.is_empty()) {
        let end = rows.min(start + if start == 0 { first } else { size });
        let columns = sources
            .iter()
            .zip(names)
            .zip(&mut last)
            .map(|((source, name), last)| {
                Ok(match source {
                    Source::Objects(cells) => Part::Objects {
                        cells: cells.get(start..end).unwrap_or_default(),
                        read: OnceLock::new(),
                    },
                    Source::Arrow(a) => Part::Arrow(crate::arrow::column(
                        &a.slice(start, end - start),
                        name,
                        last,
                    )?),
                })
            })
            .collect::<PyResult<_>>()?;
        batches.push(FrameBatch {
            rows: end - start,
            na,
            columns,
        });
        start = end;
    }
    Ok(batches)
}

/// Rows of a frame: Arrow columns sliced, object columns read when first
/// asked for.
struct FrameBatch<'a> {
    rows: usize,
    na: usize,
    columns: Vec<Part<'a>>,
}

enum Part<'a> {
    Objects {
        cells: &'a [Py<PyAny>],
        read: OnceLock<Read>,
    },
    Arrow(crate::arrow::Column),
}

impl FrameBatch<'_> {
    fn read_objects(&self) {
        for c in 0..self.columns.len() {
            let _ = self.objects(c);
        }
    }

    /// Object column `c` as read (under the GIL, once).
    fn objects(&self, c: usize) -> Option<&Read> {
        let Part::Objects { cells, read } = self.columns.get(c)? else {
            return None;
        };
        Some(read.get_or_init(|| Python::attach(|py| read_column(py, cells, self.na))))
    }

    /// Column `c` as an Arrow column: one handed over as such, or an
    /// object column read as texts.
    fn arrow(&self, c: usize) -> Option<&crate::arrow::Column> {
        match self.columns.get(c)? {
            Part::Arrow(a) => Some(a),
            Part::Objects { .. } => match self.objects(c)? {
                Read::Arrow(a) => Some(a),
                Read::Cells(..) => None,
            },
        }
    }
}

impl Columns for FrameBatch<'_> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cell(&self, column: usize, row: usize) -> Cell<'_> {
        if let Some(a) = self.arrow(column) {
            return a.cell(row);
        }
        let Some(Read::Cells(cells, text)) = self.objects(column) else {
            return Cell::Null;
        };
        match cells.get(row) {
            Some(Owned::Text(start, end)) => text.get(*start..*end).map_or(Cell::Null, Cell::Text),
            Some(&Owned::Int(i)) => Cell::Int(i),
            Some(&Owned::Float(f)) => Cell::Float(f),
            Some(&Owned::Bool(b)) => Cell::Bool(b),
            Some(Owned::Null) | None => Cell::Null,
        }
    }

    fn dictionary(&self, column: usize) -> Option<Dictionary<'_>> {
        self.arrow(column)?.dictionary(self.rows)
    }

    fn texts(&self, column: usize) -> Option<TextColumn<'_>> {
        self.arrow(column)?.texts()
    }

    fn numbers(&self, column: usize) -> Option<NumberColumn<'_>> {
        self.arrow(column)?.numbers()
    }
}

/// An object column as read.
enum Read {
    /// Texts and missing values: a dictionary whose keys hold [`NULL`]
    /// under nulls (few distinct objects), or large strings (mostly
    /// distinct), read as any Arrow column of the kind is.
    Arrow(crate::arrow::Column),
    /// Other objects too: each cell as what it is.
    Cells(Vec<Owned>, String),
}

/// One cell of a column of mixed objects.
enum Owned {
    Null,
    /// A range of the column's text buffer.
    Text(usize, usize),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Read {
    /// As a pyarrow array (for the tests of what a column reads as).
    fn to_arrow(&self) -> Option<ArrayRef> {
        match self {
            Read::Arrow(crate::arrow::Column::Dict(values, keys)) => {
                // The nulls, which the import reads from the keys, as
                // Arrow's validity bitmap.
                let keys = keys.values();
                let valid = BooleanBuffer::collect_bool(keys.len(), |i| keys[i] != NULL);
                let keys = UInt32Array::new(keys.clone(), Some(valid.into()));
                DictionaryArray::<UInt32Type>::try_new(keys, Arc::new(values.clone()))
                    .ok()
                    .map(|a| Arc::new(a) as ArrayRef)
            }
            Read::Arrow(crate::arrow::Column::LargeUtf8(a)) => Some(Arc::new(a.clone())),
            Read::Arrow(_) | Read::Cells(..) => None,
        }
    }
}

/// What one object column's cells read as: see the module's comment.
fn read_column(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Read {
    match dictionary(py, cells, na) {
        Ok(keyed) => keyed,
        Err(Unkeyed::Distinct) => plain(py, cells, na).map_or_else(
            || owned(py, cells, na),
            |a| Read::Arrow(crate::arrow::Column::LargeUtf8(a)),
        ),
        Err(Unkeyed::Unfit) => owned(py, cells, na),
    }
}

/// The column's cells as pyarrow would read them from `from_pandas`'s
/// route (a uint32 dictionary, or large strings for mostly distinct
/// objects), or `None` for a column of other objects too, which that
/// route reads cell by cell.
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
    let Some(array) = read_column(py, cells, na.as_ptr() as usize).to_arrow() else {
        return Ok(None);
    };
    let array = pyo3_arrow::PyArray::from_array_ref(array);
    let array = array.to_pyarrow(py)?.unbind();
    Ok(Some(array.into_bound(py)))
}

/// Why a column was not keyed by its objects.
enum Unkeyed {
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

/// Keys every cell by its text, reading an object's text only when the
/// object is not the last one seen in its cache slot.
///
/// Objects are not also kept in a map by identity: pandas' CSV reader
/// makes a new object for the same text every few rows in a column of
/// thousands of values (~125,000 objects for 2,000 managers in a million
/// rows), and such a map, missed by every new object and grown by each,
/// took twice as long as looking the few texts up.
fn dictionary(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Result<Read, Unkeyed> {
    let mut cache = vec![(0usize, NULL); 1 << CACHE_BITS];
    let mut read = 0usize;
    let mut by_text: FxHashMap<&str, u32> = FxHashMap::default();
    let mut texts = StringBuilder::new();
    // Pushed, not written over a column of NULLs: that fill was a pass of
    // 4 bytes a cell over every object column, to be overwritten at once.
    let mut keys = Vec::with_capacity(cells.len());
    for (row, cell) in cells.iter().enumerate() {
        let id = cell.as_ptr() as usize;
        // Objects are at least 16-byte aligned; the multiply spreads the
        // rest of the address over the slot bits.
        let slot =
            (id >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15_usize) >> (usize::BITS - CACHE_BITS);
        let (cached, k) = cache.get(slot).copied().unwrap_or((0, NULL));
        let key = if cached == id {
            k
        } else {
            // Stop before reading most cells' objects for a dictionary
            // that would be nearly as long as the column.
            read += 1;
            if read > row / 2 + 1024 {
                return Err(Unkeyed::Distinct);
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
                            return Err(Unkeyed::Distinct);
                        }
                        let Ok(k) = u32::try_from(by_text.len()) else {
                            return Err(Unkeyed::Distinct);
                        };
                        texts.append_value(text);
                        by_text.insert(text, k);
                        k
                    }
                }
                None => return Err(Unkeyed::Unfit),
            };
            if let Some(c) = cache.get_mut(slot) {
                *c = (id, k);
            }
            k
        };
        keys.push(key);
    }
    if by_text.is_empty() {
        return Err(Unkeyed::Unfit);
    }
    Ok(Read::Arrow(crate::arrow::Column::Dict(
        texts.finish(),
        UInt32Array::from(keys),
    )))
}

/// Every cell's text copied in turn (64-bit offsets: no column is too
/// long), for a column of mostly distinct objects.
fn plain(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Option<LargeStringArray> {
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
    any.then(|| texts.finish())
}

/// Each cell as what it is, for a column that holds more than texts and
/// missing markers: a number or boolean as such, anything else as its
/// `str()` (a date as `2024-03-01`), which the import then judges.
fn owned(py: Python<'_>, cells: &[Py<PyAny>], na: usize) -> Read {
    let mut text = String::new();
    let out = cells
        .iter()
        .map(|cell| {
            let cell = cell.bind(py);
            if let Some(o) = object(cell, na) {
                return match o {
                    Object::Missing => Owned::Null,
                    Object::Text(t) => {
                        text.push_str(t);
                        Owned::Text(text.len() - t.len(), text.len())
                    }
                };
            }
            if let Ok(b) = cell.cast::<PyBool>() {
                return Owned::Bool(b.is_true());
            }
            if cell.is_instance_of::<PyInt>()
                && let Ok(i) = cell.extract::<i64>()
            {
                return Owned::Int(i);
            }
            if let Ok(f) = cell.cast::<PyFloat>() {
                return Owned::Float(f.value());
            }
            // A text with a lone surrogate, or any other object: its
            // str(), with what UTF-8 cannot hold replaced; failing that,
            // its type. The import judges (and reports) the text.
            let t = cell.str().map_or_else(
                |_| {
                    cell.get_type()
                        .name()
                        .map_or_else(|_| "<object>".to_owned(), |n| format!("<{n}>"))
                },
                |s| s.to_string_lossy().into_owned(),
            );
            text.push_str(&t);
            Owned::Text(text.len() - t.len(), text.len())
        })
        .collect();
    Read::Cells(out, text)
}
