"""exitcore.Report: the core's renderings, reachable from Python."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import exitcore
from conftest import MAPPINGS


def test_report_renders_json_markdown_and_html() -> None:
    org = exitcore.generate(seed=4, exits=2000)
    ds = org.load().dataset
    report = ds.report(lang="nl", headcount=org.headcount, stayers=org.stayers)
    doc = json.loads(report.to_json())
    assert doc["schema"] == "exitcore-report/1"
    assert doc["lang"] == "nl"
    assert doc["analysis"]["overall"]["n"] == 2000
    assert doc["analysis"]["overall"]["turnover"] is not None
    assert report.to_markdown().startswith("# Exitgesprekken")
    html = report.to_html()
    assert html == report._repr_html_()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    # The same data and options give the same bytes.
    again = ds.report(lang="nl", headcount=org.headcount, stayers=org.stayers)
    assert again.to_json() == report.to_json()
    # The analysis behind it gives data frames like Dataset.analyse does.
    assert report.analysis.overall["n"] == 2000
    assert report.title == "Exitgesprekken"


def test_report_options_and_errors() -> None:
    org = exitcore.generate(seed=4, exits=500)
    ds = org.load().dataset
    custom = ds.report(by=[["tenure_band"]], policy=exitcore.Policy(k=10), title="Q3")
    doc = json.loads(custom.to_json())
    assert [b["by"] for b in doc["analysis"]["breakdowns"]] == [["tenure_band"]]
    assert doc["analysis"]["policy"]["k"] == 10 and doc["title"] == "Q3"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.report(lang="de")  # type: ignore[arg-type]
    assert info.value.field == "lang"
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        ds.report(by=[["nope"]])
    assert info.value.field == "by[0][0]"


def test_a_report_on_four_people_shows_nothing() -> None:
    q = exitcore.Questionnaire.standard()
    records = [
        {"respondent": f"r{i}", "questionnaire": q.id, "version": q.version,
         "context": {"org_unit": ["D", "T"]},
         "answers": {"primary_reason": ["pay", "workload"][i % 2], "enps": i, "would_return": i % 2 == 0}}
        for i in range(4)
    ]
    ds = exitcore.Dataset.from_records(q, records).dataset
    report = ds.report()
    assert json.loads(report.to_json())["analysis"]["overall"]["n"] is None
    assert "Too few exit interviews" in report.to_markdown()


def test_python_m_exitcore_report(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    done = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--exits", "800", "--format", "md", "--lang", "nl", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("# Exitgesprekken")
    assert "800 exit interviews" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--k", "1"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and bad.stderr.count("\n") == 1
    missing = subprocess.run(
        [sys.executable, "-m", "exitcore", "report", "--data", str(tmp_path / "none.csv"),
         "--mapping", str(MAPPINGS / "tafe.json")],
        capture_output=True, text=True, check=False,
    )
    assert missing.returncode == 2 and "error:" in missing.stderr


def test_report_reads_a_headcount_file(tmp_path: Path) -> None:
    org = exitcore.generate(seed=4, exits=300)
    rows = ["org_unit,year,quarter,headcount"] + [
        f"{'/'.join(r['org_unit'])},{r['year']},{r['quarter']},{r['headcount']}" for r in org.headcount
    ]
    path = tmp_path / "headcount.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from_file = org.load().dataset.report(headcount=path)
    from_rows = org.load().dataset.report(headcount=org.headcount)
    assert from_file.to_json() == from_rows.to_json()
    path.write_text("org_unit,year,quarter,headcount\nA,2016,Q1,3\n", encoding="utf-8")
    with pytest.raises(exitcore.CsvError) as info:
        org.load().dataset.report(headcount=path)
    assert "line 2" in str(info.value)


class _PlainList(list):  # type: ignore[type-arg]
    """A list subclass: `report` reads it through JSON values, as it read every
    list before plain lists of dicts were read straight into the core's rows."""


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        return ("ok", call().to_json())
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return (type(e), str(e), getattr(e, "field", None))


