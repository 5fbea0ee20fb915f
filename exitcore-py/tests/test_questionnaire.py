"""Questionnaire: loading, round trips, checks, record validation, migration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import exitcore
from conftest import MAPPINGS, record


def questionnaire_json(questions: list[dict[str, Any]], **top: Any) -> str:
    doc: dict[str, Any] = {
        "id": "q",
        "version": 1,
        "title": {"nl": "T", "en": "T"},
        "questions": questions,
    }
    doc.update(top)
    return json.dumps(doc)


YES_NO = {"id": "a", "kind": "yes_no", "text": {"nl": "A?", "en": "A?"}}


def test_standard_questionnaire(standard: exitcore.Questionnaire) -> None:
    assert standard.id == "exitcore.standard"
    assert standard.version == 1
    assert set(standard.title) >= {"nl", "en"}
    ids = standard.question_ids()
    assert {"primary_reason", "enps", "would_return"} <= set(ids)
    assert len(ids) == len(set(ids))
    assert repr(standard).startswith("Questionnaire(id=")


def test_json_round_trip(standard: exitcore.Questionnaire) -> None:
    text = standard.to_json()
    again = exitcore.Questionnaire.from_json(text)
    assert again == standard
    assert again.to_json() == text
    assert json.loads(text) == standard.to_dict()


def test_dict_round_trip(standard: exitcore.Questionnaire) -> None:
    d = standard.to_dict()
    assert d["id"] == "exitcore.standard"
    assert [q["id"] for q in d["questions"]] == standard.question_ids()
    assert exitcore.Questionnaire.from_json(json.dumps(d)) == standard


def test_from_path(tmp_path: Path, standard: exitcore.Questionnaire) -> None:
    p = tmp_path / "q.json"
    p.write_text(standard.to_json(), encoding="utf-8")
    assert exitcore.Questionnaire.from_path(p) == standard
    assert exitcore.Questionnaire.from_path(str(p)) == standard


@pytest.mark.skipif(
    not (MAPPINGS / "tafe_questionnaire.json").exists(), reason="example not present"
)
def test_from_path_example() -> None:
    q = exitcore.Questionnaire.from_path(MAPPINGS / "tafe_questionnaire.json")
    assert q.id and q.version >= 1 and q.question_ids()


def test_equality_is_by_content(standard: exitcore.Questionnaire) -> None:
    other = exitcore.Questionnaire.from_json(questionnaire_json([YES_NO]))
    assert standard != other
    assert standard == exitcore.Questionnaire.standard()


@pytest.mark.parametrize(
    ("questions", "top", "field"),
    [
        ([YES_NO, YES_NO], {}, "questions[1].id"),
        (
            [dict(YES_NO, show_if={"question": "nope", "equals": True})],
            {},
            "questions[0].show_if.question",
        ),
        ([dict(YES_NO, theme="astrology")], {}, "questions[0].theme"),
        ([dict(YES_NO, text={"nl": "A?"})], {}, "questions[0].text.en"),
        ([YES_NO], {"title": {"en": "T"}}, "title.nl"),
        ([YES_NO], {"version": 0}, "version"),
    ],
    ids=[
        "duplicate-id",
        "unknown-condition",
        "unknown-theme",
        "missing-translation",
        "missing-title",
        "version-0",
    ],
)
def test_bad_questionnaire_names_field(
    questions: list[dict[str, Any]], top: dict[str, Any], field: str
) -> None:
    with pytest.raises(exitcore.QuestionnaireError) as info:
        exitcore.Questionnaire.from_json(questionnaire_json(questions, **top))
    err = info.value
    assert err.code == "questionnaire"
    assert err.field == field
    assert field in str(err)
    assert err.problems == []


def test_unknown_top_level_key() -> None:
    with pytest.raises(exitcore.QuestionnaireError):
        exitcore.Questionnaire.from_json(questionnaire_json([YES_NO], colour="blue"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(exitcore.FileError) as info:
        exitcore.Questionnaire.from_path(tmp_path / "nope.json")
    assert info.value.code == "io"
    assert info.value.field is not None and "nope.json" in info.value.field


def test_validate_valid_record(standard: exitcore.Questionnaire) -> None:
    standard.validate(record())
    assert standard.problems(record()) == []


def test_validate_invalid_record(standard: exitcore.Questionnaire) -> None:
    bad = record("r-9", enps=11)
    with pytest.raises(exitcore.InvalidRecordError) as info:
        standard.validate(bad)
    err = info.value
    assert err.code == "invalid_record"
    assert err.field == "answers.enps"
    assert err.problems == [
        {
            "row": None,
            "respondent": "r-9",
            "field": "answers.enps",
            "kind": "out_of_range",
            "message": "11 is outside 0..=10",
        }
    ]
    assert standard.problems(bad) == err.problems


def test_problems_lists_every_problem(standard: exitcore.Questionnaire) -> None:
    bad = record(enps=11, nonsense=3)
    del bad["answers"]["primary_reason"]
    kinds = {(p["field"], p["kind"]) for p in standard.problems(bad)}
    assert ("answers.enps", "out_of_range") in kinds
    assert ("answers.nonsense", "unknown_question") in kinds
    assert ("answers.primary_reason", "missing") in kinds


def test_record_of_wrong_shape_raises_json_error(
    standard: exitcore.Questionnaire,
) -> None:
    bad = record()
    bad["context"]["tenure"] = "long"
    with pytest.raises(exitcore.JsonError) as info:
        standard.validate(bad)
    assert info.value.field == "context.tenure"
    with pytest.raises(exitcore.JsonError):
        standard.problems({"respondent": 3})
    with pytest.raises(exitcore.JsonError):
        standard.validate("not a record")  # type: ignore[arg-type]


def test_migrate() -> None:
    v1 = exitcore.Questionnaire.from_json(
        questionnaire_json(
            [
                {
                    "id": "recommend",
                    "kind": "rating",
                    "min": 0,
                    "max": 10,
                    "text": {"nl": "Aanraden?", "en": "Recommend?"},
                }
            ],
            id="x",
        )
    )
    v2 = exitcore.Questionnaire.from_json(
        questionnaire_json(
            [
                {
                    "id": "enps",
                    "kind": "rating",
                    "min": 0,
                    "max": 10,
                    "role": "enps",
                    "text": {"nl": "Aanraden?", "en": "Recommend?"},
                }
            ],
            id="x",
            version=2,
            previous_versions=[{"version": 1, "questions": {"recommend": "enps"}}],
        )
    )
    old = {
        "respondent": "r1",
        "questionnaire": "x",
        "version": 1,
        "context": {"org_unit": ["Sales"]},
        "answers": {"recommend": 8},
    }
    v1.validate(old)
    new = v2.migrate(old)
    assert new["version"] == 2
    assert new["answers"] == {"enps": 8}
    v2.validate(new)
    assert v2.migrate(new) == new
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        v2.migrate(dict(old, questionnaire="other"))
    assert info.value.field == "record.questionnaire"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        v2.migrate(dict(old, version=7))
    assert info.value.field == "record.version"


def test_themes() -> None:
    themes = exitcore.themes()
    assert len(themes) == 12
    assert themes[0] == {"id": "leadership", "nl": "leiderschap", "en": "leadership"}
    assert all(set(t) == {"id", "nl", "en"} for t in themes)
    assert len({t["id"] for t in themes}) == 12
