"""DataFrames in: pandas and polars frames handed to the core through Arrow.

Both are thin: the frame's columns reach the core without a Python loop
per row (a polars frame as an Arrow table through
:meth:`exitcore.Dataset.from_arrow`, a pandas frame as below), so a frame
imports exactly as the same data in a CSV file would, with the same problems.

A pandas column of Python objects (dtype ``object``, pandas 2's default for
text) is not converted by pyarrow but read by the compiled module, keyed by
object identity, which is many times faster than pyarrow's cell-by-cell
copy when few distinct values repeat, and overlaps with the import. Such a
column may also hold numbers or other objects: each cell is then read as
the number or text it is, and judged, rather than failing the whole frame.
Every other column is converted by pyarrow.
"""

from __future__ import annotations

from typing import Any

from exitcore._exitcore import Dataset, ImportResult, Mapping, Questionnaire
from exitcore._exitcore import _import_frame


def from_pandas(
    df: Any,
    mapping: Mapping | None = None,
    *,
    questionnaire: Questionnaire | None = None,
    pseudonymise_key: bytes | bytearray | None = None,
) -> ImportResult:
    """Imports a pandas DataFrame (needs pyarrow); the index is not a column."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    import pyarrow as pa  # type: ignore[import-untyped]

    names = list(df.columns)
    objects = [dtype == object for dtype in df.dtypes]
    # Without object columns pyarrow's conversion is (nearly) free; names it
    # would have to turn into text, or that repeat, it handles its own way.
    if (
        not any(objects)
        or len(set(names)) != len(names)
        or not all(isinstance(n, str) for n in names)
    ):
        return Dataset.from_arrow(
            pa.Table.from_pandas(df, preserve_index=False),
            mapping,
            questionnaire=questionnaire,
            pseudonymise_key=pseudonymise_key,
        )
    columns: list[Any] = []
    for i, is_object in enumerate(objects):
        series = df.iloc[:, i]
        if is_object:
            columns.append(np.ascontiguousarray(series.to_numpy()))
        else:
            array = pa.array(series, from_pandas=True)
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            columns.append(array)
    return _import_frame(
        names,
        columns,
        pd.NA,
        mapping,
        questionnaire=questionnaire,
        pseudonymise_key=pseudonymise_key,
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