def _headcount_cases() -> dict[str, Any]:
    def at(i: int, **change: Any) -> Any:
        return lambda rows: rows[i].update(change)

    return {
        "valid": lambda rows: None,
        "org unit as a tuple": at(1, org_unit=("X", "Y")),
        "quarter 5": at(2, quarter=5),
        "quarter as text": at(2, quarter="Q1"),
        "quarter as a bool": at(2, quarter=True),
        "quarter as a float": at(2, quarter=3.0),
        "quarter negative": at(2, quarter=-1),
        "quarter too large for u8": at(2, quarter=300),
        "year too large": at(0, year=2**40),
        "headcount negative": at(3, headcount=-5),
        "headcount too large for u32": at(3, headcount=2**32),
        "org unit as text": at(0, org_unit="A/B"),
        "org unit empty": at(0, org_unit=[]),
        "org unit with a number": at(0, org_unit=["A", 1]),
        "org unit blank": at(0, org_unit=["A", " "]),
        "missing field": lambda rows: rows[1].pop("headcount"),
        "unknown field": at(1, team="x"),
        "duplicate row": lambda rows: rows.__setitem__(3, dict(rows[0])),
        "row not a dict": lambda rows: rows.__setitem__(1, 5),
        "no rows": lambda rows: rows.clear(),
    }


def test_headcount_rows_give_what_the_core_gives_for_the_same_json(tmp_path: Path) -> None:
    # Rows read straight from dicts must be accepted, or refused with the same
    # error, as the same rows in a JSON file, which the core parses itself.
    org = exitcore.generate(seed=3, exits=300)
    ds = org.load().dataset
    for i, (name, change) in enumerate(_headcount_cases().items()):
        rows = [{**r, "org_unit": list(r["org_unit"])} for r in org.headcount]
        change(rows)
        path = tmp_path / f"headcount{i}.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        direct = _outcome(lambda: ds.report(headcount=rows))
        assert direct == _outcome(lambda: ds.report(headcount=path)), name
        assert direct == _outcome(lambda: ds.report(headcount=_PlainList(rows))), name
        assert direct == _outcome(lambda: ds.report(headcount=exitcore.Headcount(rows))), name
        assert (direct[0] == "ok") == (name in ("valid", "org unit as a tuple")), (name, direct)


def test_stayers_give_what_the_json_way_gives() -> None:
    org = exitcore.generate(seed=3, exits=300)
    ds = org.load().dataset

    def at(i: int, **change: Any) -> Any:
        return lambda rows: rows[i].update(change)

    cases = {
        "valid": lambda rows: None,
        "tenure as text": at(1, tenure_months="3"),
        "tenure as a bool": at(1, tenure_months=False),
        "tenure as a float": at(1, tenure_months=3.0),
        "tenure negative": at(1, tenure_months=-1),
        "tenure too large": at(1, tenure_months=2**32),
        "org unit as text": at(0, org_unit="A"),
        "org unit with None": at(0, org_unit=["A", None]),
        "missing field": lambda rows: rows[2].pop("tenure_months"),
        "unknown field": at(2, months=3),
        "row not a dict": lambda rows: rows.__setitem__(0, ["A"]),
    }
    for name, change in cases.items():
        rows = [{**s, "org_unit": list(s["org_unit"])} for s in org.stayers[:5]]
        change(rows)
        direct = _outcome(lambda: ds.report(stayers=rows))
        assert direct == _outcome(lambda: ds.report(stayers=_PlainList(rows))), name
        assert direct == _outcome(lambda: ds.report(stayers=exitcore.Stayers(rows))), name
        assert (direct[0] == "ok") == (name == "valid"), (name, direct)
        if name != "valid":
            assert direct[2] is not None and direct[2].startswith("stayers["), (name, direct)


