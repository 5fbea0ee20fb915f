"""Shared fixtures of the exitcore Python tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import exitcore

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
MAPPINGS = ROOT / "examples" / "mappings"

VALID_RECORD: dict[str, Any] = {
    "respondent": "r-1",
    "questionnaire": "exitcore.standard",
    "version": 1,
    "context": {"org_unit": ["Sales", "North"]},
    "answers": {"primary_reason": "pay", "enps": 7, "would_return": True},
}


def record(respondent: str = "r-1", **answers: Any) -> dict[str, Any]:
    """A valid standard-questionnaire record, with `answers` overriding."""
    r = copy.deepcopy(VALID_RECORD)
    r["respondent"] = respondent
    r["answers"].update(answers)
    return r


@pytest.fixture
def standard() -> exitcore.Questionnaire:
    return exitcore.Questionnaire.standard()
