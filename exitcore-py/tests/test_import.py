"""CSV import through a mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import exitcore
from conftest import MAPPINGS, SHARED_DATA

MAPPING = {
    "questionnaire": "standard",
    "respondent": {"column": "ID"},
    "context": {
        "org_unit": {"columns": ["Division", "Team"]},
        "manager": {"column": "Manager"},
        "exit_date": {"column": "Left", "formats": ["%m/%Y", "%Y"]},
    },
    "answers": {
        "primary_reason": {
            "column": "Reason",
            "values": {"Salary": "pay", "Boss": "leadership"},
        },
        "enps": {"column": "Recommend"},
        "would_return": {"column": "Return"},
    },
}

CSV = (
    "\ufeffID,Division ,Team,Manager,Left,Reason,Recommend,Return\r\n"
    "1,Sales,North,M1,08/2012,Salary,7,Yes\r\n"
    "2,Sales,North,M1,2013,Astrology,5,No\r\n"
    "3,Sales,South,M2,2013,Boss,9,No\r\n"
    "4,Ops,East,M3,2014,Boss,11,Yes\r\n"
)

KEY = b"0123456789abcdef0123"


@pytest.fixture
def mapping() -> exitcore.Mapping:
    return exitcore.Mapping.from_json(json.dumps(MAPPING))


def test_mapping(mapping: exitcore.Mapping) -> None:
    assert mapping.questionnaire == exitcore.Questionnaire.standard()
    assert "exitcore.standard" in repr(mapping)


def test_import_bytes_keeps_valid_rows(mapping: exitcore.Mapping) -> None:
    result = exitcore.Dataset.from_csv_bytes(CSV.encode(), mapping)
    assert len(result.dataset) == 2
    assert result.rejected == 2
    by_row = {p["row"]: p for p in result.problems}
    # Line numbers: the header is line 1.
    assert set(by_row) == {3, 5}
    assert by_row[3]["kind"] == "unrecognised_value"
    assert by_row[3]["respondent"] == "2"
    assert "Reason" in by_row[3]["field"] or "primary_reason" in by_row[3]["field"]
    assert by_row[5]["field"] == "answers.enps"
    assert by_row[5]["kind"] == "out_of_range"
    summary = result.summary
    assert summary["rows"] == 4
    assert summary["imported"] == 2
    assert summary["rejected"] == 2
    columns = {c["column"]: c for c in summary["columns"]}
    assert columns["Division"]["status"] == "mapped"
    assert columns["Reason"]["unrecognised"] == 1
    assert "imported=2" in repr(result)


def test_import_path(tmp_path: Path, mapping: exitcore.Mapping) -> None:
    p = tmp_path / "exits.csv"
    p.write_bytes(CSV.encode())
    from_path = exitcore.Dataset.from_csv(p, mapping)
    from_str = exitcore.Dataset.from_csv(str(p), mapping)
    from_bytes = exitcore.Dataset.from_csv_bytes(CSV.encode(), mapping)
    assert from_path.summary == from_bytes.summary == from_str.summary
    assert from_path.problems == from_bytes.problems
    assert from_path.dataset.summary() == from_bytes.dataset.summary()


def test_bytearray_input(mapping: exitcore.Mapping) -> None:
    result = exitcore.Dataset.from_csv_bytes(bytearray(CSV.encode()), mapping)
    assert len(result.dataset) == 2


def test_latin1_values(mapping: exitcore.Mapping) -> None:
    data = CSV.lstrip("\ufeff").replace("South", "Zuidé").encode("latin-1")
    result = exitcore.Dataset.from_csv_bytes(data, mapping)
    assert len(result.dataset) == 2
    assert ["Sales", "Zuidé"] in result.dataset.org_units()


def test_pseudonymised_import(mapping: exitcore.Mapping) -> None:
    plain = exitcore.Dataset.from_csv_bytes(CSV.encode(), mapping)
    hashed = exitcore.Dataset.from_csv_bytes(
        CSV.encode(), mapping, pseudonymise_key=KEY
    )
    assert len(hashed.dataset) == len(plain.dataset)
    respondents = {p["respondent"] for p in hashed.problems}
    assert respondents == {
        exitcore.pseudonymise(KEY, "2"),
        exitcore.pseudonymise(KEY, "4"),
    }
    assert hashed.dataset.summary()["managers"] == plain.dataset.summary()["managers"]
    again = exitcore.Dataset.from_csv_bytes(CSV.encode(), mapping, KEY)
    assert again.problems == hashed.problems


def test_short_pseudonymise_key(mapping: exitcore.Mapping) -> None:
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Dataset.from_csv_bytes(CSV.encode(), mapping, pseudonymise_key=b"x")
    assert info.value.field == "key"


def test_no_header_is_a_csv_error(mapping: exitcore.Mapping) -> None:
    with pytest.raises(exitcore.CsvError) as info:
        exitcore.Dataset.from_csv_bytes(b"", mapping)
    assert info.value.code == "csv"
    assert info.value.field is None
    assert info.value.line == 1


def test_missing_column_is_a_mapping_error(mapping: exitcore.Mapping) -> None:
    with pytest.raises(exitcore.MappingError) as info:
        exitcore.Dataset.from_csv_bytes(b"ID,Division,Team\n1,Sales,North\n", mapping)
    assert info.value.code == "mapping"
    assert info.value.field


def test_missing_file(tmp_path: Path, mapping: exitcore.Mapping) -> None:
    with pytest.raises(exitcore.FileError):
        exitcore.Dataset.from_csv(tmp_path / "none.csv", mapping)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"context": {}}, "context.org_unit"),
        ({"answers": {"no_such_question": {"column": "X"}}}, "answers.no_such_question"),
        ({"answers": {"enps": {"column": "R", "scale": "nope"}}}, "answers.enps.scale"),
    ],
    ids=["no-org-unit", "unknown-question", "unknown-scale"],
)
def test_bad_mapping(change: dict[str, object], field: str) -> None:
    doc = dict(MAPPING, **change)
    with pytest.raises(exitcore.MappingError) as info:
        exitcore.Mapping.from_json(json.dumps(doc))
    assert info.value.field == field


def test_mapping_with_questionnaire() -> None:
    q = exitcore.Questionnaire.standard()
    doc = dict(MAPPING, questionnaire={"path": "somewhere/else.json"})
    m = exitcore.Mapping.from_json_with_questionnaire(json.dumps(doc), q)
    assert m.questionnaire == q
    assert len(exitcore.Dataset.from_csv_bytes(CSV.encode(), m).dataset) == 2


def test_mapping_from_path(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text(json.dumps(MAPPING), encoding="utf-8")
    m = exitcore.Mapping.from_path(p)
    assert m.questionnaire.id == "exitcore.standard"
    with pytest.raises(exitcore.FileError):
        exitcore.Mapping.from_path(tmp_path / "nope.json")
    with pytest.raises(exitcore.ExitcoreError):
        exitcore.Mapping.from_json("{not json")


TAFE_CSV = SHARED_DATA / "tafe_survey.csv"
TAFE_MAPPING = MAPPINGS / "tafe.json"


@pytest.mark.skipif(
    not (TAFE_CSV.exists() and TAFE_MAPPING.exists()),
    reason="tafe data or mapping not present",
)
def test_tafe_survey() -> None:
    mapping = exitcore.Mapping.from_path(TAFE_MAPPING)
    result = exitcore.Dataset.from_csv(TAFE_CSV, mapping)
    assert len(result.dataset) == 702
    assert result.rejected == 0
    assert result.problems == []
    assert result.summary["rows"] == 702
    assert result.summary["imported"] == 702
    assert result.dataset.questionnaire == mapping.questionnaire
    assert result.dataset.summary()["records"] == 702
    hashed = exitcore.Dataset.from_csv(TAFE_CSV, mapping, pseudonymise_key=KEY)
    assert len(hashed.dataset) == 702