def test_headcount_stayers_and_redactor_read_once_give_what_their_rows_give(tmp_path: Path) -> None:
    org = exitcore.generate(seed=5, exits=1500)
    ds = org.load().dataset
    roster = ["Jan de Vries", "Anna Bakker"]
    headcount = exitcore.Headcount(org.headcount)
    stayers = exitcore.Stayers(org.stayers)
    redactor = exitcore.Redactor(roster)
    for lang in ("nl", "en"):
        from_rows = ds.report(lang=lang, headcount=org.headcount, stayers=org.stayers, roster=roster)
        from_objects = ds.report(lang=lang, headcount=headcount, stayers=stayers, roster=redactor)
        assert from_objects.to_json() == from_rows.to_json()
    spec: dict[str, Any] = {"by": [["org_unit"]], "trend": "quarter"}
    analysed = ds.analyse(**spec, headcount=headcount, stayers=stayers, roster=redactor)
    expected = ds.analyse(**spec, headcount=org.headcount, stayers=org.stayers, roster=roster)
    assert analysed.to_json() == expected.to_json()
    # A file read once gives what the file gives.
    path = tmp_path / "headcount.json"
    path.write_text(json.dumps(org.headcount), encoding="utf-8")
    assert ds.report(headcount=exitcore.Headcount(path)).to_json() == ds.report(headcount=path).to_json()
    # CSV text (str or bytes) gives what the rows give.
    csv = "org_unit,year,quarter,headcount\n" + "".join(
        f"{'/'.join(r['org_unit'])},{r['year']},{r['quarter']},{r['headcount']}\n" for r in org.headcount
    )
    expected_json = ds.report(headcount=org.headcount).to_json()
    assert ds.report(headcount=exitcore.Headcount.from_csv(csv)).to_json() == expected_json
    assert ds.report(headcount=exitcore.Headcount.from_csv(csv.encode())).to_json() == expected_json


def test_headcount_and_stayers_describe_themselves() -> None:
    rows = [
        {"org_unit": ["Sales", "North"], "year": 2024, "quarter": 1, "headcount": 40},
        {"org_unit": ["Sales", "North"], "year": 2024, "quarter": 2, "headcount": 44},
        {"org_unit": ["Sales", "South"], "year": 2024, "quarter": 2, "headcount": 10},
        {"org_unit": ["HR"], "year": 2023, "quarter": 4, "headcount": 8},
    ]
    h = exitcore.Headcount(rows)
    assert h.span == ((2023, 4), (2024, 2))
    assert repr(h) == "Headcount(2023Q4..2024Q2)"
    # A quarter is a quarter of a person-year: (40 + 44 + 10) / 4 and 8 / 4.
    assert h.person_years(["Sales"]) == 23.5
    assert h.person_years(["Sales", "North"]) == 21.0
    assert h.person_years(["HR"]) == 2.0
    assert h.person_years(["Finance"]) == 0.0
    assert math.copysign(1.0, h.person_years(["Finance"])) == 1.0  # not -0.0
    s = exitcore.Stayers([{"org_unit": ["HR"], "tenure_months": 3}, {"org_unit": ["HR"], "tenure_months": 30}])
    assert len(s) == 2 and repr(s) == "Stayers(len=2)"


def test_inputs_of_the_wrong_kind_are_refused_by_name() -> None:
    org = exitcore.generate(seed=5, exits=300)
    ds = org.load().dataset
    headcount = exitcore.Headcount(org.headcount)
    stayers = exitcore.Stayers(org.stayers)
    # Each object is taken only where it belongs; elsewhere it is data of the
    # wrong type, refused with the argument's name.
    with pytest.raises(TypeError, match="argument 'headcount': expected rows, a path or a Headcount"):
        ds.report(headcount=stayers)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'stayers': expected rows or a Stayers"):
        ds.analyse(stayers=headcount)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'roster': expected a sequence of names or a Redactor"):
        ds.report(roster=headcount)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'roster'"):
        ds.analyse(roster="Jan de Vries")
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Stayers([{"org_unit": ["HR"], "tenure_months": -1}])
    assert info.value.field == "stayers[0].tenure_months"
    with pytest.raises(TypeError, match="argument 'source': expected rows or a path"):
        exitcore.Headcount(object())  # type: ignore[arg-type]
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Headcount(5)  # type: ignore[arg-type]
    assert info.value.field == "headcount"
    with pytest.raises(TypeError, match="argument 'rows'"):
        exitcore.Stayers(object())  # type: ignore[arg-type]
    with pytest.raises(exitcore.CsvError, match="line 2"):
        exitcore.Headcount.from_csv("org_unit,year,quarter,headcount\nHR,2024,Q1,3\n")
    with pytest.raises(TypeError, match="str or bytes"):
        exitcore.Headcount.from_csv(3)  # type: ignore[arg-type]
    with pytest.raises(exitcore.InvalidArgumentError) as info:
        exitcore.Headcount([])
    assert info.value.field == "headcount"
