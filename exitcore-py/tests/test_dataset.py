"""Dataset: bulk loading of records with problems per row."""

from __future__ import annotations

import datetime
import json
from typing import Any

import exitcore
from conftest import record


def test_load_valid_records(standard: exitcore.Questionnaire) -> None:
    loaded = exitcore.Dataset.from_records(
        standard, [record("a"), record("b"), record("c")]
    )
    assert loaded.problems == []
    assert loaded.rejected == 0
    ds = loaded.dataset
    assert len(ds) == 3
    assert ds.questionnaire == standard
    assert ds.org_units() == [["Sales"], ["Sales", "North"]]
    summary = ds.summary()
    assert summary["records"] == 3
    assert summary["questionnaire"] == "exitcore.standard"
    assert summary["version"] == 1
    assert summary["org_units"] == 2
    assert summary["org_levels"] == 2
    assert "records=3" in repr(ds)
    assert "rejected=0" in repr(loaded)


def test_dataset_property_is_the_same_object(standard: exitcore.Questionnaire) -> None:
    loaded = exitcore.Dataset.from_records(standard, [record()])
    assert loaded.dataset is loaded.dataset


def test_bad_rows_become_problems_and_valid_rows_are_kept(
    standard: exitcore.Questionnaire,
) -> None:
    wrong_type = record("c")
    wrong_type["context"]["tenure"] = "long"
    records: list[Any] = [record("a"), record("b", enps=11), wrong_type, "not a record"]
    loaded = exitcore.Dataset.from_records(standard, records)
    assert len(loaded.dataset) == 1
    assert loaded.rejected == 3
    by_row = {p["row"]: p for p in loaded.problems}
    assert set(by_row) == {2, 3, 4}
    assert by_row[2] == {
        "row": 2,
        "respondent": "b",
        "field": "answers.enps",
        "kind": "out_of_range",
        "message": "11 is outside 0..=10",
    }
    assert by_row[3]["field"] == "context.tenure"
    assert by_row[3]["respondent"] == "c"
    assert by_row[3]["kind"] == "wrong_type"
    assert by_row[4]["field"] == "(record)"
    assert by_row[4]["respondent"] is None


def test_values_without_a_json_equivalent_become_problems(
    standard: exitcore.Questionnaire,
) -> None:
    odd = record("b")
    odd["answers"]["enps"] = datetime.date(2024, 1, 1)
    huge = record("c", enps=10**40)
    records: list[Any] = [record("a"), odd, huge, object()]
    loaded = exitcore.Dataset.from_records(standard, records)
    assert len(loaded.dataset) == 1
    assert loaded.rejected == 3
    assert [p["row"] for p in loaded.problems] == [2, 3, 4]
    for p in loaded.problems:
        assert p["message"].startswith("cannot convert from python")


def test_duplicate_respondent(standard: exitcore.Questionnaire) -> None:
    loaded = exitcore.Dataset.from_records(
        standard, [record("a"), record("b"), record("a")]
    )
    assert len(loaded.dataset) == 2
    assert loaded.rejected == 1
    [p] = loaded.problems
    assert p["row"] == 3
    assert p["respondent"] == "a"
    assert p["kind"] == "duplicate_respondent"
    assert p["field"] == "respondent"


def test_empty_input(standard: exitcore.Questionnaire) -> None:
    loaded = exitcore.Dataset.from_records(standard, [])
    assert len(loaded.dataset) == 0
    assert loaded.problems == []
    assert loaded.dataset.summary()["records"] == 0
    assert loaded.dataset.org_units() == []


def test_tuple_input(standard: exitcore.Questionnaire) -> None:
    loaded = exitcore.Dataset.from_records(standard, (record("a"), record("b")))
    assert len(loaded.dataset) == 2


def test_from_json(standard: exitcore.Questionnaire) -> None:
    text = json.dumps([record("a"), record("b", enps=-1)])
    loaded = exitcore.Dataset.from_json(standard, text)
    assert len(loaded.dataset) == 1
    assert [p["row"] for p in loaded.problems] == [2]


def test_from_json_not_an_array(standard: exitcore.Questionnaire) -> None:
    import pytest

    with pytest.raises(exitcore.JsonError) as info:
        exitcore.Dataset.from_json(standard, '{"respondent": "a"}')
    assert info.value.code == "json"


def test_a_tenure_over_a_hundred_years_is_refused_and_the_rest_kept(
    standard: exitcore.Questionnaire,
) -> None:
    ok = record("a")
    ok["context"]["tenure"] = {"min_months": 1200, "max_months": 1201}
    days_as_months = record("b")
    days_as_months["context"]["tenure"] = {"min_months": 5000, "max_months": 5001}
    loaded = exitcore.Dataset.from_records(standard, [ok, days_as_months, record("c")])
    assert len(loaded.dataset) == 2
    assert loaded.rejected == 1
    assert loaded.problems == [
        {
            "row": 2,
            "respondent": "b",
            "field": "context.tenure",
            "kind": "out_of_range",
            "message": "min_months 5000 is over 1200 months (100 years)",
        }
    ]
