//! Conversions between Python objects and the core's serde types.
//!
//! Everything that crosses the boundary is plain Python data (dict, list,
//! str, int, float, bool, None). Conversion failures always surface as
//! `TypeError` or `ValueError`, never as a bare `Exception` or `OverflowError`.

use pyo3::exceptions::{PyException, PyOverflowError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySequence, PySet, PyString,
    PyTuple,
};
use serde::Serialize;

use crate::errors::OrRaise;

/// Maps a conversion failure to `TypeError` / `ValueError`, keeping the
/// original exception as the cause. Exceptions that are not plain
/// `Exception`s (`KeyboardInterrupt`, ...) pass through unchanged.
pub fn conversion_error(py: Python<'_>, err: PyErr, what: &str) -> PyErr {
    if err.is_instance_of::<PyTypeError>(py) || err.is_instance_of::<PyValueError>(py) {
        return err;
    }
    if !err.is_instance_of::<PyException>(py) {
        return err;
    }
    let mapped = if err.is_instance_of::<PyOverflowError>(py) {
        PyValueError::new_err(format!("{what}: {}", err.value(py)))
    } else {
        PyTypeError::new_err(format!("{what}: {}", err.value(py)))
    };
    mapped.set_cause(py, Some(err));
    mapped
}

/// A serde value as plain Python data (dicts, lists, str, int, ...).
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value)
        .map_err(|e| conversion_error(py, e.into(), "cannot convert to python"))
}

/// Deepest nesting of containers accepted from Python (`serde_json`'s own
/// limit when parsing text): conversion recurses, and a deeper (or
/// self-containing) object would overflow the stack and kill the interpreter.
const MAX_DEPTH: usize = 128;

/// Fails with `ValueError` when `obj` nests containers deeper than
/// [`MAX_DEPTH`]; walks without recursion.
fn check_depth(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    let too_deep = || {
        PyValueError::new_err(format!(
            "{what}: nested deeper than {MAX_DEPTH} levels (or contains itself)"
        ))
    };
    let mut stack: Vec<(Bound<'_, PyAny>, usize)> = vec![(obj.clone(), 0)];
    while let Some((o, depth)) = stack.pop() {
        if o.is_none()
            || o.is_instance_of::<PyString>()
            || o.is_instance_of::<PyInt>()
            || o.is_instance_of::<PyFloat>()
            || o.is_instance_of::<PyBytes>()
        {
            continue;
        }
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let next = depth + 1;
        if let Ok(d) = o.cast::<PyDict>() {
            stack.extend(d.iter().map(|(_, v)| (v, next)));
        } else if let Ok(l) = o.cast::<PyList>() {
            stack.extend(l.iter().map(|v| (v, next)));
        } else if let Ok(t) = o.cast::<PyTuple>() {
            stack.extend(t.iter().map(|v| (v, next)));
        } else if let Ok(m) = o.cast::<PyMapping>() {
            for v in m.values()?.iter() {
                stack.push((v, next));
            }
        } else if o.is_instance_of::<PySet>()
            || o.is_instance_of::<PyFrozenSet>()
            || o.cast::<PySequence>().is_ok()
        {
            for v in o.try_iter()? {
                stack.push((v?, next));
            }
        }
    }
    Ok(())
}

/// Plain Python data as a JSON value.
pub fn to_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    check_depth(obj, what).map_err(|e| conversion_error(obj.py(), e, what))?;
    pythonize::depythonize::<serde_json::Value>(obj)
        .map_err(|e| conversion_error(obj.py(), e.into(), what))
}

/// A record given as a dict, parsed by the core (which names the failing path
/// in a `JsonError`).
pub fn record_from_py(obj: &Bound<'_, PyAny>) -> PyResult<exitcore::ExitRecord> {
    let value = to_value(obj, "record")?;
    exitcore::ExitRecord::from_json_value(value).or_raise(obj.py())
}

