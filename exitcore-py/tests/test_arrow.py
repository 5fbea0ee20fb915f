"""Tables in: Dataset.from_arrow and the pandas/polars conveniences give
what the CSV import gives, with the same problems."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pcsv  # type: ignore[import-untyped]
import pytest
from conftest import MAPPINGS, SHARED_DATA

import exitcore


def as_strings(data: bytes) -> pa.Table:
    """A CSV read by pyarrow with every column as text, as the CSV import sees it."""
    names = pcsv.read_csv(io.BytesIO(data)).column_names
    return pcsv.read_csv(
        io.BytesIO(data),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False
        ),
    )


def same(a: exitcore.ImportResult, b: exitcore.ImportResult, line_offset: int = 1) -> None:
    """Same data set, summary and problems; a table's row n is the file's line n + 1."""
    assert a.dataset.summary() == b.dataset.summary()
    assert a.rejected == b.rejected
    assert a.summary == b.summary
    shifted = [{**p, "row": (p["row"] or 0) + line_offset} for p in b.problems]
    assert a.problems == shifted
    spec: list[list[str]] = [["org_unit"], ["tenure_band"]]
    assert a.dataset.analyse(spec).to_dict() == b.dataset.analyse(spec).to_dict()


@pytest.fixture(scope="module")
def org() -> exitcore.SyntheticOrg:
    return exitcore.generate(seed=3, exits=2000)


def damaged_csv(org: exitcore.SyntheticOrg) -> bytes:
    text = org.to_csv()
    assert text is not None
    lines = text.split("\n")
    header = lines[0].split(",")
    enps = header.index("enps")
    for k, bad in [(3, "11"), (5, "seven"), (8, "")]:
        cells = lines[k].split(",")
        cells[enps] = bad
        lines[k] = ",".join(cells)
    lines[10] = lines[10].replace("voluntary", "fired", 1)
    return "\n".join(lines).encode()


def test_synthetic_csv_and_arrow_give_the_same_import(org: exitcore.SyntheticOrg) -> None:
    mapping = org.csv_mapping()
    for data in [(org.to_csv() or "").encode(), damaged_csv(org)]:
        from_csv = exitcore.Dataset.from_csv_bytes(data, mapping)
        same(from_csv, exitcore.Dataset.from_arrow(as_strings(data), mapping))
    # Typed columns (ints, dates, nulls) read as the CSV's text would.
    data = damaged_csv(org)
    typed = pcsv.read_csv(
        io.BytesIO(data), convert_options=pcsv.ConvertOptions(strings_can_be_null=True)
    )
    assert typed.schema.field("exit_date").type == pa.date32()
    same(exitcore.Dataset.from_csv_bytes(data, mapping), exitcore.Dataset.from_arrow(typed, mapping))
    assert len(exitcore.Dataset.from_arrow(typed, mapping).problems) >= 3


def test_pandas_and_polars_frames_import_like_the_csv(org: exitcore.SyntheticOrg) -> None:
    mapping = org.csv_mapping()
    data = damaged_csv(org)
    from_csv = exitcore.Dataset.from_csv_bytes(data, mapping)
    same(from_csv, exitcore.from_pandas(pd.read_csv(io.BytesIO(data)), mapping))
    same(from_csv, exitcore.from_polars(pl.read_csv(io.BytesIO(data)), mapping))


LABELS = ["division", "department", "team", "job_family", "manager", "location",
          "age_band", "exit_type", "regrettable", "interviewer", "primary_reason",
          "leadership_support", "would_return"]


def test_categorical_columns_import_like_the_csv(org: exitcore.SyntheticOrg) -> None:
    """Dictionary columns (handed to the core as values and keys) with damage
    and nulls in them: pandas categoricals, polars Categorical and Enum, and
    a pyarrow table in several batches whose dictionaries differ."""
    mapping = org.csv_mapping()
    data = damaged_csv(org)
    from_csv = exitcore.Dataset.from_csv_bytes(data, mapping)
    assert len(from_csv.problems) >= 3
    df = pd.read_csv(io.BytesIO(data))
    for c in LABELS:
        df[c] = df[c].astype("category")
    same(from_csv, exitcore.from_pandas(df, mapping))
    frame = pl.read_csv(io.BytesIO(data))
    cats = frame.with_columns([pl.col(c).cast(pl.String).cast(pl.Categorical) for c in LABELS])
    same(from_csv, exitcore.from_polars(cats, mapping))
    enums = frame.with_columns(
        [pl.col(c).cast(pl.String).cast(pl.Enum(frame[c].cast(pl.String).drop_nulls().unique().sort().to_list()))
         for c in LABELS]
    )
    same(from_csv, exitcore.from_polars(enums, mapping))
    typed = pcsv.read_csv(io.BytesIO(data))
    batches = []
    for b in typed.to_batches(max_chunksize=700):
        arrays = [
            b.column(i).dictionary_encode() if b.schema.names[i] in LABELS else b.column(i)
            for i in range(b.num_columns)
        ]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=b.schema.names))
    assert len(batches) > 1
    same(from_csv, exitcore.Dataset.from_arrow(pa.Table.from_batches(batches), mapping))
    # What dictionary_encode gives a chunked column: one dictionary shared
    # by every batch, larger than each batch (read as cells, not per batch).
    chunked = pa.Table.from_batches(typed.to_batches(max_chunksize=700))
    shared = pa.table(
        {
            n: chunked.column(n).dictionary_encode()
            if pa.types.is_string(chunked.column(n).type)
            else chunked.column(n)
            for n in chunked.column_names
        }
    )
    ids = shared.column("respondent").chunks
    assert len(ids) > 1 and ids[0].dictionary.equals(ids[1].dictionary)
    assert len(ids[0].dictionary) > len(ids[0])
    same(from_csv, exitcore.Dataset.from_arrow(shared, mapping))


@pytest.mark.skipif(
    not (SHARED_DATA / "tafe_survey.csv").exists(), reason="tafe data not present"
)
def test_the_tafe_survey_as_a_table_gives_the_csv_import() -> None:
    lines = (SHARED_DATA / "tafe_survey.csv").read_bytes().split(b"\n")
    for k in range(5, len(lines), 41):  # unknown labels: problems that must match too
        lines[k] = lines[k].replace(b"Agree", b"Agreed", 1)
    data = b"\n".join(lines)
    mapping = exitcore.Mapping.from_path(MAPPINGS / "tafe.json")
    from_csv = exitcore.Dataset.from_csv_bytes(data, mapping)
    assert from_csv.problems
    same(from_csv, exitcore.Dataset.from_arrow(as_strings(data), mapping))


def canonical() -> dict[str, list[Any]]:
    return {
        "respondent": ["a", "b", "c", None],
        "org_unit": ["Sales/North", "Sales", "Ops", "Ops"],
        "exit_date": ["2024-03-01", "2024-04", None, "2024"],
        "primary_reason": ["pay", "workload", "nonsense", "pay"],
        "enps": [7, 11, 3, 5],
        "would_return": [True, False, None, True],
        "notes": ["x", None, "y", "z"],
    }


def check_canonical(out: exitcore.ImportResult) -> None:
    assert len(out.dataset) == 1
    found = {(p["row"], p["field"]) for p in out.problems}
    assert found == {
        (2, "answers.enps"),
        (3, "primary_reason"),
        (4, "respondent"),
    }, out.problems
    assert out.rejected == 3
    notes = next(c for c in out.summary["columns"] if c["column"] == "notes")
    assert notes["status"] == "unmapped"


def test_without_a_mapping_columns_are_named_after_the_fields() -> None:
    check_canonical(exitcore.Dataset.from_arrow(pa.table(canonical())))


@pytest.mark.parametrize("text", [pa.string(), pa.large_string(), pa.string_view()])
def test_string_encodings_and_dictionaries_read_alike(text: pa.DataType) -> None:
    cols = canonical()
    table = pa.table(
        {
            k: pa.array(v, type=text) if isinstance(v[0], str) else pa.array(v)
            for k, v in cols.items()
        }
    )
    check_canonical(exitcore.Dataset.from_arrow(table))
    encoded = pa.table(
        {
            k: table.column(k).cast(pa.string()).dictionary_encode()
            if pa.types.is_string(table.column(k).type)
            or pa.types.is_large_string(table.column(k).type)
            or pa.types.is_string_view(table.column(k).type)
            else table.column(k)
            for k in table.column_names
        }
    )
    check_canonical(exitcore.Dataset.from_arrow(encoded))


@pytest.mark.parametrize("under_null", [0, 1, 2**32 - 1])
def test_unsigned_dictionary_keys_under_nulls_read_as_null(under_null: int) -> None:
    """exitcore.from_pandas writes the core's null key under null rows of a
    uint32 dictionary, and such keys are taken as they lie; a dictionary
    from anywhere else may hold any key there, which must still be null."""
    import numpy as np

    def encoded(values: list[Any]) -> pa.Array:
        words = sorted({v for v in values if v is not None})
        keys = [under_null if v is None else words.index(v) for v in values]
        mask = np.array([v is None for v in values])
        return pa.DictionaryArray.from_arrays(
            np.array(keys, dtype=np.uint32), pa.array(words), mask=mask, safe=False
        )

    cols = canonical()
    table = pa.table(
        {k: encoded(v) if isinstance(v[0], str) else pa.array(v) for k, v in cols.items()}
    )
    assert table.column("respondent").null_count == 1
    check_canonical(exitcore.Dataset.from_arrow(table))


def test_pandas_categoricals_and_polars_frames_without_a_mapping() -> None:
    df = pd.DataFrame(canonical())
    df["org_unit"] = df["org_unit"].astype("category")
    df["primary_reason"] = df["primary_reason"].astype("category")
    check_canonical(exitcore.from_pandas(df))
    check_canonical(exitcore.from_polars(pl.DataFrame(canonical())))
    cat = pl.DataFrame(canonical()).with_columns(pl.col("org_unit").cast(pl.Categorical))
    check_canonical(exitcore.from_polars(cat))


def test_a_table_without_an_org_unit_is_a_mapping_error() -> None:
    with pytest.raises(exitcore.MappingError) as e:
        exitcore.Dataset.from_arrow(pa.table({"respondent": ["a"]}))
    assert e.value.field == "context.org_unit"


def test_a_column_type_exitcore_cannot_read_is_a_type_error() -> None:
    table = pa.table({"respondent": ["a"], "org_unit": [["Sales", "North"]]})
    with pytest.raises(TypeError, match="org_unit"):
        exitcore.Dataset.from_arrow(table)


def test_imports_read_on_a_second_thread_keep_their_outcome() -> None:
    """From 100,000 records the shipped build reads the next chunk on a
    second thread while it imports the one before (CSV and tables). The
    data set must still be the one the records themselves give, and each
    damaged row must be reported at its own place."""
    import csv as pycsv

    org = exitcore.generate(seed=9, exits=120_000)
    mapping = org.csv_mapping()
    reference = org.load().dataset
    text = org.to_csv() or ""
    rows = list(pycsv.reader(io.StringIO(text)))
    assert len(rows) == 120_001 and text.count("\n") == 120_001  # a record per line
    spec: list[list[str]] = [["org_unit"], ["tenure_band"]]
    clean = text.encode()
    # exitcore.from_pandas reads object columns in eight batches, ahead of
    # the import; one column turns from texts to a mix of texts and numbers
    # (a dictionary, then cells) after its first batches.
    frame = pd.read_csv(io.BytesIO(clean))
    mixed = frame.copy()
    mixed["tenure_months"] = pd.Series(
        [str(v) if i >= 60_000 and i % 3 else v for i, v in enumerate(frame["tenure_months"])],
        dtype=object,
    )
    for out in [
        exitcore.Dataset.from_csv_bytes(clean, mapping),
        exitcore.Dataset.from_arrow(pcsv.read_csv(io.BytesIO(clean)), mapping),
        exitcore.from_pandas(frame, mapping),
    ]:
        assert not out.problems
        assert out.dataset.summary() == reference.summary()
        assert out.dataset.analyse(spec).to_dict() == reference.analyse(spec).to_dict()
    enps = rows[0].index("enps")
    for i in [50_001, 90_000, 119_999]:
        rows[i][enps] = "11"
    rows[110_000][0] = rows[20_000][0]  # a repeated respondent, far from the first
    out_text = io.StringIO()
    pycsv.writer(out_text, lineterminator="\n").writerows(rows)
    data = out_text.getvalue().encode()
    expected = [(50_001, "answers.enps"), (90_000, "answers.enps"), (110_000, "respondent"),
                (119_999, "answers.enps")]
    # A CSV row's place is its file line (header first); a table's, its row.
    for out, offset in [
        (exitcore.Dataset.from_csv_bytes(data, mapping), 1),
        (exitcore.Dataset.from_arrow(pcsv.read_csv(io.BytesIO(data)), mapping), 0),
        (exitcore.from_pandas(pd.read_csv(io.BytesIO(data)), mapping), 0),
    ]:
        found = [(p["row"], p["field"]) for p in out.problems]
        assert found == [(i + offset, f) for i, f in expected], out.problems
        assert len(out.dataset) == 120_000 - 4
    # Respondents repeating every 16,384 rows (whole chunks of repeats):
    # each repeat is reported, the rest import.
    table = pcsv.read_csv(io.BytesIO(clean))
    ids = table.column("respondent").to_pylist()
    looped = table.set_column(0, "respondent", pa.array([ids[i % 16_384] for i in range(len(ids))]))
    out = exitcore.Dataset.from_arrow(looped, mapping)
    assert len(out.dataset) == 16_384
    assert [p["field"] for p in out.problems] == ["respondent"] * (120_000 - 16_384)
    # The mixed frame: "12" and 12 are the same tenure; a number in the
    # exit type column is judged (row 100,001 of the table), no exit type.
    out = exitcore.from_pandas(mixed, mapping)
    assert not out.problems
    assert out.dataset.analyse(spec).to_dict() == reference.analyse(spec).to_dict()
    mixed["exit_type"] = pd.Series(
        [7 if i == 100_000 else v for i, v in enumerate(frame["exit_type"])], dtype=object
    )
    # A missing id in a column of distinct ones (copied as text, not keyed).
    mixed.loc[5_000, "respondent"] = None
    out = exitcore.from_pandas(mixed, mapping)
    found = [(p["row"], p["field"]) for p in out.problems]
    assert found == [(5_001, "respondent"), (100_001, "exit_type")], out.problems
    assert len(out.dataset) == 120_000 - 2


@pytest.mark.parametrize("text", [pa.string(), pa.large_string(), pa.string_view()])
def test_columns_read_in_place_in_every_layout_and_slice(text: pa.DataType) -> None:
    """Text, integer, double and date columns are read from Arrow's own
    buffers (offsets or views, values, validity bitmaps) rather than cell by
    cell. A table sliced and cut into chunks at odd rows (offsets into shared
    buffers and bitmaps), with empty texts as nulls, texts longer than a
    view holds inline (the comments), a column of more distinct values than
    the import numbers (the respondents), and numbers as 32-bit integers,
    doubles, dates and timestamps, must import as the same rows' CSV does."""
    org = exitcore.generate(seed=11, exits=70_000)
    mapping = org.csv_mapping()
    lines = (org.to_csv() or "").split("\n")
    header = lines[0].split(",")
    enps = header.index("enps")
    for k in [1_200, 40_001]:  # damaged rows, reported at their own places
        cells = lines[k].split(",")
        cells[enps] = "12"
        lines[k] = ",".join(cells)
    skip = 1_001
    data = "\n".join([lines[0], *lines[1 + skip:]]).encode()
    from_csv = exitcore.Dataset.from_csv_bytes(data, mapping)
    assert [p["row"] for p in from_csv.problems] == [1_200 - skip + 1, 40_001 - skip + 1]
    whole = "\n".join(lines).encode()
    strings = pcsv.read_csv(
        io.BytesIO(whole),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in header}, strings_can_be_null=True
        ),
    )
    typed = pcsv.read_csv(io.BytesIO(whole), convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
    numbers = {
        "enps": pa.int32(),
        "tenure_months": pa.float64(),
        "exit_date": pa.date32(),
        "new_job_start": pa.timestamp("s"),
    }
    typed = pa.table(
        {
            n: typed.column(n).cast(numbers[n])
            if n in numbers
            else typed.column(n).cast(text)
            for n in header
        }
    )
    assert typed.column("new_job_start").null_count > 0
    cast = pa.table({n: strings.column(n).cast(text) for n in header})
    assert cast.column("comment_other").null_count < len(cast)  # some comments
    assert max(len(c) for c in cast.column("comment_other").to_pylist() if c) > 12
    cuts = [skip, skip + 7, skip + 8_203, skip + 30_000, len(cast)]
    for table in [cast, typed]:
        pieces = pa.concat_tables(table.slice(a, b - a) for a, b in zip(cuts, cuts[1:]))
        assert pieces.column("respondent").num_chunks >= 4
        same(from_csv, exitcore.Dataset.from_arrow(pieces, mapping))


def copies(text: str, n: int) -> list[str]:
    """n equal texts that are n distinct objects, as a CSV reader makes them
    when it does not share one object among equal cells."""
    out = ["".join(list(text)) for _ in range(n)]
    assert len({id(t) for t in out}) == n or len(text) <= 1
    return out


def object_columns() -> dict[str, list[Any]]:
    """Object columns with what pandas holds in them: shared and unshared
    equal texts, non-ASCII and empty texts, and each missing marker."""
    rng = __import__("random").Random(5)
    labels = ["Sales", "IT", "Zoë", "日本", "", " padded ", "emoji 🙂"]
    shared = [labels[i % len(labels)] for i in range(3000)]
    # Equal texts as distinct objects (1,000 of them; a column of mostly
    # distinct objects is left to pyarrow, below).
    unshared = [t for i in range(1000) for t in copies(labels[i % len(labels)], 1)] * 3
    missing: list[Any] = [None, float("nan"), pd.NA]
    holes = [missing[i % 3] if i % 4 == 0 else t for i, t in enumerate(unshared)]
    # More distinct objects than the identity cache has slots (16,384), so
    # that slots are reused: 20,000 objects of 700 texts, in blocks of 100
    # objects each shuffled ten times over (as a CSV reader makes a new
    # object for a text every so often), 200,000 rows.
    many: list[Any] = []
    for b in range(200):
        block = [t for i in range(100) for t in copies(f"v{(b * 100 + i) % 700}", 1)]
        rows = block * 10
        rng.shuffle(rows)
        many += rows
    assert len({id(t) for t in many}) == 20000
    return {"shared": shared, "unshared": unshared, "holes": holes, "many": many}


def test_object_columns_read_by_identity_give_what_pyarrow_gives() -> None:
    """`exitcore.from_pandas` reads object columns of text itself (a key per
    distinct object): the texts and nulls must be pyarrow's, cell for cell."""
    import numpy as np

    from exitcore._exitcore import _texts_from_objects

    for name, values in object_columns().items():
        series = pd.Series(values, dtype=object)
        mine = _texts_from_objects(series.to_numpy(), pd.NA)
        assert mine is not None, name
        assert pa.types.is_dictionary(mine.type)
        expected = pa.array(series, from_pandas=True)
        assert mine.cast(pa.string()).equals(expected), name
        assert mine.null_count == expected.null_count
        # Equal texts in distinct objects share one dictionary value.
        assert len(mine.dictionary) == len(set(expected.drop_null().to_pylist())), name
    # Columns this route leaves to pyarrow: something other than text or a
    # missing marker, a text pyarrow rejects, nothing but missing values,
    # and a strided view.
    leave: dict[str, list[Any]] = {
        "number": ["a", 5, "b"],
        "bytes": ["a", b"b"],
        "surrogate": ["a", "\ud800"],
        "float": ["a", 1.5],
        "all missing": [None, float("nan")],
    }
    for name, values in leave.items():
        assert _texts_from_objects(pd.Series(values, dtype=object).to_numpy(), pd.NA) is None, name
    strided = np.array(["a", "b", "a", "b"], dtype=object)[::2]
    assert _texts_from_objects(strided, pd.NA) is None
    # Mostly distinct objects are copied as plain text, not keyed; a
    # mixed column found past that point still goes to pyarrow.
    ids: list[Any] = [f"id{i}" for i in range(5000)]
    ids[77], ids[4000] = None, float("nan")
    series = pd.Series(ids, dtype=object)
    mine = _texts_from_objects(series.to_numpy(), pd.NA)
    assert mine is not None and pa.types.is_large_string(mine.type)
    assert mine.cast(pa.string()).equals(pa.array(series, from_pandas=True))
    ids[4500] = 3
    assert _texts_from_objects(pd.Series(ids, dtype=object).to_numpy(), pd.NA) is None
    # Below the distinct-object limit a column of distinct texts stays a
    # dictionary: the limit only decides which route is quicker.
    few = [f"id{i}" for i in range(500)]
    mine = _texts_from_objects(pd.Series(few, dtype=object).to_numpy(), pd.NA)
    assert mine is not None and pa.types.is_dictionary(mine.type)
    assert mine.cast(pa.string()).to_pylist() == few


def test_from_pandas_imports_object_columns_as_pyarrow_would(org: exitcore.SyntheticOrg) -> None:
    """The whole frame: object columns with unshared copies and every missing
    marker import as pyarrow's own conversion of the frame does, and a
    column of mixed types is still converted (or rejected) by pyarrow."""
    mapping = org.csv_mapping()
    df = pd.read_csv(io.BytesIO(damaged_csv(org)))
    for c in ["department", "primary_reason", "leadership_support", "comment_other"]:
        col = [v if not isinstance(v, str) else "".join(list(v)) for v in df[c]]
        col = [pd.NA if i % 97 == 0 else None if i % 89 == 0 else v for i, v in enumerate(col)]
        df[c] = pd.Series(col, dtype=object)
    reference = exitcore.Dataset.from_arrow(pa.Table.from_pandas(df, preserve_index=False), mapping)
    same(reference, exitcore.from_pandas(df, mapping), line_offset=0)
    assert len(reference.problems) >= 3
    # Views of the frame (strided, filtered, reversed, empty, one row):
    # object columns that are not one contiguous block.
    for view in [df.iloc[::3], df[df["tenure_months"] > 40], df.iloc[::-1], df.iloc[:0], df.iloc[:1]]:
        expected = exitcore.Dataset.from_arrow(pa.Table.from_pandas(view, preserve_index=False), mapping)
        same(expected, exitcore.from_pandas(view, mapping), line_offset=0)
    # A column of numbers and texts, which pyarrow rejects, is read cell by
    # cell: "12" and 12 are the same tenure.
    mixed = df.copy()
    tenure = [str(v) if i % 2 else v for i, v in enumerate(df["tenure_months"])]
    mixed["tenure_months"] = pd.Series(tenure, dtype=object)
    with pytest.raises((pa.ArrowTypeError, pa.ArrowInvalid)):
        pa.Table.from_pandas(mixed, preserve_index=False)
    same(reference, exitcore.from_pandas(mixed, mapping), line_offset=0)


def test_object_columns_of_other_objects_are_read_cell_by_cell() -> None:
    """Numbers, booleans, dates and other objects in object columns: each
    cell is what the CSV import would read from its text, so the frame gives
    the canonical table's import (problems and all), not an error."""
    import datetime
    import decimal

    df = pd.DataFrame(canonical())
    df["enps"] = pd.Series([7, "11", 3.0, decimal.Decimal(5)], dtype=object)
    df["would_return"] = pd.Series([True, "false", None, True], dtype=object)
    df["exit_date"] = pd.Series([datetime.date(2024, 3, 1), "2024-04", None, "2024"], dtype=object)
    df["notes"] = pd.Series(["x", None, "\ud800", 1], dtype=object)
    check_canonical(exitcore.from_pandas(df))
