"""The exception hierarchy and the attributes every error carries."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import exitcore
from conftest import record

ALL = [
    (exitcore.QuestionnaireError, "questionnaire"),
    (exitcore.InvalidRecordError, "invalid_record"),
    (exitcore.MappingError, "mapping"),
    (exitcore.CsvError, "csv"),
    (exitcore.JsonError, "json"),
    (exitcore.FileError, "io"),
    (exitcore.InvalidArgumentError, "invalid_argument"),
    (exitcore.BudgetExhaustedError, "budget_exhausted"),
]


def test_base_is_a_value_error() -> None:
    assert issubclass(exitcore.ExitcoreError, ValueError)
    assert exitcore.ExitcoreError.__module__ == "exitcore"


@pytest.mark.parametrize(("cls", "code"), ALL, ids=[c for _, c in ALL])
def test_hierarchy(cls: type[exitcore.ExitcoreError], code: str) -> None:
    assert issubclass(cls, exitcore.ExitcoreError)
    assert issubclass(cls, ValueError)
    assert cls.__module__ == "exitcore"
    assert getattr(exitcore, cls.__name__) is cls
    assert getattr(exitcore._exitcore, cls.__name__) is cls


def _bad_csv_mapping() -> exitcore.Mapping:
    return exitcore.Mapping.from_json(
        json.dumps(
            {
                "questionnaire": "standard",
                "context": {"org_unit": {"column": "Unit"}},
                "answers": {"enps": {"column": "R"}},
            }
        )
    )


def _raisers(tmp_path: Path) -> list[tuple[str, Callable[[], Any]]]:
    q = exitcore.Questionnaire.standard()
    return [
        ("questionnaire", lambda: exitcore.Questionnaire.from_json("{}")),
        ("invalid_record", lambda: q.validate(record(enps=11))),
        ("mapping", lambda: exitcore.Mapping.from_json('{"questionnaire": "standard"}')),
        ("csv", lambda: exitcore.Dataset.from_csv_bytes(b"", _bad_csv_mapping())),
        ("json", lambda: exitcore.Dataset.from_json(q, "nope")),
        ("io", lambda: exitcore.Questionnaire.from_path(tmp_path / "missing.json")),
        ("invalid_argument", lambda: exitcore.pseudonymise(b"short", "x")),
        ("budget_exhausted", _overspend),
    ]


def _overspend() -> None:
    ds = exitcore.Dataset.from_records(exitcore.Questionnaire.standard(), [record("r-1")]).dataset
    ds.release([], noise=exitcore.CellNoise(b"0123456789abcdef"), epsilon=2.0, budget=exitcore.Budget(1.0))


def test_every_error_carries_code_field_problems(tmp_path: Path) -> None:
    classes = dict((code, cls) for cls, code in ALL)
    for code, call in _raisers(tmp_path):
        with pytest.raises(exitcore.ExitcoreError) as info:
            call()
        err = info.value
        assert isinstance(err, ValueError)
        assert type(err) is classes[code], code
        assert err.code == code
        assert err.field is None or isinstance(err.field, str)
        assert isinstance(err.problems, list)
        assert str(err)
        if code == "invalid_record":
            assert err.field == "answers.enps"
            assert [p["kind"] for p in err.problems] == ["out_of_range"]
        else:
            assert err.problems == []
        if code == "csv":
            assert err.field is None
            assert err.line == 1
        else:
            assert err.line is None


def test_catch_as_value_error() -> None:
    with pytest.raises(ValueError, match="invalid questionnaire"):
        exitcore.Questionnaire.from_json("[]")


def test_error_pickles() -> None:
    with pytest.raises(exitcore.QuestionnaireError) as info:
        exitcore.Questionnaire.from_json("{}")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is exitcore.QuestionnaireError
    assert str(again) == str(info.value)
    assert again.code == "questionnaire"
    assert again.field == info.value.field


def test_user_can_raise_and_catch() -> None:
    with pytest.raises(exitcore.ExitcoreError):
        raise exitcore.MappingError("by hand")


def test_class_defaults() -> None:
    err = exitcore.MappingError("by hand")
    assert err.code == "mapping"
    assert err.field is None
    assert err.problems == []
    assert err.line is None
    assert exitcore.ExitcoreError.code == "exitcore"
