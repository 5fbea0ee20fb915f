"""DataFrames in: pandas and polars frames handed to the core through Arrow.

Both are thin: the frame becomes an Arrow table (no Python loop per row)
and :meth:`exitcore.Dataset.from_arrow` does the rest, so a frame imports
exactly as the same data in a CSV file would, with the same problems.
"""

from __future__ import annotations

from typing import Any

from exitcore._exitcore import Dataset, ImportResult, Mapping, Questionnaire


def from_pandas(
    df: Any,
    mapping: Mapping | None = None,
    *,
    questionnaire: Questionnaire | None = None,
    pseudonymise_key: bytes | bytearray | None = None,
) -> ImportResult:
    """Imports a pandas DataFrame (needs pyarrow); the index is not a column."""
    import pyarrow as pa  # type: ignore[import-untyped]

    table = pa.Table.from_pandas(df, preserve_index=False)
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
