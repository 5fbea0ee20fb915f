"""The seeded synthetic organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import exitcore


@pytest.fixture(scope="module")
def org() -> exitcore.SyntheticOrg:
    return exitcore.generate(seed=1, exits=300)


def test_generate(org: exitcore.SyntheticOrg) -> None:
    records = org.records
    assert len(records) == 300
    assert all(isinstance(r, dict) for r in records)
    assert {r["questionnaire"] for r in records} == {org.questionnaire.id}
    assert len({r["respondent"] for r in records}) == 300
    assert org.units and all(isinstance(u, list) and u for u in org.units)
    assert org.headcount and all(isinstance(h, dict) for h in org.headcount)
    assert "records=300" in repr(org)


def test_records_load_cleanly(org: exitcore.SyntheticOrg) -> None:
    loaded = org.load()
    assert loaded.problems == []
    assert len(loaded.dataset) == 300
    via_dicts = exitcore.Dataset.from_records(org.questionnaire, org.records)
    assert via_dicts.problems == []
    assert via_dicts.dataset.summary() == loaded.dataset.summary()


def test_seeded(org: exitcore.SyntheticOrg) -> None:
    again = exitcore.generate(1, 300)
    assert again.records == org.records
    assert again.headcount == org.headcount
    assert exitcore.generate(seed=2, exits=300).records != org.records


def test_defaults() -> None:
    org = exitcore.generate()
    assert len(org.records) > 0
    assert org.records == exitcore.generate().records


def test_records_are_fresh_lists(org: exitcore.SyntheticOrg) -> None:
    first = org.records
    first.clear()
    assert len(org.records) == 300


def test_config_arguments() -> None:
    org = exitcore.generate(
        seed=3,
        exits=200,
        divisions=2,
        departments_per_division=2,
        teams_per_department=2,
        job_families=3,
        managers=10,
        quarters=4,
        start_year=2020,
        comment_rate=0.5,
    )
    assert len(org.records) == 200
    assert org.load().problems == []


def test_plants() -> None:
    base = exitcore.generate(seed=4, exits=400)
    unit = base.units[-1]
    reason = base.records[0]["answers"].get("primary_reason", "pay")
    plants: list[Any] = [{"unit": unit, "reason": reason, "odds_ratio": 3.0}]
    planted = exitcore.generate(seed=4, exits=400, plants=plants)
    assert len(planted.records) == 400
    assert planted.load().problems == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"exits": -1},
        {"exits": 10**30},
        {"seed": -1},
        {"seed": 2**64},
        {"quarters": 2**40},
        {"start_year": 10**12},
        {"comment_rate": 10**400},
        {"exits": "many"},
        {"exits": 1.5},
        {"seed": None, "plants": "x"},
        {"plants": [{"unit": "Sales", "reason": "pay", "odds_ratio": 2.0}]},
        {"plants": [{"unit": ["Sales"], "reason": "pay"}]},
        {"plants": [{"unit": ["Sales"], "reason": "pay", "odds_ratio": 10**400}]},
        {"plants": [None]},
    ],
)
def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        exitcore.generate(**kwargs)


def test_unknown_keyword() -> None:
    with pytest.raises(TypeError):
        exitcore.generate(colour="blue")  # type: ignore[call-arg]


def test_csv_export_reads_back_into_the_same_dataset(tmp_path: Path) -> None:
    org = exitcore.generate(seed=3, exits=500)
    text = org.to_csv()
    assert text.splitlines()[0].startswith("respondent,division,department,team,")
    imported = exitcore.Dataset.from_csv_bytes(text.encode(), org.csv_mapping())
    assert imported.rejected == 0 and imported.problems == []
    assert imported.dataset.summary() == org.load().dataset.summary()
    path = tmp_path / "exits.csv"
    assert org.to_csv(path) is None
    assert path.read_text(encoding="utf-8") == text
