"""DataFrames in: pandas and polars frames handed to the core through Arrow.

Both are thin: the frame becomes an Arrow table (no Python loop per row)
and :meth:`exitcore.Dataset.from_arrow` does the rest, so a frame imports
exactly as the same data in a CSV file would, with the same problems.

A pandas column of Python strings (dtype ``object``) becomes an Arrow
dictionary column read by object identity in the compiled module, which is
many times faster than pyarrow's cell-by-cell copy when few distinct values
repeat; any other column, and an object column that holds something other
than text and missing values, is converted by pyarrow as before.
"""

from __future__ import annotations

from typing import Any

from exitcore._exitcore import Dataset, ImportResult, Mapping, Questionnaire
from exitcore._exitcore import _texts_from_objects


def from_pandas(
    df: Any,
    mapping: Mapping | None = None,
    *,
    questionnaire: Questionnaire | None = None,
    pseudonymise_key: bytes | bytearray | None = None,
) -> ImportResult:
    """Imports a pandas DataFrame (needs pyarrow); the index is not a column."""
    table = _pandas_to_arrow(df)
    return Dataset.from_arrow(
        table, mapping, questionnaire=questionnaire, pseudonymise_key=pseudonymise_key
    )


def from_polars(
    df: Any,
    mapping: Mapping | None = None,
    *,
    questionnaire: Questionnaire | None = None,
    pseudonymise_key: bytes | bytearray | None = None,
) -> ImportResult:
    """Imports a polars DataFrame through its Arrow stream."""
    return Dataset.from_arrow(
        df, mapping, questionnaire=questionnaire, pseudonymise_key=pseudonymise_key
    )


def _pandas_to_arrow(df: Any) -> Any:
    """The frame as a pyarrow table, object columns of text as dictionaries."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    import pyarrow as pa  # type: ignore[import-untyped]

    names = list(df.columns)
    # Names pyarrow would have to turn into text, or repeat: its own
    # conversion says what it does with those.
    if len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
        return pa.Table.from_pandas(df, preserve_index=False)
    arrays = []
    for i, name in enumerate(names):
        series = df.iloc[:, i]
        array = None
        if series.dtype == object:
            array = _texts_from_objects(np.ascontiguousarray(series.to_numpy()), pd.NA)
        if array is None:
            array = pa.array(series, from_pandas=True)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=names)