/// A number argument whose out-of-range values raise `ValueError` (not
/// `OverflowError`), so every bad argument is a `TypeError` or `ValueError`.
#[derive(Clone, Copy)]
pub struct Num<T>(pub T);

impl<'a, 'py, T> FromPyObject<'a, 'py> for Num<T>
where
    T: FromPyObject<'a, 'py>,
{
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        T::extract(obj)
            .map(Num)
            .map_err(|e| conversion_error(obj.py(), e.into(), "number out of range"))
    }
}

/// Headcount rows read straight from a `list` (or `tuple`) of `dict`s with
/// exactly the keys `org_unit` (a list or tuple of `str`), `year`, `quarter`
/// and `headcount` (`int`s in range), without building JSON first.
///
/// `None` for anything else, including every input the core would refuse
/// for its types: the caller then takes the JSON way, whose errors name the
/// path (`headcount[2].quarter`). Only the types are read here; the core
/// checks the rows ([`exitcore::Headcount::new`]).
pub fn headcount_rows(obj: &Bound<'_, PyAny>) -> Option<Vec<exitcore::HeadcountRow>> {
    rows_of(obj, 4, |row| {
        Some(exitcore::HeadcountRow {
            org_unit: path_of(&row.get_item(intern!(row.py(), "org_unit")).ok()??)?,
            year: int_of(&row.get_item(intern!(row.py(), "year")).ok()??)?,
            quarter: int_of(&row.get_item(intern!(row.py(), "quarter")).ok()??)?,
            headcount: int_of(&row.get_item(intern!(row.py(), "headcount")).ok()??)?,
        })
    })
}

/// Current staff read straight from a `list` (or `tuple`) of `dict`s with
/// exactly the keys `org_unit` and `tenure_months`; `None` as for
/// [`headcount_rows`].
pub fn stayer_rows(obj: &Bound<'_, PyAny>) -> Option<Vec<exitcore::analysis::Stayer>> {
    rows_of(obj, 2, |row| {
        Some(exitcore::analysis::Stayer {
            org_unit: path_of(&row.get_item(intern!(row.py(), "org_unit")).ok()??)?,
            tenure_months: int_of(&row.get_item(intern!(row.py(), "tenure_months")).ok()??)?,
        })
    })
}

/// Each element of an exact `list` or `tuple`, which must be an exact `dict`
/// with `keys` entries, read by `row` (which looks up every expected key, so
/// a dict of the right size with all of them has no other key).
fn rows_of<T>(
    obj: &Bound<'_, PyAny>,
    keys: usize,
    row: impl Fn(&Bound<'_, PyDict>) -> Option<T>,
) -> Option<Vec<T>> {
    let read = |item: Bound<'_, PyAny>| {
        let dict = item.cast_exact::<PyDict>().ok()?;
        if dict.len() == keys { row(dict) } else { None }
    };
    if let Ok(list) = obj.cast_exact::<PyList>() {
        list.iter().map(read).collect()
    } else if let Ok(tuple) = obj.cast_exact::<PyTuple>() {
        tuple.iter().map(read).collect()
    } else {
        None
    }
}

/// An org unit path: an exact `list` or `tuple` of exact `str`s.
fn path_of(obj: &Bound<'_, PyAny>) -> Option<Vec<String>> {
    let part = |p: Bound<'_, PyAny>| {
        if p.is_exact_instance_of::<PyString>() {
            p.extract::<String>().ok()
        } else {
            None
        }
    };
    if let Ok(list) = obj.cast_exact::<PyList>() {
        list.iter().map(part).collect()
    } else if let Ok(tuple) = obj.cast_exact::<PyTuple>() {
        tuple.iter().map(part).collect()
    } else {
        None
    }
}

/// An exact `int` (not a `bool`) that fits `T`.
fn int_of<T: TryFrom<i64>>(obj: &Bound<'_, PyAny>) -> Option<T> {
    if !obj.is_exact_instance_of::<PyInt>() {
        return None;
    }
    T::try_from(obj.extract::<i64>().ok()?).ok()
}
