"""Garbage in never crashes the interpreter: it raises TypeError or ValueError
(every exitcore error is a ValueError) or is reported as a problem."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from collections.abc import Mapping as AbcMapping
from typing import Any

import pytest

import exitcore
from conftest import record

Q = exitcore.Questionnaire.standard()
MAPPING = exitcore.Mapping.from_json(
    json.dumps(
        {
            "questionnaire": "standard",
            "respondent": {"column": "ID"},
            "context": {"org_unit": {"columns": ["Division", "Team"]}},
            "answers": {
                "primary_reason": {"column": "Reason", "values": {"Salary": "pay"}},
                "enps": {"column": "Recommend"},
                "would_return": {"column": "Return"},
            },
        }
    )
)
KEY = b"0123456789abcdef"
HUGE = 10**100
SURROGATE = "\udcff"


def deep(n: int) -> list[Any]:
    x: list[Any] = []
    for _ in range(n):
        x = [x]
    return x


def cyclic() -> list[Any]:
    x: list[Any] = []
    x.append(x)
    return x


class Exploding(AbcMapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        return iter(["respondent"])

    def __len__(self) -> int:
        return 1


GARBAGE: list[tuple[str, Callable[[], Any]]] = [
    ("Questionnaire()", lambda: exitcore.Questionnaire()),
    ("Dataset()", lambda: exitcore.Dataset()),
    ("LoadResult()", lambda: exitcore.LoadResult()),
    ("ImportResult()", lambda: exitcore.ImportResult()),
    ("Mapping()", lambda: exitcore.Mapping()),
    ("Pseudonymiser()", lambda: exitcore.Pseudonymiser()),  # type: ignore[call-arg]
    ("q.from_json(None)", lambda: exitcore.Questionnaire.from_json(None)),  # type: ignore[arg-type]
    ("q.from_json(1)", lambda: exitcore.Questionnaire.from_json(1)),  # type: ignore[arg-type]
    ("q.from_json(bytes)", lambda: exitcore.Questionnaire.from_json(b"{}")),  # type: ignore[arg-type]
    ("q.from_json(surrogate)", lambda: exitcore.Questionnaire.from_json(SURROGATE)),
    ("q.from_json(deep)", lambda: exitcore.Questionnaire.from_json("[" * 100_000)),
    ("q.from_path(None)", lambda: exitcore.Questionnaire.from_path(None)),  # type: ignore[arg-type]
    ("q.from_path(int)", lambda: exitcore.Questionnaire.from_path(HUGE)),  # type: ignore[arg-type]
    ("q.from_path(nul)", lambda: exitcore.Questionnaire.from_path("a\x00b")),
    ("q.from_path(dir)", lambda: exitcore.Questionnaire.from_path("/")),
    ("validate(None)", lambda: Q.validate(None)),  # type: ignore[arg-type]
    ("validate(object)", lambda: Q.validate(object())),  # type: ignore[arg-type]
    ("validate(int keys)", lambda: Q.validate({1: 2})),  # type: ignore[dict-item]
    ("validate(huge)", lambda: Q.validate(record(enps=HUGE))),
    ("validate(float)", lambda: Q.validate(record(enps=float("nan")))),
    ("validate(deep)", lambda: Q.validate({"answers": deep(100_000)})),
    ("validate(cyclic)", lambda: Q.validate({"answers": cyclic()})),
    ("validate(exploding)", lambda: Q.validate(Exploding())),  # type: ignore[arg-type]
    ("problems(surrogate)", lambda: Q.problems(record(SURROGATE))),
    ("migrate(bytes)", lambda: Q.migrate(b"\xff\xfe")),  # type: ignore[arg-type]
    ("from_records(None, [])", lambda: exitcore.Dataset.from_records(None, [])),  # type: ignore[arg-type]
    ("from_records(q, None)", lambda: exitcore.Dataset.from_records(Q, None)),  # type: ignore[arg-type]
    ("from_records(q, str)", lambda: exitcore.Dataset.from_records(Q, "abc")),  # type: ignore[arg-type]
    ("from_records(q, int)", lambda: exitcore.Dataset.from_records(Q, HUGE)),  # type: ignore[arg-type]
    ("from_records(q, dict)", lambda: exitcore.Dataset.from_records(Q, record())),  # type: ignore[arg-type]
    ("from_json(q, None)", lambda: exitcore.Dataset.from_json(Q, None)),  # type: ignore[arg-type]
    ("from_json(q, deep)", lambda: exitcore.Dataset.from_json(Q, "[" * 100_000)),
    ("from_csv(None)", lambda: exitcore.Dataset.from_csv(None, MAPPING)),  # type: ignore[arg-type]
    ("from_csv(m=None)", lambda: exitcore.Dataset.from_csv("x.csv", None)),  # type: ignore[arg-type]
    ("from_csv(key=str)", lambda: exitcore.Dataset.from_csv("x.csv", MAPPING, "k" * 20)),  # type: ignore[arg-type]
    ("from_csv_bytes(str)", lambda: exitcore.Dataset.from_csv_bytes("a,b", MAPPING)),  # type: ignore[arg-type]
    ("from_csv_bytes(None)", lambda: exitcore.Dataset.from_csv_bytes(None, MAPPING)),  # type: ignore[arg-type]
    ("from_csv_bytes(key=int)", lambda: exitcore.Dataset.from_csv_bytes(b"", MAPPING, HUGE)),  # type: ignore[arg-type]
    ("from_csv_bytes(q)", lambda: exitcore.Dataset.from_csv_bytes(b"a", Q)),  # type: ignore[arg-type]
    ("Mapping.from_json(None)", lambda: exitcore.Mapping.from_json(None)),  # type: ignore[arg-type]
    ("Mapping.from_json([)", lambda: exitcore.Mapping.from_json("[")),
    ("Mapping.from_json_with_q(None)", lambda: exitcore.Mapping.from_json_with_questionnaire("{}", None)),  # type: ignore[arg-type]
    ("Mapping.from_path(None)", lambda: exitcore.Mapping.from_path(None)),  # type: ignore[arg-type]
    ("pseudonymise(None)", lambda: exitcore.pseudonymise(KEY, None)),  # type: ignore[arg-type]
    ("pseudonymise(huge)", lambda: exitcore.pseudonymise(HUGE, "x")),  # type: ignore[arg-type]
    ("pseudonymise(surrogate)", lambda: exitcore.pseudonymise(KEY, SURROGATE)),
    ("pseudonymise(str key)", lambda: exitcore.pseudonymise("k" * 20, "x")),  # type: ignore[arg-type]
    ("Pseudonymiser(None)", lambda: exitcore.Pseudonymiser(None)),  # type: ignore[arg-type]
    ("themes(1)", lambda: exitcore.themes(1)),  # type: ignore[call-arg]
]


@pytest.mark.parametrize("call", [c for _, c in GARBAGE], ids=[n for n, _ in GARBAGE])
def test_garbage_raises_type_or_value_error(call: Callable[[], Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        call()


def test_garbage_records_are_problems() -> None:
    garbage: list[Any] = [
        None,
        1,
        HUGE,
        "x",
        b"\xff",
        [],
        {},
        {1: 2},
        {"respondent": SURROGATE},
        {"respondent": HUGE},
        record(enps=HUGE),
        record(enps=-HUGE),
        record(enps=float("inf")),
        {"answers": deep(100_000)},
        {"answers": cyclic()},
        Exploding(),
        object(),
        record("ok"),
    ]
    loaded = exitcore.Dataset.from_records(Q, garbage)
    assert len(loaded.dataset) == 1
    assert loaded.rejected == len(garbage) - 1
    assert {p["row"] for p in loaded.problems} == set(range(1, len(garbage)))


def test_random_bytes_as_csv() -> None:
    rng = random.Random(7)
    header = b"ID,Division,Team,Reason,Recommend,Return\n"
    for _ in range(200):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
        for data in (body, header + body):
            try:
                result = exitcore.Dataset.from_csv_bytes(data, MAPPING, KEY)
            except exitcore.ExitcoreError:
                continue
            assert len(result.dataset) + result.rejected <= result.summary["rows"]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(8 if depth < 4 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 7, 11, 2**63, -(2**63), 1.5])
    if choice == 3:
        return rng.choice(["", "a", "standard", "yes_no", "nl", "en", "pay", SURROGATE])
    if choice == 4:
        return rng.choice(["id", "version", "questions", "title", "kind"])
    if choice == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["id", "version", "title", "questions", "kind", "text", "nl", "en",
            "show_if", "question", "equals", "context", "answers", "org_unit",
            "questionnaire", "respondent", "column", "values", "min", "max"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_random_documents() -> None:
    rng = random.Random(11)
    for _ in range(500):
        doc = _random_json(rng)
        for call in (
            lambda: exitcore.Questionnaire.from_json(json.dumps(doc)),
            lambda: exitcore.Mapping.from_json(json.dumps(doc)),
            lambda: Q.validate(doc),
            lambda: Q.migrate(doc),
            lambda: exitcore.Dataset.from_json(Q, json.dumps(doc)),
        ):
            try:
                call()
            except (TypeError, ValueError):
                pass
        exitcore.Dataset.from_records(Q, [doc])
